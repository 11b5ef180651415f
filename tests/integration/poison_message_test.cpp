// Issue 16: a seeded stream of hostile and broken input — random ZeroMQ frames and names, files
// with names that are not UTF-8 or hold control characters, truncated and bit-flipped messages,
// DOCTYPEs, deep nesting, oversize frames, broken envelopes — sent to the real daemon between
// valid messages. Afterwards every valid message has been delivered, every submit was answered,
// nothing is pending or quarantined, and the daemon is healthy and exits 0 on SIGTERM.
// The seed is printed; IWMO_POISON_SEED=N repeats a run.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "support/daemon_process.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

namespace {

std::string demo(const std::string& path) {
  return iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages" / path);
}

class Poison {
 public:
  explicit Poison(std::uint32_t seed) : random_(seed) {}

  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }

  std::string bytes(std::size_t n) {
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(below(256));
    return out;
  }

  // A name as hostile senders write them: bytes that are not UTF-8, controls, very long.
  std::string name() {
    switch (below(6)) {
      case 0: return "caf\xe9-" + std::to_string(counter_++) + ".xml";
      case 1: return "bad-\xff\xfe-" + std::to_string(counter_++) + ".xml";
      case 2: return "line\nbreak\t" + std::to_string(counter_++) + ".xml";
      case 3: return std::string(200, 'n') + std::to_string(counter_++);
      case 4: return "\xc3\x28 overlong \xe0\x80\xaf " + std::to_string(counter_++);
      default: return "-rf " + std::to_string(counter_++) + " $(x)";
    }
  }

  // A payload that must be refused (or, rarely, a mutation that stays valid: it is harmless).
  std::string payload(const std::string& base) {
    switch (below(11)) {
      case 0: return bytes(below(2000));
      case 1: return base.substr(0, below(base.size()));                      // truncated
      case 2: {                                                               // bits flipped
        std::string m = base;
        for (int i = 0; i < 5; ++i) m[below(m.size())] ^= static_cast<char>(1 << below(8));
        return m;
      }
      case 3: return "";
      case 4: return "\xef\xbb\xbf" + base;                                   // BOM
      case 5: return R"(<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><b>&b;</b>)";
      case 6: {                                                               // deep nesting
        std::string deep = R"(<Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema">)";
        for (int i = 0; i < 5000; ++i) deep += "<a>";
        return deep;
      }
      case 7: return std::string(26u << 20, '<');                             // over 25 MiB
      case 8: return R"(<ggk:envelopHeenbericht-ggk_Di01 xmlns:ggk="http://www.stufstandaarden.nl/koppelvlak/ggk0210">)" + bytes(300);
      case 9: return "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Bericht>caf\xe9</Bericht>";
      default: return std::string(5000, ' ');
    }
  }

 private:
  std::mt19937 random_;
  std::uint64_t counter_ = 0;
};

std::string withIdentificatie(std::string xml, const std::string& from, const std::string& to) {
  return iwmo::test::replaceFirst(std::move(xml), ">" + from + "<", ">" + to + "<");
}

// The Identificaties of the messages delivered to the GGk (in Di01 envelopes) and the back office.
std::set<std::string> deliveredIdentificaties(const iwmo::test::TestGateway& gw) {
  std::set<std::string> ids;
  const auto collect = [&](const std::string& xml) {
    for (const char* prefix : {"OK-301-", "OK-305-"}) {
      for (std::size_t at = xml.find(prefix); at != std::string::npos; at = xml.find(prefix, at + 1)) {
        ids.insert(xml.substr(at, xml.find('<', at) - at));
      }
    }
  };
  for (const auto& file : filesIn(gw.deliverDir("ggk"))) {
    const std::string bytes = iwmo::test::readFile(file);
    if (bytes.find("ggk0210") != std::string::npos && bytes.find("Di01") != std::string::npos) {
      collect(iwmo::test::readGgkDocument(bytes).payload);
    }
  }
  for (const auto& file : filesIn(gw.deliverDir("backoffice"))) collect(iwmo::test::readFile(file));
  return ids;
}

}  // namespace

