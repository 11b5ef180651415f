// The intake stage on its own (issue 13): parallel validators, appends in arrival order, the Ack
// only after the journal has the message, names made safe, journal failures answered, and
// back-pressure on the backlog. Against the in-memory journal twin with the project's schemas.
#include "gateway/pipeline/intake.h"

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "gateway/base/utf8.h"
#include "gateway/pipeline/metrics.h"
#include "stage_support.h"

namespace {

using iwmo::journal::MemoryJournal;
using iwmo::pipeline::Intake;
using iwmo::pipeline::IntakeOptions;
using iwmo::pipeline::JournaledMessage;
using iwmo::transport::AckInfo;
using iwmo::transport::Received;
using namespace iwmo::test::stages;

struct IntakeFixture {
  explicit IntakeFixture(IntakeOptions options = defaults()) : intake(options, journal.queue(), schemas(), hasher(), clock, metrics) {
    intake.setCallbacks(
        [this](JournaledMessage message) {
          std::lock_guard lock(mutex);
          journaled.push_back(message.message.id);
          sources.push_back(message.message.source);
        },
        [] {});
    REQUIRE(intake.start().isOk());
  }
  static IntakeOptions defaults() {
    IntakeOptions options;
    options.validators = 2;
    return options;
  }
  static std::shared_ptr<const iwmo::adapters::xml::SchemaSet> schemas() {
    return iwmo::test::schemaSet(iwmo::test::projectSchemaDir());
  }
  static iwmo::log::BsnHasher hasher() { return iwmo::log::BsnHasher::fromKey(std::string(32, 'k')); }

  // Hands `bytes` to intake from `source`; the Ack lands in the returned future.
  std::future<AckInfo> receive(std::string bytes, std::string source, std::string peer = "ggk") {
    auto promise = std::make_shared<std::promise<AckInfo>>();
    auto future = promise->get_future();
    Received message;
    message.size = bytes.size();
    message.bytes = std::move(bytes);
    message.source = std::move(source);
    message.peer = std::move(peer);
    intake.receive(std::move(message), [promise](const AckInfo& info) { promise->set_value(info); });
    return future;
  }

  std::vector<std::uint64_t> journaledIds() {
    std::lock_guard lock(mutex);
    return journaled;
  }

  MemoryJournal journal;
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  std::mutex mutex;
  std::vector<std::uint64_t> journaled;
  std::vector<std::string> sources;
  Intake intake;
};

}  // namespace

TEST_CASE("intake: messages validated in parallel are journaled in the order they were received", "[pipeline][intake]") {
  IntakeFixture fixture;
  constexpr int kCount = 120;
  std::vector<std::future<AckInfo>> acks;
  for (int i = 0; i < kCount; ++i) {
    acks.push_back(fixture.receive(wmo305For(kClientBsns[i % 8], "IN" + std::to_string(i)), "batch/" + std::to_string(i) + ".xml"));
  }
  for (int i = 0; i < kCount; ++i) {
    const AckInfo ack = acks[static_cast<std::size_t>(i)].get();
    CHECK(ack.journaled);
    CHECK(ack.verdict == "accepted");
    CHECK(ack.message_id == static_cast<std::uint64_t>(i + 1));  // arrival order is journal order
  }
  REQUIRE(eventually([&] { return fixture.journaledIds().size() == kCount; }));
  const auto ids = fixture.journaledIds();
  for (int i = 0; i < kCount; ++i) CHECK(ids[static_cast<std::size_t>(i)] == static_cast<std::uint64_t>(i + 1));
  CHECK(fixture.sources.front() == "batch/0.xml");
  const auto counts = fixture.journal.queue().counts();
  REQUIRE(counts);
  CHECK(counts->messages == kCount);
  CHECK(counts->pending == kCount);
  CHECK(fixture.intake.totals().journaled == kCount);
  CHECK(fixture.intake.idle());
}

