// The daemon as operators run it: the real binary, real directories, real ZeroMQ sockets on
// ipc://, the HTTP endpoint on 127.0.0.1. Messages dropped in the receive directories come out
// validated and routed; invalid ones land in the rejected area with their report; duplicates are
// caught; `tail`, `explain` and `status` tell what happened; SIGTERM drains and exits 0.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "support/daemon_process.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

// The peer a demo message comes from: the gemeente's types from the back office, the rest from
// the GGk.
std::string peerOf(const std::string& xml) {
  static const std::regex ns("iwmo/3_2/wmo(3\\d\\d)/schema");
  std::smatch match;
  if (!std::regex_search(xml, match, ns)) return "ggk";
  static const std::set<std::string> gemeente = {"301", "306", "308", "316", "318", "319", "325"};
  return gemeente.count(match.str(1)) != 0 ? "backoffice" : "ggk";
}

struct Gateway {
  iwmo::test::TempDir dir;
  int port = iwmo::test::freeLocalPort();
  fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port);
  iwmo::test::DaemonProcess daemon{config, dir.path() / "daemon.log"};

  fs::path receiveDir(const std::string& peer) const {
    return dir.path() / (peer == "backoffice" ? "backoffice/outbox" : "ggk/download");
  }
  std::string logText() const { return iwmo::test::readFile(dir.path() / "daemon.log"); }
  iwmo::test::CommandResult cli(const std::string& args) const {
    return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                  iwmo::test::shellQuote(config.string()) + " " + args);
  }
  bool ready() const { return iwmo::test::httpGet(port, "/healthz").first == 200; }
};

std::size_t countIn(const fs::path& dir) { return filesIn(dir).size(); }

}  // namespace

