// `iwmo-gateway simulate-cak` as the CAK's counterpart (issue 4): deliberately wrong WMO405 /
// WMO407 messages are rejected with the right EB001 code, correct ones are accepted, every
// retour validates against our iEb schemas, a file seen again gets the same answer, and a file
// that is not an iEb message is refused at level 1 with a report and no retour. A message in a
// Di01 envelope is answered in a Du01 that names it; a schema-invalid payload in one gets a Fo01.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "adapters/ieb/ieb_writer.h"
#include "support/daemon_process.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::Date;
using iwmo::proto::EbRecord;
using iwmo::test::ebRecord;

namespace {

struct Case {
  std::string name;
  std::string afzender;
  std::string identificatie;
  std::string dagtekening;
  EbRecord r;
  std::string expected;  // "accepted" or the code
};

}  // namespace

TEST_CASE("simulate-cak: rejects each deliberately wrong record with its EB001 code", "[integration][ieb][cak]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const std::string d = "2026-03-05";
  const std::vector<Case> cases = {
      {"01", "0599", "A1", d, ebRecord("AT", "1", 1, "2026-03-01"), "accepted"},
      {"02", "0599", "A2", d, ebRecord("AT", "1", 1, "2026-03-01"), "9102"},
      {"03", "0599", "A3", d, ebRecord("AT", "2", 2, "2026-03-01"), "9103"},
      {"04", "0599", "A4", d, ebRecord("AT", "3", 1, "2026-03-02"), "9329"},
      {"05", "0599", "A5", d, ebRecord("AT", "2", 1, "2026-03-01", "2026-02-01"), "9328"},
      {"06", "0599", "A6", d, ebRecord("AT", "3", 1, "2026-03-01"), "accepted"},
      {"07", "0599", "A7", d, ebRecord("AT", "2", 1, "2026-03-01"), "9104"},
      {"08", "0599", "A8", d, ebRecord("AT", "2", 1, "2026-03-01", "2026-03-31"), "9330"},
      {"09", "0599", "A9", d, ebRecord("AT", "3", 9, "2026-03-01"), "9063"},
      {"10", "0599", "A10", d, ebRecord("AT", "1", 3, "2026-03-01", "2026-03-31"), "accepted"},
      {"11", "0599", "A11", d, ebRecord("AT", "3", 3, "2026-03-01", "2026-03-31"), "9071"},
      {"12", "0599", "A12", d, ebRecord("AT", "1", 4, "2024-01-01"), "9112"},
      {"13", "0599", "A13", d, ebRecord("AT", "1", 5, "2026-06-01"), "9113"},
      {"14", "0599", "A14", d, ebRecord("AT", "1", 6, "2025-06-01"), "accepted"},
      {"15", "0599", "A15", d, ebRecord("AT", "2", 6, "2022-01-01"), "9393"},
      {"16", "0599", "A1", d, ebRecord("AT", "1", 7, "2026-03-01"), "9056"},     // A1 again, other content
      {"17", "0599", "A17", "2027-01-10", ebRecord("AT", "1", 8, "2026-12-20"), "8848"},
      {"18", "0001", "A18", d, ebRecord("AT", "1", 1, "2026-03-01"), "S300"},   // no such CBS code
      {"19", "0599", "A19", d, ebRecord("AT", "1", 9, "2019-12-01"), "0001"},   // CS332: level 2
      {"20", "0599", "B1", d, ebRecord("BW", "1", 10, "2026-03-01"), "accepted"},
      {"21", "0599", "B2", d, ebRecord("BW", "1", 11, "2026-04-01"), "9400"},   // OP371 overlap
      {"22", "0599", "B3", d, ebRecord("BW", "2", 10, "2022-01-01"), "9395"},
      {"23", "0599", "B4", d, ebRecord("BW", "2", 10, "2026-03-01", "2026-03-31"), "accepted"},
      {"24", "0599", "B5", d, ebRecord("BW", "1", 11, "2026-04-01"), "accepted"},  // no longer overlapping
  };
  const fs::path in = dir.path() / "in";
  for (const Case& c : cases) {
    const auto dagtekening = Date::parse(c.dagtekening);
    REQUIRE(dagtekening);
    const std::string type = c.r.kind() == "AT" ? "WMO405" : "WMO407";
    iwmo::test::writeFile(in / (c.name + "-" + type + ".xml"),
                          iwmo::adapters::ieb::writeHeen(type, {c.afzender, c.identificatie, *dagtekening}, {c.r}));
  }
  iwmo::test::writeFile(in / "25-broken.xml", "<Bericht>not an iEb message");
  const auto run = [&] {
    return iwmo::test::runCommand(
        iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string()) +
        " simulate-cak --json --today 2026-12-31 --in " + iwmo::test::shellQuote(in.string()) + " --out " +
        iwmo::test::shellQuote((dir.path() / "out").string()) + " --state " +
        iwmo::test::shellQuote((dir.path() / "cak.sqlite").string()) + " --processed " +
        iwmo::test::shellQuote((dir.path() / "processed").string()));
  };
  const auto result = run();
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);  // one file refused at level 1
  std::vector<nlohmann::json> lines;
  std::istringstream text(result.out);
  for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == cases.size() + 1);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    INFO("case " << cases[i].name << ": " << lines[i].dump());
    if (cases[i].expected == "accepted") {
      CHECK(lines[i]["outcome"] == "accepted");
    } else {
      CHECK(lines[i]["outcome"] == "rejected");
      CHECK(lines[i]["codes"] == cases[i].expected);
    }
  }
  CHECK(lines.back()["outcome"] == "refused");
  CHECK(fs::exists(dir.path() / "processed/25-broken.xml.error.txt"));

  // Every retour validates against our schemas; a rejection echoes the client with its code.
  std::size_t retours = 0;
  for (const auto& file : iwmo::test::filesIn(dir.path() / "out")) {
    const auto envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::readFile(file));
    INFO(file.string());
    CHECK(envelope.verdict().valid());
    ++retours;
  }
  CHECK(retours == cases.size());
  const std::string retour_9103 = iwmo::test::readFile(dir.path() / "out/03-WMO405-WMO406.xml");
  CHECK_THAT(retour_9103, Catch::Contains("<ieb:RetourCode>9103</ieb:RetourCode>"));
  CHECK_THAT(retour_9103, Catch::Contains("<Bsn>999948714</Bsn>"));
  const std::string retour_ok = iwmo::test::readFile(dir.path() / "out/01-WMO405-WMO406.xml");
  CHECK(retour_ok.find("<Client>") == std::string::npos);  // header only: accepted

  // The same file again gets the same answer, not a 9056.
  fs::copy_file(dir.path() / "processed/03-WMO405.xml", in / "03-WMO405.xml");
  const std::string before = iwmo::test::readFile(dir.path() / "out/03-WMO405-WMO406.xml");
  fs::remove(dir.path() / "out/03-WMO405-WMO406.xml");
  const auto again = run();
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("\"outcome\":\"repeated\""));
  CHECK(iwmo::test::readFile(dir.path() / "out/03-WMO405-WMO406.xml") == before);
}

