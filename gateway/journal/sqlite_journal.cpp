// SqliteJournal (sqlite_journal.h): opening the database, its schema and upgrades, and the
// composition of the queue and the stores around one writer thread.
#include "gateway/journal/sqlite_journal.h"

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "gateway/journal/eb_schema.h"
#include "gateway/journal/ggk_schema.h"
#include "gateway/journal/queue_schema.h"
#include "gateway/journal/sqlite_checkpointer.h"
#include "gateway/journal/reference_schema.h"
#include "gateway/journal/sqlite_eb_store.h"
#include "gateway/journal/sqlite_ggk_store.h"
#include "gateway/journal/sqlite_message_queue.h"
#include "gateway/journal/sqlite_read_connection.h"
#include "gateway/journal/sqlite_reference_store.h"
#include "gateway/journal/sqlite_review_store.h"
#include "gateway/journal/sqlite_writer.h"

namespace iwmo::journal {
namespace {

namespace fs = std::filesystem;
using sqlite::Connection;
using sqlite::prefixOf;
using sqlite::Query;
using sqlite::StmtPtr;

constexpr int kBusyTimeoutMillis = 10000;

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

// Version 6 (issue 17): eb_attention.start_nummer and the upgrade's closing of waiting items.
Status addEbAttentionPeriods(const Connection& connection) {
  Result<std::optional<std::string>> has = queryText(
      connection, "SELECT count(*) FROM pragma_table_info('eb_attention') WHERE name = 'start_nummer'",
      "looking for eb_attention.start_nummer");
  if (!has) return has.status();
  if (has->value_or("0") == "0") {
    IWMO_RETURN_IF_ERROR(connection.exec(kEbAttentionPeriodColumn, "adding eb_attention.start_nummer"));
  }
  return connection.exec(kEbSchemaV6, "closing the eigen-bijdrage items that wait for a date");
}

Status addEbReviewDays(const Connection& connection) {
  Result<std::optional<std::string>> has = queryText(
      connection, "SELECT count(*) FROM pragma_table_info('eb_clients') WHERE name = 'review_on'",
      "looking for eb_clients.review_on");
  if (!has) return has.status();
  if (has->value_or("0") == "0") {
    IWMO_RETURN_IF_ERROR(connection.exec(kEbReviewColumn, "adding eb_clients.review_on"));
  }
  return connection.exec(kEbSchemaV7, "marking the clients whose periods wait for a date");
}

Status configureWriter(const Connection& connection, bool durable) {
  sqlite3_busy_timeout(connection.get(), kBusyTimeoutMillis);
  Result<std::optional<std::string>> mode = queryText(connection, "PRAGMA journal_mode=WAL", "switching to WAL mode");
  if (!mode) return mode.status();
  if (!mode->has_value() || **mode != "wal") {
    return Status::unavailable(prefixOf(connection.file()) + "cannot switch to WAL mode (got '" + mode->value_or("") +
                               "')");
  }
  IWMO_RETURN_IF_ERROR(
      connection.exec(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "setting synchronous"));
  // See the connection settings in sqlite_journal.h.
  return connection.exec(
      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-4096; PRAGMA wal_autocheckpoint=0; "
      "PRAGMA journal_size_limit=67108864; PRAGMA temp_store=MEMORY;",
      "setting foreign_keys and the cache");
}

Result<Connection> openReader(const fs::path& file, int cache_kib) {
  Result<Connection> connection = Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  sqlite3_busy_timeout(connection->get(), kBusyTimeoutMillis);
  const std::string pragmas = "PRAGMA query_only=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" + std::to_string(cache_kib);
  IWMO_RETURN_IF_ERROR(connection->exec(pragmas.c_str(), "opening a read connection"));
  return connection;
}

// Creates the tables of an empty database, upgrades an older one, or checks its version.
Status ensureSchema(const Connection& connection) {
  StmtPtr begin, commit, rollback;
  IWMO_RETURN_IF_ERROR(
      sqlite::prepareAll(connection, {{&begin, "BEGIN IMMEDIATE"}, {&commit, "COMMIT"}, {&rollback, "ROLLBACK"}}));
  sqlite::Transaction txn(connection, begin.get(), commit.get(), rollback.get());
  IWMO_RETURN_IF_ERROR(txn.begin());
  IWMO_RETURN_IF_ERROR(connection.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                                       "creating the meta table"));
  Result<std::optional<std::string>> version =
      queryText(connection, "SELECT value FROM meta WHERE key = 'schema_version'", "reading the schema version");
  if (!version) return version.status();
  const std::string prefix = prefixOf(connection.file());
  const std::string current = std::to_string(SqliteJournal::kSchemaVersion);
  if (!version->has_value()) {
    IWMO_RETURN_IF_ERROR(connection.exec(kQueueSchema, "creating the tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kReferenceSchema, "creating the reference-data tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kEbSchema, "creating the eigen-bijdrage tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kGgkSchema, "creating the StUF-GGk tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kQueueSchemaV5, "creating the quarantine table"));
    IWMO_RETURN_IF_ERROR(addEbAttentionPeriods(connection));
    IWMO_RETURN_IF_ERROR(addEbReviewDays(connection));
    IWMO_RETURN_IF_ERROR(connection.exec(kQueueSchemaV8, "creating the payload tables"));
    const std::string insert = "INSERT INTO meta (key, value) VALUES ('schema_version', '" + current + "')";
    IWMO_RETURN_IF_ERROR(connection.exec(insert.c_str(), "writing the schema version"));
    return txn.commit();
  }
  const std::string& text = **version;
  int number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number < 1) {
    return Status::dataLoss(prefix + "the meta table holds no valid schema_version ('" + text + "')");
  }
  if (number > SqliteJournal::kSchemaVersion) {
    return Status::failedPrecondition(prefix + "schema version " + text +
                                      " is newer than this build of iwmo-gateway reads (" + current +
                                      "); run the newer iwmo-gateway that wrote it, or restore a backup of this journal");
  }
  if (number < SqliteJournal::kSchemaVersion) {
    // Version 1 -> 2 (issue 5): the reference-data and review tables; 2 -> 3 (issue 4): the
    // eigen-bijdrage tables; 3 -> 4 (issue 6): the StUF-GGk tables; 4 -> 5 (issues 16, 13): the
    // quarantine table and the outbox_pending index; 5 -> 6 (issue 17): eb_attention.start_nummer;
    // 6 -> 7 (issue 14): eb_clients.review_on; 7 -> 8 (issue 13): message_payloads and
    // outbox_payloads (older rows keep their payloads). Nothing else changed; the steps are
    // idempotent.
    IWMO_RETURN_IF_ERROR(connection.exec(kReferenceSchema, "adding the reference-data tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kEbSchema, "adding the eigen-bijdrage tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kGgkSchema, "adding the StUF-GGk tables"));
    IWMO_RETURN_IF_ERROR(connection.exec(kQueueSchemaV5, "adding the quarantine table"));
    IWMO_RETURN_IF_ERROR(addEbAttentionPeriods(connection));
    IWMO_RETURN_IF_ERROR(addEbReviewDays(connection));
    IWMO_RETURN_IF_ERROR(connection.exec(kQueueSchemaV8, "adding the payload tables"));
    const std::string update = "UPDATE meta SET value = '" + current + "' WHERE key = 'schema_version'";
    IWMO_RETURN_IF_ERROR(connection.exec(update.c_str(), "writing the schema version"));
  }
  return txn.commit();
}

}  // namespace

