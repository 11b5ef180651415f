#include "gateway/journal/reference_store.h"

#include <map>
#include <set>

#include "gateway/journal/sqlite_handle.h"

namespace iwmo::journal {

using sqlite::Connection;
using sqlite::Query;
using sqlite::StmtPtr;

struct SqliteReferenceStore::Impl {
  explicit Impl(Connection c) : connection(std::move(c)) {}
  Connection connection;
  std::mutex mutex;

  // Each statement is prepared once and reused (the client-context lookup runs per BW message on
  // the dispatcher thread); a Query resets it after use. REQUIRES: mutex held.
  Result<sqlite3_stmt*> prepare(std::string_view sql) {
    auto cached = statements.find(sql);
    if (cached != statements.end()) return cached->second.get();
    Result<StmtPtr> stmt = connection.prepare(sql);
    if (!stmt) return stmt.status();
    sqlite3_stmt* raw = stmt->get();
    statements.emplace(std::string(sql), std::move(*stmt));
    return raw;
  }
  std::map<std::string, StmtPtr, std::less<>> statements;  // destroyed before connection

  // Runs `body` in one IMMEDIATE transaction; rolls back on any error.
  template <typename F>
  Status inTransaction(F&& body, std::string_view begin_sql = "BEGIN IMMEDIATE") {
    Result<sqlite3_stmt*> begin = prepare(begin_sql);
    if (!begin) return begin.status();
    Result<sqlite3_stmt*> commit = prepare("COMMIT");
    if (!commit) return commit.status();
    Result<sqlite3_stmt*> rollback = prepare("ROLLBACK");
    if (!rollback) return rollback.status();
    sqlite::Transaction txn(connection, *begin, *commit, *rollback);
    IWMO_RETURN_IF_ERROR(txn.begin());
    IWMO_RETURN_IF_ERROR(body());
    return txn.commit();
  }

  Status exec(std::string_view sql, std::string_view doing) {
    Result<sqlite3_stmt*> stmt = prepare(sql);
    if (!stmt) return stmt.status();
    return Query(connection, *stmt, doing).run();
  }

  // The region table; REQUIRES: mutex held.
  Result<std::vector<proto::RegionRecord>> regions() {
    Result<sqlite3_stmt*> stmt =
        prepare("SELECT centrumgemeente, member, mandate FROM regions ORDER BY centrumgemeente, member");
    if (!stmt) return stmt.status();
    std::map<std::string, proto::RegionRecord> by_centrum;
    Query q(connection, *stmt, "reading the region table");
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      proto::RegionRecord& region = by_centrum[q.bytes(0)];
      region.set_centrumgemeente(q.bytes(0));
      region.add_members(q.bytes(1));
      region.set_mandate(q.int64(2) != 0);
    }
    std::vector<proto::RegionRecord> out;
    for (auto& [centrum, region] : by_centrum) out.push_back(std::move(region));
    return out;
  }
};

SqliteReferenceStore::SqliteReferenceStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteReferenceStore::~SqliteReferenceStore() = default;

