// The commit stage on its own (issue 13): a handler result is committed with its outgoing
// messages in one journal transaction, the client's next message is released when the commit is
// requested, results of an earlier round are dropped, replay commits in journal order, a refused
// commit asks for a new round, and a result that can never commit is quarantined. Against the
// in-memory journal twin, with results from the real routing handler.
#include "gateway/pipeline/commit.h"

#include <mutex>
#include <vector>

#include "gateway/handlers/routing_handler.h"
#include "gateway/pipeline/dispatch.h"
#include "stage_support.h"

namespace {

using iwmo::journal::MemoryJournal;
using iwmo::pipeline::Admitted;
using iwmo::pipeline::Commit;
using namespace iwmo::test::stages;

struct CommitFixture {
  explicit CommitFixture(bool logical_time = false) : commit(logical_time, journal.queue(), clock, metrics) {
    Commit::Callbacks callbacks;
    callbacks.requested = [this](std::uint64_t id, const std::string& key) {
      std::lock_guard lock(mutex);
      requested.emplace_back(id, key);
    };
    callbacks.finished = [this](std::uint64_t id) {
      std::lock_guard lock(mutex);
      finished.push_back(id);
    };
    callbacks.failed = [this](const iwmo::Status& why) {
      std::lock_guard lock(mutex);
      failures.push_back(why);
    };
    callbacks.log_lines = [] {};
    commit.setCallbacks(std::move(callbacks));
  }

  // Journals a WMO305 for client `client`, admits it in round `generation` and returns the
  // routing handler's result for it.
  iwmo::proto::HandlerResult admit(int client, std::uint64_t generation = 0) {
    const std::string n = std::to_string(++count);
    const auto id = journalMessage(journal.queue(), wmo305For(kClientBsns[client], "C" + n), "in/" + n + ".xml");
    auto pending = journal.queue().pending(id - 1, 1);
    REQUIRE(pending);
    REQUIRE(pending->size() == 1);
    iwmo::proto::WorkItem item = iwmo::pipeline::workItemOf(std::move(pending->front()));
    item.set_dispatch_generation(generation);
    Admitted admitted;
    admitted.id = id;
    admitted.generation = generation;
    admitted.key = "client-" + std::to_string(client);
    admitted.facts = iwmo::pipeline::factsOf(item, admitted.key);
    commit.admitted(admitted);
    iwmo::proto::HandlerResult result;
    routing.handle(item, result);
    result.set_message_id(id);
    result.set_dispatch_generation(generation);
    return result;
  }

  iwmo::journal::JournalCounts counts() {
    auto counts = journal.queue().counts();
    REQUIRE(counts);
    return *counts;
  }

  MemoryJournal journal;
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  iwmo::handlers::RoutingHandler routing{iwmo::rules::RoutingParams{{"0599"}}};
  Commit commit;
  int count = 0;
  std::mutex mutex;
  std::vector<std::pair<std::uint64_t, std::string>> requested;
  std::vector<std::uint64_t> finished;
  std::vector<iwmo::Status> failures;
};

}  // namespace

TEST_CASE("commit: a result is committed with its outgoing message, the client released and the message finished",
          "[pipeline][commit]") {
  CommitFixture fixture;
  auto result = fixture.admit(0);
  REQUIRE(result.outgoing_size() == 1);
  CHECK(result.outgoing(0).peer() == "backoffice");
  const std::uint64_t id = result.message_id();
  fixture.commit.result(std::move(result));

  REQUIRE(fixture.requested.size() == 1);
  CHECK(fixture.requested[0] == std::make_pair(id, std::string("client-0")));
  CHECK(fixture.finished == std::vector<std::uint64_t>{id});
  const auto counts = fixture.counts();
  CHECK(counts.pending == 0);
  CHECK(counts.handled == 1);
  CHECK(counts.outbox_pending == 1);
  CHECK(fixture.commit.totals().committed == 1);
  CHECK(fixture.commit.totals().outgoing == 1);
  CHECK(fixture.commit.idle());
  CHECK(fixture.commit.health().isOk());
  // The routing-log line for the decision went into the same transaction.
  const auto lines = fixture.journal.queue().logAfter(0, 10);
  REQUIRE(lines);
  REQUIRE_FALSE(lines->empty());
  CHECK(lines->back().line.find("\"message_id\":" + std::to_string(id)) != std::string::npos);
}

