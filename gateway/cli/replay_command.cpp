#include "gateway/cli/replay_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <string>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "adapters/transport/batch_reader.h"
#include "adapters/transport/directory_sink.h"
#include "adapters/xml/schema_set.h"
#include "gateway/cli/ieb_command.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/pipeline/pipeline.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
constexpr int kExitUsage = 2;

int fail(const std::string& message) {
  std::cerr << "iwmo-gateway replay: " << message << "\n";
  return kExitUsage;
}

// The kernel's high-water mark of this process's resident memory (VmHWM), in KiB; 0 when
// /proc is not there. Unlike getrusage's ru_maxrss it does not include the memory of the parent
// that spawned us (Linux carries that over an exec after vfork/posix_spawn).
long peakResidentKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

// What a replay that made no progress for a minute still waits for, for the operator.
std::string waitingFor(journal::Journal& journal) {
  auto counts = journal.queue().counts();
  if (!counts) return "iwmo-gateway replay: no progress for a minute, and the journal cannot be read: " +
                      counts.status().message();
  std::string text = "iwmo-gateway replay: no progress for a minute: " + std::to_string(counts->pending) +
                     " messages undecided, " + std::to_string(counts->outbox_pending) + " outgoing files undelivered";
  if (auto oldest = journal.queue().oldestUndelivered(); oldest && *oldest) {
    const journal::OutboxItem& item = **oldest;
    text += "; the oldest, " + item.file_name + " for " + item.peer + ", after " + std::to_string(item.attempts) +
            " attempts" + (item.last_error.empty() ? std::string() : ": " + item.last_error);
  }
  return text;
}

class Progress {
 public:
  Progress(std::uint64_t total, bool enabled) : total_(total), enabled_(enabled), start_(SteadyClock::now()) {}
  void update(std::uint64_t done, bool final = false) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (!final && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double fraction = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r  [%s%s] %llu/%llu messages  %.0f msg/s ", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 seconds > 0 ? static_cast<double>(done) / seconds : 0.0);
    if (final) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::uint64_t total_;
  bool enabled_;
  SteadyClock::time_point start_;
  SteadyClock::time_point last_{};
};


// --out must be empty (or emptied with --force), so the output is exactly the batch's.
Status emptyOutput(const fs::path& out, bool force) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec)) {
    if (!force) {
      return Status::failedPrecondition(
          "--out " + out.string() +
          " is not empty; a replay writes into an empty directory so its output is exactly "
          "the batch's. Remove it, choose another --out, or add --force to empty it");
    }
    fs::remove_all(out, ec);
    if (ec) return Status::unavailable("cannot empty " + out.string() + ": " + ec.message());
  }
  fs::create_directories(out, ec);
  if (ec) return Status::unavailable("cannot create " + out.string() + ": " + ec.message());
  return Status::ok();
}

// The Dagtekening of a bare iWmo / iEb message, found without parsing it (the replay's ticks;
// the intake reads it properly). nullopt for anything else, e.g. a message in a StUF envelope.
std::optional<Date> bareDagtekening(const std::string& bytes) {
  const std::string_view tag = "Dagtekening>";
  const std::size_t at = bytes.find(tag);
  if (at == std::string::npos || at + tag.size() + 10 > bytes.size()) return std::nullopt;
  return Date::parse(std::string_view(bytes).substr(at + tag.size(), 10));
}

// The daemon's pipeline, with the bus on inproc only and logical time.
Result<pipeline::PipelineOptions> replayPipelineOptions(const config::Config& config, const ReplayOptions& options,
                                                        Timestamp clock_start) {
  config::Config replay_config = config;
  replay_config.bus.listen.clear();
  replay_config.bus.workers = std::max(1u, config.bus.workers);
  auto pipeline_options = pipelineOptions(replay_config);
  if (!pipeline_options) return pipeline_options.status();
  pipeline_options->logical_time = true;
  pipeline_options->intake.logical_time = true;
  pipeline_options->intake.logical_start = clock_start;
  pipeline_options->intake.logical_from_dagtekening = options.clock == "dagtekening";
  pipeline_options->dispatch.logical_time = true;
  pipeline_options->delivery.logical_time = true;
  pipeline_options->delivery.log_deliveries = false;
  pipeline_options->eb_tick_interval = std::chrono::seconds(0);  // ticked at each new day of the batch
  return pipeline_options;
}

