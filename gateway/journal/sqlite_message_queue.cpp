// SqliteMessageQueue (sqlite_message_queue.h). Its tables are documented in queue_schema.h.
#include "gateway/journal/sqlite_message_queue.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <future>
#include <string>
#include <utility>

#include "gateway/base/sha256.h"

namespace iwmo::journal {
namespace {

using sqlite::Query;
using sqlite::StmtPtr;

// The payloads live in tables of their own since schema version 8 (queue_schema.h); a row of an
// older journal keeps its payload in its own column, so a read takes whichever is there.
constexpr const char* kMessageColumns =
    "m.id, m.received_at, m.peer, m.source, m.sha256, m.size, m.message_type, m.duplicate_key, m.state, "
    "m.disposition, m.handled_at, m.duplicate_of, m.duplicate_reason, coalesce(p.payload, m.payload), m.envelope";
constexpr const char* kMessagesWithPayload =
    " FROM messages m LEFT JOIN message_payloads p ON p.message_id = m.id ";
constexpr const char* kOutboxColumnsBeforePayload = "o.id, o.message_id, o.peer, o.file_name, o.message_type, o.receiver, ";
constexpr const char* kOutboxColumnsAfterPayload =
    ", o.state, o.attempts, o.created_at, o.next_attempt_at, o.delivered_at, o.last_error";
constexpr const char* kOutboxPayload = "coalesce(p.payload, o.payload)";
constexpr const char* kOutboxPayloadJoin = " LEFT JOIN outbox_payloads p ON p.outbox_id = o.id ";
constexpr const char* kQuarantineColumns =
    "SELECT q.message_id, q.at, q.reason, m.peer, m.source, m.size, q.state, q.resolved_at, q.note "
    "FROM quarantine q JOIN messages m ON m.id = q.message_id ";

// "2026-12-01T10:00:00Z": operators read seconds.
std::string isoSeconds(Timestamp t) {
  std::string text = t.toIso8601();
  const std::size_t dot = text.find('.');
  if (dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

// Restores a stored envelope and its payload. When the envelope does not parse (a record written
// before issue 16's fix with a name that was not UTF-8, or a damaged row), `envelope` holds only
// the payload and the reason comes back for the caller to quarantine or show; never a failure of
// the whole read.
std::string restoreEnvelope(MessageId id, const std::string& envelope_blob, std::string payload,
                            proto::Envelope& envelope) {
  std::string unreadable;
  if (!envelope.ParseFromString(envelope_blob)) {
    envelope.Clear();
    unreadable = "the stored record of message #" + std::to_string(id) + " (" +
                 std::to_string(envelope_blob.size()) +
                 " bytes of serialized Envelope) does not parse: a damaged row, or a string in it "
                 "that is not UTF-8; the payload itself is intact";
  }
  envelope.set_payload(std::move(payload));
  return unreadable;
}

std::optional<OutboxState> outboxStateFromText(const std::string& text) {
  if (text == "pending") return OutboxState::kPending;
  if (text == "delivered") return OutboxState::kDelivered;
  if (text == "failed") return OutboxState::kFailed;
  return std::nullopt;
}

// Reads a row of the outbox columns (kOutboxColumnsBeforePayload ...).
Result<OutboxItem> readOutboxItem(const std::filesystem::path& file, const Query& q) {
  OutboxItem item;
  item.id = q.uint64(0);
  item.message_id = q.uint64(1);
  item.peer = q.bytes(2);
  item.file_name = q.bytes(3);
  item.message_type = q.bytes(4);
  item.receiver = q.bytes(5);
  item.payload = q.bytes(6);
  const std::optional<OutboxState> state = outboxStateFromText(q.bytes(7));
  if (!state) {
    return Status::dataLoss(sqlite::prefixOf(file) + "outbox item #" + std::to_string(item.id) +
                            " has an unknown state '" + q.bytes(7) + "'");
  }
  item.state = *state;
  item.attempts = static_cast<std::uint32_t>(q.int64(8));
  item.created_at = {q.int64(9)};
  item.next_attempt_at = {q.int64(10)};
  if (!q.isNull(11)) item.delivered_at = Timestamp{q.int64(11)};
  item.last_error = q.bytes(12);
  return item;
}

// Reads a row of kMessageColumns.
MessageRecord readMessageRecord(const Query& q) {
  MessageRecord m;
  m.id = q.uint64(0);
  m.received_at = {q.int64(1)};
  m.peer = q.bytes(2);
  m.source = q.bytes(3);
  m.sha256 = q.bytes(4);
  m.size = q.uint64(5);
  m.message_type = q.bytes(6);
  m.duplicate_key = q.bytes(7);
  m.state = q.bytes(8);
  m.disposition = q.bytes(9);
  if (!q.isNull(10)) m.handled_at = Timestamp{q.int64(10)};
  m.duplicate_of = q.isNull(11) ? 0 : q.uint64(11);
  m.duplicate_reason = q.bytes(12);
  m.unreadable = restoreEnvelope(m.id, q.bytes(14), q.bytes(13), m.envelope);
  return m;
}

// Reads a row of kQuarantineColumns.
QuarantineItem readQuarantineItem(const Query& q) {
  QuarantineItem item;
  item.message_id = q.uint64(0);
  item.at = {q.int64(1)};
  item.reason = q.bytes(2);
  item.peer = q.bytes(3);
  item.source = q.bytes(4);
  item.size = q.uint64(5);
  item.open = q.bytes(6) == "open";
  if (!q.isNull(7)) item.resolved_at = Timestamp{q.int64(7)};
  item.note = q.bytes(8);
  return item;
}

// A writer job that runs `execute` (which returns a Result<T>) and hands that result to `done`
// once the COMMIT is through, or the COMMIT's error when it failed.
template <typename T, typename Execute>
SqliteWriter::Job resultJob(Execute execute, std::function<void(Result<T>)> done, const char* what) {
  auto outcome = std::make_shared<Result<T>>(Status::internal(std::string(what) + " not executed"));
  SqliteWriter::Job job;
  job.run = [execute = std::move(execute), outcome] {
    *outcome = execute();
    return outcome->status();
  };
  job.done = [outcome, done = std::move(done)](Status status) {
    if (!status.isOk()) {
      done(std::move(status));
    } else {
      done(std::move(*outcome));
    }
  };
  return job;
}

}  // namespace

struct SqliteMessageQueue::WriteStatements {
  StmtPtr find_by_sha, find_by_key, insert_message, insert_message_payload, insert_log, message_state,
      insert_decision, insert_outbox, insert_outbox_payload, mark_handled, outbox_state, insert_delivery, outbox_delivered, outbox_retry,
      outbox_failed, insert_quarantine, close_quarantine, original;
};

struct SqliteMessageQueue::ReadStatements {
  StmtPtr begin, commit, rollback, pending, due, oldest_undelivered, log_after, id_exists, by_sha_prefix, by_identificatie, message,
      decisions, outbox_of, deliveries_of, duplicates_of, count_messages, count_duplicates, count_outbox, last_seq,
      count_quarantined, quarantine_of, quarantined, original;
};

SqliteMessageQueue::SqliteMessageQueue(SqliteWriter& writer, sqlite::Connection reader, std::vector<StateEffects*> effects)
    : writer_(writer),
      effects_(std::move(effects)),
      write_(std::make_unique<WriteStatements>()),
      reader_(std::move(reader)),
      read_(std::make_unique<ReadStatements>()) {}

SqliteMessageQueue::~SqliteMessageQueue() = default;

Result<std::unique_ptr<SqliteMessageQueue>> SqliteMessageQueue::create(SqliteWriter& writer, sqlite::Connection reader,
                                                                       std::vector<StateEffects*> effects) {
  std::unique_ptr<SqliteMessageQueue> queue(new SqliteMessageQueue(writer, std::move(reader), std::move(effects)));
  WriteStatements& w = *queue->write_;
  IWMO_RETURN_IF_ERROR(sqlite::prepareAll(
      writer.connection(),
      {{&w.find_by_sha,
        // A quarantined message (issue 16) is no original: its payload may come again.
        "SELECT id, source, received_at, peer FROM messages WHERE sha256 = ?1 "
        "AND disposition <> 'quarantined' ORDER BY id"},
       {&w.find_by_key,
        "SELECT id FROM messages WHERE duplicate_key = ?1 AND valid = 1 "
        "AND duplicate_of IS NULL AND disposition <> 'quarantined' ORDER BY id LIMIT 1"},
       {&w.insert_message,
        "INSERT INTO messages (received_at, peer, source, sha256, size, message_type, "
        "identificatie, duplicate_key, valid, state, duplicate_of, duplicate_reason, payload, "
        "envelope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, X'', ?12)"},
       {&w.insert_message_payload, "INSERT INTO message_payloads (message_id, payload) VALUES (?1, ?2)"},
       {&w.insert_log, "INSERT INTO log_entries (line) VALUES (?1)"},
       {&w.message_state, "SELECT state, message_type FROM messages WHERE id = ?1"},
       {&w.insert_decision,
        "INSERT INTO decisions (message_id, seq, at, worker, decision) VALUES (?1, ?2, ?3, ?4, ?5)"},
       {&w.insert_outbox,
        "INSERT INTO outbox (message_id, seq, peer, file_name, message_type, receiver, payload, "
        "state, attempts, created_at, next_attempt_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, X'', 'pending', 0, ?7, ?7)"},
       {&w.insert_outbox_payload, "INSERT INTO outbox_payloads (outbox_id, payload) VALUES (?1, ?2)"},
       {&w.mark_handled, "UPDATE messages SET state = 'handled', disposition = ?2, handled_at = ?3 WHERE id = ?1"},
       {&w.outbox_state, "SELECT state FROM outbox WHERE id = ?1"},
       {&w.insert_delivery, "INSERT INTO deliveries (outbox_id, at, ok, detail) VALUES (?1, ?2, ?3, ?4)"},
       {&w.outbox_delivered,
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
        "last_error = '' WHERE id = ?1"},
       {&w.outbox_retry,
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?2, "
        "last_error = ?3 WHERE id = ?1"},
       {&w.outbox_failed, "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1"},
       {&w.insert_quarantine, "INSERT INTO quarantine (message_id, at, reason) VALUES (?1, ?2, ?3)"},
       {&w.close_quarantine,
        "UPDATE quarantine SET state = 'closed', resolved_at = ?2, note = ?3 WHERE message_id = ?1 AND state = 'open'"},
       {&w.original,
        "SELECT id, envelope FROM messages WHERE duplicate_key = ?1 AND valid = 1 AND duplicate_of IS NULL "
        "AND disposition <> 'quarantined' ORDER BY id LIMIT 1"}}));
  ReadStatements& r = *queue->read_;
  const std::string messages = std::string("SELECT ") + kMessageColumns + kMessagesWithPayload;
  const std::string outbox_columns =
      std::string(kOutboxColumnsBeforePayload) + kOutboxPayload + kOutboxColumnsAfterPayload;
  const std::string outbox_columns_without_payload =
      std::string(kOutboxColumnsBeforePayload) + "''" + kOutboxColumnsAfterPayload;
  const std::string quarantine_columns = kQuarantineColumns;
  IWMO_RETURN_IF_ERROR(sqlite::prepareAll(
      queue->reader_,
      {{&r.begin, "BEGIN"},
       {&r.commit, "COMMIT"},
       {&r.rollback, "ROLLBACK"},
       {&r.pending,
        "SELECT m.id, m.peer, m.received_at, m.duplicate_of, m.duplicate_reason, coalesce(p.payload, m.payload), "
        "m.envelope, m.source" + std::string(kMessagesWithPayload) +
            "WHERE m.state = 'pending' AND m.id > ?1 ORDER BY m.id LIMIT ?2"},
       // outbox_pending walks the pending items in id order and stops at the limit, instead of
       // sorting every pending row (payloads included) on each call.
       {&r.due, "SELECT " + outbox_columns + " FROM outbox o INDEXED BY outbox_pending" + kOutboxPayloadJoin +
                    "WHERE o.state = 'pending' AND (o.next_attempt_at <= ?1 OR (?3 AND o.attempts = 0)) "
                    "ORDER BY o.id LIMIT ?2"},
       {&r.oldest_undelivered, "SELECT " + outbox_columns_without_payload +
                                   " FROM outbox o INDEXED BY outbox_pending WHERE o.state = 'pending' ORDER BY o.id LIMIT 1"},
       {&r.log_after, "SELECT seq, line FROM log_entries WHERE seq > ?1 ORDER BY seq LIMIT ?2"},
       {&r.id_exists, "SELECT id FROM messages WHERE id = ?1"},
       {&r.by_sha_prefix, "SELECT id FROM messages WHERE sha256 >= ?1 AND sha256 < ?2 ORDER BY id DESC LIMIT 1"},
       {&r.by_identificatie, "SELECT id FROM messages WHERE identificatie = ?1 ORDER BY id DESC LIMIT 1"},
       {&r.message, messages + "WHERE m.id = ?1"},
       {&r.decisions, "SELECT at, worker, decision FROM decisions WHERE message_id = ?1 ORDER BY seq"},
       {&r.outbox_of, "SELECT " + outbox_columns + " FROM outbox o" + kOutboxPayloadJoin +
                          "WHERE o.message_id = ?1 ORDER BY o.seq"},
       {&r.deliveries_of, "SELECT at, ok, detail FROM deliveries WHERE outbox_id = ?1 ORDER BY id"},
       {&r.duplicates_of, "SELECT id FROM messages WHERE duplicate_of = ?1 ORDER BY id"},
       {&r.count_messages, "SELECT state, count(*) FROM messages GROUP BY state"},
       {&r.count_duplicates, "SELECT count(*) FROM messages WHERE duplicate_of IS NOT NULL"},
       {&r.count_outbox, "SELECT state, count(*) FROM outbox GROUP BY state"},
       {&r.last_seq, "SELECT coalesce(max(seq), 0) FROM log_entries"},
       {&r.count_quarantined, "SELECT count(*) FROM quarantine WHERE state = 'open'"},
       {&r.quarantine_of, quarantine_columns + "WHERE q.message_id = ?1"},
       {&r.quarantined, quarantine_columns + "WHERE ?1 OR q.state = 'open' ORDER BY q.message_id"},
       {&r.original,
        "SELECT id, envelope FROM messages WHERE duplicate_key = ?1 AND valid = 1 AND duplicate_of IS NULL "
        "AND disposition <> 'quarantined' ORDER BY id LIMIT 1"}}));
  return queue;
}

// ---------------------------------------------------------------------------------------------
// Writes: each is a SqliteWriter job; its result reaches `done` once the COMMIT is through.

void SqliteMessageQueue::append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) {
  auto owned = std::make_shared<AppendRequest>(std::move(request));
  SqliteWriter::Job job =
      resultJob<AppendOutcome>([this, owned] { return executeAppend(*owned); }, std::move(done), "append");
  job.urgent = true;  // the sender's acknowledgement waits for it (sqlite_writer.h)
  writer_.enqueue(std::move(job));
}

void SqliteMessageQueue::commitResult(proto::HandlerResult result, std::vector<std::string> log_lines, Timestamp at,
                                      std::function<void(Result<bool>)> done) {
  auto owned = std::make_shared<std::pair<proto::HandlerResult, std::vector<std::string>>>(std::move(result),
                                                                                            std::move(log_lines));
  SqliteWriter::Job job = resultJob<bool>(
      [this, owned, at] { return executeCommit(owned->first, owned->second, at); }, std::move(done), "commitResult");
  job.ordered = true;  // a later readAfterWrites may build on it (journal.h)
  writer_.enqueue(std::move(job));
}

Status SqliteMessageQueue::recordDelivery(DeliveryRecord record) {
  auto owned = std::make_shared<DeliveryRecord>(std::move(record));
  return writer_.runAndWait([this, owned] { return executeDelivery(*owned); });
}

Status SqliteMessageQueue::recordDeliveries(std::vector<DeliveryRecord> records) {
  if (records.empty()) return Status::ok();
  if (writer_.onWriterThread()) {
    return Status::internal(prefix() + "recordDeliveries called from a journal callback would wait for itself");
  }
  struct Countdown {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = 0;
    Status first_error;
  };
  auto countdown = std::make_shared<Countdown>();
  countdown->left = records.size();
  std::vector<SqliteWriter::Job> jobs;
  jobs.reserve(records.size());
  for (auto& record : records) {
    auto owned = std::make_shared<DeliveryRecord>(std::move(record));
    jobs.push_back({[this, owned] { return executeDelivery(*owned); },
                    [countdown](Status status) {
                      std::lock_guard lock(countdown->mutex);
                      if (!status.isOk() && countdown->first_error.isOk()) countdown->first_error = std::move(status);
                      if (--countdown->left == 0) countdown->done.notify_all();
                    }});
  }
  writer_.enqueueAll(std::move(jobs));
  std::unique_lock lock(countdown->mutex);
  countdown->done.wait(lock, [&] { return countdown->left == 0; });
  return countdown->first_error;
}

void SqliteMessageQueue::quarantine(MessageId id, std::string reason, std::vector<std::string> log_lines, Timestamp at,
                                    std::function<void(Result<bool>)> done) {
  auto owned = std::make_shared<std::pair<std::string, std::vector<std::string>>>(std::move(reason), std::move(log_lines));
  writer_.enqueue(resultJob<bool>(
      [this, id, owned, at] { return executeQuarantine(id, owned->first, owned->second, at); }, std::move(done),
      "quarantine"));
}

Result<bool> SqliteMessageQueue::closeQuarantine(MessageId id, std::string note, Timestamp at) {
  bool closed = false;
  const Status done = writer_.runAndWait([&]() -> Status {
    Query q(writer_.connection(), write_->close_quarantine.get(), "closing a quarantine item");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, note).run());
    closed = sqlite3_changes(writer_.connection().get()) > 0;
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return closed;
}

Status SqliteMessageQueue::insertLogLines(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (line.empty() || line.find('\n') != std::string::npos) {
      return Status::invalid(prefix() + "a routing-log line must be one non-empty line, got \"" + line.substr(0, 80) +
                             "\"");
    }
    Query q(writer_.connection(), write_->insert_log.get(), "writing a routing-log line");
    IWMO_RETURN_IF_ERROR(q.bindText(1, line).run());
  }
  return Status::ok();
}

Result<AppendOutcome> SqliteMessageQueue::executeAppend(AppendRequest& request) {
  const sqlite::Connection& connection = writer_.connection();
  proto::Envelope& envelope = request.envelope;
  // The payload goes into its own column; the envelope column holds the rest.
  const std::string payload = std::move(*envelope.mutable_payload());
  envelope.clear_payload();
  if (envelope.payload_sha256().empty()) envelope.set_payload_sha256(sha256Hex(payload));
  const std::string& sha = envelope.payload_sha256();
  const std::string& source = envelope.source();

  AppendOutcome outcome;
  MessageId same_content = 0;
  Timestamp same_content_received;
  std::string same_content_peer;
  {
    Query q(connection, write_->find_by_sha.get(), "looking up the digest of a received message");
    q.bindText(1, sha);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      if (q.bytes(1) == source) {
        outcome.kind = AppendKind::kAlreadyJournaled;
        outcome.id = outcome.original = q.uint64(0);
        break;
      }
      if (same_content == 0) {
        same_content = q.uint64(0);
        same_content_received = {q.int64(2)};
        same_content_peer = q.bytes(3);
      }
    }
  }
  if (outcome.kind != AppendKind::kAlreadyJournaled) {
    if (same_content != 0) {
      outcome.kind = AppendKind::kDuplicate;
      outcome.original = same_content;
      outcome.duplicate_reason = std::string(kSameContentReason) + " (SHA-256 " + sha.substr(0, 8) +
                                 "\u2026) as message #" + std::to_string(same_content) + " received " +
                                 isoSeconds(same_content_received) + " from " + same_content_peer;
    } else if (!request.duplicate_key.empty()) {
      // TR056: same sender + message type + Identificatie as an earlier valid original.
      Query q(connection, write_->find_by_key.get(), "looking up the duplicate key of a received message");
      Result<bool> row = q.bindText(1, request.duplicate_key).step();
      if (!row) return row.status();
      if (*row) {
        outcome.kind = AppendKind::kDuplicate;
        outcome.original = q.uint64(0);
        outcome.duplicate_reason = "same sender, message type and Identificatie as message #" +
                                   std::to_string(outcome.original) + " (TR056)";
      }
    }
    std::string envelope_blob;
    if (!envelope.SerializeToString(&envelope_blob)) {
      return Status::internal(prefix() + "cannot serialize the envelope of " + source);
    }
    Query q(connection, write_->insert_message.get(), "inserting a received message");
    q.bind(1, request.received_at.micros)
        .bindText(2, request.peer)
        .bindText(3, source)
        .bindText(4, sha)
        // An oversize message is journaled without its payload: its size is the envelope's.
        .bind(5, std::max<std::uint64_t>(payload.size(), envelope.payload_size()))
        .bindText(6, envelope.summary().message_type())
        .bindText(7, envelope.summary().header().identificatie())
        .bindText(8, request.duplicate_key)
        .bindBool(9, envelope.verdict().valid())
        .bindText(11, outcome.duplicate_reason)
        .bindBlob(12, envelope_blob);
    if (outcome.original != 0) {
      q.bind(10, outcome.original);
    } else {
      q.bindNull(10);
    }
    IWMO_RETURN_IF_ERROR(q.run());
    outcome.id = static_cast<MessageId>(sqlite3_last_insert_rowid(connection.get()));
    Query p(connection, write_->insert_message_payload.get(), "inserting the payload of a received message");
    IWMO_RETURN_IF_ERROR(p.bind(1, outcome.id).bindBlob(2, payload).run());
  }
  if (request.log_lines) IWMO_RETURN_IF_ERROR(insertLogLines(request.log_lines(outcome)));
  return outcome;
}

