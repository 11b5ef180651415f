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

TEST_CASE("validate reads a StUF-GGk envelope as the daemon does and reports envelope and payload (issue 14)",
          "[cli][ggk]") {
  iwmo::test::TempDir dir;
  const auto message = dir.path() / "wmo305.xml";
  const auto invalid = dir.path() / "wmo305-invalid.xml";
  iwmo::test::writeFile(message, iwmo::test::kValidWmo305);
  iwmo::test::writeFile(invalid, iwmo::test::replaceFirst(iwmo::test::kValidWmo305, "999900018", "999900017"));
  const auto wrapped = runCommand(gateway() + " ggk wrap " + shellQuote(message.string()));
  REQUIRE(wrapped.exit_code == 0);
  iwmo::test::writeFile(dir.path() / "di01.xml", wrapped.out);
  const auto wrapped_invalid = runCommand(gateway() + " ggk wrap --allow-invalid " + shellQuote(invalid.string()));
  REQUIRE(wrapped_invalid.exit_code == 0);
  iwmo::test::writeFile(dir.path() / "di01-invalid.xml", wrapped_invalid.out);
  iwmo::test::writeFile(dir.path() / "di01-damaged.xml",
                        iwmo::test::replaceFirst(wrapped.out, "<StUF:berichtcode>Di01</StUF:berichtcode>",
                                                 "<StUF:berichtcode>Xx01</StUF:berichtcode>"));

  const auto ok = runCommand(gateway() + " validate " + shellQuote((dir.path() / "di01.xml").string()));
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("Di01 envelope valid (functie WMO305, referentienummer "));
  CHECK_THAT(ok.out, Catch::Contains("  payload: WMO305 valid"));

  const auto bad = runCommand(gateway() + " validate " + shellQuote((dir.path() / "di01-invalid.xml").string()));
  INFO(bad.out);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("Di01 envelope valid"));
  CHECK_THAT(bad.out, Catch::Contains("payload: WMO305 INVALID (level 2"));
  CHECK_THAT(bad.out, Catch::Contains("CS002"));

  const auto refused = runCommand(gateway() + " validate " + shellQuote((dir.path() / "di01-damaged.xml").string()));
  INFO(refused.out);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains("StUF-GGk envelope INVALID (level 1"));

  const auto json = runCommand(gateway() + " validate --json " + shellQuote((dir.path() / "di01.xml").string()) + " " +
                               shellQuote(message.string()));
  const auto lines = jsonLines(json.out);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["message_type"] == "WMO305");
  CHECK(lines[0]["valid"] == true);
  CHECK(lines[0]["envelope"]["kind"] == "Di01");
  CHECK(lines[0]["envelope"]["functie"] == "WMO305");
  CHECK(lines[0]["envelope"]["referentienummer"].get<std::string>().size() == 36);
  CHECK_FALSE(lines[1].contains("envelope"));  // a bare message
}

TEST_CASE("validate reads the official StUF-GGk examples: the Fo01 is valid, the Di01 and Du01 envelopes are valid "
          "around a placeholder text that is no message (issue 14)",
          "[cli][ggk][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  const auto examples = *reference / "stuf-iwmo/ggk0210-2.1.04v3/voorbeeldberichten";
  const auto result = runCommand(gateway() + " validate " + shellQuote((examples / "Fo01.xml").string()) + " " +
                                 shellQuote((examples / "envelopHeenbericht-ggk_Di01_v21-xml.xml").string()) + " " +
                                 shellQuote((examples / "envelopRetourbericht-ggk_Du01-v21.xml").string()));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.out, Catch::Contains("Fo01.xml: Fo01 valid (error IB210"));
  CHECK_THAT(result.out, Catch::Contains("Di01 envelope valid (functie WMO301"));
  CHECK_THAT(result.out, Catch::Contains("Du01 envelope valid (functie WMO302"));
  CHECK_THAT(result.out, Catch::Contains("not XML: the content starts with 'H'"));
  CHECK_THAT(result.out, Catch::Contains("3 files: 1 valid, 2 invalid"));
}

TEST_CASE("validate names a message of another standard or release, and no local path (issue 14)", "[cli]") {
  iwmo::test::TempDir dir;
  const std::string ours = "http://www.istandaarden.nl/iwmo/3_2/wmo305/schema";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"iwmo23.xml", "http://www.istandaarden.nl/iwmo/2_3/wmo305/schema"},
      {"ijw32.xml", "http://www.istandaarden.nl/ijw/3_2/jw305/schema"},
      {"ieb10.xml", "http://www.istandaarden.nl/ieb/1_0/wmo405/schema"},
  };
  std::string files;
  for (const auto& [name, ns] : cases) {
    std::string text = iwmo::test::kValidWmo305;
    for (std::size_t at = text.find(ours); at != std::string::npos; at = text.find(ours, at)) text.replace(at, ours.size(), ns);
    iwmo::test::writeFile(dir.path() / name, text);
    files += " " + shellQuote((dir.path() / name).string());
  }
  const auto result = runCommand(gateway() + " validate --json" + files);
  const auto lines = jsonLines(result.out);
  REQUIRE(lines.size() == 3);
  const std::vector<std::string> named = {"iWmo 2.3", "iJw 3.2", "iEb 1.0"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i].dump());
    CHECK(lines[i]["valid"] == false);
    const std::string message = lines[i]["errors"][0]["message"];
    CHECK_THAT(message, Catch::Contains("this is an " + named[i] + " message; " + named[i] + " is not supported"));
    CHECK_THAT(message, Catch::Contains("this gateway handles iWmo 3.2"));
    CHECK(message.find("/schemas") == std::string::npos);  // the finding can reach the sender
  }
}

TEST_CASE("config check passes on the project's config/default.toml and explains a copy's relative paths, and the "
          "example's install paths (issue 14)",
          "[cli][config]") {
  const auto own = runCommand(gateway() + " config check " + shellQuote((iwmo::test::sourceDir() / "config/default.toml").string()));
  INFO(own.out << own.err);
  CHECK(own.exit_code == 0);
  CHECK_THAT(own.out, Catch::Contains("default.toml: OK"));
  CHECK_THAT(own.out, Catch::Contains((iwmo::test::sourceDir() / "schemas/iwmo-3.2").lexically_normal().string()));

  iwmo::test::TempDir dir;
  iwmo::test::writeFile(dir.path() / "copy.toml", iwmo::test::readFile(iwmo::test::sourceDir() / "config/default.toml"));
  const auto copy = runCommand(gateway() + " config check " + shellQuote((dir.path() / "copy.toml").string()));
  CHECK(copy.exit_code == 1);
  CHECK_THAT(copy.err, Catch::Contains("schemas.iwmo: directory " + (dir.path() / "schemas/iwmo-3.2").string()));
  CHECK_THAT(copy.err, Catch::Contains("a relative path resolves against the configuration file's folder"));

  const auto example = runCommand(gateway() + " config check " +
                                  shellQuote((iwmo::test::sourceDir() / "deploy/gateway.toml.example").string()));
  INFO(example.out << example.err);
  if (std::filesystem::is_directory("/usr/share/iwmo-gateway/schemas/iwmo-3.2")) {
    CHECK(example.exit_code == 0);  // installed
  } else {
    CHECK(example.exit_code == 1);
    CHECK_THAT(example.err, Catch::Contains("sudo deploy/install.sh installs the project's schemas there"));
  }
}
