// Delivery: the pipeline's last stage (DESIGN §5.1 step 6). It takes the due outbox items in
// batches, writes each to its peer's sink (write-then-rename), makes a batch durable with one
// sync per sink, and records the batch's attempts in one journal transaction; a failed attempt
// is retried with exponential backoff (retry_initial_ms … retry_max_ms, forever). A delivery is
// idempotent (the same name is written again), so a crash between writing and recording only
// repeats it.
//
// Health: unhealthy while the oldest undelivered outbox item is older than unhealthy_after_s
// (issue 17: failing deliveries show at once, not after ten backed-off attempts), naming the
// item and its last error; a queue that moves keeps its oldest item young.
//
// Thread-safety: wake(), totals(), health() and oldestUndeliveredSeconds() from any thread; the
// rest from the thread that owns the stage, which runs one thread of its own. The sinks must outlive the stage; each is used from that thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "adapters/transport/transport.h"
#include "gateway/base/clock.h"
#include "gateway/journal/message_queue.h"
#include "gateway/pipeline/metrics.h"

namespace iwmo::pipeline {

struct DeliveryOptions {
  std::uint32_t retry_initial_ms = 1000;
  std::uint32_t retry_max_ms = 300000;
  std::size_t batch = 256;     // outbox items per round
  bool logical_time = false;   // replay: first attempts due at once, attempts stamped created + 1 ms
  bool log_deliveries = true;  // replay: false (delivery lines would race with decisions)
  std::uint32_t unhealthy_after_s = 300;  // oldest undelivered item older than this: unhealthy
};

struct DeliveryTotals {
  std::uint64_t delivered = 0;
  std::uint64_t failures = 0;
};

class Delivery {
 public:
  // `sinks` maps peer names ("backoffice", "ggk", "cak", "rejected") to their sinks.
  Delivery(DeliveryOptions options, journal::MessageQueue& queue,
           std::map<std::string, transport::Sink*> sinks, Clock& clock, Metrics& metrics);
  ~Delivery();
  Delivery(const Delivery&) = delete;
  Delivery& operator=(const Delivery&) = delete;

  void onLogLines(std::function<void()> callback) {
    log_lines_ = std::move(callback);
  }  // REQUIRES: before start()
  void start();
  void stop();
  void wake();

  DeliveryTotals totals() const;
  Status health() const;
  // Seconds the oldest undelivered item has waited since its commit (0: none; replay: 0).
  double oldestUndeliveredSeconds() const;

 private:
  enum class Round { kNothingDue, kDelivered };
  void loop();
  // One round of the due items.
  Round deliverDue();
  std::chrono::milliseconds backoff(std::uint32_t attempts) const;

  const DeliveryOptions options_;
  journal::MessageQueue& queue_;
  std::map<std::string, transport::Sink*> sinks_;
  Clock& clock_;
  Metrics& metrics_;
  std::function<void()> log_lines_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  bool woken_ = false;
  DeliveryTotals totals_;
};

}  // namespace iwmo::pipeline
