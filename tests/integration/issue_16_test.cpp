// Issue 16: the defects found by trying the real daemon as a hostile sender and a careless
// operator would. Each TEST_CASE failed before its fix; they run the real binary on real
// directories and ZeroMQ sockets on ipc://.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <string>
#include <zmq.hpp>

#include "gateway/base/sha256.h"
#include "gateway/journal/sqlite_journal.h"
#include "support/daemon_process.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

std::string demoMessage(const std::string& name) {
  return iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages/valid" / name);
}

const char* const kToewijzing = "01-WMO301-toewijzing-hh-de-graaf.xml";
const char* const kOtherToewijzing = "09-WMO301-toewijzing-begeleiding-bakker.xml";

// A REQ client of the daemon's submit endpoint; nullopt when no answer comes within `timeout`.
class Submitter {
 public:
  explicit Submitter(const fs::path& endpoint) : endpoint_("ipc://" + endpoint.string()) {}

  std::optional<nlohmann::json> submit(const std::string& name, const std::string& payload,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    zmq::socket_t request(context_, zmq::socket_type::req);
    request.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
    request.set(zmq::sockopt::linger, 0);
    request.connect(endpoint_);
    request.send(zmq::buffer(name), zmq::send_flags::sndmore);
    request.send(zmq::buffer(payload), zmq::send_flags::none);
    zmq::message_t reply;
    if (!request.recv(reply)) return std::nullopt;
    return nlohmann::json::parse(reply.to_string());
  }

 private:
  zmq::context_t context_;
  std::string endpoint_;
};

std::size_t countIn(const fs::path& dir) { return filesIn(dir).size(); }

}  // namespace

