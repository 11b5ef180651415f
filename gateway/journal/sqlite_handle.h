// RAII owners for SQLite's C handles and the translation of its result codes into Status
// (STYLE.md §2.5). Only gateway/journal includes this header; sqlite3.h stays out of journal.h.
//
//   Connection   one sqlite3* and the file it is on; every error it reports names that file
//   Query        one use of a prepared statement: bind, step, read columns; resets on scope exit
//   Transaction  BEGIN … COMMIT that rolls back unless commit() succeeded
//   Savepoint    SAVEPOINT … RELEASE that rolls back to its start unless release() succeeded
//   Statements   statements of one connection prepared once each, by their SQL text
//
// Thread-safety: a Connection and its statements belong to one thread at a time (the caller
// guards a shared one with a mutex). Nothing here throws.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::journal::sqlite {

struct Close {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, Close>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, Finalize>;

// SQLITE_FULL, IOERR, BUSY, LOCKED, CANTOPEN → kUnavailable (retry later); CORRUPT, NOTADB →
// kDataLoss (alert, stop); READONLY, PERM → kFailedPrecondition (fix the permissions); anything
// else → kInternal (our SQL is wrong).
inline StatusCode statusCodeForSqlite(int rc) {
  switch (rc & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_CANTOPEN:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kDataLoss;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return StatusCode::kFailedPrecondition;
    default:
      return StatusCode::kInternal;
  }
}

class Connection {
 public:
  // Opens `file` with `flags` (SQLITE_OPEN_*), extended result codes on. Errors as above.
  static Result<Connection> open(const std::filesystem::path& file, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    DbPtr db(raw);  // sqlite3_open_v2 hands out a handle even on failure
    Connection connection(std::move(db), file);
    if (rc != SQLITE_OK) return connection.error(rc, "opening the database");
    sqlite3_extended_result_codes(connection.get(), 1);
    return connection;
  }

  // "journal <file>: <doing>: <SQLite's message> (<its code's text>)", coded by
  // statusCodeForSqlite.
  Status error(int rc, std::string_view doing) const {
    std::string message = "journal " + file_.string() + ": " + std::string(doing) + ": ";
    const char* detail = db_ ? sqlite3_errmsg(db_.get()) : nullptr;
    const std::string_view code_text = sqlite3_errstr(rc);
    if (detail == nullptr || code_text == detail) {
      message += code_text;
    } else {
      message += detail;
      message += " (";
      message += code_text;
      message += ")";
    }
    return {statusCodeForSqlite(rc), std::move(message)};
  }

  // Runs `sql` (one or more statements, rows discarded).
  Status exec(const char* sql, std::string_view doing) const {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? Status::ok() : error(rc, doing);
  }

  // Prepares one statement to be kept and reused.
  Result<StmtPtr> prepare(std::string_view sql) const {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return error(rc, "preparing \"" + std::string(sql) + "\"");
    return stmt;
  }

  sqlite3* get() const { return db_.get(); }
  const std::filesystem::path& file() const { return file_; }

 private:
  Connection(DbPtr db, std::filesystem::path file) : db_(std::move(db)), file_(std::move(file)) {}
  DbPtr db_;
  std::filesystem::path file_;
};

// One execution of a borrowed prepared statement. Bound strings are not copied (SQLITE_STATIC):
// REQUIRES: every bound string outlives the Query (temporaries do not compile). A bind error is
// kept and returned by the next step()/run().
class Query {
 public:
  Query(const Connection& connection, sqlite3_stmt* stmt, std::string_view doing)
      : connection_(connection), stmt_(stmt), doing_(doing) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int index, std::int64_t value) {
    return check(sqlite3_bind_int64(stmt_, index, value));
  }
  Query& bind(int index, std::uint64_t value) {
    return bind(index, static_cast<std::int64_t>(value));
  }
  Query& bindBool(int index, bool value) {
    return check(sqlite3_bind_int(stmt_, index, value ? 1 : 0));
  }
  Query& bindText(int index, const std::string& text) {
    return check(
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
  Query& bindText(int, std::string&&) = delete;
  Query& bindBlob(int index, const std::string& bytes) {
    return check(sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()),
                                   SQLITE_STATIC));
  }
  Query& bindBlob(int, std::string&&) = delete;
  Query& bindNull(int index) { return check(sqlite3_bind_null(stmt_, index)); }

