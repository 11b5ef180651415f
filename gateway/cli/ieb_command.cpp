#include "gateway/cli/ieb_command.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/base/clock.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/log/bsn_hasher.h"

namespace iwmo::cli {
namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
  std::cerr << "iwmo-gateway ieb: " << message << "\n";
  return 2;
}

}  // namespace

int runIeb(const config::Config& config, const IebOptions& options) {
  auto journal = openOperatorJournal(config, options.journal);
  if (!journal) return fail(journal.status().message());
  journal::EbStore& store = (*journal)->eb();
  const Timestamp now = SystemClock().now();
  if (options.action == "numbers") {
    auto highest = store.highestStartNummerSent();
    if (!highest) return fail(highest.status().message());
    auto first = store.firstStartNummer();
    if (!first) return fail(first.status().message());
    const std::string journal_file = options.journal.empty() ? config.journalFile().string() : options.journal.string();
    std::cout << "journal " << journal_file << ":\n  new periods are numbered from "
              << (*first ? std::to_string(**first) : std::string("11 (message_id * 10 + n; no first_start_nummer kept)"))
              << "\n  highest start number sent to the CAK: " << *highest
              << "\nFor a new journal that replaces this one: [eigen_bijdrage] first_start_nummer = " << *highest + 1
              << " (or higher)\n";
    return 0;
  }
  if (options.action == "done") {
    auto done = store.resolveAttention(options.item_id, options.note, now);
    if (!done) return fail(done.status().message());
    if (!*done) {
      std::cerr << "iwmo-gateway ieb: no open item " << options.item_id
                << " (see `iwmo-gateway ieb pending` and `iwmo-gateway ieb rejected`)\n";
      return 1;
    }
    std::cout << "eigen-bijdrage item " << options.item_id << " closed\n";
    return 0;
  }
  auto hasher = log::BsnHasher::fromKeyFile(config.log.hmac_key_file);
  if (!hasher) return fail(hasher.status().message());
  const auto pseudonym = [&](const std::string& bsn) { return bsn.empty() ? std::string("-") : hasher->hash(bsn); };

  auto attention = store.attention(options.all);
  if (!attention) return fail(attention.status().message());
  const bool rejected_view = options.action == "rejected";
  std::vector<journal::EbAttentionRow> items;
  for (auto& item : *attention) {
    const bool is_rejection = item.kind == "rejected" || item.kind == "unmatched";
    if (is_rejection == rejected_view) items.push_back(std::move(item));
  }
  std::vector<journal::EbRecordRow> records;
  if (!rejected_view) {
    auto pending = store.records("pending");
    if (!pending) return fail(pending.status().message());
    records = std::move(*pending);
  }
  const std::int64_t timeout_micros = static_cast<std::int64_t>(config.eigen_bijdrage.retour_timeout_hours) * 3600 * 1000000;

  if (options.json) {
    for (const auto& r : records) {
      nlohmann::ordered_json line;
      line["kind"] = "awaiting-retour";
      line["message_id"] = r.message_id;
      line["message_type"] = r.message_type;
      line["identificatie"] = r.identificatie;
      line["afzender"] = r.afzender;
      line["client"] = pseudonym(r.bsn);
      line["start_nummer"] = r.record.start_nummer();
      line["status_aanlevering"] = r.record.status_aanlevering();
      line["sent_at"] = r.sent_at.toIso8601();
      line["overdue"] = now.micros - r.sent_at.micros > timeout_micros;
      std::cout << line.dump() << "\n";
    }
    for (const auto& item : items) {
      nlohmann::ordered_json line;
      line["id"] = item.id;
      line["kind"] = item.kind;
      line["message_id"] = item.message_id;
      line["at"] = item.at.toIso8601();
      line["client"] = pseudonym(item.bsn);
      line["rule"] = item.rule;
      if (item.start_nummer != 0) line["start_nummer"] = item.start_nummer;  // the period it is about
      line["state"] = item.state;
      line["summary"] = item.summary;
      if (!item.note.empty()) line["note"] = item.note;
      std::cout << line.dump() << "\n";
    }
    return 0;
  }
  if (!rejected_view) {
    std::size_t overdue = 0;
    if (records.empty()) {
      std::cout << "no iEb records await a retour from the CAK\n";
    } else {
      std::printf("%-8s %-7s %-14s %-8s %-16s %-11s %-6s %s\n", "message", "type", "identificatie", "afzender",
                  "client", "start nr", "status", "sent");
      for (const auto& r : records) {
        const bool late = now.micros - r.sent_at.micros > timeout_micros;
        overdue += late ? 1 : 0;
        std::printf("%-8s %-7s %-14s %-8s %-16s %-11llu %-6s %s%s\n", ("#" + std::to_string(r.message_id)).c_str(),
                    r.message_type.c_str(), r.identificatie.c_str(), r.afzender.c_str(), pseudonym(r.bsn).c_str(),
                    static_cast<unsigned long long>(r.record.start_nummer()), r.record.status_aanlevering().c_str(),
                    r.sent_at.toIso8601().c_str(), late ? "  OVERDUE" : "");
      }
      if (overdue > 0) {
        std::cout << overdue << " record(s) have waited longer than " << config.eigen_bijdrage.retour_timeout_hours
                  << " hours ([eigen_bijdrage] retour_timeout_hours): check that the CAK's WMO406/408 reach "
                  << config.cak.receive_dir.string()
                  << " (or the GGk channel), and `iwmo-gateway ggk errors` for a Fo01 about them\n";
      }
    }
    std::cout << "\n";
  }
  if (items.empty()) {
    std::cout << (rejected_view ? "no open rejections by the CAK\n" : "nothing held or waiting for manual handling\n");
    return 0;
  }
  std::printf("%-5s %-9s %-8s %-16s %-26s %s\n", "id", "kind", "message", "client", "rule", "summary");
  for (const auto& item : items) {
    std::printf("%-5llu %-9s %-8s %-16s %-26s %s%s\n", static_cast<unsigned long long>(item.id), item.kind.c_str(),
                ("#" + std::to_string(item.message_id)).c_str(), pseudonym(item.bsn).c_str(), item.rule.c_str(),
                item.summary.c_str(), item.state == "done" ? (" [done: " + item.note + "]").c_str() : "");
  }
  std::cout << "\n`iwmo-gateway explain ID` shows a message's trail; `iwmo-gateway ieb done ID --note TEXT` closes an item.\n";
  return 0;
}

}  // namespace iwmo::cli