TEST_CASE("issue 16: a submit name frame that is not UTF-8 is journaled under a safe name and the queue flows on",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  REQUIRE(gw.startAndWaitReady());
  Submitter submitter(gw.submitEndpoint());
  const auto first = submitter.submit("bad-\xff-name.xml", demoMessage(kToewijzing));
  REQUIRE(first);
  CHECK((*first)["status"] == "accepted");
  const auto second = submitter.submit("good.xml", demoMessage(kOtherToewijzing));
  REQUIRE(second);
  CHECK((*second)["status"] == "accepted");

  // Before the fix the stored record of #1 did not parse: nothing was ever delivered again.
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 2; }, std::chrono::seconds(20)));
  INFO(gw.logText());
  CHECK(gw.healthy());
  const auto status = gw.cli("status --json");
  REQUIRE(status.exit_code == 0);
  CHECK(nlohmann::json::parse(status.out)["pending"] == 0);
  // The bytes are kept, a valid UTF-8 rendering is what operators see.
  const auto explain = gw.cli("explain --json 1");
  REQUIRE(explain.exit_code == 0);
  CHECK_THAT(nlohmann::json::parse(explain.out)["source"].get<std::string>(), Catch::EndsWith("bad-\\xFF-name.xml"));
  CHECK_THAT(iwmo::test::readFile(gw.dir() / "log/routing.log"), !Catch::Contains("\xff"));
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: a file whose name is Latin-1, not UTF-8, is read and delivered like any other",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  REQUIRE(gw.startAndWaitReady());
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "caf\xe9.xml", demoMessage(kToewijzing));
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "plain.xml", demoMessage(kOtherToewijzing));
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 2; }, std::chrono::seconds(20)));
  INFO(gw.logText());
  CHECK(countIn(gw.receiveDir("backoffice")) == 0);  // both removed once journaled
  CHECK(gw.healthy());
  const auto explain = gw.cli("explain --json 1");
  REQUIRE(explain.exit_code == 0);
  CHECK_THAT(nlohmann::json::parse(explain.out)["source"].get<std::string>(), Catch::EndsWith("caf\\xE9.xml"));
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: a journal record that cannot be read back is quarantined with an operator item, never blocking",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  const fs::path journal_file = gw.dir() / "state/journal.sqlite";
  {
    // Two journaled messages the daemon has not handled yet (as after a crash).
    auto journal = iwmo::journal::SqliteJournal::open(journal_file, {});
    REQUIRE(journal);
    for (const char* name : {kToewijzing, kOtherToewijzing}) {
      iwmo::journal::AppendRequest request;
      request.envelope = iwmo::test::validateWithProjectSchemas(demoMessage(name));
      request.envelope.set_source(std::string("backoffice/outbox/") + name);
      request.peer = "backoffice";
      request.received_at = iwmo::SystemClock().now();
      REQUIRE(request.envelope.verdict().valid());
      REQUIRE((*journal)->queue().appendSync(std::move(request)));
    }
  }
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(journal_file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    REQUIRE(sqlite3_exec(db.get(), "UPDATE messages SET envelope = x'0a03ff0001' WHERE id = 1", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  REQUIRE(gw.startAndWaitReady());
  // #2 flows on; #1 is out of the queue, with an item an operator can act on.
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 1; }, std::chrono::seconds(20)));
  INFO(gw.logText());
  CHECK(gw.healthy());
  const auto list = gw.cli("quarantine list --json");
  REQUIRE(list.exit_code == 0);
  const auto item = nlohmann::json::parse(list.out);
  CHECK(item["message_id"] == 1);
  CHECK(item["state"] == "open");
  CHECK_THAT(item["reason"].get<std::string>(), Catch::Contains("does not parse"));
  const auto status = gw.cli("status --json");
  REQUIRE(status.exit_code == 0);
  CHECK(nlohmann::json::parse(status.out)["quarantined_open"] == 1);
  CHECK_THAT(iwmo::test::httpGet(gw.port(), "/metrics").second, Catch::Contains("iwmo_quarantined_open 1"));
  CHECK_THAT(iwmo::test::readFile(gw.dir() / "log/routing.log"), Catch::Contains("\"event\":\"quarantined\""));

  // The operator writes it out and sends it again: it is journaled anew (no duplicate of #1).
  const fs::path copy = gw.dir() / "resend.xml";
  REQUIRE(gw.cli("quarantine payload 1 --out " + iwmo::test::shellQuote(copy.string())).exit_code == 0);
  CHECK(iwmo::test::readFile(copy) == demoMessage(kToewijzing));
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "resend.xml", iwmo::test::readFile(copy));
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 2; }, std::chrono::seconds(20)));
  REQUIRE(gw.cli("quarantine done 1 --note 'sent again as #3'").exit_code == 0);
  CHECK(gw.cli("quarantine list").out.find("no open quarantined messages") != std::string::npos);
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: a deeply nested file is refused at once and the valid file behind it flows on",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  REQUIRE(gw.startAndWaitReady());
  std::string deep = R"(<?xml version="1.0" encoding="UTF-8"?><Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema">)";
  for (int i = 0; i < 200000; ++i) deep += "<a>";
  for (int i = 0; i < 200000; ++i) deep += "</a>";
  deep += "</Bericht>";
  // Sorted first in the directory: before the fix the valid one waited 71 s behind it.
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "a-deep.xml", deep);
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "b-valid.xml", demoMessage(kToewijzing));
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 1 && countIn(gw.deliverDir("rejected")) == 2; },
                  std::chrono::seconds(20)));
  INFO(gw.logText());
  std::string report;
  for (const auto& file : filesIn(gw.deliverDir("rejected"))) {
    if (file.extension() == ".txt") report += iwmo::test::readFile(file);
  }
  CHECK_THAT(report, Catch::Contains("limits.max_element_depth"));
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: a worker process that handled messages exits 0 on SIGTERM, and so does the daemon",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw("[bus]\nworkers = 0\nlisten = [\"ipc://run/bus.sock\"]\n");
  gw.daemon().start();
  iwmo::test::DaemonProcess worker(gw.config(), gw.dir() / "worker.log",
                                   {"worker", "--connect", "ipc://" + (gw.dir() / "run/bus.sock").string(), "--name", "w1"});
  worker.start();
  REQUIRE(waitFor([&] { return gw.healthy(); }, std::chrono::seconds(20)));
  // Both kinds of emitter run in the worker: a WMO301 wrapped in a Di01, a WMO305 answered.
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "toewijzing.xml", demoMessage(kToewijzing));
  iwmo::test::dropFile(gw.receiveDir("ggk"), "start.xml", demoMessage("05-WMO305-start-hh-corrected.xml"));
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("ggk")) == 1 && countIn(gw.deliverDir("backoffice")) == 1; },
                  std::chrono::seconds(20)));
  INFO(iwmo::test::readFile(gw.dir() / "worker.log"));
  // Before the fix: 139 (SIGSEGV), its thread_local writers destroyed after Xerces terminated.
  CHECK(worker.terminate() == 0);
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: a submit frame over the message limit gets its answer, and the endpoint goes on",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  REQUIRE(gw.startAndWaitReady());
  Submitter submitter(gw.submitEndpoint());
  // 30 MiB: over limits.max_message_bytes (25 MiB). Before the fix ZeroMQ dropped the
  // connection at 25 MiB + 4 KiB and the REQ client waited for ever.
  const std::string big(30u << 20, 'x');
  const auto answer = submitter.submit("big.xml", big);
  REQUIRE(answer);
  CHECK((*answer)["status"] == "rejected");
  CHECK_THAT((*answer)["detail"].get<std::string>(), Catch::Contains("journaled as message #1"));
  const auto next = submitter.submit("next.xml", demoMessage(kToewijzing));
  REQUIRE(next);
  CHECK((*next)["status"] == "accepted");
  const auto explain = gw.cli("explain --json 1");
  REQUIRE(explain.exit_code == 0);
  const auto story = nlohmann::json::parse(explain.out);
  CHECK(story["sha256"] == iwmo::sha256Hex(big));
  CHECK(story["size"] == big.size());
  CHECK_THAT(story["findings"][0]["message"].get<std::string>(), Catch::Contains("limits.max_message_bytes"));
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: an oversize file is journaled with its own digest, so a later empty file is no duplicate of it",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw("[limits]\nmax_message_bytes = 10000\n");
  REQUIRE(gw.startAndWaitReady());
  const std::string oversize(20000, 'y');
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "huge.xml", oversize);
  REQUIRE(waitFor([&] { return countIn(gw.receiveDir("backoffice") / "refused") == 1; }, std::chrono::seconds(20)));
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "empty.xml", "");
  // Two reports (an oversize file stays in refused/; an empty one has no bytes to keep).
  REQUIRE(waitFor([&] { return countIn(gw.deliverDir("rejected")) == 2; }, std::chrono::seconds(20)));
  INFO(gw.logText());
  const auto huge = nlohmann::json::parse(gw.cli("explain --json 1").out);
  CHECK(huge["sha256"] == iwmo::sha256Hex(oversize));
  const auto empty = nlohmann::json::parse(gw.cli("explain --json 2").out);
  CHECK_FALSE(empty.contains("duplicate_of"));  // before the fix: "same content as message #1"
  CHECK_THAT(empty["findings"][0]["message"].get<std::string>(), Catch::Contains("file is empty"));
  CHECK(gw.daemon().terminate() == 0);
}

