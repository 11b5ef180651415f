// Operator commands that read the journal or the config without running the pipeline:
//   explain ID     the full story of one message (received, verdict, decisions with rule ids and
//                  trail, what was emitted, every delivery attempt)
//   status         journal counts (pending work, outbox, duplicates) and, if the daemon's HTTP
//                  endpoint answers, its health
//   quarantine     messages whose journal record could not be read back (issue 16): list them,
//                  write one's payload out to send it again, close one with a note
//   config check   loads a config file and explains every error with its key and fix
//   keygen NAME    a CURVE key pair for the bus: NAME.key (0600: public + secret) and NAME.pub
//   worker         a handler worker process joining a daemon's bus
// Exit status: 0 success, 1 negative outcome (not found, config invalid, unhealthy), 2 usage or
// I/O errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

int runExplain(const config::Config& config, const std::filesystem::path& journal_file,
               const std::string& id, bool json);
int runStatus(const config::Config& config, const std::filesystem::path& journal_file, bool json);
struct QuarantineOptions {
  std::string action = "list";  // "list", "payload" or "done"
  bool all = false;             // list: closed items too
  bool json = false;
  std::uint64_t message_id = 0;
  std::string note;
  std::filesystem::path out;    // payload: the file to write ("" = standard output)
  std::filesystem::path journal;
};
int runQuarantine(const config::Config& config, const QuarantineOptions& options);
int runConfigCheck(const std::filesystem::path& file);
int runKeygen(const std::filesystem::path& name);
int runWorker(const config::Config& config, const std::string& endpoint, const std::string& name,
              const std::filesystem::path& server_public_key, const std::filesystem::path& key_file);

}  // namespace iwmo::cli
