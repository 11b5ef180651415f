// Dispatch: the pipeline's second stage (DESIGN §5.1 step 4). It takes the journaled messages —
// straight from intake, or read from the message queue after a restart or when intake ran ahead —
// in journal order, keeps each client's messages one at a time, has each prepared (Preparer: the
// context the handlers need, read from the journal's stores) and sends it over the bus
// (ZeroMQ ROUTER/DEALER) to a handler worker. Results go to the commit stage.
//
// Per-client order without waiting for fsyncs (issue 13): a client's next message is released as
// soon as the commit of its previous one is *requested* (release(); the journal executes writes
// in request order), and its prepare runs on the journal's writer after that commit
// (Journal::readAfterWrites), so it sees the previous message's effects before they are
// durable. Should that commit fail after all (the journal then refuses further ordered work),
// the stage starts a new round (reset()): it drops everything undecided, stops and restarts the
// bus, and reads its pending work from the journal again; results of the old round are dropped
// by their generation.
//
// A record that cannot be read back is quarantined with an operator item (issue 16), never
// dispatched, never holding up the messages after it; while pending work cannot be read at all,
// health() says so.
//
// Thread-safety: journaled() and release() from any thread (the journal's writer, the bus's
// result thread); the rest from the thread that owns the stage. The stage runs one thread of its
// own (the loop) plus the bus's and the in-process workers'.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/bus/bus.h"
#include "gateway/handlers/handler.h"
#include "gateway/journal/journal.h"
#include "gateway/log/bsn_hasher.h"
#include "gateway/pipeline/intake.h"
#include "gateway/pipeline/log_lines.h"
#include "gateway/pipeline/metrics.h"
#include "gateway/pipeline/preparer.h"

namespace zmq {
class context_t;
}

namespace iwmo::pipeline {

struct DispatchOptions {
  bus::DispatcherOptions bus;
  unsigned inprocess_workers = 2;
  std::uint32_t max_in_flight = 512;   // admitted, not yet durably committed
  std::size_t handoff_capacity = 512;  // from intake; beyond it the journal is read instead
  bool logical_time = false;            // replay: quarantine times follow the batch
};

// What the commit stage needs to know about a message it will get a result for.
struct Admitted {
  std::uint64_t id = 0;
  std::uint64_t generation = 0;
  std::string key;  // the client's pseudonym ("" = no client: no order kept)
  MessageFacts facts;
  std::optional<std::chrono::steady_clock::time_point> received;  // for the latency histogram
};

// The work item for a journaled message, as it goes to a worker (before its prepare).
proto::WorkItem workItemOf(journal::PendingMessage message);

class Dispatch {
 public:
  struct Callbacks {
    std::function<void(const Admitted&)> admitted;            // before its item leaves
    std::function<void(proto::HandlerResult)> result;         // on the bus's thread
    std::function<void(std::uint64_t)> quarantined;           // a message left the queue so
    std::function<void()> log_lines;
    std::function<void()> reset_begins;                       // before a new round ...
    std::function<void()> reset_drained;                      // ... waits for this to return
  };

  Dispatch(DispatchOptions options, journal::Journal& journal, const handlers::HandlerChainHolder& chain,
           log::BsnHasher hasher, zmq::context_t& context, Clock& clock);
  ~Dispatch();
  Dispatch(const Dispatch&) = delete;
  Dispatch& operator=(const Dispatch&) = delete;

  // REQUIRES: before start().
  void setCallbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }
  // Binds the bus, starts the workers and the loop. Errors: those of bus::Dispatcher::start.
  Status start();
  // Stops the loop, the workers and the bus. Undecided work stays pending in the journal.
  void stop();

  // A new row, from intake (in id order).
  void journaled(JournaledMessage message);
  // The commit of `id`'s result was requested: `key`'s next message may be prepared.
  void release(std::uint64_t id, const std::string& key);
  // `id` is done with (its commit durable, or dropped): room for another.
  void finished(std::uint64_t id);
  // A commit failed so that what depended on it must be redone (kAborted, kUnavailable ...).
  void requestReset(const Status& why);

  std::uint64_t generation() const { return generation_.load(); }
  bool idle() const;  // nothing admitted and not finished, nothing handed off
  bus::DispatcherCounters busCounters() const;
  // Not OK while pending work cannot be read from the journal, or an unreadable record cannot
  // be quarantined.
  Status health() const;

 private:
  void loop();
  bool fill(std::size_t room);
  void admit(journal::PendingMessage message, std::optional<std::chrono::steady_clock::time_point> received);
  bool quarantine(const journal::PendingMessage& message);
  void prepareAndSend(std::shared_ptr<proto::WorkItem> item, std::string key, std::uint64_t generation);
  void send(proto::WorkItem item, const std::string& key, std::uint64_t generation);
  Status startBus();
  void stopBus();
  void reset();
  void wake();

  const DispatchOptions options_;
  journal::Journal& journal_;
  const handlers::HandlerChainHolder& chain_;
  const log::BsnHasher hasher_;
  zmq::context_t& context_;
  Clock& clock_;
  Preparer preparer_;
  Callbacks callbacks_;

  mutable std::shared_mutex bus_mutex_;  // shared: using dispatcher_; exclusive: replacing it
  std::unique_ptr<bus::Dispatcher> dispatcher_;
  std::vector<std::thread> workers_;
  std::atomic<bool> workers_stop_{false};
  std::thread loop_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> generation_{0};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  bool woken_ = false;
  std::deque<JournaledMessage> handoff_;
  std::uint64_t cursor_ = 0;  // highest id admitted this round
  std::size_t in_flight_ = 0;
  // Per client: whether a message of it is between prepare and its commit request, and who waits.
  std::unordered_map<std::string, std::deque<std::shared_ptr<proto::WorkItem>>> waiting_;
  bool read_journal_ = true;  // the journal may hold pending work the hand-off does not
  std::size_t preparing_ = 0;  // readAfterWrites requested, neither read nor refused yet
  std::condition_variable prepared_;
  std::optional<Status> reset_reason_;
  Status read_health_;        // not OK while pending work cannot be read or quarantined
};

}  // namespace iwmo::pipeline
