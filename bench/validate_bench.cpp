// Validation benchmark (issue 2): messages/s and MB/s of our adapter on the official iWmo 3.2
// examples (or, without ../shared/reference, the demo batch), next to `xmllint --noout --schema`
// validating the same files against the same schema, measured in the same run, as a ratio.
//
// Our side: one IwmoAdapter (schema set loaded once, as in the daemon) validating the file in a
// loop; that includes input checks, Xerces validation, tree capture, level-2 rules, extraction
// and the SHA-256 of the payload. xmllint's side: one process validating the file K times in one
// invocation (schema compiled once per process), so start-up is amortised; its start-up and
// schema compile time is measured separately and reported.
//
// A plain program rather than a Google Benchmark: the baseline is an external process and the
// output is a ratio table, which Benchmark's reporters do not give. Timings are printed, never
// asserted (non-negotiable 6).
//
//   build/bench/validate_bench [--seconds S] [FILE...]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/xerces_platform.h"

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

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Runs xmllint on `file` repeated `copies` times; returns wall seconds, or -1 on failure.
double runXmllint(const fs::path& schema, const fs::path& file, int copies) {
  std::vector<std::string> args = {"xmllint", "--noout", "--schema", schema.string()};
  for (int i = 0; i < copies; ++i) args.push_back(file.string());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "xmllint", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  const double elapsed = secondsSince(start);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? elapsed : -1;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      files.emplace_back(argv[i]);
    }
  }
  const fs::path source = IWMO_SOURCE_DIR;
  const fs::path schema_dir = source / "schemas/iwmo-3.2";
  if (files.empty()) {
    fs::path examples = source / "../shared/reference/iwmo-3.2/examples";
    if (!fs::is_directory(examples)) {
      std::cout << "note: " << examples.string()
                << " not found; benchmarking the demo batch instead\n";
      examples = source / "demo/messages/valid";
    }
    for (const auto& entry : fs::directory_iterator(examples)) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
  }

  iwmo::adapters::xml::XercesPlatform xerces;
  auto schemas = iwmo::adapters::xml::SchemaSet::load(schema_dir);
  if (!schemas) {
    std::cerr << schemas.status().toString() << "\n";
    return 2;
  }
  auto adapter = iwmo::adapters::iwmo::IwmoAdapter::create(*schemas);
  if (!adapter) return 2;

  std::printf("validation benchmark, %.1f s per measurement, schemas %s\n", seconds,
              schema_dir.string().c_str());
  std::printf("%-14s %8s | %12s %9s | %12s %9s | %7s\n", "file", "bytes", "ours msg/s", "MB/s",
              "xmllint msg/s", "MB/s", "ratio");
  double ours_total_seconds = 0;
  double xmllint_total_seconds = 0;
  std::size_t total_messages_ours = 0;
  std::size_t total_messages_xmllint = 0;
  double startup = -1;
  iwmo::proto::Envelope envelope;
  for (const fs::path& file : files) {
    const std::string bytes = readFile(file);
    // Which schema file xmllint needs: the message's own XSD in our set.
    (*adapter)->validate(bytes, file.string(), envelope);
    const std::string type = envelope.summary().message_type();
    if (type.empty() || !envelope.verdict().valid()) {
      std::printf("%-14s skipped (not a valid message: %s)\n", file.filename().c_str(),
                  envelope.verdict().findings_size() > 0
                      ? envelope.verdict().findings(0).message().c_str()
                      : "unknown type");
      continue;
    }
    const fs::path xsd = schema_dir / (type + ".xsd");

    std::size_t count = 0;
    const auto start = Clock::now();
    while (secondsSince(start) < seconds) {
      for (int i = 0; i < 50; ++i) (*adapter)->validate(bytes, "bench", envelope);
      count += 50;
    }
    const double ours_elapsed = secondsSince(start);
    const double ours_rate = static_cast<double>(count) / ours_elapsed;

    if (startup < 0) startup = runXmllint(xsd, file, 1);
    // Calibrate copies so one xmllint run takes about `seconds`.
    int copies = 200;
    double elapsed = runXmllint(xsd, file, copies);
    if (elapsed < 0) {
      std::printf("%-14s xmllint failed on this file\n", file.filename().c_str());
      continue;
    }
    if (elapsed < seconds) {
      copies = static_cast<int>(copies * seconds / std::max(elapsed, 0.01));
      copies = std::min(copies, 20000);
      elapsed = runXmllint(xsd, file, copies);
    }
    const double xmllint_rate = copies / elapsed;
    const double mb = static_cast<double>(bytes.size()) / (1024.0 * 1024.0);
    std::printf("%-14s %8zu | %12.0f %9.2f | %12.0f %9.2f | %6.2fx\n", file.filename().c_str(),
                bytes.size(), ours_rate, ours_rate * mb, xmllint_rate, xmllint_rate * mb,
                ours_rate / xmllint_rate);
    ours_total_seconds += ours_elapsed;
    total_messages_ours += count;
    xmllint_total_seconds += elapsed;
    total_messages_xmllint += static_cast<std::size_t>(copies);
  }
  if (total_messages_ours > 0 && total_messages_xmllint > 0) {
    const double ours = static_cast<double>(total_messages_ours) / ours_total_seconds;
    const double theirs = static_cast<double>(total_messages_xmllint) / xmllint_total_seconds;
    std::printf("overall: ours %.0f msg/s, xmllint %.0f msg/s, ratio %.2fx (xmllint start-up + "
                "schema compile: %.1f ms per process, not included above)\n",
                ours, theirs, ours / theirs, startup * 1000);
  }
  return 0;
}
