// Eigen bijdrage in the running daemon (issue 4): a toewijzing and its start dropped in the real
// receive directories give a WMO405 in the CAK outbox; `iwmo-gateway simulate-cak` plays the CAK
// and rejects it (the CAK already holds that EbStartNummer: TR102, retour 9102); the daemon
// picks the WMO406 up from the CAK directory, matches it to what it sent, and the operator sees
// the rejection with the code's meaning in `ieb rejected`, `explain` and the routing log (no
// BSN in clear). A second, correct message is accepted and leaves `ieb pending`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sqlite3.h>

#include <ctime>
#include <set>
#include <sstream>

#include "adapters/ieb/ieb_writer.h"
#include "gateway/base/date.h"
#include "support/daemon_process.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

struct Gateway {
  iwmo::test::TempDir dir;
  int port = iwmo::test::freeLocalPort();
  fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port);
  iwmo::test::DaemonProcess daemon{config, dir.path() / "daemon.log"};

  iwmo::test::CommandResult cli(const std::string& args) const {
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " " + args);
  }
  bool ready() const { return iwmo::test::httpGet(port, "/healthz").first == 200; }
};

std::vector<nlohmann::json> jsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

iwmo::Date today() {
  return iwmo::Date::fromDays(static_cast<long>(std::time(nullptr) / 86400));
}

}  // namespace

