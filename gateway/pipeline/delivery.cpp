#include "gateway/pipeline/delivery.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include "gateway/base/thread_role.h"
#include "gateway/pipeline/log_lines.h"

namespace iwmo::pipeline {

Delivery::Delivery(DeliveryOptions options, journal::MessageQueue& queue,
                   std::map<std::string, transport::Sink*> sinks, Clock& clock, Metrics& metrics)
    : options_(options),
      queue_(queue),
      sinks_(std::move(sinks)),
      clock_(clock),
      metrics_(metrics) {}

Delivery::~Delivery() { stop(); }

void Delivery::start() {
  thread_ = std::thread([this] {
    setThreadRole("iwmo-delivery", ThreadRole::kBackground);
    loop();
  });
}

void Delivery::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
}

void Delivery::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

std::chrono::milliseconds Delivery::backoff(std::uint32_t attempts) const {
  std::uint64_t delay = options_.retry_initial_ms;
  for (std::uint32_t i = 1; i < attempts && delay < options_.retry_max_ms; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min<std::uint64_t>(delay, options_.retry_max_ms));
}

void Delivery::loop() {
  while (!stopping_) {
    if (deliverDue() == Round::kDelivered) continue;
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200),
                   [&] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

Delivery::Round Delivery::deliverDue() {
  // Replay stamps items with logical times (a batch's Dagtekening may lie in the future), so
  // there an item's first attempt is due at once; retries are timed by the wall clock.
  const Timestamp real_now = options_.logical_time ? SystemClock().now() : clock_.now();
  auto due = queue_.dueOutbox(real_now, options_.batch, options_.logical_time);
  if (!due) {
    std::cerr << "iwmo-gateway: cannot read the outbox: " << due.status().message() << "\n";
    return Round::kNothingDue;
  }
  if (due->empty()) return Round::kNothingDue;
  std::vector<journal::DeliveryRecord> records(due->size());
  std::map<transport::Sink*, std::vector<std::size_t>> by_sink;
  for (std::size_t i = 0; i < due->size(); ++i) {
    const journal::OutboxItem& item = (*due)[i];
    journal::DeliveryRecord& record = records[i];
    record.outbox_id = item.id;
    const auto sink = sinks_.find(item.peer);
    if (sink == sinks_.end() || sink->second == nullptr) {
      record.detail = "no transport is configured for peer \"" + item.peer + "\"";
      continue;
    }
    std::string where;
    const Status delivered = sink->second->deliver(item.file_name, item.payload, where);
    record.ok = delivered.isOk();
    record.detail = delivered.isOk() ? where : delivered.message();
    if (record.ok) by_sink[sink->second].push_back(i);
  }
  // One sync per sink makes the whole batch durable.
  for (auto& [sink, indexes] : by_sink) {
    const Status synced = sink->sync();
    if (synced.isOk()) continue;
    for (std::size_t i : indexes) {
      records[i].ok = false;
      records[i].detail = synced.message();
    }
  }
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
  const Status recorded = queue_.recordDeliveries(std::move(records));
  if (!recorded.isOk()) {
    // The files are in place; the next round delivers them again under the same names.
    std::cerr << "iwmo-gateway: cannot record deliveries: " << recorded.message() << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return Round::kNothingDue;
  }
  {
    std::lock_guard lock(mutex_);
    totals_.delivered += delivered;
    totals_.failures += failed;
  }
  if (log_lines_) log_lines_();
  return Round::kDelivered;
}

DeliveryTotals Delivery::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

namespace {

// "7 min 12 s", "2 h 5 min", "40 s": an age an operator reads at a glance.
std::string ageText(std::int64_t seconds) {
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600)
    return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

}  // namespace

Status Delivery::health() const {
  if (options_.logical_time) return Status::ok();  // replay: the items carry logical times
  auto oldest = queue_.oldestUndelivered();
  if (!oldest) return Status::unavailable("cannot read the outbox: " + oldest.status().message());
  if (!*oldest) return Status::ok();
  const journal::OutboxItem& item = **oldest;
  const std::int64_t waited = (clock_.now().micros - item.created_at.micros) / 1000000;
  if (waited <= static_cast<std::int64_t>(options_.unhealthy_after_s)) return Status::ok();
  std::string why = item.attempts == 0
                        ? "no delivery attempt yet (is the delivery stage stuck?)"
                        : std::to_string(item.attempts) + " attempts, the last: " + item.last_error;
  return Status::unavailable(
      "delivery is behind: the " + item.message_type + " for " + item.peer + " (" + item.file_name +
      ", from message #" + std::to_string(item.message_id) + ") has waited " + ageText(waited) +
      ", more than delivery.unhealthy_after_s = " + std::to_string(options_.unhealthy_after_s) +
      "; " + why + ". Fix the transport; delivery retries on its own");
}

double Delivery::oldestUndeliveredSeconds() const {
  if (options_.logical_time) return 0;
  auto oldest = queue_.oldestUndelivered();
  if (!oldest || !*oldest) return 0;
  return std::max(0.0,
                  static_cast<double>(clock_.now().micros - (*oldest)->created_at.micros) / 1e6);
}

}  // namespace iwmo::pipeline