TEST_CASE("issue 16: after a seeded stream of poison the daemon is healthy and every valid message is delivered",
          "[integration][issue16][poison]") {
  std::uint32_t seed = 16;
  if (const char* env = std::getenv("IWMO_POISON_SEED")) seed = static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10));
  WARN("poison seed " << seed << " (IWMO_POISON_SEED repeats it)");
  Poison poison(seed);

  iwmo::test::TestGateway gw;
  REQUIRE(gw.startAndWaitReady());
  const std::string wmo301 = demo("valid/01-WMO301-toewijzing-hh-de-graaf.xml");
  const std::string wmo305 = demo("valid/05-WMO305-start-hh-corrected.xml");
  const std::string di01 = demo("wrapped/31-Di01-WMO305-start-begeleiding-bakker.xml");
  zmq::context_t context;
  const std::string endpoint = "ipc://" + gw.submitEndpoint().string();
  std::set<std::string> expected;
  std::size_t unanswered = 0;

  for (int round = 0; round < 240; ++round) {
    const std::size_t action = poison.below(10);
    if (action <= 2) {  // a REQ submit: a name frame, or none
      zmq::socket_t request(context, zmq::socket_type::req);
      request.set(zmq::sockopt::rcvtimeo, 20000);
      request.set(zmq::sockopt::linger, 0);
      request.connect(endpoint);
      const std::string payload = poison.payload(poison.below(2) == 0 ? wmo301 : di01);
      if (poison.below(2) == 0) request.send(zmq::buffer(poison.name()), zmq::send_flags::sndmore);
      request.send(zmq::buffer(payload), zmq::send_flags::none);
      zmq::message_t reply;
      if (!request.recv(reply)) {
        ++unanswered;
        continue;
      }
      CHECK_NOTHROW(nlohmann::json::parse(reply.to_string()));
    } else if (action == 3) {  // a DEALER with any number of frames, no REQ delimiter
      zmq::socket_t dealer(context, zmq::socket_type::dealer);
      dealer.set(zmq::sockopt::linger, 0);
      dealer.connect(endpoint);
      const std::size_t frames = 1 + poison.below(4);
      for (std::size_t i = 0; i < frames; ++i) {
        const std::string frame = poison.bytes(poison.below(64));
        dealer.send(zmq::buffer(frame), i + 1 < frames ? zmq::send_flags::sndmore : zmq::send_flags::none);
      }
    } else if (action <= 6) {  // a file with a hostile name and content, into any receive dir
      const char* peers[] = {"backoffice", "ggk", "cak"};
      iwmo::test::dropFile(gw.receiveDir(peers[poison.below(3)]), poison.name(),
                           poison.payload(poison.below(2) == 0 ? wmo301 : wmo305));
    } else {  // a valid message between them, each with its own Identificatie
      const std::string id = std::to_string(round);
      if (poison.below(2) == 0) {
        iwmo::test::dropFile(gw.receiveDir("backoffice"), "valid-" + id + ".xml",
                             withIdentificatie(wmo301, "TW-2026-0001", "OK-301-" + id));
        expected.insert("OK-301-" + id);
      } else {
        iwmo::test::dropFile(gw.receiveDir("ggk"), "valid-" + id + ".xml",
                             withIdentificatie(wmo305, "THR26-S0002", "OK-305-" + id));
        expected.insert("OK-305-" + id);
      }
    }
  }
  REQUIRE(expected.size() > 20);
  CHECK(unanswered == 0);
  const bool all_delivered = waitFor([&] { return deliveredIdentificaties(gw) == expected; }, std::chrono::seconds(60));
  INFO(gw.logText());
  CHECK(all_delivered);
  CHECK(gw.healthy());
  const auto status = gw.cli("status --json");
  REQUIRE(status.exit_code == 0);
  const auto counts = nlohmann::json::parse(status.out);
  CHECK(counts["pending"] == 0);
  CHECK(counts["quarantined_open"] == 0);
  CHECK(counts["outbox_failed"] == 0);
  // Nothing of the poison is left in the receive directories (each was journaled and refused).
  for (const char* peer : {"backoffice", "ggk", "cak"}) {
    INFO(peer);
    CHECK(waitFor([&] { return filesIn(gw.receiveDir(peer)).empty(); }, std::chrono::seconds(10)));
  }
  CHECK(gw.daemon().terminate() == 0);
}
