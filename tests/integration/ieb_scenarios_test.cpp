// Eigen-bijdrage scenarios (issue 4): message sequences through `iwmo-gateway replay --clock
// dagtekening` (the real pipeline: validation, journal, handlers, outbox) give exactly the
// expected CAK-bound WMO405 / WMO407 files — compared byte for byte after numbering the
// identifiers (Identificatie, EbStartNummer / BwStartNummer) in order of appearance, so the
// test pins which records share a key without pinning journal ids. Then `iwmo-gateway
// simulate-cak` plays the CAK on the output and must accept every message the gateway emitted.
//
// The expected files live in tests/data/ieb-scenarios/NAME/; IWMO_UPDATE_SCENARIOS=1 rewrites
// them from the actual output (review the diff before committing).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "support/daemon_process.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::MessageHeader;
using iwmo::test::ProductLine;

namespace {

struct Message {
  std::string name;  // file name in the batch, e.g. "01-WMO301.xml"
  std::string xml;
};

// Numbers every distinct Identificatie and start number in order of appearance: "ID1", "NR1".
std::string normalised(const std::string& xml, std::map<std::string, std::string>& ids,
                       std::map<std::string, std::string>& numbers) {
  std::string out = xml;
  const auto apply = [&](const std::regex& pattern, std::map<std::string, std::string>& seen, const char* prefix) {
    std::string result;
    auto begin = std::sregex_iterator(out.begin(), out.end(), pattern);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      const std::string value = m[2].str();
      auto [entry, inserted] = seen.emplace(value, prefix + std::to_string(seen.size() + 1));
      result += out.substr(last, static_cast<std::size_t>(m.position(2)) - last) + entry->second;
      last = static_cast<std::size_t>(m.position(2) + m.length(2));
    }
    result += out.substr(last);
    out = result;
  };
  apply(std::regex("(<ieb:Identificatie>)([^<]*)"), ids, "ID");
  apply(std::regex("(<(?:Eb|Bw)StartNummer>)([^<]*)"), numbers, "NR");
  return out;
}

struct Outcome {
  std::vector<std::pair<std::string, std::string>> cak;  // file name -> normalised XML, in order
  std::vector<nlohmann::json> cak_answers;               // simulate-cak's JSON lines
  fs::path out;
};

// `clock`: the replay's --clock and its arguments.
Outcome runScenario(const iwmo::test::TempDir& dir, const std::vector<Message>& messages, const std::string& extra_config,
                    const std::string& own_gemeente = "[\"0599\"]", const std::string& clock = "dagtekening") {
  const fs::path batch = dir.path() / "batch";
  for (const Message& message : messages) iwmo::test::writeFile(batch / message.name, message.xml);
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort(), extra_config, own_gemeente);
  Outcome outcome;
  outcome.out = dir.path() / "out";
  const auto replay = iwmo::test::runCommand(
      iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string()) +
      " replay " + iwmo::test::shellQuote(batch.string()) + " --clock " + clock + " --out " +
      iwmo::test::shellQuote(outcome.out.string()));
  INFO(replay.out << replay.err);
  REQUIRE(replay.exit_code == 0);
  std::vector<fs::path> files;
  if (fs::exists(outcome.out / "cak")) {
    for (const auto& entry : fs::directory_iterator(outcome.out / "cak")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  // The replay summary counts what went to the CAK.
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(outcome.out / "summary.json"));
  // Each leaves for the CAK in a Di01 envelope (through the GGk, DESIGN §2.3); compared by payload.
  std::size_t records = 0;
  std::vector<std::string> payloads;
  std::set<std::string> referentienummers;
  for (const auto& file : files) {
    const iwmo::test::ReadDocument document = iwmo::test::readGgkDocument(iwmo::test::readFile(file));
    CHECK(document.kind == "Di01");
    CHECK(document.ontvanger == "CAK");
    CHECK((document.functie == "WMO405" || document.functie == "WMO407"));
    CHECK_THAT(document.payload, Catch::Contains("<BerichtCode>" + std::string(document.functie == "WMO405" ? "578" : "580")));
    referentienummers.insert(document.referentienummer);
    const std::string& text = payloads.emplace_back(document.payload);
    for (std::size_t at = text.find("<Client>"); at != std::string::npos; at = text.find("<Client>", at + 1)) ++records;
  }
  CHECK(referentienummers.size() == files.size());
  CHECK(summary["ieb"]["WMO405"]["sent"].get<std::size_t>() + summary["ieb"]["WMO407"]["sent"].get<std::size_t>() ==
        records);
  CHECK(summary["ieb"]["WMO405"]["pending"] == summary["ieb"]["WMO405"]["sent"]);  // no CAK in a replay
  std::map<std::string, std::string> ids, numbers;
  for (std::size_t i = 0; i < files.size(); ++i) {
    outcome.cak.emplace_back(files[i].filename().string(), normalised(payloads[i], ids, numbers));
  }
  if (!files.empty()) {
    const auto cak = iwmo::test::runCommand(
        iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string()) +
        " simulate-cak --json --today 2026-12-31 --in " + iwmo::test::shellQuote((outcome.out / "cak").string()) +
        " --out " + iwmo::test::shellQuote((dir.path() / "cak-retours").string()) + " --state " +
        iwmo::test::shellQuote((dir.path() / "cak.sqlite").string()) + " --processed " +
        iwmo::test::shellQuote((dir.path() / "cak-processed").string()));
    INFO(cak.out << cak.err);
    REQUIRE(cak.exit_code == 0);
    std::istringstream lines(cak.out);
    for (std::string line; std::getline(lines, line);) outcome.cak_answers.push_back(nlohmann::json::parse(line));
    // The CAK answers each Di01 in a Du01 that names it.
    for (const auto& answer : outcome.cak_answers) {
      INFO(answer.dump());
      CHECK(answer["envelope"] == "Di01");
      CHECK(referentienummers.count(answer.value("cross_refnummer", "")) == 1);
    }
  }
  return outcome;
}