Result<std::unique_ptr<SqliteReferenceStore>> SqliteReferenceStore::open(const std::filesystem::path& journal_file) {
  std::error_code ec;
  if (!std::filesystem::exists(journal_file, ec)) {
    return Status::notFound("no journal at " + journal_file.string() +
                            "; start the gateway once (or give the right --journal)");
  }
  auto connection = Connection::open(journal_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  sqlite3_busy_timeout(connection->get(), 10000);
  IWMO_RETURN_IF_ERROR(connection->exec("PRAGMA foreign_keys=ON; PRAGMA cache_size=-2048;", "configuring"));
  auto impl = std::make_unique<Impl>(std::move(*connection));
  Result<sqlite3_stmt*> probe = impl->prepare("SELECT 1 FROM review_queue LIMIT 1");
  if (!probe) {
    return Status::failedPrecondition("journal " + journal_file.string() +
                                      " has no reference-data tables; open it once with this version of "
                                      "iwmo-gateway (e.g. `iwmo-gateway status`) to upgrade it");
  }
  return std::unique_ptr<SqliteReferenceStore>(new SqliteReferenceStore(std::move(impl)));
}

Status SqliteReferenceStore::replaceBrp(const std::vector<BrpRow>& rows) {
  std::lock_guard lock(impl_->mutex);
  // Stage the rows in a temporary table first (no lock on the journal while a large export loads),
  // then swap them in with one short write transaction, so the daemon's commits barely wait.
  IWMO_RETURN_IF_ERROR(impl_->exec("DROP TABLE IF EXISTS temp.staging_brp", "preparing the BRP import"));
  IWMO_RETURN_IF_ERROR(impl_->exec("CREATE TEMP TABLE staging_brp AS SELECT * FROM main.brp_periods WHERE 0",
                                   "preparing the BRP import"));
  Status staged = impl_->inTransaction([&]() -> Status {
    Result<sqlite3_stmt*> insert = impl_->prepare(
        "INSERT INTO temp.staging_brp (bsn, gemeente, begin, end, kind, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!insert) return insert.status();
    for (const BrpRow& row : rows) {
      Query q(impl_->connection, *insert, "staging a BRP period");
      IWMO_RETURN_IF_ERROR(q.bindText(1, row.bsn)
                               .bindText(2, row.period.gemeente())
                               .bindText(3, row.period.begin())
                               .bindText(4, row.period.end())
                               .bindText(5, row.period.kind())
                               .bindText(6, row.period.address())
                               .run());
    }
    return Status::ok();
  }, "BEGIN DEFERRED");
  if (staged.isOk()) {
    staged = impl_->inTransaction([&]() -> Status {
      IWMO_RETURN_IF_ERROR(impl_->exec("DELETE FROM main.brp_periods", "clearing the BRP history"));
      return impl_->exec("INSERT INTO main.brp_periods SELECT * FROM temp.staging_brp", "importing the BRP history");
    });
  }
  (void)impl_->exec("DROP TABLE IF EXISTS temp.staging_brp", "cleaning up the BRP import");
  return staged;
}

Status SqliteReferenceStore::replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows) {
  std::lock_guard lock(impl_->mutex);
  return impl_->inTransaction([&]() -> Status {
    IWMO_RETURN_IF_ERROR(impl_->exec("DELETE FROM institutions", "clearing the institution register"));
    Result<sqlite3_stmt*> insert =
        impl_->prepare("INSERT INTO institutions (address, type, valid_from, valid_to) VALUES (?1, ?2, ?3, ?4)");
    if (!insert) return insert.status();
    for (const auto& row : rows) {
      Query q(impl_->connection, *insert, "importing an institution");
      IWMO_RETURN_IF_ERROR(
          q.bindText(1, row.address()).bindText(2, row.type()).bindText(3, row.from()).bindText(4, row.to()).run());
    }
    return Status::ok();
  });
}

Status SqliteReferenceStore::replaceImportedEpisodes(const std::vector<EpisodeRow>& rows) {
  std::lock_guard lock(impl_->mutex);
  return impl_->inTransaction([&]() -> Status {
    IWMO_RETURN_IF_ERROR(impl_->exec("DELETE FROM bw_episodes WHERE origin = 'import'", "clearing imported BW episodes"));
    Result<sqlite3_stmt*> insert = impl_->prepare(
        "INSERT INTO bw_episodes (bsn, gemeente, begin, end, origin) VALUES (?1, ?2, ?3, ?4, 'import')");
    if (!insert) return insert.status();
    for (const EpisodeRow& row : rows) {
      Query q(impl_->connection, *insert, "importing a BW episode");
      IWMO_RETURN_IF_ERROR(q.bindText(1, row.bsn)
                               .bindText(2, row.episode.gemeente())
                               .bindText(3, row.episode.begin())
                               .bindText(4, row.episode.end())
                               .run());
    }
    return Status::ok();
  });
}

Status SqliteReferenceStore::replaceRegions(const std::vector<proto::RegionRecord>& regions) {
  std::lock_guard lock(impl_->mutex);
  return impl_->inTransaction([&]() -> Status {
    IWMO_RETURN_IF_ERROR(impl_->exec("DELETE FROM regions", "clearing the region table"));
    Result<sqlite3_stmt*> insert =
        impl_->prepare("INSERT INTO regions (centrumgemeente, member, mandate) VALUES (?1, ?2, ?3)");
    if (!insert) return insert.status();
    for (const auto& region : regions) {
      for (const auto& member : region.members()) {
        Query q(impl_->connection, *insert, "importing a region member");
        IWMO_RETURN_IF_ERROR(q.bindText(1, region.centrumgemeente()).bindText(2, member).bindBool(3, region.mandate()).run());
      }
    }
    return Status::ok();
  });
}

Status SqliteReferenceStore::copyImportedFrom(const std::filesystem::path& other) {
  std::error_code ec;
  if (!std::filesystem::exists(other, ec)) return Status::ok();
  std::lock_guard lock(impl_->mutex);
  {
    Result<sqlite3_stmt*> attach = impl_->prepare("ATTACH DATABASE ?1 AS source");
    if (!attach) return attach.status();
    const std::string name = other.string();
    Query q(impl_->connection, *attach, "attaching the gateway's journal");
    IWMO_RETURN_IF_ERROR(q.bindText(1, name).run());
  }
  Status copied = impl_->inTransaction([&]() -> Status {
    Result<sqlite3_stmt*> probe = impl_->prepare("SELECT 1 FROM source.brp_periods LIMIT 1");
    if (!probe) return Status::ok();  // a version-1 journal: nothing imported yet
    for (const char* sql :
         {"DELETE FROM main.brp_periods", "INSERT INTO main.brp_periods SELECT * FROM source.brp_periods",
          "DELETE FROM main.institutions", "INSERT INTO main.institutions SELECT * FROM source.institutions",
          "DELETE FROM main.bw_episodes WHERE origin = 'import'",
          "INSERT INTO main.bw_episodes (bsn, gemeente, begin, end, origin) "
          "SELECT bsn, gemeente, begin, end, origin FROM source.bw_episodes WHERE origin = 'import' ORDER BY id",
          "DELETE FROM main.regions", "INSERT INTO main.regions SELECT * FROM source.regions"}) {
      IWMO_RETURN_IF_ERROR(impl_->exec(sql, "copying the imported reference data"));
    }
    return Status::ok();
  });
  (void)impl_->exec("DETACH DATABASE source", "detaching the gateway's journal");
  return copied;
}

Result<std::vector<proto::RegionRecord>> SqliteReferenceStore::regions() {
  std::lock_guard lock(impl_->mutex);
  return impl_->regions();
}

Result<proto::ClientContext> SqliteReferenceStore::clientContext(const std::string& bsn) {
  proto::ClientContext context;
  std::lock_guard lock(impl_->mutex);
  // One read transaction: an import committing meanwhile is seen entirely or not at all.
  Result<sqlite3_stmt*> begin = impl_->prepare("BEGIN DEFERRED");
  if (!begin) return begin.status();
  Result<sqlite3_stmt*> commit = impl_->prepare("COMMIT");
  if (!commit) return commit.status();
  Result<sqlite3_stmt*> rollback = impl_->prepare("ROLLBACK");
  if (!rollback) return rollback.status();
  sqlite::Transaction snapshot(impl_->connection, *begin, *commit, *rollback);
  IWMO_RETURN_IF_ERROR(snapshot.begin());
  {
    std::set<std::string> addresses;
    {
      Result<sqlite3_stmt*> stmt = impl_->prepare(
          "SELECT gemeente, begin, end, kind, address FROM brp_periods WHERE bsn = ?1 ORDER BY begin, rowid");
      if (!stmt) return stmt.status();
      Query q(impl_->connection, *stmt, "reading a BRP history");
      q.bindText(1, bsn);
      while (true) {
        Result<bool> row = q.step();
        if (!row) return row.status();
        if (!*row) break;
        proto::BrpPeriodRecord* period = context.add_brp();
        period->set_gemeente(q.bytes(0));
        period->set_begin(q.bytes(1));
        period->set_end(q.bytes(2));
        period->set_kind(q.bytes(3));
        period->set_address(q.bytes(4));
        if (!period->address().empty()) addresses.insert(period->address());
      }
    }
    {
      Result<sqlite3_stmt*> stmt =
          impl_->prepare("SELECT address, type, valid_from, valid_to FROM institutions WHERE address = ?1 ORDER BY rowid");
      if (!stmt) return stmt.status();
      for (const std::string& address : addresses) {
        Query q(impl_->connection, *stmt, "reading the institution register");
        q.bindText(1, address);
        while (true) {
          Result<bool> row = q.step();
          if (!row) return row.status();
          if (!*row) break;
          proto::InstitutionRecord* inst = context.add_institutions();
          inst->set_address(q.bytes(0));
          inst->set_type(q.bytes(1));
          inst->set_from(q.bytes(2));
          inst->set_to(q.bytes(3));
        }
      }
    }
    {
      Result<sqlite3_stmt*> stmt = impl_->prepare(
          "SELECT gemeente, begin, end, origin FROM bw_episodes WHERE bsn = ?1 AND begin <> '' ORDER BY begin, id");
      if (!stmt) return stmt.status();
      Query q(impl_->connection, *stmt, "reading BW episodes");
      q.bindText(1, bsn);
      while (true) {
        Result<bool> row = q.step();
        if (!row) return row.status();
        if (!*row) break;
        proto::BwEpisodeRecord* episode = context.add_episodes();
        episode->set_gemeente(q.bytes(0));
        episode->set_begin(q.bytes(1));
        episode->set_end(q.bytes(2));
        episode->set_origin(q.bytes(3));
      }
    }
  }
  auto regions = impl_->regions();
  if (!regions) return regions.status();
  for (auto& region : *regions) *context.add_regions() = std::move(region);
  IWMO_RETURN_IF_ERROR(snapshot.commit());
  context.set_looked_up(true);
  return context;
}

Result<std::vector<ReviewRecord>> SqliteReferenceStore::reviews(bool include_done) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      std::string("SELECT r.message_id, r.at, m.message_type, r.addressed, r.responsible, r.rule, r.flags, r.summary, "
                  "r.state, r.resolved_at, r.note FROM review_queue r JOIN messages m ON m.id = r.message_id ") +
      (include_done ? "" : "WHERE r.state = 'open' ") + "ORDER BY r.message_id");
  if (!stmt) return stmt.status();
  std::vector<ReviewRecord> out;
  Query q(impl_->connection, *stmt, "reading the review queue");
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    ReviewRecord r;
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
    out.push_back(std::move(r));
  }
  return out;
}

