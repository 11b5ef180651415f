// End-to-end benchmark (issue 3): `iwmo-gateway replay` of a generated batch through the whole
// pipeline — validation, durable journal (synchronous=FULL, group commit), bus, handlers, outbox,
// delivery with syncfs — next to the raw validation rate of the same batch measured in the same
// run (one IwmoAdapter in this process), printed as a ratio. Reports p50/p99 latency from the
// replay's own summary and the replay process's peak RSS for each batch size, so one sees that
// memory stays flat as the batch grows (10k vs 100k by default). Peak RSS is the replay's own
// VmHWM (it prints it in its --json summary): wait4's ru_maxrss would be wrong here, because
// Linux carries the spawning process's high-water mark over the exec of a posix_spawn child, and
// this benchmark holds the whole batch in memory for its validation baseline.
//
// The batch: valid WMO301 (back office → GGk) and WMO305 (GGk → back office) messages from the
// demo batch, each with its own Identificatie, for 2 000 clients, written once per size into a scratch directory.
// A plain program (the baseline is measured in-process, the subject is a separate process);
// timings are printed, never asserted (non-negotiable 6).
//
//   build/bench/replay_bench [--sizes 10000,100000] [--scratch DIR] [--binary PATH]
#include <spawn.h>
#include <sys/wait.h>
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/xerces_platform.h"
#include "gateway/base/bsn.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Writes `count` distinct valid messages into dir/backoffice and dir/ggk; returns total bytes.
std::uint64_t writeBatch(const fs::path& dir, std::size_t count) {
  const fs::path demo = fs::path(IWMO_SOURCE_DIR) / "demo/messages/valid";
  const std::string wmo301 = readFile(demo / "01-WMO301-toewijzing-hh-de-graaf.xml");
  const std::string wmo305 = readFile(demo / "05-WMO305-start-hh-corrected.xml");
  fs::create_directories(dir / "backoffice");
  fs::create_directories(dir / "ggk");
  // 2 000 clients (test-range BSNs that pass the elfproef): a municipality's traffic is about
  // many clients, and one client's messages are handled one at a time.
  std::vector<std::string> bsns;
  for (unsigned candidate = 999900000; bsns.size() < 2000; ++candidate) {
    if (iwmo::isValidBsn(std::to_string(candidate))) bsns.push_back(std::to_string(candidate));
  }
  std::uint64_t bytes = 0;
  for (std::size_t n = 0; n < count; ++n) {
    char id[32];
    std::snprintf(id, sizeof id, "BM%08zu", n);
    const bool toewijzing = n % 2 == 0;
    const std::string& bsn = bsns[n % bsns.size()];
    const std::string body =
        toewijzing ? replaced(replaced(wmo301, ">999952602<", ">" + bsn + "<"), "<iwmo:Identificatie>TW-2026-0001<", std::string("<iwmo:Identificatie>") + id + "<")
                   : replaced(replaced(wmo305, ">999952602<", ">" + bsn + "<"), "<iwmo:Identificatie>THR26-S0002<", std::string("<iwmo:Identificatie>") + id + "<");
    char name[32];
    std::snprintf(name, sizeof name, "m%07zu.xml", n);
    std::ofstream(dir / (toewijzing ? "backoffice" : "ggk") / name, std::ios::binary) << body;
    bytes += body.size();
  }
  return bytes;
}

struct ReplayRun {
  bool ok = false;
  double seconds = 0;
  long peak_rss_kib = 0;
  nlohmann::json summary;
};

ReplayRun runReplay(const std::string& binary, const fs::path& config, const fs::path& batch,
                    const fs::path& out) {
  ReplayRun run;
  const fs::path summary_file = out.string() + ".summary.json";
  std::vector<std::string> args = {binary, "--config", config.string(), "replay", batch.string(),
                                   "--out", out.string(), "--json"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, summary_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const auto start = Clock::now();
  pid_t pid = 0;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) return run;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (run.ok) {
    run.summary = nlohmann::json::parse(readFile(summary_file), nullptr, false);
    run.ok = run.summary.is_object() && run.summary.contains("peak_rss_kib");
    if (run.ok) run.peak_rss_kib = run.summary["peak_rss_kib"].get<long>();
  }
  return run;
}

