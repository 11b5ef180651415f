#include "gateway/journal/sqlite_eb_store.h"

#include <charconv>

namespace iwmo::journal {
namespace {

using sqlite::Query;

constexpr const char* kRecordColumns =
    "SELECT id, message_id, message_type, identificatie, afzender, bsn, record, sent_at, state, "
    "retour_codes, explanation, COALESCE(retour_message_id, 0), answered_at FROM eb_records ";

void readRecordRow(const Query& q, EbRecordRow& row) {
  row.id = q.uint64(0);
  row.message_id = q.uint64(1);
  row.message_type = q.bytes(2);
  row.identificatie = q.bytes(3);
  row.afzender = q.bytes(4);
  row.bsn = q.bytes(5);
  row.record.ParseFromString(q.bytes(6));
  row.sent_at = Timestamp{q.int64(7)};
  row.state = q.bytes(8);
  row.retour_codes = q.bytes(9);
  row.explanation = q.bytes(10);
  row.retour_message_id = q.uint64(11);
  if (!q.isNull(12)) row.answered_at = Timestamp{q.int64(12)};
}

}  // namespace

Result<proto::EbClientState> SqliteEbStore::clientState(const std::string& bsn) {
  if (first_start_nummer_.load() == 0) {
    if (auto first = firstStartNummer(); !first) return first.status();  // fills the cache when set
  }
  return readInOrder(writer_, write_, reader_, [&](ReadSession& session) -> Result<proto::EbClientState> {
    proto::EbClientState state;
    Status read = session.snapshot(&reader_, [&]() -> Status {
      Result<sqlite3_stmt*> stmt = session.statements.get("SELECT state FROM eb_clients WHERE bsn = ?1");
      if (!stmt) return stmt.status();
      {
        Query q(session.connection, *stmt, "reading a client's eigen-bijdrage state");
        Result<bool> row = q.bindText(1, bsn).step();
        if (!row) return row.status();
        if (*row && !state.ParseFromString(q.bytes(0))) {
          return Status::dataLoss("the eigen-bijdrage state of a client does not parse (eb_clients)");
        }
      }
      Result<sqlite3_stmt*> answer = session.statements.get(
          "SELECT state FROM eb_records WHERE bsn = ?1 AND afzender = ?2 AND identificatie = ?3 AND start_nummer = ?4 "
          "ORDER BY id DESC LIMIT 1");
      if (!answer) return answer.status();
      for (proto::EbPeriodState& period : *state.mutable_periods()) {
        if (!period.sent() || period.last_identificatie().empty()) continue;
        Query q(session.connection, *answer, "reading the CAK's answer to a period");
        Result<bool> row = q.bindText(1, bsn)
                               .bindText(2, period.afzender())
                               .bindText(3, period.last_identificatie())
                               .bind(4, period.start_nummer())
                               .step();
        if (!row) return row.status();
        period.set_last_answer(*row ? q.bytes(0) : "pending");
      }
      return Status::ok();
    });
    if (!read.isOk()) return read;
    state.set_looked_up(true);
    state.set_bsn(bsn);
    state.set_first_start_nummer(first_start_nummer_.load());
    return state;
  });
}

Result<std::vector<proto::EbSentRecord>> SqliteEbStore::sentIn(const std::string& message_type,
                                                               const std::string& identificatie) {
  return readInOrder(writer_, write_, reader_, [&](ReadSession& session) -> Result<std::vector<proto::EbSentRecord>> {
    Result<sqlite3_stmt*> stmt =
        session.statements.get(std::string(kRecordColumns) + "WHERE message_type = ?1 AND identificatie = ?2 ORDER BY id");
    if (!stmt) return stmt.status();
    std::vector<proto::EbSentRecord> out;
    Query q(session.connection, *stmt, "reading the records of an iEb message");
    q.bindText(1, message_type).bindText(2, identificatie);
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      EbRecordRow r;
      readRecordRow(q, r);
      proto::EbSentRecord& sent = out.emplace_back();
      sent.set_message_type(r.message_type);
      sent.set_identificatie(r.identificatie);
      sent.set_afzender(r.afzender);
      *sent.mutable_record() = r.record;
      sent.set_message_id(r.message_id);
      sent.set_state(r.state);
    }
    return out;
  });
}