Result<bool> SqliteReferenceStore::resolveReview(MessageId message_id, const std::string& note, Timestamp at) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "UPDATE review_queue SET state = 'done', resolved_at = ?2, note = ?3 WHERE message_id = ?1 AND state = 'open'");
  if (!stmt) return stmt.status();
  bool closed = false;
  Status resolved = impl_->inTransaction([&]() -> Status {
    {
      Query q(impl_->connection, *stmt, "resolving a review");
      IWMO_RETURN_IF_ERROR(q.bind(1, message_id).bind(2, at.micros).bindText(3, note).run());
    }
    closed = sqlite3_changes(impl_->connection.get()) > 0;
    if (!closed) return Status::ok();
    // The operator settled it: an episode learnt from this message is no longer in doubt.
    Result<sqlite3_stmt*> trust = impl_->prepare(
        "UPDATE bw_episodes SET origin = 'message #' || message_id WHERE message_id = ?1 AND origin LIKE '%(under review)'");
    if (!trust) return trust.status();
    Query t(impl_->connection, *trust, "confirming the BW episode of a reviewed message");
    return t.bind(1, message_id).run();
  });
  if (!resolved.isOk()) return resolved;
  return closed;
}

Result<ReferenceCounts> SqliteReferenceStore::counts() {
  std::lock_guard lock(impl_->mutex);
  ReferenceCounts counts;
  const std::pair<const char*, std::uint64_t*> queries[] = {
      {"SELECT COUNT(*) FROM brp_periods", &counts.brp_periods},
      {"SELECT COUNT(DISTINCT bsn) FROM brp_periods", &counts.brp_clients},
      {"SELECT COUNT(*) FROM institutions", &counts.institutions},
      {"SELECT COUNT(*) FROM bw_episodes WHERE origin = 'import'", &counts.episodes_imported},
      {"SELECT COUNT(*) FROM bw_episodes WHERE origin <> 'import'", &counts.episodes_from_traffic},
      {"SELECT COUNT(*) FROM regions", &counts.region_members},
      {"SELECT COUNT(*) FROM review_queue WHERE state = 'open'", &counts.reviews_open},
  };
  for (const auto& [sql, out] : queries) {
    Result<sqlite3_stmt*> stmt = impl_->prepare(sql);
    if (!stmt) return stmt.status();
    Query q(impl_->connection, *stmt, "counting reference data");
    Result<bool> row = q.step();
    if (!row) return row.status();
    *out = *row ? q.uint64(0) : 0;
  }
  return counts;
}

