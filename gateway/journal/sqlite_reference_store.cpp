#include "gateway/journal/sqlite_reference_store.h"

#include <map>
#include <set>

namespace iwmo::journal {
namespace {

using sqlite::Connection;
using sqlite::Query;

constexpr int kBusyTimeoutMillis = 10000;

}  // namespace

Status SqliteReferenceStore::exec(std::string_view sql, std::string_view doing) {
  Result<sqlite3_stmt*> stmt = write_.get(sql);
  if (!stmt) return stmt.status();
  return Query(writer_.connection(), *stmt, doing).run();
}

Status SqliteReferenceStore::writeBrp(const std::vector<BrpRow>& rows) {
  IWMO_RETURN_IF_ERROR(exec("DELETE FROM brp_periods", "clearing the BRP history"));
  Result<sqlite3_stmt*> insert =
      write_.get("INSERT INTO brp_periods (bsn, gemeente, begin, end, kind, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) return insert.status();
  for (const BrpRow& row : rows) {
    Query q(writer_.connection(), *insert, "importing a BRP period");
    IWMO_RETURN_IF_ERROR(q.bindText(1, row.bsn)
                             .bindText(2, row.period.gemeente())
                             .bindText(3, row.period.begin())
                             .bindText(4, row.period.end())
                             .bindText(5, row.period.kind())
                             .bindText(6, row.period.address())
                             .run());
  }
  return Status::ok();
}

Status SqliteReferenceStore::replaceBrp(const std::vector<BrpRow>& rows) {
  // A BRP export is large: stage it in a temporary table of a connection of its own first (no
  // lock on the journal while it loads), then swap it in with one short write transaction, so
  // that a running daemon's commits barely wait.
  Result<Connection> staging = Connection::open(writer_.file(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!staging) return staging.status();
  sqlite3_busy_timeout(staging->get(), kBusyTimeoutMillis);
  sqlite::Statements statements(*staging);
  const auto run = [&](std::string_view sql, std::string_view doing) -> Status {
    Result<sqlite3_stmt*> stmt = statements.get(sql);
    if (!stmt) return stmt.status();
    return Query(*staging, *stmt, doing).run();
  };
  IWMO_RETURN_IF_ERROR(run("CREATE TEMP TABLE staging_brp AS SELECT * FROM main.brp_periods WHERE 0",
                           "preparing the BRP import"));
  IWMO_RETURN_IF_ERROR(run("BEGIN DEFERRED", "staging the BRP import"));
  Result<sqlite3_stmt*> insert = statements.get(
      "INSERT INTO temp.staging_brp (bsn, gemeente, begin, end, kind, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) return insert.status();
  for (const BrpRow& row : rows) {
    Query q(*staging, *insert, "staging a BRP period");
    Status staged = q.bindText(1, row.bsn)
                        .bindText(2, row.period.gemeente())
                        .bindText(3, row.period.begin())
                        .bindText(4, row.period.end())
                        .bindText(5, row.period.kind())
                        .bindText(6, row.period.address())
                        .run();
    if (!staged.isOk()) {
      (void)run("ROLLBACK", "abandoning the BRP import");
      return staged;
    }
  }
  IWMO_RETURN_IF_ERROR(run("COMMIT", "staging the BRP import"));
  IWMO_RETURN_IF_ERROR(run("BEGIN IMMEDIATE", "importing the BRP history"));
  Status swapped = run("DELETE FROM main.brp_periods", "clearing the BRP history");
  if (swapped.isOk()) swapped = run("INSERT INTO main.brp_periods SELECT * FROM temp.staging_brp", "importing the BRP history");
  if (swapped.isOk()) swapped = run("COMMIT", "importing the BRP history");
  if (!swapped.isOk()) (void)run("ROLLBACK", "abandoning the BRP import");
  return swapped;
}

Status SqliteReferenceStore::writeInstitutions(const std::vector<proto::InstitutionRecord>& rows) {
  IWMO_RETURN_IF_ERROR(exec("DELETE FROM institutions", "clearing the institution register"));
  Result<sqlite3_stmt*> insert =
      write_.get("INSERT INTO institutions (address, type, valid_from, valid_to) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return insert.status();
  for (const auto& row : rows) {
    Query q(writer_.connection(), *insert, "importing an institution");
    IWMO_RETURN_IF_ERROR(
        q.bindText(1, row.address()).bindText(2, row.type()).bindText(3, row.from()).bindText(4, row.to()).run());
  }
  return Status::ok();
}

Status SqliteReferenceStore::writeImportedEpisodes(const std::vector<EpisodeRow>& rows) {
  IWMO_RETURN_IF_ERROR(exec("DELETE FROM bw_episodes WHERE origin = 'import'", "clearing imported BW episodes"));
  Result<sqlite3_stmt*> insert =
      write_.get("INSERT INTO bw_episodes (bsn, gemeente, begin, end, origin) VALUES (?1, ?2, ?3, ?4, 'import')");
  if (!insert) return insert.status();
  for (const EpisodeRow& row : rows) {
    Query q(writer_.connection(), *insert, "importing a BW episode");
    IWMO_RETURN_IF_ERROR(q.bindText(1, row.bsn)
                             .bindText(2, row.episode.gemeente())
                             .bindText(3, row.episode.begin())
                             .bindText(4, row.episode.end())
                             .run());
  }
  return Status::ok();
}

Status SqliteReferenceStore::writeRegions(const std::vector<proto::RegionRecord>& regions) {
  IWMO_RETURN_IF_ERROR(exec("DELETE FROM regions", "clearing the region table"));
  Result<sqlite3_stmt*> insert = write_.get("INSERT INTO regions (centrumgemeente, member, mandate) VALUES (?1, ?2, ?3)");
  if (!insert) return insert.status();
  for (const auto& region : regions) {
    for (const auto& member : region.members()) {
      Query q(writer_.connection(), *insert, "importing a region member");
      IWMO_RETURN_IF_ERROR(q.bindText(1, region.centrumgemeente()).bindText(2, member).bindBool(3, region.mandate()).run());
    }
  }
  return Status::ok();
}

Status SqliteReferenceStore::replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows) {
  return writer_.runAndWait([&] { return writeInstitutions(rows); });
}

Status SqliteReferenceStore::replaceImportedEpisodes(const std::vector<EpisodeRow>& rows) {
  return writer_.runAndWait([&] { return writeImportedEpisodes(rows); });
}

Status SqliteReferenceStore::replaceRegions(const std::vector<proto::RegionRecord>& regions) {
  return writer_.runAndWait([&] { return writeRegions(regions); });
}

Status SqliteReferenceStore::replaceImported(const ImportedReferenceData& data) {
  return writer_.runAndWait([&]() -> Status {
    IWMO_RETURN_IF_ERROR(writeBrp(data.brp));
    IWMO_RETURN_IF_ERROR(writeInstitutions(data.institutions));
    IWMO_RETURN_IF_ERROR(writeImportedEpisodes(data.episodes));
    return writeRegions(data.regions);
  });
}

Result<ImportedReferenceData> SqliteReferenceStore::imported() {
  std::lock_guard lock(reader_.mutex);
  ImportedReferenceData data;
  Status read = reader_.snapshot([&]() -> Status {
    {
      Result<sqlite3_stmt*> stmt =
          reader_.statements.get("SELECT bsn, gemeente, begin, end, kind, address FROM brp_periods ORDER BY rowid");
      if (!stmt) return stmt.status();
      Query q(reader_.connection, *stmt, "reading the BRP history");
      while (true) {
        Result<bool> row = q.step();
        if (!row) return row.status();
        if (!*row) break;
        BrpRow& r = data.brp.emplace_back();
        r.bsn = q.bytes(0);
        r.period.set_gemeente(q.bytes(1));
        r.period.set_begin(q.bytes(2));
        r.period.set_end(q.bytes(3));
        r.period.set_kind(q.bytes(4));
        r.period.set_address(q.bytes(5));
      }
    }
    {
      Result<sqlite3_stmt*> stmt =
          reader_.statements.get("SELECT address, type, valid_from, valid_to FROM institutions ORDER BY rowid");
      if (!stmt) return stmt.status();
      Query q(reader_.connection, *stmt, "reading the institution register");
      while (true) {
        Result<bool> row = q.step();
        if (!row) return row.status();
        if (!*row) break;
        proto::InstitutionRecord& r = data.institutions.emplace_back();
        r.set_address(q.bytes(0));
        r.set_type(q.bytes(1));
        r.set_from(q.bytes(2));
        r.set_to(q.bytes(3));
      }
    }
    {
      Result<sqlite3_stmt*> stmt = reader_.statements.get(
          "SELECT bsn, gemeente, begin, end FROM bw_episodes WHERE origin = 'import' ORDER BY id");
      if (!stmt) return stmt.status();
      Query q(reader_.connection, *stmt, "reading the imported BW episodes");
      while (true) {
        Result<bool> row = q.step();
        if (!row) return row.status();
        if (!*row) break;
        EpisodeRow& r = data.episodes.emplace_back();
        r.bsn = q.bytes(0);
        r.episode.set_gemeente(q.bytes(1));
        r.episode.set_begin(q.bytes(2));
        r.episode.set_end(q.bytes(3));
        r.episode.set_origin("import");
      }
    }
    ReadSession session{reader_.connection, reader_.statements, false};
    auto regions = readRegions(session);
    if (!regions) return regions.status();
    data.regions = std::move(*regions);
    return Status::ok();
  });
  if (!read.isOk()) return read;
  return data;
}

Result<std::vector<proto::RegionRecord>> SqliteReferenceStore::readRegions(ReadSession& session) {
  Result<sqlite3_stmt*> stmt =
      session.statements.get("SELECT centrumgemeente, member, mandate FROM regions ORDER BY centrumgemeente, member");
  if (!stmt) return stmt.status();
  std::map<std::string, proto::RegionRecord> by_centrum;
  Query q(session.connection, *stmt, "reading the region table");
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

Result<std::vector<proto::RegionRecord>> SqliteReferenceStore::regions() {
  return readInOrder(writer_, write_, reader_, [&](ReadSession& session) { return readRegions(session); });
}

Result<proto::ClientContext> SqliteReferenceStore::clientContext(const std::string& bsn) {
  return readInOrder(writer_, write_, reader_, [&](ReadSession& session) -> Result<proto::ClientContext> {
  proto::ClientContext context;
  Status read = session.snapshot(&reader_, [&]() -> Status {
    std::set<std::string> addresses;
    {
      Result<sqlite3_stmt*> stmt = session.statements.get(
          "SELECT gemeente, begin, end, kind, address FROM brp_periods WHERE bsn = ?1 ORDER BY begin, rowid");
      if (!stmt) return stmt.status();
      Query q(session.connection, *stmt, "reading a BRP history");
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
      Result<sqlite3_stmt*> stmt = session.statements.get(
          "SELECT address, type, valid_from, valid_to FROM institutions WHERE address = ?1 ORDER BY rowid");
      if (!stmt) return stmt.status();
      for (const std::string& address : addresses) {
        Query q(session.connection, *stmt, "reading the institution register");
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
      Result<sqlite3_stmt*> stmt = session.statements.get(
          "SELECT gemeente, begin, end, origin FROM bw_episodes WHERE bsn = ?1 AND begin <> '' ORDER BY begin, id");
      if (!stmt) return stmt.status();
      Query q(session.connection, *stmt, "reading BW episodes");
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
    auto regions = readRegions(session);
    if (!regions) return regions.status();
    for (auto& region : *regions) *context.add_regions() = std::move(region);
    return Status::ok();
  });
  if (!read.isOk()) return read;
  context.set_looked_up(true);
  return context;
  });
}

Result<ReferenceCounts> SqliteReferenceStore::counts() {
  std::lock_guard lock(reader_.mutex);
  ReferenceCounts counts;
  const std::pair<const char*, std::uint64_t*> queries[] = {
      {"SELECT COUNT(*) FROM brp_periods", &counts.brp_periods},
      {"SELECT COUNT(DISTINCT bsn) FROM brp_periods", &counts.brp_clients},
      {"SELECT COUNT(*) FROM institutions", &counts.institutions},
      {"SELECT COUNT(*) FROM bw_episodes WHERE origin = 'import'", &counts.episodes_imported},
      {"SELECT COUNT(*) FROM bw_episodes WHERE origin <> 'import'", &counts.episodes_from_traffic},
      {"SELECT COUNT(*) FROM regions", &counts.region_members},
  };
  for (const auto& [sql, out] : queries) {
    Result<std::uint64_t> n = reader_.count(sql, "counting reference data");
    if (!n) return n.status();
    *out = *n;
  }
  return counts;
}

// The BW episodes learnt from the traffic (issue 5): a start sets the begin (a resend after a
// withdrawal corrects it); a stop sets the end and, when it came first (out of order), the begin
// it names. An episode learnt from a message under review says so in its origin.
Status SqliteReferenceStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  const sqlite::Connection& connection = writer_.connection();
  for (const proto::EpisodeUpdate& update : result.episode_updates()) {
    switch (update.kind()) {
      case proto::EpisodeUpdate::START: {
        Result<sqlite3_stmt*> stmt = write_.get(
            "INSERT INTO bw_episodes (bsn, gemeente, toewijzing_nummer, begin, end, origin, message_id) "
            "VALUES (?1, ?2, ?3, ?4, '', 'message #' || ?5 || CASE WHEN ?6 THEN ' (under review)' ELSE '' END, ?5) "
            "ON CONFLICT (bsn, gemeente, toewijzing_nummer) WHERE origin <> 'import' "
            "DO UPDATE SET begin = excluded.begin, origin = excluded.origin, message_id = excluded.message_id");
        if (!stmt) return stmt.status();
        Query q(connection, *stmt, "recording the start of a BW episode");
        IWMO_RETURN_IF_ERROR(q.bindText(1, update.bsn())
                                 .bindText(2, update.gemeente())
                                 .bind(3, update.toewijzing_nummer())
                                 .bindText(4, update.begin())
                                 .bind(5, context.message_id)
                                 .bindBool(6, update.under_review())
                                 .run());
        break;
      }
      case proto::EpisodeUpdate::START_WITHDRAWN: {
        Result<sqlite3_stmt*> stmt = write_.get(
            "DELETE FROM bw_episodes WHERE bsn = ?1 AND gemeente = ?2 AND toewijzing_nummer = ?3 AND origin <> 'import'");
        if (!stmt) return stmt.status();
        Query q(connection, *stmt, "withdrawing the start of a BW episode");
        IWMO_RETURN_IF_ERROR(
            q.bindText(1, update.bsn()).bindText(2, update.gemeente()).bind(3, update.toewijzing_nummer()).run());
        break;
      }
      case proto::EpisodeUpdate::STOP: {
        Result<sqlite3_stmt*> stmt = write_.get(
            "INSERT INTO bw_episodes (bsn, gemeente, toewijzing_nummer, begin, end, origin, message_id) "
            "VALUES (?1, ?2, ?3, ?4, ?6, 'message #' || ?5 || CASE WHEN ?7 THEN ' (under review)' ELSE '' END, ?5) "
            "ON CONFLICT (bsn, gemeente, toewijzing_nummer) WHERE origin <> 'import' "
            "DO UPDATE SET end = excluded.end, begin = CASE WHEN begin = '' THEN excluded.begin ELSE begin END, "
            "origin = CASE WHEN excluded.origin LIKE '%(under review)' THEN excluded.origin ELSE origin END");
        if (!stmt) return stmt.status();
        Query q(connection, *stmt, "recording the end of a BW episode");
        IWMO_RETURN_IF_ERROR(q.bindText(1, update.bsn())
                                 .bindText(2, update.gemeente())
                                 .bind(3, update.toewijzing_nummer())
                                 .bindText(4, update.begin())
                                 .bind(5, context.message_id)
                                 .bindText(6, update.end())
                                 .bindBool(7, update.under_review())
                                 .run());
        break;
      }
      case proto::EpisodeUpdate::STOP_WITHDRAWN: {
        Result<sqlite3_stmt*> stmt = write_.get(
            "UPDATE bw_episodes SET end = '' WHERE bsn = ?1 AND gemeente = ?2 AND toewijzing_nummer = ?3 "
            "AND origin <> 'import'");
        if (!stmt) return stmt.status();
        Query q(connection, *stmt, "withdrawing the end of a BW episode");
        IWMO_RETURN_IF_ERROR(
            q.bindText(1, update.bsn()).bindText(2, update.gemeente()).bind(3, update.toewijzing_nummer()).run());
        break;
      }
      default:
        return Status::invalid(sqlite::prefixOf(writer_.file()) + "message #" + std::to_string(context.message_id) +
                               ": a BW episode update without a kind");
    }
  }
  return Status::ok();
}

}  // namespace iwmo::journal
