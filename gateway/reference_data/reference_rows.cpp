#include "gateway/reference_data/reference_rows.h"

#include <algorithm>
#include <map>
#include <utility>

#include "gateway/base/date.h"
#include "gateway/reference_data/row_checker.h"

namespace iwmo::reference_data {
namespace {

// A row's client, municipality and period (bsn, gemeente, begin, end), each checked; the end is
// optional, and exclusive for BRP periods (the first day of the next one).
struct ClientPeriod {
  std::string bsn;
  std::string gemeente;
  std::string begin;
  std::string end;
};

ClientPeriod clientPeriod(const CsvTable& csv, const CsvTable::Row& row, RowChecker& check, bool end_exclusive) {
  ClientPeriod period;
  period.bsn = check.bsn(row.line, field(csv, row, "bsn"));
  period.gemeente = check.gemeente(row.line, "gemeente", field(csv, row, "gemeente"));
  period.begin = field(csv, row, "begin");
  period.end = field(csv, row, "end");
  const auto begin = check.date(row.line, "begin", period.begin, false);
  const auto end = check.date(row.line, "end", period.end, true);
  check.order(row.line, begin, end, end_exclusive);
  return period;
}

Status checkBrp(const CsvTable& csv, RowChecker& check, ReferenceRows& rows) {
  std::vector<std::size_t> brp_lines;
  IWMO_RETURN_IF_ERROR(csv.requireColumns({"bsn", "gemeente", "begin", "end", "kind", "address"}));
  for (const auto& row : csv.rows()) {
    const ClientPeriod period = clientPeriod(csv, row, check, /*end_exclusive=*/true);
    journal::BrpRow out;
    out.bsn = period.bsn;
    out.period.set_gemeente(period.gemeente);
    out.period.set_begin(period.begin);
    out.period.set_end(period.end);
    const std::string kind = field(csv, row, "kind");
    if (kind != "woonadres" && kind != "briefadres") {
      check.problem(row.line, "kind " + RowChecker::shown(kind) + " must be woonadres or briefadres");
    }
    out.period.set_kind(kind);
    out.period.set_address(field(csv, row, "address"));
    rows.brp.push_back(std::move(out));
    brp_lines.push_back(row.line);
  }
  // Periods of one client must not overlap (the BRP has one verblijfplaats at a time).
  std::map<std::string, std::vector<std::size_t>> by_bsn;
  for (std::size_t i = 0; i < rows.brp.size(); ++i) by_bsn[rows.brp[i].bsn].push_back(i);
  for (auto& [bsn, indexes] : by_bsn) {
    std::sort(indexes.begin(), indexes.end(), [&](std::size_t a, std::size_t b) {
      return rows.brp[a].period.begin() < rows.brp[b].period.begin();
    });
    for (std::size_t k = 1; k < indexes.size(); ++k) {
      const auto& before = rows.brp[indexes[k - 1]].period;
      const auto& after = rows.brp[indexes[k]].period;
      if (before.end().empty() || before.end() > after.begin()) {
        check.problem(brp_lines[indexes[k]], "this period (from " + after.begin() + ") overlaps the period of line " +
                                                 std::to_string(brp_lines[indexes[k - 1]]) +
                                                 " of the same client (which ends " +
                                                 (before.end().empty() ? std::string("never") : before.end()) + ")");
      }
    }
  }
  rows.count = rows.brp.size();
  return Status::ok();
}

Status checkInstitutions(const CsvTable& csv, RowChecker& check, ReferenceRows& rows) {
  IWMO_RETURN_IF_ERROR(csv.requireColumns({"address", "type", "from", "to"}));
  for (const auto& row : csv.rows()) {
    proto::InstitutionRecord out;
    out.set_address(check.required(row.line, "address", field(csv, row, "address")));
    out.set_type(check.required(row.line, "type", field(csv, row, "type")));
    const auto from = check.date(row.line, "from", field(csv, row, "from"), false);
    const auto to = check.date(row.line, "to", field(csv, row, "to"), true);
    check.order(row.line, from, to, false);
    out.set_from(field(csv, row, "from"));
    out.set_to(field(csv, row, "to"));
    rows.institutions.push_back(std::move(out));
  }
  rows.count = rows.institutions.size();
  return Status::ok();
}

Status checkEpisodes(const CsvTable& csv, RowChecker& check, ReferenceRows& rows) {
  IWMO_RETURN_IF_ERROR(csv.requireColumns({"bsn", "gemeente", "begin", "end"}));
  for (const auto& row : csv.rows()) {
    const ClientPeriod period = clientPeriod(csv, row, check, /*end_exclusive=*/false);
    journal::EpisodeRow out;
    out.bsn = period.bsn;
    out.episode.set_gemeente(period.gemeente);
    out.episode.set_begin(period.begin);
    out.episode.set_end(period.end);
    rows.episodes.push_back(std::move(out));
  }
  rows.count = rows.episodes.size();
  return Status::ok();
}

Status checkRegions(const CsvTable& csv, RowChecker& check, ReferenceRows& rows) {
  std::map<std::string, proto::RegionRecord> regions;
  std::map<std::string, std::pair<std::string, std::size_t>> member_line;  // member -> (centrum, line)
  std::map<std::string, std::pair<bool, std::size_t>> mandate_line;        // centrum -> (mandate, line)
  IWMO_RETURN_IF_ERROR(csv.requireColumns({"centrumgemeente", "member"}));
  for (const auto& row : csv.rows()) {
    const std::string centrum = check.gemeente(row.line, "centrumgemeente", field(csv, row, "centrumgemeente"));
    const std::string member = check.gemeente(row.line, "member", field(csv, row, "member"));
    const std::string mandate = field(csv, row, "mandate");
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
  for (auto& [name, region] : regions) {
    rows.count += static_cast<std::size_t>(region.members_size());
    rows.regions.push_back(std::move(region));
  }
  return Status::ok();
}

}  // namespace

std::string_view nameOf(ReferenceKind kind) {
  switch (kind) {
    case ReferenceKind::kBrp:
      return "brp";
    case ReferenceKind::kInstitutions:
      return "institutions";
    case ReferenceKind::kEpisodes:
      return "episodes";
    case ReferenceKind::kRegions:
      break;
  }
  return "regions";
}

std::optional<ReferenceKind> referenceKindNamed(std::string_view name) {
  for (ReferenceKind kind : {ReferenceKind::kBrp, ReferenceKind::kInstitutions, ReferenceKind::kEpisodes,
                             ReferenceKind::kRegions}) {
    if (name == nameOf(kind)) return kind;
  }
  return std::nullopt;
}

Result<ReferenceRows> checkReferenceRows(ReferenceKind kind, const CsvTable& csv, const std::string& file,
                                         const rules::GemeenteTable& table, RowProblems& problems) {
  RowChecker check(file, table);
  ReferenceRows rows;
  Status checked;
  switch (kind) {
    case ReferenceKind::kBrp:
      checked = checkBrp(csv, check, rows);
      break;
    case ReferenceKind::kInstitutions:
      checked = checkInstitutions(csv, check, rows);
      break;
    case ReferenceKind::kEpisodes:
      checked = checkEpisodes(csv, check, rows);
      break;
    case ReferenceKind::kRegions:
      checked = checkRegions(csv, check, rows);
      break;
  }
  if (!checked.isOk()) return checked;
  problems = check.take();
  return rows;
}

Status storeReferenceRows(ReferenceKind kind, ReferenceRows rows, journal::ReferenceStore& store) {
  switch (kind) {
    case ReferenceKind::kBrp:
      return store.replaceBrp(rows.brp);
    case ReferenceKind::kInstitutions:
      return store.replaceInstitutions(rows.institutions);
    case ReferenceKind::kEpisodes:
      return store.replaceImportedEpisodes(rows.episodes);
    case ReferenceKind::kRegions:
      break;
  }
  return store.replaceRegions(rows.regions);
}

}  // namespace iwmo::reference_data
