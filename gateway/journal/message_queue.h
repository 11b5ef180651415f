// MessageQueue: the durable queue of every received message, every handler decision, every
// outgoing message (the outbox) and every routing-log line (DESIGN §5.1 steps 3 and 5). It is the
// daemon's source of truth: a transport acknowledges its source only after append() has
// committed, the dispatcher reads pending work from it, and the routing-log file is a projection
// of its log entries. Part of a Journal (journal.h), whose state stores keep the rest of what a
// handler result changes; commitResult() writes both in one transaction.
//
// Durability: a write's callback runs only after its transaction committed (SqliteJournal: WAL,
// synchronous=FULL). Writes from many threads are group-committed: whatever is queued when the
// writer is free goes into one transaction, so N concurrent appends cost one fsync, not N.
// Writes execute in the order they were made.
//
// Duplicates (issue 3): append() recognises
//   - the same bytes from the same source (a file re-read after a crash, before it could be
//     removed): kAlreadyJournaled, no new row;
//   - the same bytes from another source: a new row marked duplicate_of the original;
//   - the same duplicate key (physical sender + message type + own Identificatie, TR056) as an
//     earlier *valid* message: a new row marked duplicate_of that message.
// A duplicate is kept (never dropped) and still goes to the handlers, which reject it. A
// quarantined message (issue 16) is never an original.
//
// Routing-log lines (AppendRequest::log_lines, commitResult's log_lines, DeliveryRecord's) are
// committed in the same transaction as the event they describe and get the next seqs. Each line
// must be non-empty and hold no '\n' (it becomes one line of a JSON Lines file); otherwise the
// whole request fails with kInvalid and writes nothing.
//
// Thread-safety: every method may be called from any thread. Callbacks run on the journal's
// writer thread: they must be short and must not call back into the journal synchronously.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envelope.pb.h"
#include "gateway/base/clock.h"
#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace iwmo::journal {

using MessageId = std::uint64_t;
using OutboxId = std::uint64_t;

enum class AppendKind {
  kNew,               // a new message; state pending
  kAlreadyJournaled,  // same digest and same source as `id`; nothing written
  kDuplicate,         // a new row, state pending, duplicate_of = original
};

// The start of AppendOutcome::duplicate_reason when the duplicate has the same content as its
// original (a redelivery); otherwise it is a reused Identificatie (TR056).
inline constexpr std::string_view kSameContentReason = "same content";
inline bool isSameContentDuplicate(std::string_view reason) { return reason.starts_with(kSameContentReason); }

struct AppendOutcome {
  MessageId id = 0;  // the new row; kAlreadyJournaled: the existing row
  AppendKind kind = AppendKind::kNew;
  MessageId original = 0;        // kDuplicate and kAlreadyJournaled: the earlier message
  std::string duplicate_reason;  // kDuplicate: for operators, e.g. "same content as #12"
};

struct AppendRequest {
  proto::Envelope envelope;  // payload, digest, verdict, summary (source is envelope.source())
  std::string peer;          // where it came from: "backoffice" or "ggk"
  Timestamp received_at;
  // "<physical sender>|<message type>|<own Identificatie>", empty when the message has none
  // (e.g. it failed level 1). Computed by the caller (the pipeline knows retours).
  std::string duplicate_key;
  // Renders the routing-log line(s) for this append once the outcome (and so the id) is known;
  // runs inside the transaction; returned lines are committed with it. May be empty.
  std::function<std::vector<std::string>(const AppendOutcome&)> log_lines;
};

// A journaled message whose handler result is not committed yet.
struct PendingMessage {
  MessageId id = 0;
  std::string peer;
  std::string source;  // Envelope.source, also kept in its own column
  Timestamp received_at;
  proto::Envelope envelope;  // payload restored
  MessageId duplicate_of = 0;
  std::string duplicate_reason;
  // Non-empty: the stored record cannot be read back (why, for an operator); `envelope` then
  // holds only the payload. The caller quarantines it (MessageQueue::quarantine) instead of
  // dispatching it, so one damaged record never blocks the queue (issue 16).
  std::string unreadable;
};