// Compares with tests/data/ieb-scenarios/NAME/*.xml (file names: 01.xml, 02.xml, ...).
void expectScenario(const std::string& name, const Outcome& outcome) {
  const fs::path expected_dir = iwmo::test::sourceDir() / "tests/data/ieb-scenarios" / name;
  if (const char* update = std::getenv("IWMO_UPDATE_SCENARIOS"); update != nullptr && std::string(update) == "1") {
    fs::remove_all(expected_dir);
    fs::create_directories(expected_dir);
    for (std::size_t i = 0; i < outcome.cak.size(); ++i) {
      char file[32];
      std::snprintf(file, sizeof file, "%02zu.xml", i + 1);
      iwmo::test::writeFile(expected_dir / file, outcome.cak[i].second);
    }
    if (outcome.cak.empty()) iwmo::test::writeFile(expected_dir / "NONE", "this scenario sends nothing to the CAK\n");
  }
  std::vector<fs::path> expected;
  if (fs::exists(expected_dir)) {
    for (const auto& entry : fs::directory_iterator(expected_dir)) {
      if (entry.path().extension() == ".xml") expected.push_back(entry.path());
    }
  }
  std::sort(expected.begin(), expected.end());
  INFO("scenario " << name);
  REQUIRE(fs::exists(expected_dir));
  REQUIRE(outcome.cak.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("CAK message " << (i + 1) << " (" << outcome.cak[i].first << ")");
    CHECK(outcome.cak[i].second == iwmo::test::readFile(expected[i]));
  }
  // The CAK accepts everything the gateway sent.
  REQUIRE(outcome.cak_answers.size() == outcome.cak.size());
  for (const auto& answer : outcome.cak_answers) {
    INFO(answer.dump());
    CHECK(answer["outcome"] == "accepted");
  }
}

MessageHeader header(const std::string& id, const std::string& dagtekening) {
  MessageHeader h;
  h.identificatie = id;
  h.dagtekening = dagtekening;
  return h;
}

ProductLine line(std::uint64_t nummer, const std::string& categorie, const std::string& code, const std::string& ingang,
                 const std::string& eind = "", const std::string& begin = "") {
  ProductLine l;
  l.toewijzing_nummer = nummer;
  l.categorie = categorie;
  l.code = code;
  l.ingangsdatum = ingang;
  l.einddatum = eind;
  l.begindatum = begin;
  return l;
}