namespace {

void readRecordRow(Query& q, EbRecordRow& row) {
  row.id = static_cast<std::uint64_t>(q.int64(0));
  row.message_id = static_cast<MessageId>(q.int64(1));
  row.message_type = q.bytes(2);
  row.identificatie = q.bytes(3);
  row.afzender = q.bytes(4);
  row.bsn = q.bytes(5);
  row.record.ParseFromString(q.bytes(6));
  row.sent_at = Timestamp{q.int64(7)};
  row.state = q.bytes(8);
  row.retour_codes = q.bytes(9);
  row.explanation = q.bytes(10);
  row.retour_message_id = static_cast<MessageId>(q.int64(11));
  if (!q.isNull(12)) row.answered_at = Timestamp{q.int64(12)};
}

constexpr const char* kRecordColumns =
    "SELECT id, message_id, message_type, identificatie, afzender, bsn, record, sent_at, state, "
    "retour_codes, explanation, COALESCE(retour_message_id, 0), answered_at FROM eb_records ";

}  // namespace

Result<proto::EbClientState> SqliteReferenceStore::ebClientState(const std::string& bsn) {
  std::lock_guard lock(impl_->mutex);
  proto::EbClientState state;
  Status read = impl_->inTransaction([&]() -> Status {
    Result<sqlite3_stmt*> stmt = impl_->prepare("SELECT state FROM eb_clients WHERE bsn = ?1");
    if (!stmt) return stmt.status();
    {
      Query q(impl_->connection, *stmt, "reading a client's eigen-bijdrage state");
      Result<bool> row = q.bindText(1, bsn).step();
      if (!row) return row.status();
      if (*row && !state.ParseFromString(q.bytes(0))) {
        return Status::dataLoss("the eigen-bijdrage state of a client does not parse (eb_clients)");
      }
    }
    Result<sqlite3_stmt*> answer = impl_->prepare(
        "SELECT state FROM eb_records WHERE bsn = ?1 AND afzender = ?2 AND identificatie = ?3 AND start_nummer = ?4 "
        "ORDER BY id DESC LIMIT 1");
    if (!answer) return answer.status();
    for (proto::EbPeriodState& period : *state.mutable_periods()) {
      if (!period.sent() || period.last_identificatie().empty()) continue;
      Query q(impl_->connection, *answer, "reading the CAK's answer to a period");
      Result<bool> row = q.bindText(1, bsn)
                             .bindText(2, period.afzender())
                             .bindText(3, period.last_identificatie())
                             .bind(4, period.start_nummer())
                             .step();
      if (!row) return row.status();
      period.set_last_answer(*row ? q.bytes(0) : "pending");
    }
    return Status::ok();
  }, "BEGIN DEFERRED");
  if (!read.isOk()) return read;
  state.set_looked_up(true);
  state.set_bsn(bsn);
  return state;
}