TEST_CASE("daemon: demo messages are validated, routed, rejected with a report, and explained",
          "[integration][daemon]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));

  std::map<std::string, std::string> valid;    // file name -> bytes
  std::map<std::string, std::string> invalid;
  for (const auto& file : filesIn(iwmo::test::sourceDir() / "demo/messages/valid")) {
    valid[file.filename().string()] = iwmo::test::readFile(file);
  }
  for (const auto& file : filesIn(iwmo::test::sourceDir() / "demo/messages/invalid")) {
    invalid[file.filename().string()] = iwmo::test::readFile(file);
  }
  // The GGk side first: the back office's retours answer heen messages the gateway must have
  // received (their Du01 needs the Di01's referentienummer; here the demo's bare messages).
  std::size_t from_ggk = 0;
  for (const auto& [name, bytes] : valid) {
    if (peerOf(bytes) != "ggk") continue;
    iwmo::test::dropFile(gw.receiveDir("ggk"), name, bytes);
    ++from_ggk;
  }
  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "backoffice/inbox") == from_ggk; }, std::chrono::seconds(30)));
  for (const auto& [name, bytes] : valid) {
    if (peerOf(bytes) == "backoffice") iwmo::test::dropFile(gw.receiveDir("backoffice"), name, bytes);
  }
  for (const auto& [name, bytes] : invalid) iwmo::test::dropFile(gw.receiveDir(peerOf(bytes)), name, bytes);

  const fs::path to_ggk = gw.dir.path() / "ggk/upload";
  const fs::path to_backoffice = gw.dir.path() / "backoffice/inbox";
  const fs::path rejected = gw.dir.path() / "rejected";
  REQUIRE(waitFor([&] {
    return countIn(to_ggk) + countIn(to_backoffice) == valid.size() && countIn(rejected) == 2 * invalid.size();
  }, std::chrono::seconds(30)));
  INFO(gw.logText());

  // Every valid message arrives unchanged at the peer it is for; the receive dirs are empty.
  std::multiset<std::string> delivered;
  // To the GGk in StUF-GGk envelopes (Di01; the retours of bare heen messages leave bare).
  const auto ggkPayload = [](const fs::path& file) {
    const std::string bytes = iwmo::test::readFile(file);
    return bytes.find("ggk0210") == std::string::npos ? bytes : iwmo::test::readGgkDocument(bytes).payload;
  };
  for (const auto& file : filesIn(to_ggk)) delivered.insert(ggkPayload(file));
  for (const auto& file : filesIn(to_backoffice)) delivered.insert(iwmo::test::readFile(file));
  for (const auto& [name, bytes] : valid) {
    INFO(name);
    CHECK(delivered.count(bytes) == 1);
  }
  for (const auto& file : filesIn(to_ggk)) CHECK(peerOf(ggkPayload(file)) == "backoffice");
  for (const auto& file : filesIn(to_backoffice)) CHECK(peerOf(iwmo::test::readFile(file)) == "ggk");
  CHECK(countIn(gw.receiveDir("backoffice")) == 0);
  CHECK(countIn(gw.receiveDir("ggk")) == 0);

  // The rejected area holds each invalid message and a report naming its rule.
  std::string reports;
  for (const auto& file : filesIn(rejected)) {
    if (file.extension() == ".txt") reports += iwmo::test::readFile(file);
  }
  for (const char* code : {"TR101", "CS002", "TR018", "CD085", "TR358", "TR342", "XSD", "XML", "TYPE"}) {
    CHECK_THAT(reports, Catch::Contains(code));
  }
  CHECK_THAT(reports, Catch::Contains("REJECT-LEVEL-2"));

  // The routing log: one decision line per message, no BSN in clear.
  const std::string log = iwmo::test::readFile(gw.dir.path() / "log/routing.log");
  CHECK_THAT(log, !Catch::Contains("999952620"));
  auto tail = gw.cli("tail --json -n 0 --verdict rejected");
  REQUIRE(tail.exit_code == 0);
  std::istringstream lines(tail.out);
  std::size_t rejected_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line);
    CHECK(json["verdict"] == "rejected");
    if (json["event"] == "rejected") ++rejected_lines;
  }
  CHECK(rejected_lines == invalid.size());
  auto human = gw.cli("tail -n 5 --type WMO305");
  CHECK(human.exit_code == 0);
  CHECK_THAT(human.out, Catch::Contains("WMO305"));

  // explain by Identificatie of the BSN-elfproef message tells the whole story.
  auto explain = gw.cli("explain --json THR26-S0901");
  REQUIRE(explain.exit_code == 0);
  const auto story = nlohmann::json::parse(explain.out);
  CHECK(story["valid"] == false);
  CHECK(story["findings"][0]["code"] == "CS002");
  CHECK(story["decisions"][0]["rule_ids"][0] == "REJECT-LEVEL-2");
  CHECK(story["outgoing"].size() == 2);
  CHECK(story["outgoing"][0]["attempts"][0]["ok"] == true);
  CHECK(gw.cli("explain no-such-thing").exit_code == 1);

  // A duplicate: the first valid message again under another name.
  const auto& [first_name, first_bytes] = *valid.begin();
  iwmo::test::dropFile(gw.receiveDir(peerOf(first_bytes)), "again-" + first_name, first_bytes);
  REQUIRE(waitFor([&] { return countIn(rejected) == 2 * invalid.size() + 2; }, std::chrono::seconds(20)));
  std::string duplicate_report;
  for (const auto& file : filesIn(rejected)) {
    const std::string text = iwmo::test::readFile(file);
    if (file.extension() == ".txt" && text.find("REJECT-DUPLICATE") != std::string::npos) duplicate_report = text;
  }
  CHECK_THAT(duplicate_report, Catch::Contains("duplicate of message #"));
  CHECK(countIn(to_ggk) + countIn(to_backoffice) == valid.size());  // not forwarded twice

  // Metrics and status.
  const auto metrics = iwmo::test::httpGet(gw.port, "/metrics");
  CHECK(metrics.first == 200);
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_messages_received_total{peer=\"ggk\",type=\"WMO305\"}"));
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_duplicates_total 1"));
  CHECK_THAT(metrics.second, Catch::Contains("iwmo_journal_commit_seconds_count"));
  auto status = gw.cli("status --json");
  REQUIRE(status.exit_code == 0);
  const auto counts = nlohmann::json::parse(status.out);
  CHECK(counts["messages"] == valid.size() + invalid.size() + 1);
  CHECK(counts["pending"] == 0);
  CHECK(counts["duplicates"] == 1);

  CHECK(gw.daemon.terminate() == 0);
  CHECK_THAT(gw.logText(), Catch::Contains("stopped;"));
}

