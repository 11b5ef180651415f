#include "gateway/journal/sqlite_ggk_store.h"

namespace iwmo::journal {
namespace {

using sqlite::Query;

constexpr const char* kSentColumns =
    "SELECT referentienummer, kind, functie, ontvanger, cross_refnummer, message_id, outbox_id, "
    "identificatie, created_at, (SELECT file_name FROM outbox WHERE outbox.id = ggk_sent.outbox_id) "
    "FROM ggk_sent ";

void readSentRow(const Query& q, int first, proto::GgkSentRecord& sent) {
  sent.set_referentienummer(q.bytes(first + 0));
  sent.set_kind(q.bytes(first + 1));
  sent.set_functie(q.bytes(first + 2));
  sent.set_ontvanger(q.bytes(first + 3));
  sent.set_cross_refnummer(q.bytes(first + 4));
  sent.set_message_id(q.uint64(first + 5));
  sent.set_outbox_id(q.uint64(first + 6));
  sent.set_identificatie(q.bytes(first + 7));
  sent.set_created_at_micros(q.int64(first + 8));
  sent.set_file_name(q.bytes(first + 9));
}

}  // namespace

Result<std::optional<proto::GgkSentRecord>> SqliteGgkStore::sent(const std::string& referentienummer) {
  return readInOrder(writer_, write_, reader_, [&](ReadSession& session) -> Result<std::optional<proto::GgkSentRecord>> {
    Result<sqlite3_stmt*> stmt = session.statements.get(std::string(kSentColumns) + "WHERE referentienummer = ?1");
    if (!stmt) return stmt.status();
    Query q(session.connection, *stmt, "looking up a StUF-GGk document sent");
    q.bindText(1, referentienummer);
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) return std::optional<proto::GgkSentRecord>();
    proto::GgkSentRecord sent;
    readSentRow(q, 0, sent);
    return std::optional<proto::GgkSentRecord>(std::move(sent));
  });
}

Result<std::vector<GgkErrorRow>> SqliteGgkStore::errors(bool include_done) {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get(
      "SELECT e.id, e.message_id, e.at, e.cross_refnummer, e.code, e.plek, e.omschrijving, e.details, e.zender, "
      "e.state, e.resolved_at, e.note, s.referentienummer, s.kind, s.functie, s.ontvanger, s.cross_refnummer, "
      "s.message_id, s.outbox_id, s.identificatie, s.created_at, "
      "(SELECT file_name FROM outbox WHERE outbox.id = s.outbox_id) "
      "FROM ggk_errors e LEFT JOIN ggk_sent s ON s.referentienummer = e.concerns AND e.concerns <> '' "
      "WHERE ?1 OR e.state = 'open' ORDER BY e.id");
  if (!stmt) return stmt.status();
  std::vector<GgkErrorRow> out;
  Query q(reader_.connection, *stmt, "listing the Fo01 errors from the chain");
  q.bindBool(1, include_done);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    GgkErrorRow& r = out.emplace_back();
    r.id = q.uint64(0);
    r.message_id = q.uint64(1);
    r.at = Timestamp{q.int64(2)};
    r.error.set_cross_refnummer(q.bytes(3));
    r.error.set_code(q.bytes(4));
    r.error.set_plek(q.bytes(5));
    r.error.set_omschrijving(q.bytes(6));
    r.error.set_details(q.bytes(7));
    r.error.set_zender(q.bytes(8));
    r.state = q.bytes(9);
    if (!q.isNull(10)) r.resolved_at = Timestamp{q.int64(10)};
    r.note = q.bytes(11);
    if (!q.isNull(12)) {
      r.error.set_matched(true);
      readSentRow(q, 12, *r.error.mutable_concerns());
    }
  }
  return out;
}

Result<bool> SqliteGgkStore::resolveError(std::uint64_t id, const std::string& note, Timestamp at) {
  bool closed = false;
  const Status done = writer_.runAndWait([&]() -> Status {
    Result<sqlite3_stmt*> stmt = write_.get(
        "UPDATE ggk_errors SET state = 'done', resolved_at = ?2, note = ?3 WHERE id = ?1 AND state = 'open'");
    if (!stmt) return stmt.status();
    Query q(writer_.connection(), *stmt, "closing a Fo01 error");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, note).run());
    closed = sqlite3_changes(writer_.connection().get()) > 0;
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return closed;
}

Result<std::uint64_t> SqliteGgkStore::errorsOpen() {
  std::lock_guard lock(reader_.mutex);
  return reader_.count("SELECT COUNT(*) FROM ggk_errors WHERE state = 'open'", "counting the open Fo01 errors");
}

Status SqliteGgkStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  const sqlite::Connection& connection = writer_.connection();
  for (int i = 0; i < result.outgoing_size(); ++i) {
    const proto::Outgoing& out = result.outgoing(i);
    if (!out.has_ggk() || out.ggk().referentienummer().empty()) continue;
    const proto::GgkSentRecord& sent = out.ggk();
    // Plain INSERT: a referentienummer used twice must fail loudly, never hide (CC08).
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT INTO ggk_sent (referentienummer, message_id, outbox_id, kind, functie, ontvanger, "
        "cross_refnummer, identificatie, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "recording a StUF-GGk document sent");
    IWMO_RETURN_IF_ERROR(q.bindText(1, sent.referentienummer())
                             .bind(2, context.message_id)
                             .bind(3, context.outbox_ids.at(static_cast<std::size_t>(i)))
                             .bindText(4, sent.kind())
                             .bindText(5, sent.functie())
                             .bindText(6, sent.ontvanger())
                             .bindText(7, sent.cross_refnummer())
                             .bindText(8, sent.identificatie())
                             .bind(9, context.at.micros)
                             .run());
  }
  for (const proto::GgkFo01Record& error : result.ggk_fo01()) {
    const std::string concerns = error.matched() ? error.concerns().referentienummer() : std::string();
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT OR IGNORE INTO ggk_errors (message_id, at, cross_refnummer, code, plek, omschrijving, details, "
        "zender, concerns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "recording a Fo01 from the chain");
    IWMO_RETURN_IF_ERROR(q.bind(1, context.message_id)
                             .bind(2, context.at.micros)
                             .bindText(3, error.cross_refnummer())
                             .bindText(4, error.code())
                             .bindText(5, error.plek())
                             .bindText(6, error.omschrijving())
                             .bindText(7, error.details())
                             .bindText(8, error.zender())
                             .bindText(9, concerns)
                             .run());
  }
  return Status::ok();
}

}  // namespace iwmo::journal