TEST_CASE("simulate-cak: a Di01 is answered in a Du01 naming it, a broken payload in a Di01 gets a Fo01 StUF055",
          "[integration][ieb][cak][ggk]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const fs::path in = dir.path() / "in";
  const auto dagtekening = Date::parse("2026-03-05");
  REQUIRE(dagtekening);
  const std::string good = iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "E1", *dagtekening},
                                                          {ebRecord("AT", "1", 1, "2026-03-01")});
  const std::string good_ref = "0b9f5f2e-8c1d-4e6a-9b2f-3d4c5e6f7a81";
  iwmo::test::writeFile(in / "01-good.xml", iwmo::test::wrapDi01(good, "WMO405", "0599", "CAK", good_ref));
  std::string broken = iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "E2", *dagtekening},
                                                      {ebRecord("AT", "1", 2, "2026-03-01")});
  broken.replace(broken.find("<BerichtCode>578</BerichtCode>"), 30, "<BerichtCode>999</BerichtCode>");
  const std::string broken_ref = "1c8e4d3f-7b2a-4f5e-8a1b-2c3d4e5f6a72";
  iwmo::test::writeFile(in / "02-broken.xml", iwmo::test::wrapDi01(broken, "WMO405", "0599", "CAK", broken_ref));
  iwmo::test::writeFile(in / "03-du01.xml",
                        iwmo::test::wrapDu01(good, "WMO405", "0599", "CAK", "2d7f3e4a-6c1b-4a2d-9e8f-1a2b3c4d5e63", good_ref));

  const auto result = iwmo::test::runCommand(
      iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string()) +
      " simulate-cak --json --today 2026-12-31 --in " + iwmo::test::shellQuote(in.string()) + " --out " +
      iwmo::test::shellQuote((dir.path() / "out").string()) + " --state " +
      iwmo::test::shellQuote((dir.path() / "cak.sqlite").string()) + " --processed " +
      iwmo::test::shellQuote((dir.path() / "processed").string()));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);  // two refused
  std::vector<nlohmann::json> lines;
  std::istringstream text(result.out);
  for (std::string line; std::getline(text, line);) lines.push_back(nlohmann::json::parse(line));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["outcome"] == "accepted");
  CHECK(lines[0]["envelope"] == "Di01");
  CHECK(lines[0]["cross_refnummer"] == good_ref);
  CHECK(lines[1]["outcome"] == "refused");
  CHECK(lines[1]["fo01"] == "02-broken-Fo01.xml");
  CHECK(lines[2]["outcome"] == "refused");
  CHECK(lines[2]["envelope"] == "refused");
  CHECK_THAT(iwmo::test::readFile(dir.path() / "processed/03-du01.xml.error.txt"), Catch::Contains("Du01"));

  // The Du01: from the CAK to the municipality, crossRefnummer = the Di01's, a valid WMO406.
  const auto du01 = iwmo::test::readGgkDocument(iwmo::test::readFile(dir.path() / "out/01-good-WMO406.xml"));
  CHECK(du01.kind == "Du01");
  CHECK(du01.zender == "CAK");
  CHECK(du01.ontvanger == "0599");
  CHECK(du01.functie == "WMO406");
  CHECK(du01.cross_refnummer == good_ref);
  CHECK(iwmo::test::validateWithProjectSchemas(du01.payload).verdict().valid());
  CHECK_THAT(du01.payload, Catch::Contains("<ieb:Identificatie>E1</ieb:Identificatie>"));
  // The Fo01: StUF055 about the broken Di01, to its zender; no retour for it.
  const auto fo01 = iwmo::test::readGgkDocument(iwmo::test::readFile(dir.path() / "out/02-broken-Fo01.xml"));
  CHECK(fo01.kind == "Fo01");
  CHECK(fo01.fo01_code == "StUF055");
  CHECK(fo01.cross_refnummer == broken_ref);
  CHECK(fo01.ontvanger == "0599");
  CHECK(iwmo::test::filesIn(dir.path() / "out").size() == 2);
}
