// The responsibility rules in the running daemon (issue 5): reference data imported with
// `iwmo-gateway import`, a BW toewijzing and its start dropped in the real receive directories,
// and what an operator sees: the decision with its trail in `explain`, a "review" line in the
// routing log, the message delivered unchanged, the review queue (`review list`, `review done`),
// and the BW episode the WMO305 started.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>

#include "support/daemon_process.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

struct Gateway {
  iwmo::test::TempDir dir;
  int port = iwmo::test::freeLocalPort();
  // Regime B in force, so the woonplaatsbeginsel decides (the default config keeps regime A).
  fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port,
                                                  "[responsibility]\nregime_b_effective = \"2025-01-01\"\n");
  iwmo::test::DaemonProcess daemon{config, dir.path() / "daemon.log"};

  iwmo::test::CommandResult cli(const std::string& args) const {
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " " + args);
  }
  bool ready() const { return iwmo::test::httpGet(port, "/healthz").first == 200; }
  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir.path() / name;
    iwmo::test::writeFile(file, text);
    return file;
  }
};

std::string demo(const std::string& name) {
  return iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages/valid" / name);
}

std::vector<nlohmann::json> jsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

}  // namespace

TEST_CASE("daemon: a BW message whose responsible municipality differs is delivered unchanged and queued for review",
          "[integration][daemon][responsibility]") {
  Gateway gw;
  // The client of the demo's BW messages (BSN 999948714) lived in Schiedam until 2026-03-01 and
  // has lived since then at a GGZ clinic in Rotterdam: under regime B, Schiedam is responsible (R6).
  const auto brp = gw.write("brp.csv",
                            "bsn,gemeente,begin,end,kind,address\n"
                            "999948714,0606,2015-01-01,2026-03-01,woonadres,SCH-1\n"
                            "999948714,0599,2026-03-01,,woonadres,ROT-GGZ\n");
  const auto institutions = gw.write("institutions.csv", "address,type,from,to\nROT-GGZ,ggz-clinic,1990-01-01,\n");
  const auto regions = gw.write("regions.csv", "centrumgemeente,member\n0599,0599\n0599,0606\n");
  for (const auto& [kind, file] : {std::pair{"brp", brp}, {"institutions", institutions}, {"regions", regions}}) {
    const auto imported = gw.cli(std::string("import ") + kind + " " + iwmo::test::shellQuote(file.string()));
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
  }
  // A bad file is refused with its line, and nothing of it is imported.
  const auto bad = gw.write("bad.csv", "bsn,gemeente,begin,end,kind,address\n999948714,0599,2026-03-01,,woonadres,X\n"
                                       "999948715,9999,2026-03-01,,woonadres,Y\n");
  const auto refused = gw.cli("import brp " + iwmo::test::shellQuote(bad.string()));
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("bad.csv:3"));
  CHECK_THAT(refused.err, Catch::Contains("9999"));
  CHECK_THAT(refused.err, Catch::Contains("nothing imported"));

  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  const std::string toewijzing = demo("15-WMO301-toewijzing-beschermd-wonen-kartosen.xml");
  iwmo::test::dropFile(gw.dir.path() / "backoffice/outbox", "bw-301.xml", toewijzing);
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  // Delivered as it came: never re-addressed.
  CHECK(iwmo::test::readGgkDocument(iwmo::test::readFile(filesIn(gw.dir.path() / "ggk/upload")[0])).payload == toewijzing);
  iwmo::test::dropFile(gw.dir.path() / "ggk/download", "bw-305.xml", demo("17-WMO305-start-beschermd-wonen-kartosen.xml"));
  REQUIRE(waitFor([&] { return filesIn(gw.dir.path() / "backoffice/inbox").size() == 1; }, std::chrono::seconds(20)));

  const auto list = gw.cli("review list --json");
  REQUIRE(list.exit_code == 0);
  const auto reviews = jsonLines(list.out);
  REQUIRE(reviews.size() == 2);
  CHECK(reviews[0]["message_type"] == "WMO301");
  CHECK(reviews[0]["addressed"] == "0599");
  CHECK(reviews[0]["responsible"] == "0606");
  CHECK(reviews[0]["rule"] == "B-institution");
  CHECK(reviews[1]["message_type"] == "WMO305");
  const auto id = std::to_string(reviews[0]["message_id"].get<std::uint64_t>());

  const auto explained = gw.cli("explain " + id);
  REQUIRE(explained.exit_code == 0);
  CHECK_THAT(explained.out, Catch::Contains("responsibility: review [B-institution]"));
  CHECK_THAT(explained.out, Catch::Contains("R6: ROT-GGZ is a designated institution (ggz-clinic)"));
  CHECK_THAT(explained.out, Catch::Contains("0606 Schiedam is responsible"));

  // The routing log says so, without the BSN.
  REQUIRE(waitFor([&] {
    return iwmo::test::readFile(gw.dir.path() / "log/routing.log").find("\"event\":\"review\"") != std::string::npos;
  }, std::chrono::seconds(10)));
  const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
  CHECK_THAT(log, Catch::Contains("queued for responsibility review"));
  CHECK(log.find("999948714") == std::string::npos);

  const auto done = gw.cli("review done " + id + " --note \"Schiedam confirmed by phone\"");
  CHECK(done.exit_code == 0);
  const auto open = jsonLines(gw.cli("review list --json").out);
  REQUIRE(open.size() == 1);
  CHECK(open[0]["message_type"] == "WMO305");
  const auto all = jsonLines(gw.cli("review list --all --json").out);
  REQUIRE(all.size() == 2);
  CHECK(all[0]["state"] == "done");
  CHECK(all[0]["note"] == "Schiedam confirmed by phone");
  CHECK(gw.cli("review done " + id + " --note again").exit_code == 1);  // already closed
  CHECK(gw.daemon.terminate() == 0);

  // The WMO305 started a BW episode by Rotterdam, kept in the journal for later decisions (R5).
  const auto episodes = iwmo::test::runCommand("sqlite3 " + iwmo::test::shellQuote((gw.dir.path() / "state/journal.sqlite").string()) +
                                               " \"SELECT gemeente, toewijzing_nummer, begin, end FROM bw_episodes\"");
  CHECK(episodes.out == "0599|2600401|2026-05-01|\n");
}
