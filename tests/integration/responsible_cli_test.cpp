// `iwmo-gateway responsible` as an operator runs it: the real binary, the shared worked cases.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.h"

using iwmo::test::runCommand;
using iwmo::test::shellQuote;

namespace {

std::string gateway() { return shellQuote(IWMO_GATEWAY_BINARY); }

iwmo::test::CommandResult responsible(const std::filesystem::path& file, const std::string& flags) {
  return runCommand(gateway() + " responsible --case " + shellQuote(file.string()) + flags);
}

// A regime B case of our own (rules.md case 4: a Kampen resident reports at Zwolle).
nlohmann::json kampenCase() {
  return nlohmann::json::parse(R"({
    "id": "cli-kampen",
    "config": {"regime_b_effective": "2027-01-01", "regions": []},
    "report_date": "2027-03-01",
    "aanmeldgemeente": "0193",
    "brp": [{"gemeente": "0166", "begin": "2018-01-01", "end": null, "kind": "woonadres", "address": "KAM-1"}],
    "institutions": [],
    "bw_episodes": [],
    "expect": {"gemeente": "0166", "rule": "B-woonadres", "flags": []}
  })");
}

nlohmann::json lastJsonLine(const std::string& out) {
  const auto end = out.find_last_not_of('\n');
  REQUIRE(end != std::string::npos);
  const auto start = out.rfind('\n', end);
  const std::string line = out.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start == std::string::npos ? 0 : start + 1));
  INFO("output line: " << line);
  REQUIRE(nlohmann::json::accept(line));
  return nlohmann::json::parse(line);
}

}  // namespace

TEST_CASE("responsible --check passes every shared worked case", "[cli][responsibility]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) {
    WARN("reference material absent: the shared responsibility cases were not run");
    return;
  }
  const auto dir = reference->parent_path() / "cases" / "responsibility";
  if (!std::filesystem::is_directory(dir)) {
    WARN("no case directory " << dir.string() << ": the shared responsibility cases were not run");
    return;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);
  for (const auto& file : files) {
    INFO(file.string());
    const auto result = responsible(file, " --check --json");
    INFO("stdout: " << result.out);
    INFO("stderr: " << result.err);
    CHECK(result.exit_code == 0);
    const auto out = lastJsonLine(result.out);
    CHECK(out.value("check", "") == "pass");
    CHECK(out["mismatches"].empty());
    const auto expected = nlohmann::json::parse(iwmo::test::readFile(file))["expect"];
    CHECK(out["rule"] == expected["rule"]);
    CHECK(out["gemeente"] == expected["gemeente"]);
  }
}

TEST_CASE("responsible --check passes the demo's own case", "[cli][responsibility]") {
  const auto file = iwmo::test::sourceDir() / "demo/cases/kartosen-regime-b.json";
  const auto result = responsible(file, " --check --json");
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  const auto out = lastJsonLine(result.out);
  CHECK(out["gemeente"] == "0606");
  CHECK(out["rule"] == "B-institution");
}

TEST_CASE("responsible --check exits 1 and prints the mismatch", "[cli][responsibility]") {
  iwmo::test::TempDir dir;
  auto c = kampenCase();
  c["expect"]["gemeente"] = "0193";
  c["expect"]["rule"] = "B-vangnet";
  const auto file = dir.path() / "mismatch.json";
  iwmo::test::writeFile(file, c.dump(2));

  const auto text = responsible(file, " --check");
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::Contains("MISMATCH gemeente: expected 0193, got 0166"));
  CHECK_THAT(text.out, Catch::Contains("MISMATCH rule: expected B-vangnet, got B-woonadres"));

  const auto json = responsible(file, " --check --json");
  CHECK(json.exit_code == 1);
  const auto out = lastJsonLine(json.out);
  CHECK(out["check"] == "fail");
  CHECK(out["gemeente"] == "0166");
  REQUIRE(out["mismatches"].is_array());
  CHECK(out["mismatches"].size() == 2);

  SECTION("flags are compared as a set when expect has them") {
    auto flags = kampenCase();
    flags["expect"]["flags"] = {"REVIEW"};
    const auto flags_file = dir.path() / "flags.json";
    iwmo::test::writeFile(flags_file, flags.dump());
    const auto result = responsible(flags_file, " --check");
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out, Catch::Contains("MISMATCH flags"));
  }
  SECTION("the same case as expected exits 0") {
    const auto good = dir.path() / "good.json";
    iwmo::test::writeFile(good, kampenCase().dump());
    const auto result = responsible(good, " --check");
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("check: as expected"));
  }
}