// summary.json: what the batch gave, in counts that are the same for the same batch.
nlohmann::ordered_json replaySummary(const ReplayOptions& options, std::uint64_t offered,
                                     const pipeline::PipelineTotals& totals, const pipeline::Metrics& metrics,
                                     const journal::ReferenceCounts& reference, const journal::EbCounts& eb) {
  nlohmann::ordered_json summary;
  summary["batch"] = options.batch.filename().string();
  summary["messages"] = offered;
  summary["journaled"] = totals.journaled;
  std::map<std::string, std::map<std::string, std::uint64_t>> by_type;
  std::map<std::string, std::uint64_t> by_rule;
  for (const auto& [key, n] : metrics.decisionCounts()) {
    const auto& [type, disposition, rule] = key;
    by_type[type.empty() ? "UNKNOWN" : type][disposition] += n;
    by_rule[rule] += n;
  }
  summary["per_type"] = by_type;
  summary["reference_data"] = {{"brp_clients", reference.brp_clients},
                               {"brp_periods", reference.brp_periods},
                               {"institutions", reference.institutions},
                               {"bw_episodes", reference.episodes_imported},
                               {"region_members", reference.region_members}};
  summary["per_rule"] = by_rule;
  std::map<std::string, std::map<std::string, std::uint64_t>> responsibility;
  for (const auto& [key, n] : metrics.responsibilityCounts()) responsibility[key.first][key.second] += n;
  summary["responsibility"] = responsibility;
  std::map<std::string, std::uint64_t> delivered;
  for (const auto& [key, n] : metrics.deliveryCounts()) delivered[std::get<0>(key)] += n;
  summary["delivered_files"] = delivered;
  summary["ieb"] = nlohmann::ordered_json::parse(pipeline::iebSummaryJson(eb));
  return summary;
}

// The human summary after the first line: per type, per rule, BW responsibility, iEb, files.
void printSummary(const nlohmann::ordered_json& summary, const fs::path& out) {
  std::printf("  %-8s %9s %9s\n", "type", "accepted", "rejected");
  for (const auto& [type, dispositions] : summary["per_type"].items()) {
    const auto get = [&](const char* key) {
      return static_cast<unsigned long long>(dispositions.value(key, std::uint64_t{0}));
    };
    std::printf("  %-8s %9llu %9llu\n", type.c_str(), get("routed"), get("rejected"));
  }
  std::printf("\n  rules:");
  for (const auto& [rule, n] : summary["per_rule"].items()) {
    std::printf("  %s %llu", rule.c_str(), static_cast<unsigned long long>(n.get<std::uint64_t>()));
  }
  if (!summary["responsibility"].empty()) {
    std::printf("\n  BW responsibility:");
    for (const auto& [outcome, rules] : summary["responsibility"].items()) {
      for (const auto& [rule, n] : rules.items()) {
        std::printf("  %s %s %llu", outcome.c_str(), rule.c_str(), static_cast<unsigned long long>(n.get<std::uint64_t>()));
      }
    }
  }
  const auto& ieb = summary["ieb"];
  const auto sent = [&](const char* type) { return ieb[type]["sent"].get<std::uint64_t>(); };
  if (sent("WMO405") + sent("WMO407") > 0 || ieb["attention_open"].get<std::uint64_t>() > 0) {
    std::printf("\n  to the CAK:");
    for (const char* type : {"WMO405", "WMO407"}) {
      std::printf("  %s sent %llu", type, static_cast<unsigned long long>(sent(type)));
    }
    std::printf("  (awaiting the CAK's retour; %llu item(s) for an operator: `ieb pending --journal`)",
                static_cast<unsigned long long>(ieb["attention_open"].get<std::uint64_t>()));
  }
  std::uint64_t files = 0;
  std::string per_peer;
  for (const auto& [peer, n] : summary["delivered_files"].items()) {
    files += n.get<std::uint64_t>();
    per_peer += (per_peer.empty() ? "" : ", ") + peer + "/ " + std::to_string(n.get<std::uint64_t>());
  }
  std::printf("\n  files written: %llu (%s)\n  output: %s (routing.log, summary.json, journal.sqlite for `explain`)\n",
              static_cast<unsigned long long>(files), per_peer.c_str(), out.string().c_str());
}

}  // namespace

