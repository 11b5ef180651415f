// `iwmo-gateway import` as an operator meets it: bad rows are named by line and nothing is
// imported; a BSN is never echoed, not even an almost-right one; contradictions in the region
// table and overlapping BRP periods are refused rather than decided silently.
#include <catch2/catch.hpp>

#include "support/daemon_process.h"
#include "support/test_support.h"

namespace {

struct Setup {
  iwmo::test::TempDir dir;
  std::filesystem::path config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  iwmo::test::CommandResult import(const std::string& kind, const std::string& csv) const {
    const auto file = dir.path() / (kind + ".csv");
    iwmo::test::writeFile(file, csv);
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " import " + kind + " " +
                                  iwmo::test::shellQuote(file.string()));
  }
};

}  // namespace

TEST_CASE("import: a bad BSN is reported by line and kind of mistake, never echoed", "[cli][import]") {
  Setup s;
  const auto result = s.import("brp",
                               "bsn,gemeente,begin,end,kind,address\n"
                               "99994871,0599,2020-01-01,,woonadres,A\n"     // leading zero lost
                               "999948715,0599,2020-01-01,,woonadres,B\n"    // fails the elfproef
                               "0599,999948714,2020-01-01,,woonadres,C\n");  // columns swapped
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("brp.csv:2: bsn has 8 digits"));
  CHECK_THAT(result.err, Catch::Contains("brp.csv:3: bsn fails the elfproef"));
  CHECK_THAT(result.err, Catch::Contains("brp.csv:4: bsn is not nine digits"));
  CHECK_THAT(result.err, Catch::Contains("brp.csv:4: gemeente (9 digits, not shown)"));
  CHECK_THAT(result.err, Catch::Contains("nothing imported"));
  for (const char* bsn : {"99994871", "999948715", "999948714"}) {
    INFO(bsn);
    CHECK(result.err.find(bsn) == std::string::npos);
    CHECK(result.out.find(bsn) == std::string::npos);
  }
}

TEST_CASE("import: overlapping BRP periods of one client are refused", "[cli][import]") {
  Setup s;
  const auto result = s.import("brp",
                               "bsn,gemeente,begin,end,kind,address\n"
                               "999948714,0606,2012-04-01,2026-03-01,woonadres,A\n"
                               "999948714,0599,2026-02-01,,woonadres,B\n");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("brp.csv:3: this period (from 2026-02-01) overlaps the period of line 2"));
  const auto good = s.import("brp",
                             "bsn,gemeente,begin,end,kind,address\n"
                             "999948714,0606,2012-04-01,2026-03-01,woonadres,A\n"
                             "999948714,0599,2026-03-01,,woonadres,B\n");
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, Catch::Contains("imported 2 brp row(s)"));
}

TEST_CASE("import: a municipality in two regions, or two mandates for one region, is refused", "[cli][import]") {
  Setup s;
  const auto twice = s.import("regions", "centrumgemeente,member\n0599,0599\n0599,0606\n0622,0606\n");
  CHECK(twice.exit_code == 1);
  CHECK_THAT(twice.err, Catch::Contains("regions.csv:4: member 0606 is already listed on line 3"));
  const auto mandates = s.import("regions", "centrumgemeente,member,mandate\n0599,0599,yes\n0599,0606,no\n");
  CHECK(mandates.exit_code == 1);
  CHECK_THAT(mandates.err, Catch::Contains("regions.csv:3: mandate differs from line 2"));
  const auto missing = s.import("regions", "centrum,member\n0599,0599\n");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("lacks column(s) centrumgemeente"));
}