TEST_CASE("responsible exits 2 naming the field of an unknown municipality code", "[cli][responsibility]") {
  iwmo::test::TempDir dir;
  SECTION("aanmeldgemeente") {
    auto c = kampenCase();
    c["aanmeldgemeente"] = "9999";
    const auto file = dir.path() / "unknown.json";
    iwmo::test::writeFile(file, c.dump());
    const auto result = responsible(file, " --json");
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("aanmeldgemeente") && Catch::Contains("9999"));
    CHECK(result.out.empty());
  }
  SECTION("a BRP period") {
    auto c = kampenCase();
    c["brp"][0]["gemeente"] = "0001";
    const auto file = dir.path() / "unknown-brp.json";
    iwmo::test::writeFile(file, c.dump());
    const auto result = responsible(file, " --check --json");
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("brp[0].gemeente") && Catch::Contains("0001"));
  }
  SECTION("not four digits") {
    auto c = kampenCase();
    c["aanmeldgemeente"] = "193";
    const auto file = dir.path() / "short.json";
    iwmo::test::writeFile(file, c.dump());
    const auto result = responsible(file, "");
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("aanmeldgemeente"));
  }
}

TEST_CASE("responsible exits 2 on invalid JSON", "[cli][responsibility]") {
  iwmo::test::TempDir dir;
  const auto file = dir.path() / "broken.json";
  iwmo::test::writeFile(file, R"({"id": "broken", "report_date": "2027-03-01", )");
  const auto result = responsible(file, " --check --json");
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("broken.json") && Catch::Contains("JSON"));
  CHECK(result.out.empty());

  iwmo::test::writeFile(file, "[1, 2, 3]");
  CHECK(responsible(file, " --json").exit_code == 2);
}

TEST_CASE("responsible --json prints exactly gemeente, rule, regime, flags and trail", "[cli][responsibility]") {
  iwmo::test::TempDir dir;
  const auto file = dir.path() / "case.json";
  iwmo::test::writeFile(file, kampenCase().dump());
  const auto result = responsible(file, " --json");
  INFO("stderr: " << result.err);
  CHECK(result.exit_code == 0);
  const auto out = lastJsonLine(result.out);
  REQUIRE(out.is_object());
  std::set<std::string> keys;
  for (const auto& item : out.items()) keys.insert(item.key());
  CHECK(keys == std::set<std::string>{"gemeente", "rule", "regime", "flags", "trail"});
  CHECK(out["gemeente"] == "0166");
  CHECK(out["rule"] == "B-woonadres");
  CHECK(out["regime"] == "B");
  CHECK(out["flags"].is_array());
  CHECK(out["flags"].empty());
  REQUIRE(out["trail"].is_array());
  CHECK_FALSE(out["trail"].empty());
  CHECK(out["trail"][0].is_string());

  SECTION("gemeente is null when only a manual decision can give it") {
    const auto split = dir.path() / "split.json";
    iwmo::test::writeFile(split, R"({
      "id": "cli-split",
      "config": {"regime_b_effective": "2023-01-01"},
      "report_date": "2023-06-01", "aanmeldgemeente": "0855",
      "brp": [{"gemeente": "0788", "begin": "2010-01-01", "end": "2019-06-01", "kind": "woonadres", "address": "HAA-1"},
              {"gemeente": "0855", "begin": "2019-06-01", "end": null, "kind": "woonadres", "address": "TIL-GGZ"}],
      "institutions": [{"address": "TIL-GGZ", "type": "ggz-clinic", "from": "2000-01-01", "to": null}]
    })");
    const auto manual = responsible(split, " --json");
    CHECK(manual.exit_code == 0);
    const auto decision = lastJsonLine(manual.out);
    CHECK(decision["gemeente"].is_null());
    CHECK(decision["rule"] == "B-institution");
    CHECK(decision["flags"] == nlohmann::json::array({"MANUAL_SPLIT"}));
  }
}
