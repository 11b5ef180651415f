#include "gateway/cli/import_command.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/base/bsn.h"
#include "gateway/base/csv.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_journal.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxReported = 50;

class RowChecker {
 public:
  RowChecker(const std::string& file, const rules::GemeenteTable& table) : file_(file), table_(table) {}

  void problem(std::size_t line, const std::string& what) {
    ++count_;
    if (problems_.size() < kMaxReported) problems_.push_back(file_ + ":" + std::to_string(line) + ": " + what);
  }
  std::size_t count() const { return count_; }
  const std::vector<std::string>& problems() const { return problems_; }

  // Never echoes the value: an almost-right BSN is still a BSN (non-negotiable 5).
  std::string bsn(std::size_t line, const std::string& text) {
    if (isValidBsn(text)) return text;
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (digits && text.size() == 8) {
      problem(line, "bsn has 8 digits: a leading zero was probably lost (a spreadsheet does that); export it as text");
    } else if (digits && text.size() == 9) {
      problem(line, "bsn fails the elfproef (the BSN check); check the export");
    } else if (text.empty()) {
      problem(line, "bsn is empty");
    } else {
      problem(line, "bsn is not nine digits (" + std::to_string(text.size()) + " characters); are the columns in the right order?");
    }
    return text;
  }
  // A field's value for a message, unless it could be a BSN (8 or more digits): then only its length.
  static std::string shown(const std::string& text) {
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (digits && text.size() >= 8) return "(" + std::to_string(text.size()) + " digits, not shown)";
    return "'" + text + "'";
  }
  std::string gemeente(std::size_t line, const std::string& column, const std::string& text) {
    if (!table_.find(text)) {
      problem(line, column + " " + shown(text) + " is not a municipality code that ever existed (four-digit CBS code; 1999 = RNI)");
    }
    return text;
  }
  std::optional<Date> date(std::size_t line, const std::string& column, const std::string& text, bool optional) {
    if (text.empty() && optional) return std::nullopt;
    const auto parsed = Date::parse(text);
    if (!parsed) {
      problem(line, column + " " + shown(text) + " is not a date (YYYY-MM-DD)" + (optional ? "; leave it empty when open" : ""));
    }
    return parsed;
  }
  void order(std::size_t line, const std::optional<Date>& begin, const std::optional<Date>& end, bool end_exclusive) {
    if (begin && end && (end_exclusive ? *end <= *begin : *end < *begin)) {
      problem(line, "end " + end->toString() + " is " + (end_exclusive ? "not after" : "before") + " begin " +
                        begin->toString() + (end_exclusive ? " (a BRP period's end is the first day of the next period)" : ""));
    }
  }
  std::string required(std::size_t line, const std::string& column, const std::string& text) {
    if (text.empty()) problem(line, column + " is empty");
    return text;
  }

 private:
  std::string file_;
  const rules::GemeenteTable& table_;
  std::vector<std::string> problems_;
  std::size_t count_ = 0;
};

std::string field(const CsvTable& csv, const CsvTable::Row& row, const char* name) {
  const auto column = csv.column(name);
  return column ? row.fields[*column] : std::string();
}

}  // namespace