const char* const kToewijzingPolicy =
    "[eigen_bijdrage]\npolicies = [ { categorie = \"02\", start_at = \"toewijzing\" }, { categorie = \"11\", exempt = true } ]\n";

}  // namespace

TEST_CASE("ieb scenario: one provision starts and stops", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"03-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
  }, "");
  expectScenario("01-one-provision", outcome);
}

TEST_CASE("ieb scenario: two overlapping provisions give one period", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01"),
                                                                           line(101, "01", "01A01", "2026-04-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"03-WMO305.xml", iwmo::test::wmo305(header("ST-2", "2026-04-03"), {line(101, "01", "01A01", "2026-04-01", "", "2026-04-01")})},
      {"04-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-06-02"), {line(100, "02", "02A01", "2026-03-01", "2026-05-31", "2026-03-02")})},
      {"05-WMO307.xml", iwmo::test::wmo307(header("SP-2", "2026-09-02"), {line(101, "01", "01A01", "2026-04-01", "2026-08-31", "2026-04-01")})},
  }, "");
  expectScenario("02-two-overlapping", outcome);
}

TEST_CASE("ieb scenario: policy start at toewijzing versus at delivery", "[integration][ieb]") {
  const std::vector<Message> messages = {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-12"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-10")})},
      {"03-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-10")})},
  };
  {
    iwmo::test::TempDir dir;
    expectScenario("03-policy-toewijzing", runScenario(dir, messages, kToewijzingPolicy));
  }
  {
    iwmo::test::TempDir dir;
    expectScenario("03-policy-delivery", runScenario(dir, messages, ""));
  }
}

TEST_CASE("ieb scenario: a client under 18 owes only for woningaanpassingen", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  MessageHeader h301 = header("TW-1", "2026-02-20");
  MessageHeader h305a = header("ST-1", "2026-03-05");
  MessageHeader h305b = header("ST-2", "2026-05-05");
  for (MessageHeader* h : {&h301, &h305a, &h305b}) h->geboortedatum = "2011-06-15";
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(h301, {line(100, "02", "02A01", "2026-03-01"), line(101, "13", "13A01", "2026-05-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(h305a, {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"03-WMO305.xml", iwmo::test::wmo305(h305b, {line(101, "13", "13A01", "2026-05-01", "", "2026-05-04")})},
  }, "");
  expectScenario("04-under-18", outcome);
}

TEST_CASE("ieb scenario: a rolstoel only carries no eigen bijdrage", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "11", "11A01", "2026-03-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "11", "11A01", "2026-03-01", "", "2026-03-02")})},
  }, "");
  CHECK(outcome.cak.empty());
  expectScenario("05-rolstoel-only", outcome);
}

TEST_CASE("ieb scenario: a corrected start date is a change of the same period", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  ProductLine corrected = line(100, "02", "02A01", "2026-03-15");
  corrected.reden_wijziging = "14";
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01")})},
      {"02-WMO301.xml", iwmo::test::wmo301(header("TW-2", "2026-03-10"), {corrected})},
  }, kToewijzingPolicy);
  expectScenario("06-start-correction", outcome);
}

TEST_CASE("ieb scenario: a toewijzing deleted before delivery deletes the period", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  ProductLine deleted = line(100, "02", "02A01", "2026-03-01", "2026-03-01");
  deleted.reden_wijziging = "13";
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01")})},
      {"02-WMO301.xml", iwmo::test::wmo301(header("TW-2", "2026-02-27"), {deleted})},
  }, kToewijzingPolicy);
  expectScenario("07-cancelled-toewijzing", outcome);
}

TEST_CASE("ieb scenario: a stop, then a late correction of the stop date", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"03-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
      {"04-WMO307.xml", iwmo::test::wmo307(header("SP-2", "2026-09-10"), {line(100, "02", "02A01", "2026-03-01", "2026-07-31", "2026-03-02")})},
  }, "");
  expectScenario("08-stop-late-correction", outcome);
}