Result<bool> SqliteMessageQueue::executeCommit(const proto::HandlerResult& result,
                                               const std::vector<std::string>& log_lines, Timestamp at) {
  const sqlite::Connection& connection = writer_.connection();
  const MessageId id = result.message_id();
  CommitContext context;
  context.message_id = id;
  context.at = at;
  {
    Query q(connection, write_->message_state.get(), "reading the state of a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (!*row) return Status::notFound(prefix() + "no message #" + std::to_string(id) + " to commit a handler result for");
    if (q.bytes(0) != "pending") return false;  // a redelivered work item's second result
    context.message_type = q.bytes(1);
  }
  std::int64_t seq = 0;
  for (const proto::Decision& decision : result.decisions()) {
    std::string blob;
    if (!decision.SerializeToString(&blob)) {
      return Status::internal(prefix() + "cannot serialize a decision of message #" + std::to_string(id));
    }
    Query q(connection, write_->insert_decision.get(), "inserting a decision");
    IWMO_RETURN_IF_ERROR(
        q.bind(1, id).bind(2, seq++).bind(3, at.micros).bindText(4, result.worker()).bindBlob(5, blob).run());
  }
  seq = 0;
  for (const proto::Outgoing& out : result.outgoing()) {
    Query q(connection, write_->insert_outbox.get(), "inserting an outbox item");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bind(2, seq++)
                             .bindText(3, out.peer())
                             .bindText(4, out.file_name())
                             .bindText(5, out.message_type())
                             .bindText(6, out.receiver())
                             .bind(7, at.micros)
                             .run());
    const auto outbox_id = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(connection.get()));
    Query p(connection, write_->insert_outbox_payload.get(), "inserting the payload of an outbox item");
    IWMO_RETURN_IF_ERROR(p.bind(1, outbox_id).bindBlob(2, out.payload()).run());
    context.outbox_ids.push_back(outbox_id);
  }
  for (StateEffects* effects : effects_) IWMO_RETURN_IF_ERROR(effects->apply(result, context));
  IWMO_RETURN_IF_ERROR(insertLogLines(log_lines));
  Query q(connection, write_->mark_handled.get(), "marking a message handled");
  IWMO_RETURN_IF_ERROR(q.bind(1, id).bindText(2, result.disposition()).bind(3, at.micros).run());
  return true;
}

