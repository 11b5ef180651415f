#include "gateway/cli/ggk_wiring.h"

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/iwmo/retour_writer.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/tijdstip.h"
#include "gateway/base/date.h"
#include "gateway/base/object_pool.h"
#include "gateway/base/sha256.h"
#include "gateway/cli/wiring.h"

namespace iwmo::cli {
namespace {

namespace stuf = adapters::stuf;

constexpr std::string_view kReplaySeed = "iwmo-gateway replay";

// What the emitters share: the configuration, and pools of writers and validating adapters (one
// per worker thread at a time). The pools die with the handler chain that holds this state, so
// before Xerces terminates (issue 16: thread_local ones did not, and a worker process crashed on
// SIGTERM).
struct EmitterState {
  EmitterState(std::shared_ptr<const adapters::xml::SchemaSet> ggk_set,
               std::shared_ptr<const adapters::xml::SchemaSet> iwmo_set, adapters::xml::ParseLimits parse_limits,
               stuf::WriterLimits limits_of_writer)
      : ggk_schemas(std::move(ggk_set)),
        iwmo_schemas(std::move(iwmo_set)),
        limits(parse_limits),
        writer_limits(limits_of_writer),
        writers([this] { return stuf::EnvelopeWriter::create(ggk_schemas, writer_limits); }),
        adapters([this] {
          return adapters::iwmo::IwmoAdapter::create(iwmo_schemas, limits,
                                                     [](std::string_view) { return std::string(kMaskedBsn); });
        }) {}

  std::shared_ptr<const adapters::xml::SchemaSet> ggk_schemas;
  std::shared_ptr<const adapters::xml::SchemaSet> iwmo_schemas;
  adapters::xml::ParseLimits limits;
  stuf::WriterLimits writer_limits;
  config::GgkConfig ggk;
  std::string default_organisatie;  // the first own_gemeente
  bool deterministic = false;
  ObjectPool<stuf::EnvelopeWriter> writers;
  ObjectPool<adapters::iwmo::IwmoAdapter> adapters;

  // [ggk] organisatie when set; otherwise the municipality the message is from or for.
  stuf::StufSystem zender(const std::string& municipality) const {
    stuf::StufSystem system;
    system.organisatie = !ggk.organisatie.empty() ? ggk.organisatie
                         : !municipality.empty()  ? municipality
                                                  : default_organisatie;
    system.applicatie = ggk.applicatie;
    return system;
  }