TEST_CASE("ieb scenario: BW start and stop, then a move to another municipality", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  MessageHeader a301 = header("TW-1", "2026-02-20"), a305 = header("ST-1", "2026-03-03"), a307 = header("SP-1", "2026-06-02");
  MessageHeader b301 = header("TW-2", "2026-05-25"), b305 = header("ST-2", "2026-06-03");
  b301.gemeente = "0606";
  b305.gemeente = "0606";
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(a301, {line(200, "15", "15B02", "2026-03-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(a305, {line(200, "15", "15B02", "2026-03-01", "", "2026-03-01")})},
      {"03-WMO301.xml", iwmo::test::wmo301(b301, {line(300, "15", "15B02", "2026-06-01")})},
      {"04-WMO307.xml", iwmo::test::wmo307(a307, {line(200, "15", "15B02", "2026-03-01", "2026-05-31", "2026-03-01")})},
      {"05-WMO305.xml", iwmo::test::wmo305(b305, {line(300, "15", "15B02", "2026-06-01", "", "2026-06-01")})},
  }, "", "[\"0599\", \"0606\"]");  // the gateway serves both municipalities
  expectScenario("09-bw-move", outcome);
}

TEST_CASE("ieb scenario: a minor in beschermd wonen gets no WMO407 (issue 17)", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  MessageHeader h301 = header("TW-1", "2026-02-20"), h305 = header("ST-1", "2026-03-03"), h307 = header("SP-1", "2026-09-02");
  for (MessageHeader* h : {&h301, &h305, &h307}) h->geboortedatum = "2009-01-15";  // 17 throughout the stay
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(h301, {line(200, "15", "15B02", "2026-03-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(h305, {line(200, "15", "15B02", "2026-03-01", "", "2026-03-01")})},
      {"03-WMO307.xml", iwmo::test::wmo307(h307, {line(200, "15", "15B02", "2026-03-01", "2026-08-31", "2026-03-01")})},
  }, "");
  CHECK(outcome.cak.empty());
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(outcome.out / "summary.json"));
  CHECK(summary["per_rule"].contains("EB-EXEMPT-UNDER-18"));
  expectScenario("12-bw-under-18", outcome);
}

TEST_CASE("ieb scenario: a toewijzing that ends months ahead leaves no operator item, its stop goes out when due "
          "(issue 17)",
          "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31", "2026-03-02")})},
      // The stop goes out on the first day the einddatum is within a month (2026-12-01: the
      // replay ticks every day up to this message's), before this message, which changes nothing.
      {"03-WMO305.xml", iwmo::test::wmo305(header("ST-2", "2026-12-02"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31", "2026-03-02")})},
  }, "");
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(outcome.out / "summary.json"));
  INFO(summary.dump());
  CHECK(summary["ieb"]["attention_open"] == 0);
  // 01.xml: StatusAanlevering 1 without the stop (EB-WINDOW-FUTURE); 02.xml: 2 with it.
  expectScenario("13-far-einddatum", outcome);
}

TEST_CASE("ieb scenario: a stop that waited for its month goes out on the eigen-bijdrage tick, without another "
          "message of the client (issue 14)",
          "[integration][ieb]") {
  iwmo::test::TempDir dir;
  MessageHeader other = header("TW-9", "2026-12-02");  // another client's message: the batch goes past 2026-12-01
  other.bsn = "999990007";
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "2026-12-31", "2026-03-02")})},
      {"03-WMO301.xml", iwmo::test::wmo301(other, {line(200, "11", "11A01", "2026-12-01")})},  // a rolstoel: nothing for the CAK
  }, "");
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(outcome.out / "summary.json"));
  INFO(summary.dump());
  CHECK(summary["per_type"].contains("EB-TICK"));
  CHECK(summary["per_rule"].contains("EB-TICK"));
  CHECK(summary["ieb"]["attention_open"] == 0);
  // 01.xml: StatusAanlevering 1 without the stop (EB-WINDOW-FUTURE); 02.xml: 2 with it, dated the
  // tick's day: the first day the stop lies within a month, not the next day the batch reaches.
  REQUIRE(outcome.cak.size() == 2);
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<ieb:Dagtekening>2026-12-01</ieb:Dagtekening>"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<EbStopdatum>2026-12-31</EbStopdatum>"));
  expectScenario("15-tick-sends-the-stop", outcome);
}

