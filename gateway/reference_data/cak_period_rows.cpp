#include "gateway/reference_data/cak_period_rows.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "gateway/base/date.h"
#include "gateway/reference_data/row_checker.h"

namespace iwmo::reference_data {
namespace {

// Whether two periods share a day (a stop is the last day; "" = open). Dates are checked ones.
bool shareADay(const std::string& start_a, const std::string& stop_a, const std::string& start_b,
               const std::string& stop_b) {
  return (stop_b.empty() || start_a <= stop_b) && (stop_a.empty() || start_b <= stop_a);
}

// A start number for a message; one of 8 or more digits only by its length (it could be a BSN in
// the wrong column).
std::string nummerText(std::uint64_t nummer) {
  const std::string digits = std::to_string(nummer);
  if (digits.size() >= 8) return "(" + std::to_string(digits.size()) + " digits, not shown)";
  return digits;
}

std::string periodText(const proto::EbRecord& record) {
  return record.kind() + " period " + nummerText(record.start_nummer()) + " (" + record.startdatum() + " .. " +
         (record.stopdatum().empty() ? std::string("open") : record.stopdatum()) + ")";
}

void addProblem(RowProblems& problems, const std::string& file, std::size_t line, const std::string& what) {
  ++problems.count;
  if (problems.shown.size() < kMaxReported) problems.shown.push_back(file + ":" + std::to_string(line) + ": " + what);
}

std::optional<std::uint64_t> number(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::uint64_t value = std::stoull(text);
  if (value == 0) return std::nullopt;
  return value;
}

}  // namespace

Result<std::vector<CakPeriodRow>> checkCakPeriodRows(const CsvTable& csv, const std::string& file,
                                                     const rules::GemeenteTable& table,
                                                     const std::vector<std::string>& own_gemeente,
                                                     RowProblems& problems) {
  if (Status columns = csv.requireColumns({"bsn", "kind", "afzender", "start_nummer", "startdatum"}); !columns.isOk()) {
    return columns;
  }
  RowChecker check(file, table);
  std::vector<CakPeriodRow> rows;
  for (const CsvTable::Row& row : csv.rows()) {
    CakPeriodRow out;
    out.line = row.line;
    proto::EbRecord& record = out.record;
    record.set_status_aanlevering("1");
    record.set_bsn(check.bsn(row.line, field(csv, row, "bsn")));
    const std::string kind = field(csv, row, "kind");
    if (kind != "AT" && kind != "BW") {
      check.problem(row.line, "kind " + RowChecker::shown(kind) + " must be AT (WMO405) or BW (WMO407)");
    }
    record.set_kind(kind);
    out.afzender = check.gemeente(row.line, "afzender", field(csv, row, "afzender"));
    if (!own_gemeente.empty() && table.find(out.afzender) &&
        std::find(own_gemeente.begin(), own_gemeente.end(), out.afzender) == own_gemeente.end()) {
      std::string served;
      for (const auto& code : own_gemeente) served += (served.empty() ? "" : ", ") + code;
      check.problem(row.line, "afzender " + out.afzender + " is not a municipality this gateway serves (gateway.own_gemeente = " +
                                  served + "); import only the periods this gateway reports");
    }
    const std::string start_text = field(csv, row, "start_nummer");
    const auto start_nummer = number(start_text);
    if (!start_nummer) {
      check.problem(row.line, "start_nummer " + RowChecker::shown(start_text) +
                                  " is not the EbStartNummer the CAK holds (digits, not 0)");
    }
    record.set_start_nummer(start_nummer.value_or(0));
    const auto start = check.date(row.line, "startdatum", field(csv, row, "startdatum"), false);
    const auto stop = check.date(row.line, "stopdatum", field(csv, row, "stopdatum"), true);
    check.order(row.line, start, stop, false);
    if (start && *start < Date::fromYmd(2020, 1, 1)) {
      check.problem(row.line, "startdatum " + start->toString() + " lies before 2020-01-01: the CAK holds no iEb period "
                              "from before then (CS332); check the export");
    }
    if (start) record.set_startdatum(start->toString());
    if (stop) record.set_stopdatum(stop->toString());
    const std::string bedrag = field(csv, row, "kostprijs_bedrag");
    const std::string kostprijs_start = field(csv, row, "kostprijs_startdatum");
    if (!bedrag.empty() || !kostprijs_start.empty()) {
      if (kind == "BW") {
        check.problem(row.line, "a BW period has no kostprijs (WMO407 carries none); leave kostprijs_bedrag and "
                                "kostprijs_startdatum empty");
      } else if (bedrag.empty() || kostprijs_start.empty()) {
        check.problem(row.line, "kostprijs_bedrag and kostprijs_startdatum go together; give both or neither");
      } else {
        const bool digits = bedrag.size() <= 12 && bedrag.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) check.problem(row.line, "kostprijs_bedrag " + RowChecker::shown(bedrag) + " is not an amount in eurocent");
        const auto from = check.date(row.line, "kostprijs_startdatum", kostprijs_start, false);
        if (from && start && *from < *start) {
          check.problem(row.line, "kostprijs_startdatum " + from->toString() + " lies before startdatum " + start->toString());
        }
        if (digits && from) {
          record.set_has_kostprijs(true);
          record.set_kostprijs_bedrag(std::stoull(bedrag));
          record.set_kostprijs_startdatum(from->toString());
        }
      }
    }
    rows.push_back(std::move(out));
  }
  // One key per line (TR404), and no two periods of one client, kind and municipality that share a day.
  // Compared within each client only (an adoption-day file holds thousands of clients). A start
  // number is one period of the client, whatever the municipality: the gateway finds a period's
  // items by client and number.
  std::map<std::string, std::vector<std::size_t>> earlier_rows;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CakPeriodRow& a = rows[i];
    if (a.record.startdatum().empty()) continue;
    std::vector<std::size_t>& same_client = earlier_rows[a.record.bsn()];
    same_client.push_back(i);
    for (std::size_t j : same_client) {
      if (j == i) break;
      const CakPeriodRow& b = rows[j];
      if (a.record.start_nummer() == b.record.start_nummer()) {
        check.problem(a.line, "start_nummer " + nummerText(a.record.start_nummer()) + " is on line " +
                                  std::to_string(b.line) + " too, for the same client (TR404: one record per "
                                  "EbStartNummer)");
        break;
      }
      if (a.afzender == b.afzender && a.record.kind() == b.record.kind() &&
                 shareADay(a.record.startdatum(), a.record.stopdatum(), b.record.startdatum(), b.record.stopdatum())) {
        check.problem(a.line, "this " + periodText(a.record) + " shares days with the " + periodText(b.record) +
                                  " of line " + std::to_string(b.line) + " for the same client and afzender; the CAK "
                                  "holds one period at a time: check the export");
        break;
      }
    }
  }
  RowProblems found = check.take();
  problems.count += found.count;
  for (auto& shown : found.shown) {
    if (problems.shown.size() < kMaxReported) problems.shown.push_back(std::move(shown));
  }
  return rows;
}

