// The CAK's periods on adoption day (`import cak-periods`, issue 17): every row checked with its
// line, all or nothing, no BSN echoed; then against the client's state in the journal.
#include "gateway/reference_data/cak_period_rows.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace {

using iwmo::CsvTable;
using iwmo::Result;
using iwmo::proto::EbClientState;
using iwmo::reference_data::checkCakPeriodRows;
using iwmo::reference_data::RowProblems;
using iwmo::reference_data::withImportedPeriods;

const iwmo::rules::GemeenteTable& table() {
  static const auto* loaded = [] {
    const auto file = iwmo::test::sourceDir() / "config/gemeenten.csv";
    auto parsed = iwmo::rules::GemeenteTable::parse(iwmo::test::readFile(file), file.string());
    REQUIRE(parsed);
    return new iwmo::rules::GemeenteTable(std::move(*parsed));
  }();
  return *loaded;
}

CsvTable csvOf(const std::string& text) {
  auto csv = CsvTable::parse(text, "cak.csv");
  REQUIRE(csv);
  return std::move(*csv);
}

std::string joined(const RowProblems& problems) {
  std::string all;
  for (const auto& p : problems.shown) all += p + "\n";
  return all;
}

const char* const kHeader = "bsn,kind,afzender,start_nummer,startdatum,stopdatum,kostprijs_bedrag,kostprijs_startdatum\n";

}  // namespace

TEST_CASE("cak periods: good rows become accepted, imported periods of each client", "[reference_data][import]") {
  RowProblems problems;
  auto rows = checkCakPeriodRows(csvOf(std::string(kHeader) +
                                       "999948714,AT,0599,7001,2025-03-01,,412500,2025-03-01\n"
                                       "999948714,BW,0599,7002,2025-09-01,,,\n"
                                       "999990007,AT,0599,15,2024-01-01,2025-12-31,,\n"),
                                 "cak.csv", table(), {"0599"}, problems);
  REQUIRE(rows);
  INFO(joined(problems));
  REQUIRE(problems.count == 0);
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].record.kostprijs_bedrag() == 412500);
  CHECK((*rows)[2].record.stopdatum() == "2025-12-31");

  // Against a journal where one client already has a BW period of the gateway's own, elsewhere.
  EbClientState known;
  known.set_looked_up(true);
  auto& own = *known.add_periods();
  own.set_kind("BW");
  own.set_afzender("0599");
  own.set_start_nummer(41);
  own.set_startdatum("2023-01-01");
  own.set_stopdatum("2023-12-31");
  auto states = withImportedPeriods(
      *rows, "cak.csv",
      [&](const std::string& bsn) -> Result<EbClientState> {
        if (bsn == "999948714") return known;
        return EbClientState{};
      },
      problems);
  REQUIRE(states);
  CHECK(problems.count == 0);
  REQUIRE(states->size() == 2);
  const EbClientState& first = states->at("999948714");
  REQUIRE(first.periods_size() == 3);
  const auto& at = first.periods(1);
  CHECK(at.start_nummer() == 7001);
  CHECK(at.has_imported_as());
  CHECK(at.sent());
  CHECK(at.last_answer() == "accepted");
  CHECK(at.last_sent().status_aanlevering() == "1");
  CHECK(at.kostprijs_bedrag() == 412500);
  CHECK(states->at("999990007").periods(0).stopdatum() == "2025-12-31");
}

