#include "gateway/cli/ggk_command.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/tijdstip.h"
#include "gateway/base/clock.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_journal.h"

namespace iwmo::cli {
namespace fs = std::filesystem;

namespace {

int fail(const std::string& message) {
  std::cerr << "iwmo-gateway ggk: " << message << "\n";
  return 2;
}

Result<std::string> readInput(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::notFound("cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int wrapFile(const config::Config& config, const GgkOptions& options) {
  auto bytes = readInput(options.file);
  if (!bytes) return fail(bytes.status().message());
  auto schemas = adapters::xml::SchemaSet::load(config.schemaDirs());
  if (!schemas) return fail(schemas.status().message());
  auto adapter = adapters::iwmo::IwmoAdapter::create(*schemas, parseLimits(config), operatorPseudonymiser(config));
  if (!adapter) return fail(adapter.status().message());
  proto::Envelope envelope;
  (*adapter)->validate(*bytes, options.file.string(), envelope);
  const bool refused = envelope.summary().message_type().empty() ||
                       (envelope.verdict().level() == 1 && !options.allow_invalid);
  if (refused) {
    std::cerr << "iwmo-gateway ggk wrap: " << options.file.string()
              << " is not a schema-valid iWmo/iEb message, so it is not wrapped"
              << (envelope.summary().message_type().empty() ? " (its type is not recognised)" : " (--allow-invalid wraps it anyway, for test batches)")
              << ":\n";
    for (const auto& finding : envelope.verdict().findings()) {
      std::cerr << "  " << finding.line() << ":" << finding.column() << " " << finding.code() << " " << finding.path()
                << ": " << finding.message() << "\n";
    }
    return 1;
  }
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return fail(ggk_schemas.status().message());
  auto writer = adapters::stuf::EnvelopeWriter::create(*ggk_schemas);
  if (!writer) return fail(writer.status().message());
  const proto::Routing& routing = envelope.summary().routing();
  adapters::stuf::WrapRequest request;
  // --zender, else [ggk] organisatie, else the municipality in the payload header.
  request.zender.organisatie = !options.zender.empty()                  ? options.zender
                               : !config.ggk_envelope.organisatie.empty() ? config.ggk_envelope.organisatie
                                                                          : routing.gemeente();
  request.zender.applicatie = config.ggk_envelope.applicatie;
  request.ontvanger_organisatie = options.ontvanger.empty() ? routing.physical_receiver() : options.ontvanger;
  request.functie = envelope.summary().message_type();
  request.applicatie_versie = config.ggk_envelope.applicatie_versie;
  request.applicatie_subversie = config.ggk_envelope.applicatie_subversie;
  request.functie_versie = config.ggk_envelope.functie_versie;
  request.functie_subversie = config.ggk_envelope.functie_subversie;
  request.tijdstip = SystemClock().now();
  request.utc_offset_minutes = adapters::stuf::amsterdamUtcOffsetMinutes(request.tijdstip);
  request.referentienummer = options.referentienummer;
  const auto refuse = [](const std::string& message) {
    std::cerr << "iwmo-gateway ggk wrap: " << message << "\n";
    return 1;
  };
  if (routing.is_retour() && options.ontvanger.empty()) {
    return refuse(request.functie + " is a retour: give --ontvanger with the zender/organisatie of the Di01 its heen "
                "message came in (the payload header repeats the heen's parties, it does not say who gets the retour)");
  }
  if (routing.is_retour() && options.cross_refnummer.empty()) {
    return refuse(request.functie + " is a retour: it travels in a Du01; give --cross-ref with the referentienummer "
                "of the Di01 its heen message came in");
  }
  auto written = routing.is_retour() ? (*writer)->wrapRetour(request, options.cross_refnummer, *bytes)
                                     : (*writer)->wrapHeen(request, *bytes);
  if (!written) {
    std::cerr << "iwmo-gateway ggk wrap: " << written.status().message() << "\n";
    return 1;
  }
  std::cout << written->bytes;
  std::cerr << (routing.is_retour() ? "Du01 " : "Di01 ") << written->referentienummer << " (" << request.functie
            << " from " << request.zender.organisatie << " to " << request.ontvanger_organisatie << ")\n";
  return 0;
}

int unwrapFile(const config::Config& config, const GgkOptions& options) {
  auto bytes = readInput(options.file);
  if (!bytes) return fail(bytes.status().message());
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return fail(ggk_schemas.status().message());
  adapters::stuf::ReaderLimits limits;
  limits.max_envelope_bytes = config.max_message_bytes;
  auto reader = adapters::stuf::EnvelopeReader::create(*ggk_schemas, limits);
  if (!reader) return fail(reader.status().message());
  adapters::stuf::ReadOutcome outcome;
  (*reader)->read(*bytes, outcome);
  if (!outcome.ok()) {
    std::cerr << "iwmo-gateway ggk unwrap: " << options.file.string() << ": " << outcome.status().message() << "\n";
    for (const auto& problem : outcome.problems) {
      std::cerr << "  " << problem.line << ":" << problem.column << " " << problem.rule << " " << problem.element << ": "
                << problem.message << "\n";
    }
    return 1;
  }
  if (outcome.kind == adapters::stuf::BerichtKind::Fo01) {
    const auto& fo01 = outcome.fo01;
    std::cout << "Fo01 " << fo01.referentienummer << " from " << fo01.zender.organisatie << " about "
              << fo01.cross_refnummer << "\n  " << fo01.code << " (" << fo01.plek << "): " << fo01.omschrijving << "\n";
    if (!fo01.details.empty()) std::cout << "  details: " << fo01.details << "\n";
    return 0;
  }
  const auto& envelope = outcome.envelope;
  std::cout << envelope.payload;
  std::cerr << adapters::stuf::berichtKindName(envelope.kind) << " " << envelope.referentienummer << " ("
            << envelope.functie << " from " << envelope.zender.organisatie << " to " << envelope.ontvanger.organisatie
            << (envelope.cross_refnummer.empty() ? "" : ", crossRefnummer " + envelope.cross_refnummer) << ")\n";
  return 0;
}

}  // namespace

int runGgk(const config::Config& config, const GgkOptions& options) {
  if (options.action == "wrap") return wrapFile(config, options);
  if (options.action == "unwrap") return unwrapFile(config, options);
  auto journal = openOperatorJournal(config, options.journal);
  if (!journal) return fail(journal.status().message());
  journal::GgkStore& store = (*journal)->ggk();
  if (options.action == "done") {
    auto done = store.resolveError(options.item_id, options.note, SystemClock().now());
    if (!done) return fail(done.status().message());
    if (!*done) {
      std::cerr << "iwmo-gateway ggk: no open Fo01 error " << options.item_id << " (see `iwmo-gateway ggk errors`)\n";
      return 1;
    }
    std::cout << "Fo01 error " << options.item_id << " closed\n";
    return 0;
  }
  auto errors = store.errors(options.all);
  if (!errors) return fail(errors.status().message());
  if (options.json) {
    for (const auto& row : *errors) {
      nlohmann::ordered_json line;
      line["id"] = row.id;
      line["message_id"] = row.message_id;
      line["at"] = row.at.toIso8601();
      line["code"] = row.error.code();
      line["plek"] = row.error.plek();
      line["omschrijving"] = row.error.omschrijving();
      line["details"] = row.error.details();
      line["zender"] = row.error.zender();
      line["cross_refnummer"] = row.error.cross_refnummer();
      line["matched"] = row.error.matched();
      if (row.error.matched()) {
        const proto::GgkSentRecord& sent = row.error.concerns();
        line["concerns"] = {{"functie", sent.functie()},
                            {"kind", sent.kind()},
                            {"referentienummer", sent.referentienummer()},
                            {"message_id", sent.message_id()},
                            {"ontvanger", sent.ontvanger()},
                            {"identificatie", sent.identificatie()},
                            {"file", sent.file_name()}};
      }
      line["state"] = row.state;
      if (!row.note.empty()) line["note"] = row.note;
      std::cout << line.dump() << "\n";
    }
    return 0;
  }
  if (errors->empty()) {
    std::cout << (options.all ? "no Fo01 errors from the chain\n" : "no open Fo01 errors from the chain\n");
    return 0;
  }
  for (const auto& row : *errors) {
    std::cout << row.id << "  " << row.at.toIso8601() << "  " << row.error.code() << " from " << row.error.zender()
              << (row.state == "done" ? "  [done: " + row.note + "]" : "") << "\n";
    std::cout << "    " << row.error.omschrijving() << "\n";
    if (!row.error.details().empty()) std::cout << "    details: " << row.error.details() << "\n";
    if (row.error.matched()) {
      const proto::GgkSentRecord& sent = row.error.concerns();
      std::cout << "    concerns: " << sent.functie() << (sent.identificatie().empty() ? "" : " " + sent.identificatie())
                << " to " << sent.ontvanger() << ", sent by message #" << sent.message_id() << " as " << sent.kind()
                << " " << sent.referentienummer() << " (" << sent.file_name() << ")\n";
      std::cout << "    see: iwmo-gateway explain " << sent.message_id() << "\n";
    } else {
      std::cout << "    concerns: nothing the gateway sent (crossRefnummer " << row.error.cross_refnummer()
                << "); check the Fo01 itself: iwmo-gateway explain " << row.message_id << "\n";
    }
  }
  std::cout << "close one with: iwmo-gateway ggk done ID --note \"what was done\"\n";
  return 0;
}

}  // namespace iwmo::cli
