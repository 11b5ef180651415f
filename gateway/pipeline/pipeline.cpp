#include "gateway/pipeline/pipeline.h"

#include <algorithm>
#include <future>
#include <iostream>
#include <set>
#include <utility>
#include <zmq.hpp>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "gateway/base/date.h"
#include "gateway/base/utf8.h"
#include "gateway/pipeline/ggk_intake.h"

namespace iwmo::pipeline {
namespace {

using SteadyClock = std::chrono::steady_clock;

// TR056 key: the physical sender, the type and the message's own Identificatie (retours:
// IdentificatieRetour). Empty when any part is missing (e.g. the message failed level 1 early).
std::string duplicateKey(const proto::Envelope& envelope) {
  const proto::Routing& routing = envelope.summary().routing();
  const std::string& type = envelope.summary().message_type();
  if (routing.physical_sender().empty() || type.empty() || routing.own_identificatie().empty()) {
    return "";
  }
  return routing.physical_sender() + "|" + type + "|" + routing.own_identificatie();
}

// The peer a batch member came from when the batch does not say: the message type's sender.
// The GGk is one channel for the providers and the CAK; an envelope's zender says which.
std::string ggkSidePeer(const proto::Envelope& envelope) {
  return envelope.ggk().zender_organisatie() == "CAK" ? "cak" : "ggk";
}

std::string inferPeer(const proto::Envelope& envelope) {
  if (!envelope.ggk().kind().empty()) return ggkSidePeer(envelope);  // only the GGk side speaks StUF-GGk
  const std::string& sent_by = envelope.summary().routing().sent_by();
  if (sent_by == "gemeente") return "backoffice";
  if (sent_by == "aanbieder") return "ggk";
  if (sent_by == "cak") return "cak";
  return "unknown";
}

// The BSN the per-client order is kept for: the Client's, or a declaratie's first Prestatie's.
std::string clientBsn(const proto::Envelope& envelope) {
  const proto::MessageSummary& summary = envelope.summary();
  if (!summary.client().bsn().empty()) return summary.client().bsn();
  if (summary.declaratie().prestaties_size() > 0) return summary.declaratie().prestaties(0).bsn();
  return "";
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, journal::MessageQueue& journal,
                   std::shared_ptr<const adapters::xml::SchemaSet> schemas, log::BsnHasher hasher,
                   std::map<std::string, transport::Sink*> sinks, zmq::context_t& context,
                   bus::WorkFunction work, Clock& clock, Metrics& metrics)
    : options_(std::move(options)),
      journal_(journal),
      schemas_(std::move(schemas)),
      hasher_(std::move(hasher)),
      sinks_(std::move(sinks)),
      context_(context),
      work_(std::move(work)),
      clock_(clock),
      metrics_(metrics),
      // Findings show the client's pseudonym, as the routing log does (issue 16).
      adapters_([this] {
        return adapters::iwmo::IwmoAdapter::create(schemas_, options_.limits,
                                                   [this](std::string_view bsn) { return hasher_.hash(bsn); });
      }),
      readers_([this] {
        adapters::stuf::ReaderLimits limits;
        limits.max_envelope_bytes = options_.max_envelope_bytes;
        limits.max_element_depth = options_.limits.max_element_depth;
        return adapters::stuf::EnvelopeReader::create(options_.ggk_schemas, limits);
      }) {}

Pipeline::~Pipeline() { stop(); }

Status Pipeline::start() {
  auto dispatcher = bus::Dispatcher::start(
      context_, options_.dispatcher, [this](proto::HandlerResult result) { onResult(std::move(result)); });
  if (!dispatcher) return dispatcher.status();
  dispatcher_ = std::move(*dispatcher);
  for (unsigned i = 0; i < options_.inprocess_workers; ++i) {
    workers_.emplace_back([this, i] {
      bus::WorkerOptions worker;
      worker.endpoint = bus::kInprocEndpoint;
      worker.name = "inproc-" + std::to_string(i + 1);
      worker.heartbeat_ms = options_.dispatcher.heartbeat_ms;
      const Status status =
          bus::runWorker(context_, worker, work_, [this] { return stopping_.load(); });
      if (!status.isOk()) std::cerr << "iwmo-gateway: " << status.message() << "\n";
    });
  }
  dispatch_thread_ = std::thread([this] { dispatchLoop(); });
  delivery_thread_ = std::thread([this] { deliveryLoop(); });
  return Status::ok();
}

void Pipeline::stop() {
  if (stopping_.exchange(true)) return;
  wakeDispatch();
  wakeDelivery();
  if (dispatch_thread_.joinable()) dispatch_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  if (dispatcher_) dispatcher_->stop();
  // Commit callbacks still queued in the journal refer to this pipeline: wait for them.
  std::unique_lock lock(dispatch_mutex_);
  dispatch_cv_.wait(lock, [&] { return outstanding_commits_ == 0; });
  // Results that arrived but could not be committed stay pending in the journal.
}

void Pipeline::receive(transport::Received message, transport::Ack ack) {
  // Names come from outside (a file saved under a Latin-1 name, a ZeroMQ name frame, a tar
  // member): the Envelope, the journal, log lines and reports carry a valid UTF-8 rendering, the
  // bytes are kept beside it (issue 16: a stored name that was not UTF-8 stopped the queue).
  std::string source_bytes;
  if (std::string printable = printableUtf8(message.source); printable != message.source) {
    source_bytes = std::exchange(message.source, std::move(printable));
  }
  Timestamp received_at;
  {
    std::unique_lock lock(intake_mutex_);
    // Back-pressure: at most max_outstanding_appends journal writes in progress, and no more
    // than a bounded backlog journaled but not yet handled (the source keeps the rest).
    const std::uint64_t backlog_limit = 4ull * options_.max_in_flight;
    intake_cv_.wait(lock, [&] {
      const std::uint64_t done = totals_.committed + totals_.quarantined;
      const std::uint64_t backlog = totals_.journaled > done ? totals_.journaled - done : 0;
      return outstanding_appends_ < options_.max_outstanding_appends && backlog < backlog_limit;
    });
    ++outstanding_appends_;
    ++totals_.received;
    received_at = options_.logical_time ? options_.logical_start.plusMillis(
                                              static_cast<std::int64_t>(sequence_++))
                                        : now();
  }
  journal::AppendRequest request;
  const bool ggk_document = !message.oversize && options_.ggk_schemas && isGgkDocument(message.bytes);
  auto adapter = adapters_.acquire();
  auto reader = ggk_document ? readers_.acquire() : Result<ObjectPool<adapters::stuf::EnvelopeReader>::Lease>(
                                                        Status::notFound("not a StUF-GGk document"));
  if (!adapter || (ggk_document && !reader)) {
    // Cannot happen after start-up checks (the schema sets compiled); keep the message at its
    // source rather than drop or misread it.
    const Status failed = !adapter ? adapter.status() : reader.status();
    std::cerr << "iwmo-gateway: cannot create a validator: " << failed.message() << "\n";
    {
      std::lock_guard lock(intake_mutex_);
      --outstanding_appends_;
      ++totals_.journal_errors;
    }
    intake_cv_.notify_all();
    ack({false, 0, "", "the gateway could not create a validator (" + failed.message() + "); see its log"});
    return;
  }
  if (message.oversize) {
    (*adapter)->refuseOversize(message.size, message.sha256, message.source, request.envelope);
  } else if (ggk_document) {
    readGgkDocument(**reader, **adapter, message.bytes, message.source, request.envelope);
  } else {
    (*adapter)->validate(message.bytes, message.source, request.envelope);
  }
  message.bytes.clear();
  message.bytes.shrink_to_fit();
  if (!source_bytes.empty()) request.envelope.set_source_bytes(std::move(source_bytes));

  request.peer = message.peer.empty() ? inferPeer(request.envelope) : message.peer;
  // The CAK's envelopes may come through the providers' channel (one Digikoppeling adapter, or
  // [ggk.https_in]): they are the CAK peer's all the same.
  if (request.peer == "ggk" && !request.envelope.ggk().kind().empty()) request.peer = ggkSidePeer(request.envelope);
  if (options_.logical_time && options_.logical_from_dagtekening) {
    // As if received at noon (UTC) on its Dagtekening (replays of historical batches: the
    // eigen-bijdrage date windows are relative to the day of receipt), in batch order.
    if (const auto day = Date::parse(request.envelope.summary().header().dagtekening())) {
      received_at = Timestamp::fromSeconds(static_cast<std::int64_t>(day->daysSinceEpoch()) * 86400 + 12 * 3600)
                        .plusMillis(received_at.micros / 1000 - options_.logical_start.micros / 1000);
    }
  }
  request.received_at = received_at;
  request.duplicate_key = request.envelope.verdict().valid() ? duplicateKey(request.envelope) : "";
  const bool valid = request.envelope.verdict().valid();
  const std::string type = request.envelope.summary().message_type();
  const std::string peer = request.peer;
  const std::string source = message.source;
  request.log_lines = [source, peer, received_at](const journal::AppendOutcome& outcome) {
    std::vector<std::string> lines;
    if (outcome.kind == journal::AppendKind::kAlreadyJournaled) {
      lines.push_back(receivedAgainLine(outcome.original, source, peer, received_at));
    }
    return lines;
  };
  const auto requested = SteadyClock::now();
  journal_.append(std::move(request), [this, ack = std::move(ack), valid, type, peer,
                                       requested](Result<journal::AppendOutcome> outcome) {
    metrics_.journalCommit(std::chrono::duration<double>(SteadyClock::now() - requested).count());
    transport::AckInfo info;
    if (outcome) {
      info.journaled = true;
      info.message_id = outcome->id;
      switch (outcome->kind) {
        case journal::AppendKind::kNew:
          info.verdict = valid ? "accepted" : "rejected";
          info.detail = "journaled as message #" + std::to_string(outcome->id) +
                        (valid ? "; valid, being routed"
                               : "; invalid, not forwarded: see iwmo-gateway explain " +
                                     std::to_string(outcome->id));
          metrics_.received(peer, type);
          break;
        case journal::AppendKind::kDuplicate:
          info.verdict = "duplicate";
          info.detail = "journaled as message #" + std::to_string(outcome->id) + ": " +
                        outcome->duplicate_reason;
          metrics_.received(peer, type);
          metrics_.duplicate();
          break;
        case journal::AppendKind::kAlreadyJournaled:
          info.verdict = "duplicate";
          info.detail = "already journaled as message #" + std::to_string(outcome->id);
          break;
      }
    } else {
      info.detail = "not journaled (" + outcome.status().message() + "); keep the message and retry";
    }
    {
      std::lock_guard lock(intake_mutex_);
      --outstanding_appends_;
      if (outcome) {
        if (outcome->kind == journal::AppendKind::kAlreadyJournaled) {
          ++totals_.received_again;
        } else {
          ++totals_.journaled;
          wall_received_[outcome->id] = requested;
        }
        journal_health_ = Status::ok();
      } else {
        ++totals_.journal_errors;
        journal_health_ = outcome.status();
      }
    }
    intake_cv_.notify_all();
    ack(info);
    if (outcome) {
      wakeDispatch();
      if (outcome->kind == journal::AppendKind::kAlreadyJournaled && on_log_lines_) on_log_lines_();
    }
  });
}

void Pipeline::wakeDispatch() {
  {
    std::lock_guard lock(dispatch_mutex_);
    dispatch_woken_ = true;
  }
  dispatch_cv_.notify_one();
}

void Pipeline::wakeDelivery() {
  {
    std::lock_guard lock(delivery_mutex_);
    delivery_woken_ = true;
  }
  delivery_cv_.notify_one();
}

void Pipeline::dispatchLoop() {
  auto last_retry = SteadyClock::now();
  while (!stopping_) {
    std::size_t room = 0;
    std::uint64_t cursor = 0;
    {
      std::lock_guard lock(dispatch_mutex_);
      room = options_.max_in_flight > submitted_not_committed_
                 ? options_.max_in_flight - submitted_not_committed_
                 : 0;
      cursor = cursor_;
    }
    if (room > 0) {
      auto pending = journal_.pending(cursor, std::min<std::size_t>(room, 500));
      bool blocked = false;
      if (!pending) {
        std::cerr << "iwmo-gateway: cannot read pending work: " << pending.status().message() << "\n";
        std::lock_guard lock(dispatch_mutex_);
        dispatch_health_ = Status::unavailable("cannot read pending work from the journal: " +
                                               pending.status().message());
        blocked = true;
      } else {
        for (journal::PendingMessage& message : *pending) {
          if (!message.unreadable.empty()) {
            // Never dispatch what cannot be read, never let it hold up the messages after it.
            if (!quarantine(message)) {
              blocked = true;  // the cursor stays before it: tried again on the next round
              break;
            }
            std::lock_guard lock(dispatch_mutex_);
            cursor_ = message.id;
            continue;
          }
          submit(std::move(message));
        }
        if (!blocked) {
          std::lock_guard lock(dispatch_mutex_);
          dispatch_health_ = Status::ok();
        }
        if (!blocked && !pending->empty()) continue;  // maybe more
      }
    }
    if (SteadyClock::now() - last_retry > std::chrono::seconds(1)) {
      last_retry = SteadyClock::now();
      std::deque<proto::HandlerResult> retries;
      {
        std::lock_guard lock(dispatch_mutex_);
        retries.swap(retry_commits_);
      }
      for (auto& result : retries) commit(std::move(result));
    }
    std::unique_lock lock(dispatch_mutex_);
    dispatch_cv_.wait_for(lock, std::chrono::milliseconds(200),
                          [&] { return dispatch_woken_ || stopping_; });
    dispatch_woken_ = false;
  }
}

void Pipeline::submit(journal::PendingMessage message) {
  proto::WorkItem item;
  item.set_message_id(message.id);
  item.set_peer(message.peer);
  item.set_received_at_micros(message.received_at.micros);
  item.set_duplicate_of(message.duplicate_of);
  item.set_duplicate_reason(message.duplicate_reason);
  item.set_duplicate_same_content(message.duplicate_of != 0 &&
                                  journal::isSameContentDuplicate(message.duplicate_reason));
  *item.mutable_envelope() = std::move(message.envelope);
  const std::string client = hasher_.hash(clientBsn(item.envelope()));
  {
    std::lock_guard lock(dispatch_mutex_);
    cursor_ = message.id;
    ++submitted_not_committed_;
    contexts_[message.id] = Context{factsOf(item, client)};
    if (options_.logical_time) commit_order_.push_back(message.id);
  }
  dispatcher_->submit(std::move(item), client);
}

bool Pipeline::quarantine(const journal::PendingMessage& message) {
  const Timestamp at = options_.logical_time ? message.received_at.plusMillis(1) : now();
  std::cerr << "iwmo-gateway: message #" << message.id << ": " << message.unreadable
            << "; quarantined (see iwmo-gateway quarantine)\n";
  const Result<bool> done = journal_.quarantineSync(
      message.id, message.unreadable,
      {quarantinedLine(message.id, message.peer, message.source, message.unreadable, at)}, at);
  if (!done) {
    std::cerr << "iwmo-gateway: cannot quarantine message #" << message.id << ": "
              << done.status().message() << " (will retry)\n";
    std::lock_guard lock(dispatch_mutex_);
    dispatch_health_ = Status::unavailable(
        "pending message #" + std::to_string(message.id) + " cannot be read (" + message.unreadable +
        ") and could not be quarantined: " + done.status().message());
    return false;
  }
  {
    std::lock_guard lock(intake_mutex_);
    ++totals_.quarantined;
  }
  intake_cv_.notify_all();
  if (on_log_lines_) on_log_lines_();
  return true;
}

void Pipeline::onResult(proto::HandlerResult result) {
  if (!options_.logical_time) {
    commit(std::move(result));
    return;
  }
  // Replay: commit strictly in journal order so the routing log is deterministic.
  std::vector<proto::HandlerResult> in_order;
  {
    std::lock_guard lock(dispatch_mutex_);
    ready_results_[result.message_id()] = std::move(result);
    while (!commit_order_.empty()) {
      auto ready = ready_results_.find(commit_order_.front());
      if (ready == ready_results_.end()) break;
      in_order.push_back(std::move(ready->second));
      ready_results_.erase(ready);
      commit_order_.pop_front();
    }
  }
  for (auto& r : in_order) commit(std::move(r));
}

void Pipeline::commit(proto::HandlerResult result) {
  MessageFacts facts;
  {
    std::lock_guard lock(dispatch_mutex_);
    const auto context = contexts_.find(result.message_id());
    if (context == contexts_.end()) return;  // already committed
    facts = context->second.facts;
  }
  const Timestamp at = options_.logical_time ? facts.received_at.plusMillis(1) : now();
  std::vector<std::string> lines = decisionLines(facts, result, at);
  const std::uint64_t id = result.message_id();
  const auto requested = SteadyClock::now();
  proto::HandlerResult copy_for_retry = result;
  {
    std::lock_guard lock(dispatch_mutex_);
    ++outstanding_commits_;
  }
  journal_.commitResult(
      std::move(result), std::move(lines), at,
      [this, id, facts, requested, retry = std::move(copy_for_retry)](Result<bool> committed) mutable {
        metrics_.journalCommit(std::chrono::duration<double>(SteadyClock::now() - requested).count());
        // Runs last, whatever path this callback takes: stop() waits for it.
        struct Done {
          Pipeline* self;
          ~Done() {
            {
              std::lock_guard lock(self->dispatch_mutex_);
              --self->outstanding_commits_;
            }
            self->dispatch_cv_.notify_all();
          }
        } done{this};
        if (!committed) {
          std::cerr << "iwmo-gateway: cannot commit the result of message #" << id << ": "
                    << committed.status().message() << " (will retry)\n";
          {
            std::lock_guard lock(intake_mutex_);
            journal_health_ = committed.status();
          }
          std::lock_guard lock(dispatch_mutex_);
          retry_commits_.push_back(std::move(retry));
          return;
        }
        for (const auto& decision : retry.decisions()) {
          const std::string rule = decision.rule_ids_size() > 0 ? decision.rule_ids(0) : "";
          if (decision.handler() == "responsibility") {
            metrics_.responsibilityDecided(decision.outcome(), rule);
          } else {
            metrics_.decided(facts.message_type, decision.outcome(), rule);
          }
        }
        {
          std::lock_guard lock(dispatch_mutex_);
          contexts_.erase(id);
          --submitted_not_committed_;
        }
        {
          std::lock_guard lock(intake_mutex_);
          if (*committed) {
            ++totals_.committed;
            outgoing_committed_ += static_cast<std::uint64_t>(retry.outgoing_size());
          }
          const auto received = wall_received_.find(id);
          if (received != wall_received_.end()) {
            latencies_.record(
                std::chrono::duration<double, std::milli>(SteadyClock::now() - received->second).count());
            wall_received_.erase(received);
          }
        }
        intake_cv_.notify_all();
        dispatcher_->complete(id);
        wakeDispatch();
        wakeDelivery();
        if (on_log_lines_) on_log_lines_();
      });
}

std::chrono::milliseconds Pipeline::backoff(std::uint32_t attempts) const {
  std::uint64_t delay = options_.retry_initial_ms;
  for (std::uint32_t i = 1; i < attempts && delay < options_.retry_max_ms; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min<std::uint64_t>(delay, options_.retry_max_ms));
}

void Pipeline::deliveryLoop() {
  while (!stopping_) {
    const Timestamp wall = clock_.now();
    auto due = journal_.dueOutbox(options_.logical_time ? SystemClock().now() : wall, 256);
    if (!due || due->empty()) {
      if (!due) std::cerr << "iwmo-gateway: cannot read the outbox: " << due.status().message() << "\n";
      std::unique_lock lock(delivery_mutex_);
      delivery_cv_.wait_for(lock, std::chrono::milliseconds(200),
                            [&] { return delivery_woken_ || stopping_; });
      delivery_woken_ = false;
      continue;
    }
    std::vector<journal::DeliveryRecord> records(due->size());
    std::map<transport::Sink*, std::vector<std::size_t>> by_sink;
    for (std::size_t i = 0; i < due->size(); ++i) {
      const journal::OutboxItem& item = (*due)[i];
      journal::DeliveryRecord& record = records[i];
      record.outbox_id = item.id;
      const auto sink = sinks_.find(item.peer);
      if (sink == sinks_.end() || sink->second == nullptr) {
        record.ok = false;
        record.detail = "no transport is configured for peer \"" + item.peer + "\"";
        continue;
      }
      std::string where;
      const Status delivered = sink->second->deliver(item.file_name, item.payload, where);
      record.ok = delivered.isOk();
      record.detail = delivered.isOk() ? where : delivered.message();
      if (record.ok) by_sink[sink->second].push_back(i);
    }
    for (auto& [sink, indexes] : by_sink) {
      const Status synced = sink->sync();
      if (synced.isOk()) continue;
      for (std::size_t i : indexes) {
        records[i].ok = false;
        records[i].detail = synced.message();
      }
    }
    const Timestamp real_now = SystemClock().now();
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;
    for (std::size_t i = 0; i < due->size(); ++i) {
      const journal::OutboxItem& item = (*due)[i];
      journal::DeliveryRecord& record = records[i];
      record.at = options_.logical_time ? item.created_at.plusMillis(1) : real_now;
      if (!record.ok) {
        record.next_attempt_at = real_now.plusMillis(backoff(item.attempts + 1).count());
        metrics_.deliveryFailed(item.peer);
        ++failed;
      } else {
        metrics_.delivered(item.peer, item.message_type);
        ++delivered;
      }
      if (options_.log_deliveries || !record.ok) {
        record.log_lines.push_back(deliveryLine(item.message_id, item.message_type, item.peer,
                                                item.receiver, record.ok, record.detail,
                                                item.attempts + 1, record.at));
      }
    }
    const Status recorded = journal_.recordDeliveries(std::move(records));
    if (!recorded.isOk()) {
      // The files are in place; the next round delivers them again under the same names.
      std::cerr << "iwmo-gateway: cannot record deliveries: " << recorded.message() << "\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    {
      std::lock_guard lock(intake_mutex_);
      totals_.delivered += delivered;
      totals_.delivery_failures += failed;
    }
    {
      std::lock_guard lock(delivery_mutex_);
      consecutive_delivery_failures_ = failed > 0 && delivered == 0 ? consecutive_delivery_failures_ + failed : 0;
    }
    if (on_log_lines_) on_log_lines_();
  }
}

bool Pipeline::waitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    // Cheap in-memory check first; the journal (a count over every row) only to confirm.
    bool quiet = false;
    {
      std::lock_guard intake(intake_mutex_);
      std::lock_guard dispatch(dispatch_mutex_);
      quiet = outstanding_appends_ == 0 && submitted_not_committed_ == 0 &&
              outgoing_committed_ <= totals_.delivered;
    }
    if (quiet) {
      auto counts = journal_.counts();
      if (counts && counts->pending == 0 && counts->outbox_pending == 0) return true;
    }
    if (SteadyClock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

LatencyHistogram Pipeline::latencies() const {
  std::lock_guard lock(intake_mutex_);
  return latencies_;
}

PipelineTotals Pipeline::totals() const {
  std::lock_guard lock(intake_mutex_);
  return totals_;
}

Gauges Pipeline::gauges() const {
  Gauges gauges;
  if (auto counts = journal_.counts()) {
    gauges.journal_pending = counts->pending;
    gauges.outbox_pending = counts->outbox_pending;
    gauges.quarantined_open = counts->quarantined_open;
  }
  if (dispatcher_) {
    const auto c = dispatcher_->counters();
    gauges.bus_queued = c.queued;
    gauges.bus_in_flight = c.in_flight;
    gauges.bus_workers = c.workers;
  }
  return gauges;
}

Status Pipeline::health() const {
  {
    std::lock_guard lock(intake_mutex_);
    if (!journal_health_.isOk()) return Status::unavailable("journal: " + journal_health_.message());
  }
  {
    std::lock_guard lock(dispatch_mutex_);
    if (!dispatch_health_.isOk()) return dispatch_health_;
  }
  {
    std::lock_guard lock(delivery_mutex_);
    if (consecutive_delivery_failures_ >= 10) {
      return Status::unavailable("deliveries are failing (" +
                                 std::to_string(consecutive_delivery_failures_) +
                                 " in a row); see the routing log for the reason");
    }
  }
  if (dispatcher_ && options_.inprocess_workers == 0 && dispatcher_->counters().workers == 0) {
    return Status::unavailable("no handler worker is connected to the bus");
  }
  return Status::ok();
}

}  // namespace iwmo::pipeline
