#include "gateway/pipeline/metrics.h"

#include <nlohmann/json.hpp>
#include <sstream>

namespace iwmo::pipeline {
namespace {

std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out.empty() ? "none" : out;
}

}  // namespace

void Metrics::received(const std::string& peer, const std::string& type) {
  std::lock_guard lock(mutex_);
  ++received_[{peer, type}];
}

void Metrics::decided(const std::string& type, const std::string& disposition,
                      const std::string& rule) {
  std::lock_guard lock(mutex_);
  ++decided_[{type, disposition, rule}];
}

void Metrics::responsibilityDecided(const std::string& outcome, const std::string& rule) {
  std::lock_guard lock(mutex_);
  ++responsibility_[{outcome, rule}];
}

std::map<std::pair<std::string, std::string>, std::uint64_t> Metrics::responsibilityCounts() const {
  std::lock_guard lock(mutex_);
  return responsibility_;
}

void Metrics::delivered(const std::string& peer, const std::string& type) {
  std::lock_guard lock(mutex_);
  ++delivered_[{peer, type}];
}

void Metrics::deliveryFailed(const std::string& peer) {
  std::lock_guard lock(mutex_);
  ++delivery_failed_[peer];
}

void Metrics::duplicate() {
  std::lock_guard lock(mutex_);
  ++duplicates_;
}

void Metrics::journalCommit(double seconds) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++commit_buckets_[i];
  }
  ++commit_count_;
  commit_sum_ += seconds;
}

std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> Metrics::decisionCounts()
    const {
  std::lock_guard lock(mutex_);
  return decided_;
}

std::map<std::tuple<std::string, std::string>, std::uint64_t> Metrics::deliveryCounts() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