TEST_CASE("daemon: a back office submits over ZeroMQ and is answered after the journal commit",
          "[integration][daemon][zmq]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  const std::string toewijzing =
      iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");

  zmq::context_t context;
  zmq::socket_t request(context, zmq::socket_type::req);
  request.set(zmq::sockopt::rcvtimeo, 20000);
  request.set(zmq::sockopt::linger, 0);
  request.connect("ipc://" + (gw.dir.path() / "run/submit.sock").string());
  auto submit = [&](const std::string& name, const std::string& bytes) {
    request.send(zmq::buffer(name), zmq::send_flags::sndmore);
    request.send(zmq::buffer(bytes), zmq::send_flags::none);
    zmq::message_t reply;
    REQUIRE(request.recv(reply));
    return nlohmann::json::parse(reply.to_string());
  };
  const auto accepted = submit("toewijzing.xml", toewijzing);
  CHECK(accepted["status"] == "accepted");
  CHECK(accepted["message_id"] == 1);
  const auto again = submit("toewijzing.xml", toewijzing);
  CHECK(again["status"] == "duplicate");
  const auto broken = submit("broken.xml", "<not xml");
  CHECK(broken["status"] == "rejected");

  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "ggk/upload") == 1; }, std::chrono::seconds(20)));
  CHECK(iwmo::test::readGgkDocument(iwmo::test::readFile(filesIn(gw.dir.path() / "ggk/upload")[0])).payload == toewijzing);
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: a message of a municipality we do not serve is rejected, not re-addressed",
          "[integration][daemon]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  std::string other = iwmo::test::readFile(iwmo::test::sourceDir() /
                                           "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  other = iwmo::test::replaceFirst(other, "<wmo301:Afzender>0599</wmo301:Afzender>",
                                   "<wmo301:Afzender>0363</wmo301:Afzender>");
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "other.xml", other);
  // A provider's message arriving from the back office is refused too.
  const std::string start = iwmo::test::readFile(iwmo::test::sourceDir() /
                                                 "demo/messages/valid/05-WMO305-start-hh-corrected.xml");
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "start.xml", start);
  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "rejected") == 4; }, std::chrono::seconds(20)));
  std::string reports;
  for (const auto& file : filesIn(gw.dir.path() / "rejected")) reports += iwmo::test::readFile(file);
  CHECK_THAT(reports, Catch::Contains("REJECT-NOT-OWN-GEMEENTE"));
  CHECK_THAT(reports, Catch::Contains("REJECT-DIRECTION"));
  CHECK(countIn(gw.dir.path() / "ggk/upload") == 0);
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: a bad config is refused at start with the key and the fix", "[integration][daemon]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort(),
                                                    "[bus]\nlisten = [\"tcp://0.0.0.0:5999\"]\n");
  auto result = iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                       iwmo::test::shellQuote(config.string()) + " run");
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("bus.listen"));
  CHECK_THAT(result.err, Catch::Contains("CURVE"));
  auto check = iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " config check " +
                                      iwmo::test::shellQuote(config.string()));
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.err, Catch::Contains("gateway.toml:"));
}

