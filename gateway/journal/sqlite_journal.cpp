// SqliteJournal (sqlite_journal.h). The on-disk format, schema version 5: the tables below, plus
// those of reference_schema.h (version 2: brp_periods, institutions, bw_episodes, regions,
// review_queue), eb_schema.h (3: eigen bijdrage) and ggk_schema.h (4: StUF-GGk). An older journal
// is upgraded in place when opened, after which an older binary refuses it.
//
// One SQLite database file in WAL mode (plus its -wal and -shm files while open). Times are
// INTEGER microseconds since the Unix epoch, UTC (Timestamp::micros). Ids are INTEGER PRIMARY
// KEYs (rowids) assigned max+1 by SQLite; rows are never deleted, so ids and log seqs ascend
// without gaps (a rolled-back request gives its number back).
//
//   meta         key TEXT PRIMARY KEY, value TEXT
//                  ('schema_version', '5'). A newer version is refused (kFailedPrecondition).
//   messages     id INTEGER PRIMARY KEY        journal id (MessageId)
//                received_at INTEGER           when the transport received it
//                peer TEXT                     "backoffice" | "ggk"
//                source TEXT                   Envelope.source (file path, endpoint, ...)
//                sha256 TEXT                   lowercase hex digest of payload        [index]
//                size INTEGER                  payload bytes
//                message_type TEXT             "WMO301" ...; "" when not recognised
//                identificatie TEXT            header Identificatie; "" when none     [index]
//                duplicate_key TEXT            "<sender>|<type>|<Identificatie>" or "" [index]
//                valid INTEGER                 Verdict.valid (0/1)
//                state TEXT                    'pending' | 'handled'                  [index]
//                disposition TEXT              "routed" | "rejected" once handled, else ""
//                handled_at INTEGER NULL       when the handler result was committed
//                duplicate_of INTEGER NULL     → messages.id of the original        [partial index]
//                duplicate_reason TEXT         for operators; "" when not a duplicate
//                payload BLOB                  the message exactly as received
//                envelope BLOB                 serialized proto::Envelope with payload cleared
//                                              (the payload is stored once; restored on read)
//   decisions    message_id → messages.id, seq (index in HandlerResult.decisions), at,
//                worker TEXT, decision BLOB (serialized proto::Decision);
//                PRIMARY KEY (message_id, seq)
//   outbox       id INTEGER PRIMARY KEY (OutboxId), message_id → messages.id,
//                seq (index in HandlerResult.outgoing), peer, file_name, message_type, receiver,
//                payload BLOB, state 'pending' | 'delivered' | 'failed', attempts,
//                created_at, next_attempt_at, delivered_at NULL, last_error TEXT;
//                UNIQUE (message_id, seq); index (state, next_attempt_at)
//   deliveries   id INTEGER PRIMARY KEY, outbox_id → outbox.id [index], at, ok (0/1), detail
//   log_entries  seq INTEGER PRIMARY KEY (1, 2, 3, ... gap-free), line TEXT (one JSON object
//                without its "seq" field, no newline)
//   quarantine   message_id PRIMARY KEY → messages.id, at, reason TEXT, state 'open' | 'closed',
//                resolved_at NULL, note TEXT: messages whose record could not be read back,
//                taken out of the queue (disposition 'quarantined'; schema version 5, issue 16)
//
// Connections: journal_mode=WAL; synchronous=FULL (NORMAL when Options::durable is false);
// foreign_keys=ON; busy timeout 10 s; writer cache 16 MiB and wal_autocheckpoint=8192 pages (the
// digest and key indexes dirty random pages; a page rewritten by many transactions is copied to
// the database once per checkpoint); the reader runs with query_only=ON and an 8 MiB cache. The
// caches are what the daemon's memory grows to as the journal grows; they are fixed, so its
// resident size stays flat after the first few ten thousand messages.
//
// Writes run on the writer thread (class Writer), reads on the read connection (class Reader);
// see sqlite_journal.h for the group-commit protocol. (Writer and Reader would each fill a .cpp
// of their own; they share this one because the folder's CMakeLists lists two sources.)
#include "gateway/journal/sqlite_journal.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>

#include "gateway/base/sha256.h"
#include "gateway/journal/eb_schema.h"
#include "gateway/journal/ggk_schema.h"
#include "gateway/journal/reference_schema.h"
#include "gateway/journal/sqlite_handle.h"

namespace iwmo::journal {
namespace {

namespace fs = std::filesystem;
using sqlite::Connection;
using sqlite::Query;
using sqlite::StmtPtr;

constexpr int kBusyTimeoutMillis = 10000;

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE messages (
  id               INTEGER PRIMARY KEY,
  received_at      INTEGER NOT NULL,
  peer             TEXT NOT NULL,
  source           TEXT NOT NULL,
  sha256           TEXT NOT NULL,
  size             INTEGER NOT NULL,
  message_type     TEXT NOT NULL,
  identificatie    TEXT NOT NULL,
  duplicate_key    TEXT NOT NULL,
  valid            INTEGER NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'handled')),
  disposition      TEXT NOT NULL DEFAULT '',
  handled_at       INTEGER,
  duplicate_of     INTEGER REFERENCES messages(id),
  duplicate_reason TEXT NOT NULL DEFAULT '',
  payload          BLOB NOT NULL,
  envelope         BLOB NOT NULL
);
CREATE INDEX messages_sha256 ON messages(sha256);
CREATE INDEX messages_duplicate_key ON messages(duplicate_key);
CREATE INDEX messages_identificatie ON messages(identificatie);
CREATE INDEX messages_state ON messages(state);
CREATE INDEX messages_duplicate_of ON messages(duplicate_of) WHERE duplicate_of IS NOT NULL;

CREATE TABLE decisions (
  message_id INTEGER NOT NULL REFERENCES messages(id),
  seq        INTEGER NOT NULL,
  at         INTEGER NOT NULL,
  worker     TEXT NOT NULL,
  decision   BLOB NOT NULL,
  PRIMARY KEY (message_id, seq)
);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL REFERENCES messages(id),
  seq             INTEGER NOT NULL,
  peer            TEXT NOT NULL,
  file_name       TEXT NOT NULL,
  message_type    TEXT NOT NULL,
  receiver        TEXT NOT NULL,
  payload         BLOB NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  delivered_at    INTEGER,
  last_error      TEXT NOT NULL DEFAULT '',
  UNIQUE (message_id, seq)
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

CREATE TABLE deliveries (
  id        INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox(id),
  at        INTEGER NOT NULL,
  ok        INTEGER NOT NULL,
  detail    TEXT NOT NULL
);
CREATE INDEX deliveries_outbox ON deliveries(outbox_id);

CREATE TABLE log_entries (
  seq  INTEGER PRIMARY KEY,
  line TEXT NOT NULL
);
)sql";