Status SqliteMessageQueue::executeDelivery(const DeliveryRecord& record) {
  const sqlite::Connection& connection = writer_.connection();
  {
    Query q(connection, write_->outbox_state.get(), "reading the state of an outbox item");
    Result<bool> row = q.bind(1, record.outbox_id).step();
    if (!row) return row.status();
    if (!*row) {
      return Status::notFound(prefix() + "no outbox item #" + std::to_string(record.outbox_id) +
                              " to record a delivery for");
    }
    if (q.bytes(0) == "delivered") return Status::ok();  // idempotent: a repeat after success changes nothing
  }
  {
    Query q(connection, write_->insert_delivery.get(), "inserting a delivery attempt");
    IWMO_RETURN_IF_ERROR(
        q.bind(1, record.outbox_id).bind(2, record.at.micros).bindBool(3, record.ok).bindText(4, record.detail).run());
  }
  if (record.ok) {
    Query q(connection, write_->outbox_delivered.get(), "marking an outbox item delivered");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id).bind(2, record.at.micros).run());
  } else if (record.next_attempt_at) {
    Query q(connection, write_->outbox_retry.get(), "scheduling another delivery attempt");
    IWMO_RETURN_IF_ERROR(
        q.bind(1, record.outbox_id).bind(2, record.next_attempt_at->micros).bindText(3, record.detail).run());
  } else {
    Query q(connection, write_->outbox_failed.get(), "marking an outbox item failed");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id).bindText(2, record.detail).run());
  }
  return insertLogLines(record.log_lines);
}

