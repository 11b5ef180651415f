#include "simulators/cak/cak_simulator.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "adapters/ieb/eb001.h"
#include "adapters/ieb/ieb_writer.h"
#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/tijdstip.h"
#include "adapters/transport/directory_sink.h"
#include "gateway/base/clock.h"
#include "gateway/base/sha256.h"
#include "gateway/pipeline/ggk_intake.h"
#include "simulators/cak/cak_checks.h"
#include "simulators/cak/cak_state.h"

namespace iwmo::simulators::cak {
namespace fs = std::filesystem;
namespace stuf = adapters::stuf;

struct CakSimulator::Parts {
  std::unique_ptr<adapters::iwmo::IwmoAdapter> adapter;
  // A WMO405/407 in a Di01 envelope is answered in a Du01 (crossRefnummer = the Di01's
  // referentienummer, ontvanger = its zender); a bare one bare, as it came.
  std::unique_ptr<stuf::EnvelopeReader> envelope_reader;
  std::unique_ptr<stuf::EnvelopeWriter> envelope_writer;
  std::unique_ptr<CakState> state;
  transport::DirectorySink out;
  transport::DirectorySink errors;
};

struct CakSimulator::Received {
  fs::path file;
  std::string document;  // the file's bytes
  std::string name;      // its file name
  std::string stem;      // without ".xml"
  std::optional<stuf::GgkEnvelope> heen_envelope;  // the Di01 it came in
  std::string envelope_problem;                    // why its envelope is refused ("" = none)
  proto::Envelope envelope;                        // the payload, validated
  nlohmann::ordered_json line;                     // the report, as it grows
};

struct CakSimulator::Answer {
  std::vector<std::string> header_codes;
  std::vector<adapters::ieb::RetourClient> clients;  // the rejected ones
  std::size_t rejected = 0;
  std::string retour_name;
  std::string retour;  // the bytes to write: the payload, or the Du01 around it
};

namespace {

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

// The CAK as StUF zender of its Du01 and Fo01 answers.
stuf::StufSystem cakSystem() {
  stuf::StufSystem system;
  system.organisatie = "CAK";
  system.applicatie = "simulate-cak";
  return system;
}

bool isForTheCak(const std::string& type) { return type == "WMO405" || type == "WMO407"; }

// The level 1 report written next to a refused file.
std::string refusalReport(const fs::path& file, const std::string& envelope_problem, const proto::Envelope& envelope) {
  const std::string& type = envelope.summary().message_type();
  std::string report = "iwmo-gateway simulate-cak: " + file.string() + " refused (level 1, no retour)\n";
  if (!envelope_problem.empty()) {
    report += "  StUF-GGk envelope: " + envelope_problem + "\n";
  } else if (!isForTheCak(type) && envelope.verdict().valid()) {
    report += "  " + (type.empty() ? std::string("unknown type") : type) + " is not a message for the CAK (WMO405 / WMO407)\n";
  }
  for (const auto& f : envelope.verdict().findings()) {
    report += "  " + std::to_string(f.line()) + ":" + std::to_string(f.column()) + " " + f.code() + " " + f.path() +
              ": " + f.message() + "\n";
  }
  return report;
}

// "accepted NAME -> RETOUR" or "rejected NAME -> RETOUR (meaning; meaning...)".
std::string answerText(const std::string& name, const std::string& retour_name,
                       const std::vector<std::string>& header_codes,
                       const std::vector<adapters::ieb::RetourClient>& clients, bool all_ok) {
  std::string text = (all_ok ? "accepted " : "rejected ") + name + " -> " + retour_name;
  if (all_ok) return text;
  text += " (";
  bool first = true;
  for (const auto& c : header_codes) {
    text += (first ? "" : "; ") + adapters::ieb::describeEb001(c);
    first = false;
  }
  for (const auto& c : clients) {
    if (c.period_codes.front() == "0233") continue;  // not assessed: the header code says why
    text += (first ? "" : "; ") + adapters::ieb::describeEb001(c.period_codes.front());
    first = false;
  }
  return text + ")";
}

}  // namespace

Result<std::unique_ptr<CakSimulator>> CakSimulator::open(CakSimulatorOptions options) {
  std::error_code ec;
  fs::create_directories(options.in, ec);
  if (!fs::is_directory(options.in, ec)) {
    return Status::failedPrecondition("--in " + options.in.string() + " is not a directory");
  }
  auto schemas = adapters::xml::SchemaSet::load(options.schema_dirs);
  if (!schemas) return schemas.status();
  auto adapter = adapters::iwmo::IwmoAdapter::create(*schemas, options.limits);
  if (!adapter) return adapter.status();
  auto state = CakState::open(options.state);
  if (!state) return state.status();
  auto ggk_schemas = adapters::xml::SchemaSet::load(options.ggk_schema_dir);
  if (!ggk_schemas) return ggk_schemas.status();
  stuf::ReaderLimits reader_limits;
  reader_limits.max_envelope_bytes = options.max_envelope_bytes;
  auto envelope_reader = stuf::EnvelopeReader::create(*ggk_schemas, reader_limits);
  if (!envelope_reader) return envelope_reader.status();
  stuf::WriterLimits writer_limits;
  writer_limits.max_envelope_bytes = options.max_envelope_bytes;
  auto envelope_writer = stuf::EnvelopeWriter::create(*ggk_schemas, writer_limits);
  if (!envelope_writer) return envelope_writer.status();
  auto parts = std::unique_ptr<Parts>(new Parts{std::move(*adapter), std::move(*envelope_reader),
                                                std::move(*envelope_writer), std::move(*state),
                                                transport::DirectorySink(options.out),
                                                transport::DirectorySink(options.processed)});
  return std::unique_ptr<CakSimulator>(new CakSimulator(std::move(options), std::move(parts)));
}

CakSimulator::CakSimulator(CakSimulatorOptions options, std::unique_ptr<Parts> parts)
    : options_(std::move(options)), parts_(std::move(parts)) {}

CakSimulator::~CakSimulator() = default;

Status CakSimulator::processDirectory(const std::function<void(const FileReport&)>& report) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.in, ec)) {
    if (isCandidate(entry)) files.push_back(entry.path());
  }
  if (ec) return Status::unavailable("cannot list " + options_.in.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto done = processOne(file);
    if (!done) return done.status();
    report(*done);
  }
  return Status::ok();
}