// Validation only: every batch member once through one adapter, in this process.
double validationRate(const fs::path& batch, std::size_t& messages, std::uint64_t& bytes) {
  auto schemas = iwmo::adapters::xml::SchemaSet::load(fs::path(IWMO_SOURCE_DIR) / "schemas/iwmo-3.2");
  if (!schemas) return 0;
  auto adapter = iwmo::adapters::iwmo::IwmoAdapter::create(*schemas);
  if (!adapter) return 0;
  std::vector<std::string> bodies;
  for (const auto& sub : {"backoffice", "ggk"}) {
    for (const auto& entry : fs::directory_iterator(batch / sub)) bodies.push_back(readFile(entry.path()));
  }
  iwmo::proto::Envelope envelope;
  messages = 0;
  bytes = 0;
  const auto start = Clock::now();
  for (const auto& body : bodies) {
    (*adapter)->validate(body, "bench", envelope);
    if (!envelope.verdict().valid()) {
      std::cerr << "bench: generated message is invalid\n";
      return 0;
    }
    ++messages;
    bytes += body.size();
  }
  return static_cast<double>(messages) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {10000, 100000};
  fs::path scratch = fs::temp_directory_path() / "iwmo-replay-bench";
  std::string binary = IWMO_GATEWAY_BINARY;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoul(item));
    } else if (std::strcmp(argv[i], "--scratch") == 0 && i + 1 < argc) {
      scratch = argv[++i];
    } else if (std::strcmp(argv[i], "--binary") == 0 && i + 1 < argc) {
      binary = argv[++i];
    } else {
      std::cerr << "usage: replay_bench [--sizes 10000,100000] [--scratch DIR] [--binary PATH]\n";
      return 2;
    }
  }
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  const fs::path config = scratch / "bench.toml";
  std::ofstream(config) << "[gateway]\nown_gemeente = [\"0599\"]\nstate_dir = \"state\"\n[schemas]\niwmo = \""
                        << (fs::path(IWMO_SOURCE_DIR) / "schemas/iwmo-3.2").string() << "\"\n[http]\nlisten = \"\"\n";
  iwmo::adapters::xml::XercesPlatform xerces;

  std::printf("replay benchmark: durable journal (synchronous=FULL), %u cores\n", std::thread::hardware_concurrency());
  std::printf("%9s | %12s %8s | %12s %9s %9s | %7s | %10s\n", "messages", "validate/s", "MB/s", "replay msg/s",
              "p50 ms", "p99 ms", "ratio", "peak RSS");
  for (std::size_t size : sizes) {
    const fs::path batch = scratch / ("batch-" + std::to_string(size));
    const std::uint64_t batch_bytes = writeBatch(batch, size);
    std::size_t validated = 0;
    std::uint64_t validated_bytes = 0;
    const double raw = validationRate(batch, validated, validated_bytes);
    const ReplayRun run = runReplay(binary, config, batch, scratch / ("out-" + std::to_string(size)));
    if (!run.ok) {
      std::printf("%9zu | replay failed (see %s)\n", size, (scratch / ("out-" + std::to_string(size))).c_str());
      continue;
    }
    const double e2e = static_cast<double>(size) / run.seconds;
    std::printf("%9zu | %12.0f %8.2f | %12.0f %9.1f %9.1f | %6.2fx | %7ld MB\n", size, raw,
                raw * static_cast<double>(validated_bytes) / static_cast<double>(validated) / 1048576.0, e2e,
                run.summary["latency_ms"]["p50"].get<double>(), run.summary["latency_ms"]["p99"].get<double>(),
                e2e / raw, run.peak_rss_kib / 1024);
    fs::remove_all(scratch / ("out-" + std::to_string(size)));
    fs::remove_all(batch);
    (void)batch_bytes;
  }
  std::printf("ratio = end-to-end replay rate / raw validation rate of the same messages, same run.\n"
              "replay msg/s counts process start to exit (schema compile, journal open, drain included).\n");
  return 0;
}
