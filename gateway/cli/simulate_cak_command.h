// `iwmo-gateway simulate-cak` (issue 4; DESIGN §1 user 2, §2.2): plays the CAK on the gateway's
// CAK outbox with simulators/cak (what it checks and answers: simulators/cak/cak_simulator.h).
// This command fills in the defaults from the config, runs the simulator over --in once (or,
// with --follow, until SIGINT / SIGTERM) and prints one line per file, human or JSON.
#pragma once

#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct SimulateCakOptions {
  std::filesystem::path in;         // default: config.cak.deliver_dir
  std::filesystem::path out;        // default: config.cak.receive_dir
  std::filesystem::path state;      // default: STATE_DIR/cak-simulator/state.sqlite
  std::filesystem::path processed;  // default: STATE_DIR/cak-simulator/processed
  std::string today;                // DagtekeningRetour and the 8848 check; default: today (UTC)
  bool follow = false;              // keep watching --in until SIGINT / SIGTERM
  bool json = false;                // one JSON line per message processed
  // The periods the CAK holds before the first message (the `import cak-periods` format):
  // stored in the simulator's state, unless it has them already.
  std::filesystem::path seed;
};

// Exit codes: 0 every file answered (accepted or rejected); 1 some file refused at level 1;
// 2 set-up failed (directories, state, schemas).
int runSimulateCak(const config::Config& config, const SimulateCakOptions& options);

}  // namespace iwmo::cli