Result<bool> SqliteMessageQueue::executeQuarantine(MessageId id, const std::string& reason,
                                                   const std::vector<std::string>& log_lines, Timestamp at) {
  const sqlite::Connection& connection = writer_.connection();
  {
    Query q(connection, write_->message_state.get(), "reading the state of a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (!*row) return Status::notFound(prefix() + "no message #" + std::to_string(id) + " to quarantine");
    if (q.bytes(0) != "pending") return false;
  }
  {
    Query q(connection, write_->insert_quarantine.get(), "quarantining a message");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, reason).run());
  }
  IWMO_RETURN_IF_ERROR(insertLogLines(log_lines));
  static const std::string kQuarantined = "quarantined";
  Query q(connection, write_->mark_handled.get(), "marking a message quarantined");
  IWMO_RETURN_IF_ERROR(q.bind(1, id).bindText(2, kQuarantined).bind(3, at.micros).run());
  return true;
}

// ---------------------------------------------------------------------------------------------
// Reads, on the read connection.

Result<std::vector<PendingMessage>> SqliteMessageQueue::pending(MessageId after, std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Query q(reader_, read_->pending.get(), "reading pending messages");
  q.bind(1, after).bind(2, sqlite::limitParam(limit));
  std::vector<PendingMessage> messages;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    PendingMessage& m = messages.emplace_back();
    m.id = q.uint64(0);
    m.peer = q.bytes(1);
    m.received_at = {q.int64(2)};
    m.duplicate_of = q.isNull(3) ? 0 : q.uint64(3);
    m.duplicate_reason = q.bytes(4);
    m.unreadable = restoreEnvelope(m.id, q.bytes(6), q.bytes(5), m.envelope);
    m.source = q.bytes(7);
  }
  return messages;
}