Result<std::vector<EbRecordRow>> SqliteEbStore::records(const std::string& state) {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get(std::string(kRecordColumns) + "WHERE ?1 = '' OR state = ?1 ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<EbRecordRow> out;
  Query q(reader_.connection, *stmt, "listing iEb records");
  q.bindText(1, state);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    readRecordRow(q, out.emplace_back());
  }
  return out;
}

Result<std::vector<EbAttentionRow>> SqliteEbStore::attention(bool include_done) {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get(
      "SELECT id, message_id, at, kind, bsn, rule, summary, state, note, coalesce(start_nummer, 0) FROM eb_attention "
      "WHERE ?1 OR state = 'open' ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<EbAttentionRow> out;
  Query q(reader_.connection, *stmt, "listing eigen-bijdrage items");
  q.bindBool(1, include_done);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    EbAttentionRow& r = out.emplace_back();
    r.id = q.uint64(0);
    r.message_id = q.uint64(1);
    r.at = Timestamp{q.int64(2)};
    r.kind = q.bytes(3);
    r.bsn = q.bytes(4);
    r.rule = q.bytes(5);
    r.summary = q.bytes(6);
    r.state = q.bytes(7);
    r.note = q.bytes(8);
    r.start_nummer = q.uint64(9);
  }
  return out;
}

Result<bool> SqliteEbStore::resolveAttention(std::uint64_t id, const std::string& note, Timestamp at) {
  bool closed = false;
  const Status done = writer_.runAndWait([&]() -> Status {
    Result<sqlite3_stmt*> stmt = write_.get(
        "UPDATE eb_attention SET state = 'done', resolved_at = ?2, note = ?3 WHERE id = ?1 AND state = 'open'");
    if (!stmt) return stmt.status();
    Query q(writer_.connection(), *stmt, "closing an eigen-bijdrage item");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, note).run());
    closed = sqlite3_changes(writer_.connection().get()) > 0;
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return closed;
}

Status SqliteEbStore::storeImportedStates(const std::map<std::string, proto::EbClientState>& states, Timestamp at) {
  return writer_.runAndWait([&]() -> Status {
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT INTO eb_clients (bsn, state, message_id, updated_at) VALUES (?1, ?2, NULL, ?3) "
        "ON CONFLICT(bsn) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
    if (!stmt) return stmt.status();
    for (const auto& [bsn, state] : states) {
      std::string blob;
      if (!state.SerializeToString(&blob)) {
        return Status::internal(sqlite::prefixOf(writer_.file()) + "cannot serialize an imported eigen-bijdrage state");
      }
      Query q(writer_.connection(), *stmt, "storing an imported eigen-bijdrage state");
      IWMO_RETURN_IF_ERROR(q.bindText(1, bsn).bindBlob(2, blob).bind(3, at.micros).run());
    }
    return Status::ok();
  });
}

Result<std::map<std::string, proto::EbClientState>> SqliteEbStore::importedPeriods() {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get("SELECT bsn, state FROM eb_clients ORDER BY bsn");
  if (!stmt) return stmt.status();
  std::map<std::string, proto::EbClientState> out;
  Query q(reader_.connection, *stmt, "reading the imported CAK periods");
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    proto::EbClientState state;
    if (!state.ParseFromString(q.bytes(1))) {
      return Status::dataLoss("the eigen-bijdrage state of a client does not parse (eb_clients)");
    }
    state.set_bsn(q.bytes(0));
    if (auto imported = onlyImportedPeriods(state)) out.emplace(q.bytes(0), std::move(*imported));
  }
  return out;
}