TEST_CASE("daemon: a WMO405 the CAK rejects reaches the operator with the EB001 meaning", "[integration][daemon][ieb]") {
  Gateway gw;
  const iwmo::Date start = today().plusDays(-20);
  const std::string bsn = "999948714";

  // The CAK already holds EbStartNummer 21 of this client (e.g. from a journal that was reset):
  // the gateway's first period (message #2 -> 2 * 10 + 1) will collide with it.
  {
    iwmo::proto::EbRecord held;
    held.set_bsn(bsn);
    held.set_kind("AT");
    held.set_status_aanlevering("1");
    held.set_start_nummer(21);
    held.set_startdatum(start.plusDays(-30).toString());
    iwmo::test::writeFile(gw.dir.path() / "seed/01-old.xml",
                          iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "OLD-1", today().plusDays(-40)}, {held}));
    const auto seeded = gw.cli("simulate-cak --in " + iwmo::test::shellQuote((gw.dir.path() / "seed").string()) +
                               " --out " + iwmo::test::shellQuote((gw.dir.path() / "seed-out").string()));
    INFO(seeded.out << seeded.err);
    REQUIRE(seeded.exit_code == 0);
    REQUIRE_THAT(seeded.out, Catch::Contains("accepted"));
  }

  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  iwmo::test::MessageHeader h301;
  h301.identificatie = "TW-D1";
  h301.dagtekening = start.plusDays(-5).toString();
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 700;
  line.ingangsdatum = start.toString();
  iwmo::test::dropFile(gw.dir.path() / "backoffice/outbox", "301.xml", iwmo::test::wmo301(h301, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  iwmo::test::MessageHeader h305 = h301;
  h305.identificatie = "ST-D1";
  h305.dagtekening = start.plusDays(2).toString();
  line.begindatum = start.plusDays(1).toString();
  iwmo::test::dropFile(gw.dir.path() / "ggk/download", "305.xml", iwmo::test::wmo305(h305, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "cak/upload").size() == 1; }, std::chrono::seconds(20)));
  // It leaves in a Di01 envelope to the CAK, from the municipality (through the GGk, DESIGN §2.3).
  const iwmo::test::ReadDocument di01 =
      iwmo::test::readGgkDocument(iwmo::test::readFile(filesIn(gw.dir.path() / "cak/upload").front()));
  CHECK(di01.kind == "Di01");
  CHECK(di01.functie == "WMO405");
  CHECK(di01.ontvanger == "CAK");
  CHECK(di01.zender == "0599");
  const std::string& wmo405 = di01.payload;
  CHECK_THAT(wmo405, Catch::Contains("<EbStartNummer>21</EbStartNummer>"));
  CHECK_THAT(wmo405, Catch::Contains("<EbStartdatum>" + start.plusDays(1).toString() + "</EbStartdatum>"));

  // Waiting for the CAK: pending, not overdue.
  const auto pending = gw.cli("ieb pending --json");
  INFO(pending.out << pending.err);
  REQUIRE(pending.exit_code == 0);
  const auto pending_lines = jsonLines(pending.out);
  REQUIRE(pending_lines.size() == 1);
  CHECK(pending_lines[0]["kind"] == "awaiting-retour");
  CHECK(pending_lines[0]["overdue"] == false);
  CHECK(pending_lines[0]["client"] != bsn);

  // The CAK answers: 9102, the key is not unique for a new aanlevering.
  const auto cak = gw.cli("simulate-cak --json");
  INFO(cak.out << cak.err);
  REQUIRE(cak.exit_code == 0);
  const auto answers = jsonLines(cak.out);
  REQUIRE(answers.size() == 1);
  CHECK(answers[0]["outcome"] == "rejected");
  CHECK(answers[0]["codes"] == "9102");
  CHECK(answers[0]["cross_refnummer"] == di01.referentienummer);
  CHECK(filesIn(gw.dir.path() / "cak/upload").empty());  // the CAK took it

  // The daemon picks the WMO406 up and surfaces the rejection.
  std::vector<nlohmann::json> rejected;
  REQUIRE(waitFor([&] {
    rejected = jsonLines(gw.cli("ieb rejected --json").out);
    return !rejected.empty();
  }, std::chrono::seconds(20)));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0]["kind"] == "rejected");
  CHECK(rejected[0]["rule"] == "EB-CAK-REJECTED");
  const std::string summary = rejected[0]["summary"];
  CHECK_THAT(summary, Catch::Contains("9102"));
  CHECK_THAT(summary, Catch::Contains("technische regel 102"));
  CHECK(summary.find(bsn) == std::string::npos);
  CHECK(jsonLines(gw.cli("ieb pending --json").out).empty());  // answered, nothing waits

  // explain by the heen Identificatie finds the retour (it repeats the header) and its decision.
  const auto explained = gw.cli("explain EB2-1");
  INFO(explained.out << explained.err);
  REQUIRE(explained.exit_code == 0);
  CHECK_THAT(explained.out, Catch::Contains("WMO406"));
  CHECK_THAT(explained.out, Catch::Contains("rejected-by-cak"));
  CHECK_THAT(explained.out, Catch::Contains("9102"));
  // The routing log says so too, without the BSN.
  REQUIRE(waitFor([&] {
    const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
    return log.find("EB-RETOUR-REJECTED") != std::string::npos;
  }, std::chrono::seconds(20)));
  const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
  CHECK(log.find(bsn) == std::string::npos);
  CHECK_THAT(log, Catch::Contains("eigen-bijdrage"));

  // /metrics counts the records by type and state, from the journal.
  const auto metrics = iwmo::test::httpGet(gw.port, "/metrics");
  REQUIRE(metrics.first == 200);
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_ieb_records{type=\"WMO405\",state=\"rejected\"} 1"));
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_ieb_records{type=\"WMO405\",state=\"sent\"} 1"));
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_ieb_attention_open 1"));

  // The operator closes the item.
  const auto done = gw.cli("ieb done " + std::to_string(rejected[0]["id"].get<std::uint64_t>()) +
                           " --note \"renumbered with the CAK\"");
  INFO(done.out << done.err);
  CHECK(done.exit_code == 0);
  CHECK(jsonLines(gw.cli("ieb rejected --json").out).empty());

  // The rest readdresses the official Fo01 example: without the reference material it is skipped
  // (stufReferenceDir says so).
  if (!iwmo::test::stufReferenceDir()) return;

  // Through the GGk, the CAK's side is answered like the providers': a Fo01 about our Di01 is
  // matched to the WMO405 it concerns ...
  std::string fo01 = iwmo::test::stufExample("Fo01.xml");
  {
    const iwmo::test::ReadDocument example = iwmo::test::readGgkDocument(fo01);
    fo01 = iwmo::test::replaceFirst(fo01, example.cross_refnummer, di01.referentienummer);
    fo01 = iwmo::test::replaceFirst(fo01, example.referentienummer, "5e0c9a1b-2d3f-4a6b-8c7d-9e0f1a2b3c4d");
  }
  iwmo::test::dropFile(gw.dir.path() / "cak/download", "fo01.xml", fo01);
  std::vector<nlohmann::json> errors;
  REQUIRE(waitFor([&] {
    errors = jsonLines(gw.cli("ggk errors --json").out);
    return !errors.empty();
  }, std::chrono::seconds(20)));
  CHECK(errors[0]["matched"] == true);
  CHECK(errors[0]["concerns"]["functie"] == "WMO405");
  CHECK(errors[0]["concerns"]["kind"] == "Di01");
  CHECK(errors[0]["concerns"]["ontvanger"] == "CAK");
  CHECK(errors[0]["concerns"]["identificatie"] == "EB2-1");  // the WMO405's own, not the WMO305's
  // ... and a Du01 whose crossRefnummer names no Di01 we sent is refused, not read as an answer,
  // also when it comes through the providers' channel (one adapter for the whole GGk): its zender
  // CAK makes it the CAK's, so it is not refused for its direction.
  const iwmo::proto::Envelope heen = iwmo::test::validateWithProjectSchemas(wmo405);
  REQUIRE(heen.verdict().valid());
  const std::string stray = iwmo::test::wrapDu01(
      iwmo::adapters::ieb::writeRetour(heen.summary(), "CAK-STRAY", today(), {}, {}), "WMO406", "CAK", "0599",
      "6f1d0b2c-3e4a-4b5c-9d6e-0f1a2b3c4d5e", "7a2e1c3d-4f5b-4c6d-8e7f-1a2b3c4d5e6f");
  iwmo::test::dropFile(gw.dir.path() / "ggk/download", "stray.xml", stray);
  REQUIRE(waitFor([&] {
    return iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("REJECT-UNKNOWN-HEEN") != std::string::npos;
  }, std::chrono::seconds(20)));
  CHECK(iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("REJECT-DIRECTION") == std::string::npos);
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: a new journal cannot reuse the start numbers of an earlier one (issue 14)",
          "[integration][daemon][ieb]") {
  Gateway gw;
  // Without first_start_nummer a new journal is refused: only the operator knows what was sent.
  std::string config_text = iwmo::test::readFile(gw.config);
  config_text = iwmo::test::replaceFirst(config_text, "first_start_nummer = 11\n", "");
  iwmo::test::writeFile(gw.config, config_text);
  gw.daemon.start();
  CHECK(gw.daemon.waitExit(std::chrono::seconds(30)) == 2);
  CHECK_THAT(iwmo::test::readFile(gw.dir.path() / "daemon.log"),
             Catch::Contains("is new and [eigen_bijdrage] is on, but [eigen_bijdrage] first_start_nummer is not set"));

  config_text = iwmo::test::replaceFirst(config_text, "[eigen_bijdrage]\n", "[eigen_bijdrage]\nfirst_start_nummer = 5001\n");
  iwmo::test::writeFile(gw.config, config_text);
  const iwmo::Date start = today().plusDays(-20);
  const auto sendStart = [&](const std::string& suffix, std::size_t expected_files) {
    iwmo::test::MessageHeader h301;
    h301.identificatie = "TW-N" + suffix;
    h301.dagtekening = start.plusDays(-5).toString();
    iwmo::test::ProductLine line;
    line.toewijzing_nummer = 800;
    line.ingangsdatum = start.toString();
    iwmo::test::dropFile(gw.dir.path() / "backoffice/outbox", "301-" + suffix + ".xml", iwmo::test::wmo301(h301, {line}));
    iwmo::test::MessageHeader h305 = h301;
    h305.identificatie = "ST-N" + suffix;
    h305.dagtekening = start.plusDays(2).toString();
    line.begindatum = start.plusDays(1).toString();
    REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "backoffice/outbox").empty(); }, std::chrono::seconds(20)));
    iwmo::test::dropFile(gw.dir.path() / "ggk/download", "305-" + suffix + ".xml", iwmo::test::wmo305(h305, {line}));
    REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "cak/upload").size() == expected_files; },
                    std::chrono::seconds(20)));
  };
  const auto startNummers = [&] {
    std::set<std::string> numbers;
    for (const auto& file : filesIn(gw.dir.path() / "cak/upload")) {
      const std::string payload = iwmo::test::readGgkDocument(iwmo::test::readFile(file)).payload;
      const auto at = payload.find("<EbStartNummer>");
      if (at != std::string::npos) numbers.insert(payload.substr(at + 15, payload.find('<', at + 15) - at - 15));
    }
    return numbers;
  };

  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  sendStart("1", 1);
  CHECK(startNummers() == std::set<std::string>{"5011"});  // message #2's first period: 5001 + 10
  CHECK(gw.daemon.terminate() == 0);
  const auto numbers = gw.cli("ieb numbers");
  INFO(numbers.out << numbers.err);
  CHECK(numbers.exit_code == 0);
  CHECK_THAT(numbers.out, Catch::Contains("new periods are numbered from 5001"));
  CHECK_THAT(numbers.out, Catch::Contains("highest start number sent to the CAK: 5011"));

  // The journal is lost (or reset) and the config still says 5001: the state directory remembers.
  for (const char* file : {"journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm"}) {
    fs::remove(gw.dir.path() / "state" / file);
  }
  const std::string reserved = iwmo::test::readFile(gw.dir.path() / "state/eb-start-nummers");
  INFO("reserved: " << reserved);
  CHECK(std::stoull(reserved) > 5011);
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  sendStart("2", 2);
  const auto after = startNummers();
  CHECK(after.size() == 2);  // not 5011 again
  for (const auto& number : after) {
    if (number != "5011") CHECK(std::stoull(number) > std::stoull(reserved));
  }
  CHECK_THAT(iwmo::test::readFile(gw.dir.path() / "daemon.log"),
             Catch::Contains("an earlier journal in this state directory may have used"));
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: a Fo01 from the chain about a WMO405 marks its record refused and raises an item on its period "
          "(issue 14)",
          "[integration][daemon][ieb]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  const iwmo::Date start = today().plusDays(-20);
  iwmo::test::MessageHeader h301;
  h301.identificatie = "TW-F1";
  h301.dagtekening = start.plusDays(-5).toString();
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 900;
  line.ingangsdatum = start.toString();
  iwmo::test::dropFile(gw.dir.path() / "backoffice/outbox", "301.xml", iwmo::test::wmo301(h301, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  iwmo::test::MessageHeader h305 = h301;
  h305.identificatie = "ST-F1";
  h305.dagtekening = start.plusDays(2).toString();
  line.begindatum = start.plusDays(1).toString();
  iwmo::test::dropFile(gw.dir.path() / "ggk/download", "305.xml", iwmo::test::wmo305(h305, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "cak/upload").size() == 1; }, std::chrono::seconds(20)));
  const iwmo::test::ReadDocument di01 =
      iwmo::test::readGgkDocument(iwmo::test::readFile(filesIn(gw.dir.path() / "cak/upload").front()));
  REQUIRE(jsonLines(gw.cli("ieb pending --json").out).size() == 1);  // awaiting the CAK's retour

  // The chain refuses the Di01 (StUF055): the WMO405 never reaches the CAK.
  iwmo::test::dropFile(gw.dir.path() / "cak/download", "fo01.xml",
                       iwmo::test::chainFo01("CAK", "0599", di01.referentienummer, "7d2f1c3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
                                             "element EbStartdatum: value not allowed"));
  std::vector<nlohmann::json> rejected;
  REQUIRE(waitFor([&] {
    rejected = jsonLines(gw.cli("ieb rejected --json").out);
    return !rejected.empty();
  }, std::chrono::seconds(20)));
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0]["rule"] == "EB-FO01");
  CHECK(rejected[0]["start_nummer"] == 21);  // linked to the period it refused (message #2's first)
  const std::string summary = rejected[0]["summary"];
  CHECK_THAT(summary, Catch::Contains("WMO405 EB2-1"));
  CHECK_THAT(summary, Catch::Contains("did not reach the CAK: Fo01 StUF055 from CAK"));
  CHECK(summary.find("999948714") == std::string::npos);
  // Its record no longer waits for a retour that will not come; the Fo01 itself is in `ggk errors`.
  const auto pending = jsonLines(gw.cli("ieb pending --json").out);
  for (const auto& item : pending) CHECK(item["kind"] != "awaiting-retour");
  CHECK_THAT(gw.cli("ggk errors").out, Catch::Contains("StUF055"));
  const auto metrics = iwmo::test::httpGet(gw.port, "/metrics").second;
  CHECK_THAT(metrics, Catch::Contains("iwmo_ieb_records{type=\"WMO405\",state=\"rejected\"} 1"));
  const auto explained = gw.cli("explain 3");  // the Fo01: message #3
  INFO(explained.out << explained.err);
  CHECK_THAT(explained.out, Catch::Contains("rejected-by-chain"));
  CHECK_THAT(explained.out, Catch::Contains("EB-FO01"));
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: the eigen-bijdrage tick decides a client again on its review day, through the journal (issue 14)",
          "[integration][daemon][ieb][tick]") {
  Gateway gw;
  std::string config_text = iwmo::test::readFile(gw.config);
  config_text = iwmo::test::replaceFirst(config_text, "[eigen_bijdrage]\n", "[eigen_bijdrage]\ntick_interval_s = 10\n");
  iwmo::test::writeFile(gw.config, config_text);
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  // A provision that ends two months ahead: the start goes now, the stop waits for its month.
  const iwmo::Date start = today().plusDays(-20);
  const iwmo::Date end = today().plusDays(60);
  iwmo::test::MessageHeader h301;
  h301.identificatie = "TW-T1";
  h301.dagtekening = start.plusDays(-5).toString();
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 950;
  line.ingangsdatum = start.toString();
  line.einddatum = end.toString();
  iwmo::test::dropFile(gw.dir.path() / "backoffice/outbox", "301.xml", iwmo::test::wmo301(h301, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  iwmo::test::MessageHeader h305 = h301;
  h305.identificatie = "ST-T1";
  h305.dagtekening = start.plusDays(2).toString();
  line.begindatum = start.plusDays(1).toString();
  iwmo::test::dropFile(gw.dir.path() / "ggk/download", "305.xml", iwmo::test::wmo305(h305, {line}));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "cak/upload").size() == 1; }, std::chrono::seconds(20)));
  CHECK(gw.daemon.terminate() == 0);

  const fs::path journal_file = gw.dir.path() / "state/journal.sqlite";
  const auto reviewDay = [&] {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(journal_file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.get(), "SELECT coalesce(review_on, '') FROM eb_clients", -1, &stmt, nullptr) == SQLITE_OK);
    std::string day;
    if (sqlite3_step(stmt) == SQLITE_ROW) day = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return day;
  };
  const std::string planned = reviewDay();
  INFO("review day " << planned);
  REQUIRE(iwmo::Date::parse(planned));
  CHECK(*iwmo::Date::parse(planned) > today());  // the day its stop is within a month
  // As if that day had come: the review day is set to today, and the daemon starts again.
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(journal_file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    const std::string sql = "UPDATE eb_clients SET review_on = '" + today().toString() + "'";
    REQUIRE(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  // The tick is journaled (message #3) and decided like a message; the stop still waits, so the
  // decision plans the real review day again and sends nothing.
  REQUIRE(waitFor([&] {
    return iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("EB-TICK") != std::string::npos;
  }, std::chrono::seconds(30)));
  REQUIRE(waitFor([&] { return gw.cli("explain 3").out.find("EB-TICK") != std::string::npos; }, std::chrono::seconds(10)));
  const auto explained = gw.cli("explain 3");
  INFO(explained.out);
  CHECK_THAT(explained.out, Catch::Contains("ROUTE-EB-TICK"));
  CHECK_THAT(explained.out, Catch::Contains("eigen-bijdrage tick"));
  CHECK(explained.out.find("999948714") == std::string::npos);
  CHECK(gw.daemon.terminate() == 0);
  CHECK(reviewDay() == planned);
  CHECK(filesIn(gw.dir.path() / "cak/upload").size() == 1);
  CHECK(filesIn(gw.dir.path() / "rejected").empty());  // a tick is never a rejection
  CHECK(iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("999948714") == std::string::npos);
}