TEST_CASE("commit: a result from an earlier dispatch round is dropped", "[pipeline][commit]") {
  CommitFixture fixture;
  auto result = fixture.admit(0, /*generation=*/1);
  result.set_dispatch_generation(0);  // a late answer to the item of round 0
  fixture.commit.result(std::move(result));
  CHECK(fixture.requested.empty());
  CHECK(fixture.counts().pending == 1);
  CHECK_FALSE(fixture.commit.idle());  // round 1's result is still awaited
}

TEST_CASE("commit: in replay, results that arrive out of order are committed in journal order", "[pipeline][commit]") {
  CommitFixture fixture(/*logical_time=*/true);
  auto first = fixture.admit(0);
  auto second = fixture.admit(1);
  auto third = fixture.admit(2);
  fixture.commit.result(std::move(third));
  fixture.commit.result(std::move(first));
  CHECK(fixture.requested.size() == 1);  // the third waits for the second
  fixture.commit.result(std::move(second));
  REQUIRE(fixture.requested.size() == 3);
  CHECK(fixture.requested[0].first == 1);
  CHECK(fixture.requested[1].first == 2);
  CHECK(fixture.requested[2].first == 3);
  // Stamped received + 1 ms: the same batch gives the same log.
  const auto lines = fixture.journal.queue().logAfter(0, 10);
  REQUIRE(lines);
  REQUIRE(lines->size() == 3);
  CHECK(lines->at(0).line.find("\"message_id\":1") != std::string::npos);
  CHECK(lines->at(0).line.find("2026-01-01T00:00:00.001") != std::string::npos);
}

TEST_CASE("commit: a commit the journal refuses asks for a new round and turns the stage unhealthy",
          "[pipeline][commit]") {
  CommitFixture fixture;
  auto result = fixture.admit(0);
  fixture.journal.failNextWrites(1);
  fixture.commit.result(result);
  REQUIRE(fixture.failures.size() == 1);
  CHECK(fixture.failures[0].code() == iwmo::StatusCode::kUnavailable);
  CHECK(fixture.finished.empty());
  CHECK(fixture.counts().pending == 1);
  CHECK_FALSE(fixture.commit.health().isOk());

  // The journal now refuses what depended on the failed commit, until the new round begins.
  auto next = fixture.admit(1);
  fixture.commit.result(next);
  REQUIRE(fixture.failures.size() == 2);
  CHECK(fixture.failures[1].code() == iwmo::StatusCode::kAborted);

  // The new round: the dispatch stage resets and redoes both.
  fixture.commit.resetBegins(1);
  fixture.commit.waitDrained();
  fixture.journal.resumeOrdered();
  for (auto* redo : {&result, &next}) {
    iwmo::pipeline::Admitted admitted;
    admitted.id = redo->message_id();
    admitted.generation = 1;
    admitted.key = "redo";
    fixture.commit.admitted(admitted);
    redo->set_dispatch_generation(1);
    fixture.commit.result(*redo);
  }
  CHECK(fixture.counts().pending == 0);
  CHECK(fixture.commit.health().isOk());
  CHECK(fixture.commit.totals().committed == 2);
}

TEST_CASE("commit: a result that can never be committed is quarantined with the reason", "[pipeline][commit]") {
  CommitFixture fixture;
  auto result = fixture.admit(0);
  result.add_episode_updates();  // a handler bug: a BW episode update without a kind
  const std::uint64_t id = result.message_id();
  fixture.commit.result(std::move(result));
  CHECK(fixture.failures.empty());  // not a reason to redo the round
  CHECK(fixture.finished == std::vector<std::uint64_t>{id});
  CHECK(fixture.commit.totals().quarantined == 1);
  const auto quarantined = fixture.journal.queue().quarantined(false);
  REQUIRE(quarantined);
  REQUIRE(quarantined->size() == 1);
  CHECK(quarantined->front().message_id == id);
  CHECK(quarantined->front().reason.find("could not be committed") != std::string::npos);
  CHECK(quarantined->front().reason.find("without a kind") != std::string::npos);
  CHECK(fixture.counts().pending == 0);
}
