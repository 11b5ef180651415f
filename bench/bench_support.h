// What the benchmarks share: a generated batch of distinct, valid iWmo messages (WMO301 from the
// back office, WMO305 from the GGk, for 2 000 clients) built from the demo batch, and starting
// the real `iwmo-gateway` as a child process. Timings are printed, never asserted
// (non-negotiable 6).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace iwmo::bench {

struct GeneratedMessage {
  std::string peer;  // "backoffice" or "ggk"
  std::string name;  // m0000042.xml
  std::string body;
};

std::string readFile(const std::filesystem::path& path);

// Builds message `n` of the batch: even n a WMO301, odd n a WMO305, each with its own
// Identificatie and one of 2 000 clients. Thread-safety: any thread after the first call.
GeneratedMessage generatedMessage(std::size_t n);

// Writes messages [0, count) into dir/backoffice and dir/ggk; returns their total bytes.
std::uint64_t writeBatch(const std::filesystem::path& dir, std::size_t count);

// Starts `args` (args[0] the binary) with stdout and stderr to the given files; 0 on failure.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& stdout_file,
            const std::filesystem::path& stderr_file);

// The peak resident set (VmHWM) of a running process, in KiB; 0 when it cannot be read.
long peakRssKib(pid_t pid);

}  // namespace iwmo::bench