// A message taken out of the queue because its record could not be read back (issue 16): an
// operator item until someone closes it (`iwmo-gateway quarantine`).
struct QuarantineItem {
  MessageId message_id = 0;
  Timestamp at;            // when it was quarantined
  std::string reason;      // what could not be read, for an operator
  std::string peer;
  std::string source;
  std::uint64_t size = 0;  // payload bytes (the payload itself is kept in the journal)
  bool open = true;
  std::optional<Timestamp> resolved_at;
  std::string note;        // what the operator did
};

enum class OutboxState { kPending, kDelivered, kFailed };

struct OutboxItem {
  OutboxId id = 0;
  MessageId message_id = 0;
  std::string peer;
  std::string file_name;
  std::string message_type;
  std::string receiver;
  std::string payload;
  OutboxState state = OutboxState::kPending;
  std::uint32_t attempts = 0;
  Timestamp created_at;
  Timestamp next_attempt_at;
  std::optional<Timestamp> delivered_at;
  std::string last_error;
};

// The outcome of one delivery attempt of one outbox item. Every member has an initializer, so
// designated initializers may leave any out ({.outbox_id = 7, .at = now, .ok = true}).
struct DeliveryRecord {
  OutboxId outbox_id = 0;
  Timestamp at{};
  bool ok = false;
  std::string detail{};  // where it went ("var/ggk/upload/000042-1-WMO301.xml") or what failed
  // When !ok: the next attempt's time; nullopt = give up (state failed, operator must act).
  std::optional<Timestamp> next_attempt_at{};
  std::vector<std::string> log_lines{};  // committed with the record
};

struct DeliveryAttempt {
  Timestamp at;
  bool ok = false;
  std::string detail;
};

struct DecisionRecord {
  Timestamp at;
  std::string worker;
  proto::Decision decision;
};

struct MessageRecord {
  MessageId id = 0;
  Timestamp received_at;
  std::string peer;
  std::string source;
  std::string sha256;
  std::uint64_t size = 0;
  std::string message_type;
  std::string duplicate_key;
  std::string state;        // "pending" or "handled"
  std::string disposition;  // "routed" / "rejected" once handled
  std::optional<Timestamp> handled_at;
  MessageId duplicate_of = 0;
  std::string duplicate_reason;
  proto::Envelope envelope;  // payload restored
  std::string unreadable;    // non-empty: the stored envelope does not parse (only the payload is set)
};

// Everything the journal knows about one message (`iwmo-gateway explain`).
struct MessageStory {
  MessageRecord message;
  std::vector<DecisionRecord> decisions;
  std::vector<std::pair<OutboxItem, std::vector<DeliveryAttempt>>> outgoing;
  std::vector<MessageId> duplicates;  // later messages found to duplicate this one
  std::optional<QuarantineItem> quarantine;  // set when the message was quarantined
};

struct LogEntry {
  std::uint64_t seq = 0;  // ascending, gap-free, starting at 1
  std::string line;       // one JSON object, without its "seq" field
};

struct JournalCounts {
  std::uint64_t messages = 0;
  std::uint64_t pending = 0;  // journaled, handler result not committed yet
  std::uint64_t handled = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t outbox_pending = 0;
  std::uint64_t outbox_delivered = 0;
  std::uint64_t outbox_failed = 0;
  std::uint64_t last_log_seq = 0;
  std::uint64_t quarantined_open = 0;  // quarantined messages no operator has closed yet
};

// The original a retour answers, found by its duplicate key (issue 6): the first valid message
// that is no duplicate, with the envelope it arrived in (payload left out).
struct OriginalMessage {
  MessageId id = 0;
  proto::Envelope envelope;
};

class MessageQueue {
 public:
  virtual ~MessageQueue() = default;

