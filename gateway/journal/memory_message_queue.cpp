#include "gateway/journal/memory_message_queue.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "gateway/base/sha256.h"

namespace iwmo::journal {
namespace {

std::string isoSeconds(Timestamp t) {
  std::string text = t.toIso8601();
  const std::size_t dot = text.find('.');
  if (dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

Status unavailable() {
  return Status::unavailable("memory journal: a write failed (failNextWrites)");
}

}  // namespace

void MemoryMessageQueue::failNextWrites(int count) {
  std::lock_guard lock(mutex_);
  fail_writes_ = count;
}

bool MemoryMessageQueue::refusingOrdered() {
  std::lock_guard lock(mutex_);
  return refuse_ordered_;
}

void MemoryMessageQueue::resumeOrdered() {
  std::lock_guard lock(mutex_);
  refuse_ordered_ = false;
}

bool MemoryMessageQueue::failWrite() {
  if (fail_writes_ <= 0) return false;
  --fail_writes_;
  return true;
}

MemoryMessageQueue::Row* MemoryMessageQueue::row(MessageId id) {
  if (id == 0 || id > messages_.size()) return nullptr;
  return &messages_[id - 1];
}

Status MemoryMessageQueue::checkLines(const std::vector<std::string>& lines) const {
  for (const std::string& line : lines) {
    if (line.empty() || line.find('\n') != std::string::npos) {
      return Status::invalid(
          "memory journal: a routing-log line must be one non-empty line, got \"" +
          line.substr(0, 80) + "\"");
    }
  }
  return Status::ok();
}

void MemoryMessageQueue::addLines(const std::vector<std::string>& lines) {
  log_.insert(log_.end(), lines.begin(), lines.end());
}

void MemoryMessageQueue::append(AppendRequest request,
                                std::function<void(Result<AppendOutcome>)> done) {
  Result<AppendOutcome> outcome = Status::internal("append not executed");
  {
    std::lock_guard lock(mutex_);
    outcome = failWrite() ? Result<AppendOutcome>(unavailable()) : appendLocked(request);
  }
  if (done) done(std::move(outcome));
}

Result<AppendOutcome> MemoryMessageQueue::appendLocked(AppendRequest& request) {
  proto::Envelope& envelope = request.envelope;
  std::string payload = std::move(*envelope.mutable_payload());
  envelope.clear_payload();
  if (envelope.payload_sha256().empty()) envelope.set_payload_sha256(sha256Hex(payload));
  const std::string& sha = envelope.payload_sha256();
  AppendOutcome outcome;
  const Row* same_content = nullptr;
  for (const Row& r : messages_) {
    if (r.record.sha256 != sha || r.record.disposition == "quarantined") continue;
    if (r.record.source == envelope.source()) {
      outcome.kind = AppendKind::kAlreadyJournaled;
      outcome.id = outcome.original = r.record.id;
      break;
    }
    if (same_content == nullptr) same_content = &r;
  }
  if (outcome.kind != AppendKind::kAlreadyJournaled) {
    if (same_content != nullptr) {
      outcome.kind = AppendKind::kDuplicate;
      outcome.original = same_content->record.id;
      outcome.duplicate_reason = std::string(kSameContentReason) + " (SHA-256 " + sha.substr(0, 8) +
                                 "\u2026) as message #" + std::to_string(outcome.original) +
                                 " received " + isoSeconds(same_content->record.received_at) +
                                 " from " + same_content->record.peer;
    } else if (!request.duplicate_key.empty()) {
      for (const Row& r : messages_) {
        if (r.record.duplicate_key == request.duplicate_key && r.valid &&
            r.record.duplicate_of == 0 && r.record.disposition != "quarantined") {
          outcome.kind = AppendKind::kDuplicate;
          outcome.original = r.record.id;
          outcome.duplicate_reason = "same sender, message type and Identificatie as message #" +
                                     std::to_string(outcome.original) + " (TR056)";
          break;
        }
      }
    }
    outcome.id = messages_.size() + 1;
  }
  std::vector<std::string> lines;
  if (request.log_lines) lines = request.log_lines(outcome);
  IWMO_RETURN_IF_ERROR(checkLines(lines));
  if (outcome.kind != AppendKind::kAlreadyJournaled) {
    Row& r = messages_.emplace_back();
    r.record.id = outcome.id;
    r.record.received_at = request.received_at;
    r.record.peer = request.peer;
    r.record.source = envelope.source();
    r.record.sha256 = sha;
    r.record.size = std::max<std::uint64_t>(payload.size(), envelope.payload_size());
    r.record.message_type = envelope.summary().message_type();
    r.record.duplicate_key = request.duplicate_key;
    r.record.state = "pending";
    r.record.duplicate_of = outcome.original;
    r.record.duplicate_reason = outcome.duplicate_reason;
    r.identificatie = envelope.summary().header().identificatie();
    r.valid = envelope.verdict().valid();
    r.record.envelope = std::move(envelope);
    r.payload = std::move(payload);
  }
  addLines(lines);
  return outcome;
}

void MemoryMessageQueue::commitResult(proto::HandlerResult result,
                                      std::vector<std::string> log_lines, Timestamp at,
                                      std::function<void(Result<bool>)> done) {
  Result<bool> committed = Status::internal("commitResult not executed");
  {
    std::lock_guard lock(mutex_);
    if (refuse_ordered_) {
      committed = Status::aborted(
          "memory journal: an earlier commit failed; this one depended on it and is not run");
    } else if (failWrite()) {
      committed = unavailable();
      refuse_ordered_ = true;  // as a failed SQLite transaction holding commits does
    } else {
      committed = commitLocked(result, log_lines, at);
    }
  }
  if (done) done(std::move(committed));
}

Result<bool> MemoryMessageQueue::commitLocked(const proto::HandlerResult& result,
                                              const std::vector<std::string>& log_lines,
                                              Timestamp at) {
  Row* message = row(result.message_id());
  if (message == nullptr) {
    return Status::notFound("memory journal: no message #" + std::to_string(result.message_id()) +
                            " to commit a handler result for");
  }
  if (message->record.state != "pending") return false;
  IWMO_RETURN_IF_ERROR(checkLines(log_lines));
  CommitContext context;
  context.message_id = message->record.id;
  context.message_type = message->record.message_type;
  context.at = at;
  for (std::size_t i = 0; i < static_cast<std::size_t>(result.outgoing_size()); ++i) {
    context.outbox_ids.push_back(outbox_.size() + 1 + i);
  }
  // The stores' effects first: when one fails, restore them all and write nothing else.
  auto reference = reference_.save();
  auto reviews = reviews_.save();
  auto eb = eb_.save();
  auto ggk = ggk_.save();
  for (StateEffects* effects :
       std::initializer_list<StateEffects*>{&reference_, &reviews_, &eb_, &ggk_}) {
    const Status applied = effects->apply(result, context);
    if (applied.isOk()) continue;
    reference_.restore(std::move(reference));
    reviews_.restore(std::move(reviews));
    eb_.restore(std::move(eb));
    ggk_.restore(std::move(ggk));
    return applied;
  }
  for (const proto::Decision& decision : result.decisions())
    message->decisions.push_back({at, result.worker(), decision});
  for (int i = 0; i < result.outgoing_size(); ++i) {
    const proto::Outgoing& out = result.outgoing(i);
    OutboxItem& item = outbox_.emplace_back();
    item.id = context.outbox_ids[static_cast<std::size_t>(i)];
    item.message_id = message->record.id;
    item.peer = out.peer();
    item.file_name = out.file_name();
    item.message_type = out.message_type();
    item.receiver = out.receiver();
    item.payload = out.payload();
    item.created_at = at;
    item.next_attempt_at = at;
  }
  addLines(log_lines);
  message->record.state = "handled";
  message->record.disposition = result.disposition();
  message->record.handled_at = at;
  return true;
}

Status MemoryMessageQueue::recordDelivery(DeliveryRecord record) {
  std::lock_guard lock(mutex_);
  if (failWrite()) return unavailable();
  return deliveryLocked(record);
}

Status MemoryMessageQueue::deliveryLocked(const DeliveryRecord& record) {
  if (record.outbox_id == 0 || record.outbox_id > outbox_.size()) {
    return Status::notFound("memory journal: no outbox item #" + std::to_string(record.outbox_id) +
                            " to record a delivery for");
  }
  OutboxItem& item = outbox_[record.outbox_id - 1];
  if (item.state == OutboxState::kDelivered) return Status::ok();
  IWMO_RETURN_IF_ERROR(checkLines(record.log_lines));
  deliveries_[item.id].push_back({record.at, record.ok, record.detail});
  ++item.attempts;
  if (record.ok) {
    item.state = OutboxState::kDelivered;
    item.delivered_at = record.at;
    item.last_error.clear();
  } else if (record.next_attempt_at) {
    item.next_attempt_at = *record.next_attempt_at;
    item.last_error = record.detail;
  } else {
    item.state = OutboxState::kFailed;
    item.last_error = record.detail;
  }
  addLines(record.log_lines);
  return Status::ok();
}

void MemoryMessageQueue::quarantine(MessageId id, std::string reason,
                                    std::vector<std::string> log_lines, Timestamp at,
                                    std::function<void(Result<bool>)> done) {
  Result<bool> outcome = false;
  {
    std::lock_guard lock(mutex_);
    Row* message = row(id);
    if (failWrite()) {
      outcome = unavailable();
    } else if (message == nullptr) {
      outcome =
          Status::notFound("memory journal: no message #" + std::to_string(id) + " to quarantine");
    } else if (message->record.state == "pending") {
      if (Status lines = checkLines(log_lines); !lines.isOk()) {
        outcome = lines;
      } else {
        QuarantineItem& item = quarantine_[id];
        item.message_id = id;
        item.at = at;
        item.reason = reason;
        item.peer = message->record.peer;
        item.source = message->record.source;
        item.size = message->record.size;
        addLines(log_lines);
        message->record.state = "handled";
        message->record.disposition = "quarantined";
        message->record.handled_at = at;
        outcome = true;
      }
    }
  }
  if (done) done(std::move(outcome));
}

Result<bool> MemoryMessageQueue::closeQuarantine(MessageId id, std::string note, Timestamp at) {
  std::lock_guard lock(mutex_);
  const auto item = quarantine_.find(id);
  if (item == quarantine_.end() || !item->second.open) return false;
  item->second.open = false;
  item->second.resolved_at = at;
  item->second.note = std::move(note);
  return true;
}

Result<std::vector<PendingMessage>> MemoryMessageQueue::pending(MessageId after,
                                                                std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<PendingMessage> out;
  for (std::size_t i = after; i < messages_.size() && out.size() < limit; ++i) {
    const Row& r = messages_[i];
    if (r.record.state != "pending") continue;
    PendingMessage& m = out.emplace_back();
    m.id = r.record.id;
    m.peer = r.record.peer;
    m.source = r.record.source;
    m.received_at = r.record.received_at;
    m.envelope = r.record.envelope;
    m.envelope.set_payload(r.payload);
    m.duplicate_of = r.record.duplicate_of;
    m.duplicate_reason = r.record.duplicate_reason;
  }
  return out;
}

Result<std::vector<OutboxItem>> MemoryMessageQueue::dueOutbox(Timestamp now, std::size_t limit,
                                                              bool first_attempts_due) {
  std::lock_guard lock(mutex_);
  std::vector<OutboxItem> out;
  for (const OutboxItem& item : outbox_) {
    if (out.size() >= limit) break;
    if (item.state == OutboxState::kPending &&
        (item.next_attempt_at.micros <= now.micros || (first_attempts_due && item.attempts == 0))) {
      out.push_back(item);
    }
  }
  return out;
}

Result<std::optional<OutboxItem>> MemoryMessageQueue::oldestUndelivered() {
  std::lock_guard lock(mutex_);
  for (const OutboxItem& item : outbox_) {
    if (item.state != OutboxState::kPending) continue;
    OutboxItem oldest = item;
    oldest.payload.clear();
    return std::optional<OutboxItem>(std::move(oldest));
  }
  return std::optional<OutboxItem>();
}

Result<std::vector<LogEntry>> MemoryMessageQueue::logAfter(std::uint64_t after, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<LogEntry> out;
  for (std::size_t i = after; i < log_.size() && out.size() < limit; ++i)
    out.push_back({i + 1, log_[i]});
  return out;
}

Result<std::optional<MessageId>> MemoryMessageQueue::findMessage(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (key.empty()) return std::optional<MessageId>();
  const bool digits = std::all_of(key.begin(), key.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (digits) {
    MessageId id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec == std::errc() && end == key.data() + key.size() && row(id) != nullptr)
      return std::optional<MessageId>(id);
  }
  const bool hex = std::all_of(key.begin(), key.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (hex && key.size() >= 8) {
    std::string low(key);
    std::transform(low.begin(), low.end(), low.begin(), [](char c) {
      return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    for (auto r = messages_.rbegin(); r != messages_.rend(); ++r) {
      if (r->record.sha256.rfind(low, 0) == 0) return std::optional<MessageId>(r->record.id);
    }
  }
  for (auto r = messages_.rbegin(); r != messages_.rend(); ++r) {
    if (r->identificatie == key) return std::optional<MessageId>(r->record.id);
  }
  return std::optional<MessageId>();
}

Result<MessageStory> MemoryMessageQueue::story(MessageId id) {
  std::lock_guard lock(mutex_);
  const Row* message = row(id);
  if (message == nullptr)
    return Status::notFound("memory journal: no message #" + std::to_string(id));
  MessageStory story;
  story.message = message->record;
  story.message.envelope.set_payload(message->payload);
  story.decisions = message->decisions;
  for (const OutboxItem& item : outbox_) {
    if (item.message_id != id) continue;
    const auto attempts = deliveries_.find(item.id);
    story.outgoing.emplace_back(
        item, attempts == deliveries_.end() ? std::vector<DeliveryAttempt>() : attempts->second);
  }
  for (const Row& r : messages_) {
    if (r.record.duplicate_of == id) story.duplicates.push_back(r.record.id);
  }
  if (const auto item = quarantine_.find(id); item != quarantine_.end())
    story.quarantine = item->second;
  return story;
}

Result<std::optional<OriginalMessage>> MemoryMessageQueue::findOriginal(
    const std::string& duplicate_key) {
  std::lock_guard lock(mutex_);
  for (const Row& r : messages_) {
    if (r.record.duplicate_key == duplicate_key && r.valid && r.record.duplicate_of == 0 &&
        r.record.disposition != "quarantined") {
      return std::optional<OriginalMessage>(OriginalMessage{r.record.id, r.record.envelope});
    }
  }
  return std::optional<OriginalMessage>();
}

Result<JournalCounts> MemoryMessageQueue::counts() {
  std::lock_guard lock(mutex_);
  JournalCounts counts;
  counts.messages = messages_.size();
  for (const Row& r : messages_) {
    (r.record.state == "pending" ? counts.pending : counts.handled)++;
    if (r.record.duplicate_of != 0) ++counts.duplicates;
  }
  for (const OutboxItem& item : outbox_) {
    switch (item.state) {
      case OutboxState::kPending:
        ++counts.outbox_pending;
        break;
      case OutboxState::kDelivered:
        ++counts.outbox_delivered;
        break;
      case OutboxState::kFailed:
        ++counts.outbox_failed;
        break;
    }
  }
  counts.last_log_seq = log_.size();
  for (const auto& [id, item] : quarantine_) {
    if (item.open) ++counts.quarantined_open;
  }
  return counts;
}

Result<std::vector<QuarantineItem>> MemoryMessageQueue::quarantined(bool include_closed) {
  std::lock_guard lock(mutex_);
  std::vector<QuarantineItem> out;
  for (const auto& [id, item] : quarantine_) {
    if (include_closed || item.open) out.push_back(item);
  }
  return out;
}

}  // namespace iwmo::journal
