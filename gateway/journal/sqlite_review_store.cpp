#include "gateway/journal/sqlite_review_store.h"

namespace iwmo::journal {

using sqlite::Query;

Result<std::vector<ReviewRecord>> SqliteReviewStore::reviews(bool include_done) {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get(
      "SELECT r.message_id, r.at, m.message_type, r.addressed, r.responsible, r.rule, r.flags, r.summary, "
      "r.state, r.resolved_at, r.note FROM review_queue r JOIN messages m ON m.id = r.message_id "
      "WHERE ?1 OR r.state = 'open' ORDER BY r.message_id");
  if (!stmt) return stmt.status();
  std::vector<ReviewRecord> out;
  Query q(reader_.connection, *stmt, "reading the review queue");
  q.bindBool(1, include_done);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    ReviewRecord& r = out.emplace_back();
    r.message_id = q.uint64(0);
    r.at = Timestamp{q.int64(1)};
    r.message_type = q.bytes(2);
    r.addressed = q.bytes(3);
    r.responsible = q.bytes(4);
    r.rule = q.bytes(5);
    r.flags = q.bytes(6);
    r.summary = q.bytes(7);
    r.state = q.bytes(8);
    if (!q.isNull(9)) r.resolved_at = Timestamp{q.int64(9)};
    r.note = q.bytes(10);
  }
  return out;
}

Result<bool> SqliteReviewStore::resolveReview(std::uint64_t message_id, const std::string& note, Timestamp at) {
  bool closed = false;
  const Status resolved = writer_.runAndWait([&]() -> Status {
    const sqlite::Connection& connection = writer_.connection();
    Result<sqlite3_stmt*> stmt = write_.get(
        "UPDATE review_queue SET state = 'done', resolved_at = ?2, note = ?3 WHERE message_id = ?1 AND state = 'open'");
    if (!stmt) return stmt.status();
    {
      Query q(connection, *stmt, "resolving a review");
      IWMO_RETURN_IF_ERROR(q.bind(1, message_id).bind(2, at.micros).bindText(3, note).run());
    }
    closed = sqlite3_changes(connection.get()) > 0;
    if (!closed) return Status::ok();
    // The operator settled it: an episode learnt from this message is no longer in doubt.
    Result<sqlite3_stmt*> trust = write_.get(
        "UPDATE bw_episodes SET origin = 'message #' || message_id WHERE message_id = ?1 AND origin LIKE '%(under review)'");
    if (!trust) return trust.status();
    Query t(connection, *trust, "confirming the BW episode of a reviewed message");
    return t.bind(1, message_id).run();
  });
  if (!resolved.isOk()) return resolved;
  return closed;
}

Result<std::uint64_t> SqliteReviewStore::openCount() {
  std::lock_guard lock(reader_.mutex);
  return reader_.count("SELECT COUNT(*) FROM review_queue WHERE state = 'open'", "counting open reviews");
}

Status SqliteReviewStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  if (result.reviews_size() == 0) return Status::ok();
  Result<sqlite3_stmt*> stmt = write_.get(
      "INSERT OR IGNORE INTO review_queue (message_id, at, addressed, responsible, rule, flags, summary) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!stmt) return stmt.status();
  for (const proto::ReviewItem& review : result.reviews()) {
    std::string flags;
    for (const auto& flag : review.flags()) flags += (flags.empty() ? "" : ",") + flag;
    Query q(writer_.connection(), *stmt, "queueing a message for responsibility review");
    IWMO_RETURN_IF_ERROR(q.bind(1, context.message_id)
                             .bind(2, context.at.micros)
                             .bindText(3, review.addressed())
                             .bindText(4, review.responsible())
                             .bindText(5, review.rule())
                             .bindText(6, flags)
                             .bindText(7, review.summary())
                             .run());
  }
  return Status::ok();
}

}  // namespace iwmo::journal