Result<std::vector<proto::EbSentRecord>> SqliteReferenceStore::ebSentIn(const std::string& message_type,
                                                                         const std::string& identificatie) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(std::string(kRecordColumns) +
                                              "WHERE message_type = ?1 AND identificatie = ?2 ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<proto::EbSentRecord> out;
  Query q(impl_->connection, *stmt, "reading the records of an iEb message");
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
}

Result<std::vector<EbRecordRow>> SqliteReferenceStore::ebRecords(const std::string& state) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt =
      impl_->prepare(std::string(kRecordColumns) + "WHERE ?1 = '' OR state = ?1 ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<EbRecordRow> out;
  Query q(impl_->connection, *stmt, "listing iEb records");
  q.bindText(1, state);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    readRecordRow(q, out.emplace_back());
  }
  return out;
}

Result<std::vector<EbAttentionRow>> SqliteReferenceStore::ebAttention(bool include_done) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "SELECT id, message_id, at, kind, bsn, rule, summary, state, note FROM eb_attention "
      "WHERE ?1 OR state = 'open' ORDER BY id");
  if (!stmt) return stmt.status();
  std::vector<EbAttentionRow> out;
  Query q(impl_->connection, *stmt, "listing eigen-bijdrage items");
  q.bindBool(1, include_done);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    EbAttentionRow& r = out.emplace_back();
    r.id = static_cast<std::uint64_t>(q.int64(0));
    r.message_id = static_cast<MessageId>(q.int64(1));
    r.at = Timestamp{q.int64(2)};
    r.kind = q.bytes(3);
    r.bsn = q.bytes(4);
    r.rule = q.bytes(5);
    r.summary = q.bytes(6);
    r.state = q.bytes(7);
    r.note = q.bytes(8);
  }
  return out;
}