Result<std::map<std::string, proto::EbClientState>> withImportedPeriods(
    const std::vector<CakPeriodRow>& rows, const std::string& file,
    const std::function<Result<proto::EbClientState>(const std::string& bsn)>& stateOf, RowProblems& problems) {
  std::map<std::string, proto::EbClientState> states;
  for (const CakPeriodRow& row : rows) {
    auto found = states.find(row.record.bsn());
    if (found == states.end()) {
      Result<proto::EbClientState> state = stateOf(row.record.bsn());
      if (!state) return state.status();
      found = states.emplace(row.record.bsn(), std::move(*state)).first;
    }
    proto::EbClientState& state = found->second;
    bool conflict = false;
    for (const proto::EbPeriodState& period : state.periods()) {
      const std::string origin = period.has_imported_as() ? "imported before" : "reported by the gateway";
      if (period.start_nummer() == row.record.start_nummer()) {
        addProblem(problems, file, row.line, "the journal already holds " + period.kind() + " period " +
                                                 nummerText(period.start_nummer()) + " for this client (" + origin +
                                                 "); a file is imported once, and only rows that are not there yet");
        conflict = true;
        break;
      }
      if (period.afzender() != row.afzender) continue;
      const std::string start = period.sent() ? period.last_sent().startdatum() : period.startdatum();
      const std::string stop = period.sent() ? period.last_sent().stopdatum() : period.stopdatum();
      if (period.kind() == row.record.kind() && !period.deleted() && !start.empty() &&
          shareADay(row.record.startdatum(), row.record.stopdatum(), start, stop)) {
        addProblem(problems, file, row.line, "this " + periodText(row.record) + " shares days with " + period.kind() +
                                                 " period " + nummerText(period.start_nummer()) + " (" + start +
                                                 " .. " + (stop.empty() ? "open" : stop) + ", " + origin +
                                                 ") of this client; correct one of them with the CAK first");
        conflict = true;
        break;
      }
    }
    if (conflict) continue;
    proto::EbPeriodState& period = *state.add_periods();
    period.set_kind(row.record.kind());
    period.set_afzender(row.afzender);
    period.set_start_nummer(row.record.start_nummer());
    period.set_startdatum(row.record.startdatum());
    period.set_stopdatum(row.record.stopdatum());
    if (row.record.has_kostprijs()) {
      period.set_has_kostprijs(true);
      period.set_kostprijs_bedrag(row.record.kostprijs_bedrag());
      period.set_kostprijs_startdatum(row.record.kostprijs_startdatum());
    }
    period.set_sent(true);
    *period.mutable_last_sent() = row.record;
    period.set_last_answer("accepted");
    *period.mutable_imported_as() = row.record;
    state.set_looked_up(true);
    state.set_bsn(row.record.bsn());
  }
  return states;
}

}  // namespace iwmo::reference_data
