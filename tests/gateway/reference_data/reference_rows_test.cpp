// Reference data rows (gateway/reference_data): every row checked, all or nothing, and a BSN
// never echoed in a problem; against the project's own municipality table (config/gemeenten.csv).
#include "gateway/reference_data/reference_rows.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace {

using iwmo::CsvTable;
using iwmo::reference_data::checkReferenceRows;
using iwmo::reference_data::ReferenceKind;
using iwmo::reference_data::RowProblems;

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
  auto csv = CsvTable::parse(text, "rows.csv");
  REQUIRE(csv);
  return std::move(*csv);
}

}  // namespace

TEST_CASE("reference rows: good BRP periods are kept in order with their count", "[reference_data]") {
  RowProblems problems;
  auto rows = checkReferenceRows(ReferenceKind::kBrp,
                                 csvOf("bsn,gemeente,begin,end,kind,address\n"
                                       "999990007,0599,2020-01-01,2024-01-01,woonadres,Coolsingel 40\n"
                                       "999990007,0363,2024-01-01,,woonadres,Amstel 1\n"),
                                 "rows.csv", table(), problems);
  REQUIRE(rows);
  CHECK(problems.count == 0);
  CHECK(rows->count == 2);
  REQUIRE(rows->brp.size() == 2);
  CHECK(rows->brp[1].period.gemeente() == "0363");
  CHECK(rows->brp[1].period.end().empty());
}

TEST_CASE("reference rows: overlapping BRP periods of one client name both lines, never the BSN", "[reference_data]") {
  RowProblems problems;
  auto rows = checkReferenceRows(ReferenceKind::kBrp,
                                 csvOf("bsn,gemeente,begin,end,kind,address\n"
                                       "999990007,0599,2020-01-01,2024-06-01,woonadres,a\n"
                                       "999990007,0363,2024-01-01,,woonadres,b\n"
                                       "999990008,0599,2020-01-01,,woonadres,c\n"),
                                 "rows.csv", table(), problems);
  REQUIRE(rows);
  REQUIRE(problems.count == 2);
  CHECK(problems.shown[0] == "rows.csv:4: bsn fails the elfproef (the BSN check); check the export");
  CHECK(problems.shown[1].rfind("rows.csv:3: this period (from 2024-01-01) overlaps the period of line 2", 0) == 0);
  for (const auto& problem : problems.shown) CHECK(problem.find("99999000") == std::string::npos);
}

TEST_CASE("reference rows: a region lists each member once and has one mandate", "[reference_data]") {
  RowProblems problems;
  auto rows = checkReferenceRows(ReferenceKind::kRegions,
                                 csvOf("centrumgemeente,member,mandate\n"
                                       "0599,0599,yes\n"
                                       "0599,0597,\n"
                                       "0599,0597,no\n"),
                                 "regions.csv", table(), problems);
  REQUIRE(rows);
  CHECK(problems.count == 2);
  CHECK(problems.shown[0].find("regions.csv:4: member 0597 is already listed on line 3") == 0);
  CHECK(problems.shown[1].find("regions.csv:4: mandate differs from line 2") == 0);
}

TEST_CASE("reference rows: a missing column is an error, not a row problem", "[reference_data]") {
  RowProblems problems;
  auto rows = checkReferenceRows(ReferenceKind::kInstitutions, csvOf("address,type\nX,beschermd-wonen\n"),
                                 "institutions.csv", table(), problems);
  REQUIRE_FALSE(rows);
  CHECK(rows.status().message().find("from") != std::string::npos);
}
