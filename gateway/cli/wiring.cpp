#include "gateway/cli/wiring.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "adapters/emit/ggk_emitter.h"
#include "adapters/emit/ieb_emitter.h"
#include "gateway/base/durable_file.h"
#include "gateway/handlers/eigen_bijdrage_handler.h"
#include "gateway/handlers/responsibility_handler.h"
#include "gateway/handlers/routing_handler.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/log/bsn_hasher.h"

#ifndef IWMO_DATA_DIR
#error "IWMO_DATA_DIR must name the directory holding schemas/ and config/ (set by CMake)"
#endif

namespace iwmo::cli {

std::filesystem::path dataDir() {
  if (const char* env = std::getenv("IWMO_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return IWMO_DATA_DIR;
}

Result<rules::GemeenteTable> loadGemeenteTable(const config::Config& config) {
  const std::filesystem::path file = config.responsibility.gemeenten_file.empty()
                                         ? dataDir() / "config/gemeenten.csv"
                                         : config.responsibility.gemeenten_file;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::notFound("cannot read the municipality table " + file.string() +
                            " (responsibility.gemeenten_file); restore config/gemeenten.csv or point the key at a copy");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return rules::GemeenteTable::parse(text.str(), file.string());
}

namespace {

BsnPseudonymiser maskingPseudonymiser() {
  return [](std::string_view) { return std::string(kMaskedBsn); };
}

Result<std::unique_ptr<handlers::ResponsibilityHandler>> makeResponsibilityHandler(const config::Config& config) {
  auto table = loadGemeenteTable(config);
  if (!table) return table.status();
  return std::make_unique<handlers::ResponsibilityHandler>(
      config.responsibility.params, config.responsibility.bw_products,
      std::make_shared<const rules::GemeenteTable>(std::move(*table)));
}

std::unique_ptr<handlers::EigenBijdrageHandler> makeEigenBijdrageHandler(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> schemas) {
  return std::make_unique<handlers::EigenBijdrageHandler>(
      config.eigen_bijdrage.params,
      adapters::emit::makeIebWriter(std::move(schemas), parseLimits(config), maskingPseudonymiser()),
      adapters::emit::eb001Describer());
}

// The GGk side (envelopes and technical answers); the StUF-GGk schemas from
// config.ggk_schema_dir, the stuurgegevens from [ggk].
Result<std::unique_ptr<handlers::GgkHandler>> makeGgkHandler(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> iwmo_schemas,
    bool deterministic_references) {
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return ggk_schemas.status();
  const config::GgkConfig& ggk = config.ggk_envelope;
  adapters::emit::GgkEmitterParams params;
  params.organisatie = ggk.organisatie;
  params.default_organisatie = config.own_gemeente.empty() ? std::string() : config.own_gemeente.front();
  params.applicatie = ggk.applicatie;
  params.applicatie_versie = ggk.applicatie_versie;
  params.applicatie_subversie = ggk.applicatie_subversie;
  params.functie_versie = ggk.functie_versie;
  params.functie_subversie = ggk.functie_subversie;
  params.ieb_functie_versie = ggk.ieb_functie_versie;
  params.ieb_functie_subversie = ggk.ieb_functie_subversie;
  params.max_envelope_bytes = config.max_message_bytes;
  params.limits = parseLimits(config);
  params.deterministic_references = deterministic_references;
  params.pseudonymise = maskingPseudonymiser();
  return std::make_unique<handlers::GgkHandler>(
      handlers::GgkHandlerParams{ggk.envelopes},
      adapters::emit::makeGgkEmitter(std::move(*ggk_schemas), std::move(iwmo_schemas), std::move(params)));
}

}  // namespace

Result<std::unique_ptr<const handlers::HandlerChain>> makeHandlerChain(
    const config::Config& config, std::shared_ptr<const adapters::xml::SchemaSet> schemas,
    bool deterministic_references) {
  std::vector<std::unique_ptr<const handlers::Handler>> chain;
  chain.push_back(std::make_unique<handlers::RoutingHandler>(rules::RoutingParams{config.own_gemeente}));
  auto responsibility = makeResponsibilityHandler(config);
  if (!responsibility) return responsibility.status();
  chain.push_back(std::move(*responsibility));
  if (!schemas) {
    auto loaded = adapters::xml::SchemaSet::load(config.schemaDirs());
    if (!loaded) return loaded.status();
    schemas = std::move(*loaded);
  }
  if (config.eigen_bijdrage.enabled) chain.push_back(makeEigenBijdrageHandler(config, schemas));
  // Last: it wraps whatever the others send to the GGk, and answers what came from there.
  auto ggk = makeGgkHandler(config, schemas, deterministic_references);
  if (!ggk) return ggk.status();
  chain.push_back(std::move(*ggk));
  return std::make_unique<const handlers::HandlerChain>(std::move(chain));
}

Result<std::unique_ptr<journal::SqliteJournal>> openOperatorJournal(const config::Config& config,
                                                                   const std::filesystem::path& journal_override) {
  const std::filesystem::path journal_file = journal_override.empty() ? config.journalFile() : journal_override;
  std::error_code ec;
  if (!std::filesystem::exists(journal_file, ec)) {
    return Status::notFound("no journal at " + journal_file.string() +
                            " (has the daemon run with this config? for a replay use --journal DIR/journal.sqlite)");
  }
  return journal::SqliteJournal::open(journal_file, {});  // upgrades an older journal
}

Status copyImportedReferenceData(const std::filesystem::path& from, journal::ReferenceStore& into) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec)) return Status::ok();
  auto source = journal::SqliteJournal::open(from, {});
  if (!source) return source.status();
  auto data = (*source)->reference().imported();
  if (!data) return data.status();
  return into.replaceImported(*data);
}