TEST_CASE("daemon: tail -f follows the live feed without repeating a line", "[integration][daemon][tail]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  const std::string first = iwmo::test::readFile(iwmo::test::sourceDir() /
                                                 "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "first.xml", first);
  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "ggk/upload") == 1; }, std::chrono::seconds(20)));

  // `tail -f --json` in the background, its output into a file.
  const fs::path out = gw.dir.path() / "tail.out";
  const std::string command = iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                              iwmo::test::shellQuote(gw.config.string()) + " tail -f --json -n 0 > " +
                              iwmo::test::shellQuote(out.string()) + " 2>&1 & echo $!";
  const auto started = iwmo::test::runCommand(command);
  const int tail_pid = std::stoi(started.out);
  // The shell creates the file when it starts tail; until then there is nothing to read.
  const auto output = [&] { return fs::exists(out) ? iwmo::test::readFile(out) : std::string(); };
  REQUIRE(waitFor([&] { return output().find("\"seq\":1,") != std::string::npos; },
                  std::chrono::seconds(10)));
  const std::string second = iwmo::test::readFile(iwmo::test::sourceDir() /
                                                  "demo/messages/valid/05-WMO305-start-hh-corrected.xml");
  iwmo::test::dropFile(gw.receiveDir("ggk"), "second.xml", second);
  // The second message's decision and delivery lines arrive through the feed.
  REQUIRE(waitFor([&] { return output().find("\"message_id\":2,") != std::string::npos &&
                               output().find("\"event\":\"delivered\",\"message_id\":2") != std::string::npos; },
                  std::chrono::seconds(20)));
  ::kill(tail_pid, SIGTERM);
  std::istringstream lines(iwmo::test::readFile(out));
  std::set<std::uint64_t> seqs;
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto json = nlohmann::json::parse(line);
    seqs.insert(json["seq"].get<std::uint64_t>());
    ++count;
  }
  CHECK(count == seqs.size());  // no line twice
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == count);  // gap-free
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: SIGHUP reloads own_gemeente without a restart", "[integration][daemon]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  std::string other = iwmo::test::readFile(iwmo::test::sourceDir() /
                                           "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  other = iwmo::test::replaceFirst(other, "<wmo301:Afzender>0599</wmo301:Afzender>",
                                   "<wmo301:Afzender>0363</wmo301:Afzender>");
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "before.xml", other);
  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "rejected") == 2; }, std::chrono::seconds(20)));
  // Serve 0363 too, then SIGHUP.
  std::string text = iwmo::test::readFile(gw.config);
  text = iwmo::test::replaceFirst(text, "own_gemeente = [\"0599\"]", "own_gemeente = [\"0599\", \"0363\"]");
  iwmo::test::writeFile(gw.config, text);
  ::kill(gw.daemon.pid(), SIGHUP);
  REQUIRE(waitFor([&] { return gw.logText().find("SIGHUP: reloaded") != std::string::npos; },
                  std::chrono::seconds(10)));
  other = iwmo::test::replaceFirst(other, "TW-2026-0001", "TW-2026-0991");
  iwmo::test::dropFile(gw.receiveDir("backoffice"), "after.xml", other);
  REQUIRE(waitFor([&] { return countIn(gw.dir.path() / "ggk/upload") == 1; }, std::chrono::seconds(20)));
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: a SIGTERM sent while the daemon is still starting is a clean stop once it is up",
          "[integration][daemon]") {
  // The config is a FIFO, so the daemon is held in the middle of its start (reading the config)
  // for as long as the test wants: it gets SIGTERM there, then its config.
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const fs::path written = iwmo::test::writeDaemonConfig(dir.path(), port);
  const std::string text = iwmo::test::readFile(written);
  const fs::path fifo = dir.path() / "gateway-fifo.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  iwmo::test::DaemonProcess daemon(fifo, dir.path() / "daemon.log");
  daemon.start();
  int writer = -1;
  // Opening the FIFO for writing succeeds once the daemon has opened it for reading.
  REQUIRE(waitFor([&] { return (writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) >= 0; },
                  std::chrono::seconds(20)));
  REQUIRE(::kill(daemon.pid(), SIGTERM) == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(daemon.running());  // not killed by the default action
  REQUIRE(::fcntl(writer, F_SETFL, 0) == 0);
  REQUIRE(::write(writer, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(writer);
  CHECK(daemon.waitExit(std::chrono::seconds(30)) == 0);
  const std::string log = iwmo::test::readFile(dir.path() / "daemon.log");
  INFO(log);
  CHECK(log.find("iwmo-gateway: stopping: no new messages") != std::string::npos);
  CHECK(log.find("iwmo-gateway: stopped;") != std::string::npos);
}

TEST_CASE("daemon: handler workers in a separate process over ipc, and one that dies",
          "[integration][daemon][worker]") {
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const auto config = iwmo::test::writeDaemonConfig(
      dir.path(), port, "[bus]\nworkers = 0\nlisten = [\"ipc://run/bus.sock\"]\nheartbeat_ms = 100\n");
  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/metrics").first == 200; }, std::chrono::seconds(20)));
  // No worker yet: the daemon is not healthy, and messages wait in the journal.
  CHECK(iwmo::test::httpGet(port, "/healthz").first == 503);
  const std::string toewijzing = iwmo::test::readFile(
      iwmo::test::sourceDir() / "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "a.xml", toewijzing);
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "backoffice/outbox").empty(); }, std::chrono::seconds(20)));
  CHECK(filesIn(dir.path() / "ggk/upload").empty());

  // A worker process joins and does the work.
  const std::string worker = iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                             iwmo::test::shellQuote(config.string()) + " worker --name w1 --connect " +
                             iwmo::test::shellQuote("ipc://" + (dir.path() / "run/bus.sock").string());
  const auto started = iwmo::test::runCommand(worker + " > " + iwmo::test::shellQuote((dir.path() / "w1.log").string()) +
                                              " 2>&1 & echo $!");
  const int worker_pid = std::stoi(started.out);
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "ggk/upload").size() == 1; }, std::chrono::seconds(20)));
  CHECK(iwmo::test::httpGet(port, "/healthz").first == 200);
  // It dies; a second message waits until another worker comes.
  ::kill(worker_pid, SIGKILL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "b.xml",
                       iwmo::test::replaceFirst(toewijzing, "TW-2026-0001", "TW-2026-0002"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(filesIn(dir.path() / "ggk/upload").size() == 1);
  const auto second = iwmo::test::runCommand(worker + " > /dev/null 2>&1 & echo $!");
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "ggk/upload").size() == 2; }, std::chrono::seconds(20)));
  ::kill(std::stoi(second.out), SIGTERM);
  CHECK(daemon.terminate() == 0);
}

