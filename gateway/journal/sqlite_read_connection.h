// SqliteReadConnection: one read connection of a SqliteJournal that its state stores share, with
// the statements prepared on it. Internal to gateway/journal.
// Thread-safety: hold `mutex` while using the connection or its statements.
#pragma once

#include <mutex>
#include <string_view>
#include <utility>

#include "gateway/journal/sqlite_handle.h"
#include "gateway/journal/sqlite_writer.h"

namespace iwmo::journal {

struct SqliteReadConnection {
  explicit SqliteReadConnection(sqlite::Connection opened)
      : connection(std::move(opened)), statements(connection) {}

  // Runs `body` in one read transaction, so that everything it reads is one snapshot (an import
  // committing meanwhile is seen entirely or not at all). REQUIRES: mutex held.
  template <typename Body>
  Status snapshot(Body&& body) {
    Result<sqlite3_stmt*> begin = statements.get("BEGIN DEFERRED");
    if (!begin) return begin.status();
    Result<sqlite3_stmt*> commit = statements.get("COMMIT");
    if (!commit) return commit.status();
    Result<sqlite3_stmt*> rollback = statements.get("ROLLBACK");
    if (!rollback) return rollback.status();
    sqlite::Transaction txn(connection, *begin, *commit, *rollback);
    IWMO_RETURN_IF_ERROR(txn.begin());
    IWMO_RETURN_IF_ERROR(body());
    return txn.commit();
  }

  // One row, one unsigned integer column ("SELECT COUNT(*) ..."), 0 without a row.
  // REQUIRES: mutex held.
  Result<std::uint64_t> count(std::string_view sql, std::string_view doing) {
    Result<sqlite3_stmt*> stmt = statements.get(sql);
    if (!stmt) return stmt.status();
    sqlite::Query q(connection, *stmt, doing);
    Result<bool> row = q.step();
    if (!row) return row.status();
    return *row ? q.uint64(0) : std::uint64_t{0};
  }

  std::mutex mutex;
  sqlite::Connection connection;  // before statements: they are finalized first
  sqlite::Statements statements;
};

// The connection a read runs on. On the writer thread (inside Journal::readAfterWrites) it is the
// writer's own, inside the current transaction, so it sees the writes queued before it even
// before their COMMIT; elsewhere the shared read connection.
struct ReadSession {
  const sqlite::Connection& connection;
  sqlite::Statements& statements;
  bool in_writer_transaction;

  // `body` as one snapshot: a read transaction of its own, or the writer's open one.
  template <typename Body>
  Status snapshot(SqliteReadConnection* reader, Body&& body) {
    if (in_writer_transaction) return body();
    return reader->snapshot(std::forward<Body>(body));
  }
};

// Runs `body(session)` on the writer's connection when called on the writer thread, else on
// `reader` under its mutex. `writer_statements` are the caller's statements on the writer's
// connection.
template <typename Body>
auto readInOrder(SqliteWriter& writer, sqlite::Statements& writer_statements, SqliteReadConnection& reader,
                 Body&& body) {
  if (writer.onWriterThread()) {
    ReadSession session{writer.connection(), writer_statements, true};
    return body(session);
  }
  std::lock_guard lock(reader.mutex);
  ReadSession session{reader.connection, reader.statements, false};
  return body(session);
}

}  // namespace iwmo::journal
