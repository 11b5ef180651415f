#include "gateway/cli/simulate_cak_command.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "adapters/ieb/eb001.h"
#include "adapters/ieb/ieb_writer.h"
#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/tijdstip.h"
#include "adapters/transport/directory_sink.h"
#include "gateway/base/sha256.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/sqlite_handle.h"
#include "gateway/pipeline/ggk_intake.h"

namespace iwmo::cli {
namespace fs = std::filesystem;
using journal::sqlite::Connection;
using journal::sqlite::Query;
using journal::sqlite::StmtPtr;

namespace {

std::atomic<bool> g_stop{false};
void onSignal(int) { g_stop.store(true); }

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

struct Stored {
  proto::EbRecord record;
  bool deleted = false;
};

class CakState {
 public:
  static Result<std::unique_ptr<CakState>> open(const fs::path& file) {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    auto connection = Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
    if (!connection) return connection.status();
    IWMO_RETURN_IF_ERROR(connection->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", "configuring"));
    IWMO_RETURN_IF_ERROR(connection->exec(kSchema, "creating the simulator's tables"));
    return std::unique_ptr<CakState>(new CakState(std::move(*connection)));
  }

  Status begin() { return connection_.exec("BEGIN IMMEDIATE", "beginning a transaction"); }
  Status commit() { return connection_.exec("COMMIT", "committing"); }
  void rollback() { (void)connection_.exec("ROLLBACK", "rolling back"); }

  Result<std::optional<std::pair<std::string, std::string>>> answered(const std::string& afzender,
                                                                       const std::string& type,
                                                                       const std::string& identificatie,
                                                                       std::string* sha) {
    auto stmt = connection_.prepare(
        "SELECT sha256, retour_name, retour FROM answered WHERE afzender = ?1 AND message_type = ?2 AND identificatie = ?3");
    if (!stmt) return stmt.status();
    Query q(connection_, stmt->get(), "reading the answered messages");
    Result<bool> row = q.bindText(1, afzender).bindText(2, type).bindText(3, identificatie).step();
    if (!row) return row.status();
    if (!*row) return std::optional<std::pair<std::string, std::string>>();
    *sha = q.bytes(0);
    return std::optional<std::pair<std::string, std::string>>(std::make_pair(q.bytes(1), q.bytes(2)));
  }

  Status recordAnswer(const std::string& afzender, const std::string& type, const std::string& identificatie,
                      const std::string& sha, const std::string& name, const std::string& retour) {
    auto stmt = connection_.prepare(
        "INSERT OR REPLACE INTO answered (afzender, message_type, identificatie, sha256, retour_name, retour) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return stmt.status();
    Query q(connection_, stmt->get(), "recording an answer");
    return q.bindText(1, afzender).bindText(2, type).bindText(3, identificatie).bindText(4, sha)
        .bindText(5, name).bindBlob(6, retour).run();
  }

  Result<std::optional<Stored>> find(const std::string& afzender, const proto::EbRecord& r) {
    auto stmt = connection_.prepare(
        "SELECT status, startdatum, stopdatum, has_kostprijs, kostprijs_bedrag, kostprijs_startdatum, deleted "
        "FROM periods WHERE afzender = ?1 AND bsn = ?2 AND kind = ?3 AND nummer = ?4");
    if (!stmt) return stmt.status();
    Query q(connection_, stmt->get(), "reading a period");
    Result<bool> row = q.bindText(1, afzender).bindText(2, r.bsn()).bindText(3, r.kind()).bind(4, r.start_nummer()).step();
    if (!row) return row.status();
    if (!*row) return std::optional<Stored>();
    Stored stored;
    stored.record.set_bsn(r.bsn());
    stored.record.set_kind(r.kind());
    stored.record.set_start_nummer(r.start_nummer());
    stored.record.set_status_aanlevering(q.bytes(0));
    stored.record.set_startdatum(q.bytes(1));
    stored.record.set_stopdatum(q.bytes(2));
    stored.record.set_has_kostprijs(q.int64(3) != 0);
    stored.record.set_kostprijs_bedrag(q.uint64(4));
    stored.record.set_kostprijs_startdatum(q.bytes(5));
    stored.deleted = q.int64(6) != 0;
    return std::optional<Stored>(stored);
  }

  // The current (not deleted) BW periods of a client from one municipality, but `except`.
  Result<std::vector<proto::EbRecord>> liveBw(const std::string& afzender, const std::string& bsn, std::uint64_t except) {
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

  Status store(const std::string& afzender, const proto::EbRecord& r, bool deleted) {
    auto stmt = connection_.prepare(
        "INSERT OR REPLACE INTO periods (afzender, bsn, kind, nummer, status, startdatum, stopdatum, has_kostprijs, "
        "kostprijs_bedrag, kostprijs_startdatum, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!stmt) return stmt.status();
    Query q(connection_, stmt->get(), "storing a period");
    return q.bindText(1, afzender).bindText(2, r.bsn()).bindText(3, r.kind()).bind(4, r.start_nummer())
        .bindText(5, r.status_aanlevering()).bindText(6, r.startdatum()).bindText(7, r.stopdatum())
        .bindBool(8, r.has_kostprijs()).bind(9, r.kostprijs_bedrag()).bindText(10, r.kostprijs_startdatum())
        .bindBool(11, deleted).run();
  }

  Result<std::uint64_t> nextSequence() {
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

 private:
  explicit CakState(Connection c) : connection_(std::move(c)) {}
  Connection connection_;
};

std::optional<Date> dateOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Date::parse(text);
}

bool overlaps(const proto::EbRecord& a, const proto::EbRecord& b) {
  const auto a_start = dateOf(a.startdatum()), b_start = dateOf(b.startdatum());
  if (!a_start || !b_start) return false;
  const auto a_stop = dateOf(a.stopdatum()), b_stop = dateOf(b.stopdatum());
  const bool a_before_b_ends = !b_stop || *a_start <= *b_stop;
  const bool b_before_a_ends = !a_stop || *b_start <= *a_stop;
  return a_before_b_ends && b_before_a_ends;
}

bool sameValues(const proto::EbRecord& a, const proto::EbRecord& b) {
  return a.startdatum() == b.startdatum() && a.stopdatum() == b.stopdatum() && a.has_kostprijs() == b.has_kostprijs() &&
         a.kostprijs_bedrag() == b.kostprijs_bedrag() && a.kostprijs_startdatum() == b.kostprijs_startdatum();
}

// The EB001 code for one record against the CAK's state, or "" when it is accepted. Applies an
// accepted record to the state (inside the caller's transaction).
Result<std::string> checkRecord(CakState& state, const std::string& afzender, Date dagtekening,
                                const proto::EbRecord& r) {
  auto current = state.find(afzender, r);
  if (!current) return current.status();
  const bool at = r.kind() == "AT";
  const auto start = dateOf(r.startdatum());
  const auto stop = dateOf(r.stopdatum());
  if (!start) return std::string("0001");
  const Date ahead = dagtekening.plusMonths(1);
  const Date back12 = dagtekening.plusMonths(-12);
  const Date back36 = dagtekening.plusMonths(-36);
  const std::string& status = r.status_aanlevering();
  const auto overlapBw = [&]() -> Result<bool> {
    if (at) return false;
    auto others = state.liveBw(afzender, r.bsn(), r.start_nummer());
    if (!others) return others.status();
    for (const auto& other : *others) {
      if (overlaps(r, other)) return true;
    }
    return false;
  };
  if (status == "1") {
    if (*current) return std::string("9102");
    if (*start < back12) return std::string("9112");
    if (*start > ahead || (stop && *stop > ahead)) return std::string("9113");
    if (stop && *stop < *start) return std::string("9328");
    auto overlap = overlapBw();
    if (!overlap) return overlap.status();
    if (*overlap) return std::string("9400");
    IWMO_RETURN_IF_ERROR(state.store(afzender, r, false));
    return std::string();
  }
  if (status == "2") {
    if (!*current) return std::string("9103");
    const Stored& cur = **current;
    if (cur.deleted) return std::string(stop ? "9330" : "9104");
    if (r.startdatum() != cur.record.startdatum() && *start < back36) return std::string(at ? "9393" : "9395");
    if (*start > ahead || (stop && *stop > ahead)) return std::string("9113");
    if (stop && *stop < *start) return std::string("9328");
    if (stop && r.stopdatum() != cur.record.stopdatum() && *stop < back36) return std::string("9114");
    auto overlap = overlapBw();
    if (!overlap) return overlap.status();
    if (*overlap) return std::string("9400");
    IWMO_RETURN_IF_ERROR(state.store(afzender, r, false));
    return std::string();
  }
  // status 3
  if (!*current || (*current)->deleted) return std::string("9063");
  const Stored& cur = **current;
  if (!cur.record.stopdatum().empty()) return std::string("9071");
  if (!sameValues(r, cur.record)) return std::string("9329");
  IWMO_RETURN_IF_ERROR(state.store(afzender, cur.record, true));
  return std::string();
}

std::string todayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

bool isCandidate(const fs::directory_entry& entry) {
  const std::string name = entry.path().filename().string();
  if (!entry.is_regular_file() || name.empty() || name[0] == '.') return false;
  if (name.ends_with(".tmp") || name.ends_with(".part")) return false;
  return name.ends_with(".xml");
}

Status moveTo(const fs::path& file, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::rename(file, dir / file.filename(), ec);
  if (!ec) return Status::ok();
  fs::copy_file(file, dir / file.filename(), fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::unavailable("cannot move " + file.string() + " to " + dir.string() + ": " + ec.message());
  fs::remove(file, ec);
  return Status::ok();
}

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Simulator {
  const config::Config& config;
  SimulateCakOptions options;
  Date today;
  std::unique_ptr<adapters::iwmo::IwmoAdapter> adapter;
  // A WMO405/407 in a Di01 envelope is answered in a Du01 (crossRefnummer = the Di01's
  // referentienummer, ontvanger = its zender); a bare one bare, as it came.
  std::unique_ptr<adapters::stuf::EnvelopeReader> envelope_reader;
  std::unique_ptr<adapters::stuf::EnvelopeWriter> envelope_writer;
  std::unique_ptr<CakState> state;
  rules::GemeenteTable gemeenten;
  transport::DirectorySink out;
  transport::DirectorySink errors;
  std::size_t refused = 0;

  void report(const nlohmann::ordered_json& line, const std::string& human) {
    if (options.json) {
      std::cout << line.dump() << "\n";
    } else {
      std::cout << human << "\n";
    }
    std::cout.flush();
  }

  Status deliver(const std::string& name, const std::string& text) {
    std::string where;
    IWMO_RETURN_IF_ERROR(out.deliver(name, text, where));
    return out.sync();
  }

  // The CAK as StUF zender of its Du01 and Fo01 answers.
  static adapters::stuf::StufSystem cakSystem() {
    adapters::stuf::StufSystem system;
    system.organisatie = "CAK";
    system.applicatie = "simulate-cak";
    return system;
  }

  // A Fo01 StUF055 about `heen` (its payload is not schema-valid), as the CAK, which checks the
  // payload (ggk-transport.md), would send through the GGk.
  Status answerFo01(const adapters::stuf::GgkEnvelope& heen, const std::string& detail, const std::string& stem,
                    nlohmann::ordered_json& line) {
    const Timestamp now = SystemClock().now();
    adapters::stuf::Fo01Request request = adapters::stuf::fo01Answering(
        heen, cakSystem(), adapters::stuf::Fo01Code::StUF055, detail, now, adapters::stuf::amsterdamUtcOffsetMinutes(now));
    auto written = envelope_writer->fo01(request);
    if (!written) return Status::internal("the Fo01 about " + stem + " could not be written: " + written.status().message());
    const std::string fo01_name = stem + "-Fo01.xml";
    IWMO_RETURN_IF_ERROR(deliver(fo01_name, written->bytes));
    line["fo01"] = fo01_name;
    return Status::ok();
  }

  Status processFile(const fs::path& file) {
    const std::string document = readAll(file);
    const std::string name = file.filename().string();
    const std::string stem = name.substr(0, name.size() - 4);
    nlohmann::ordered_json line;
    line["file"] = name;
    // The GGk side: a Di01 envelope around the payload.
    std::optional<adapters::stuf::GgkEnvelope> heen_envelope;
    std::string envelope_problem;
    if (pipeline::isGgkDocument(document)) {
      auto unwrapped = envelope_reader->unwrap(document);
      if (!unwrapped) {
        envelope_problem = unwrapped.status().message();
      } else if (unwrapped->kind != adapters::stuf::BerichtKind::Di01) {
        envelope_problem = std::string("a ") + std::string(adapters::stuf::berichtKindName(unwrapped->kind)) +
                           " is not for the CAK to answer: the gateway sends WMO405 / WMO407 in a Di01";
      } else {
        heen_envelope = std::move(*unwrapped);
      }
      line["envelope"] = heen_envelope ? "Di01" : "refused";
    }
    const std::string payload = heen_envelope ? heen_envelope->payload : document;
    proto::Envelope envelope;
    if (envelope_problem.empty()) adapter->validate(payload, file.string(), envelope);
    const proto::MessageSummary& summary = envelope.summary();
    const std::string& type = summary.message_type();
    line["message_type"] = type;
    if (heen_envelope && envelope.verdict().valid() && heen_envelope->functie != type) {
      envelope_problem = "the envelope's functie " + heen_envelope->functie + " does not name its payload, a " + type;
    }
    const bool level_one = !envelope.verdict().valid() && envelope.verdict().level() <= 1;
    if (!envelope_problem.empty() || level_one || (type != "WMO405" && type != "WMO407")) {
      std::string report = "iwmo-gateway simulate-cak: " + file.string() + " refused (level 1, no retour)\n";
      if (!envelope_problem.empty()) {
        report += "  StUF-GGk envelope: " + envelope_problem + "\n";
      } else if (type != "WMO405" && type != "WMO407" && envelope.verdict().valid()) {
        report += "  " + (type.empty() ? std::string("unknown type") : type) + " is not a message for the CAK (WMO405 / WMO407)\n";
      }
      for (const auto& f : envelope.verdict().findings()) {
        report += "  " + std::to_string(f.line()) + ":" + std::to_string(f.column()) + " " + f.code() + " " + f.path() +
                  ": " + f.message() + "\n";
      }
      std::string where;
      IWMO_RETURN_IF_ERROR(errors.deliver(name + ".error.txt", report, where));
      IWMO_RETURN_IF_ERROR(errors.sync());
      if (heen_envelope && envelope_problem.empty() && level_one) {
        const proto::Finding* first = envelope.verdict().findings().empty() ? nullptr : &envelope.verdict().findings(0);
        IWMO_RETURN_IF_ERROR(answerFo01(*heen_envelope, first ? first->code() + " " + first->path() + ": " + first->message() : "",
                                        stem, line));
      }
      IWMO_RETURN_IF_ERROR(moveTo(file, options.processed));
      ++refused;
      line["outcome"] = "refused";
      line["report"] = where;
      report_line(line, "refused  " + name + " (level 1; report " + where + ")");
      return Status::ok();
    }
    const std::string& afzender = summary.header().afzender();
    const std::string& identificatie = summary.header().identificatie();
    // Of the whole file: a new envelope around the same payload is a new delivery (9056), the
    // same file again is answered again as before.
    const std::string sha = sha256Hex(document);
    std::string earlier_sha;
    auto earlier = state->answered(afzender, type, identificatie, &earlier_sha);
    if (!earlier) return earlier.status();
    if (*earlier && earlier_sha == sha) {
      // The same file again (e.g. after a crash before it moved): the same answer again.
      IWMO_RETURN_IF_ERROR(deliver((*earlier)->first, (*earlier)->second));
      IWMO_RETURN_IF_ERROR(moveTo(file, options.processed));
      line["outcome"] = "repeated";
      report_line(line, "repeated " + name + " -> " + (*earlier)->first + " (answered before)");
      return Status::ok();
    }
    const auto dagtekening = Date::parse(summary.header().dagtekening());
    IWMO_RETURN_IF_ERROR(state->begin());
    std::vector<std::string> header_codes;
    std::vector<adapters::ieb::RetourClient> clients;
    std::size_t rejected = 0;
    Status body = [&]() -> Status {
      if (!envelope.verdict().valid()) {
        header_codes.push_back("0001");  // level 2: header only
        return Status::ok();
      }
      if (*earlier) header_codes.push_back("9056");
      if (dagtekening && *dagtekening > today) header_codes.push_back("8848");
      const rules::GemeenteRecord* gemeente = gemeenten.find(afzender);
      if (gemeente == nullptr || !dagtekening || *dagtekening < gemeente->valid_from ||
          (gemeente->valid_until && *dagtekening >= *gemeente->valid_until)) {
        header_codes.push_back("S300");
      }
      for (const proto::EbRecord& record : summary.eb_records()) {
        std::string code = "0233";
        if (header_codes.empty()) {
          auto checked = checkRecord(*state, afzender, *dagtekening, record);
          if (!checked) return checked.status();
          code = *checked;
        }
        if (code.empty()) continue;
        ++rejected;
        adapters::ieb::RetourClient& client = clients.emplace_back();
        client.record = record;
        client.client_codes = {code == "0233" ? "0233" : "0200"};
        client.period_codes = {code};
      }
      return Status::ok();
    }();
    if (!body.isOk()) {
      state->rollback();
      return body;
    }
    auto seq = state->nextSequence();
    if (!seq) {
      state->rollback();
      return seq.status();
    }
    const std::string retour_type(adapters::ieb::retourTypeOf(type));
    const std::string retour_payload = adapters::ieb::writeRetour(summary, "CAK" + std::to_string(*seq), today, header_codes, clients);
    const std::string retour_name = stem + "-" + retour_type + ".xml";
    // Our own output must pass our schemas, like everything the gateway writes.
    proto::Envelope check;
    adapter->validate(retour_payload, retour_name, check);
    if (!check.verdict().valid()) {
      state->rollback();
      return Status::internal("the retour for " + name + " does not validate: " +
                              (check.verdict().findings().empty() ? std::string("?") : check.verdict().findings(0).message()));
    }
    std::string retour = retour_payload;
    if (heen_envelope) {
      adapters::stuf::WrapRequest wrap;
      wrap.zender = cakSystem();
      wrap.ontvanger_organisatie = heen_envelope->zender.organisatie;
      wrap.functie = retour_type;
      wrap.applicatie_versie = config.ggk_envelope.applicatie_versie;
      wrap.applicatie_subversie = config.ggk_envelope.applicatie_subversie;
      wrap.functie_versie = heen_envelope->functie_versie;
      wrap.functie_subversie = heen_envelope->functie_subversie;
      wrap.tijdstip = SystemClock().now();
      wrap.utc_offset_minutes = adapters::stuf::amsterdamUtcOffsetMinutes(wrap.tijdstip);
      auto written = envelope_writer->wrapRetour(wrap, heen_envelope->referentienummer, retour_payload);
      if (!written) {
        state->rollback();
        return Status::internal("the Du01 envelope of the retour for " + name + " could not be written: " +
                                written.status().message());
      }
      retour = std::move(written->bytes);
      line["cross_refnummer"] = heen_envelope->referentienummer;
    }
    // Recorded (with the state) before it is written: after a crash in between, the file read
    // again is "repeated" and gets these very bytes (a Du01's referentienummer and tijdstip are
    // not derived again).
    if (Status s = state->recordAnswer(afzender, type, identificatie, sha, retour_name, retour); !s.isOk()) {
      state->rollback();
      return s;
    }
    IWMO_RETURN_IF_ERROR(state->commit());
    IWMO_RETURN_IF_ERROR(deliver(retour_name, retour));
    IWMO_RETURN_IF_ERROR(moveTo(file, options.processed));
    std::string codes;
    for (const auto& c : header_codes) codes += (codes.empty() ? "" : ",") + c;
    for (const auto& c : clients) {
      if (c.period_codes.front() != "0233") codes += (codes.empty() ? "" : ",") + c.period_codes.front();
    }
    line["identificatie"] = identificatie;
    line["retour"] = retour_name;
    line["records"] = summary.eb_records_size();
    line["rejected"] = header_codes.empty() ? rejected : static_cast<std::size_t>(summary.eb_records_size());
    line["codes"] = codes;
    const bool all_ok = header_codes.empty() && rejected == 0;
    line["outcome"] = all_ok ? "accepted" : "rejected";
    std::string human = (all_ok ? "accepted " : "rejected ") + name + " -> " + retour_name;
    if (!all_ok) {
      human += " (";
      bool first = true;
      for (const auto& c : header_codes) { human += (first ? "" : "; ") + adapters::ieb::describeEb001(c); first = false; }
      for (const auto& c : clients) {
        if (c.period_codes.front() == "0233") continue;  // not assessed: the header code says why
        human += (first ? "" : "; ") + adapters::ieb::describeEb001(c.period_codes.front());
        first = false;
      }
      human += ")";
    }
    report_line(line, human);
    return Status::ok();
  }

  void report_line(const nlohmann::ordered_json& line, const std::string& human) { report(line, human); }

  Status sweep() {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(options.in, ec)) {
      if (isCandidate(entry)) files.push_back(entry.path());
    }
    if (ec) return Status::unavailable("cannot list " + options.in.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) IWMO_RETURN_IF_ERROR(processFile(file));
    return Status::ok();
  }
};

}  // namespace

int runSimulateCak(const config::Config& config, const SimulateCakOptions& given) {
  SimulateCakOptions options = given;
  const fs::path base = config.state_dir / "cak-simulator";
  if (options.in.empty()) options.in = config.cak.deliver_dir;
  if (options.out.empty()) options.out = config.cak.receive_dir;
  if (options.state.empty()) options.state = base / "state.sqlite";
  if (options.processed.empty()) options.processed = base / "processed";
  const std::string today_text = options.today.empty() ? todayUtc() : options.today;
  const auto today = Date::parse(today_text);
  const auto fail = [](const std::string& message) {
    std::cerr << "iwmo-gateway simulate-cak: " << message << "\n";
    return 2;
  };
  if (!today) return fail("--today must be a date YYYY-MM-DD, got '" + today_text + "'");
  std::error_code ec;
  fs::create_directories(options.in, ec);
  if (!fs::is_directory(options.in, ec)) return fail("--in " + options.in.string() + " is not a directory");
  auto schemas = adapters::xml::SchemaSet::load(config.schemaDirs());
  if (!schemas) return fail(schemas.status().message());
  auto adapter = adapters::iwmo::IwmoAdapter::create(*schemas, parseLimits(config));
  if (!adapter) return fail(adapter.status().message());
  auto state = CakState::open(options.state);
  if (!state) return fail(state.status().message());
  auto gemeenten = loadGemeenteTable(config);
  if (!gemeenten) return fail(gemeenten.status().message());
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return fail(ggk_schemas.status().message());
  adapters::stuf::ReaderLimits reader_limits;
  reader_limits.max_envelope_bytes = config.max_message_bytes;
  auto envelope_reader = adapters::stuf::EnvelopeReader::create(*ggk_schemas, reader_limits);
  if (!envelope_reader) return fail(envelope_reader.status().message());
  adapters::stuf::WriterLimits writer_limits;
  writer_limits.max_envelope_bytes = config.max_message_bytes;
  auto envelope_writer = adapters::stuf::EnvelopeWriter::create(*ggk_schemas, writer_limits);
  if (!envelope_writer) return fail(envelope_writer.status().message());
  Simulator simulator{config,
                      options,
                      *today,
                      std::move(*adapter),
                      std::move(*envelope_reader),
                      std::move(*envelope_writer),
                      std::move(*state),
                      std::move(*gemeenten),
                      transport::DirectorySink(options.out),
                      transport::DirectorySink(options.processed)};
  if (!options.json) {
    std::cerr << "iwmo-gateway simulate-cak: answering WMO405/WMO407 from " << options.in.string() << " into "
              << options.out.string() << " (state " << options.state.string() << ", today " << today_text << ")\n";
  }
  if (Status s = simulator.sweep(); !s.isOk()) return fail(s.message());
  if (options.follow) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    while (!g_stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (Status s = simulator.sweep(); !s.isOk()) return fail(s.message());
    }
  }
  return simulator.refused > 0 ? 1 : 0;
}

}  // namespace iwmo::cli