TEST_CASE("ieb scenario: a stop and a restart on one day give one change that day, the net of the rest the next "
          "day (issue 17)",
          "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"02-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
      {"03-WMO305.xml", iwmo::test::wmo305(header("ST-2", "2026-07-02"), {line(101, "02", "02A01", "2026-07-01", "", "2026-07-01")})},
  }, "");
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(outcome.out / "summary.json"));
  INFO(summary.dump());
  CHECK_THAT(iwmo::test::readFile(outcome.out / "routing.log"), Catch::Contains("EB-SAME-DAY"));
  CHECK(summary["ieb"]["attention_open"] == 0);
  // 01: the start; 02: the stop on 2026-07-02; 03: the restart's net (no stop) on 2026-07-03, the
  // day after (the replay's last tick), never a second change on 2026-07-02.
  REQUIRE(outcome.cak.size() == 3);
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<ieb:Dagtekening>2026-07-02<"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<EbStopdatum>2026-06-30<"));
  CHECK_THAT(outcome.cak[2].second, Catch::Contains("<ieb:Dagtekening>2026-07-03<"));
  CHECK(outcome.cak[2].second.find("EbStopdatum") == std::string::npos);
  expectScenario("16-same-day-net-change", outcome);
}

TEST_CASE("ieb scenario: on the batch clock the end of the batch sends what waited for the next day (issue 14)",
          "[integration][ieb]") {
  // The batch clock puts every message on --clock-start's day: the stop waits (EB-SAME-DAY) and
  // goes out with the tick of the day after the batch, never lost.
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-07-01"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"02-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-01"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
  }, "", "[\"0599\"]", "batch --clock-start 2026-07-02T08:00:00Z");
  INFO(iwmo::test::readFile(outcome.out / "routing.log"));
  REQUIRE(outcome.cak.size() == 2);
  CHECK_THAT(outcome.cak[0].second, Catch::Contains("<ieb:Dagtekening>2026-07-02<"));
  CHECK(outcome.cak[0].second.find("EbStopdatum") == std::string::npos);
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<ieb:Dagtekening>2026-07-03<"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<EbStopdatum>2026-06-30<"));
}

TEST_CASE("ieb scenario: a replay ticks every day between the batch's days, not only the days it reaches (issue 14)",
          "[integration][ieb]") {
  // The stop of 2026-07-02 waits for the next day (EB-SAME-DAY); the batch's next message is of
  // 2026-07-06, but the stop goes out on 2026-07-03, as the daemon would have sent it.
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
      {"02-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
      {"03-WMO305.xml", iwmo::test::wmo305(header("ST-2", "2026-07-06"), {line(101, "02", "02A01", "2026-07-01", "", "2026-07-01")})},
  }, "");
  INFO(iwmo::test::readFile(outcome.out / "routing.log"));
  REQUIRE(outcome.cak.size() == 3);
  CHECK_THAT(outcome.cak[0].second, Catch::Contains("<ieb:Dagtekening>2026-07-02<"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<ieb:Dagtekening>2026-07-03<"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("<EbStopdatum>2026-06-30<"));
  CHECK_THAT(outcome.cak[2].second, Catch::Contains("<ieb:Dagtekening>2026-07-06<"));
  CHECK(outcome.cak[2].second.find("EbStopdatum") == std::string::npos);
}

TEST_CASE("ieb scenario: the kostprijs of a woningaanpassing follows the WMO301 Budget (issue 17)", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  ProductLine traplift = line(100, "13", "", "2026-03-01", "2026-08-31");  // a Budget: no code (CD041)
  traplift.budget = "412500";
  ProductLine plain = line(101, "13", "13A02", "2026-05-01", "2026-08-31");  // no Budget: the tariff
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {traplift})},
      {"02-WMO301.xml", iwmo::test::wmo301(header("TW-2", "2026-04-20"), {plain})},
  }, "[eigen_bijdrage]\npolicies = [ { categorie = \"13\", start_at = \"toewijzing\", capped = true, kostprijs = 57000 } ]\n");
  INFO(iwmo::test::readFile(outcome.out / "routing.log"));
  REQUIRE(outcome.cak.size() == 2);
  CHECK_THAT(outcome.cak[0].second, Catch::Contains("KostprijsBedrag>412500</"));
  CHECK_THAT(outcome.cak[1].second, Catch::Contains("KostprijsBedrag>469500</"));  // 412500 + 57000
  expectScenario("14-kostprijs-budget", outcome);
}

