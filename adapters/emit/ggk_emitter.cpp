#include "adapters/emit/ggk_emitter.h"

#include "adapters/emit/findings_text.h"
#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/iwmo/retour_writer.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/tijdstip.h"
#include "gateway/base/date.h"
#include "gateway/base/object_pool.h"
#include "gateway/base/sha256.h"

namespace iwmo::adapters::emit {
namespace {

// What the three functions share: the parameters, and pools of writers and validating adapters
// (one per worker thread at a time). The pools die with the emitter's functions, so with the
// handler chain that holds them, before Xerces terminates (issue 16: thread_local ones did not,
// and a worker process crashed on SIGTERM).
struct EmitterState {
  EmitterState(std::shared_ptr<const xml::SchemaSet> ggk_set, std::shared_ptr<const xml::SchemaSet> iwmo_set,
               GgkEmitterParams emitter_params)
      : ggk_schemas(std::move(ggk_set)),
        iwmo_schemas(std::move(iwmo_set)),
        params(std::move(emitter_params)),
        writers([this] {
          stuf::WriterLimits limits;
          limits.max_envelope_bytes = params.max_envelope_bytes;
          return stuf::EnvelopeWriter::create(ggk_schemas, limits);
        }),
        adapters([this] { return iwmo::IwmoAdapter::create(iwmo_schemas, params.limits, params.pseudonymise); }) {}

  std::shared_ptr<const xml::SchemaSet> ggk_schemas;
  std::shared_ptr<const xml::SchemaSet> iwmo_schemas;
  GgkEmitterParams params;
  ObjectPool<stuf::EnvelopeWriter> writers;
  ObjectPool<iwmo::IwmoAdapter> adapters;

  // params.organisatie when set; otherwise the municipality the message is from or for.
  stuf::StufSystem zender(const std::string& municipality) const {
    stuf::StufSystem system;
    system.organisatie = !params.organisatie.empty() ? params.organisatie
                         : !municipality.empty()     ? municipality
                                                     : params.default_organisatie;
    system.applicatie = params.applicatie;
    return system;
  }