Result<std::size_t> copyImportedCakPeriods(const std::filesystem::path& from, journal::EbStore& into) {
  std::error_code ec;
  if (!std::filesystem::exists(from, ec)) return std::size_t{0};
  auto source = journal::SqliteJournal::open(from, {});
  if (!source) return source.status();
  auto imported = (*source)->eb().importedPeriods();
  if (!imported) return imported.status();
  if (imported->empty()) return std::size_t{0};
  std::size_t periods = 0;
  for (const auto& [bsn, state] : *imported) periods += static_cast<std::size_t>(state.periods_size());
  IWMO_RETURN_IF_ERROR(into.storeImportedStates(*imported, Timestamp{}));
  return periods;
}

namespace {

// STATE_DIR/eb-start-nummers: the highest start number a journal of this state directory may
// have handed out, written at each start before any is (issue 14). It outlives the journal, so
// a new journal in the same state directory numbers above it.
constexpr const char* kReservedStartNummers = "eb-start-nummers";
// How many messages ahead the numbers are reserved (ten per message), and when to extend.
constexpr std::uint64_t kReservedMessages = 1'000'000;
constexpr std::uint64_t kExtendWithin = 500'000;
// The largest EbStartNummer / BwStartNummer the iEb schema takes (LDT_Nummer).
constexpr std::uint64_t kLargestStartNummer = 999'999'999;

Result<std::optional<std::uint64_t>> readReservedStartNummers(const std::filesystem::path& file) {
  auto text = readSmallFile(file);
  if (!text) return text.status();
  if (!*text) return std::optional<std::uint64_t>();
  std::string digits = **text;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' ')) digits.pop_back();
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return Status::dataLoss(file.string() + " does not hold a start number ('" + digits +
                            "'); it records the highest start number used in this state directory: restore it, "
                            "or write the highest EbStartNummer / BwStartNummer ever sent into it");
  }
  return std::optional<std::uint64_t>(value);
}

}  // namespace