  // Replay: derived from the batch (the document's content and place), so the same batch gives
  // the same bytes and another batch other numbers.
  std::string reference(std::string_view content, std::uint64_t message_id, int index) const {
    return deterministic ? derivedReferentienummer(std::string(kReplaySeed) + "|" + sha256Hex(content), message_id, index)
                         : std::string();
  }
};

}  // namespace

std::string derivedReferentienummer(std::string_view seed, std::uint64_t message_id, int index) {
  const std::string hex =
      sha256Hex(std::string(seed) + "|" + std::to_string(message_id) + "|" + std::to_string(index));
  std::string uuid = hex.substr(0, 32);
  uuid[12] = '4';                                                  // version 4
  uuid[16] = "89ab"[std::stoi(uuid.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return uuid.substr(0, 8) + "-" + uuid.substr(8, 4) + "-" + uuid.substr(12, 4) + "-" + uuid.substr(16, 4) +
         "-" + uuid.substr(20, 12);
}

Result<std::unique_ptr<handlers::GgkHandler>> makeGgkHandler(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> iwmo_schemas,
    bool deterministic_references) {
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return ggk_schemas.status();
  if (!iwmo_schemas) {
    auto loaded = adapters::xml::SchemaSet::load(config.schemaDirs());
    if (!loaded) return loaded.status();
    iwmo_schemas = std::move(*loaded);
  }
  stuf::WriterLimits writer_limits;
  writer_limits.max_envelope_bytes = config.max_message_bytes;
  auto state = std::make_shared<EmitterState>(std::move(*ggk_schemas), std::move(iwmo_schemas), parseLimits(config),
                                              writer_limits);
  state->ggk = config.ggk_envelope;
  state->default_organisatie = config.own_gemeente.empty() ? std::string() : config.own_gemeente.front();
  state->deterministic = deterministic_references;

  handlers::GgkEmitter emitter;
  emitter.wrap = [state](const handlers::GgkWrapRequest& request) -> Result<handlers::GgkWritten> {
    auto writer = state->writers.acquire();
    if (!writer) return writer.status();
    stuf::WrapRequest wrap;
    wrap.zender = state->zender(request.zender);
    wrap.ontvanger_organisatie = request.ontvanger;
    wrap.functie = request.functie;
    wrap.applicatie_versie = state->ggk.applicatie_versie;
    wrap.applicatie_subversie = state->ggk.applicatie_subversie;
    const bool ieb = request.functie.rfind("WMO40", 0) == 0;  // WMO405-408: iEb 4.0
    wrap.functie_versie = ieb ? state->ggk.ieb_functie_versie : state->ggk.functie_versie;
    wrap.functie_subversie = ieb ? state->ggk.ieb_functie_subversie : state->ggk.functie_subversie;
    wrap.tijdstip = request.at;
    wrap.utc_offset_minutes = stuf::amsterdamUtcOffsetMinutes(request.at);
    wrap.referentienummer = state->reference(request.payload, request.message_id, request.index);
    auto written = request.retour ? (*writer)->wrapRetour(wrap, request.cross_refnummer, request.payload)
                                  : (*writer)->wrapHeen(wrap, request.payload);
    if (!written) return written.status();
    return handlers::GgkWritten{std::move(written->bytes), std::move(written->referentienummer),
                                stuf::formatTijdstip(request.at, wrap.utc_offset_minutes)};
  };
  emitter.fo01 = [state](const handlers::GgkFo01Request& request) -> Result<handlers::GgkWritten> {
    auto writer = state->writers.acquire();
    if (!writer) return writer.status();
    stuf::GgkEnvelope failed;
    failed.zender.organisatie = request.failed.zender_organisatie();
    failed.zender.applicatie = request.failed.zender_applicatie();
    failed.referentienummer = request.failed.referentienummer();
    failed.functie = request.failed.functie();
    failed.applicatie_versie = request.failed.applicatie_versie();
    failed.applicatie_subversie = request.failed.applicatie_subversie();
    const int offset = stuf::amsterdamUtcOffsetMinutes(request.at);
    stuf::Fo01Request fo01 = stuf::fo01Answering(failed, state->zender(request.zender), stuf::Fo01Code::StUF055,
                                                 request.detail, request.at, offset);
    fo01.referentienummer = state->reference(request.failed.referentienummer(), request.message_id, request.index);
    auto written = (*writer)->fo01(fo01);
    if (!written) return written.status();
    return handlers::GgkWritten{std::move(written->bytes), std::move(written->referentienummer),
                                stuf::formatTijdstip(request.at, offset)};
  };
  emitter.retour = [state](const handlers::GgkRetourRequest& request) -> Result<std::string> {
    auto adapter = state->adapters.acquire();
    if (!adapter) return adapter.status();
    const int offset = stuf::amsterdamUtcOffsetMinutes(request.at);
    adapters::iwmo::TechnicalRetourRequest retour;
    retour.identificatie_retour = request.identificatie_retour;
    retour.dagtekening_retour =
        Date::fromDays(static_cast<long>((request.at.micros / 1000000 + offset * 60) / 86400));
    retour.header_codes = request.header_codes;
    retour.echo_body = request.echo_body;
    if (!request.class_codes.empty()) retour.default_class_codes = request.class_codes;
    auto xml = adapters::iwmo::writeTechnicalRetour(request.heen_payload, retour);
    if (!xml) return xml.status();
    proto::Envelope envelope;
    (*adapter)->validate(*xml, "technical retour " + request.identificatie_retour, envelope);
    if (!envelope.verdict().valid() && envelope.verdict().level() <= 1) {
      std::string findings;
      for (const auto& f : envelope.verdict().findings()) {
        findings += (findings.empty() ? "" : "; ") + f.code() + " at " + f.path() + ": " + f.message();
      }
      return Status::internal("the technical retour the gateway wrote is not schema-valid: " + findings);
    }
    return std::move(*xml);
  };
  handlers::GgkHandlerParams params;
  params.envelopes = config.ggk_envelope.envelopes;
  return std::make_unique<handlers::GgkHandler>(params, std::move(emitter));
}

}  // namespace iwmo::cli