// Schema version 5 (issue 16). Idempotent, so it also upgrades a journal of versions 1 to 4.
constexpr const char* kQuarantineSchema = R"sql(
CREATE TABLE IF NOT EXISTS quarantine (
  message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
  at          INTEGER NOT NULL,
  reason      TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
  resolved_at INTEGER,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS quarantine_state ON quarantine(state);
)sql";

constexpr const char* kMessageColumns =
    "id, received_at, peer, source, sha256, size, message_type, duplicate_key, state, "
    "disposition, handled_at, duplicate_of, duplicate_reason, payload, envelope";
constexpr const char* kOutboxColumns =
    "id, message_id, peer, file_name, message_type, receiver, payload, state, attempts, "
    "created_at, next_attempt_at, delivered_at, last_error";

std::string prefixOf(const fs::path& file) { return "journal " + file.string() + ": "; }

// "2026-12-01T10:00:00Z": operators read seconds.
std::string isoSeconds(Timestamp t) {
  std::string text = t.toIso8601();
  const std::size_t dot = text.find('.');
  if (dot != std::string::npos) text = text.substr(0, dot) + "Z";
  return text;
}

std::int64_t limitParam(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
  return static_cast<std::int64_t>(std::min(limit, kMax));
}

Status prepareAll(const Connection& connection,
                  std::initializer_list<std::pair<StmtPtr*, std::string_view>> statements) {
  for (const auto& [slot, sql] : statements) {
    Result<StmtPtr> stmt = connection.prepare(sql);
    if (!stmt) return stmt.status();
    *slot = std::move(*stmt);
  }
  return Status::ok();
}

// Runs a one-row, one-column text query (PRAGMA journal_mode=WAL, the schema version).
Result<std::optional<std::string>> queryText(const Connection& connection, std::string_view sql,
                                             std::string_view doing) {
  Result<StmtPtr> stmt = connection.prepare(sql);
  if (!stmt) return stmt.status();
  Query query(connection, stmt->get(), doing);
  Result<bool> row = query.step();
  if (!row) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(query.bytes(0));
}

Status configureWriter(const Connection& connection, bool durable) {
  sqlite3_busy_timeout(connection.get(), kBusyTimeoutMillis);
  Result<std::optional<std::string>> mode =
      queryText(connection, "PRAGMA journal_mode=WAL", "switching to WAL mode");
  if (!mode) return mode.status();
  if (!mode->has_value() || **mode != "wal") {
    return Status::unavailable(prefixOf(connection.file()) + "cannot switch to WAL mode (got '" +
                               mode->value_or("") + "')");
  }
  IWMO_RETURN_IF_ERROR(connection.exec(
      durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "setting synchronous"));
  // See the connection settings at the top of this file.
  return connection.exec(
      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=8192; "
      "PRAGMA journal_size_limit=67108864;",
      "setting foreign_keys and the cache");
}

