#include "gateway/log/log_projector.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::Result;
using iwmo::Status;
using iwmo::log::LogFileWriter;
using iwmo::log::LogProjector;
using iwmo::log::LogPublisher;
using iwmo::log::LogSourceEntry;

namespace {

using namespace std::chrono_literals;

// The journal's side in miniature: entries with seq 1..N, appended by the test.
class FakeJournal {
 public:
  void add(std::size_t count) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint64_t seq = entries_.size() + 1;
      entries_.push_back({seq, R"({"event":"received","message_id":)" + std::to_string(seq) + "}"});
    }
  }
  void failWith(Status status) {
    std::lock_guard lock(mutex_);
    failure_ = std::move(status);
  }
  iwmo::log::LogSource source() {
    return [this](std::uint64_t after, std::size_t limit) -> Result<std::vector<LogSourceEntry>> {
      std::lock_guard lock(mutex_);
      if (!failure_.isOk()) return failure_;
      std::vector<LogSourceEntry> out;
      for (const LogSourceEntry& entry : entries_) {
        if (entry.seq > after && out.size() < limit) out.push_back(entry);
      }
      return out;
    };
  }

 private:
  std::mutex mutex_;
  std::vector<LogSourceEntry> entries_;
  Status failure_;
};

std::vector<std::uint64_t> seqsInFile(const fs::path& file) {
  std::istringstream in(iwmo::test::readFile(file));
  std::vector<std::uint64_t> seqs;
  for (std::string text; std::getline(in, text);) {
    seqs.push_back(iwmo::log::seqOf(text).value_or(0));
  }
  return seqs;
}

std::vector<std::uint64_t> oneTo(std::uint64_t n) {
  std::vector<std::uint64_t> seqs;
  for (std::uint64_t seq = 1; seq <= n; ++seq) seqs.push_back(seq);
  return seqs;
}

LogFileWriter openFile(const fs::path& path) {
  auto file = LogFileWriter::open(path, {});
  REQUIRE(file.status().toString() == "OK");
  return std::move(*file);
}

constexpr auto kNoPolling = std::chrono::hours(1);

}  // namespace

TEST_CASE("The projector writes every journal entry to the file exactly once", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  FakeJournal journal;
  journal.add(10);
  LogProjector projector(journal.source(), openFile(path), nullptr, 5ms);
  REQUIRE(projector.flush().isOk());
  journal.add(2500);  // more than one batch
  projector.wake();
  REQUIRE(projector.flush().isOk());
  REQUIRE(projector.flush().isOk());  // nothing new: no line repeated
  CHECK(seqsInFile(path) == oneTo(2510));
  CHECK(projector.lastSeq() == 2510u);
  CHECK(projector.health().isOk());
  CHECK(iwmo::test::readFile(path).rfind("{\"seq\":1,\"event\":\"received\",\"message_id\":1}\n", 0) == 0);
}

TEST_CASE("flush() returns only when everything the source held is in the file", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  FakeJournal journal;
  // Polling effectively off: only flush() can make these entries reach the file.
  LogProjector projector(journal.source(), openFile(path), nullptr, kNoPolling);
  for (int round = 1; round <= 5; ++round) {
    journal.add(1234);
    REQUIRE(projector.flush().isOk());
    CHECK(seqsInFile(path).size() == 1234u * static_cast<std::size_t>(round));
  }
  CHECK(seqsInFile(path) == oneTo(5 * 1234));
}

TEST_CASE("A projector recreated on the same file resumes without repeating lines", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  FakeJournal journal;
  journal.add(40);
  {
    LogProjector projector(journal.source(), openFile(path), nullptr, kNoPolling);
    REQUIRE(projector.flush().isOk());
  }  // the process "dies" here
  // ... in the middle of writing one more line.
  {
    std::string bytes = iwmo::test::readFile(path);
    iwmo::test::writeFile(path, bytes + R"({"seq":41,"event":"rece)");
  }
  journal.add(60);
  LogProjector projector(journal.source(), openFile(path), nullptr, kNoPolling);
  CHECK(projector.lastSeq() == 40u);
  REQUIRE(projector.flush().isOk());
  CHECK(seqsInFile(path) == oneTo(100));
}

