// Pipeline: the daemon's data flow of DESIGN §5.1 — intake (validate, journal, acknowledge),
// dispatch (journal → bus → handler workers → one commit per result), delivery (outbox → sinks)
// — as one object that `run` and `replay` both build, so a replay goes through exactly the code
// the daemon runs. It knows only contracts (journal.h, bus.h, transport.h); gateway/cli
// constructs the concrete types and hands them in.
//
//   sources ─► intake ─► Journal::append ─► ack source
//                              │ (journal is the queue: state pending)
//                              ▼
//   dispatch loop: Journal::pending ─► Dispatcher ─► workers (handlers) ─► result
//                              ▼
//              Journal::commitResult (decisions + outbox + log lines, one transaction)
//                              ▼
//   delivery loop: Journal::dueOutbox ─► Sink::deliver, Sink::sync ─► Journal::recordDeliveries
//
// Replay mode (`logical_time`): timestamps come from the batch position instead of the clock
// (received = start + n ms, decided = received + 1 ms, delivered = received + 2 ms) and results
// are committed in journal order, so the same batch and config give byte-identical outputs.
//
// Thread-safety: receive() may be called from any thread (it is every source's Receiver);
// the other methods from the thread that owns the pipeline.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "adapters/transport/transport.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/clock.h"
#include "gateway/base/latency_histogram.h"
#include "gateway/base/object_pool.h"
#include "gateway/bus/bus.h"
#include "gateway/journal/message_queue.h"
#include "gateway/log/bsn_hasher.h"
#include "gateway/pipeline/log_lines.h"
#include "gateway/pipeline/metrics.h"

namespace zmq {
class context_t;
}
namespace iwmo::adapters::iwmo {
class IwmoAdapter;
}
namespace iwmo::adapters::stuf {
class EnvelopeReader;
}

