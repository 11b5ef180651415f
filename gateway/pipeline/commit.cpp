#include "gateway/pipeline/commit.h"

#include <iostream>
#include <utility>
#include <vector>

namespace iwmo::pipeline {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Refused as a whole (the transaction, or because an earlier one failed): redo the round.
bool refusedAsAWhole(StatusCode code) {
  return code == StatusCode::kAborted || code == StatusCode::kUnavailable || code == StatusCode::kDataLoss;
}

}  // namespace

void Commit::admitted(const Admitted& message) {
  std::lock_guard lock(mutex_);
  admitted_[message.id] = message;
  if (logical_time_) order_.push_back(message.id);
}

void Commit::result(proto::HandlerResult result) {
  std::vector<std::pair<proto::HandlerResult, Admitted>> to_commit;
  {
    std::lock_guard lock(mutex_);
    const auto known = admitted_.find(result.message_id());
    // Unknown: a late result of an earlier round, or a redelivered item's second result.
    if (known == admitted_.end() || result.dispatch_generation() != known->second.generation ||
        known->second.generation < min_generation_) {
      return;
    }
    if (!logical_time_) {
      to_commit.emplace_back(std::move(result), known->second);
    } else {
      // Replay: commit strictly in journal order so the routing log is deterministic.
      ready_[result.message_id()] = std::move(result);
      while (!order_.empty()) {
        const auto next = ready_.find(order_.front());
        if (next == ready_.end()) break;
        to_commit.emplace_back(std::move(next->second), admitted_.at(order_.front()));
        ready_.erase(next);
        order_.pop_front();
      }
    }
    outstanding_ += to_commit.size();
  }
  for (auto& [r, admitted] : to_commit) request(std::move(r), admitted);
}

void Commit::request(proto::HandlerResult result, const Admitted& admitted) {
  const Timestamp at = logical_time_ ? admitted.facts.received_at.plusMillis(1) : clock_.now();
  std::vector<std::string> lines = decisionLines(admitted.facts, result, at);
  std::vector<DecisionCount> decisions;
  for (const auto& decision : result.decisions()) {
    decisions.push_back({handlers::handlerKindOf(decision), decision.outcome(),
                         decision.rule_ids_size() > 0 ? decision.rule_ids(0) : ""});
  }
  const auto outgoing = static_cast<std::uint64_t>(result.outgoing_size());
  const std::uint64_t id = admitted.id;
  const std::string key = admitted.key;
  const auto requested = SteadyClock::now();
  queue_.commitResult(std::move(result), std::move(lines), at,
                      [this, admitted, decisions = std::move(decisions), outgoing, requested](Result<bool> outcome) {
                        metrics_.journalCommit(std::chrono::duration<double>(SteadyClock::now() - requested).count());
                        committed(admitted, outcome, decisions, outgoing);
                      });
  if (callbacks_.requested) callbacks_.requested(id, key);  // the client's next message may go
}

void Commit::committed(const Admitted& admitted, const Result<bool>& outcome,
                       const std::vector<DecisionCount>& decisions,
                       std::uint64_t outgoing) {
  const auto done = [this] {
    {
      std::lock_guard lock(mutex_);
      --outstanding_;
    }
    drained_.notify_all();
  };
  if (!outcome && refusedAsAWhole(outcome.status().code())) {
    {
      std::lock_guard lock(mutex_);
      health_ = Status::unavailable("a journal commit failed: " + outcome.status().message());
    }
    if (callbacks_.failed) callbacks_.failed(outcome.status());
    done();
    return;
  }
  if (!outcome) {
    // It will fail again: take the message out of the queue for an operator instead.
    const std::string reason = "its handler result could not be committed (" + outcome.status().message() + ")";
    std::cerr << "iwmo-gateway: message #" << admitted.id << ": " << reason << "; quarantined\n";
    const Timestamp at = logical_time_ ? admitted.facts.received_at.plusMillis(1) : clock_.now();
    queue_.quarantine(admitted.id, reason,
                      {quarantinedLine(admitted.id, admitted.facts.from_peer, "", reason, at)}, at,
                      [this, admitted, done](Result<bool> quarantined) {
                        if (!quarantined) {
                          std::cerr << "iwmo-gateway: cannot quarantine message #" << admitted.id << ": "
                                    << quarantined.status().message() << "\n";
                        }
                        {
                          std::lock_guard lock(mutex_);
                          admitted_.erase(admitted.id);
                          ++totals_.quarantined;
                        }
                        if (callbacks_.finished) callbacks_.finished(admitted.id);
                        if (callbacks_.log_lines) callbacks_.log_lines();
                        done();  // only now: stop() waits for this callback too
                      });
    return;
  }
  if (*outcome) {
    for (const DecisionCount& decision : decisions) {
      if (decision.handler == handlers::HandlerKind::kResponsibility) {
        metrics_.responsibilityDecided(decision.outcome, decision.rule);
      } else {
        metrics_.decided(admitted.facts.message_type, decision.outcome, decision.rule);
      }
    }
  }
  {
    std::lock_guard lock(mutex_);
    admitted_.erase(admitted.id);
    health_ = Status::ok();
    if (*outcome) {
      ++totals_.committed;
      totals_.outgoing += outgoing;
    }
    if (admitted.received) {
      latencies_.record(std::chrono::duration<double, std::milli>(SteadyClock::now() - *admitted.received).count());
    }
  }
  if (callbacks_.finished) callbacks_.finished(admitted.id);
  if (callbacks_.log_lines) callbacks_.log_lines();
  done();
}

void Commit::resetBegins(std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  min_generation_ = generation;
}

void Commit::waitDrained() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return outstanding_ == 0; });
  admitted_.clear();
  order_.clear();
  ready_.clear();
}

bool Commit::idle() const {
  std::lock_guard lock(mutex_);
  return admitted_.empty() && outstanding_ == 0;
}

CommitTotals Commit::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

LatencyHistogram Commit::latencies() const {
  std::lock_guard lock(mutex_);
  return latencies_;
}

Status Commit::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

}  // namespace iwmo::pipeline