TEST_CASE("A failing source shows in health() and flush(), and the projector recovers", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  FakeJournal journal;
  journal.add(3);
  journal.failWith(Status::unavailable("journal busy"));
  LogProjector projector(journal.source(), openFile(path), nullptr, 5ms);
  const Status flushed = projector.flush();
  CHECK(flushed.code() == iwmo::StatusCode::kUnavailable);
  CHECK(projector.health().message() == "journal busy");
  journal.failWith(Status::ok());
  REQUIRE(projector.flush().isOk());
  CHECK(projector.health().isOk());
  CHECK(seqsInFile(path) == oneTo(3));
}

TEST_CASE("flush() after stop() reports that the projector is stopped", "[log]") {
  iwmo::test::TempDir dir;
  FakeJournal journal;
  LogProjector projector(journal.source(), openFile(dir.path() / "routing.log"), nullptr, 5ms);
  projector.stop();
  projector.stop();
  CHECK(projector.flush().code() == iwmo::StatusCode::kUnavailable);
}

TEST_CASE("Binding the feed twice to one endpoint fails with the endpoint named", "[log]") {
  zmq::context_t context;
  auto first = LogPublisher::bind(context, "tcp://127.0.0.1:*");
  REQUIRE(first.status().toString() == "OK");
  CHECK((*first)->endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
  CHECK((*first)->endpoint() != "tcp://127.0.0.1:*");
  auto second = LogPublisher::bind(context, (*first)->endpoint());
  REQUIRE_FALSE(second.hasValue());
  CHECK(second.status().code() == iwmo::StatusCode::kUnavailable);
  CHECK_THAT(second.status().message(), Catch::Contains((*first)->endpoint()));
}

TEST_CASE("A SUB socket receives the lines the projector writes", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  zmq::context_t context;
  std::string endpoint = "ipc://" + (dir.path() / "feed.ipc").string();
  if (endpoint.size() > 100) endpoint = "tcp://127.0.0.1:*";  // ipc paths are limited to ~107
  auto publisher = LogPublisher::bind(context, endpoint);
  REQUIRE(publisher.status().toString() == "OK");
  endpoint = (*publisher)->endpoint();

  zmq::socket_t subscriber(context, zmq::socket_type::sub);
  subscriber.set(zmq::sockopt::linger, 0);
  subscriber.set(zmq::sockopt::rcvtimeo, 200);
  subscriber.set(zmq::sockopt::subscribe, "");
  subscriber.connect(endpoint);

  FakeJournal journal;
  LogProjector projector(journal.source(), openFile(path), std::move(*publisher), kNoPolling);

  // PUB drops what it sends before the subscription arrives: publish until one line gets through.
  std::uint64_t first_seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (first_seen == 0 && std::chrono::steady_clock::now() < deadline) {
    journal.add(1);
    REQUIRE(projector.flush().isOk());
    zmq::message_t message;
    if (subscriber.recv(message)) {
      first_seen = iwmo::log::seqOf(message.to_string_view()).value_or(0);
    }
  }
  REQUIRE(first_seen != 0);
  // Drain what else arrived of the warm-up lines.
  std::uint64_t last_seen = first_seen;
  for (zmq::message_t message; subscriber.recv(message);) {
    last_seen = iwmo::log::seqOf(message.to_string_view()).value_or(0);
  }
  REQUIRE(last_seen == projector.lastSeq());

  // Now connected: every new line arrives, in order, exactly as the file has it.
  journal.add(25);
  REQUIRE(projector.flush().isOk());
  subscriber.set(zmq::sockopt::rcvtimeo, 5000);
  std::vector<std::string> received;
  for (int i = 0; i < 25; ++i) {
    zmq::message_t message;
    if (!subscriber.recv(message)) break;
    received.push_back(message.to_string());
  }
  REQUIRE(received.size() == 25);
  std::istringstream file(iwmo::test::readFile(path));
  std::vector<std::string> file_lines;
  for (std::string text; std::getline(file, text);) file_lines.push_back(text);
  REQUIRE(file_lines.size() >= 25);
  const std::vector<std::string> tail(file_lines.end() - 25, file_lines.end());
  CHECK(received == tail);
  CHECK(iwmo::log::seqOf(received.front()) == last_seen + 1);
}
