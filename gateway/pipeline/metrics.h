// Metrics: the daemon's counters and gauges, rendered in the Prometheus text format for
// GET /metrics (issue 3): messages in and out per type, rejections per rule, queue depths,
// journal commit latency. Never a BSN or a pseudonym in a label (non-negotiable 5).
// Thread-safety: every method is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "gateway/journal/eb_store.h"

namespace iwmo::pipeline {

struct Gauges {
  std::uint64_t journal_pending = 0;   // journaled, not handled
  std::uint64_t outbox_pending = 0;    // to deliver
  std::uint64_t bus_queued = 0;
  std::uint64_t bus_in_flight = 0;
  std::uint64_t bus_workers = 0;
  std::uint64_t quarantined_open = 0;  // messages whose record could not be read back (issue 16)
  double outbox_oldest_seconds = 0;    // how long the oldest undelivered item has waited (0: none)
};

class Metrics {
 public:
  void received(const std::string& peer, const std::string& type);
  // The routing decision of a message (one per message).
  void decided(const std::string& type, const std::string& disposition, const std::string& rule);
  // A responsibility decision of a BW message (outcome "confirmed" or "review").
  void responsibilityDecided(const std::string& outcome, const std::string& rule);
  void delivered(const std::string& peer, const std::string& type);
  void deliveryFailed(const std::string& peer);
  void duplicate();
  // Seconds from a journal request to its commit (group commit included).
  void journalCommit(double seconds);

  // Prometheus text exposition; `gauges` is read at render time.
  std::string render(const Gauges& gauges) const;

  // (type, disposition, rule) → count, and (peer, type) → delivered count (replay summary).
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> decisionCounts() const;
  // (outcome, rule) -> count.
  std::map<std::pair<std::string, std::string>, std::uint64_t> responsibilityCounts() const;
  std::map<std::tuple<std::string, std::string>, std::uint64_t> deliveryCounts() const;


 private:
  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,  0.1,    0.25,  1.0};
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string>, std::uint64_t> received_;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> decided_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> responsibility_;
  std::map<std::tuple<std::string, std::string>, std::uint64_t> delivered_;
  std::map<std::string, std::uint64_t> delivery_failed_;
  std::uint64_t duplicates_ = 0;
  std::array<std::uint64_t, kBuckets.size()> commit_buckets_{};
  std::uint64_t commit_count_ = 0;
  double commit_sum_ = 0;
};

// The iEb counts per message type for /metrics (Prometheus text): iwmo_ieb_records{type,state}
// (sent = all; accepted, rejected, pending), iwmo_ieb_overdue, iwmo_ieb_attention_open.
std::string renderIebMetrics(const journal::EbCounts& counts);
// {"WMO405": {"sent": n, "accepted": n, "rejected": n, "pending": n}, ..., "attention_open": n}
// for the replay summary.
std::string iebSummaryJson(const journal::EbCounts& counts);

// The GGk gauge for /metrics: iwmo_ggk_errors_open (Fo01s no operator has closed).
std::string renderGgkMetrics(std::uint64_t errors_open);

}  // namespace iwmo::pipeline