Result<std::optional<std::uint64_t>> SqliteEbStore::firstStartNummer() {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get("SELECT value FROM meta WHERE key = 'eb_first_start_nummer'");
  if (!stmt) return stmt.status();
  Query q(reader_.connection, *stmt, "reading the first start number");
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<std::uint64_t>();
  const std::string text = q.bytes(0);
  if (text.empty()) return std::optional<std::uint64_t>();
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) {
    return Status::dataLoss(sqlite::prefixOf(writer_.file()) + "the meta table holds no valid eb_first_start_nummer ('" +
                            text + "')");
  }
  first_start_nummer_.store(value);
  return std::optional<std::uint64_t>(value);
}

Status SqliteEbStore::setFirstStartNummer(std::uint64_t first) {
  const Status stored = writer_.runAndWait([&]() -> Status {
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT INTO meta (key, value) VALUES ('eb_first_start_nummer', ?1) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!stmt) return stmt.status();
    Query q(writer_.connection(), *stmt, "storing the first start number");
    const std::string value = std::to_string(first);
    return q.bindText(1, value).run();
  });
  if (stored.isOk()) first_start_nummer_.store(first);
  return stored;
}

Result<std::uint64_t> SqliteEbStore::highestStartNummerSent() {
  return reader_.count("SELECT coalesce(max(start_nummer), 0) FROM eb_records", "reading the highest start number sent");
}

Result<std::vector<std::string>> SqliteEbStore::clientsToReview(Date due, std::size_t limit) {
  std::lock_guard lock(reader_.mutex);
  Result<sqlite3_stmt*> stmt = reader_.statements.get(
      "SELECT bsn FROM eb_clients WHERE review_on IS NOT NULL AND review_on <= ?1 ORDER BY review_on, bsn LIMIT ?2");
  if (!stmt) return stmt.status();
  std::vector<std::string> out;
  Query q(reader_.connection, *stmt, "listing the clients the eigen-bijdrage tick decides again");
  const std::string day = due.toString();
  q.bindText(1, day).bind(2, static_cast<std::int64_t>(limit));
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    out.push_back(q.bytes(0));
  }
  return out;
}

Result<EbCounts> SqliteEbStore::counts(Timestamp overdue_before) {
  std::lock_guard lock(reader_.mutex);
  EbCounts counts;
  Result<sqlite3_stmt*> stmt =
      reader_.statements.get("SELECT message_type, state, COUNT(*) FROM eb_records GROUP BY message_type, state");
  if (!stmt) return stmt.status();
  {
    Query q(reader_.connection, *stmt, "counting iEb records");
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      counts.records[q.bytes(0)][q.bytes(1)] = q.uint64(2);
    }
  }
  {
    Result<sqlite3_stmt*> overdue =
        reader_.statements.get("SELECT COUNT(*) FROM eb_records WHERE state = 'pending' AND sent_at < ?1");
    if (!overdue) return overdue.status();
    Query q(reader_.connection, *overdue, "counting overdue iEb records");
    Result<bool> row = q.bind(1, overdue_before.micros).step();
    if (!row) return row.status();
    counts.overdue = *row ? q.uint64(0) : 0;
  }
  Result<std::uint64_t> open = reader_.count("SELECT COUNT(*) FROM eb_attention WHERE state = 'open'", "counting eigen-bijdrage items");
  if (!open) return open.status();
  counts.attention_open = *open;
  Result<std::uint64_t> clients = reader_.count("SELECT COUNT(*) FROM eb_clients", "counting eigen-bijdrage clients");
  if (!clients) return clients.status();
  counts.clients = *clients;
  return counts;
}