// Creates the tables of an empty database, or checks the schema version of an existing one.
Status ensureSchema(const Connection& connection) {
  StmtPtr begin, commit, rollback;
  IWMO_RETURN_IF_ERROR(prepareAll(
      connection, {{&begin, "BEGIN IMMEDIATE"}, {&commit, "COMMIT"}, {&rollback, "ROLLBACK"}}));
  sqlite::Transaction txn(connection, begin.get(), commit.get(), rollback.get());
  IWMO_RETURN_IF_ERROR(txn.begin());
  IWMO_RETURN_IF_ERROR(
      connection.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                      "creating the meta table"));
  Result<std::optional<std::string>> version =
      queryText(connection, "SELECT value FROM meta WHERE key = 'schema_version'",
                "reading the schema version");
  if (!version) return version.status();
  const std::string prefix = prefixOf(connection.file());
  if (!version->has_value()) {
    IWMO_RETURN_IF_ERROR(connection.exec(kCreateSchema, "creating the tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kReferenceSchema, "creating the reference-data tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kEbSchema, "creating the eigen-bijdrage tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kGgkSchema, "creating the StUF-GGk tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kQuarantineSchema, "creating the quarantine table"));
    const std::string insert = "INSERT INTO meta (key, value) VALUES ('schema_version', '" +
                               std::to_string(SqliteJournal::kSchemaVersion) + "')";
    IWMO_RETURN_IF_ERROR(connection.exec(insert.c_str(), "writing the schema version"));
    return txn.commit();
  }
  const std::string& text = **version;
  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 1) {
    return Status::dataLoss(prefix + "the meta table holds no valid schema_version ('" + text +
                            "')");
  }
  if (number > SqliteJournal::kSchemaVersion) {
    return Status::failedPrecondition(
        prefix + "schema version " + text + " is newer than this build of iwmo-gateway reads (" +
        std::to_string(SqliteJournal::kSchemaVersion) +
        "); run the newer iwmo-gateway that wrote it, or restore a backup of this journal");
  }
  if (number < SqliteJournal::kSchemaVersion) {
    // Version 1 -> 2 (issue 5): the reference-data and review tables; 2 -> 3 (issue 4): the
    // eigen-bijdrage tables; 3 -> 4 (issue 6): the StUF-GGk tables; 4 -> 5 (issue 16): the
    // quarantine table. Nothing else changed; the scripts are idempotent.
    IWMO_RETURN_IF_ERROR(connection.exec(kReferenceSchema, "adding the reference-data tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kEbSchema, "adding the eigen-bijdrage tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kGgkSchema, "adding the StUF-GGk tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kQuarantineSchema, "adding the quarantine table"));
    const std::string update = "UPDATE meta SET value = '" + std::to_string(SqliteJournal::kSchemaVersion) +
                               "' WHERE key = 'schema_version'";
    IWMO_RETURN_IF_ERROR(connection.exec(update.c_str(), "writing the schema version"));
  }
  return txn.commit();
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

// Reads a row of kOutboxColumns.
Result<OutboxItem> readOutboxItem(const fs::path& file, const Query& q) {
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
    return Status::dataLoss(prefixOf(file) + "outbox item #" + std::to_string(item.id) +
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

// A queued write and, once executed, its result; `done` runs after the COMMIT.
struct AppendJob {
  AppendRequest request;
  std::function<void(Result<AppendOutcome>)> done;
  Result<AppendOutcome> result = Status::internal("append not executed");
};
struct CommitJob {
  proto::HandlerResult handler_result;
  std::vector<std::string> log_lines;
  Timestamp at;
  std::function<void(Result<bool>)> done;
  Result<bool> result = Status::internal("commitResult not executed");
};
struct DeliveryJob {
  DeliveryRecord record;
  std::function<void(Status)> done;
  Status result = Status::internal("recordDelivery not executed");
};
struct QuarantineJob {
  MessageId id = 0;
  std::string reason;
  std::vector<std::string> log_lines;
  Timestamp at;
  std::function<void(Result<bool>)> done;
  Result<bool> result = Status::internal("quarantine not executed");
};
struct CloseQuarantineJob {
  MessageId id = 0;
  std::string note;
  Timestamp at;
  std::function<void(Result<bool>)> done;
  Result<bool> result = Status::internal("closeQuarantine not executed");
};
using Job = std::variant<AppendJob, CommitJob, DeliveryJob, QuarantineJob, CloseQuarantineJob>;

Status statusOf(const Status& status) { return status; }
template <typename T>
Status statusOf(const Result<T>& result) {
  return result.status();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writer: the writer thread, the write connection, its statements and the request queue.

class SqliteJournal::Writer {
 public:
  // Prepares the statements on `connection` (already configured) and starts the thread.
  static Result<std::unique_ptr<Writer>> start(Connection connection, std::size_t max_batch) {
    std::unique_ptr<Writer> writer(
        new Writer(std::move(connection), std::max<std::size_t>(1, max_batch)));
    IWMO_RETURN_IF_ERROR(writer->prepare());
    try {
      writer->thread_ = std::thread([w = writer.get()] { w->run(); });
    } catch (const std::system_error& e) {  // std::thread reports this one way only
      return Status::unavailable(writer->prefix() + "cannot start the writer thread: " + e.what());
    }
    writer->thread_id_ = writer->thread_.get_id();
    return writer;
  }

  // Executes everything still queued, then joins the thread.
  ~Writer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void enqueue(Job job) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  // Queues several jobs at once, so the writer takes them into one transaction.
  void enqueueAll(std::vector<Job> jobs) {
    {
      std::lock_guard lock(mutex_);
      for (auto& job : jobs) queue_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

  bool onWriterThread() const { return std::this_thread::get_id() == thread_id_; }

  Stats stats() const {
    return {transactions_.load(std::memory_order_relaxed),
            requests_.load(std::memory_order_relaxed)};
  }

 private:
  Writer(Connection connection, std::size_t max_batch)
      : connection_(std::move(connection)), max_batch_(max_batch) {}

  Status prepare();
  void run();
  void executeBatch(std::vector<Job>& batch);
  template <typename J>
  void executeInSavepoint(J& job);
  Status execute(AppendJob& job);
  Status execute(CommitJob& job);
  Status writeEigenBijdrage(const proto::HandlerResult& result, MessageId id, Timestamp at);
  Status execute(DeliveryJob& job);
  Status execute(QuarantineJob& job);
  Status execute(CloseQuarantineJob& job);
  Status insertLogLines(const std::vector<std::string>& lines);
  std::string prefix() const { return prefixOf(connection_.file()); }

  Connection connection_;  // used by the writer thread only (after start())
  // Prepared once, reused for every request; destroyed before connection_.
  StmtPtr begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
  StmtPtr find_by_sha_, find_by_key_, insert_message_, insert_log_;
  StmtPtr message_state_, insert_decision_, insert_outbox_, mark_handled_;
  StmtPtr episode_start_, episode_delete_, episode_stop_, episode_unstop_, insert_review_;
  StmtPtr eb_state_, eb_record_, eb_answer_, eb_attention_;
  StmtPtr ggk_sent_, ggk_error_;
  StmtPtr outbox_state_, insert_delivery_, outbox_delivered_, outbox_retry_, outbox_failed_;
  StmtPtr insert_quarantine_, close_quarantine_;
  const std::size_t max_batch_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::thread thread_;
  std::thread::id thread_id_;
};

Status SqliteJournal::Writer::prepare() {
  return prepareAll(
      connection_,
      {{&begin_, "BEGIN IMMEDIATE"},
       {&commit_, "COMMIT"},
       {&rollback_, "ROLLBACK"},
       {&savepoint_, "SAVEPOINT request"},
       {&release_, "RELEASE request"},
       {&rollback_to_, "ROLLBACK TO request"},
       {&find_by_sha_,
        // A quarantined message (issue 16) is no original: its payload may come again.
        "SELECT id, source, received_at, peer FROM messages WHERE sha256 = ?1 "
        "AND disposition <> 'quarantined' ORDER BY id"},
       {&find_by_key_,
        "SELECT id FROM messages WHERE duplicate_key = ?1 AND valid = 1 "
        "AND duplicate_of IS NULL AND disposition <> 'quarantined' ORDER BY id LIMIT 1"},
       {&insert_message_,
        "INSERT INTO messages (received_at, peer, source, sha256, size, message_type, "
        "identificatie, duplicate_key, valid, state, duplicate_of, duplicate_reason, payload, "
        "envelope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12, ?13)"},
       {&insert_log_, "INSERT INTO log_entries (line) VALUES (?1)"},
       {&message_state_, "SELECT state FROM messages WHERE id = ?1"},
       {&insert_decision_,
        "INSERT INTO decisions (message_id, seq, at, worker, decision) VALUES (?1, ?2, ?3, ?4, "
        "?5)"},
       {&insert_outbox_,
        "INSERT INTO outbox (message_id, seq, peer, file_name, message_type, receiver, payload, "
        "state, attempts, created_at, next_attempt_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?8, ?8)"},
       {&mark_handled_,
        "UPDATE messages SET state = 'handled', disposition = ?2, handled_at = ?3 WHERE id = ?1"},
       // A start sets the begin (a resend after a withdrawal corrects it); a stop sets the end and,
       // when it came first (out of order), the begin it names.
       {&episode_start_,
        "INSERT INTO bw_episodes (bsn, gemeente, toewijzing_nummer, begin, end, origin, message_id) "
        "VALUES (?1, ?2, ?3, ?4, '', 'message #' || ?5 || CASE WHEN ?6 THEN ' (under review)' ELSE '' END, ?5) "
        "ON CONFLICT (bsn, gemeente, toewijzing_nummer) WHERE origin <> 'import' "
        "DO UPDATE SET begin = excluded.begin, origin = excluded.origin, message_id = excluded.message_id"},
       {&episode_delete_,
        "DELETE FROM bw_episodes WHERE bsn = ?1 AND gemeente = ?2 AND toewijzing_nummer = ?3 AND origin <> 'import'"},
       {&episode_stop_,
        "INSERT INTO bw_episodes (bsn, gemeente, toewijzing_nummer, begin, end, origin, message_id) "
        "VALUES (?1, ?2, ?3, ?4, ?6, 'message #' || ?5 || CASE WHEN ?7 THEN ' (under review)' ELSE '' END, ?5) "
        "ON CONFLICT (bsn, gemeente, toewijzing_nummer) WHERE origin <> 'import' "
        "DO UPDATE SET end = excluded.end, begin = CASE WHEN begin = '' THEN excluded.begin ELSE begin END, "
        "origin = CASE WHEN excluded.origin LIKE '%(under review)' THEN excluded.origin ELSE origin END"},
       {&episode_unstop_,
        "UPDATE bw_episodes SET end = '' WHERE bsn = ?1 AND gemeente = ?2 AND toewijzing_nummer = ?3 "
        "AND origin <> 'import'"},
       {&insert_review_,
        "INSERT OR IGNORE INTO review_queue (message_id, at, addressed, responsible, rule, flags, summary) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
       {&eb_state_,
        "INSERT INTO eb_clients (bsn, state, message_id, updated_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(bsn) DO UPDATE SET state = excluded.state, message_id = excluded.message_id, "
        "updated_at = excluded.updated_at"},
       {&eb_record_,
        "INSERT OR IGNORE INTO eb_records (message_id, message_type, identificatie, afzender, bsn, "
        "start_nummer, record, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
       {&eb_answer_,
        "UPDATE eb_records SET state = ?1, retour_codes = ?2, explanation = ?3, retour_message_id = ?4, "
        "answered_at = ?5 WHERE message_type = ?6 AND identificatie = ?7 AND bsn = ?8 AND start_nummer = ?9"},
       {&eb_attention_,
        "INSERT INTO eb_attention (message_id, at, kind, bsn, rule, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
       {&ggk_sent_,
        // Plain INSERT: a referentienummer used twice must fail loudly, never hide (CC08).
        "INSERT INTO ggk_sent (referentienummer, message_id, outbox_id, kind, functie, ontvanger, "
        "cross_refnummer, identificatie, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
       {&ggk_error_,
        "INSERT OR IGNORE INTO ggk_errors (message_id, at, cross_refnummer, code, plek, omschrijving, details, "
        "zender, concerns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
       {&outbox_state_, "SELECT state FROM outbox WHERE id = ?1"},
       {&insert_delivery_,
        "INSERT INTO deliveries (outbox_id, at, ok, detail) VALUES (?1, ?2, ?3, ?4)"},
       {&outbox_delivered_,
        "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, "
        "last_error = '' WHERE id = ?1"},
       {&outbox_retry_,
        "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?2, "
        "last_error = ?3 WHERE id = ?1"},
       {&outbox_failed_,
        "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2 "
        "WHERE id = ?1"},
       {&insert_quarantine_, "INSERT INTO quarantine (message_id, at, reason) VALUES (?1, ?2, ?3)"},
       {&close_quarantine_,
        "UPDATE quarantine SET state = 'closed', resolved_at = ?2, note = ?3 "
        "WHERE message_id = ?1 AND state = 'open'"}});
}

void SqliteJournal::Writer::run() {
  std::vector<Job> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything accepted is done
      const std::size_t n = std::min(queue_.size(), max_batch_);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    executeBatch(batch);
    batch.clear();
  }
}

// One group-commit transaction: every job in its own savepoint, then COMMIT, then the callbacks.
void SqliteJournal::Writer::executeBatch(std::vector<Job>& batch) {
  sqlite::Transaction txn(connection_, begin_.get(), commit_.get(), rollback_.get());
  Status batch_status = txn.begin();
  if (batch_status.isOk()) {
    for (Job& job : batch) {
      std::visit([this](auto& j) { executeInSavepoint(j); }, job);
      if (sqlite3_get_autocommit(connection_.get()) != 0) {
        // SQLite rolled back the whole transaction (disk full, I/O error): nothing stays.
        batch_status = std::visit([](const auto& j) { return statusOf(j.result); }, job);
        if (batch_status.isOk()) {
          batch_status = Status::internal(prefix() + "the transaction ended unexpectedly");
        }
        break;
      }
    }
    if (batch_status.isOk()) batch_status = txn.commit();
    txn.rollback();  // no-op after a successful commit
  }
  requests_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (batch_status.isOk()) {
    transactions_.fetch_add(1, std::memory_order_relaxed);
  } else {
    for (Job& job : batch) std::visit([&](auto& j) { j.result = batch_status; }, job);
  }
  for (Job& job : batch) {
    std::visit(
        [](auto& j) {
          if (j.done) j.done(std::move(j.result));
        },
        job);
  }
}

template <typename J>
void SqliteJournal::Writer::executeInSavepoint(J& job) {
  sqlite::Savepoint savepoint(connection_, savepoint_.get(), release_.get(), rollback_to_.get());
  Status status = savepoint.begin();
  if (status.isOk()) status = execute(job);
  if (status.isOk()) status = savepoint.release();
  if (!status.isOk()) job.result = std::move(status);  // ~Savepoint undoes the request's writes
}

Status SqliteJournal::Writer::insertLogLines(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (line.empty() || line.find('\n') != std::string::npos) {
      return Status::invalid(prefix() + "a routing-log line must be one non-empty line, got \"" +
                             line.substr(0, 80) + "\"");
    }
    Query q(connection_, insert_log_.get(), "writing a routing-log line");
    IWMO_RETURN_IF_ERROR(q.bindText(1, line).run());
  }
  return Status::ok();
}

Status SqliteJournal::Writer::execute(AppendJob& job) {
  AppendRequest& request = job.request;
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
    Query q(connection_, find_by_sha_.get(), "looking up the digest of a received message");
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
                                 "\u2026) as message #" + std::to_string(same_content) +
                                 " received " + isoSeconds(same_content_received) + " from " +
                                 same_content_peer;
    } else if (!request.duplicate_key.empty()) {
      // TR056: same sender + message type + Identificatie as an earlier valid original.
      Query q(connection_, find_by_key_.get(),
              "looking up the duplicate key of a received message");
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
    Query q(connection_, insert_message_.get(), "inserting a received message");
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
        .bindBlob(12, payload)
        .bindBlob(13, envelope_blob);
    if (outcome.original != 0) {
      q.bind(10, outcome.original);
    } else {
      q.bindNull(10);
    }
    IWMO_RETURN_IF_ERROR(q.run());
    outcome.id = static_cast<MessageId>(sqlite3_last_insert_rowid(connection_.get()));
  }

  if (request.log_lines) IWMO_RETURN_IF_ERROR(insertLogLines(request.log_lines(outcome)));
  job.result = std::move(outcome);
  return Status::ok();
}

Status SqliteJournal::Writer::execute(CommitJob& job) {
  const proto::HandlerResult& result = job.handler_result;
  const MessageId id = result.message_id();
  {
    Query q(connection_, message_state_.get(), "reading the state of a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (!*row) {
      return Status::notFound(prefix() + "no message #" + std::to_string(id) +
                              " to commit a handler result for");
    }
    if (q.bytes(0) != "pending") {  // a redelivered work item's second result
      job.result = false;
      return Status::ok();
    }
  }
  std::int64_t seq = 0;
  for (const proto::Decision& decision : result.decisions()) {
    std::string blob;
    if (!decision.SerializeToString(&blob)) {
      return Status::internal(prefix() + "cannot serialize a decision of message #" +
                              std::to_string(id));
    }
    Query q(connection_, insert_decision_.get(), "inserting a decision");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bind(2, seq++)
                             .bind(3, job.at.micros)
                             .bindText(4, result.worker())
                             .bindBlob(5, blob)
                             .run());
  }
  seq = 0;
  for (const proto::Outgoing& out : result.outgoing()) {
    Query q(connection_, insert_outbox_.get(), "inserting an outbox item");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bind(2, seq++)
                             .bindText(3, out.peer())
                             .bindText(4, out.file_name())
                             .bindText(5, out.message_type())
                             .bindText(6, out.receiver())
                             .bindBlob(7, out.payload())
                             .bind(8, job.at.micros)
                             .run());
    if (out.has_ggk() && !out.ggk().referentienummer().empty()) {
      const proto::GgkSentRecord& sent = out.ggk();
      const auto outbox_id = static_cast<std::uint64_t>(sqlite3_last_insert_rowid(connection_.get()));
      Query g(connection_, ggk_sent_.get(), "recording a StUF-GGk document sent");
      IWMO_RETURN_IF_ERROR(g.bindText(1, sent.referentienummer())
                               .bind(2, id)
                               .bind(3, outbox_id)
                               .bindText(4, sent.kind())
                               .bindText(5, sent.functie())
                               .bindText(6, sent.ontvanger())
                               .bindText(7, sent.cross_refnummer())
                               .bindText(8, sent.identificatie())
                               .bind(9, job.at.micros)
                               .run());
    }
  }
  for (const proto::GgkFo01Record& error : result.ggk_fo01()) {
    const std::string concerns = error.matched() ? error.concerns().referentienummer() : std::string();
    Query g(connection_, ggk_error_.get(), "recording a Fo01 from the chain");
    IWMO_RETURN_IF_ERROR(g.bind(1, id)
                             .bind(2, job.at.micros)
                             .bindText(3, error.cross_refnummer())
                             .bindText(4, error.code())
                             .bindText(5, error.plek())
                             .bindText(6, error.omschrijving())
                             .bindText(7, error.details())
                             .bindText(8, error.zender())
                             .bindText(9, concerns)
                             .run());
  }
  for (const proto::EpisodeUpdate& update : result.episode_updates()) {
    switch (update.kind()) {
      case proto::EpisodeUpdate::START: {
        Query q(connection_, episode_start_.get(), "recording the start of a BW episode");
        IWMO_RETURN_IF_ERROR(q.bindText(1, update.bsn())
                                 .bindText(2, update.gemeente())
                                 .bind(3, update.toewijzing_nummer())
                                 .bindText(4, update.begin())
                                 .bind(5, id)
                                 .bindBool(6, update.under_review())
                                 .run());
        break;
      }
      case proto::EpisodeUpdate::START_WITHDRAWN: {
        Query q(connection_, episode_delete_.get(), "withdrawing the start of a BW episode");
        IWMO_RETURN_IF_ERROR(
            q.bindText(1, update.bsn()).bindText(2, update.gemeente()).bind(3, update.toewijzing_nummer()).run());
        break;
      }
      case proto::EpisodeUpdate::STOP: {
        Query q(connection_, episode_stop_.get(), "recording the end of a BW episode");
        IWMO_RETURN_IF_ERROR(q.bindText(1, update.bsn())
                                 .bindText(2, update.gemeente())
                                 .bind(3, update.toewijzing_nummer())
                                 .bindText(4, update.begin())
                                 .bind(5, id)
                                 .bindText(6, update.end())
                                 .bindBool(7, update.under_review())
                                 .run());
        break;
      }
      case proto::EpisodeUpdate::STOP_WITHDRAWN: {
        Query q(connection_, episode_unstop_.get(), "withdrawing the end of a BW episode");
        IWMO_RETURN_IF_ERROR(
            q.bindText(1, update.bsn()).bindText(2, update.gemeente()).bind(3, update.toewijzing_nummer()).run());
        break;
      }
      default:
        return Status::invalid(prefix() + "message #" + std::to_string(id) + ": a BW episode update without a kind");
    }
  }
  for (const proto::ReviewItem& review : result.reviews()) {
    std::string flags;
    for (const auto& flag : review.flags()) flags += (flags.empty() ? "" : ",") + flag;
    Query q(connection_, insert_review_.get(), "queueing a message for responsibility review");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bind(2, job.at.micros)
                             .bindText(3, review.addressed())
                             .bindText(4, review.responsible())
                             .bindText(5, review.rule())
                             .bindText(6, flags)
                             .bindText(7, review.summary())
                             .run());
  }
  IWMO_RETURN_IF_ERROR(writeEigenBijdrage(result, id, job.at));
  IWMO_RETURN_IF_ERROR(insertLogLines(job.log_lines));
  Query q(connection_, mark_handled_.get(), "marking a message handled");
  IWMO_RETURN_IF_ERROR(
      q.bind(1, id).bindText(2, result.disposition()).bind(3, job.at.micros).run());
  job.result = true;
  return Status::ok();
}

// Eigen bijdrage (issue 4): the client's new state, the records sent, the CAK's answers and the
// attention items, all inside the decision's transaction.
Status SqliteJournal::Writer::writeEigenBijdrage(const proto::HandlerResult& result, MessageId id, Timestamp at) {
  if (result.has_eb_state() && result.eb_state().looked_up()) {
    std::string blob;
    if (!result.eb_state().SerializeToString(&blob)) {
      return Status::internal(prefix() + "cannot serialize the eigen-bijdrage state of message #" + std::to_string(id));
    }
    Query q(connection_, eb_state_.get(), "storing a client's eigen-bijdrage state");
    IWMO_RETURN_IF_ERROR(q.bindText(1, result.eb_state().bsn()).bindBlob(2, blob).bind(3, id).bind(4, at.micros).run());
  }
  for (const proto::EbSentRecord& sent : result.eb_sent()) {
    std::string blob;
    if (!sent.record().SerializeToString(&blob)) {
      return Status::internal(prefix() + "cannot serialize an eigen-bijdrage record of message #" + std::to_string(id));
    }
    Query q(connection_, eb_record_.get(), "recording an iEb record sent to the CAK");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bindText(2, sent.message_type())
                             .bindText(3, sent.identificatie())
                             .bindText(4, sent.afzender())
                             .bindText(5, sent.record().bsn())
                             .bind(6, sent.record().start_nummer())
                             .bindBlob(7, blob)
                             .bind(8, at.micros)
                             .run());
  }
  for (const proto::EbAnswer& answer : result.eb_answers()) {
    std::string codes;
    for (const auto& code : answer.retour_codes()) codes += (codes.empty() ? "" : ",") + code;
    const std::string state = answer.accepted() ? "accepted" : "rejected";
    Query q(connection_, eb_answer_.get(), "recording the CAK's answer to an iEb record");
    IWMO_RETURN_IF_ERROR(q.bindText(1, state)
                             .bindText(2, codes)
                             .bindText(3, answer.explanation())
                             .bind(4, id)
                             .bind(5, at.micros)
                             .bindText(6, answer.message_type())
                             .bindText(7, answer.identificatie())
                             .bindText(8, answer.bsn())
                             .bind(9, answer.start_nummer())
                             .run());
  }
  for (const proto::EbAttention& item : result.eb_attention()) {
    Query q(connection_, eb_attention_.get(), "queueing an eigen-bijdrage item for an operator");
    IWMO_RETURN_IF_ERROR(q.bind(1, id)
                             .bind(2, at.micros)
                             .bindText(3, item.kind())
                             .bindText(4, item.bsn())
                             .bindText(5, item.rule())
                             .bindText(6, item.summary())
                             .run());
  }
  return Status::ok();
}

Status SqliteJournal::Writer::execute(DeliveryJob& job) {
  const DeliveryRecord& record = job.record;
  {
    Query q(connection_, outbox_state_.get(), "reading the state of an outbox item");
    Result<bool> row = q.bind(1, record.outbox_id).step();
    if (!row) return row.status();
    if (!*row) {
      return Status::notFound(prefix() + "no outbox item #" + std::to_string(record.outbox_id) +
                              " to record a delivery for");
    }
    if (q.bytes(0) == "delivered") {  // idempotent: a repeat after success changes nothing
      job.result = Status::ok();
      return Status::ok();
    }
  }
  {
    Query q(connection_, insert_delivery_.get(), "inserting a delivery attempt");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id)
                             .bind(2, record.at.micros)
                             .bindBool(3, record.ok)
                             .bindText(4, record.detail)
                             .run());
  }
  if (record.ok) {
    Query q(connection_, outbox_delivered_.get(), "marking an outbox item delivered");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id).bind(2, record.at.micros).run());
  } else if (record.next_attempt_at) {
    Query q(connection_, outbox_retry_.get(), "scheduling another delivery attempt");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id)
                             .bind(2, record.next_attempt_at->micros)
                             .bindText(3, record.detail)
                             .run());
  } else {
    Query q(connection_, outbox_failed_.get(), "marking an outbox item failed");
    IWMO_RETURN_IF_ERROR(q.bind(1, record.outbox_id).bindText(2, record.detail).run());
  }
  IWMO_RETURN_IF_ERROR(insertLogLines(record.log_lines));
  job.result = Status::ok();
  return Status::ok();
}