TEST_CASE("cak periods: every bad row is named with its line, and no BSN is shown", "[reference_data][import]") {
  RowProblems problems;
  auto rows = checkCakPeriodRows(csvOf(std::string(kHeader) +
                                       "999948713,AT,0599,1,2025-03-01,,,\n"          // 2: elfproef
                                       "999948714,XY,0599,2,2025-03-01,,,\n"          // 3: kind
                                       "999948714,AT,0363,3,2025-03-01,,,\n"          // 4: not ours
                                       "999948714,AT,0599,0,2025-03-01,,,\n"          // 5: number
                                       "999948714,AT,0599,4,2025-03-01,2025-02-01,,\n"  // 6: stop before start
                                       "999948714,BW,0599,5,2025-03-01,,100,2025-03-01\n"  // 7: BW kostprijs
                                       "999948714,AT,0599,6,2024-01-01,2024-12-31,100,\n"  // 8: half a kostprijs
                                       "999990007,AT,0599,9,2025-01-01,,,\n"
                                       "999990007,AT,0599,9,2026-01-01,,,\n"          // 10: same key
                                       "999990007,AT,0599,10,2025-06-01,,,\n"),       // 11: shares days
                                 "cak.csv", table(), {"0599"}, problems);
  REQUIRE(rows);
  const std::string all = joined(problems);
  INFO(all);
  CHECK(problems.count == 9);  // one per bad row
  CHECK_THAT(all, Catch::Contains("cak.csv:2: bsn fails the elfproef"));
  CHECK_THAT(all, Catch::Contains("cak.csv:3: kind 'XY' must be AT (WMO405) or BW (WMO407)"));
  CHECK_THAT(all, Catch::Contains("cak.csv:4: afzender 0363 is not a municipality this gateway serves"));
  CHECK_THAT(all, Catch::Contains("cak.csv:5: start_nummer '0' is not the EbStartNummer"));
  CHECK_THAT(all, Catch::Contains("cak.csv:6: end 2025-02-01 is before begin 2025-03-01"));
  CHECK_THAT(all, Catch::Contains("cak.csv:7: a BW period has no kostprijs"));
  CHECK_THAT(all, Catch::Contains("cak.csv:8: kostprijs_bedrag and kostprijs_startdatum go together"));
  CHECK_THAT(all, Catch::Contains("cak.csv:10: start_nummer 9 is on line 9 too, for the same client"));
  CHECK_THAT(all, Catch::Contains("cak.csv:11: this AT period 10 (2025-06-01 .. open) shares days with the AT period 9"));
  CHECK(all.find("99994871") == std::string::npos);
  CHECK(all.find("99999000") == std::string::npos);
  // One start number is one period of the client, whatever the municipality.
  RowProblems shared;
  REQUIRE(checkCakPeriodRows(csvOf(std::string(kHeader) + "999948714,AT,0599,12,2025-03-01,,,\n"
                                                           "999948714,BW,0363,12,2025-03-01,,,\n"
                                                           "999990007,AT,0599,13,2019-12-01,,,\n"),
                             "cak.csv", table(), {}, shared));
  CHECK(shared.count == 2);
  CHECK_THAT(joined(shared), Catch::Contains("cak.csv:3: start_nummer 12 is on line 2 too, for the same client"));
  CHECK_THAT(joined(shared), Catch::Contains("cak.csv:4: startdatum 2019-12-01 lies before 2020-01-01"));
  // A missing column is refused as a whole.
  CHECK_FALSE(checkCakPeriodRows(csvOf("bsn,kind,afzender,startdatum\n999948714,AT,0599,2025-03-01\n"), "cak.csv",
                                 table(), {"0599"}, problems));
}

TEST_CASE("cak periods: a row that the journal already holds, or that overlaps its period, is bad",
          "[reference_data][import]") {
  RowProblems problems;
  auto rows = checkCakPeriodRows(csvOf(std::string(kHeader) + "999948714,AT,0599,7001,2025-03-01,,,\n"
                                                               "999990007,AT,0599,7002,2025-03-01,,,\n"),
                                 "cak.csv", table(), {"0599"}, problems);
  REQUIRE(rows);
  REQUIRE(problems.count == 0);
  auto states = withImportedPeriods(*rows, "cak.csv", [](const std::string&) { return EbClientState{}; }, problems);
  REQUIRE(states);
  // The same file again: each row is already there.
  auto again = withImportedPeriods(
      *rows, "cak.csv", [&](const std::string& bsn) -> Result<EbClientState> { return states->at(bsn); }, problems);
  REQUIRE(again);
  CHECK(problems.count == 2);
  CHECK_THAT(joined(problems), Catch::Contains("cak.csv:2: the journal already holds AT period 7001 for this client "
                                               "(imported before)"));
  // A period the gateway reported itself that shares days with the row.
  RowProblems overlap;
  EbClientState reported;
  auto& period = *reported.add_periods();
  period.set_kind("AT");
  period.set_afzender("0599");
  period.set_start_nummer(51);
  period.set_sent(true);
  period.mutable_last_sent()->set_startdatum("2026-01-01");
  auto refused = withImportedPeriods(*rows, "cak.csv", [&](const std::string&) { return reported; }, overlap);
  REQUIRE(refused);
  CHECK(overlap.count == 2);
  CHECK_THAT(joined(overlap), Catch::Contains("cak.csv:3: this AT period 7002 (2025-03-01 .. open) shares days with AT "
                                              "period 51 (2026-01-01 .. open, reported by the gateway)"));
}