namespace iwmo::pipeline {

struct PipelineOptions {
  adapters::xml::ParseLimits limits;
  bus::DispatcherOptions dispatcher;
  unsigned inprocess_workers = 2;
  std::uint32_t max_in_flight = 2000;
  std::size_t max_outstanding_appends = 1024;
  std::uint32_t retry_initial_ms = 1000;
  std::uint32_t retry_max_ms = 300000;
  bool logical_time = false;      // replay
  Timestamp logical_start;        // replay: the first message's received time
  // replay --clock dagtekening: each message is received at noon of its Dagtekening (+ n ms)
  bool logical_from_dagtekening = false;
  bool log_deliveries = true;     // replay: false (delivery lines would race with decisions)
  // schemas/stuf-ggk (issue 6): StUF-GGk documents (Di01, Du01, Fo01) are unwrapped at intake.
  // Null: they are not recognised (and fail as unknown messages).
  std::shared_ptr<const adapters::xml::SchemaSet> ggk_schemas;
  std::size_t max_envelope_bytes = 25u * 1024u * 1024u;
};

// What `replay` and the tests read at the end.
struct PipelineTotals {
  std::uint64_t received = 0;        // handed to receive()
  std::uint64_t journaled = 0;
  std::uint64_t received_again = 0;  // kAlreadyJournaled
  std::uint64_t journal_errors = 0;
  std::uint64_t committed = 0;       // handler results committed
  std::uint64_t delivered = 0;
  std::uint64_t delivery_failures = 0;
  std::uint64_t quarantined = 0;     // records that could not be read back (issue 16)
};

class Pipeline {
 public:
  // `sinks` maps peer names ("backoffice", "ggk", "rejected") to their sinks; `work` is what
  // the in-process workers run (the handler chain). Everything passed must outlive the pipeline.
  Pipeline(PipelineOptions options, journal::MessageQueue& journal,
           std::shared_ptr<const adapters::xml::SchemaSet> schemas, log::BsnHasher hasher,
           std::map<std::string, transport::Sink*> sinks, zmq::context_t& context,
           bus::WorkFunction work, Clock& clock, Metrics& metrics);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Binds the bus, starts workers, dispatch and delivery. Pending work in the journal (from a
  // crash) is picked up first. Errors: those of Dispatcher::start.
  Status start();

  // The Receiver of every source: validate, journal, acknowledge. Blocks while
  // max_outstanding_appends journal writes are outstanding (back-pressure on the source).
  void receive(transport::Received message, transport::Ack ack);

  // Called after any commit that wrote log lines (the log projector's wake()).
  void onLogLines(std::function<void()> callback) { on_log_lines_ = std::move(callback); }

  // Blocks until everything received so far is journaled, handled and delivered (or failed and
  // waiting for a retry), or `timeout` passes. True when idle.
  bool waitIdle(std::chrono::milliseconds timeout);

  // Stops dispatch, workers and delivery. Work not committed stays pending in the journal.
  void stop();

  PipelineTotals totals() const;
  // Wall-clock milliseconds from receive() to the commit of the handler result, over all
  // messages (for the replay summary's p50/p99), in fixed memory.
  LatencyHistogram latencies() const;
  Gauges gauges() const;
  // OK, or why the pipeline is unhealthy (journal failing, pending work that cannot be read,
  // deliveries failing).
  Status health() const;

 private:
  struct Context {
    MessageFacts facts;
  };
  void dispatchLoop();
  void submit(journal::PendingMessage message);
  // Takes an unreadable pending message out of the queue; false (health says why) when the
  // journal could not record that.
  bool quarantine(const journal::PendingMessage& message);
  void onResult(proto::HandlerResult result);
  void commit(proto::HandlerResult result);
  void deliveryLoop();
  void wakeDispatch();
  void wakeDelivery();
  Timestamp now() { return clock_.now(); }
  std::chrono::milliseconds backoff(std::uint32_t attempts) const;

  PipelineOptions options_;
  journal::MessageQueue& journal_;
  std::shared_ptr<const adapters::xml::SchemaSet> schemas_;
  log::BsnHasher hasher_;
  std::map<std::string, transport::Sink*> sinks_;
  zmq::context_t& context_;
  bus::WorkFunction work_;
  Clock& clock_;
  Metrics& metrics_;
  std::function<void()> on_log_lines_;

  std::unique_ptr<bus::Dispatcher> dispatcher_;
  std::vector<std::thread> workers_;
  std::thread dispatch_thread_;
  std::thread delivery_thread_;
  std::atomic<bool> stopping_{false};

  // One validator (and envelope reader) per intake thread at a time.
  ObjectPool<adapters::iwmo::IwmoAdapter> adapters_;
  ObjectPool<adapters::stuf::EnvelopeReader> readers_;

  // Intake back-pressure and totals.
  mutable std::mutex intake_mutex_;
  std::condition_variable intake_cv_;
  std::size_t outstanding_appends_ = 0;
  std::uint64_t sequence_ = 0;  // logical time: position in the batch
  PipelineTotals totals_;
  Status journal_health_;
  LatencyHistogram latencies_;
  std::uint64_t outgoing_committed_ = 0;  // outbox items committed this run
  std::unordered_map<std::uint64_t, std::chrono::steady_clock::time_point> wall_received_;

  // Dispatch state (guarded by dispatch_mutex_).
  mutable std::mutex dispatch_mutex_;
  std::condition_variable dispatch_cv_;
  bool dispatch_woken_ = false;
  std::uint64_t cursor_ = 0;
  Status dispatch_health_;  // not OK while pending work cannot be read or quarantined
  std::size_t submitted_not_committed_ = 0;
  std::unordered_map<std::uint64_t, Context> contexts_;
  std::deque<std::uint64_t> commit_order_;  // logical time: commit strictly in journal order
  std::unordered_map<std::uint64_t, proto::HandlerResult> ready_results_;
  std::deque<proto::HandlerResult> retry_commits_;
  std::size_t outstanding_commits_ = 0;  // commitResult callbacks not yet run

  // Delivery state.
  mutable std::mutex delivery_mutex_;
  std::condition_variable delivery_cv_;
  bool delivery_woken_ = false;
  std::uint64_t consecutive_delivery_failures_ = 0;
};

}  // namespace iwmo::pipeline