Status SqliteJournal::Writer::execute(QuarantineJob& job) {
  {
    Query q(connection_, message_state_.get(), "reading the state of a message");
    Result<bool> row = q.bind(1, job.id).step();
    if (!row) return row.status();
    if (!*row) {
      return Status::notFound(prefix() + "no message #" + std::to_string(job.id) + " to quarantine");
    }
    if (q.bytes(0) != "pending") {
      job.result = false;
      return Status::ok();
    }
  }
  {
    Query q(connection_, insert_quarantine_.get(), "quarantining a message");
    IWMO_RETURN_IF_ERROR(q.bind(1, job.id).bind(2, job.at.micros).bindText(3, job.reason).run());
  }
  IWMO_RETURN_IF_ERROR(insertLogLines(job.log_lines));
  static const std::string kQuarantined = "quarantined";
  Query q(connection_, mark_handled_.get(), "marking a message quarantined");
  IWMO_RETURN_IF_ERROR(q.bind(1, job.id).bindText(2, kQuarantined).bind(3, job.at.micros).run());
  job.result = true;
  return Status::ok();
}

Status SqliteJournal::Writer::execute(CloseQuarantineJob& job) {
  Query q(connection_, close_quarantine_.get(), "closing a quarantine item");
  IWMO_RETURN_IF_ERROR(q.bind(1, job.id).bind(2, job.at.micros).bindText(3, job.note).run());
  job.result = sqlite3_changes(connection_.get()) > 0;
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// Reader: the read connection and its statements, guarded by one mutex.

class SqliteJournal::Reader {
 public:
  static Result<std::unique_ptr<Reader>> open(const fs::path& file) {
    Result<Connection> connection =
        Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
    if (!connection) return connection.status();
    sqlite3_busy_timeout(connection->get(), kBusyTimeoutMillis);
    IWMO_RETURN_IF_ERROR(connection->exec("PRAGMA query_only=ON; PRAGMA cache_size=-8192",
                                          "opening the read connection"));
    std::unique_ptr<Reader> reader(new Reader(std::move(*connection)));
    const std::string message_columns = kMessageColumns;
    const std::string outbox_columns = kOutboxColumns;
    const std::string by_id = "SELECT " + message_columns + " FROM messages WHERE id = ?1";
    const std::string due = "SELECT " + outbox_columns +
                            " FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1 "
                            "ORDER BY id LIMIT ?2";
    const std::string outbox_of =
        "SELECT " + outbox_columns + " FROM outbox WHERE message_id = ?1 ORDER BY seq";
    IWMO_RETURN_IF_ERROR(prepareAll(
        reader->connection_,
        {{&reader->begin_, "BEGIN"},
         {&reader->commit_, "COMMIT"},
         {&reader->rollback_, "ROLLBACK"},
         {&reader->pending_,
          "SELECT id, peer, received_at, duplicate_of, duplicate_reason, payload, envelope, source "
          "FROM messages WHERE state = 'pending' AND id > ?1 ORDER BY id LIMIT ?2"},
         {&reader->due_, due},
         {&reader->log_after_,
          "SELECT seq, line FROM log_entries WHERE seq > ?1 ORDER BY seq "
          "LIMIT ?2"},
         {&reader->id_exists_, "SELECT id FROM messages WHERE id = ?1"},
         {&reader->by_sha_prefix_,
          "SELECT id FROM messages WHERE sha256 >= ?1 AND sha256 < ?2 "
          "ORDER BY id DESC LIMIT 1"},
         {&reader->by_identificatie_,
          "SELECT id FROM messages WHERE identificatie = ?1 "
          "ORDER BY id DESC LIMIT 1"},
         {&reader->message_, by_id},
         {&reader->decisions_,
          "SELECT at, worker, decision FROM decisions WHERE message_id = ?1 "
          "ORDER BY seq"},
         {&reader->outbox_of_, outbox_of},
         {&reader->deliveries_of_,
          "SELECT at, ok, detail FROM deliveries WHERE outbox_id = ?1 "
          "ORDER BY id"},
         {&reader->duplicates_of_, "SELECT id FROM messages WHERE duplicate_of = ?1 ORDER BY id"},
         {&reader->count_messages_, "SELECT state, count(*) FROM messages GROUP BY state"},
         {&reader->count_duplicates_,
          "SELECT count(*) FROM messages WHERE duplicate_of IS NOT NULL"},
         {&reader->count_outbox_, "SELECT state, count(*) FROM outbox GROUP BY state"},
         {&reader->last_seq_, "SELECT coalesce(max(seq), 0) FROM log_entries"},
         {&reader->count_quarantined_, "SELECT count(*) FROM quarantine WHERE state = 'open'"},
         {&reader->quarantine_of_,
          "SELECT q.message_id, q.at, q.reason, m.peer, m.source, m.size, q.state, q.resolved_at, q.note "
          "FROM quarantine q JOIN messages m ON m.id = q.message_id WHERE q.message_id = ?1"},
         {&reader->quarantined_,
          "SELECT q.message_id, q.at, q.reason, m.peer, m.source, m.size, q.state, q.resolved_at, q.note "
          "FROM quarantine q JOIN messages m ON m.id = q.message_id "
          "WHERE ?1 OR q.state = 'open' ORDER BY q.message_id"}}));
    return reader;
  }

  Result<std::vector<PendingMessage>> pending(MessageId after, std::size_t limit);
  Result<std::vector<OutboxItem>> dueOutbox(Timestamp now, std::size_t limit);
  Result<std::vector<LogEntry>> logAfter(std::uint64_t after, std::size_t limit);
  Result<std::optional<MessageId>> findMessage(std::string_view key);
  Result<MessageStory> story(MessageId id);
  Result<JournalCounts> counts();
  Result<std::vector<QuarantineItem>> quarantined(bool include_closed);

 private:
  explicit Reader(Connection connection) : connection_(std::move(connection)) {}
  Result<std::optional<MessageId>> firstId(sqlite3_stmt* stmt, const std::string& p1,
                                           const std::string* p2);
  const fs::path& file() const { return connection_.file(); }

  std::mutex mutex_;  // guards everything below
  Connection connection_;
  StmtPtr begin_, commit_, rollback_, pending_, due_, log_after_, id_exists_, by_sha_prefix_,
      by_identificatie_, message_, decisions_, outbox_of_, deliveries_of_, duplicates_of_,
      count_messages_, count_duplicates_, count_outbox_, last_seq_, count_quarantined_,
      quarantine_of_, quarantined_;
};

// Reads a row of the quarantine queries (quarantine_of_, quarantined_).
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

Result<std::vector<PendingMessage>> SqliteJournal::Reader::pending(MessageId after,
                                                                   std::size_t limit) {
  std::lock_guard lock(mutex_);
  Query q(connection_, pending_.get(), "reading pending messages");
  q.bind(1, after).bind(2, limitParam(limit));
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

Result<std::vector<OutboxItem>> SqliteJournal::Reader::dueOutbox(Timestamp now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  Query q(connection_, due_.get(), "reading the due outbox items");
  q.bind(1, now.micros).bind(2, limitParam(limit));
  std::vector<OutboxItem> items;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    Result<OutboxItem> item = readOutboxItem(file(), q);
    if (!item) return item.status();
    items.push_back(std::move(*item));
  }
  return items;
}

Result<std::vector<LogEntry>> SqliteJournal::Reader::logAfter(std::uint64_t after,
                                                              std::size_t limit) {
  std::lock_guard lock(mutex_);
  Query q(connection_, log_after_.get(), "reading routing-log entries");
  q.bind(1, after).bind(2, limitParam(limit));
  std::vector<LogEntry> entries;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    entries.push_back({q.uint64(0), q.bytes(1)});
  }
  return entries;
}

