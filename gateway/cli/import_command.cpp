#include "gateway/cli/import_command.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/base/bsn.h"
#include "gateway/base/csv.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/eb_store.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/reference_data/cak_period_rows.h"
#include "gateway/cli/state_lock.h"
#include "gateway/reference_data/reference_rows.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;

// The lock `iwmo-gateway run` holds on its state directory: an import of the CAK's periods
// changes the clients' eigen-bijdrage state, which a running daemon reads and writes.
Result<int> lockJournalDirectory(const fs::path& journal_file) {
  std::error_code ec;
  const fs::path lock_file = fs::weakly_canonical(fs::absolute(journal_file), ec).parent_path() / "iwmo-gateway.lock";
  StateLockHolder holder;
  Result<int> fd = takeStateLock(lock_file, "iwmo-gateway import cak-periods", holder);
  if (fd) return *fd;
  if (!holder.held) return fd.status();
  const bool daemon = holder.command.empty() || holder.command == "iwmo-gateway run";
  const std::string pid = holder.pid.empty() ? std::string() : " (pid " + holder.pid + ")";
  if (!daemon) {
    return Status::unavailable("`" + holder.command + "`" + pid + " is working on " + journal_file.string() +
                               "; wait until it is done, then import");
  }
  return Status::unavailable("a daemon" + pid + " is running on " + journal_file.string() +
                             "; stop it (systemctl stop iwmo-gateway), import, then start it again: the import "
                             "changes the eigen-bijdrage state the daemon works on");
}

// `import cak-periods FILE`: the CAK's AT / BW periods on adoption day (issue 17).
int importCakPeriods(const config::Config& config, const ImportOptions& options, const CsvTable& csv,
                     const rules::GemeenteTable& table) {
  const auto fail = [](const std::string& message, int code) {
    std::cerr << "iwmo-gateway import: " << message << "\n";
    return code;
  };
  const auto report = [&](const reference_data::RowProblems& problems) {
    for (const auto& p : problems.shown) std::cerr << p << "\n";
    if (problems.count > problems.shown.size()) std::cerr << "... and " << problems.count - problems.shown.size() << " more\n";
    return fail(std::to_string(problems.count) + " bad row(s) in " + options.file.string() +
                    "; nothing imported. Fix them and import the whole file again.",
                1);
  };
  reference_data::RowProblems problems;
  auto rows = reference_data::checkCakPeriodRows(csv, options.file.string(), table, config.own_gemeente, problems);
  if (!rows) return fail(rows.status().message(), 1);
  if (problems.count > 0) return report(problems);

  const fs::path journal_file = options.journal.empty() ? config.journalFile() : options.journal;
  std::error_code ec;
  fs::create_directories(journal_file.parent_path(), ec);
  auto lock = lockJournalDirectory(journal_file);
  if (!lock) return fail(lock.status().message(), 2);
  auto journal = journal::SqliteJournal::open(journal_file, {});
  if (!journal) return fail(journal.status().message(), 2);
  journal::EbStore& store = (*journal)->eb();
  auto states = reference_data::withImportedPeriods(
      *rows, options.file.string(), [&](const std::string& bsn) { return store.clientState(bsn); }, problems);
  if (!states) return fail(states.status().message() + "; nothing imported", 2);
  if (problems.count > 0) return report(problems);
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  if (Status stored = store.storeImportedStates(*states, Timestamp{now.count()}); !stored.isOk()) {
    return fail(stored.message() + "; nothing imported", 2);
  }
  std::cout << "imported " << rows->size() << " CAK period(s) of " << states->size() << " client(s) from "
            << options.file.string() << " into " << journal_file.string()
            << "; the gateway's messages for these clients now change these records (StatusAanlevering 2) "
               "instead of starting new ones\n";
  ::close(*lock);
  return 0;
}

}  // namespace