Result<bool> SqliteReferenceStore::resolveEbAttention(std::uint64_t id, const std::string& note, Timestamp at) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "UPDATE eb_attention SET state = 'done', resolved_at = ?2, note = ?3 WHERE id = ?1 AND state = 'open'");
  if (!stmt) return stmt.status();
  bool closed = false;
  Status done = impl_->inTransaction([&]() -> Status {
    Query q(impl_->connection, *stmt, "closing an eigen-bijdrage item");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, note).run());
    closed = sqlite3_changes(impl_->connection.get()) > 0;
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return closed;
}

Result<EbCounts> SqliteReferenceStore::ebCounts(Timestamp overdue_before) {
  std::lock_guard lock(impl_->mutex);
  EbCounts counts;
  Result<sqlite3_stmt*> stmt =
      impl_->prepare("SELECT message_type, state, COUNT(*) FROM eb_records GROUP BY message_type, state");
  if (!stmt) return stmt.status();
  {
    Query q(impl_->connection, *stmt, "counting iEb records");
    while (true) {
      Result<bool> row = q.step();
      if (!row) return row.status();
      if (!*row) break;
      counts.records[q.bytes(0)][q.bytes(1)] = static_cast<std::uint64_t>(q.int64(2));
    }
  }
  {
    Result<sqlite3_stmt*> overdue =
        impl_->prepare("SELECT COUNT(*) FROM eb_records WHERE state = 'pending' AND sent_at < ?1");
    if (!overdue) return overdue.status();
    Query q(impl_->connection, *overdue, "counting overdue iEb records");
    Result<bool> row = q.bind(1, overdue_before.micros).step();
    if (!row) return row.status();
    counts.overdue = *row ? static_cast<std::uint64_t>(q.int64(0)) : 0;
  }
  const std::pair<const char*, std::uint64_t*> singles[] = {
      {"SELECT COUNT(*) FROM eb_attention WHERE state = 'open'", &counts.attention_open},
      {"SELECT COUNT(*) FROM eb_clients", &counts.clients},
  };
  for (const auto& [sql, target] : singles) {
    Result<sqlite3_stmt*> single = impl_->prepare(sql);
    if (!single) return single.status();
    Query q(impl_->connection, *single, "counting eigen-bijdrage state");
    Result<bool> row = q.step();
    if (!row) return row.status();
    *target = *row ? static_cast<std::uint64_t>(q.int64(0)) : 0;
  }
  return counts;
}

namespace {

constexpr const char* kSentColumns =
    "SELECT referentienummer, kind, functie, ontvanger, cross_refnummer, message_id, outbox_id, "
    "identificatie, created_at, (SELECT file_name FROM outbox WHERE outbox.id = ggk_sent.outbox_id) "
    "FROM ggk_sent ";

void readSentRow(Query& q, int first, proto::GgkSentRecord& sent) {
  sent.set_referentienummer(q.bytes(first + 0));
  sent.set_kind(q.bytes(first + 1));
  sent.set_functie(q.bytes(first + 2));
  sent.set_ontvanger(q.bytes(first + 3));
  sent.set_cross_refnummer(q.bytes(first + 4));
  sent.set_message_id(static_cast<std::uint64_t>(q.int64(first + 5)));
  sent.set_outbox_id(static_cast<std::uint64_t>(q.int64(first + 6)));
  sent.set_identificatie(q.bytes(first + 7));
  sent.set_created_at_micros(q.int64(first + 8));
  sent.set_file_name(q.bytes(first + 9));
}

}  // namespace