  // Journals one received message durably, then calls `done` (on the writer thread). Calls are
  // committed in the order they were made: ids ascend in call order. When
  // envelope.payload_sha256() is empty the journal computes it.
  // Errors: kUnavailable (disk full, I/O), kDataLoss (database damaged), kInvalid (a log line).
  virtual void append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) = 0;

  // Commits a handler's result in one transaction: its decisions, its outgoing messages (into
  // the outbox, state pending, due at `at`), `log_lines`, the message's state handled, and what
  // the result changes in the journal's state stores (journal.h).
  // Idempotent: when the message is already handled, nothing is written and `done` gets false
  // (a redelivered work item's second result); otherwise true.
  // Errors: kNotFound (no such message), kUnavailable, kDataLoss, kInvalid (a log line).
  virtual void commitResult(proto::HandlerResult result, std::vector<std::string> log_lines,
                            Timestamp at, std::function<void(Result<bool>)> done) = 0;

  // Records one delivery attempt (and its log lines) durably; blocks until committed.
  // ok → delivered; !ok with next_attempt_at → stays pending, due then; !ok without → failed.
  // Every recorded attempt counts in OutboxItem::attempts.
  // Idempotent for an item already delivered: returns OK and changes nothing.
  // REQUIRES: not called from a journal callback (it would wait for itself; kInternal).
  // Errors: kNotFound (no such outbox item), kUnavailable, kDataLoss, kInvalid (a log line).
  virtual Status recordDelivery(DeliveryRecord record) = 0;
  // Records a batch of attempts in one transaction (one fsync for the batch). The default
  // records them one by one; SqliteMessageQueue overrides it.
  virtual Status recordDeliveries(std::vector<DeliveryRecord> records) {
    for (auto& record : records) IWMO_RETURN_IF_ERROR(recordDelivery(std::move(record)));
    return Status::ok();
  }

  // Takes pending message `id` out of the queue because its record cannot be read back
  // (PendingMessage::unreadable): state handled, disposition "quarantined", an open
  // QuarantineItem with `reason`, and `log_lines`, in one transaction. `done` gets false when
  // the message is no longer pending (nothing written).
  // Errors: kNotFound (no such message), kUnavailable, kDataLoss, kInvalid (a log line).
  virtual void quarantine(MessageId id, std::string reason, std::vector<std::string> log_lines,
                          Timestamp at, std::function<void(Result<bool>)> done) = 0;
  // Closes the quarantine item of message `id` with the operator's `note`; blocks until
  // committed. False when there is no open item for it.
  // REQUIRES: not called from a journal callback. Errors: kUnavailable, kDataLoss.
  virtual Result<bool> closeQuarantine(MessageId id, std::string note, Timestamp at) = 0;

  // Blocking conveniences over append/commitResult/quarantine (tests, tools).
  // REQUIRES: not called from a journal callback (deadlock).
  Result<AppendOutcome> appendSync(AppendRequest request);
  Result<bool> commitResultSync(proto::HandlerResult result, std::vector<std::string> log_lines,
                                Timestamp at);
  Result<bool> quarantineSync(MessageId id, std::string reason, std::vector<std::string> log_lines,
                              Timestamp at);

  // Reads. They see every write whose callback has run.
  // Pending messages with id > after, ascending, at most `limit`. A message whose record does
  // not read back comes with `unreadable` set rather than failing the whole read.
  virtual Result<std::vector<PendingMessage>> pending(MessageId after, std::size_t limit) = 0;
  // Pending outbox items with next_attempt_at <= now, ascending id, at most `limit`.
  // `first_attempts_due`: items never attempted are due whatever their time (replay, whose
  // logical times may lie in the future); retries still wait for their next_attempt_at.
  virtual Result<std::vector<OutboxItem>> dueOutbox(Timestamp now, std::size_t limit,
                                                    bool first_attempts_due = false) = 0;
  // The oldest outbox item not delivered yet (state pending, due or waiting for a retry), its
  // payload left out; nullopt when everything is delivered. /healthz judges delivery by its age.
  virtual Result<std::optional<OutboxItem>> oldestUndelivered() = 0;
  // Log entries with seq > after, ascending, at most `limit`.
  virtual Result<std::vector<LogEntry>> logAfter(std::uint64_t after, std::size_t limit) = 0;
  // A message by id ("42"), by its header Identificatie (the latest with it), or by a SHA-256
  // prefix of at least 8 hex digits (the latest with it). Tried in that order: an all-digit key
  // that is no id is tried as a prefix, then as an Identificatie. nullopt when nothing matches.
  virtual Result<std::optional<MessageId>> findMessage(std::string_view key) = 0;
  // Errors: kNotFound.
  virtual Result<MessageStory> story(MessageId id) = 0;
  // The first valid message with this duplicate key that is no duplicate, or nullopt.
  virtual Result<std::optional<OriginalMessage>> findOriginal(const std::string& duplicate_key) = 0;
  virtual Result<JournalCounts> counts() = 0;
  // Quarantined messages, oldest first: the open ones, or all with `include_closed`.
  virtual Result<std::vector<QuarantineItem>> quarantined(bool include_closed) = 0;
};

}  // namespace iwmo::journal