TEST_CASE("issue 16: no report and no explain of the demo batch holds a BSN in clear", "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  const fs::path out = gw.dir() / "replay";
  const auto replay = gw.cli("replay " + iwmo::test::shellQuote((iwmo::test::sourceDir() / "demo/messages").string()) +
                             " --out " + iwmo::test::shellQuote(out.string()));
  REQUIRE(replay.exit_code == 0);
  // Every Bsn written in the batch, valid or not.
  std::set<std::string> bsns;
  const std::regex bsn_element("<[A-Za-z0-9]+:Bsn>([^<]*)</");
  for (const auto& entry : fs::recursive_directory_iterator(iwmo::test::sourceDir() / "demo/messages")) {
    if (!entry.is_regular_file()) continue;
    const std::string text = iwmo::test::readFile(entry.path());
    for (auto it = std::sregex_iterator(text.begin(), text.end(), bsn_element); it != std::sregex_iterator(); ++it) {
      bsns.insert((*it)[1].str());
    }
  }
  REQUIRE(bsns.size() >= 4);
  std::string shown;
  std::size_t reports = 0;
  for (const auto& file : filesIn(out / "rejected")) {
    if (file.extension() != ".txt") continue;
    shown += iwmo::test::readFile(file);
    ++reports;
  }
  REQUIRE(reports >= 10);
  const auto summary = nlohmann::json::parse(iwmo::test::readFile(out / "summary.json"));
  const std::uint64_t messages = summary["messages"].get<std::uint64_t>();
  REQUIRE(messages > 30);
  for (std::uint64_t id = 1; id <= messages; ++id) {
    const std::string journal = iwmo::test::shellQuote((out / "journal.sqlite").string());
    shown += gw.cli("explain --journal " + journal + " " + std::to_string(id)).out;
    shown += gw.cli("explain --json --journal " + journal + " " + std::to_string(id)).out;
  }
  CHECK_THAT(shown, Catch::Contains("fails the elfproef"));  // the CS002 message is among them
  for (const std::string& bsn : bsns) {
    INFO(bsn);
    CHECK(shown.find(bsn) == std::string::npos);
  }
}

namespace {

// Runs `args` of the gateway as a user who does not own `dir`'s state: as root (CI), through
// setpriv as nobody; otherwise as ourselves (then the chmod alone takes our write permission).
iwmo::test::CommandResult runUnprivileged(const iwmo::test::TestGateway& gw, const std::string& args) {
  const std::string prefix = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  return iwmo::test::runCommand(prefix + iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                iwmo::test::shellQuote(gw.config().string()) + " " + args);
}

}  // namespace

TEST_CASE("issue 16: a state_dir the gateway cannot write is named as such by run and by config check",
          "[integration][issue16]") {
  iwmo::test::TestGateway gw;
  // Readable for everyone, writable for nobody.
  fs::permissions(gw.dir(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  fs::create_directories(gw.dir() / "state");
  fs::permissions(gw.dir() / "state", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                          fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const auto run = runUnprivileged(gw, "run");
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.err, Catch::Contains((gw.dir() / "state").string() + " is not writable") &&
                          Catch::Contains("gateway.state_dir") && Catch::Contains("Permission denied"));
  CHECK_THAT(run.err, !Catch::Contains("another"));  // before the fix: "another iwmo-gateway run ... (lock)"
  const auto check = runUnprivileged(gw, "config check " + iwmo::test::shellQuote(gw.config().string()));
  INFO(check.out);
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.err, Catch::Contains("is not writable") && Catch::Contains("gateway.state_dir"));
  fs::permissions(gw.dir() / "state", fs::perms::owner_all);
}