std::string Metrics::render(const Gauges& gauges) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP iwmo_messages_received_total Messages received and journaled, by peer and type.\n"
      << "# TYPE iwmo_messages_received_total counter\n";
  for (const auto& [key, n] : received_) {
    out << "iwmo_messages_received_total{peer=\"" << label(std::get<0>(key)) << "\",type=\""
        << label(std::get<1>(key)) << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_messages_decided_total Handler decisions, by type, disposition and rule.\n"
      << "# TYPE iwmo_messages_decided_total counter\n";
  for (const auto& [key, n] : decided_) {
    out << "iwmo_messages_decided_total{type=\"" << label(std::get<0>(key)) << "\",disposition=\""
        << label(std::get<1>(key)) << "\",rule=\"" << label(std::get<2>(key)) << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_messages_rejected_total Messages rejected (never forwarded), by type and rule.\n"
      << "# TYPE iwmo_messages_rejected_total counter\n";
  for (const auto& [key, n] : decided_) {
    if (std::get<1>(key) != "rejected") continue;
    out << "iwmo_messages_rejected_total{type=\"" << label(std::get<0>(key)) << "\",rule=\""
        << label(std::get<2>(key)) << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_responsibility_decisions_total BW responsibility decisions, by outcome (confirmed, review) and rule.\n"
      << "# TYPE iwmo_responsibility_decisions_total counter\n";
  for (const auto& [key, n] : responsibility_) {
    out << "iwmo_responsibility_decisions_total{outcome=\"" << label(key.first) << "\",rule=\"" << label(key.second)
        << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_messages_delivered_total Messages delivered from the outbox, by peer and type.\n"
      << "# TYPE iwmo_messages_delivered_total counter\n";
  for (const auto& [key, n] : delivered_) {
    out << "iwmo_messages_delivered_total{peer=\"" << label(std::get<0>(key)) << "\",type=\""
        << label(std::get<1>(key)) << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_delivery_failures_total Failed delivery attempts (retried with backoff).\n"
      << "# TYPE iwmo_delivery_failures_total counter\n";
  for (const auto& [peer, n] : delivery_failed_) {
    out << "iwmo_delivery_failures_total{peer=\"" << label(peer) << "\"} " << n << "\n";
  }
  out << "# HELP iwmo_duplicates_total Messages the journal recognised as duplicates.\n"
      << "# TYPE iwmo_duplicates_total counter\n"
      << "iwmo_duplicates_total " << duplicates_ << "\n";
  out << "# HELP iwmo_quarantined_open Journaled messages whose record could not be read back, taken out "
         "of the queue and waiting for an operator (iwmo-gateway quarantine).\n"
      << "# TYPE iwmo_quarantined_open gauge\n"
      << "iwmo_quarantined_open " << gauges.quarantined_open << "\n";
  out << "# HELP iwmo_queue_depth Work waiting, by queue.\n# TYPE iwmo_queue_depth gauge\n"
      << "iwmo_queue_depth{queue=\"journal_pending\"} " << gauges.journal_pending << "\n"
      << "iwmo_queue_depth{queue=\"outbox_pending\"} " << gauges.outbox_pending << "\n"
      << "iwmo_queue_depth{queue=\"bus_queued\"} " << gauges.bus_queued << "\n"
      << "iwmo_queue_depth{queue=\"bus_in_flight\"} " << gauges.bus_in_flight << "\n";
  out << "# HELP iwmo_outbox_oldest_undelivered_seconds How long the oldest outgoing message not "
         "delivered yet has waited since its commit (0: everything delivered).\n"
      << "# TYPE iwmo_outbox_oldest_undelivered_seconds gauge\n"
      << "iwmo_outbox_oldest_undelivered_seconds " << gauges.outbox_oldest_seconds << "\n";
  out << "# HELP iwmo_bus_workers Live handler workers.\n# TYPE iwmo_bus_workers gauge\n"
      << "iwmo_bus_workers " << gauges.bus_workers << "\n";
  out << "# HELP iwmo_journal_commit_seconds Time from a journal request to its durable commit.\n"
      << "# TYPE iwmo_journal_commit_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    out << "iwmo_journal_commit_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << commit_buckets_[i] << "\n";
  }
  out << "iwmo_journal_commit_seconds_bucket{le=\"+Inf\"} " << commit_count_ << "\n"
      << "iwmo_journal_commit_seconds_sum " << commit_sum_ << "\n"
      << "iwmo_journal_commit_seconds_count " << commit_count_ << "\n";
  return out.str();
}

std::string renderIebMetrics(const journal::EbCounts& counts) {
  std::string out;
  out += "# HELP iwmo_ieb_records iEb records sent to the CAK, by message type and state (sent = all of them).\n";
  out += "# TYPE iwmo_ieb_records gauge\n";
  for (const char* type : {"WMO405", "WMO407"}) {
    const auto it = counts.records.find(type);
    std::uint64_t sent = 0;
    for (const char* state : {"accepted", "rejected", "pending"}) {
      const std::uint64_t n = it == counts.records.end() || it->second.count(state) == 0 ? 0 : it->second.at(state);
      sent += n;
      out += std::string("iwmo_ieb_records{type=\"") + type + "\",state=\"" + state + "\"} " + std::to_string(n) + "\n";
    }
    out += std::string("iwmo_ieb_records{type=\"") + type + "\",state=\"sent\"} " + std::to_string(sent) + "\n";
  }
  out += "# HELP iwmo_ieb_overdue iEb records whose WMO406/408 is later than retour_timeout_hours.\n";
  out += "# TYPE iwmo_ieb_overdue gauge\niwmo_ieb_overdue " + std::to_string(counts.overdue) + "\n";
  out += "# HELP iwmo_ieb_attention_open Eigen-bijdrage items waiting for an operator (iwmo-gateway ieb pending|rejected).\n";
  out += "# TYPE iwmo_ieb_attention_open gauge\niwmo_ieb_attention_open " + std::to_string(counts.attention_open) + "\n";
  return out;
}

std::string iebSummaryJson(const journal::EbCounts& counts) {
  nlohmann::ordered_json out;
  for (const char* type : {"WMO405", "WMO407"}) {
    const auto it = counts.records.find(type);
    std::uint64_t sent = 0;
    nlohmann::ordered_json per_type;
    for (const char* state : {"accepted", "rejected", "pending"}) {
      const std::uint64_t n = it == counts.records.end() || it->second.count(state) == 0 ? 0 : it->second.at(state);
      sent += n;
      per_type[state] = n;
    }
    per_type["sent"] = sent;
    out[type] = per_type;
  }
  out["attention_open"] = counts.attention_open;
  return out.dump();
}

std::string renderGgkMetrics(std::uint64_t errors_open) {
  return "# HELP iwmo_ggk_errors_open Fo01 error messages from the chain not closed by an operator.\n"
         "# TYPE iwmo_ggk_errors_open gauge\niwmo_ggk_errors_open " +
         std::to_string(errors_open) + "\n";
}

}  // namespace iwmo::pipeline