Result<std::uint64_t> journalFirstStartNummer(const config::Config& config, journal::Journal& journal) {
  constexpr std::uint64_t kBeforeIssue14 = 11;  // message_id * 10 + n
  const auto& wanted = config.eigen_bijdrage.first_start_nummer;
  const std::filesystem::path reserved_file = config.state_dir / kReservedStartNummers;
  auto reserved = readReservedStartNummers(reserved_file);
  if (!reserved) return reserved.status();
  auto counts = journal.queue().counts();
  if (!counts) return counts.status();
  auto kept = journal.eb().firstStartNummer();
  if (!kept) return kept.status();
  std::uint64_t first = 0;
  if (*kept) {
    first = **kept;
    if (wanted && *wanted != first) {
      std::cerr << "iwmo-gateway: [eigen_bijdrage] first_start_nummer = " << *wanted << " is not used: this journal "
                << "numbers its periods from " << first << " (set when it was made); a new first_start_nummer "
                << "applies to a new journal only\n";
    }
  } else if (counts->messages > 0) {
    first = kBeforeIssue14;  // a journal from before issue 14 numbered so
  } else if (*reserved) {
    // A new journal where an earlier one ran: above everything that one may have sent.
    first = std::max(wanted.value_or(0), **reserved + 1);
    if (!wanted || *wanted <= **reserved) {
      std::cerr << "iwmo-gateway: new journal " << config.journalFile().string() << ": start numbers from " << first
                << ", above the " << **reserved << " an earlier journal in this state directory may have used ("
                << reserved_file.string() << ")\n";
    }
  } else if (wanted) {
    first = *wanted;
  } else if (!config.eigen_bijdrage.enabled) {
    return kBeforeIssue14;  // nothing goes to the CAK; decided when [eigen_bijdrage] is turned on
  } else {
    return Status::failedPrecondition(
        "the journal " + config.journalFile().string() + " is new and [eigen_bijdrage] is on, but "
        "[eigen_bijdrage] first_start_nummer is not set. Set it above the highest EbStartNummer / BwStartNummer "
        "this municipality ever sent the CAK (`iwmo-gateway ieb numbers --journal OLD-JOURNAL` prints it for an "
        "earlier journal; 1 when nothing was ever sent): a new journal cannot know which numbers were used, and "
        "the CAK refuses a number it has (9102)");
  }
  if (first + (counts->messages + kReservedMessages) * 10 > kLargestStartNummer) {
    return Status::failedPrecondition(
        "start numbers from " + std::to_string(first) + " would pass " + std::to_string(kLargestStartNummer) +
        ", the largest EbStartNummer the CAK takes; a journal that started so high cannot go on. Ask the CAK which "
        "numbers are free, set [eigen_bijdrage] first_start_nummer to the lowest of them, and start on a new journal "
        "(and a new " + reserved_file.string() + ")");
  }
  if (!*kept) IWMO_RETURN_IF_ERROR(journal.eb().setFirstStartNummer(first));
  IWMO_RETURN_IF_ERROR(reserveStartNummers(config, journal, first));
  return first;
}

Status reserveStartNummers(const config::Config& config, journal::Journal& journal, std::uint64_t first) {
  const std::filesystem::path reserved_file = config.state_dir / kReservedStartNummers;
  auto reserved = readReservedStartNummers(reserved_file);
  if (!reserved) return reserved.status();
  auto counts = journal.queue().counts();
  if (!counts) return counts.status();
  if (*reserved && **reserved >= first + (counts->messages + kExtendWithin) * 10) return Status::ok();
  return writeFileDurably(reserved_file, std::to_string(first + (counts->messages + kReservedMessages) * 10) + "\n");
}

BsnPseudonymiser operatorPseudonymiser(const config::Config& config) {
  std::error_code ec;
  if (std::filesystem::exists(config.log.hmac_key_file, ec)) {
    if (auto hasher = log::BsnHasher::fromKeyFile(config.log.hmac_key_file)) {
      return [hasher = std::move(*hasher)](std::string_view bsn) { return hasher.hash(bsn); };
    }
  }
  return maskingPseudonymiser();
}

adapters::xml::ParseLimits parseLimits(const config::Config& config) {
  adapters::xml::ParseLimits limits;
  limits.max_input_bytes = config.max_message_bytes;
  limits.max_problems = config.max_findings_per_message;
  limits.max_element_depth = config.max_element_depth;
  return limits;
}

Result<std::unique_ptr<log::LogProjector>> startProjector(journal::MessageQueue& journal,
                                                          const std::filesystem::path& file,
                                                          const config::LogConfig& settings,
                                                          const std::string& feed,
                                                          zmq::context_t& context) {
  log::LogFileWriter::Options options;
  options.max_bytes = settings.max_bytes;
  options.keep = settings.keep;
  auto writer = log::LogFileWriter::open(file, options);
  if (!writer) return writer.status();
  std::unique_ptr<log::LogPublisher> publisher;
  if (!feed.empty()) {
    if (feed.rfind("ipc://", 0) == 0) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(feed.substr(6)).parent_path(), ec);
    }
    auto bound = log::LogPublisher::bind(context, feed);
    if (!bound) return bound.status();
    publisher = std::move(*bound);
  }
  log::LogSource source = [&journal](std::uint64_t after, std::size_t limit)
      -> Result<std::vector<log::LogSourceEntry>> {
    auto entries = journal.logAfter(after, limit);
    if (!entries) return entries.status();
    std::vector<log::LogSourceEntry> out;
    out.reserve(entries->size());
    for (auto& entry : *entries) out.push_back({entry.seq, std::move(entry.line)});
    return out;
  };
  return std::make_unique<log::LogProjector>(std::move(source), std::move(*writer),
                                             std::move(publisher));
}