  // true: a row is ready to read; false: done.
  Result<bool> step() {
    if (bind_rc_ != SQLITE_OK) return connection_.error(bind_rc_, doing_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return connection_.error(rc, doing_);
  }
  // Steps to the end, ignoring rows (INSERT, UPDATE, transaction control).
  Status run() {
    while (true) {
      Result<bool> row = step();
      if (!row) return row.status();
      if (!*row) return Status::ok();
    }
  }

  bool isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::uint64_t uint64(int column) const { return static_cast<std::uint64_t>(int64(column)); }
  // TEXT or BLOB column as bytes ("" for NULL).
  std::string bytes(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    if (data == nullptr || size <= 0) return {};
    return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
  }

 private:
  Query& check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  const Connection& connection_;
  sqlite3_stmt* stmt_;
  std::string_view doing_;
  int bind_rc_ = SQLITE_OK;
};

// BEGIN (the statement given: "BEGIN" or "BEGIN IMMEDIATE") … COMMIT; the destructor rolls back
// a transaction that was begun and not committed (unless SQLite already rolled it back).
class Transaction {
 public:
  Transaction(const Connection& connection, sqlite3_stmt* begin, sqlite3_stmt* commit,
              sqlite3_stmt* rollback)
      : connection_(connection), begin_(begin), commit_(commit), rollback_(rollback) {}
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin() {
    Status status = Query(connection_, begin_, "beginning a transaction").run();
    active_ = status.isOk();
    return status;
  }
  Status commit() {
    Status status = Query(connection_, commit_, "committing").run();
    if (status.isOk()) active_ = false;
    return status;
  }
  // Idempotent; a no-op when nothing is active.
  void rollback() noexcept {
    if (!active_) return;
    active_ = false;
    if (sqlite3_get_autocommit(connection_.get()) != 0) return;  // SQLite rolled back itself
    (void)Query(connection_, rollback_, "rolling back").run();
  }

 private:
  const Connection& connection_;
  sqlite3_stmt* begin_;
  sqlite3_stmt* commit_;
  sqlite3_stmt* rollback_;
  bool active_ = false;
};

// SAVEPOINT x … RELEASE x inside a Transaction; the destructor undoes everything since begin()
// (ROLLBACK TO x, then RELEASE x) unless release() succeeded.
class Savepoint {
 public:
  Savepoint(const Connection& connection, sqlite3_stmt* savepoint, sqlite3_stmt* release,
            sqlite3_stmt* rollback_to)
      : connection_(connection),
        savepoint_(savepoint),
        release_(release),
        rollback_to_(rollback_to) {}
  ~Savepoint() {
    if (!active_ || sqlite3_get_autocommit(connection_.get()) != 0) return;
    (void)Query(connection_, rollback_to_, "rolling back to a savepoint").run();
    (void)Query(connection_, release_, "releasing a savepoint").run();
  }
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  Status begin() {
    Status status = Query(connection_, savepoint_, "opening a savepoint").run();
    active_ = status.isOk();
    return status;
  }
  Status release() {
    Status status = Query(connection_, release_, "releasing a savepoint").run();
    if (status.isOk()) active_ = false;
    return status;
  }

 private:
  const Connection& connection_;
  sqlite3_stmt* savepoint_;
  sqlite3_stmt* release_;
  sqlite3_stmt* rollback_to_;
  bool active_ = false;
};

// The prepared statements of one connection, each prepared at its first use and kept until the
// cache dies (REQUIRES: before the connection). Not thread-safe: guard it with the connection.
class Statements {
 public:
  explicit Statements(const Connection& connection) : connection_(connection) {}
  Result<sqlite3_stmt*> get(std::string_view sql) {
    const auto cached = statements_.find(sql);
    if (cached != statements_.end()) return cached->second.get();
    Result<StmtPtr> stmt = connection_.prepare(sql);
    if (!stmt) return stmt.status();
    sqlite3_stmt* raw = stmt->get();
    statements_.emplace(std::string(sql), std::move(*stmt));
    return raw;
  }
  const Connection& connection() const { return connection_; }

 private:
  const Connection& connection_;
  std::map<std::string, StmtPtr, std::less<>> statements_;
};

// Prepares each statement into its slot. Errors: those of Connection::prepare.
inline Status prepareAll(const Connection& connection,
                         std::initializer_list<std::pair<StmtPtr*, std::string_view>> statements) {
  for (const auto& [slot, sql] : statements) {
    Result<StmtPtr> stmt = connection.prepare(sql);
    if (!stmt) return stmt.status();
    *slot = std::move(*stmt);
  }
  return Status::ok();
}

// A LIMIT parameter: SQLite binds 64-bit signed integers.
inline std::int64_t limitParam(std::size_t limit) {
  constexpr auto kMax = static_cast<std::size_t>(INT64_MAX);
  return static_cast<std::int64_t>(limit < kMax ? limit : kMax);
}

// "journal FILE: ", the start of every error about that journal.
inline std::string prefixOf(const std::filesystem::path& file) { return "journal " + file.string() + ": "; }

}  // namespace iwmo::journal::sqlite