Result<FileReport> CakSimulator::processOne(const fs::path& file) {
  Received in;
  in.file = file;
  in.document = readAll(file);
  in.name = file.filename().string();
  in.stem = in.name.substr(0, in.name.size() - 4);
  in.line["file"] = in.name;
  // The GGk side: a Di01 envelope around the payload.
  if (pipeline::isGgkDocument(in.document)) {
    auto unwrapped = parts_->envelope_reader->unwrap(in.document);
    if (!unwrapped) {
      in.envelope_problem = unwrapped.status().message();
    } else if (unwrapped->kind != stuf::BerichtKind::Di01) {
      in.envelope_problem = std::string("a ") + std::string(stuf::berichtKindName(unwrapped->kind)) +
                            " is not for the CAK to answer: the gateway sends WMO405 / WMO407 in a Di01";
    } else {
      in.heen_envelope = std::move(*unwrapped);
    }
    in.line["envelope"] = in.heen_envelope ? "Di01" : "refused";
  }
  const std::string payload = in.heen_envelope ? in.heen_envelope->payload : in.document;
  if (in.envelope_problem.empty()) parts_->adapter->validate(payload, file.string(), in.envelope);
  const proto::MessageSummary& summary = in.envelope.summary();
  const std::string& type = summary.message_type();
  in.line["message_type"] = type;
  if (in.heen_envelope && in.envelope.verdict().valid() && in.heen_envelope->functie != type) {
    in.envelope_problem = "the envelope's functie " + in.heen_envelope->functie + " does not name its payload, a " + type;
  }
  const bool level_one = !in.envelope.verdict().valid() && in.envelope.verdict().level() <= 1;
  if (!in.envelope_problem.empty() || level_one || !isForTheCak(type)) return refuse(in);
  // Of the whole file: a new envelope around the same payload is a new delivery (9056), the
  // same file again is answered again as before.
  auto earlier = parts_->state->answered(summary.header().afzender(), type, summary.header().identificatie());
  if (!earlier) return earlier.status();
  if (*earlier && (*earlier)->sha256 == sha256Hex(in.document)) {
    return repeat(in, (*earlier)->retour_name, (*earlier)->retour);
  }
  return answerMessage(in, earlier->has_value());
}

