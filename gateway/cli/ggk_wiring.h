// The GGk handler's emitter (issue 6): StUF-GGk envelopes with adapters/stuf, technical retours
// with adapters/iwmo, every document validated before the handler gets it. Built here because
// gateway/cli is the only place that knows the adapters and the config.
// Thread-safety: the functions may be called from any worker thread (one writer per thread).
#pragma once

#include <memory>

#include "adapters/xml/schema_set.h"
#include "gateway/base/result.h"
#include "gateway/config/config.h"
#include "gateway/handlers/ggk_handler.h"

namespace iwmo::cli {

// `deterministic_references`: replay; referentienummers are derived (UUID v4 form) from the
// document's content, the message id and the document's position, so the same batch gives the
// same bytes (and another batch other numbers). Otherwise
// they are random (RAND_bytes). `iwmo_schemas` validates the retours; the StUF-GGk set is
// loaded from config.ggk_schema_dir. Errors: a schema set cannot be loaded.
Result<std::unique_ptr<handlers::GgkHandler>> makeGgkHandler(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> iwmo_schemas,
    bool deterministic_references);

// A UUID v4 derived from `seed`, `message_id` and `index` (SHA-256; version and variant bits set).
std::string derivedReferentienummer(std::string_view seed, std::uint64_t message_id, int index);

}  // namespace iwmo::cli
