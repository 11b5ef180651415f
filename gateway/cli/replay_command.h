// `iwmo-gateway replay BATCH [--out DIR] [--rate N] [--force]`: runs a batch (a directory or a
// tar archive of messages) through the same pipeline as the daemon — validation, journal, bus,
// handlers, outbox, delivery — into DIR, then prints a summary (counts per type and verdict,
// derived messages, throughput, p50/p99 latency).
//
// Deterministic: ids follow the batch order, timestamps are logical (the n-th message is
// received at --clock-start + n ms, or with --clock dagtekening on its own Dagtekening), results
// commit in journal order. The same batch and config
// give byte-identical files in DIR: backoffice/, ggk/, rejected/, routing.log, summary.json
// (journal.sqlite, the SQLite file, is the one exception). DIR must be empty or absent
// (--force empties it). The BSN pseudonyms use the config's key file (log.hmac_key_file).
// Exit status: 0 when every message got a verdict, 2 on usage, configuration or I/O errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct ReplayOptions {
  std::filesystem::path batch;
  std::filesystem::path out;    // default: <state_dir>/replay
  double rate = 0;              // messages per second; 0 = as fast as possible
  bool force = false;
  bool json = false;            // print the summary as JSON instead of text
  std::string clock_start = "2026-01-01T00:00:00Z";
  // "batch": the n-th message is received at clock_start + n ms; "dagtekening": at noon (UTC) of
  // its own Dagtekening + n ms (what a CAK test environment replaying history needs: the iEb
  // date windows count from the day of receipt).
  std::string clock = "batch";
};

int runReplay(const config::Config& config, const ReplayOptions& options);

}  // namespace iwmo::cli