int runImport(const config::Config& config, const ImportOptions& options) {
  const auto fail = [](const std::string& message, int code) {
    std::cerr << "iwmo-gateway import: " << message << "\n";
    return code;
  };
  std::ifstream in(options.file, std::ios::binary);
  if (!in) return fail("cannot read " + options.file.string(), 2);
  std::ostringstream text;
  text << in.rdbuf();
  auto csv = CsvTable::parse(text.str(), options.file.string());
  if (!csv) return fail(csv.status().message(), 1);
  auto table = loadGemeenteTable(config);
  if (!table) return fail(table.status().message(), 2);

  RowChecker check(options.file.string(), *table);
  std::vector<journal::BrpRow> brp;
  std::vector<std::size_t> brp_lines;
  std::vector<proto::InstitutionRecord> institutions;
  std::vector<journal::EpisodeRow> episodes;
  std::map<std::string, proto::RegionRecord> regions;
  std::map<std::string, std::pair<std::string, std::size_t>> member_line;  // member -> (centrum, line)
  std::map<std::string, std::pair<bool, std::size_t>> mandate_line;        // centrum -> (mandate, line)
  if (options.kind == "brp") {
    if (Status s = csv->requireColumns({"bsn", "gemeente", "begin", "end", "kind", "address"}); !s.isOk()) return fail(s.message(), 1);
    for (const auto& row : csv->rows()) {
      journal::BrpRow out;
      out.bsn = check.bsn(row.line, field(*csv, row, "bsn"));
      out.period.set_gemeente(check.gemeente(row.line, "gemeente", field(*csv, row, "gemeente")));
      const auto begin = check.date(row.line, "begin", field(*csv, row, "begin"), false);
      const auto end = check.date(row.line, "end", field(*csv, row, "end"), true);
      check.order(row.line, begin, end, true);
      out.period.set_begin(field(*csv, row, "begin"));
      out.period.set_end(field(*csv, row, "end"));
      const std::string kind = field(*csv, row, "kind");
      if (kind != "woonadres" && kind != "briefadres") {
        check.problem(row.line, "kind " + RowChecker::shown(kind) + " must be woonadres or briefadres");
      }
      out.period.set_kind(kind);
      out.period.set_address(field(*csv, row, "address"));
      brp.push_back(std::move(out));
      brp_lines.push_back(row.line);
    }
    // Periods of one client must not overlap (the BRP has one verblijfplaats at a time).
    std::map<std::string, std::vector<std::size_t>> by_bsn;
    for (std::size_t i = 0; i < brp.size(); ++i) by_bsn[brp[i].bsn].push_back(i);
    for (auto& [bsn, rows] : by_bsn) {
      std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        return brp[a].period.begin() < brp[b].period.begin();
      });
      for (std::size_t k = 1; k < rows.size(); ++k) {
        const auto& before = brp[rows[k - 1]].period;
        const auto& after = brp[rows[k]].period;
        if (before.end().empty() || before.end() > after.begin()) {
          check.problem(brp_lines[rows[k]], "this period (from " + after.begin() + ") overlaps the period of line " +
                                                std::to_string(brp_lines[rows[k - 1]]) +
                                                " of the same client (which ends " +
                                                (before.end().empty() ? std::string("never") : before.end()) + ")");
        }
      }
    }
  } else if (options.kind == "institutions") {
    if (Status s = csv->requireColumns({"address", "type", "from", "to"}); !s.isOk()) return fail(s.message(), 1);
    for (const auto& row : csv->rows()) {
      proto::InstitutionRecord out;
      out.set_address(check.required(row.line, "address", field(*csv, row, "address")));
      out.set_type(check.required(row.line, "type", field(*csv, row, "type")));
      const auto from = check.date(row.line, "from", field(*csv, row, "from"), false);
      const auto to = check.date(row.line, "to", field(*csv, row, "to"), true);
      check.order(row.line, from, to, false);
      out.set_from(field(*csv, row, "from"));
      out.set_to(field(*csv, row, "to"));
      institutions.push_back(std::move(out));
    }
  } else if (options.kind == "episodes") {
    if (Status s = csv->requireColumns({"bsn", "gemeente", "begin", "end"}); !s.isOk()) return fail(s.message(), 1);
    for (const auto& row : csv->rows()) {
      journal::EpisodeRow out;
      out.bsn = check.bsn(row.line, field(*csv, row, "bsn"));
      out.episode.set_gemeente(check.gemeente(row.line, "gemeente", field(*csv, row, "gemeente")));
      const auto begin = check.date(row.line, "begin", field(*csv, row, "begin"), false);
      const auto end = check.date(row.line, "end", field(*csv, row, "end"), true);
      check.order(row.line, begin, end, false);
      out.episode.set_begin(field(*csv, row, "begin"));
      out.episode.set_end(field(*csv, row, "end"));
      episodes.push_back(std::move(out));
    }
  } else if (options.kind == "regions") {
    if (Status s = csv->requireColumns({"centrumgemeente", "member"}); !s.isOk()) return fail(s.message(), 1);
    for (const auto& row : csv->rows()) {
      const std::string centrum = check.gemeente(row.line, "centrumgemeente", field(*csv, row, "centrumgemeente"));
      const std::string member = check.gemeente(row.line, "member", field(*csv, row, "member"));
      const std::string mandate = field(*csv, row, "mandate");
      if (!mandate.empty() && mandate != "yes" && mandate != "no") {
        check.problem(row.line, "mandate " + RowChecker::shown(mandate) + " must be yes or no (empty = yes)");
      }
      // One region per member, one mandate per region: a contradiction would be decided silently.
      if (const auto seen = member_line.find(member); seen != member_line.end()) {
        check.problem(row.line, "member " + member + " is already listed on line " + std::to_string(seen->second.second) +
                                    " (region of " + seen->second.first + "); a municipality belongs to one BW region");
      } else {
        member_line[member] = {centrum, row.line};
      }
      const bool mandated = mandate != "no";
      if (const auto first = mandate_line.find(centrum); first != mandate_line.end() && first->second.first != mandated) {
        check.problem(row.line, "mandate differs from line " + std::to_string(first->second.second) +
                                    " of the same region (centrumgemeente " + centrum + "); give the region one value");
      } else if (first == mandate_line.end()) {
        mandate_line[centrum] = {mandated, row.line};
      }
      proto::RegionRecord& region = regions[centrum];
      region.set_centrumgemeente(centrum);
      region.add_members(member);
      region.set_mandate(mandated);
    }
  } else {
    return fail("unknown data set '" + options.kind + "'; import brp, institutions, episodes or regions", 2);
  }
  if (check.count() > 0) {
    for (const auto& p : check.problems()) std::cerr << p << "\n";
    if (check.count() > check.problems().size()) {
      std::cerr << "... and " << check.count() - check.problems().size() << " more\n";
    }
    return fail(std::to_string(check.count()) + " bad row(s) in " + options.file.string() +
                    "; nothing imported. Fix them and import the whole file again.",
                1);
  }

  const fs::path journal_file = options.journal.empty() ? config.journalFile() : options.journal;
  std::error_code ec;
  fs::create_directories(journal_file.parent_path(), ec);
  // Creates the journal, or upgrades an older one.
  auto journal = journal::SqliteJournal::open(journal_file, {});
  if (!journal) return fail(journal.status().message(), 2);
  journal::ReferenceStore& store = (*journal)->reference();
  Status stored;
  std::size_t count = 0;
  if (options.kind == "brp") {
    stored = store.replaceBrp(brp);
    count = brp.size();
  } else if (options.kind == "institutions") {
    stored = store.replaceInstitutions(institutions);
    count = institutions.size();
  } else if (options.kind == "episodes") {
    stored = store.replaceImportedEpisodes(episodes);
    count = episodes.size();
  } else {
    std::vector<proto::RegionRecord> list;
    for (auto& [centrum, region] : regions) {
      count += static_cast<std::size_t>(region.members_size());
      list.push_back(std::move(region));
    }
    stored = store.replaceRegions(list);
  }
  if (!stored.isOk()) return fail(stored.message() + "; nothing imported", 2);
  std::cout << "imported " << count << " " << options.kind << " row(s) from " << options.file.string() << " into "
            << journal_file.string() << " (replacing the previous " << options.kind << " data)";
  if (options.kind == "regions") std::cout << "; a running daemon reads regions per message, no restart needed";
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
