// The lock on a state directory (STATE_DIR/iwmo-gateway.lock): one `iwmo-gateway run` per state
// directory, and no `import` that changes what a running daemon works on. flock(2) on the file,
// held for the life of the process (the kernel releases it when the process ends, however it
// ends); the holder writes "PID COMMAND" into it so that the one refused can say who holds it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::cli {

struct StateLockHolder {
  bool held = false;    // another process holds the lock (else the error is about the file)
  std::string pid;      // "" when the holder wrote nothing (an older build)
  std::string command;  // "iwmo-gateway run", ...; "" when unknown
};

// Takes the lock on `lock_file` for `command` and returns its descriptor (keep it open). Errors:
// kUnavailable — held by another process (`holder` says by whom), or the file cannot be opened or
// locked (the message says why).
Result<int> takeStateLock(const std::filesystem::path& lock_file, std::string_view command, StateLockHolder& holder);

}  // namespace iwmo::cli