Result<FileReport> CakSimulator::refuse(Received& in) {
  const proto::Verdict& verdict = in.envelope.verdict();
  std::string where;
  IWMO_RETURN_IF_ERROR(
      parts_->errors.deliver(in.name + ".error.txt", refusalReport(in.file, in.envelope_problem, in.envelope), where));
  IWMO_RETURN_IF_ERROR(parts_->errors.sync());
  const bool level_one = !verdict.valid() && verdict.level() <= 1;
  if (in.heen_envelope && in.envelope_problem.empty() && level_one) IWMO_RETURN_IF_ERROR(answerFo01(in));
  IWMO_RETURN_IF_ERROR(moveTo(in.file, options_.processed));
  ++refused_;
  in.line["outcome"] = "refused";
  in.line["report"] = where;
  return FileReport{in.line.dump(), "refused  " + in.name + " (level 1; report " + where + ")"};
}

// The same file again (e.g. after a crash before it moved): the same answer again.
Result<FileReport> CakSimulator::repeat(Received& in, const std::string& retour_name, const std::string& retour) {
  IWMO_RETURN_IF_ERROR(deliver(retour_name, retour));
  IWMO_RETURN_IF_ERROR(moveTo(in.file, options_.processed));
  in.line["outcome"] = "repeated";
  return FileReport{in.line.dump(), "repeated " + in.name + " -> " + retour_name + " (answered before)"};
}

Result<FileReport> CakSimulator::answerMessage(Received& in, bool answered_before) {
  IWMO_RETURN_IF_ERROR(parts_->state->begin());
  auto answer = judgeAndWrite(in, answered_before);
  if (!answer) {
    parts_->state->rollback();
    return answer.status();
  }
  IWMO_RETURN_IF_ERROR(parts_->state->commit());
  IWMO_RETURN_IF_ERROR(deliver(answer->retour_name, answer->retour));
  IWMO_RETURN_IF_ERROR(moveTo(in.file, options_.processed));
  const proto::MessageSummary& summary = in.envelope.summary();
  std::string codes;
  for (const auto& c : answer->header_codes) codes += (codes.empty() ? "" : ",") + c;
  for (const auto& c : answer->clients) {
    if (c.period_codes.front() != "0233") codes += (codes.empty() ? "" : ",") + c.period_codes.front();
  }
  in.line["identificatie"] = summary.header().identificatie();
  in.line["retour"] = answer->retour_name;
  in.line["records"] = summary.eb_records_size();
  in.line["rejected"] = answer->header_codes.empty() ? answer->rejected
                                                     : static_cast<std::size_t>(summary.eb_records_size());
  in.line["codes"] = codes;
  const bool all_ok = answer->header_codes.empty() && answer->rejected == 0;
  in.line["outcome"] = all_ok ? "accepted" : "rejected";
  return FileReport{in.line.dump(),
                    answerText(in.name, answer->retour_name, answer->header_codes, answer->clients, all_ok)};
}

// Inside the caller's transaction: the verdict, the state it changes, the retour and its record.
Result<CakSimulator::Answer> CakSimulator::judgeAndWrite(Received& in, bool answered_before) {
  const proto::MessageSummary& summary = in.envelope.summary();
  Answer answer;
  if (!in.envelope.verdict().valid()) {
    answer.header_codes.push_back("0001");  // level 2: header only
  } else {
    answer.header_codes = checkHeader(summary.header().afzender(), Date::parse(summary.header().dagtekening()),
                                      answered_before, options_.today, options_.gemeenten);
    IWMO_RETURN_IF_ERROR(judgeRecords(in, answer));
  }
  auto seq = parts_->state->nextSequence();
  if (!seq) return seq.status();
  const std::string retour_type(adapters::ieb::retourTypeOf(summary.message_type()));
  answer.retour = adapters::ieb::writeRetour(summary, "CAK" + std::to_string(*seq), options_.today,
                                             answer.header_codes, answer.clients);
  answer.retour_name = in.stem + "-" + retour_type + ".xml";
  // Our own output must pass our schemas, like everything the gateway writes.
  proto::Envelope check;
  parts_->adapter->validate(answer.retour, answer.retour_name, check);
  if (!check.verdict().valid()) {
    return Status::internal("the retour for " + in.name + " does not validate: " +
                            (check.verdict().findings().empty() ? std::string("?") : check.verdict().findings(0).message()));
  }
  if (in.heen_envelope) IWMO_RETURN_IF_ERROR(wrapInDu01(in, answer));
  // Recorded (with the state) before it is written: after a crash in between, the file read
  // again is "repeated" and gets these very bytes (a Du01's referentienummer and tijdstip are
  // not derived again).
  IWMO_RETURN_IF_ERROR(parts_->state->recordAnswer(summary.header().afzender(), summary.message_type(),
                                                   summary.header().identificatie(),
                                                   {sha256Hex(in.document), answer.retour_name, answer.retour}));
  return answer;
}

