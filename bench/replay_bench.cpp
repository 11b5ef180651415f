// End-to-end benchmark (issue 3): `iwmo-gateway replay` of a generated batch through the whole
// pipeline — validation, durable journal (synchronous=FULL, group commit), bus, handlers, outbox,
// delivery with syncfs — next to the raw validation rate of the same batch measured in the same
// run (one IwmoAdapter in this process), printed as a ratio. Reports p50/p99 latency from the
// replay's own summary and the replay process's peak RSS for each batch size, so one sees that
// memory stays flat as the batch grows (10k vs 300k by default; issue 13 asks <= 64 MiB). Peak
// RSS is the replay's own VmHWM (it prints it in its --json summary): wait4's ru_maxrss would be
// wrong here, because Linux carries the spawning process's high-water mark over the exec of a
// posix_spawn child, and this benchmark holds the whole batch in memory for its validation
// baseline.
//
// The batch: valid WMO301 (back office → GGk) and WMO305 (GGk → back office) messages from the
// demo batch, each with its own Identificatie, for 2 000 clients, written once per size into a
// scratch directory. After each replay, the files it delivered are written again through the
// gateway's DirectorySink on one thread with nothing else running (the durable-delivery floor),
// so one sees how much of the gap to raw validation the file system's own cost explains.
// A plain program (the baseline is measured in-process, the subject is a separate process);
// timings are printed, never asserted (non-negotiable 6).
//
//   build/bench/replay_bench [--sizes 10000,300000] [--scratch DIR] [--binary PATH] [--keep]
//
// --keep leaves the batches, the configuration and the replay's output in the scratch directory, to
// profile one replay again by hand (e.g. under perf record).
//
// Nothing is deleted until every figure is measured. On ext4 without a journal (this machine's
// root file system is one), creating a file skips every inode freed in the last one to six
// minutes, reading each one's inode-table block to see that: after the previous size's 30 000
// files were deleted, each file the replay delivered cost about 130 us of system time instead of
// 25 us, and the delivery thread took 29 % of the replay's CPU instead of 6 % (issue 13). So an
// earlier run's scratch directory is renamed away, not deleted, and everything goes at the end.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <string>
#include <vector>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/transport/directory_sink.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/xerces_platform.h"
#include "bench_support.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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
  const auto start = Clock::now();
  const pid_t pid = iwmo::bench::spawn({binary, "--config", config.string(), "replay", batch.string(), "--out",
                                        out.string(), "--json"},
                                       summary_file, out.string() + ".stderr");
  if (pid == 0) return run;
  int status = 0;
  waitpid(pid, &status, 0);
  run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (run.ok) {
    run.summary = nlohmann::json::parse(iwmo::bench::readFile(summary_file), nullptr, false);
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
    for (const auto& entry : fs::directory_iterator(batch / sub)) bodies.push_back(iwmo::bench::readFile(entry.path()));
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

// The floor of durable delivery on this file system: the files the replay delivered, written
// again through the gateway's own DirectorySink (write-then-rename) into fresh directories, one
// sync per sink per batch of 256 as the delivery stage does, on one thread. Returns files/s.
double deliveryFloor(const fs::path& delivered, const fs::path& scratch, std::size_t& files) {
  // `scratch` is new: it is removed with the rest at the end (see the header on deleting).
  struct Output {
    std::string sink, name, body;
  };
  std::vector<Output> outputs;
  for (const auto& sub : {"backoffice", "ggk", "cak"}) {
    if (!fs::is_directory(delivered / sub)) continue;
    for (const auto& entry : fs::directory_iterator(delivered / sub)) {
      outputs.push_back({sub, entry.path().filename().string(), iwmo::bench::readFile(entry.path())});
    }
  }
  // In delivery order, interleaved as the outbox is (by name: the names start with their time).
  std::sort(outputs.begin(), outputs.end(), [](const Output& a, const Output& b) { return a.name < b.name; });
  files = outputs.size();
  if (outputs.empty()) return 0;
  std::map<std::string, iwmo::transport::DirectorySink> sinks;
  for (const auto& sub : {"backoffice", "ggk", "cak"}) sinks.emplace(sub, scratch / sub);
  const auto start = Clock::now();
  std::string where;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!sinks.at(outputs[i].sink).deliver(outputs[i].name, outputs[i].body, where).isOk()) return 0;
    if ((i + 1) % 256 == 0 || i + 1 == outputs.size()) {
      for (auto& [name, sink] : sinks) {
        if (!sink.sync().isOk()) return 0;
      }
    }
  }
  return static_cast<double>(outputs.size()) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {10000, 300000};
  fs::path scratch = fs::temp_directory_path() / "iwmo-replay-bench";
  std::string binary = IWMO_GATEWAY_BINARY;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes.clear();
      std::stringstream list(argv[++i]);
      for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoul(item));
    } else if (std::strcmp(argv[i], "--scratch") == 0 && i + 1 < argc) {
      scratch = argv[++i];
    } else if (std::strcmp(argv[i], "--binary") == 0 && i + 1 < argc) {
      binary = argv[++i];
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      keep = true;
    } else {
      std::cerr << "usage: replay_bench [--sizes 10000,300000] [--scratch DIR] [--binary PATH] [--keep]\n";
      return 2;
    }
  }
  // Deleted only when every figure is measured (see the header).
  std::vector<fs::path> remove_at_end;
  if (fs::exists(scratch)) {
    const fs::path earlier = scratch.string() + ".earlier-" + std::to_string(::getpid());
    fs::rename(scratch, earlier);
    remove_at_end.push_back(earlier);
  }
  fs::create_directories(scratch);
  const fs::path config = scratch / "bench.toml";
  std::ofstream(config) << "[gateway]\nown_gemeente = [\"0599\"]\nstate_dir = \"state\"\n[schemas]\niwmo = \""
                        << (fs::path(IWMO_SOURCE_DIR) / "schemas/iwmo-3.2").string() << "\"\n[http]\nlisten = \"\"\n";
  iwmo::adapters::xml::XercesPlatform xerces;

  std::printf("replay benchmark: durable journal (synchronous=FULL), %u cores\n", std::thread::hardware_concurrency());
  std::printf("%9s | %12s %8s | %12s %9s %9s | %7s | %10s | %14s %7s\n", "messages", "validate/s", "MB/s",
              "replay msg/s", "p50 ms", "p99 ms", "ratio", "peak RSS", "files alone/s", "ratio");
  for (std::size_t size : sizes) {
    const fs::path batch = scratch / ("batch-" + std::to_string(size));
    const std::uint64_t batch_bytes = iwmo::bench::writeBatch(batch, size);
    std::size_t validated = 0;
    std::uint64_t validated_bytes = 0;
    const double raw = validationRate(batch, validated, validated_bytes);
    const ReplayRun run = runReplay(binary, config, batch, scratch / ("out-" + std::to_string(size)));
    if (!run.ok) {
      std::printf("%9zu | replay failed (see %s)\n", size, (scratch / ("out-" + std::to_string(size))).c_str());
      continue;
    }
    const double e2e = static_cast<double>(size) / run.seconds;
    std::size_t files = 0;
    const fs::path floor_dir = scratch / ("floor-" + std::to_string(size));
    const double floor = deliveryFloor(scratch / ("out-" + std::to_string(size)), floor_dir, files);
    remove_at_end.push_back(floor_dir);
    // The floor as messages per second: the replay delivers `files` files for `size` messages.
    const double floor_messages = floor * static_cast<double>(size) / static_cast<double>(std::max<std::size_t>(files, 1));
    std::printf("%9zu | %12.0f %8.2f | %12.0f %9.1f %9.1f | %6.2fx | %7ld MB | %14.0f %6.2fx\n", size, raw,
                raw * static_cast<double>(validated_bytes) / static_cast<double>(validated) / 1048576.0, e2e,
                run.summary["latency_ms"]["p50"].get<double>(), run.summary["latency_ms"]["p99"].get<double>(),
                e2e / raw, run.peak_rss_kib / 1024, floor, floor_messages / raw);
    if (!keep) {
      remove_at_end.push_back(scratch / ("out-" + std::to_string(size)));
      remove_at_end.push_back(batch);
    }
    (void)batch_bytes;
  }
  std::printf("ratio = end-to-end replay rate / raw validation rate of the same messages, same run.\n"
              "replay msg/s counts process start to exit (schema compile, journal open, drain included).\n"
              "files alone/s: the replay's delivered files written again with the gateway's DirectorySink, one\n"
              "sync per sink per 256 files, one thread, nothing else running; its ratio is that rate in messages\n"
              "(files per message as in the replay) over raw validation: the most a replay that delivers each\n"
              "message durably as a file of its own can reach on this file system with one delivery thread.\n");
  for (const fs::path& path : remove_at_end) fs::remove_all(path);
  return 0;
}
