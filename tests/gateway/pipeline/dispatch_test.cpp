// The dispatch stage on its own (issue 13): pending work is read from the journal in id order,
// prepared with the context its handlers need, sent over the real ZeroMQ bus (inproc) to the
// in-process workers; a client's next message waits for the commit request of its previous one;
// no more than max_in_flight messages are out; a reset redoes every undecided message in a new
// round. Against the in-memory journal twin, with the real routing handler.
#include "gateway/pipeline/dispatch.h"

#include <zmq.hpp>

#include <map>
#include <mutex>
#include <vector>

#include "gateway/handlers/routing_handler.h"
#include "stage_support.h"

namespace {

using iwmo::journal::MemoryJournal;
using iwmo::pipeline::Admitted;
using iwmo::pipeline::Dispatch;
using iwmo::pipeline::DispatchOptions;
using namespace iwmo::test::stages;

// Routes like the real handler and asks for the client's context, so that every message goes
// through the prepare step on the journal (Journal::readAfterWrites).
class RoutingWithContext final : public iwmo::handlers::Handler {
 public:
  iwmo::handlers::HandlerKind kind() const override { return iwmo::handlers::HandlerKind::kRouting; }
  void handle(const iwmo::proto::WorkItem& item, iwmo::proto::HandlerResult& result) const override {
    routing_.handle(item, result);
  }
  void addNeeds(const iwmo::proto::WorkItem&, iwmo::handlers::ContextNeeds& needs) const override {
    needs.client_context = true;
  }

 private:
  iwmo::handlers::RoutingHandler routing_{iwmo::rules::RoutingParams{{"0599"}}};
};

std::shared_ptr<const iwmo::handlers::HandlerChain> chainOf(std::unique_ptr<const iwmo::handlers::Handler> handler) {
  std::vector<std::unique_ptr<const iwmo::handlers::Handler>> handlers;
  handlers.push_back(std::move(handler));
  return std::make_shared<const iwmo::handlers::HandlerChain>(std::move(handlers));
}

struct DispatchFixture {
  explicit DispatchFixture(DispatchOptions options = DispatchOptions{})
      : dispatch(options, journal, chain, iwmo::log::BsnHasher::fromKey(std::string(32, 'k')), context, clock) {
    Dispatch::Callbacks callbacks;
    callbacks.admitted = [this](const Admitted& admitted) {
      std::lock_guard lock(mutex);
      keys[admitted.id] = admitted.key;
    };
    callbacks.result = [this](iwmo::proto::HandlerResult result) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(result));
    };
    callbacks.quarantined = [](std::uint64_t) {};
    callbacks.log_lines = [] {};
    callbacks.reset_begins = [this] {
      std::lock_guard lock(mutex);
      ++resets;
    };
    callbacks.reset_drained = [] {};
    dispatch.setCallbacks(std::move(callbacks));
  }
  ~DispatchFixture() { dispatch.stop(); }

  std::uint64_t journalFor(int client) {
    const std::string n = std::to_string(++count);
    return journalMessage(journal.queue(), wmo305For(kClientBsns[client], "D" + n), "in/" + n + ".xml");
  }
  std::size_t resultCount() {
    std::lock_guard lock(mutex);
    return results.size();
  }
  bool hasResultFor(std::uint64_t id) {
    std::lock_guard lock(mutex);
    for (const auto& result : results) {
      if (result.message_id() == id) return true;
    }
    return false;
  }
  std::string keyOf(std::uint64_t id) {
    std::lock_guard lock(mutex);
    return keys.at(id);
  }

  MemoryJournal journal;
  iwmo::handlers::HandlerChainHolder chain{chainOf(std::make_unique<RoutingWithContext>())};
  zmq::context_t context;
  iwmo::SystemClock clock;
  Dispatch dispatch;
  int count = 0;
  std::mutex mutex;
  std::map<std::uint64_t, std::string> keys;
  std::vector<iwmo::proto::HandlerResult> results;
  int resets = 0;
};

}  // namespace