SqliteJournal::SqliteJournal(fs::path file) : file_(std::move(file)) {}

SqliteJournal::~SqliteJournal() {
  if (writer_) writer_->stop();  // runs what is queued while every part still exists
  if (checkpointer_) checkpointer_->stop();
}

Result<std::unique_ptr<SqliteJournal>> SqliteJournal::open(const fs::path& db_file, Options options) {
  if (db_file.empty()) return Status::invalid("journal: no database file given");
  const fs::path parent = db_file.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec) {
      return Status::unavailable(prefixOf(db_file) + "cannot create the directory " + parent.string() + ": " +
                                 ec.message());
    }
  }
  Result<Connection> connection =
      Connection::open(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  IWMO_RETURN_IF_ERROR(configureWriter(*connection, options.durable));
  IWMO_RETURN_IF_ERROR(ensureSchema(*connection));

  std::unique_ptr<SqliteJournal> journal(new SqliteJournal(db_file));
  auto checkpointer =
      SqliteCheckpointer::start(db_file, options.durable, options.checkpoint_pages, options.backstop_pages);
  if (!checkpointer) return checkpointer.status();
  journal->checkpointer_ = std::move(*checkpointer);
  journal->checkpointer_->attach(connection->get());
  auto writer = SqliteWriter::create(std::move(*connection), options.max_batch);
  if (!writer) return writer.status();
  journal->writer_ = std::move(*writer);
  Result<Connection> store_reader = openReader(db_file, 1024);
  if (!store_reader) return store_reader.status();
  journal->store_reader_ = std::make_unique<SqliteReadConnection>(std::move(*store_reader));
  SqliteWriter& w = *journal->writer_;
  SqliteReadConnection& r = *journal->store_reader_;
  journal->reference_ = std::make_unique<SqliteReferenceStore>(w, r);
  journal->reviews_ = std::make_unique<SqliteReviewStore>(w, r);
  journal->eb_ = std::make_unique<SqliteEbStore>(w, r);
  journal->ggk_ = std::make_unique<SqliteGgkStore>(w, r);
  Result<Connection> queue_reader = openReader(db_file, 2048);
  if (!queue_reader) return queue_reader.status();
  auto queue = SqliteMessageQueue::create(
      w, std::move(*queue_reader),
      {journal->reference_.get(), journal->reviews_.get(), journal->eb_.get(), journal->ggk_.get()});
  if (!queue) return queue.status();
  journal->queue_ = std::move(*queue);
  IWMO_RETURN_IF_ERROR(w.start());
  return journal;
}

MessageQueue& SqliteJournal::queue() { return *queue_; }
ReferenceStore& SqliteJournal::reference() { return *reference_; }
ReviewStore& SqliteJournal::reviews() { return *reviews_; }
EbStore& SqliteJournal::eb() { return *eb_; }
GgkStore& SqliteJournal::ggk() { return *ggk_; }

void SqliteJournal::readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) {
  auto ran = std::make_shared<bool>(false);  // the writer thread sets it, then calls done
  SqliteWriter::Job job;
  job.ordered = true;
  job.run = [read = std::move(read), ran] {
    *ran = true;
    read();
    return Status::ok();
  };
  job.done = [refused = std::move(refused), ran](Status status) {
    if (!*ran && refused) refused(status.isOk() ? Status::aborted("the read was not run") : std::move(status));
  };
  writer_->enqueue(std::move(job));
}

void SqliteJournal::resumeOrdered() { writer_->resumeOrdered(); }

SqliteJournal::Stats SqliteJournal::stats() const {
  const SqliteWriter::Stats stats = writer_->stats();
  const SqliteCheckpointer::Stats checkpoints = checkpointer_->stats();
  return {stats.transactions, stats.requests, checkpoints.background, checkpoints.tail,
          checkpoints.backstop};
}

}  // namespace iwmo::journal