  // Replay: derived from the batch (the document's content and place), so the same batch gives
  // the same bytes and another batch other numbers. Otherwise "": the writer draws a random one.
  std::string reference(std::string_view content, std::uint64_t message_id, int index) const {
    return params.deterministic_references
               ? derivedReferentienummer(std::string(kReplaySeed) + "|" + sha256Hex(content), message_id, index)
               : std::string();
  }
};

Result<handlers::GgkWritten> wrap(EmitterState& state, const handlers::GgkWrapRequest& request) {
  auto writer = state.writers.acquire();
  if (!writer) return writer.status();
  stuf::WrapRequest wrap;
  wrap.zender = state.zender(request.zender);
  wrap.ontvanger_organisatie = request.ontvanger;
  wrap.functie = request.functie;
  wrap.applicatie_versie = state.params.applicatie_versie;
  wrap.applicatie_subversie = state.params.applicatie_subversie;
  const bool ieb = request.functie.rfind("WMO40", 0) == 0;  // WMO405-408: iEb 4.0
  wrap.functie_versie = ieb ? state.params.ieb_functie_versie : state.params.functie_versie;
  wrap.functie_subversie = ieb ? state.params.ieb_functie_subversie : state.params.functie_subversie;
  wrap.tijdstip = request.at;
  wrap.utc_offset_minutes = stuf::amsterdamUtcOffsetMinutes(request.at);
  wrap.referentienummer = state.reference(request.payload, request.message_id, request.index);
  auto written = request.retour ? (*writer)->wrapRetour(wrap, request.cross_refnummer, request.payload)
                                : (*writer)->wrapHeen(wrap, request.payload);
  if (!written) return written.status();
  return handlers::GgkWritten{std::move(written->bytes), std::move(written->referentienummer),
                              stuf::formatTijdstip(request.at, wrap.utc_offset_minutes)};
}

Result<handlers::GgkWritten> fo01(EmitterState& state, const handlers::GgkFo01Request& request) {
  auto writer = state.writers.acquire();
  if (!writer) return writer.status();
  stuf::GgkEnvelope failed;
  failed.zender.organisatie = request.failed.zender_organisatie();
  failed.zender.applicatie = request.failed.zender_applicatie();
  failed.referentienummer = request.failed.referentienummer();
  failed.functie = request.failed.functie();
  failed.applicatie_versie = request.failed.applicatie_versie();
  failed.applicatie_subversie = request.failed.applicatie_subversie();
  const int offset = stuf::amsterdamUtcOffsetMinutes(request.at);
  stuf::Fo01Request answer = stuf::fo01Answering(failed, state.zender(request.zender), stuf::Fo01Code::StUF055,
                                                 request.detail, request.at, offset);
  answer.referentienummer = state.reference(request.failed.referentienummer(), request.message_id, request.index);
  auto written = (*writer)->fo01(answer);
  if (!written) return written.status();
  return handlers::GgkWritten{std::move(written->bytes), std::move(written->referentienummer),
                              stuf::formatTijdstip(request.at, offset)};
}

Result<std::string> technicalRetour(EmitterState& state, const handlers::GgkRetourRequest& request) {
  auto adapter = state.adapters.acquire();
  if (!adapter) return adapter.status();
  const int offset = stuf::amsterdamUtcOffsetMinutes(request.at);
  iwmo::TechnicalRetourRequest retour;
  retour.identificatie_retour = request.identificatie_retour;
  retour.dagtekening_retour = Date::fromDays(static_cast<long>((request.at.micros / 1000000 + offset * 60) / 86400));
  retour.header_codes = request.header_codes;
  retour.echo_body = request.echo_body;
  if (!request.class_codes.empty()) retour.default_class_codes = request.class_codes;
  auto xml = iwmo::writeTechnicalRetour(request.heen_payload, retour);
  if (!xml) return xml.status();
  proto::Envelope envelope;
  (*adapter)->validate(*xml, "technical retour " + request.identificatie_retour, envelope);
  if (!envelope.verdict().valid() && envelope.verdict().level() <= 1) {
    return Status::internal("the technical retour the gateway wrote is not schema-valid: " +
                            findingsText(envelope.verdict()));
  }
  return std::move(*xml);
}

}  // namespace

std::string derivedReferentienummer(std::string_view seed, std::uint64_t message_id, int index) {
  const std::string hex =
      sha256Hex(std::string(seed) + "|" + std::to_string(message_id) + "|" + std::to_string(index));
  std::string uuid = hex.substr(0, 32);
  uuid[12] = '4';                                                     // version 4
  uuid[16] = "89ab"[std::stoi(uuid.substr(16, 1), nullptr, 16) & 3];  // variant 10xx
  return uuid.substr(0, 8) + "-" + uuid.substr(8, 4) + "-" + uuid.substr(12, 4) + "-" + uuid.substr(16, 4) + "-" +
         uuid.substr(20, 12);
}

handlers::GgkEmitter makeGgkEmitter(std::shared_ptr<const xml::SchemaSet> ggk_schemas,
                                    std::shared_ptr<const xml::SchemaSet> iwmo_schemas, GgkEmitterParams params) {
  auto state = std::make_shared<EmitterState>(std::move(ggk_schemas), std::move(iwmo_schemas), std::move(params));
  handlers::GgkEmitter emitter;
  emitter.wrap = [state](const handlers::GgkWrapRequest& request) { return wrap(*state, request); };
  emitter.fo01 = [state](const handlers::GgkFo01Request& request) { return fo01(*state, request); };
  emitter.retour = [state](const handlers::GgkRetourRequest& request) { return technicalRetour(*state, request); };
  return emitter;
}

}  // namespace iwmo::adapters::emit
