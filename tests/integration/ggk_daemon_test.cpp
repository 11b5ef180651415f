// Issue 6 end to end: the daemon between a back office and the GGk, with StUF-GGk envelopes in
// real directories. A provider's WMO305 arrives as a Di01 envelope file; the back office gets the
// payload; its WMO306 leaves as a Du01 whose crossRefnummer is the Di01's referentienummer; a
// broken WMO305 gets a Fo01 StUF055; a bad BSN gets a WMO306 with 0001; a reused Identificatie
// gets the 9056 retour; a Fo01 from the chain is matched to what it concerns. Every document the
// gateway wrote is read back with the envelope reader (our schemas) and, when the reference
// material is there, validated against the official StUF-GGk schemas; every retour payload is
// validated against schemas/iwmo-3.2.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <sstream>

#include "adapters/iwmo/retour_writer.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "support/daemon_process.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

constexpr const char* kAanbieder = "42420001";
constexpr const char* kRef305 = "0f8fad5b-d9cb-469f-a165-70867728950e";
constexpr const char* kRefBroken = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
constexpr const char* kRefBadBsn = "16fd2706-8baf-433b-82eb-8c7fada847da";
constexpr const char* kRefDuplicate = "886313e1-3b8a-4372-9b90-0c9aee199e5d";
constexpr const char* kRefFo01 = "a8098c1a-f86e-41d5-8b1c-5f0f2e0d1a61";
constexpr const char* kRefUnknownRetour = "5b8e4c1d-2f3a-4e6b-9c7d-1a2b3c4d5e6f";

struct Gateway {
  iwmo::test::TempDir dir;
  int port = iwmo::test::freeLocalPort();
  fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port);
  iwmo::test::DaemonProcess daemon{config, dir.path() / "daemon.log"};

  fs::path fromGgk() const { return dir.path() / "ggk/download"; }
  fs::path toGgk() const { return dir.path() / "ggk/upload"; }
  fs::path fromBackoffice() const { return dir.path() / "backoffice/outbox"; }
  fs::path toBackoffice() const { return dir.path() / "backoffice/inbox"; }
  fs::path rejected() const { return dir.path() / "rejected"; }
  std::string logText() const { return iwmo::test::readFile(dir.path() / "daemon.log"); }
  iwmo::test::CommandResult cli(const std::string& args) const {
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " " + args);
  }
  bool ready() const { return iwmo::test::httpGet(port, "/healthz").first == 200; }
};

iwmo::test::MessageHeader header305(const std::string& identificatie) {
  iwmo::test::MessageHeader header;
  header.identificatie = identificatie;
  header.dagtekening = "2026-11-20";
  header.aanbieder = kAanbieder;
  return header;
}

std::string start305(const iwmo::test::MessageHeader& header, const std::string& begindatum = "2026-11-16") {
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 4711;
  line.ingangsdatum = "2026-11-01";
  line.begindatum = begindatum;
  return iwmo::test::wmo305(header, {line});
}

iwmo::proto::Envelope readPayload(const std::string& payload) {
  return iwmo::test::validateWithProjectSchemas(payload);  // iWmo and iEb schemas, cached
}

// The official StUF-GGk schemas accept `bytes` (skipped, with a warning, without the reference).
void checkOfficialStuf(const std::string& bytes) {
  const auto official = iwmo::test::officialStufSchemaDir();
  if (!official) return;
  auto schemas = iwmo::adapters::xml::SchemaSet::load(*official);
  REQUIRE(schemas.hasValue());
  auto parser = iwmo::adapters::xml::ValidatingParser::create(*schemas);
  REQUIRE(parser.hasValue());
  iwmo::adapters::xml::ParseOutcome outcome;
  (*parser)->parse(bytes, outcome);
  std::string problems;
  for (const auto& problem : outcome.problems) problems += problem.path + ": " + problem.message + "\n";
  INFO(problems);
  CHECK(outcome.problems.empty());
}

// What the gateway put in ggk/upload, read back, keyed by crossRefnummer.
std::map<std::string, iwmo::test::ReadDocument> uploadsByCrossRef(const Gateway& gw) {
  std::map<std::string, iwmo::test::ReadDocument> out;
  for (const auto& file : filesIn(gw.toGgk())) {
    const std::string bytes = iwmo::test::readFile(file);
    iwmo::test::ReadDocument document = iwmo::test::readGgkDocument(bytes);
    // <tijdstip>_<functie>_<referentienummer>.xml
    CHECK(file.filename().string().size() == 17 + 1 + document.functie.size() + 1 + 36 + 4);
    CHECK_THAT(file.filename().string(), Catch::EndsWith("_" + document.functie + "_" + document.referentienummer + ".xml"));
    checkOfficialStuf(bytes);
    out[document.cross_refnummer] = std::move(document);
  }
  return out;
}