Result<std::optional<proto::GgkSentRecord>> SqliteReferenceStore::ggkSent(const std::string& referentienummer) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(std::string(kSentColumns) + "WHERE referentienummer = ?1");
  if (!stmt) return stmt.status();
  Query q(impl_->connection, *stmt, "looking up a StUF-GGk document sent");
  q.bindText(1, referentienummer);
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<proto::GgkSentRecord>();
  proto::GgkSentRecord sent;
  readSentRow(q, 0, sent);
  return std::optional<proto::GgkSentRecord>(std::move(sent));
}

Result<std::optional<HeenEnvelope>> SqliteReferenceStore::heenByKey(const std::string& duplicate_key) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "SELECT id, envelope FROM messages WHERE duplicate_key = ?1 AND valid = 1 AND duplicate_of IS NULL "
      "ORDER BY id LIMIT 1");
  if (!stmt) return stmt.status();
  Query q(impl_->connection, *stmt, "looking up the heen message of a retour");
  q.bindText(1, duplicate_key);
  Result<bool> row = q.step();
  if (!row) return row.status();
  if (!*row) return std::optional<HeenEnvelope>();
  HeenEnvelope heen;
  heen.message_id = static_cast<MessageId>(q.int64(0));
  proto::Envelope envelope;
  if (!envelope.ParseFromString(q.bytes(1))) {
    return Status::dataLoss("the stored envelope of message #" + std::to_string(heen.message_id) + " does not parse");
  }
  heen.envelope = envelope.ggk();
  return std::optional<HeenEnvelope>(std::move(heen));
}

Result<std::vector<GgkErrorRow>> SqliteReferenceStore::ggkErrors(bool include_done) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "SELECT e.id, e.message_id, e.at, e.cross_refnummer, e.code, e.plek, e.omschrijving, e.details, e.zender, "
      "e.state, e.resolved_at, e.note, s.referentienummer, s.kind, s.functie, s.ontvanger, s.cross_refnummer, "
      "s.message_id, s.outbox_id, s.identificatie, s.created_at, "
      "(SELECT file_name FROM outbox WHERE outbox.id = s.outbox_id) "
      "FROM ggk_errors e LEFT JOIN ggk_sent s ON s.referentienummer = e.concerns AND e.concerns <> '' "
      "WHERE ?1 OR e.state = 'open' ORDER BY e.id");
  if (!stmt) return stmt.status();
  std::vector<GgkErrorRow> out;
  Query q(impl_->connection, *stmt, "listing the Fo01 errors from the chain");
  q.bindBool(1, include_done);
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    GgkErrorRow& r = out.emplace_back();
    r.id = static_cast<std::uint64_t>(q.int64(0));
    r.message_id = static_cast<MessageId>(q.int64(1));
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

Result<bool> SqliteReferenceStore::resolveGgkError(std::uint64_t id, const std::string& note, Timestamp at) {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare(
      "UPDATE ggk_errors SET state = 'done', resolved_at = ?2, note = ?3 WHERE id = ?1 AND state = 'open'");
  if (!stmt) return stmt.status();
  bool closed = false;
  Status done = impl_->inTransaction([&]() -> Status {
    Query q(impl_->connection, *stmt, "closing a Fo01 error");
    IWMO_RETURN_IF_ERROR(q.bind(1, id).bind(2, at.micros).bindText(3, note).run());
    closed = sqlite3_changes(impl_->connection.get()) > 0;
    return Status::ok();
  });
  if (!done.isOk()) return done;
  return closed;
}

Result<std::uint64_t> SqliteReferenceStore::ggkErrorsOpen() {
  std::lock_guard lock(impl_->mutex);
  Result<sqlite3_stmt*> stmt = impl_->prepare("SELECT COUNT(*) FROM ggk_errors WHERE state = 'open'");
  if (!stmt) return stmt.status();
  Query q(impl_->connection, *stmt, "counting the open Fo01 errors");
  Result<bool> row = q.step();
  if (!row) return row.status();
  return static_cast<std::uint64_t>(*row ? q.int64(0) : 0);
}

}  // namespace iwmo::journal
