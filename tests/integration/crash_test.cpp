// The crash test of issue 3: 10 000 messages go through the daemon while it is killed with
// SIGKILL at random moments (at least 20 times) and restarted. Afterwards every message has been
// delivered exactly once — none lost, none twice — and nothing else came out. With eigen-bijdrage
// forwarding on (issue 4), each of the 250 clients with a WMO305 gets exactly one WMO405 in the
// CAK outbox: none lost, none sent twice.
#include <catch2/catch.hpp>
#include <ctime>
#include <random>
#include <set>
#include <thread>

#include "gateway/base/bsn.h"
#include "gateway/base/date.h"
#include "support/daemon_process.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

constexpr std::size_t kMessages = 10000;
constexpr int kKills = 24;

// 500 BSNs from the test range that pass the elfproef: the batch is about many clients, as a
// municipality's traffic is (messages of one client are handled one at a time, in order).
const std::vector<std::string>& clientBsns() {
  static const std::vector<std::string> bsns = [] {
    std::vector<std::string> out;
    for (unsigned candidate = 999900000; out.size() < 500; ++candidate) {
      if (iwmo::isValidBsn(std::to_string(candidate))) out.push_back(std::to_string(candidate));
    }
    return out;
  }();
  return bsns;
}

// Message n: a valid WMO301 (back office → GGk) or WMO305 (GGk → back office) with its own
// Identificatie and one of 500 clients, so every message is distinct and valid.
std::string message(std::size_t n, const std::string& wmo301_template, const std::string& wmo305_template) {
  const std::string& bsn = clientBsns()[n % clientBsns().size()];
  const std::string wmo301 = iwmo::test::replaceFirst(wmo301_template, ">999952602<", ">" + bsn + "<");
  const std::string wmo305 = iwmo::test::replaceFirst(wmo305_template, ">999952602<", ">" + bsn + "<");
  char identificatie[16];
  std::snprintf(identificatie, sizeof identificatie, "CR%08zu", n);
  if (n % 2 == 0) {
    return iwmo::test::replaceFirst(wmo301, "<iwmo:Identificatie>TW-2026-0001</iwmo:Identificatie>",
                                    std::string("<iwmo:Identificatie>") + identificatie + "</iwmo:Identificatie>");
  }
  return iwmo::test::replaceFirst(wmo305, "<iwmo:Identificatie>THR26-S0002</iwmo:Identificatie>",
                                  std::string("<iwmo:Identificatie>") + identificatie + "</iwmo:Identificatie>");
}

}  // namespace