std::vector<std::string> codes(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

}  // namespace

TEST_CASE("ggk: envelopes in, payloads to the back office, Du01 / Fo01 / technical retours out",
          "[integration][ggk]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  INFO(gw.logText());

  // 1. A provider's WMO305 in a Di01: the back office gets exactly the payload, bare.
  const std::string wmo305 = start305(header305("AB0000000101"));
  iwmo::test::dropFile(gw.fromGgk(), "di01-305.xml", iwmo::test::wrapDi01(wmo305, "WMO305", kAanbieder, "0599", kRef305));
  REQUIRE(waitFor([&] { return filesIn(gw.toBackoffice()).size() == 1; }, std::chrono::seconds(20)));
  CHECK(iwmo::test::readFile(filesIn(gw.toBackoffice())[0]) == wmo305);
  CHECK(filesIn(gw.fromGgk()).empty());

  // 2. The back office answers with its WMO306 (all approved: header only): it leaves as a Du01
  //    to the provider, crossRefnummer = the Di01's referentienummer, the payload unchanged.
  iwmo::adapters::iwmo::TechnicalRetourRequest approve;
  approve.identificatie_retour = "BO0000000201";
  approve.dagtekening_retour = *iwmo::Date::parse("2026-11-21");
  auto wmo306 = iwmo::adapters::iwmo::writeTechnicalRetour(wmo305, approve);
  REQUIRE(wmo306.hasValue());
  iwmo::test::dropFile(gw.fromBackoffice(), "wmo306.xml", *wmo306);
  REQUIRE(waitFor([&] { return filesIn(gw.toGgk()).size() == 1; }, std::chrono::seconds(20)));
  {
    auto uploads = uploadsByCrossRef(gw);
    REQUIRE(uploads.count(kRef305) == 1);
    const auto& du01 = uploads[kRef305];
    CHECK(du01.kind == "Du01");
    CHECK(du01.functie == "WMO306");
    CHECK(du01.zender == "0599");
    CHECK(du01.ontvanger == kAanbieder);
    CHECK(du01.payload == *wmo306);
  }

  // 3. A broken WMO305 (not schema-valid): a Fo01 StUF055 to the provider, nothing to the back
  //    office, the payload and a report in the rejected area.
  std::string broken = start305(header305("AB0000000102"));
  broken = iwmo::test::replaceFirst(broken, "<wmo305:Begindatum>2026-11-16</wmo305:Begindatum>",
                                    "<wmo305:Begindatum>16-11-2026</wmo305:Begindatum>");
  iwmo::test::dropFile(gw.fromGgk(), "di01-broken.xml", iwmo::test::wrapDi01(broken, "WMO305", kAanbieder, "0599", kRefBroken));

  // 4. A WMO305 with a BSN that fails the elfproef: a WMO306 with 0001 in the header only.
  iwmo::test::MessageHeader bad_bsn = header305("AB0000000103");
  bad_bsn.bsn = "123456789";
  iwmo::test::dropFile(gw.fromGgk(), "di01-bsn.xml",
                       iwmo::test::wrapDi01(start305(bad_bsn), "WMO305", kAanbieder, "0599", kRefBadBsn));

  // 5. Another WMO305 reusing step 1's Identificatie: the 9056 retour, the whole message echoed.
  const std::string reused = start305(header305("AB0000000101"), "2026-11-17");
  iwmo::test::dropFile(gw.fromGgk(), "di01-dup.xml", iwmo::test::wrapDi01(reused, "WMO305", kAanbieder, "0599", kRefDuplicate));

  REQUIRE(waitFor([&] { return filesIn(gw.toGgk()).size() == 4; }, std::chrono::seconds(30)));
  auto uploads = uploadsByCrossRef(gw);
  CHECK(filesIn(gw.toBackoffice()).size() == 1);  // none of the three reached the back office

  REQUIRE(uploads.count(kRefBroken) == 1);
  const auto& fo01 = uploads[kRefBroken];
  CHECK(fo01.kind == "Fo01");
  CHECK(fo01.fo01_code == "StUF055");
  CHECK(fo01.ontvanger == kAanbieder);
  CHECK(fo01.zender == "0599");
  CHECK_THAT(fo01.fo01_omschrijving, Catch::StartsWith("Berichtbody is niet conform schema in sectormodel"));

  REQUIRE(uploads.count(kRefBadBsn) == 1);
  const auto& retour_0001 = uploads[kRefBadBsn];
  CHECK(retour_0001.kind == "Du01");
  CHECK(retour_0001.functie == "WMO306");
  CHECK(retour_0001.ontvanger == kAanbieder);
  {
    const iwmo::proto::Envelope read = readPayload(retour_0001.payload);
    INFO(retour_0001.payload);
    CHECK(read.verdict().level() != 1);  // schema-valid
    CHECK(read.summary().message_type() == "WMO306");
    CHECK(read.summary().header().identificatie() == "AB0000000103");
    CHECK(codes(read.summary().header().retour_codes()) == std::vector<std::string>{"0001"});
    CHECK(read.summary().client().bsn().empty());  // header only (IV032)
  }

  REQUIRE(uploads.count(kRefDuplicate) == 1);
  const auto& retour_9056 = uploads[kRefDuplicate];
  CHECK(retour_9056.functie == "WMO306");
  CHECK(retour_9056.ontvanger == kAanbieder);
  {
    const iwmo::proto::Envelope read = readPayload(retour_9056.payload);
    INFO(retour_9056.payload);
    CHECK(read.verdict().valid());
    CHECK(read.summary().message_type() == "WMO306");
    CHECK(codes(read.summary().header().retour_codes()) == std::vector<std::string>{"9056"});
    CHECK(codes(read.summary().client().retour_codes()) == std::vector<std::string>{"0200"});
    REQUIRE(read.summary().products_size() == 1);
    CHECK(read.summary().products(0).begindatum() == "2026-11-17");
    CHECK(codes(read.summary().products(0).retour_codes()) == std::vector<std::string>{"0200"});
  }

  // The rejected area has each refused payload with a report; the routing log says which answer
  // went where and never shows a BSN.
  std::string reports;
  for (const auto& file : filesIn(gw.rejected())) {
    if (file.extension() == ".txt") reports += iwmo::test::readFile(file);
  }
  CHECK_THAT(reports, Catch::Contains("REJECT-LEVEL-1"));
  CHECK_THAT(reports, Catch::Contains("REJECT-LEVEL-2"));
  CHECK_THAT(reports, Catch::Contains("REJECT-DUPLICATE"));
  REQUIRE(waitFor([&] {
    const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
    return log.find("ANSWER-RETOUR-9056") != std::string::npos;
  }, std::chrono::seconds(10)));
  const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
  for (const char* rule : {"ANSWER-FO01-STUF055", "ANSWER-RETOUR-0001", "ANSWER-RETOUR-9056", "GGK-WRAP-DU01"}) {
    CHECK_THAT(log, Catch::Contains(rule));
  }
  CHECK_THAT(log, !Catch::Contains("999948714"));
  CHECK_THAT(log, !Catch::Contains("123456789"));
  auto explain = gw.cli("explain AB0000000103");
  CHECK(explain.exit_code == 0);
  CHECK_THAT(explain.out, Catch::Contains("ANSWER-RETOUR-0001"));
  CHECK_THAT(explain.out, Catch::Contains(std::string("envelope   Di01 ") + kRefBadBsn + " from 42420001 to 0599"));

  // 5b. The same Di01 delivered again (another file name, same bytes): a redelivery, not a reused
  //     Identificatie: no second answer.
  iwmo::test::dropFile(gw.fromGgk(), "di01-dup-again.xml",
                       iwmo::test::wrapDi01(reused, "WMO305", kAanbieder, "0599", kRefDuplicate));
  REQUIRE(waitFor([&] {
    return iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("redelivery of message") != std::string::npos;
  }, std::chrono::seconds(20)));
  CHECK(filesIn(gw.toGgk()).size() == 4);

  // Step 6 readdresses the official Fo01 example: without the reference material it is skipped (said above).
  if (iwmo::test::stufReferenceDir()) {
    // 6. A Fo01 from the chain about the Du01 of step 2: matched, listed for operators, closable.
    const std::string our_du01 = [&] {
      for (const auto& [cross, document] : uploads) {
        if (cross == kRef305) return document.referentienummer;
      }
      return std::string();
    }();
    REQUIRE(!our_du01.empty());
    std::string chain_fo01 = iwmo::test::stufExample("Fo01.xml");
    {
      // The official example, readdressed: from the GGk's IB to us, about our Du01.
      const iwmo::test::ReadDocument example = iwmo::test::readGgkDocument(chain_fo01);
      chain_fo01 = iwmo::test::replaceFirst(chain_fo01, example.cross_refnummer, our_du01);
      chain_fo01 = iwmo::test::replaceFirst(chain_fo01, example.referentienummer, kRefFo01);
    }
    const iwmo::test::ReadDocument chain_error = iwmo::test::readGgkDocument(chain_fo01);
    iwmo::test::dropFile(gw.fromGgk(), "fo01.xml", chain_fo01);
    REQUIRE(waitFor([&] { return gw.cli("ggk errors --json").out.find(chain_error.fo01_code) != std::string::npos; },
                    std::chrono::seconds(20)));
    {
      auto listed = gw.cli("ggk errors --json");
      REQUIRE(listed.exit_code == 0);
      const auto line = nlohmann::json::parse(listed.out.substr(0, listed.out.find('\n')));
      CHECK(line["code"] == chain_error.fo01_code);
      CHECK(line["matched"] == true);
      CHECK(line["concerns"]["functie"] == "WMO306");
      CHECK(line["concerns"]["kind"] == "Du01");
      CHECK(line["concerns"]["referentienummer"] == our_du01);
      CHECK(line["concerns"]["identificatie"] == "BO0000000201");
      CHECK_THAT(iwmo::test::httpGet(gw.port, "/metrics").second, Catch::Contains("iwmo_ggk_errors_open 1"));
      auto human = gw.cli("ggk errors");
      CHECK_THAT(human.out, Catch::Contains("concerns: WMO306 BO0000000201 to 42420001"));
      auto done = gw.cli("ggk done " + std::to_string(line["id"].get<int>()) + " --note \"resent by the back office\"");
      CHECK(done.exit_code == 0);
      CHECK_THAT(gw.cli("ggk errors").out, Catch::Contains("no open Fo01 errors"));
    }
    CHECK(filesIn(gw.toGgk()).size() == 4);  // a Fo01 is never answered
  }

  // 7. A provider's WMO302 in a Du01 whose crossRefnummer names nothing the gateway sent:
  //    refused (level 3, a retour for an unknown heen message), not passed to the back office.
  iwmo::test::MessageHeader toewijzing;
  toewijzing.identificatie = "GM0000000301";
  toewijzing.dagtekening = "2026-11-20";
  toewijzing.aanbieder = kAanbieder;
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 4711;
  line.ingangsdatum = "2026-11-01";
  const std::string wmo301 = iwmo::test::wmo301(toewijzing, {line});
  iwmo::adapters::iwmo::TechnicalRetourRequest ok302;
  ok302.identificatie_retour = "AB0000000302";
  ok302.dagtekening_retour = *iwmo::Date::parse("2026-11-21");
  auto wmo302 = iwmo::adapters::iwmo::writeTechnicalRetour(wmo301, ok302);
  REQUIRE(wmo302.hasValue());
  iwmo::test::dropFile(gw.fromGgk(), "du01-302.xml",
                       iwmo::test::wrapDu01(*wmo302, "WMO302", kAanbieder, "0599", kRefUnknownRetour,
                                            "11111111-2222-4333-8444-555555555555"));
  REQUIRE(waitFor([&] {
    return iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("REJECT-UNKNOWN-HEEN") != std::string::npos;
  }, std::chrono::seconds(20)));
  CHECK(filesIn(gw.toBackoffice()).size() == 1);

  // 8. A back-office retour for a heen message the gateway never received is refused: it has no
  //    envelope to answer.
  iwmo::adapters::iwmo::TechnicalRetourRequest orphan;
  orphan.identificatie_retour = "BO0000000202";
  orphan.dagtekening_retour = *iwmo::Date::parse("2026-11-21");
  auto orphan306 = iwmo::adapters::iwmo::writeTechnicalRetour(start305(header305("AB0000009999")), orphan);
  REQUIRE(orphan306.hasValue());
  iwmo::test::dropFile(gw.fromBackoffice(), "orphan306.xml", *orphan306);
  REQUIRE(waitFor([&] {
    std::string all;
    for (const auto& file : filesIn(gw.rejected())) all += iwmo::test::readFile(file);
    return all.find("never received") != std::string::npos;
  }, std::chrono::seconds(20)));
  CHECK(filesIn(gw.toGgk()).size() == 4);

  auto check = iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " config check " +
                                      iwmo::test::shellQuote(gw.config.string()));
  CHECK(check.exit_code == 0);
  CHECK_THAT(check.out, Catch::Contains("StUF-GGk      envelopes as each message's own_gemeente (iwmo-gateway 0001/0000), functieVersie 0003/0002"));
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("ggk: a gateway for two municipalities answers as the one the envelope was for",
          "[integration][ggk]") {
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port, "", "[\"0599\", \"0363\"]");
  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first == 200; }, std::chrono::seconds(20)));
  iwmo::test::MessageHeader header = header305("AB0000000701");
  header.gemeente = "0363";
  header.bsn = "123456789";  // fails the elfproef: the retour with 0001
  iwmo::test::dropFile(dir.path() / "ggk/download", "di01.xml",
                       iwmo::test::wrapDi01(start305(header), "WMO305", kAanbieder, "0363", kRefBadBsn));
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  const auto du01 = iwmo::test::readGgkDocument(iwmo::test::readFile(filesIn(dir.path() / "ggk/upload")[0]));
  CHECK(du01.functie == "WMO306");
  CHECK(du01.zender == "0363");  // not the first own_gemeente
  CHECK(du01.ontvanger == kAanbieder);
  CHECK(du01.cross_refnummer == kRefBadBsn);
  CHECK(daemon.terminate() == 0);
}

