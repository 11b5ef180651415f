// Issue 16: /healthz (Pipeline::health) turns unhealthy while pending work cannot be read from
// the journal, and healthy again once it can; an unreadable record is quarantined by the
// dispatch loop and the messages after it are handled.
#include "gateway/pipeline/pipeline.h"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <zmq.hpp>

#include <atomic>

#include "gateway/journal/sqlite_journal.h"
#include "support/daemon_process.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using iwmo::Result;
using iwmo::Status;
using iwmo::Timestamp;
using namespace iwmo::journal;

// A real journal's queue whose pending() can be made to fail, as a damaged database would.
class FlakyQueue final : public MessageQueue {
 public:
  explicit FlakyQueue(MessageQueue& real) : real_(real) {}
  std::atomic<bool> fail_pending{false};

  void append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) override {
    real_.append(std::move(request), std::move(done));
  }
  void commitResult(iwmo::proto::HandlerResult result, std::vector<std::string> lines, Timestamp at,
                    std::function<void(Result<bool>)> done) override {
    real_.commitResult(std::move(result), std::move(lines), at, std::move(done));
  }
  Status recordDelivery(DeliveryRecord record) override { return real_.recordDelivery(std::move(record)); }
  Status recordDeliveries(std::vector<DeliveryRecord> records) override {
    return real_.recordDeliveries(std::move(records));
  }
  void quarantine(MessageId id, std::string reason, std::vector<std::string> lines, Timestamp at,
                  std::function<void(Result<bool>)> done) override {
    real_.quarantine(id, std::move(reason), std::move(lines), at, std::move(done));
  }
  Result<bool> closeQuarantine(MessageId id, std::string note, Timestamp at) override {
    return real_.closeQuarantine(id, std::move(note), at);
  }
  Result<std::vector<PendingMessage>> pending(MessageId after, std::size_t limit) override {
    if (fail_pending) return Status::dataLoss("database disk image is malformed (test)");
    return real_.pending(after, limit);
  }
  Result<std::vector<OutboxItem>> dueOutbox(Timestamp now, std::size_t limit, bool first_attempts_due) override {
    return real_.dueOutbox(now, limit, first_attempts_due);
  }
  Result<std::optional<OutboxItem>> oldestUndelivered() override { return real_.oldestUndelivered(); }
  Result<std::vector<LogEntry>> logAfter(std::uint64_t after, std::size_t limit) override {
    return real_.logAfter(after, limit);
  }
  Result<std::optional<MessageId>> findMessage(std::string_view key) override { return real_.findMessage(key); }
  Result<MessageStory> story(MessageId id) override { return real_.story(id); }
  Result<JournalCounts> counts() override { return real_.counts(); }
  Result<std::vector<QuarantineItem>> quarantined(bool include_closed) override {
    return real_.quarantined(include_closed);
  }
  Result<std::optional<OriginalMessage>> findOriginal(const std::string& key) override { return real_.findOriginal(key); }

 private:
  MessageQueue& real_;
};

// The real journal, with the flaky queue in front of its own.
class FlakyJournal final : public Journal {
 public:
  explicit FlakyJournal(Journal& real) : real_(real), queue_(real.queue()) {}
  std::atomic<bool>& fail_pending = queue_.fail_pending;
  MessageQueue& queue() override { return queue_; }
  ReferenceStore& reference() override { return real_.reference(); }
  ReviewStore& reviews() override { return real_.reviews(); }
  EbStore& eb() override { return real_.eb(); }
  GgkStore& ggk() override { return real_.ggk(); }
  void readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) override {
    real_.readAfterWrites(std::move(read), std::move(refused));
  }
  void resumeOrdered() override { real_.resumeOrdered(); }

 private:
  Journal& real_;
  FlakyQueue queue_;
};

// A handler that routes every message and sends nothing.
class RouteAll final : public iwmo::handlers::Handler {
 public:
  iwmo::handlers::HandlerKind kind() const override { return iwmo::handlers::HandlerKind::kRouting; }
  void handle(const iwmo::proto::WorkItem&, iwmo::proto::HandlerResult& result) const override {
    auto* decision = result.add_decisions();
    decision->set_handler("routing");
    decision->set_outcome("routed");
  }
};

std::shared_ptr<const iwmo::handlers::HandlerChain> routingOnly() {
  std::vector<std::unique_ptr<const iwmo::handlers::Handler>> handlers;
  handlers.push_back(std::make_unique<RouteAll>());
  return std::make_shared<const iwmo::handlers::HandlerChain>(std::move(handlers));
}