TEST_CASE("ieb scenario: a duplicate WMO305 sends nothing twice", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const std::string start = iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")});
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01")})},
      {"02-WMO305.xml", start},
      {"03-WMO305.xml", start},  // the same message again (same Identificatie): a duplicate
      {"04-WMO305.xml", iwmo::test::wmo305(header("ST-2", "2026-03-06"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
  }, "");
  expectScenario("10-duplicate-305", outcome);
}

TEST_CASE("ieb scenario: a WMO307 before its WMO305", "[integration][ieb]") {
  iwmo::test::TempDir dir;
  const auto outcome = runScenario(dir, {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line(100, "02", "02A01", "2026-03-01")})},
      {"02-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line(100, "02", "02A01", "2026-03-01", "2026-06-30", "2026-03-02")})},
      {"03-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-07-03"), {line(100, "02", "02A01", "2026-03-01", "", "2026-03-02")})},
  }, "");
  expectScenario("11-out-of-order", outcome);
}

namespace {

// What the CAK holds for client 999948714 on adoption day: an AT and a BW period of 0599.
const char* const kCakPeriods =
    "# exported from the CAK portal on adoption day\n"
    "bsn,kind,afzender,start_nummer,startdatum,stopdatum\n"
    "999948714,AT,0599,7001,2025-03-01,\n"
    "999948714,BW,0599,7002,2025-09-01,\n";

// The client's first messages through the gateway: an AT and a BW provision start, then stop.
std::vector<Message> adoptionDayMessages() {
  return {
      {"01-WMO301.xml", iwmo::test::wmo301(header("TW-1", "2026-10-20"), {line(100, "02", "02A01", "2026-11-01"),
                                                                           line(200, "15", "15B02", "2026-11-01")})},
      {"02-WMO305.xml", iwmo::test::wmo305(header("ST-1", "2026-11-03"), {line(100, "02", "02A01", "2026-11-01", "", "2026-11-02"),
                                                                           line(200, "15", "15B02", "2026-11-01", "", "2026-11-01")})},
      {"03-WMO307.xml", iwmo::test::wmo307(header("SP-1", "2026-12-02"),
                                           {line(100, "02", "02A01", "2026-11-01", "2026-11-30", "2026-11-02"),
                                            line(200, "15", "15B02", "2026-11-01", "2026-11-30", "2026-11-01")})},
  };
}

// Replays `messages` (after `import cak-periods` when `import_first`), then plays the CAK, which
// holds kCakPeriods before the first message (simulate-cak --seed). Returns simulate-cak's lines.
std::vector<nlohmann::json> adoptionDay(const iwmo::test::TempDir& dir, bool import_first, std::string& cak_files) {
  const fs::path batch = dir.path() / "batch";
  for (const Message& message : adoptionDayMessages()) iwmo::test::writeFile(batch / message.name, message.xml);
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const fs::path periods = dir.path() / "cak-periods.csv";
  iwmo::test::writeFile(periods, kCakPeriods);
  const std::string gateway = iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string());
  if (import_first) {
    const auto imported = iwmo::test::runCommand(gateway + " import cak-periods " + iwmo::test::shellQuote(periods.string()));
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    CHECK_THAT(imported.out, Catch::Contains("imported 2 CAK period(s) of 1 client(s)"));
  }
  const fs::path out = dir.path() / "out";
  const auto replay = iwmo::test::runCommand(gateway + " replay " + iwmo::test::shellQuote(batch.string()) +
                                             " --clock dagtekening --out " + iwmo::test::shellQuote(out.string()));
  INFO(replay.out << replay.err);
  REQUIRE(replay.exit_code == 0);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(out / "cak")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) cak_files += iwmo::test::readGgkDocument(iwmo::test::readFile(file)).payload + "\n";
  const auto cak = iwmo::test::runCommand(
      gateway + " simulate-cak --json --today 2026-12-31 --seed " + iwmo::test::shellQuote(periods.string()) + " --in " +
      iwmo::test::shellQuote((out / "cak").string()) + " --out " + iwmo::test::shellQuote((dir.path() / "retours").string()) +
      " --state " + iwmo::test::shellQuote((dir.path() / "cak.sqlite").string()) + " --processed " +
      iwmo::test::shellQuote((dir.path() / "processed").string()));
  INFO(cak.out << cak.err);
  REQUIRE(cak.exit_code == 0);
  std::vector<nlohmann::json> answers;
  std::istringstream lines(cak.out);
  for (std::string text; std::getline(lines, text);) answers.push_back(nlohmann::json::parse(text));
  return answers;
}

}  // namespace

