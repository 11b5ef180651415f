// `iwmo-gateway validate` as an operator runs it: the real binary, real files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

using iwmo::test::runCommand;
using iwmo::test::shellQuote;

namespace {

std::string gateway() { return shellQuote(IWMO_GATEWAY_BINARY); }

std::vector<nlohmann::json> jsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("validate --json prints one object per file with the documented fields", "[cli]") {
  iwmo::test::TempDir dir;
  const auto good = dir.path() / "good.xml";
  const auto bad = dir.path() / "bad.xml";
  iwmo::test::writeFile(good, iwmo::test::kValidWmo305);
  iwmo::test::writeFile(bad, iwmo::test::replaceFirst(iwmo::test::kValidWmo305, "999900018", "999900017"));

  const auto result = runCommand(gateway() + " validate --json " + shellQuote(good.string()) + " " +
                                 shellQuote(bad.string()));
  CHECK(result.exit_code == 1);
  const auto lines = jsonLines(result.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["file"] == good.string());
  CHECK(lines[0]["message_type"] == "WMO305");
  CHECK(lines[0]["valid"] == true);
  CHECK(lines[0]["level"].is_null());
  CHECK(lines[0]["errors"].empty());
  CHECK(lines[1]["valid"] == false);
  CHECK(lines[1]["level"] == 2);
  const auto& error = lines[1]["errors"][0];
  CHECK(error["code"] == "CS002");
  CHECK(error["retourcode"] == "0001");
  CHECK(error["path"] == "/Bericht/Client/Bsn");
  CHECK(error["line"].is_number());
  CHECK(error["column"].is_number());
  CHECK(error["message"].get<std::string>().find("elfproef") != std::string::npos);
}

TEST_CASE("validate exits 0 when every file is valid and prints a readable report", "[cli]") {
  iwmo::test::TempDir dir;
  iwmo::test::writeFile(dir.path() / "a" / "one.xml", iwmo::test::kValidWmo305);
  iwmo::test::writeFile(dir.path() / "a" / "two.xml", iwmo::test::kValidWmo305);
  iwmo::test::writeFile(dir.path() / "a" / "notes.txt", "not a message");
  const auto result = runCommand(gateway() + " validate " + shellQuote((dir.path() / "a").string()));
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("one.xml: WMO305 valid"));
  CHECK_THAT(result.out, Catch::Contains("2 files: 2 valid, 0 invalid"));
}

TEST_CASE("validate names file, line:column, path and rule for a schema error", "[cli]") {
  iwmo::test::TempDir dir;
  const auto file = dir.path() / "geslacht.xml";
  iwmo::test::writeFile(file, iwmo::test::replaceFirst(iwmo::test::kValidWmo305,
                                                       "<wmo305:Geslacht>2<", "<wmo305:Geslacht>7<"));
  const auto result = runCommand(gateway() + " validate " + shellQuote(file.string()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains(file.string() + ": WMO305 INVALID (level 1"));
  CHECK_THAT(result.out, Catch::Contains("  23:"));
  CHECK_THAT(result.out, Catch::Contains("XSD"));
  CHECK_THAT(result.out, Catch::Contains("/Bericht/Client/Geslacht"));
}

TEST_CASE("validate reads standard input for -", "[cli]") {
  iwmo::test::TempDir dir;
  const auto file = dir.path() / "in.xml";
  iwmo::test::writeFile(file, iwmo::test::kValidWmo305);
  const auto result =
      runCommand("cat " + shellQuote(file.string()) + " | " + gateway() + " validate --json -");
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("\"file\":\"<stdin>\""));
}

TEST_CASE("validate exits 2 on a missing file and says which", "[cli]") {
  const auto result = runCommand(gateway() + " validate /nonexistent/message.xml");
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("no such file: /nonexistent/message.xml"));
}

TEST_CASE("validate exits 2 on usage errors", "[cli]") {
  CHECK(runCommand(gateway() + " validate").exit_code == 2);
  CHECK(runCommand(gateway() + " validate --no-such-flag x.xml").exit_code == 2);
  CHECK(runCommand(gateway()).exit_code == 2);
  CHECK(runCommand(gateway() + " --help").exit_code == 0);
}

TEST_CASE("validate exits 2 on a bad config and names the key", "[cli]") {
  iwmo::test::TempDir dir;
  const auto config = dir.path() / "gateway.toml";
  iwmo::test::writeFile(config, "[gateway]\nown_gemeente = [\"0599\"]\n[schemas]\niwmo = \"s\"\n"
                                "[limits]\nmax_mesage_bytes = 5\n");
  const auto file = dir.path() / "m.xml";
  iwmo::test::writeFile(file, iwmo::test::kValidWmo305);
  const auto result = runCommand(gateway() + " --config " + shellQuote(config.string()) +
                                 " validate " + shellQuote(file.string()));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("gateway.toml:6: limits.max_mesage_bytes: unknown key"));
}

TEST_CASE("validate uses the schema directory given with --schemas", "[cli][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  const auto result = runCommand(gateway() + " validate --schemas " +
                                 shellQuote((*reference / "iwmo-3.2/xsd").string()) + " " +
                                 shellQuote((*reference / "iwmo-3.2/examples").string()));
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("7 files: 7 valid, 0 invalid"));
}

TEST_CASE("an oversize file is refused without being read", "[cli]") {
  iwmo::test::TempDir dir;
  const auto config = dir.path() / "small.toml";
  iwmo::test::writeFile(config, "[gateway]\nown_gemeente = [\"0599\"]\n[schemas]\niwmo = \"" +
                                    iwmo::test::projectSchemaDir().string() +
                                    "\"\n[limits]\nmax_message_bytes = 100\n");
  const auto file = dir.path() / "big.xml";
  iwmo::test::writeFile(file, iwmo::test::kValidWmo305);
  const auto result = runCommand(gateway() + " --config " + shellQuote(config.string()) +
                                 " validate --json " + shellQuote(file.string()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("\"code\":\"INPUT\""));
  CHECK_THAT(result.out, Catch::Contains("limits.max_message_bytes"));
}