// REQUIRES: mutex_ held. The first column of the first row of `stmt` bound to p1 (and p2).
Result<std::optional<MessageId>> SqliteJournal::Reader::firstId(sqlite3_stmt* stmt,
                                                                const std::string& p1,
                                                                const std::string* p2) {
  Query q(connection_, stmt, "looking up a message");
  q.bindText(1, p1);
  if (p2 != nullptr) q.bindText(2, *p2);
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<MessageId>();
  return std::optional<MessageId>(q.uint64(0));
}

Result<std::optional<MessageId>> SqliteJournal::Reader::findMessage(std::string_view key) {
  std::lock_guard lock(mutex_);
  if (key.empty()) return std::optional<MessageId>();
  const bool digits = std::all_of(key.begin(), key.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (digits) {
    MessageId id = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
    if (ec == std::errc() && end == key.data() + key.size()) {
      Query q(connection_, id_exists_.get(), "looking up a message by id");
      Result<bool> row = q.bind(1, id).step();
      if (!row) return row.status();
      if (*row) return std::optional<MessageId>(id);
    }
  }
  const bool hex = std::all_of(key.begin(), key.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
  });
  if (hex && key.size() >= 8) {
    std::string low(key);
    std::transform(low.begin(), low.end(), low.begin(), [](char c) {
      return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    const std::string high = low + "g";  // just above every hex continuation of `low`
    Result<std::optional<MessageId>> id = firstId(by_sha_prefix_.get(), low, &high);
    if (!id || id->has_value()) return id;
  }
  return firstId(by_identificatie_.get(), std::string(key), nullptr);
}

Result<MessageStory> SqliteJournal::Reader::story(MessageId id) {
  std::lock_guard lock(mutex_);
  sqlite::Transaction txn(connection_, begin_.get(), commit_.get(), rollback_.get());
  IWMO_RETURN_IF_ERROR(txn.begin());  // one snapshot for all the queries below
  MessageStory story;
  {
    Query q(connection_, message_.get(), "reading a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (!*row) return Status::notFound(prefixOf(file()) + "no message #" + std::to_string(id));
    story.message = readMessageRecord(q);
  }
  {
    Query q(connection_, quarantine_of_.get(), "reading the quarantine item of a message");
    Result<bool> row = q.bind(1, id).step();
    if (!row) return row.status();
    if (*row) story.quarantine = readQuarantineItem(q);
  }
  {
    Query q(connection_, decisions_.get(), "reading the decisions of a message");
    q.bind(1, id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      DecisionRecord& d = story.decisions.emplace_back();
      d.at = {q.int64(0)};
      d.worker = q.bytes(1);
      if (!d.decision.ParseFromString(q.bytes(2))) {
        return Status::dataLoss(prefixOf(file()) + "a stored decision of message #" +
                                std::to_string(id) + " does not parse");
      }
    }
  }
  {
    Query q(connection_, outbox_of_.get(), "reading the outbox items of a message");
    q.bind(1, id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      Result<OutboxItem> item = readOutboxItem(file(), q);
      if (!item) return item.status();
      story.outgoing.emplace_back(std::move(*item), std::vector<DeliveryAttempt>());
    }
  }
  for (auto& [item, attempts] : story.outgoing) {
    Query q(connection_, deliveries_of_.get(), "reading the delivery attempts of an outbox item");
    q.bind(1, item.id);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      attempts.push_back({Timestamp{q.int64(0)}, q.int64(1) != 0, q.bytes(2)});
    }
  }
  {
    Query q(connection_, duplicates_of_.get(), "reading the duplicates of a message");
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

Result<JournalCounts> SqliteJournal::Reader::counts() {
  std::lock_guard lock(mutex_);
  sqlite::Transaction txn(connection_, begin_.get(), commit_.get(), rollback_.get());
  IWMO_RETURN_IF_ERROR(txn.begin());  // one snapshot for all the counts
  JournalCounts counts;
  {
    Query q(connection_, count_messages_.get(), "counting messages");
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
    Query q(connection_, count_duplicates_.get(), "counting duplicates");
    Result<bool> row = q.step();
    if (!row) return row.status();
    counts.duplicates = *row ? q.uint64(0) : 0;
  }
  {
    Query q(connection_, count_outbox_.get(), "counting outbox items");
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
  {
    Query q(connection_, last_seq_.get(), "reading the last routing-log seq");
    Result<bool> row = q.step();
    if (!row) return row.status();
    counts.last_log_seq = *row ? q.uint64(0) : 0;
  }
  {
    Query q(connection_, count_quarantined_.get(), "counting quarantined messages");
    Result<bool> row = q.step();
    if (!row) return row.status();
    counts.quarantined_open = *row ? q.uint64(0) : 0;
  }
  IWMO_RETURN_IF_ERROR(txn.commit());
  return counts;
}

Result<std::vector<QuarantineItem>> SqliteJournal::Reader::quarantined(bool include_closed) {
  std::lock_guard lock(mutex_);
  Query q(connection_, quarantined_.get(), "listing quarantined messages");
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

// ---------------------------------------------------------------------------------------------
// SqliteJournal

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const fs::path& db_file,
                                                           Options options) {
  if (db_file.empty()) return Status::invalid("journal: no database file given");
  const fs::path parent = db_file.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      return Status::unavailable(prefixOf(db_file) + "cannot create the directory " +
                                 parent.string() + ": " + ec.message());
    }
  }
  Result<Connection> connection =
      Connection::open(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  IWMO_RETURN_IF_ERROR(configureWriter(*connection, options.durable));
  IWMO_RETURN_IF_ERROR(ensureSchema(*connection));
  Result<std::unique_ptr<Reader>> reader = Reader::open(db_file);
  if (!reader) return reader.status();
  Result<std::unique_ptr<Writer>> writer = Writer::start(std::move(*connection), options.max_batch);
  if (!writer) return writer.status();
  return std::unique_ptr<SqliteJournal>(
      new SqliteJournal(db_file, std::move(*reader), std::move(*writer)));
}

SqliteJournal::SqliteJournal(fs::path file, std::unique_ptr<Reader> reader,
                             std::unique_ptr<Writer> writer)
    : file_(std::move(file)), reader_(std::move(reader)), writer_(std::move(writer)) {}

SqliteJournal::~SqliteJournal() = default;  // ~Writer drains the queue and joins the thread

void SqliteJournal::append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) {
  writer_->enqueue(AppendJob{std::move(request), std::move(done)});
}

void SqliteJournal::commitResult(proto::HandlerResult result, std::vector<std::string> log_lines,
                                 Timestamp at, std::function<void(Result<bool>)> done) {
  writer_->enqueue(CommitJob{std::move(result), std::move(log_lines), at, std::move(done)});
}

Status SqliteJournal::recordDelivery(DeliveryRecord record) {
  if (writer_->onWriterThread()) {
    return Status::internal(prefixOf(file_) +
                            "recordDelivery called from a journal callback would wait for itself");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> future = promise->get_future();
  writer_->enqueue(DeliveryJob{
      std::move(record), [promise](Status status) { promise->set_value(std::move(status)); }});
  return future.get();
}

Status SqliteJournal::recordDeliveries(std::vector<DeliveryRecord> records) {
  if (records.empty()) return Status::ok();
  if (writer_->onWriterThread()) {
    return Status::internal(prefixOf(file_) +
                            "recordDeliveries called from a journal callback would wait for itself");
  }
  struct Countdown {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = 0;
    Status first_error;
  };
  auto countdown = std::make_shared<Countdown>();
  countdown->left = records.size();
  std::vector<Job> jobs;
  jobs.reserve(records.size());
  for (auto& record : records) {
    jobs.push_back(DeliveryJob{std::move(record), [countdown](Status status) {
                                 std::lock_guard lock(countdown->mutex);
                                 if (!status.isOk() && countdown->first_error.isOk()) {
                                   countdown->first_error = std::move(status);
                                 }
                                 if (--countdown->left == 0) countdown->done.notify_all();
                               }});
  }
  writer_->enqueueAll(std::move(jobs));
  std::unique_lock lock(countdown->mutex);
  countdown->done.wait(lock, [&] { return countdown->left == 0; });
  return countdown->first_error;
}

void SqliteJournal::quarantine(MessageId id, std::string reason, std::vector<std::string> log_lines,
                               Timestamp at, std::function<void(Result<bool>)> done) {
  writer_->enqueue(QuarantineJob{id, std::move(reason), std::move(log_lines), at, std::move(done)});
}

Result<bool> SqliteJournal::closeQuarantine(MessageId id, std::string note, Timestamp at) {
  if (writer_->onWriterThread()) {
    return Status::internal(prefixOf(file_) +
                            "closeQuarantine called from a journal callback would wait for itself");
  }
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  std::future<Result<bool>> future = promise->get_future();
  writer_->enqueue(CloseQuarantineJob{id, std::move(note), at, [promise](Result<bool> closed) {
                                        promise->set_value(std::move(closed));
                                      }});
  return future.get();
}

Result<std::vector<QuarantineItem>> SqliteJournal::quarantined(bool include_closed) {
  return reader_->quarantined(include_closed);
}

Result<std::vector<PendingMessage>> SqliteJournal::pending(MessageId after, std::size_t limit) {
  return reader_->pending(after, limit);
}
Result<std::vector<OutboxItem>> SqliteJournal::dueOutbox(Timestamp now, std::size_t limit) {
  return reader_->dueOutbox(now, limit);
}
Result<std::vector<LogEntry>> SqliteJournal::logAfter(std::uint64_t after, std::size_t limit) {
  return reader_->logAfter(after, limit);
}
Result<std::optional<MessageId>> SqliteJournal::findMessage(std::string_view key) {
  return reader_->findMessage(key);
}
Result<MessageStory> SqliteJournal::story(MessageId id) { return reader_->story(id); }
Result<JournalCounts> SqliteJournal::counts() { return reader_->counts(); }
SqliteJournal::Stats SqliteJournal::stats() const { return writer_->stats(); }

}  // namespace iwmo::journal