TEST_CASE("crash test: 10 000 messages, SIGKILL at random moments, every message delivered once",
          "[integration][crash]") {
  const fs::path demo = iwmo::test::sourceDir() / "demo/messages/valid";
  const std::string wmo301 = iwmo::test::readFile(demo / "01-WMO301-toewijzing-hh-de-graaf.xml");
  // The start of delivery a month ago, so the WMO405 it causes is inside the CAK's date windows
  // whenever the test runs (the day of receipt is today).
  const iwmo::Date today = iwmo::Date::fromDays(static_cast<long>(std::time(nullptr) / 86400));
  std::string wmo305 = iwmo::test::readFile(demo / "05-WMO305-start-hh-corrected.xml");
  wmo305 = iwmo::test::replaceFirst(wmo305, "<iwmo:Dagtekening>2026-01-22<", "<iwmo:Dagtekening>" + today.plusDays(-27).toString() + "<");
  wmo305 = iwmo::test::replaceFirst(wmo305, ">2026-01-19</wmo305:ToewijzingIngangsdatum>", ">" + today.plusDays(-30).toString() + "</wmo305:ToewijzingIngangsdatum>");
  wmo305 = iwmo::test::replaceFirst(wmo305, ">2026-01-19</wmo305:Begindatum>", ">" + today.plusDays(-30).toString() + "</wmo305:Begindatum>");
  REQUIRE(wmo305.find("<iwmo:Identificatie>THR26-S0002</iwmo:Identificatie>") != std::string::npos);

  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), port);
  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  const fs::path from_backoffice = dir.path() / "backoffice/outbox";
  const fs::path from_ggk = dir.path() / "ggk/download";
  const fs::path to_ggk = dir.path() / "ggk/upload";
  const fs::path to_backoffice = dir.path() / "backoffice/inbox";
  const fs::path to_cak = dir.path() / "cak/upload";
  constexpr std::size_t kClientsWithStart = 250;  // the odd-numbered half of the 500 clients

  std::set<std::string> expected;
  std::vector<std::string> bodies(kMessages);
  for (std::size_t n = 0; n < kMessages; ++n) {
    bodies[n] = message(n, wmo301, wmo305);
    expected.insert(bodies[n]);
  }
  REQUIRE(expected.size() == kMessages);

  // A producer drops the messages in batches while the daemon is killed and restarted.
  std::atomic<std::size_t> dropped{0};
  std::thread producer([&] {
    for (std::size_t n = 0; n < kMessages; ++n) {
      char name[32];
      std::snprintf(name, sizeof name, "m%06zu.xml", n);
      iwmo::test::dropFile(n % 2 == 0 ? from_backoffice : from_ggk, name, bodies[n]);
      dropped = n + 1;
      if (n % 250 == 249) std::this_thread::sleep_for(std::chrono::milliseconds(60));
    }
  });

  std::mt19937 random(20261201);
  std::uniform_int_distribution<int> pause_ms(80, 450);
  int kills = 0;
  daemon.start();
  while (kills < kKills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    daemon.kill9();
    ++kills;
    daemon.start();
  }
  producer.join();
  INFO("kills: " << kills);
  // The last start is stopped with SIGTERM below, so it must be up first: a stop that arrives
  // before main() runs is the default action's kill (status 143), which is not what is tested.
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first != 0; }, std::chrono::seconds(60)));

  // After the last restart everything must come out.
  const bool done = waitFor([&] { return filesIn(to_ggk).size() + filesIn(to_backoffice).size() >= kMessages &&
                                         filesIn(to_cak).size() >= kClientsWithStart &&
                                         filesIn(from_backoffice).empty() && filesIn(from_ggk).empty(); },
                            std::chrono::minutes(5));
  CHECK(daemon.terminate() == 0);
  INFO(iwmo::test::readFile(dir.path() / "daemon.log").substr(0, 4000));
  REQUIRE(done);

  std::multiset<std::string> delivered;
  for (const auto& file : filesIn(to_ggk)) {
    delivered.insert(iwmo::test::readGgkDocument(iwmo::test::readFile(file)).payload);  // each in its Di01
  }
  for (const auto& file : filesIn(to_backoffice)) delivered.insert(iwmo::test::readFile(file));
  CHECK(kills >= 20);
  CHECK(delivered.size() == kMessages);  // no duplicate outputs
  std::size_t missing = 0;
  std::size_t twice = 0;
  for (const auto& body : expected) {
    const auto count = delivered.count(body);
    if (count == 0) ++missing;
    if (count > 1) ++twice;
  }
  CHECK(missing == 0);
  CHECK(twice == 0);
  CHECK(filesIn(dir.path() / "rejected").empty());  // nothing was judged a duplicate or invalid

  // The CAK outbox: one WMO405 per client with a start, each for another client, each in a Di01.
  std::set<std::string> cak_clients;
  std::set<std::string> cak_bodies;
  for (const auto& file : filesIn(to_cak)) {
    const iwmo::test::ReadDocument di01 = iwmo::test::readGgkDocument(iwmo::test::readFile(file));
    CHECK(di01.kind == "Di01");
    CHECK(di01.ontvanger == "CAK");
    const std::string& body = di01.payload;
    cak_bodies.insert(body);
    const auto at = body.find("<Bsn>");
    REQUIRE(at != std::string::npos);
    cak_clients.insert(body.substr(at + 5, 9));
  }
  CHECK(filesIn(to_cak).size() == kClientsWithStart);
  CHECK(cak_bodies.size() == kClientsWithStart);
  CHECK(cak_clients.size() == kClientsWithStart);

  // The journal agrees: exactly one message per input, all handled and delivered.
  auto status = iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                       iwmo::test::shellQuote(config.string()) + " status --json");
  REQUIRE(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("\"messages\":10000,"));
  CHECK_THAT(status.out, Catch::Contains("\"pending\":0,"));
  CHECK_THAT(status.out, Catch::Contains("\"duplicates\":0,"));
  CHECK_THAT(status.out, Catch::Contains("\"outbox_delivered\":10250,"));  // + the 250 WMO405
}
