// The responsibility case format (DESIGN §4.1) read without the command line: what a case sets,
// what an operator is told about a wrong one, and how a decision is compared with "expect".
#include "gateway/cases/responsibility_case.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

using iwmo::cases::decisionJson;
using iwmo::cases::expectationMismatches;
using iwmo::cases::parseResponsibilityCase;

const char* const kKampen = R"({
  "id": "unit-kampen",
  "config": {"regime_b_effective": "2027-01-01", "regions": []},
  "report_date": "2027-03-01",
  "aanmeldgemeente": "0193",
  "brp": [{"gemeente": "0166", "begin": "2018-01-01", "end": null, "kind": "woonadres", "address": "KAM-1"}],
  "institutions": [],
  "bw_episodes": [],
  "expect": {"gemeente": "0166", "rule": "B-woonadres", "flags": []}
})";

std::string errorOf(const std::string& text) {
  auto parsed = parseResponsibilityCase(text, "case.json", {}, {});
  REQUIRE_FALSE(parsed);
  return parsed.status().message();
}

TEST_CASE("a case sets the rule inputs, overrides the configured parameters and keeps its expect",
          "[cases]") {
  auto parsed = parseResponsibilityCase(kKampen, "kampen.json", {}, {});
  INFO(parsed.status().toString());
  REQUIRE(parsed);
  CHECK(parsed->id == "unit-kampen");
  CHECK(parsed->input.report_date == iwmo::Date::fromYmd(2027, 3, 1));
  CHECK(parsed->input.aanmeldgemeente == "0193");
  REQUIRE(parsed->input.brp.size() == 1);
  CHECK(parsed->input.brp[0].gemeente == "0166");
  CHECK_FALSE(parsed->input.brp[0].end.has_value());
  CHECK(parsed->input.brp[0].address == "KAM-1");
  CHECK(parsed->params.regime_b_effective == iwmo::Date::fromYmd(2027, 1, 1));
  REQUIRE(parsed->expect.has_value());
  CHECK((*parsed->expect)["rule"] == "B-woonadres");
  CHECK(parsed->warnings.empty());
}

TEST_CASE("a wrong case is refused naming the file, the field and the fix", "[cases]") {
  CHECK(errorOf("{").rfind("case.json: not valid JSON", 0) == 0);
  CHECK(errorOf("[]") == "case.json: (top): a case is a JSON object (DESIGN §4.1)");
  CHECK(errorOf(R"({"report_date": "2027-03-01"})") == "case.json: aanmeldgemeente: missing");
  CHECK(errorOf(R"({"report_date": "1 maart", "aanmeldgemeente": "0193"})") ==
        "case.json: report_date: \"1 maart\" is not a date (YYYY-MM-DD)");
  CHECK(errorOf(R"({"report_date": "2027-03-01", "aanmeldgemeente": "193"})") ==
        "case.json: aanmeldgemeente: \"193\" is not a four-digit CBS gemeentecode");
  CHECK(errorOf(R"({"report_date": "2027-03-01", "aanmeldgemeente": "0193",
                    "brp": [{"begin": "2018-01-01"}]})") == "case.json: brp[0].gemeente: missing");
  CHECK(errorOf(R"({"report_date": "2027-03-01", "aanmeldgemeente": "0193",
                    "brp": [{"gemeente": "0166", "begin": "2018-01-01", "kind": "postbus"}]})") ==
        "case.json: brp[0].kind: must be \"woonadres\" or \"briefadres\"");
}

TEST_CASE("a decision is rendered as the command prints it and compared with expect field by field",
          "[cases]") {
  iwmo::rules::ResponsibilityDecision decision;
  decision.gemeente = "0166";
  decision.rule = "B-woonadres";
  decision.regime = 'B';
  decision.flags = {"BRIEFADRES"};
  const auto rendered = decisionJson(decision);
  CHECK(
      rendered.dump() ==
      R"({"gemeente":"0166","rule":"B-woonadres","regime":"B","flags":["BRIEFADRES"],"trail":[]})");

  CHECK(expectationMismatches(
            decision, {{"gemeente", "0166"}, {"rule", "B-woonadres"}, {"flags", {"BRIEFADRES"}}})
            .empty());
  const auto mismatches = expectationMismatches(
      decision, {{"gemeente", "0193"}, {"regime", "A"}, {"flags", nlohmann::json::array()}});
  REQUIRE(mismatches.size() == 3);
  CHECK(mismatches[0] == "gemeente: expected 0193, got 0166");
  CHECK(mismatches[1] == "regime: expected A, got B");
  CHECK(mismatches[2] == "flags: expected [], got [BRIEFADRES]");
}

}  // namespace