TEST_CASE("intake: an invalid message is journaled, answered rejected and handed on like any other", "[pipeline][intake]") {
  IntakeFixture fixture;
  const AckInfo bad = fixture.receive("<not-closed>", "in/broken.xml").get();
  CHECK(bad.journaled);
  CHECK(bad.verdict == "rejected");
  CHECK(bad.detail.find("iwmo-gateway explain " + std::to_string(bad.message_id)) != std::string::npos);
  REQUIRE(eventually([&] { return fixture.journaledIds().size() == 1; }));
  const auto pending = fixture.journal.queue().pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK_FALSE(pending->front().envelope.verdict().valid());
}

TEST_CASE("intake: the same file offered twice is journaled once", "[pipeline][intake]") {
  IntakeFixture fixture;
  const std::string bytes = wmo305For(kClientBsns[0], "TWICE");
  const AckInfo first = fixture.receive(bytes, "in/a.xml").get();
  const AckInfo again = fixture.receive(bytes, "in/a.xml").get();
  CHECK(first.verdict == "accepted");
  CHECK(again.journaled);
  CHECK(again.verdict == "duplicate");
  CHECK(again.message_id == first.message_id);
  CHECK(fixture.intake.totals().received_again == 1);
  REQUIRE(eventually([&] { return fixture.journaledIds().size() == 1; }));
}

TEST_CASE("intake: a name that is not UTF-8 is journaled as a valid rendering with its bytes kept", "[pipeline][intake]") {
  IntakeFixture fixture;
  const std::string latin1_name = "in/caf\xe9.xml";
  const AckInfo ack = fixture.receive(wmo305For(kClientBsns[1], "NAME"), latin1_name).get();
  REQUIRE(ack.journaled);
  REQUIRE(eventually([&] { return fixture.journaledIds().size() == 1; }));
  const auto pending = fixture.journal.queue().pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  const auto& stored = pending->front();
  CHECK(iwmo::isValidUtf8(stored.source));
  CHECK(stored.source != latin1_name);
  CHECK(stored.envelope.source_bytes() == latin1_name);
}

TEST_CASE("intake: when the journal refuses, the source keeps the message and health says why", "[pipeline][intake]") {
  IntakeFixture fixture;
  fixture.journal.failNextWrites(1);
  const AckInfo refused = fixture.receive(wmo305For(kClientBsns[2], "FAIL"), "in/f.xml").get();
  CHECK_FALSE(refused.journaled);
  CHECK(refused.detail.find("keep the message and retry") != std::string::npos);
  CHECK_FALSE(fixture.intake.health().isOk());
  CHECK(fixture.intake.totals().journal_errors == 1);
  CHECK(fixture.journaledIds().empty());

  const AckInfo retried = fixture.receive(wmo305For(kClientBsns[2], "FAIL"), "in/f.xml").get();
  CHECK(retried.journaled);
  CHECK(fixture.intake.health().isOk());
}

TEST_CASE("intake: a full backlog holds the source back until messages are handled", "[pipeline][intake]") {
  IntakeOptions options = IntakeFixture::defaults();
  options.max_backlog = 3;
  IntakeFixture fixture(options);
  for (int i = 0; i < 3; ++i) {
    CHECK(fixture.receive(wmo305For(kClientBsns[i], "BL" + std::to_string(i)), "in/" + std::to_string(i)).get().journaled);
  }
  std::atomic<bool> returned{false};
  std::future<AckInfo> fourth;
  std::thread source([&] {
    fourth = fixture.receive(wmo305For(kClientBsns[3], "BL3"), "in/3");
    returned = true;
  });
  // Nothing is handled: the fourth receive() must still be waiting after a while.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(returned.load());
  fixture.intake.handled(1);
  source.join();
  CHECK(returned.load());
  CHECK(fourth.get().journaled);
}

TEST_CASE("intake: after stop a message is answered not journaled at once", "[pipeline][intake]") {
  IntakeFixture fixture;
  fixture.intake.stop();
  const AckInfo ack = fixture.receive(wmo305For(kClientBsns[4], "LATE"), "in/late.xml").get();
  CHECK_FALSE(ack.journaled);
  const auto counts = fixture.journal.queue().counts();
  REQUIRE(counts);
  CHECK(counts->messages == 0);
}