TEST_CASE("ggk wrap / unwrap: a message in a Di01 and back, refusals say why", "[integration][ggk][cli]") {
  iwmo::test::TempDir dir;
  const fs::path config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const auto gateway = [&](const std::string& args) {
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " " + args);
  };
  const std::string wmo305 = start305(header305("AB0000000801"));
  iwmo::test::writeFile(dir.path() / "305.xml", wmo305);
  auto wrapped = gateway("ggk wrap " + (dir.path() / "305.xml").string() + " --zender 42420001 --ontvanger 0599 "
                         "--referentienummer " + kRef305);
  INFO(wrapped.err);
  REQUIRE(wrapped.exit_code == 0);
  const auto read = iwmo::test::readGgkDocument(wrapped.out);
  CHECK(read.kind == "Di01");
  CHECK(read.referentienummer == kRef305);
  CHECK(read.zender == "42420001");
  CHECK(read.payload == wmo305);
  checkOfficialStuf(wrapped.out);
  iwmo::test::writeFile(dir.path() / "di01.xml", wrapped.out);
  auto unwrapped = gateway("ggk unwrap " + (dir.path() / "di01.xml").string());
  CHECK(unwrapped.exit_code == 0);
  CHECK(unwrapped.out == wmo305);
  CHECK_THAT(unwrapped.err, Catch::Contains(std::string("Di01 ") + kRef305 + " (WMO305 from 42420001 to 0599)"));

  // A broken envelope: the element and the rule.
  iwmo::test::writeFile(dir.path() / "broken.xml",
                        iwmo::test::replaceFirst(wrapped.out, "<GGK:xmlBestand>", "<GGK:xmlBestand>!!"));
  auto broken = gateway("ggk unwrap " + (dir.path() / "broken.xml").string());
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.err, Catch::Contains("xmlBestand"));
  // A schema-invalid message is not wrapped unless asked.
  iwmo::test::writeFile(dir.path() / "bad.xml", iwmo::test::replaceFirst(wmo305, "2026-11-16", "16-11-2026"));
  auto bad = gateway("ggk wrap " + (dir.path() / "bad.xml").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("--allow-invalid"));
  CHECK(gateway("ggk wrap --allow-invalid " + (dir.path() / "bad.xml").string()).exit_code == 0);
  // A retour needs its addressee and the Di01 it answers.
  iwmo::adapters::iwmo::TechnicalRetourRequest approve;
  approve.identificatie_retour = "BO0000000801";
  approve.dagtekening_retour = *iwmo::Date::parse("2026-11-21");
  iwmo::test::writeFile(dir.path() / "306.xml", *iwmo::adapters::iwmo::writeTechnicalRetour(wmo305, approve));
  auto retour = gateway("ggk wrap " + (dir.path() / "306.xml").string());
  CHECK(retour.exit_code == 1);
  CHECK_THAT(retour.err, Catch::Contains("--ontvanger"));
  auto du01 = gateway("ggk wrap " + (dir.path() / "306.xml").string() + " --ontvanger 42420001 --cross-ref " + kRef305);
  CHECK(du01.exit_code == 0);
  CHECK(iwmo::test::readGgkDocument(du01.out).cross_refnummer == kRef305);
}
