// Pipeline: the daemon's data flow of DESIGN §5.1 as four stages over the journal, built the same
// way by `run` and `replay` (so a replay goes through exactly the code the daemon runs):
//
//   sources ─► Intake ───────────► MessageQueue::append ─► Ack to the source
//              validators (parallel)    │ new row, in id order
//                                       ▼
//              Dispatch ─ per client, one at a time ─► Preparer (journal's stores, in journal order)
//                 │                                        │
//                 └── bus (ZeroMQ) ─► workers: HandlerChain ─► result
//                                                              ▼
//              Commit ─► MessageQueue::commitResult (decisions, outbox, log lines, state: one
//                 │       transaction) ─ requested: release the client's next · durable: finished
//                 ▼
//              Delivery ─► MessageQueue::dueOutbox ─► Sink::deliver, Sink::sync ─► recordDeliveries
//
// Each stage is a unit of its own (intake.h, dispatch.h, commit.h, delivery.h); this class wires
// them and answers for the whole (totals, health, idle). The journal is the queue between them:
// whatever is in memory may be lost in a crash and is redone from it.
//
// Thread-safety: receive() from any thread (it is every source's Receiver); the rest from the
// thread that owns the pipeline. Everything passed in must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/transport/transport.h"
#include "adapters/xml/schema_set.h"
#include "gateway/base/clock.h"
#include "gateway/base/date.h"
#include "gateway/base/latency_histogram.h"
#include "gateway/handlers/handler.h"
#include "gateway/journal/journal.h"
#include "gateway/log/bsn_hasher.h"
#include "gateway/pipeline/commit.h"
#include "gateway/pipeline/delivery.h"
#include "gateway/pipeline/dispatch.h"
#include "gateway/pipeline/eb_ticker.h"
#include "gateway/pipeline/intake.h"
#include "gateway/pipeline/metrics.h"

namespace zmq {
class context_t;
}

namespace iwmo::pipeline {

struct PipelineOptions {
  IntakeOptions intake;
  DispatchOptions dispatch;
  DeliveryOptions delivery;
  // Replay: logical time in every stage (intake.logical_start is the first message's time).
  bool logical_time = false;
  // The daemon: how often the eigen-bijdrage tick runs on the clock's day (eb_ticker.h); zero:
  // only when tickEigenBijdrage() is called (a replay: for each day of a --clock dagtekening batch,
  // and for the day after the batch's last).
  std::chrono::seconds eb_tick_interval{0};
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
  std::uint64_t quarantined = 0;     // records that could not be read back or committed (issue 16)
};

class Pipeline {
 public:
  Pipeline(PipelineOptions options, journal::Journal& journal, const handlers::HandlerChainHolder& chain,
           std::shared_ptr<const adapters::xml::SchemaSet> schemas, log::BsnHasher hasher,
           std::map<std::string, transport::Sink*> sinks, zmq::context_t& context, Clock& clock, Metrics& metrics);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Binds the bus, starts the workers and every stage. Pending work in the journal (from a
  // crash) is picked up first. Errors: those of bus::Dispatcher::start.
  Status start();
  // The Receiver of every source (intake.h).
  void receive(transport::Received message, transport::Ack ack);
  // Called after any commit that wrote log lines (the log projector's wake()). REQUIRES: before start().
  void onLogLines(std::function<void()> callback) { on_log_lines_ = std::move(callback); }
  // Blocks until everything received so far is journaled, handled and delivered (or failed and
  // waiting for a retry), or `timeout` passes. True when idle.
  bool waitIdle(std::chrono::milliseconds timeout);
  // Blocks until everything received so far is journaled and handled (not yet delivered).
  bool waitHandled(std::chrono::milliseconds timeout);
  // The eigen-bijdrage tick of `day` (eb_ticker.h), received at `at`; how many clients it
  // decides again. Errors: those of the journal.
  Result<std::size_t> tickEigenBijdrage(Date day, Timestamp at);
  // Stops every stage. Work not committed stays pending in the journal.
  void stop();

  PipelineTotals totals() const;
  LatencyHistogram latencies() const;  // intake to durable commit, ms
  Gauges gauges() const;
  // OK, or why the pipeline is unhealthy (journal failing, pending work that cannot be read,
  // an outgoing message waiting longer than delivery.unhealthy_after_s, no handler worker
  // connected): what /healthz reports.
  Status health() const;
  // The stages' own health, without delivery's backlog: what a restart could mend (the systemd
  // watchdog). A peer that does not answer is reported by health(), and restarting the daemon
  // would not deliver sooner.
  Status liveness() const;

 private:
  void logLines();

  const PipelineOptions options_;
  journal::Journal& journal_;
  std::function<void()> on_log_lines_;
  std::atomic<std::uint64_t> quarantined_{0};  // by the dispatch stage (unreadable records)
  Intake intake_;
  Dispatch dispatch_;
  Commit commit_;
  Delivery delivery_;
  const log::BsnHasher hasher_;  // the ticker's
  EbTicker ticker_;
  Clock& clock_;
  // The periodic tick (options_.eb_tick_interval), stopped by stop().
  std::thread tick_thread_;
  std::mutex tick_mutex_;
  std::condition_variable tick_wake_;
  bool tick_stopping_ = false;  // guarded by tick_mutex_
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace iwmo::pipeline