Result<std::vector<OutboxItem>> SqliteMessageQueue::dueOutbox(Timestamp now, std::size_t limit,
                                                              bool first_attempts_due) {
  std::lock_guard lock(read_mutex_);
  Query q(reader_, read_->due.get(), "reading the due outbox items");
  q.bind(1, now.micros).bind(2, sqlite::limitParam(limit)).bindBool(3, first_attempts_due);
  std::vector<OutboxItem> items;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    Result<OutboxItem> item = readOutboxItem(reader_.file(), q);
    if (!item) return item.status();
    items.push_back(std::move(*item));
  }
  return items;
}

Result<std::optional<OutboxItem>> SqliteMessageQueue::oldestUndelivered() {
  std::lock_guard lock(read_mutex_);
  Query q(reader_, read_->oldest_undelivered.get(), "reading the oldest undelivered outbox item");
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<OutboxItem>();
  Result<OutboxItem> item = readOutboxItem(reader_.file(), q);
  if (!item) return item.status();
  return std::optional<OutboxItem>(std::move(*item));
}

Result<std::vector<LogEntry>> SqliteMessageQueue::logAfter(std::uint64_t after, std::size_t limit) {
  std::lock_guard lock(read_mutex_);
  Query q(reader_, read_->log_after.get(), "reading routing-log entries");
  q.bind(1, after).bind(2, sqlite::limitParam(limit));
  std::vector<LogEntry> entries;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    entries.push_back({q.uint64(0), q.bytes(1)});
  }
  return entries;
}