int runImport(const config::Config& config, const ImportOptions& options) {
  const auto fail = [](const std::string& message, int code) {
    std::cerr << "iwmo-gateway import: " << message << "\n";
    return code;
  };
  const auto kind = reference_data::referenceKindNamed(options.kind);
  if (!kind && options.kind != "cak-periods") {
    return fail("unknown data set '" + options.kind + "'; import brp, institutions, episodes, regions or cak-periods", 2);
  }
  std::ifstream in(options.file, std::ios::binary);
  if (!in) return fail("cannot read " + options.file.string(), 2);
  std::ostringstream text;
  text << in.rdbuf();
  auto csv = CsvTable::parse(text.str(), options.file.string());
  if (!csv) return fail(csv.status().message(), 1);
  auto table = loadGemeenteTable(config);
  if (!table) return fail(table.status().message(), 2);
  if (!kind) return importCakPeriods(config, options, *csv, *table);

  reference_data::RowProblems problems;
  auto rows = reference_data::checkReferenceRows(*kind, *csv, options.file.string(), *table, problems);
  if (!rows) return fail(rows.status().message(), 1);
  if (problems.count > 0) {
    for (const auto& p : problems.shown) std::cerr << p << "\n";
    if (problems.count > problems.shown.size()) {
      std::cerr << "... and " << problems.count - problems.shown.size() << " more\n";
    }
    return fail(std::to_string(problems.count) + " bad row(s) in " + options.file.string() +
                    "; nothing imported. Fix them and import the whole file again.",
                1);
  }

  const fs::path journal_file = options.journal.empty() ? config.journalFile() : options.journal;
  std::error_code ec;
  fs::create_directories(journal_file.parent_path(), ec);
  // Creates the journal, or upgrades an older one.
  auto journal = journal::SqliteJournal::open(journal_file, {});
  if (!journal) return fail(journal.status().message(), 2);
  const std::size_t count = rows->count;
  if (Status stored = reference_data::storeReferenceRows(*kind, std::move(*rows), (*journal)->reference()); !stored.isOk()) {
    return fail(stored.message() + "; nothing imported", 2);
  }
  std::cout << "imported " << count << " " << options.kind << " row(s) from " << options.file.string() << " into "
            << journal_file.string() << " (replacing the previous " << options.kind << " data)";
  if (*kind == reference_data::ReferenceKind::kRegions) {
    std::cout << "; a running daemon reads regions per message, no restart needed";
  }
  std::cout << "\n";
  return 0;
}

int runReview(const config::Config& config, const ReviewOptions& options) {
  auto journal = openOperatorJournal(config, options.journal);
  if (!journal) {
    std::cerr << "iwmo-gateway review: " << journal.status().message() << "\n";
    return 2;
  }
  journal::ReviewStore& store = (*journal)->reviews();
  if (options.action == "done") {
    auto done = store.resolveReview(options.message_id, options.note, SystemClock().now());
    if (!done) {
      std::cerr << "iwmo-gateway review: " << done.status().message() << "\n";
      return 2;
    }
    if (!*done) {
      std::cerr << "iwmo-gateway review: message #" << options.message_id
                << " has no open review (see `iwmo-gateway review list --all`)\n";
      return 1;
    }
    std::cout << "review of message #" << options.message_id << " closed\n";
    return 0;
  }
  auto reviews = store.reviews(options.all);
  if (!reviews) {
    std::cerr << "iwmo-gateway review: " << reviews.status().message() << "\n";
    return 2;
  }
  if (options.json) {
    for (const auto& r : *reviews) {
      nlohmann::ordered_json line;
      line["message_id"] = r.message_id;
      line["at"] = r.at.toIso8601();
      line["message_type"] = r.message_type;
      line["addressed"] = r.addressed;
      line["responsible"] = r.responsible.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(r.responsible);
      line["rule"] = r.rule;
      line["flags"] = r.flags;
      line["state"] = r.state;
      line["summary"] = r.summary;
      if (!r.note.empty()) line["note"] = r.note;
      std::cout << line.dump() << "\n";
    }
    return 0;
  }
  if (reviews->empty()) {
    std::cout << (options.all ? "the responsibility-review queue is empty\n" : "no open responsibility reviews\n");
    return 0;
  }
  std::printf("%-8s %-7s %-9s %-11s %-24s %-12s %s\n", "message", "type", "addressed", "responsible", "rule", "flags", "state");
  for (const auto& r : *reviews) {
    std::printf("%-8s %-7s %-9s %-11s %-24s %-12s %s\n", ("#" + std::to_string(r.message_id)).c_str(),
                r.message_type.c_str(), r.addressed.c_str(), r.responsible.empty() ? "?" : r.responsible.c_str(),
                r.rule.c_str(), r.flags.empty() ? "-" : r.flags.c_str(), r.state.c_str());
  }
  std::cout << "\n`iwmo-gateway explain ID` shows the trail; `iwmo-gateway review done ID --note TEXT` closes one.\n";
  return 0;
}

}  // namespace iwmo::cli
