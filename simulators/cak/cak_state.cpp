#include "simulators/cak/cak_state.h"

namespace iwmo::simulators::cak {
namespace fs = std::filesystem;
using journal::sqlite::Connection;
using journal::sqlite::Query;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Every heen message answered: for TR056 (9056) and to answer a re-read file identically.
CREATE TABLE IF NOT EXISTS answered (
  afzender TEXT NOT NULL, message_type TEXT NOT NULL, identificatie TEXT NOT NULL,
  sha256 TEXT NOT NULL, retour_name TEXT NOT NULL, retour BLOB NOT NULL,
  PRIMARY KEY (afzender, message_type, identificatie));
-- The CAK's copy of every accepted period (key: Afzender + Bsn + kind + start number).
CREATE TABLE IF NOT EXISTS periods (
  afzender TEXT NOT NULL, bsn TEXT NOT NULL, kind TEXT NOT NULL, nummer INTEGER NOT NULL,
  status TEXT NOT NULL, startdatum TEXT NOT NULL, stopdatum TEXT NOT NULL,
  has_kostprijs INTEGER NOT NULL, kostprijs_bedrag INTEGER NOT NULL, kostprijs_startdatum TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (afzender, bsn, kind, nummer));
)sql";

}  // namespace

Result<std::unique_ptr<CakState>> CakState::open(const fs::path& file) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  auto connection = Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  IWMO_RETURN_IF_ERROR(connection->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "configuring"));
  IWMO_RETURN_IF_ERROR(connection->exec(kSchema, "creating the simulator's tables"));
  return std::unique_ptr<CakState>(new CakState(std::move(*connection)));
}

Status CakState::begin() { return connection_.exec("BEGIN IMMEDIATE", "beginning a transaction"); }
Status CakState::commit() { return connection_.exec("COMMIT", "committing"); }
void CakState::rollback() { (void)connection_.exec("ROLLBACK", "rolling back"); }

Result<std::optional<EarlierAnswer>> CakState::answered(const std::string& afzender, const std::string& message_type,
                                                        const std::string& identificatie) {
  auto stmt = connection_.prepare(
      "SELECT sha256, retour_name, retour FROM answered WHERE afzender = ?1 AND message_type = ?2 AND identificatie = ?3");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "reading the answered messages");
  Result<bool> row = q.bindText(1, afzender).bindText(2, message_type).bindText(3, identificatie).step();
  if (!row) return row.status();
  if (!*row) return std::optional<EarlierAnswer>();
  return std::optional<EarlierAnswer>(EarlierAnswer{q.bytes(0), q.bytes(1), q.bytes(2)});
}

Status CakState::recordAnswer(const std::string& afzender, const std::string& message_type,
                              const std::string& identificatie, const EarlierAnswer& answer) {
  auto stmt = connection_.prepare(
      "INSERT OR REPLACE INTO answered (afzender, message_type, identificatie, sha256, retour_name, retour) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "recording an answer");
  return q.bindText(1, afzender).bindText(2, message_type).bindText(3, identificatie).bindText(4, answer.sha256)
      .bindText(5, answer.retour_name).bindBlob(6, answer.retour).run();
}

Result<std::optional<StoredPeriod>> CakState::find(const std::string& afzender, const proto::EbRecord& record) {
  auto stmt = connection_.prepare(
      "SELECT status, startdatum, stopdatum, has_kostprijs, kostprijs_bedrag, kostprijs_startdatum, deleted "
      "FROM periods WHERE afzender = ?1 AND bsn = ?2 AND kind = ?3 AND nummer = ?4");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "reading a period");
  Result<bool> row =
      q.bindText(1, afzender).bindText(2, record.bsn()).bindText(3, record.kind()).bind(4, record.start_nummer()).step();
  if (!row) return row.status();
  if (!*row) return std::optional<StoredPeriod>();
  StoredPeriod stored;
  stored.record.set_bsn(record.bsn());
  stored.record.set_kind(record.kind());
  stored.record.set_start_nummer(record.start_nummer());
  stored.record.set_status_aanlevering(q.bytes(0));
  stored.record.set_startdatum(q.bytes(1));
  stored.record.set_stopdatum(q.bytes(2));
  stored.record.set_has_kostprijs(q.int64(3) != 0);
  stored.record.set_kostprijs_bedrag(q.uint64(4));
  stored.record.set_kostprijs_startdatum(q.bytes(5));
  stored.deleted = q.int64(6) != 0;
  return std::optional<StoredPeriod>(stored);
}

Result<std::vector<proto::EbRecord>> CakState::liveBw(const std::string& afzender, const std::string& bsn,
                                                      std::uint64_t except) {
  auto stmt = connection_.prepare(
      "SELECT nummer, startdatum, stopdatum FROM periods WHERE afzender = ?1 AND bsn = ?2 AND kind = 'BW' "
      "AND deleted = 0 AND nummer <> ?3");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "reading BW periods");
  q.bindText(1, afzender).bindText(2, bsn).bind(3, except);
  std::vector<proto::EbRecord> out;
  while (true) {
    Result<bool> row = q.step();
    if (!row) return row.status();
    if (!*row) break;
    proto::EbRecord& r = out.emplace_back();
    r.set_start_nummer(q.uint64(0));
    r.set_startdatum(q.bytes(1));
    r.set_stopdatum(q.bytes(2));
  }
  return out;
}

Status CakState::store(const std::string& afzender, const StoredPeriod& period) {
  auto stmt = connection_.prepare(
      "INSERT OR REPLACE INTO periods (afzender, bsn, kind, nummer, status, startdatum, stopdatum, has_kostprijs, "
      "kostprijs_bedrag, kostprijs_startdatum, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "storing a period");
  const proto::EbRecord& r = period.record;
  return q.bindText(1, afzender).bindText(2, r.bsn()).bindText(3, r.kind()).bind(4, r.start_nummer())
      .bindText(5, r.status_aanlevering()).bindText(6, r.startdatum()).bindText(7, r.stopdatum())
      .bindBool(8, r.has_kostprijs()).bind(9, r.kostprijs_bedrag()).bindText(10, r.kostprijs_startdatum())
      .bindBool(11, period.deleted).run();
}

Result<std::uint64_t> CakState::nextSequence() {
  IWMO_RETURN_IF_ERROR(connection_.exec(
      "INSERT INTO meta (key, value) VALUES ('retour_seq', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1",
      "numbering a retour"));
  auto stmt = connection_.prepare("SELECT value FROM meta WHERE key = 'retour_seq'");
  if (!stmt) return stmt.status();
  Query q(connection_, stmt->get(), "numbering a retour");
  Result<bool> row = q.step();
  if (!row) return row.status();
  return q.uint64(0);
}

}  // namespace iwmo::simulators::cak