TEST_CASE("dispatch: work pending in the journal is read, prepared and handled after a start", "[pipeline][dispatch]") {
  DispatchFixture fixture;
  for (int client = 0; client < 5; ++client) fixture.journalFor(client);
  REQUIRE(fixture.dispatch.start().isOk());
  REQUIRE(eventually([&] { return fixture.resultCount() == 5; }));
  std::lock_guard lock(fixture.mutex);
  for (const auto& result : fixture.results) {
    CHECK(result.dispatch_generation() == 0);
    CHECK(result.disposition() == "routed");
    REQUIRE(result.outgoing_size() == 1);
    CHECK(result.outgoing(0).peer() == "backoffice");
  }
  // Each message is keyed by its client's pseudonym, never the BSN itself.
  CHECK(fixture.keys.at(1).rfind("h:", 0) == 0);
  CHECK(fixture.keys.at(1) != fixture.keys.at(2));
  CHECK(fixture.keys.at(1).find(kClientBsns[0]) == std::string::npos);
}

TEST_CASE("dispatch: a client's next message waits until the commit of its previous one is requested",
          "[pipeline][dispatch]") {
  DispatchFixture fixture;
  const auto first = fixture.journalFor(0);
  const auto second = fixture.journalFor(0);
  const auto other = fixture.journalFor(1);
  REQUIRE(fixture.dispatch.start().isOk());
  REQUIRE(eventually([&] { return fixture.hasResultFor(first) && fixture.hasResultFor(other); }));
  // Nothing is committed yet, so the same client's second message must still be held back.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(fixture.hasResultFor(second));
  CHECK(fixture.keyOf(first) == fixture.keyOf(second));

  fixture.dispatch.release(first, fixture.keyOf(first));
  REQUIRE(eventually([&] { return fixture.hasResultFor(second); }));
}

TEST_CASE("dispatch: messages handed over by intake are dispatched in order", "[pipeline][dispatch]") {
  DispatchFixture fixture;
  REQUIRE(fixture.dispatch.start().isOk());
  for (int client = 0; client < 3; ++client) {
    const auto id = fixture.journalFor(client);
    auto pending = fixture.journal.queue().pending(id - 1, 1);
    REQUIRE(pending);
    REQUIRE(pending->size() == 1);
    fixture.dispatch.journaled({std::move(pending->front()), std::chrono::steady_clock::now()});
  }
  REQUIRE(eventually([&] { return fixture.resultCount() == 3; }));
  CHECK_FALSE(fixture.dispatch.idle());  // admitted, not finished
  for (std::uint64_t id = 1; id <= 3; ++id) fixture.dispatch.finished(id);
  CHECK(fixture.dispatch.idle());
}

TEST_CASE("dispatch: no more than max_in_flight messages are out until some are finished", "[pipeline][dispatch]") {
  DispatchOptions options;
  options.max_in_flight = 2;
  DispatchFixture fixture(options);
  for (int client = 0; client < 5; ++client) fixture.journalFor(client);
  REQUIRE(fixture.dispatch.start().isOk());
  REQUIRE(eventually([&] { return fixture.resultCount() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(fixture.resultCount() == 2);
  fixture.dispatch.finished(1);
  fixture.dispatch.finished(2);
  REQUIRE(eventually([&] { return fixture.resultCount() == 4; }));
}

TEST_CASE("dispatch: a reset redoes every undecided message from the journal in a new round", "[pipeline][dispatch]") {
  DispatchFixture fixture;
  fixture.journalFor(0);
  fixture.journalFor(1);
  REQUIRE(fixture.dispatch.start().isOk());
  REQUIRE(eventually([&] { return fixture.resultCount() == 2; }));
  fixture.dispatch.requestReset(iwmo::Status::unavailable("disk I/O error (test)"));
  REQUIRE(eventually([&] { return fixture.resultCount() == 4; }));
  CHECK(fixture.dispatch.generation() == 1);
  std::lock_guard lock(fixture.mutex);
  CHECK(fixture.resets == 1);
  CHECK(fixture.results[2].dispatch_generation() == 1);
  CHECK(fixture.results[3].dispatch_generation() == 1);
}
