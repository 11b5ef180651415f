#include "gateway/pipeline/pipeline.h"

#include <iostream>
#include <thread>

#include "gateway/base/thread_role.h"

namespace iwmo::pipeline {

Pipeline::Pipeline(PipelineOptions options, journal::Journal& journal, const handlers::HandlerChainHolder& chain,
                   std::shared_ptr<const adapters::xml::SchemaSet> schemas, log::BsnHasher hasher,
                   std::map<std::string, transport::Sink*> sinks, zmq::context_t& context, Clock& clock,
                   Metrics& metrics)
    : options_(std::move(options)),
      journal_(journal),
      intake_(options_.intake, journal.queue(), std::move(schemas), hasher, clock, metrics),
      dispatch_(options_.dispatch, journal, chain, hasher, context, clock),
      commit_(options_.logical_time, journal.queue(), clock, metrics),
      delivery_(options_.delivery, journal.queue(), std::move(sinks), clock, metrics),
      hasher_(hasher),
      ticker_(journal.eb(), intake_, hasher_),
      clock_(clock) {
  intake_.setCallbacks([this](JournaledMessage message) { dispatch_.journaled(std::move(message)); },
                       [this] { logLines(); });
  Dispatch::Callbacks dispatch;
  dispatch.admitted = [this](const Admitted& message) { commit_.admitted(message); };
  dispatch.result = [this](proto::HandlerResult result) { commit_.result(std::move(result)); };
  dispatch.quarantined = [this](std::uint64_t) {
    intake_.handled(1);
    ++quarantined_;
  };
  dispatch.log_lines = [this] { logLines(); };
  dispatch.reset_begins = [this] { commit_.resetBegins(dispatch_.generation()); };
  dispatch.reset_drained = [this] { commit_.waitDrained(); };
  dispatch_.setCallbacks(std::move(dispatch));
  Commit::Callbacks commit;
  commit.requested = [this](std::uint64_t id, const std::string& key) { dispatch_.release(id, key); };
  commit.finished = [this](std::uint64_t id) {
    dispatch_.finished(id);
    intake_.handled(1);
    delivery_.wake();
  };
  commit.failed = [this](const Status& why) { dispatch_.requestReset(why); };
  commit.log_lines = [this] { logLines(); };
  commit_.setCallbacks(std::move(commit));
  delivery_.onLogLines([this] { logLines(); });
}

Pipeline::~Pipeline() { stop(); }

void Pipeline::logLines() {
  if (on_log_lines_) on_log_lines_();
}

Status Pipeline::start() {
  IWMO_RETURN_IF_ERROR(dispatch_.start());
  IWMO_RETURN_IF_ERROR(intake_.start());
  delivery_.start();
  started_ = true;
  if (options_.eb_tick_interval.count() > 0) {
    tick_thread_ = std::thread([this] {
      setThreadRole("iwmo-eb-tick", ThreadRole::kBackground);
      std::unique_lock lock(tick_mutex_);
      while (!tick_stopping_) {
        lock.unlock();
        const Timestamp now = clock_.now();
        const Date today = Date::fromDays(static_cast<long>(now.seconds() / 86400));
        if (auto ticked = ticker_.tick(today, now); !ticked) {
          std::cerr << "iwmo-gateway: the eigen-bijdrage tick of " << today.toString()
                    << " could not read the journal: " << ticked.status().message() << "; it tries again in "
                    << options_.eb_tick_interval.count() << " s\n";
        }
        lock.lock();
        tick_wake_.wait_for(lock, options_.eb_tick_interval, [this] { return tick_stopping_; });
      }
    });
  }
  return Status::ok();
}

Result<std::size_t> Pipeline::tickEigenBijdrage(Date day, Timestamp at) { return ticker_.tick(day, at); }

bool Pipeline::waitHandled(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (intake_.idle() && dispatch_.idle() && commit_.idle()) {
      auto counts = journal_.queue().counts();
      if (counts && counts->pending == 0) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Pipeline::receive(transport::Received message, transport::Ack ack) {
  intake_.receive(std::move(message), std::move(ack));
}

void Pipeline::stop() {
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(tick_mutex_);
    tick_stopping_ = true;
  }
  tick_wake_.notify_all();
  // In the order of the flow: no new messages, then no new decisions, then no deliveries. A tick
  // blocked in the intake's back-pressure is let go by intake_.stop().
  intake_.stop();
  if (tick_thread_.joinable()) tick_thread_.join();
  dispatch_.stop();
  commit_.waitDrained();  // commit callbacks still queued in the journal refer to the stages
  delivery_.stop();
}

bool Pipeline::waitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    // Cheap in-memory checks first; the journal (a count over every row) only to confirm.
    if (intake_.idle() && dispatch_.idle() && commit_.idle() &&
        commit_.totals().outgoing <= delivery_.totals().delivered) {
      auto counts = journal_.queue().counts();
      if (counts && counts->pending == 0 && counts->outbox_pending == 0) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

PipelineTotals Pipeline::totals() const {
  const IntakeTotals intake = intake_.totals();
  const CommitTotals commit = commit_.totals();
  const DeliveryTotals delivery = delivery_.totals();
  PipelineTotals totals;
  totals.received = intake.received;
  totals.journaled = intake.journaled;
  totals.received_again = intake.received_again;
  totals.journal_errors = intake.journal_errors;
  totals.committed = commit.committed;
  totals.delivered = delivery.delivered;
  totals.delivery_failures = delivery.failures;
  totals.quarantined = commit.quarantined + quarantined_.load();
  return totals;
}

LatencyHistogram Pipeline::latencies() const { return commit_.latencies(); }

Gauges Pipeline::gauges() const {
  Gauges gauges;
  if (auto counts = journal_.queue().counts()) {
    gauges.journal_pending = counts->pending;
    gauges.outbox_pending = counts->outbox_pending;
    gauges.quarantined_open = counts->quarantined_open;
  }
  gauges.outbox_oldest_seconds = delivery_.oldestUndeliveredSeconds();
  const auto bus = dispatch_.busCounters();
  gauges.bus_queued = bus.queued;
  gauges.bus_in_flight = bus.in_flight;
  gauges.bus_workers = bus.workers;
  return gauges;
}

Status Pipeline::liveness() const {
  for (const Status& status : {intake_.health(), dispatch_.health(), commit_.health()}) {
    if (!status.isOk()) return status;
  }
  return Status::ok();
}

Status Pipeline::health() const {
  for (const Status& status : {liveness(), delivery_.health()}) {
    if (!status.isOk()) return status;
  }
  if (started_ && options_.dispatch.inprocess_workers == 0 && dispatch_.busCounters().workers == 0) {
    return Status::unavailable("no handler worker is connected to the bus");
  }
  return Status::ok();
}

}  // namespace iwmo::pipeline
