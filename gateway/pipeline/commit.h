// Commit: the pipeline's third stage (DESIGN §5.1 step 5). It takes each handler result from the
// bus, renders its routing-log lines and requests its commit: decisions, outgoing messages,
// log lines and every state effect in one journal transaction (MessageQueue::commitResult). As
// soon as the commit is requested the client's next message is released (the journal keeps the
// order; dispatch.h); once it is durable the message is finished and delivery is woken.
//
// Failures: a commit the journal refused as a whole (kAborted, kUnavailable, kDataLoss: disk
// full, I/O) makes the dispatch stage start a new round (Dispatch::requestReset); a commit that
// failed on its own (a bug: kInvalid, kNotFound, kInternal) is not retried for ever: the message
// is quarantined with the reason for an operator.
//
// Replay (logical time): results are committed strictly in journal order and stamped received
// + 1 ms, so the routing log is deterministic.
//
// Thread-safety: admitted() on the dispatch thread, result() on the bus's; journal callbacks on
// the journal's writer; the rest from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/latency_histogram.h"
#include "gateway/handlers/vocabulary.h"
#include "gateway/journal/message_queue.h"
#include "gateway/pipeline/dispatch.h"
#include "gateway/pipeline/metrics.h"
#include "pipeline.pb.h"

namespace iwmo::pipeline {

struct CommitTotals {
  std::uint64_t committed = 0;    // results committed (a redelivered second result counts once)
  std::uint64_t outgoing = 0;     // outbox items they wrote
  std::uint64_t quarantined = 0;  // results that could not be committed on their own
};

// What the metrics count of one decision once its commit is durable.
struct DecisionCount {
  handlers::HandlerKind handler = handlers::HandlerKind::kUnknown;
  std::string outcome;
  std::string rule;  // the decision's first rule id
};

class Commit {
 public:
  struct Callbacks {
    std::function<void(std::uint64_t id, const std::string& key)> requested;  // release the client
    std::function<void(std::uint64_t id)> finished;  // durable, or taken out of the queue
    std::function<void(const Status& why)> failed;   // the journal refused it as a whole
    std::function<void()> log_lines;                 // new routing-log lines were committed
  };

  Commit(bool logical_time, journal::MessageQueue& queue, Clock& clock, Metrics& metrics)
      : logical_time_(logical_time), queue_(queue), clock_(clock), metrics_(metrics) {}

  void setCallbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }

  void admitted(const Admitted& message);
  void result(proto::HandlerResult result);

  // The dispatch stage starts round `generation`: results of earlier rounds are dropped ...
  void resetBegins(std::uint64_t generation);
  // ... and, once every commit requested has answered, forgotten. Blocks until then.
  void waitDrained();

  bool idle() const;  // every admitted message finished
  CommitTotals totals() const;
  // Wall-clock milliseconds from intake to the durable commit, in fixed memory.
  LatencyHistogram latencies() const;
  Status health() const;  // the last commit failure, until a commit succeeds

 private:
  void request(proto::HandlerResult result, const Admitted& admitted);
  void committed(const Admitted& admitted, const Result<bool>& outcome,
                 const std::vector<DecisionCount>& decisions,
                 std::uint64_t outgoing);

  const bool logical_time_;
  journal::MessageQueue& queue_;
  Clock& clock_;
  Metrics& metrics_;
  Callbacks callbacks_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable drained_;
  std::unordered_map<std::uint64_t, Admitted> admitted_;
  std::deque<std::uint64_t> order_;                                     // logical time: journal order
  std::unordered_map<std::uint64_t, proto::HandlerResult> ready_;       // logical time: waiting its turn
  std::uint64_t min_generation_ = 0;
  std::size_t outstanding_ = 0;  // commits requested, not answered
  CommitTotals totals_;
  LatencyHistogram latencies_;
  Status health_;
};

}  // namespace iwmo::pipeline