int runReplay(const config::Config& config, const ReplayOptions& options) {
  const fs::path out = options.out.empty() ? config.state_dir / "replay" : options.out;
  const auto clock_start = Timestamp::parseIso8601(options.clock_start);
  if (!clock_start) return fail("--clock-start must look like 2026-01-01T00:00:00Z");
  if (options.clock != "batch" && options.clock != "dagtekening") {
    return fail("--clock must be \"batch\" (--clock-start + n ms) or \"dagtekening\" (each message's own date)");
  }
  if (Status ready = emptyOutput(out, options.force); !ready.isOk()) return fail(ready.message());

  auto total = transport::countBatch(options.batch);
  if (!total) return fail(total.status().message());
  auto schemas = adapters::xml::SchemaSet::load(config.schemaDirs());
  if (!schemas) return fail(schemas.status().message());
  auto journal = journal::SqliteJournal::open(out / "journal.sqlite", {});
  if (!journal) return fail(journal.status().message());
  auto hasher = log::BsnHasher::fromKeyFile(config.log.hmac_key_file);
  if (!hasher) return fail(hasher.status().message());
  zmq::context_t context;
  auto projector = startProjector((*journal)->queue(), out / "routing.log", config.log, "", context);
  if (!projector) return fail(projector.status().message());

  transport::DirectorySink backoffice_sink(out / "backoffice");
  transport::DirectorySink ggk_sink(out / "ggk");
  transport::DirectorySink cak_sink(out / "cak");
  transport::DirectorySink rejected_sink(out / "rejected");
  std::map<std::string, transport::Sink*> sinks = {{"backoffice", &backoffice_sink},
                                                   {"ggk", &ggk_sink},
                                                   {"cak", &cak_sink},
                                                   {"rejected", &rejected_sink}};
  auto handler_chain = makeHandlerChain(config, *schemas, /*deterministic_references=*/true);
  if (!handler_chain) return fail(handler_chain.status().message());
  handlers::HandlerChainHolder chain(std::move(*handler_chain));
  // The replay decides responsibility on the reference data imported into the gateway's own
  // journal (a copy, taken now, so the replay's journal says what it was decided on).
  if (Status copied = copyImportedReferenceData(config.journalFile(), (*journal)->reference()); !copied.isOk()) {
    return fail(copied.message());
  }
  // Its journal is new: new periods are numbered from the config's first_start_nummer (11,
  // message_id * 10 + n, when none is set; a replay refuses nothing for want of one).
  if (Status first = (*journal)->eb().setFirstStartNummer(config.eigen_bijdrage.first_start_nummer.value_or(11));
      !first.isOk()) {
    return fail(first.message());
  }
  // And from what the CAK held on adoption day (`import cak-periods`), as imported.
  auto cak_periods = copyImportedCakPeriods(config.journalFile(), (*journal)->eb());
  if (!cak_periods) return fail(cak_periods.status().message());
  if (*cak_periods > 0) {
    std::cerr << "iwmo-gateway replay: starting from " << *cak_periods << " CAK period(s) imported in "
              << config.journalFile().string() << "\n";
  }
  auto reference_counts = (*journal)->reference().counts();
  if (!reference_counts) return fail(reference_counts.status().message());
  if (reference_counts->brp_periods == 0 && reference_counts->region_members == 0) {
    std::cerr << "iwmo-gateway replay: no reference data imported in " << config.journalFile().string()
              << ": BW responsibility is decided without BRP history or regions (import them with "
                 "`iwmo-gateway import`)\n";
  }
  auto pipeline_options = replayPipelineOptions(config, options, *clock_start);
  if (!pipeline_options) return fail(pipeline_options.status().message());
  SystemClock clock;
  pipeline::Metrics metrics;
  pipeline::Pipeline pipeline(*pipeline_options, **journal, chain, *schemas, *hasher, sinks, context, clock, metrics);
  log::LogProjector* projector_ptr = projector->get();
  pipeline.onLogLines([projector_ptr] { projector_ptr->wake(); });
  if (Status started = pipeline.start(); !started.isOk()) return fail(started.message());

  Progress progress(*total, colourOn(STDERR_FILENO));
  std::cerr << "iwmo-gateway replay: " << *total << " messages from " << options.batch.string()
            << " into " << out.string() << "\n";
  const auto started = SteadyClock::now();
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> refused{0};
  std::uint64_t offered = 0;
  // The eigen-bijdrage tick on logical time, so that the same batch ticks the same: on the
  // batch's own days (--clock dagtekening) for each day from the one after the last day reached up
  // to a new day the batch reaches, once everything before it is handled; and when the batch ends,
  // for the day after its last (on the batch clock the only tick): that day sends the last day's
  // net changes (EB-SAME-DAY) and whatever waited for it.
  const bool eb_ticks = config.eigen_bijdrage.enabled;
  const bool tick_on_batch_days = options.clock == "dagtekening" && eb_ticks;
  std::optional<Date> batch_day;
  Status tick_status = Status::ok();
  auto tickThrough = [&](Date last_ticked, Date through) -> Status {
    for (Date day = last_ticked.plusDays(1); day <= through; day = day.plusDays(1)) {
      if (!pipeline.waitHandled(std::chrono::hours(1))) {
        return Status::unavailable("the messages before the tick of " + day.toString() +
                                   " were not handled within an hour; the replay stops rather than tick "
                                   "out of order (see the routing log for what waits)");
      }
      auto ticked = pipeline.tickEigenBijdrage(
          day, Timestamp::fromSeconds(static_cast<std::int64_t>(day.daysSinceEpoch()) * 86400));
      if (!ticked) {
        return Status::unavailable("the eigen-bijdrage tick could not read the journal: " + ticked.status().message());
      }
    }
    return Status::ok();
  };
  const Status read = transport::readBatch(
      options.batch, config.max_message_bytes, [&](transport::Received member) {
        if (const auto day = tick_on_batch_days ? bareDagtekening(member.bytes) : std::nullopt; day) {
          if (batch_day && *day > *batch_day) {
            tick_status = tickThrough(*batch_day, *day);
            if (!tick_status.isOk()) return false;
          }
          if (!batch_day || *day > *batch_day) batch_day = day;
        }
        if (options.rate > 0) {
          std::this_thread::sleep_until(
              started + std::chrono::microseconds(static_cast<std::int64_t>(
                            static_cast<double>(offered) * 1e6 / options.rate)));
        }
        ++offered;
        pipeline.receive(std::move(member), [&](const transport::AckInfo& info) {
          if (!info.journaled) ++refused;
          ++acked;
        });
        progress.update(acked.load());
        return true;
      });
  if (read.isOk() && tick_status.isOk() && eb_ticks) {
    // The batch clock: --clock-start + 1 ms per message, so its last day is that of the last message.
    const Date last_day =
        batch_day ? *batch_day
                  : Date::fromDays(static_cast<long>(
                        clock_start->plusMillis(static_cast<std::int64_t>(offered)).micros / 86400000000LL));
    tick_status = tickThrough(last_day, last_day.plusDays(1));
  }
  if (!read.isOk() || !tick_status.isOk()) {
    pipeline.stop();
    return fail(read.isOk() ? tick_status.message() : read.message());
  }
  // A replay that stops making progress says what it waits for, once a minute.
  std::uint64_t last_done = 0;
  auto last_change = SteadyClock::now();
  while (!pipeline.waitIdle(std::chrono::milliseconds(100))) {
    const pipeline::PipelineTotals now = pipeline.totals();
    progress.update(now.committed);
    if (now.committed + now.delivered != last_done) {
      last_done = now.committed + now.delivered;
      last_change = SteadyClock::now();
    } else if (SteadyClock::now() - last_change >= std::chrono::minutes(1)) {
      std::cerr << "\n" << waitingFor(**journal) << "\n";
      last_change = SteadyClock::now();
    }
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  progress.update(*total, true);
  pipeline.stop();
  if (Status flushed = (*projector)->flush(); !flushed.isOk()) return fail(flushed.message());
  if (refused > 0) return fail(std::to_string(refused.load()) + " messages could not be journaled");

  // summary.json: deterministic counts only.
  const auto eb_counts = (*journal)->eb().counts();
  if (!eb_counts) return fail(eb_counts.status().message());
  const nlohmann::ordered_json summary =
      replaySummary(options, offered, pipeline.totals(), metrics, *reference_counts, *eb_counts);
  {
    std::ofstream file(out / "summary.json");
    file << summary.dump(2) << "\n";
  }

  const LatencyHistogram latencies = pipeline.latencies();
  const double p50 = latencies.percentileMs(50);
  const double p99 = latencies.percentileMs(99);
  const long peak_rss_kib = peakResidentKiB();
  const double rate = seconds > 0 ? static_cast<double>(offered) / seconds : 0;
  if (options.json) {
    nlohmann::ordered_json printed = summary;
    printed["seconds"] = seconds;
    printed["messages_per_second"] = rate;
    printed["latency_ms"] = {{"p50", p50}, {"p99", p99}};
    printed["peak_rss_kib"] = peak_rss_kib;
    std::cout << printed.dump() << "\n";
    return 0;
  }
  std::printf("\nreplay summary: %llu messages in %.2f s (%.0f msg/s), latency p50 %.1f ms, p99 %.1f ms, "
              "peak memory %ld MiB\n\n",
              static_cast<unsigned long long>(offered), seconds, rate, p50, p99, peak_rss_kib / 1024);
  printSummary(summary, out);
  return 0;
}

}  // namespace iwmo::cli