TEST_CASE("daemon: an oversize file is refused unread and kept in refused/", "[integration][daemon]") {
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), port, "[limits]\nmax_message_bytes = 1000\n");
  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first == 200; }, std::chrono::seconds(20)));
  const std::string big = iwmo::test::readFile(iwmo::test::sourceDir() /
                                               "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  REQUIRE(big.size() > 1000);
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "big.xml", big);
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "rejected").size() == 1; }, std::chrono::seconds(20)));
  const std::string report = iwmo::test::readFile(filesIn(dir.path() / "rejected")[0]);
  CHECK_THAT(report, Catch::Contains("INPUT"));
  CHECK_THAT(report, Catch::Contains("1000"));
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "backoffice/outbox/refused").size() == 1; },
                  std::chrono::seconds(10)));
  CHECK(iwmo::test::readFile(dir.path() / "backoffice/outbox/refused/big.xml") == big);
  CHECK(daemon.terminate() == 0);
}

TEST_CASE("daemon: a second daemon on the same state directory is refused", "[integration][daemon]") {
  Gateway gw;
  gw.daemon.start();
  REQUIRE(waitFor([&] { return gw.ready(); }, std::chrono::seconds(20)));
  const auto second = gw.cli("run");
  CHECK(second.exit_code == 2);
  CHECK_THAT(second.err, Catch::Contains("another `iwmo-gateway run` (pid ") && Catch::Contains(") is using"));
  CHECK(gw.ready());  // the first one is unharmed
  CHECK(gw.daemon.terminate() == 0);
}

TEST_CASE("daemon: /healthz turns 503 once an outgoing message waits longer than delivery.unhealthy_after_s, "
          "and 200 again when the operator restores its directory",
          "[integration][daemon][health]") {
  iwmo::test::TempDir dir;
  const int port = iwmo::test::freeLocalPort();
  const fs::path config = iwmo::test::writeDaemonConfig(dir.path(), port);
  std::string text = iwmo::test::readFile(config);
  text = iwmo::test::replaceFirst(text, "retry_max_ms = 1000\n", "retry_max_ms = 1000\nunhealthy_after_s = 10\n");
  iwmo::test::writeFile(config, text);
  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first == 200; }, std::chrono::seconds(20)));
  const std::string toewijzing = iwmo::test::readFile(
      iwmo::test::sourceDir() / "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  const fs::path upload = dir.path() / "ggk/upload";
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "a.xml", toewijzing);
  REQUIRE(waitFor([&] { return filesIn(upload).size() == 1; }, std::chrono::seconds(20)));

  // Someone removes the GGk upload directory while the daemon runs, and a file stands in its way.
  fs::remove_all(upload);
  iwmo::test::writeFile(upload, "not a directory");
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "b.xml",
                       iwmo::test::replaceFirst(toewijzing, "TW-2026-0001", "TW-2026-0002"));
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "backoffice/outbox").empty(); }, std::chrono::seconds(20)));
  // Failing, but not yet for 10 s: still healthy (each retry fails in the routing log meanwhile).
  CHECK(iwmo::test::httpGet(port, "/healthz").first == 200);
  std::pair<int, std::string> health;
  REQUIRE(waitFor([&] { return (health = iwmo::test::httpGet(port, "/healthz")).first == 503; },
                  std::chrono::seconds(30)));
  INFO(health.second);
  CHECK(health.second.find("delivery is behind: the WMO301 for ggk") != std::string::npos);
  CHECK(health.second.find("delivery.unhealthy_after_s = 10") != std::string::npos);
  CHECK(health.second.find(upload.string()) != std::string::npos);  // the sink's own error names it
  const std::string metrics = iwmo::test::httpGet(port, "/metrics").second;
  std::smatch oldest;
  REQUIRE(std::regex_search(metrics, oldest, std::regex("\\niwmo_outbox_oldest_undelivered_seconds ([0-9.]+)\\n")));
  CHECK(std::stod(oldest.str(1)) >= 10.0);

  // The operator restores the directory; no restart: the next retry delivers and health recovers.
  fs::remove(upload);
  fs::create_directories(upload);
  REQUIRE(waitFor([&] { return filesIn(upload).size() == 1; }, std::chrono::seconds(20)));
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(port, "/healthz").first == 200; }, std::chrono::seconds(10)));
  CHECK(iwmo::test::httpGet(port, "/metrics").second.find("iwmo_outbox_oldest_undelivered_seconds 0\n") !=
        std::string::npos);
  CHECK(daemon.terminate() == 0);
}