TEST_CASE("ieb scenario: adoption day with the CAK's periods imported sends changes, never an overlapping start "
          "(issue 17)",
          "[integration][ieb][import]") {
  iwmo::test::TempDir dir;
  std::string sent;
  const auto answers = adoptionDay(dir, true, sent);
  INFO(sent);
  // The starts overlap what the CAK has: nothing; the stops: StatusAanlevering 2 on 7001 and 7002.
  REQUIRE(answers.size() == 2);
  for (const auto& answer : answers) {
    INFO(answer.dump());
    CHECK(answer["outcome"] == "accepted");
  }
  CHECK(sent.find("<StatusAanlevering>1<") == std::string::npos);
  CHECK_THAT(sent, Catch::Contains("<EbStartNummer>7001</EbStartNummer>"));
  CHECK_THAT(sent, Catch::Contains("<BwStartNummer>7002</BwStartNummer>"));
  CHECK_THAT(sent, Catch::Contains("2025-03-01"));  // the start stays the CAK's
  CHECK_THAT(sent, Catch::Contains("2026-11-30"));

  // Without the import, the same messages start a second BW period that the CAK refuses (9400).
  iwmo::test::TempDir without;
  std::string sent_without;
  const auto refused = adoptionDay(without, false, sent_without);
  INFO(sent_without);
  bool overlap_refused = false;
  for (const auto& answer : refused) overlap_refused = overlap_refused || answer["codes"].get<std::string>().find("9400") != std::string::npos;
  CHECK(overlap_refused);
}

TEST_CASE("import cak-periods: bad rows are named and nothing is imported, a second import of the file and an "
          "import while the daemon runs are refused",
          "[integration][ieb][import]") {
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), port);
  const std::string gateway = iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " + iwmo::test::shellQuote(config.string());
  const fs::path bad = dir.path() / "bad.csv";
  iwmo::test::writeFile(bad, "bsn,kind,afzender,start_nummer,startdatum,stopdatum\n"
                             "999948714,AT,0599,7001,2025-03-01,\n"
                             "999948714,AT,0599,7003,2025-13-01,\n");
  auto result = iwmo::test::runCommand(gateway + " import cak-periods " + iwmo::test::shellQuote(bad.string()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("bad.csv:3: startdatum '2025-13-01' is not a date"));
  CHECK_THAT(result.err, Catch::Contains("nothing imported"));
  CHECK(result.err.find("999948714") == std::string::npos);

  const fs::path good = dir.path() / "good.csv";
  iwmo::test::writeFile(good, kCakPeriods);
  result = iwmo::test::runCommand(gateway + " import cak-periods " + iwmo::test::shellQuote(good.string()));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  result = iwmo::test::runCommand(gateway + " import cak-periods " + iwmo::test::shellQuote(good.string()));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("good.csv:3: the journal already holds AT period 7001 for this client (imported before)"));

  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(iwmo::test::waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first == 200; }, std::chrono::seconds(20)));
  const fs::path more = dir.path() / "more.csv";
  iwmo::test::writeFile(more, "bsn,kind,afzender,start_nummer,startdatum\n999990007,AT,0599,12,2025-01-01\n");
  result = iwmo::test::runCommand(gateway + " import cak-periods " + iwmo::test::shellQuote(more.string()));
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("is running on"));
  CHECK_THAT(result.err, Catch::Contains("(pid " + std::to_string(daemon.pid()) + ")"));
  CHECK_THAT(result.err, Catch::Contains("stop it (systemctl stop iwmo-gateway), import, then start it again"));
  CHECK(daemon.terminate() == 0);
}