// Every record against the state (none assessed, 0233, when the header has a code); the
// accepted ones change it.
Status CakSimulator::judgeRecords(Received& in, Answer& answer) {
  const proto::MessageSummary& summary = in.envelope.summary();
  const std::string& afzender = summary.header().afzender();
  const auto dagtekening = Date::parse(summary.header().dagtekening());
  for (const proto::EbRecord& record : summary.eb_records()) {
    std::string code = "0233";
    if (answer.header_codes.empty()) {
      PeriodHistory history;
      auto current = parts_->state->find(afzender, record);
      if (!current) return current.status();
      history.current = std::move(*current);
      if (record.kind() != "AT") {
        auto others = parts_->state->liveBw(afzender, record.bsn(), record.start_nummer());
        if (!others) return others.status();
        history.other_live_bw = std::move(*others);
      }
      RecordCheck checked = checkRecord(record, history, *dagtekening);
      if (checked.apply) IWMO_RETURN_IF_ERROR(parts_->state->store(afzender, *checked.apply));
      code = std::move(checked.code);
    }
    if (code.empty()) continue;
    ++answer.rejected;
    adapters::ieb::RetourClient& client = answer.clients.emplace_back();
    client.record = record;
    client.client_codes = {code == "0233" ? "0233" : "0200"};
    client.period_codes = {code};
  }
  return Status::ok();
}

Status CakSimulator::wrapInDu01(Received& in, Answer& answer) {
  const stuf::GgkEnvelope& heen = *in.heen_envelope;
  stuf::WrapRequest wrap;
  wrap.zender = cakSystem();
  wrap.ontvanger_organisatie = heen.zender.organisatie;
  wrap.functie = std::string(adapters::ieb::retourTypeOf(in.envelope.summary().message_type()));
  wrap.applicatie_versie = options_.applicatie_versie;
  wrap.applicatie_subversie = options_.applicatie_subversie;
  wrap.functie_versie = heen.functie_versie;
  wrap.functie_subversie = heen.functie_subversie;
  wrap.tijdstip = SystemClock().now();
  wrap.utc_offset_minutes = stuf::amsterdamUtcOffsetMinutes(wrap.tijdstip);
  auto written = parts_->envelope_writer->wrapRetour(wrap, heen.referentienummer, answer.retour);
  if (!written) {
    return Status::internal("the Du01 envelope of the retour for " + in.name + " could not be written: " +
                            written.status().message());
  }
  answer.retour = std::move(written->bytes);
  in.line["cross_refnummer"] = heen.referentienummer;
  return Status::ok();
}

// A Fo01 StUF055 about the Di01 `in` came in (its payload is not schema-valid), as the CAK, which
// checks the payload (ggk-transport.md), would send through the GGk.
Status CakSimulator::answerFo01(Received& in) {
  const auto& findings = in.envelope.verdict().findings();
  const std::string detail =
      findings.empty() ? std::string() : findings[0].code() + " " + findings[0].path() + ": " + findings[0].message();
  const Timestamp now = SystemClock().now();
  stuf::Fo01Request request = stuf::fo01Answering(*in.heen_envelope, cakSystem(), stuf::Fo01Code::StUF055, detail,
                                                  now, stuf::amsterdamUtcOffsetMinutes(now));
  auto written = parts_->envelope_writer->fo01(request);
  if (!written) return Status::internal("the Fo01 about " + in.stem + " could not be written: " + written.status().message());
  const std::string fo01_name = in.stem + "-Fo01.xml";
  IWMO_RETURN_IF_ERROR(deliver(fo01_name, written->bytes));
  in.line["fo01"] = fo01_name;
  return Status::ok();
}

Status CakSimulator::deliver(const std::string& name, const std::string& bytes) {
  std::string where;
  IWMO_RETURN_IF_ERROR(parts_->out.deliver(name, bytes, where));
  return parts_->out.sync();
}

}  // namespace iwmo::simulators::cak