std::unique_ptr<SqliteJournal> openJournal(const fs::path& file) {
  auto opened = SqliteJournal::open(file, {});
  REQUIRE(opened);
  return std::move(*opened);
}

struct Fixture {
  iwmo::test::TempDir dir;
  std::unique_ptr<SqliteJournal> sqlite = openJournal(dir.path() / "journal.sqlite");
  FlakyJournal journal{*sqlite};
  iwmo::handlers::HandlerChainHolder chain{routingOnly()};
  zmq::context_t context;
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  iwmo::pipeline::Pipeline pipeline{iwmo::pipeline::PipelineOptions{}, journal, chain,
                                    iwmo::test::schemaSet(iwmo::test::projectSchemaDir()),
                                    iwmo::log::BsnHasher::fromKey(std::string(32, 'k')),
                                    {}, context, clock, metrics};

  MessageId append(const std::string& name) {
    AppendRequest request;
    request.envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::kValidWmo305);
    request.envelope.set_source(name);
    request.envelope.set_payload(request.envelope.payload() + "<!-- " + name + " -->");
    request.envelope.clear_payload_sha256();
    request.peer = "ggk";
    request.received_at = clock.now();
    auto outcome = sqlite->queue().appendSync(std::move(request));
    REQUIRE(outcome);
    return outcome->id;
  }
};

}  // namespace

TEST_CASE("issue 16: health is unhealthy while pending work cannot be read, and recovers", "[pipeline][issue16]") {
  Fixture f;
  REQUIRE(f.pipeline.start().isOk());
  CHECK(f.pipeline.health().isOk());
  f.journal.fail_pending = true;
  REQUIRE(iwmo::test::waitFor([&] { return !f.pipeline.health().isOk(); }, std::chrono::seconds(5)));
  CHECK_THAT(f.pipeline.health().message(),
             Catch::Contains("cannot read pending work") && Catch::Contains("malformed"));
  CHECK_FALSE(f.pipeline.liveness().isOk());  // the stage itself is stuck: a restart may mend it
  f.journal.fail_pending = false;
  CHECK(iwmo::test::waitFor([&] { return f.pipeline.health().isOk(); }, std::chrono::seconds(5)));
  f.pipeline.stop();
}

TEST_CASE("issue 17: an outgoing message stuck for a peer makes the pipeline unhealthy but not dead "
          "(the systemd watchdog goes on)",
          "[pipeline][health]") {
  Fixture f;
  const MessageId id = f.append("a.xml");
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  result.set_disposition("routed");
  auto* out = result.add_outgoing();
  out->set_peer("ggk");  // the fixture's pipeline has no sink for it: every attempt fails
  out->set_file_name("a-out.xml");
  out->set_payload("<a/>");
  out->set_message_type("WMO305");
  REQUIRE(f.sqlite->queue().commitResultSync(std::move(result), {}, f.clock.now().plusMillis(-10 * 60 * 1000)));
  REQUIRE(f.pipeline.start().isOk());
  REQUIRE(iwmo::test::waitFor([&] { return f.pipeline.totals().delivery_failures >= 1; }, std::chrono::seconds(5)));
  const iwmo::Status health = f.pipeline.health();
  REQUIRE_FALSE(health.isOk());
  CHECK_THAT(health.message(), Catch::Contains("a-out.xml") && Catch::Contains("has waited 10 min"));
  CHECK(f.pipeline.liveness().isOk());
  f.pipeline.stop();
}

TEST_CASE("issue 16: the dispatch loop quarantines an unreadable record and handles the ones after it",
          "[pipeline][issue16]") {
  Fixture f;
  const MessageId damaged = f.append("a.xml");
  const MessageId fine = f.append("b.xml");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "journal.sqlite").c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    const std::string sql = "UPDATE messages SET envelope = x'0a03ff0001' WHERE id = " + std::to_string(damaged);
    REQUIRE(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  REQUIRE(f.pipeline.start().isOk());
  REQUIRE(iwmo::test::waitFor([&] { return f.pipeline.totals().committed == 1; }, std::chrono::seconds(10)));
  CHECK(f.pipeline.totals().quarantined == 1);
  CHECK(f.pipeline.health().isOk());
  auto story = f.sqlite->queue().story(fine);
  REQUIRE(story);
  CHECK(story->message.state == "handled");
  auto quarantined = f.sqlite->queue().quarantined(false);
  REQUIRE(quarantined);
  REQUIRE(quarantined->size() == 1);
  CHECK((*quarantined)[0].message_id == damaged);
  f.pipeline.stop();
}
