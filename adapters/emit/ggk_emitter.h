// The GGk emitter (issue 6; DESIGN §2.3, §3, §5.1 step 6) behind GgkHandler's contract: StUF-GGk
// envelopes (Di01, Du01 with crossRefnummer) and Fo01 StUF055 with adapters/stuf, technical
// retours (0001, 9056) with adapters/iwmo; every document validated before the handler gets it.
// Thread-safety: the returned functions may be called from any worker thread at once (the
// envelope writers and validating adapters come from pools, one per calling thread at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/stuf/stuf_types.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/bsn.h"
#include "gateway/handlers/ggk_handler.h"

namespace iwmo::adapters::emit {

// The stuurgegevens the emitter writes ([ggk] in the config; gateway/cli copies them here).
struct GgkEmitterParams {
  // zender/organisatie of every envelope when set; "": the municipality the message is from or
  // for, else `default_organisatie`.
  std::string organisatie;
  std::string default_organisatie;
  std::string applicatie;  // zender/applicatie: 3..50 characters, no version
  // Four digits each. applicatie*: the version of `applicatie`; functie*: of the payload's
  // message type, the iWmo 3.2 messages and the iEb 4.0 ones (WMO405-408) apart.
  std::string applicatie_versie;
  std::string applicatie_subversie;
  std::string functie_versie;
  std::string functie_subversie;
  std::string ieb_functie_versie;
  std::string ieb_functie_subversie;
  std::size_t max_envelope_bytes = stuf::kDefaultMaxEnvelopeBytes;
  xml::ParseLimits limits;  // of the validation of the technical retours
  // Replay: referentienummers derived from the document (kReplaySeed, derivedReferentienummer),
  // so the same batch gives the same bytes and another batch other numbers. Otherwise random
  // (RAND_bytes).
  bool deterministic_references = false;
  // Stands in for a BSN in the findings of a retour that does not validate.
  BsnPseudonymiser pseudonymise;
};

// The emitter over `ggk_schemas` (StUF-GGk: the envelopes) and `iwmo_schemas` (iWmo + iEb: the
// technical retours). The pools of writers and adapters live in the returned functions and die
// with them (with the handler chain that holds them, so before Xerces terminates: issue 16).
// The functions' errors: those of EnvelopeWriter (kInvalid, ...) and writeTechnicalRetour;
// kInternal when a technical retour the emitter wrote is not schema-valid.
handlers::GgkEmitter makeGgkEmitter(std::shared_ptr<const xml::SchemaSet> ggk_schemas,
                                    std::shared_ptr<const xml::SchemaSet> iwmo_schemas,
                                    GgkEmitterParams params);

// What a replay's referentienummers are derived from, besides the document.
inline constexpr std::string_view kReplaySeed = "iwmo-gateway replay";

// A UUID v4 derived from `seed`, `message_id` and `index` (SHA-256; version and variant bits set).
std::string derivedReferentienummer(std::string_view seed, std::uint64_t message_id, int index);

}  // namespace iwmo::adapters::emit