Result<std::pair<std::string, std::string>> readKeyFile(const std::filesystem::path& file,
                                                        bool need_secret) {
  std::ifstream in(file);
  if (!in) return Status::notFound("cannot read key file " + file.string());
  std::string public_key;
  std::string secret_key;
  std::getline(in, public_key);
  std::getline(in, secret_key);
  if (public_key.size() != 40 || (need_secret && secret_key.size() != 40)) {
    return Status::invalid("key file " + file.string() + " does not hold " +
                           (need_secret ? "a public and a secret" : "a public") +
                           " 40-character Z85 CURVE key; make one with `iwmo-gateway keygen`");
  }
  return std::make_pair(public_key, need_secret ? secret_key : std::string());
}

Result<bus::DispatcherOptions> dispatcherOptions(const config::Config& config) {
  bus::DispatcherOptions options;
  options.heartbeat_ms = config.bus.heartbeat_ms;
  for (const std::string& endpoint : config.bus.listen) {
    const bool local = endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("tcp://127.", 0) == 0 ||
                       endpoint.rfind("tcp://localhost:", 0) == 0 ||
                       endpoint.rfind("tcp://[::1]:", 0) == 0;
    if (local) {
      if (endpoint.rfind("ipc://", 0) == 0) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(endpoint.substr(6)).parent_path(), ec);
      }
      options.plain_endpoints.push_back(endpoint);
    } else {
      options.curve_endpoints.push_back(endpoint);
    }
  }
  if (!options.curve_endpoints.empty()) {
    auto server = readKeyFile(config.bus.curve_secret_key_file, true);
    if (!server) return server.status();
    options.keys.server_public = server->first;
    options.keys.server_secret = server->second;
    std::ifstream in(config.bus.curve_authorized_keys_file);
    if (!in) {
      return Status::notFound("cannot read bus.curve_authorized_keys_file " +
                              config.bus.curve_authorized_keys_file.string());
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      if (line.size() != 40) {
        return Status::invalid(config.bus.curve_authorized_keys_file.string() +
                               ": every line must be a worker's 40-character public key (.pub)");
      }
      options.keys.authorized_workers.push_back(line);
    }
  }
  return options;
}

Result<pipeline::PipelineOptions> pipelineOptions(const config::Config& config) {
  pipeline::PipelineOptions options;
  options.intake.limits = parseLimits(config);
  auto ggk_schemas = adapters::xml::SchemaSet::load(config.ggk_schema_dir);
  if (!ggk_schemas) return ggk_schemas.status();
  options.intake.ggk_schemas = std::move(*ggk_schemas);
  options.intake.max_envelope_bytes = config.max_message_bytes;
  options.intake.validators = std::max(1u, std::thread::hardware_concurrency());
  // Memory stays flat (issue 13): at most max_in_flight messages are decided at once, twice that
  // journaled ahead of them, and only max_in_flight of those held in memory for the hand-off
  // (the rest is read back from the journal).
  options.intake.max_backlog = 2ull * config.bus.max_in_flight;
  options.intake.max_outstanding = 256;
  options.dispatch.handoff_capacity = config.bus.max_in_flight;
  auto bus = dispatcherOptions(config);
  if (!bus) return bus.status();
  options.dispatch.bus = std::move(*bus);
  options.dispatch.inprocess_workers = config.bus.workers;
  options.dispatch.max_in_flight = config.bus.max_in_flight;
  options.delivery.retry_initial_ms = config.delivery.retry_initial_ms;
  options.delivery.retry_max_ms = config.delivery.retry_max_ms;
  options.delivery.unhealthy_after_s = config.delivery.unhealthy_after_s;
  if (config.eigen_bijdrage.enabled) options.eb_tick_interval = std::chrono::seconds(config.eigen_bijdrage.tick_interval_s);
  return options;
}

bool colourOn(int fd) {
  const char* no_colour = std::getenv("NO_COLOR");
  return isatty(fd) == 1 && (no_colour == nullptr || *no_colour == '\0');
}

}  // namespace iwmo::cli