Status SqliteEbStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  const sqlite::Connection& connection = writer_.connection();
  const std::string prefix = sqlite::prefixOf(writer_.file());
  if (result.has_eb_state() && result.eb_state().looked_up()) {
    std::string blob;
    if (!result.eb_state().SerializeToString(&blob)) {
      return Status::internal(prefix + "cannot serialize the eigen-bijdrage state of message #" +
                              std::to_string(context.message_id));
    }
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT INTO eb_clients (bsn, state, message_id, updated_at, review_on) VALUES (?1, ?2, ?3, ?4, NULLIF(?5, '')) "
        "ON CONFLICT(bsn) DO UPDATE SET state = excluded.state, message_id = excluded.message_id, "
        "updated_at = excluded.updated_at, review_on = excluded.review_on");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "storing a client's eigen-bijdrage state");
    IWMO_RETURN_IF_ERROR(q.bindText(1, result.eb_state().bsn())
                             .bindBlob(2, blob)
                             .bind(3, context.message_id)
                             .bind(4, context.at.micros)
                             .bindText(5, result.eb_state().review_on())
                             .run());
  }
  for (const proto::EbSentRecord& sent : result.eb_sent()) {
    std::string blob;
    if (!sent.record().SerializeToString(&blob)) {
      return Status::internal(prefix + "cannot serialize an eigen-bijdrage record of message #" +
                              std::to_string(context.message_id));
    }
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT OR IGNORE INTO eb_records (message_id, message_type, identificatie, afzender, bsn, "
        "start_nummer, record, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "recording an iEb record sent to the CAK");
    IWMO_RETURN_IF_ERROR(q.bind(1, context.message_id)
                             .bindText(2, sent.message_type())
                             .bindText(3, sent.identificatie())
                             .bindText(4, sent.afzender())
                             .bindText(5, sent.record().bsn())
                             .bind(6, sent.record().start_nummer())
                             .bindBlob(7, blob)
                             .bind(8, context.at.micros)
                             .run());
  }
  for (const proto::EbAnswer& answer : result.eb_answers()) {
    std::string codes;
    for (const auto& code : answer.retour_codes()) codes += (codes.empty() ? "" : ",") + code;
    const std::string state = answer.accepted() ? "accepted" : "rejected";
    Result<sqlite3_stmt*> stmt = write_.get(
        "UPDATE eb_records SET state = ?1, retour_codes = ?2, explanation = ?3, retour_message_id = ?4, "
        "answered_at = ?5 WHERE message_type = ?6 AND identificatie = ?7 AND bsn = ?8 AND start_nummer = ?9");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "recording the CAK's answer to an iEb record");
    IWMO_RETURN_IF_ERROR(q.bindText(1, state)
                             .bindText(2, codes)
                             .bindText(3, answer.explanation())
                             .bind(4, context.message_id)
                             .bind(5, context.at.micros)
                             .bindText(6, answer.message_type())
                             .bindText(7, answer.identificatie())
                             .bindText(8, answer.bsn())
                             .bind(9, answer.start_nummer())
                             .run());
  }
  // Closed before the new items are queued: a period resolved and held again in one decision
  // (it cannot be today) would keep its new item.
  for (const proto::EbResolved& resolved : result.eb_resolved()) {
    Result<sqlite3_stmt*> stmt = write_.get(
        "UPDATE eb_attention SET state = 'done', resolved_at = ?1, note = ?2 "
        "WHERE bsn = ?3 AND start_nummer = ?4 AND state = 'open'");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "closing the items of a settled eigen-bijdrage period");
    const std::string note = resolvedNote(resolved, context.message_id);
    IWMO_RETURN_IF_ERROR(q.bind(1, context.at.micros)
                             .bindText(2, note)
                             .bindText(3, resolved.bsn())
                             .bind(4, resolved.start_nummer())
                             .run());
  }
  for (const proto::EbAttention& item : result.eb_attention()) {
    Result<sqlite3_stmt*> stmt = write_.get(
        "INSERT INTO eb_attention (message_id, at, kind, bsn, rule, summary, start_nummer) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0))");
    if (!stmt) return stmt.status();
    Query q(connection, *stmt, "queueing an eigen-bijdrage item for an operator");
    IWMO_RETURN_IF_ERROR(q.bind(1, context.message_id)
                             .bind(2, context.at.micros)
                             .bindText(3, item.kind())
                             .bindText(4, item.bsn())
                             .bindText(5, item.rule())
                             .bindText(6, item.summary())
                             .bind(7, item.start_nummer())
                             .run());
  }
  return Status::ok();
}

}  // namespace iwmo::journal