// REQUIRES: read_mutex_ held. The first column of the first row of `stmt` bound to p1 (and p2).
Result<std::optional<MessageId>> SqliteMessageQueue::firstId(sqlite3_stmt* stmt, const std::string& p1,
                                                             const std::string* p2) {
  Query q(reader_, stmt, "looking up a message");
  q.bindText(1, p1);
  if (p2 != nullptr) q.bindText(2, *p2);
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<MessageId>();
  return std::optional<MessageId>(q.uint64(0));
}

Result<std::optional<MessageId>> SqliteMessageQueue::findMessage(std::string_view key) {
  std::lock_guard lock(read_mutex_);
  if (key.empty()) return std::optional<MessageId>();
  const bool digits = std::all_of(key.begin(), key.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  if (digits) {
    MessageId id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec == std::errc() && end == key.data() + key.size()) {
      Query q(reader_, read_->id_exists.get(), "looking up a message by id");
      Result<bool> row = q.bind(1, id).step();
      if (!row) return row.status();
      if (*row) return std::optional<MessageId>(id);
    }
  }
  const bool hex = std::all_of(key.begin(), key.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
  if (hex && key.size() >= 8) {
    std::string low(key);
    std::transform(low.begin(), low.end(), low.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    const std::string high = low + "g";  // just above every hex continuation of `low`
    Result<std::optional<MessageId>> id = firstId(read_->by_sha_prefix.get(), low, &high);
    if (!id || id->has_value()) return id;
  }
  return firstId(read_->by_identificatie.get(), std::string(key), nullptr);
}

Result<MessageStory> SqliteMessageQueue::story(MessageId id) {
  std::lock_guard lock(read_mutex_);
  sqlite::Transaction txn(reader_, read_->begin.get(), read_->commit.get(), read_->rollback.get());
  IWMO_RETURN_IF_ERROR(txn.begin());  // one snapshot for all the queries below
  MessageStory story;
  {
    Query q(reader_, read_->message.get(), "reading a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (!*row) return Status::notFound(sqlite::prefixOf(reader_.file()) + "no message #" + std::to_string(id));
    story.message = readMessageRecord(q);
  }
  {
    Query q(reader_, read_->quarantine_of.get(), "reading the quarantine item of a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (*row) story.quarantine = readQuarantineItem(q);
  }
  {
    Query q(reader_, read_->decisions.get(), "reading the decisions of a message");
    q.bind(1, id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      DecisionRecord& d = story.decisions.emplace_back();
      d.at = {q.int64(0)};
      d.worker = q.bytes(1);
      if (!d.decision.ParseFromString(q.bytes(2))) {
        return Status::dataLoss(sqlite::prefixOf(reader_.file()) + "a stored decision of message #" +
                                std::to_string(id) + " does not parse");
      }
    }
  }
  {
    Query q(reader_, read_->outbox_of.get(), "reading the outbox items of a message");
    q.bind(1, id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      Result<OutboxItem> item = readOutboxItem(reader_.file(), q);
      if (!item) return item.status();
      story.outgoing.emplace_back(std::move(*item), std::vector<DeliveryAttempt>());
    }
  }
  for (auto& [item, attempts] : story.outgoing) {
    Query q(reader_, read_->deliveries_of.get(), "reading the delivery attempts of an outbox item");
    q.bind(1, item.id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      attempts.push_back({Timestamp{q.int64(0)}, q.int64(1) != 0, q.bytes(2)});
    }
  }
  {
    Query q(reader_, read_->duplicates_of.get(), "reading the duplicates of a message");
    q.bind(1, id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      story.duplicates.push_back(q.uint64(0));
    }
  }
  IWMO_RETURN_IF_ERROR(txn.commit());
  return story;
}

Result<std::optional<OriginalMessage>> SqliteMessageQueue::findOriginal(const std::string& duplicate_key) {
  // Inside Journal::readAfterWrites: on the writer's connection (journal.h).
  const bool on_writer = writer_.onWriterThread();
  std::unique_lock<std::mutex> lock;
  if (!on_writer) lock = std::unique_lock(read_mutex_);
  Query q(on_writer ? writer_.connection() : reader_, on_writer ? write_->original.get() : read_->original.get(),
          "looking up the heen message of a retour");
  q.bindText(1, duplicate_key);
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<OriginalMessage>();
  OriginalMessage original;
  original.id = q.uint64(0);
  if (!original.envelope.ParseFromString(q.bytes(1))) {
    return Status::dataLoss(sqlite::prefixOf(reader_.file()) + "the stored envelope of message #" +
                            std::to_string(original.id) + " does not parse");
  }
  return std::optional<OriginalMessage>(std::move(original));
}

Result<JournalCounts> SqliteMessageQueue::counts() {
  std::lock_guard lock(read_mutex_);
  sqlite::Transaction txn(reader_, read_->begin.get(), read_->commit.get(), read_->rollback.get());
  IWMO_RETURN_IF_ERROR(txn.begin());  // one snapshot for all the counts
  JournalCounts counts;
  {
    Query q(reader_, read_->count_messages.get(), "counting messages");
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      const std::uint64_t n = q.uint64(1);
      counts.messages += n;
      if (q.bytes(0) == "pending") counts.pending = n;
      if (q.bytes(0) == "handled") counts.handled = n;
    }
  }
  {
    Query q(reader_, read_->count_outbox.get(), "counting outbox items");
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      const std::uint64_t n = q.uint64(1);
      const std::optional<OutboxState> state = outboxStateFromText(q.bytes(0));
      if (state == OutboxState::kPending) counts.outbox_pending = n;
      if (state == OutboxState::kDelivered) counts.outbox_delivered = n;
      if (state == OutboxState::kFailed) counts.outbox_failed = n;
    }
  }
  const std::pair<sqlite3_stmt*, std::uint64_t*> singles[] = {{read_->count_duplicates.get(), &counts.duplicates},
                                                              {read_->last_seq.get(), &counts.last_log_seq},
                                                              {read_->count_quarantined.get(), &counts.quarantined_open}};
  for (const auto& [stmt, out] : singles) {
    Query q(reader_, stmt, "counting the journal");
    Result<bool> row = q.step();
    if (!row) return row.status();
    *out = *row ? q.uint64(0) : 0;
  }
  IWMO_RETURN_IF_ERROR(txn.commit());
  return counts;
}

Result<std::vector<QuarantineItem>> SqliteMessageQueue::quarantined(bool include_closed) {
  std::lock_guard lock(read_mutex_);
  Query q(reader_, read_->quarantined.get(), "listing quarantined messages");
  q.bindBool(1, include_closed);
  std::vector<QuarantineItem> items;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    items.push_back(readQuarantineItem(q));
  }
  return items;
}

}  // namespace iwmo::journal
