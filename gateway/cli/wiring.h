// Wiring shared by the commands that run the pipeline (`run`, `replay`, `worker`): the only place
// that builds the concrete stages from a Config (STYLE.md §2.1: cli plays Envoy's source/exe).
// Thread-safety: HandlerChainHolder is thread-safe (the chain is swapped atomically on SIGHUP);
// the rest are plain functions.
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
#include "gateway/journal/journal.h"
#include "gateway/journal/reference_store.h"
#include "gateway/log/log_projector.h"
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
// config.schemaDirs() when null), then the GGk side (envelopes and technical answers, see
// ggk_wiring.h; `deterministic_references` for replay).
// Errors: the municipality table or the schemas cannot be read (kNotFound, kInvalid, ...).
Result<std::unique_ptr<const handlers::HandlerChain>> makeHandlerChain(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> schemas = nullptr,
    bool deterministic_references = false);

// The dispatcher's prepare hook: attaches the client context (BRP, institutions, BW episodes,
// regions) from the journal's reference data to the work items the responsibility handler
// decides on, the client's eigen-bijdrage state to WMO301/305/307, and the records a CAK retour
// answers to WMO406/408. reload() follows a SIGHUP (a new bw_products), so the lookup and the handler
// chain agree on what is BW. Thread-safety: prepare() on the dispatcher thread, reload() from
// any thread.
class ContextLookup : public std::enable_shared_from_this<ContextLookup> {
 public:
  // Errors: the store cannot be opened, the municipality table cannot be read.
  static Result<std::shared_ptr<ContextLookup>> open(const config::Config& config,
                                                     const std::filesystem::path& journal_file);
  Status reload(const config::Config& config);
  std::function<void(proto::WorkItem&)> prepareFunction();

 private:
  ContextLookup() = default;
  std::shared_ptr<journal::SqliteReferenceStore> store_;
  std::atomic<std::shared_ptr<const handlers::ResponsibilityHandler>> handler_;
  std::atomic<std::shared_ptr<const handlers::EigenBijdrageHandler>> eb_handler_;  // null: forwarding off
  std::atomic<std::shared_ptr<const handlers::GgkHandler>> ggk_handler_;  // needsLink only
};

class HandlerChainHolder {
 public:
  explicit HandlerChainHolder(std::shared_ptr<const handlers::HandlerChain> chain)
      : chain_(std::move(chain)) {}
  void swap(std::shared_ptr<const handlers::HandlerChain> chain) { chain_.store(std::move(chain)); }
  // What the workers run: the current chain on each item.
  bus::WorkFunction workFunction();

 private:
  std::atomic<std::shared_ptr<const handlers::HandlerChain>> chain_;
};

adapters::xml::ParseLimits parseLimits(const config::Config& config);

// What stands in a finding's text instead of a BSN where no pseudonym key is at hand (the
// emitters' own output checks, `validate` before the daemon ever ran).
inline constexpr const char* kMaskedBsn = "[BSN]";
// The routing log's pseudonyms (log.hmac_key_file) when that key exists, else kMaskedBsn: for
// the operator commands that show findings (`validate`, `explain`). Never creates the key.
BsnPseudonymiser operatorPseudonymiser(const config::Config& config);

// The reference store of an operator command (`ieb`, `ggk`): the config's journal, or
// `journal_override` when set, upgraded to this version's schema first.
// Errors: kNotFound (no journal there, with the fix), those of the journal and the store.
Result<std::unique_ptr<journal::SqliteReferenceStore>> openOperatorStore(
    const config::Config& config, const std::filesystem::path& journal_override);

// The routing-log projector over `journal`: file per config.log, feed when `feed` is non-empty.
Result<std::unique_ptr<log::LogProjector>> startProjector(journal::Journal& journal,
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

// True when stdout (or stderr) is a terminal and NO_COLOR is unset.
bool colourOn(int fd);

}  // namespace iwmo::cli
