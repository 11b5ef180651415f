// Wiring shared by the commands that run the pipeline (`run`, `replay`, `worker`): the only place
// that builds the concrete stages from a Config (STYLE.md §2.1: cli plays Envoy's source/exe).
// Thread-safety: plain functions.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "adapters/xml/validating_parser.h"
#include "gateway/base/bsn.h"
#include "gateway/base/result.h"
#include "gateway/bus/bus.h"
#include "gateway/config/config.h"
#include "gateway/handlers/handler.h"
#include "gateway/handlers/eigen_bijdrage_handler.h"
#include "gateway/handlers/ggk_handler.h"
#include "gateway/handlers/responsibility_handler.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/log/log_projector.h"
#include "gateway/pipeline/pipeline.h"
#include "gateway/rules/gemeente_table.h"

namespace zmq {
class context_t;
}

namespace iwmo::cli {

// Where the embedded config's relative paths point: $IWMO_DATA_DIR, else the build's data dir
// (the source tree; /usr/share/iwmo-gateway when installed).
std::filesystem::path dataDir();

// The municipality table of config.responsibility.gemeenten_file (default: the data directory's
// config/gemeenten.csv). Errors: kNotFound, kInvalid naming the line.
Result<rules::GemeenteTable> loadGemeenteTable(const config::Config& config);

// The handler chain: pass-through routing with the config's own_gemeente, the responsibility
// rules for BW messages (config.responsibility, the municipality table), the eigen-bijdrage
// forwarding (config.eigen_bijdrage; its iEb output is validated against `schemas`, loaded from
// config.schemaDirs() when null), then the GGk side (envelopes and technical answers; the
// emitters are adapters/emit's; `deterministic_references` for replay: referentienummers derived
// from the batch, see adapters/emit/ggk_emitter.h).
// Errors: the municipality table or the schemas cannot be read (kNotFound, kInvalid, ...).
Result<std::unique_ptr<const handlers::HandlerChain>> makeHandlerChain(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> schemas = nullptr,
    bool deterministic_references = false);

adapters::xml::ParseLimits parseLimits(const config::Config& config);

// What stands in a finding's text instead of a BSN where no pseudonym key is at hand (the
// emitters' own output checks, `validate` before the daemon ever ran).
inline constexpr const char* kMaskedBsn = "[BSN]";
// The routing log's pseudonyms (log.hmac_key_file) when that key exists, else kMaskedBsn: for
// the operator commands that show findings (`validate`, `explain`). Never creates the key.
BsnPseudonymiser operatorPseudonymiser(const config::Config& config);

// The journal of an operator command (`explain`, `status`, `ieb`, `ggk`, `review`, `import`):
// the config's, or `journal_override` when set; upgraded to this version's schema when older.
// Errors: kNotFound (no journal there, with the fix), those of SqliteJournal::open.
Result<std::unique_ptr<journal::SqliteJournal>> openOperatorJournal(const config::Config& config,
                                                                   const std::filesystem::path& journal_override);

// Copies the imported reference data (BRP, institutions, imported BW episodes, regions) of the
// journal `from` into `into`, replacing what it held; a missing `from` copies nothing (replay:
// decide on what the gateway has imported). Errors: those of the journals.
Status copyImportedReferenceData(const std::filesystem::path& from, journal::ReferenceStore& into);
// The CAK's periods imported into the journal `from` (`import cak-periods`), as imported, into
// `into` (a replay's journal): the replay starts from what the CAK held. Returns how many.
Result<std::size_t> copyImportedCakPeriods(const std::filesystem::path& from, journal::EbStore& into);
// The start number of the journal's first new period (issue 14): the one the journal keeps; for
// a new journal, above the numbers an earlier journal of the state directory may have used
// (STATE_DIR/eb-start-nummers) and at least [eigen_bijdrage] first_start_nummer (then kept); 11
// for a journal that already holds messages (it numbered message_id * 10 + n before). Then
// reserves (reserveStartNummers) before any number is handed out. Notes on stderr. Errors:
// kFailedPrecondition for a new journal, no earlier one and no first_start_nummer while
// [eigen_bijdrage] is on, or for numbers that would pass 999 999 999; those of the journal and
// the file.
Result<std::uint64_t> journalFirstStartNummer(const config::Config& config, journal::Journal& journal);
// Records durably in STATE_DIR/eb-start-nummers the numbers of the next million messages, when
// fewer than half a million are left: the daemon calls it at start and then every few minutes.
Status reserveStartNummers(const config::Config& config, journal::Journal& journal, std::uint64_t first);

// The routing-log projector over `journal`: file per config.log, feed when `feed` is non-empty.
Result<std::unique_ptr<log::LogProjector>> startProjector(journal::MessageQueue& journal,
                                                          const std::filesystem::path& file,
                                                          const config::LogConfig& settings,
                                                          const std::string& feed,
                                                          zmq::context_t& context);

// Reads a CURVE key file written by `iwmo-gateway keygen`: "public Z85\nsecret Z85\n" (.key)
// or "public Z85\n" (.pub). Errors: kNotFound, kInvalid (not 40-character Z85 keys).
Result<std::pair<std::string, std::string>> readKeyFile(const std::filesystem::path& file,
                                                        bool need_secret);
// The bus options of the daemon from config.bus (loopback/ipc plain, the rest CURVE).
Result<bus::DispatcherOptions> dispatcherOptions(const config::Config& config);
// The pipeline's options from the config (limits, StUF-GGk schemas, bus, workers, retries; one
// validator per core). Errors: the StUF-GGk schemas or the CURVE keys cannot be read.
Result<pipeline::PipelineOptions> pipelineOptions(const config::Config& config);

// True when stdout (or stderr) is a terminal and NO_COLOR is unset.
bool colourOn(int fd);

}  // namespace iwmo::cli
