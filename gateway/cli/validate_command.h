// `iwmo-gateway validate [--json] FILE...`: one verdict per file (DESIGN §5.2).
// FILE may be a directory (every *.xml below it, sorted) or "-" for standard input.
// Exit status: 0 all valid, 1 any invalid, 2 usage or I/O error.
#pragma once

#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct ValidateOptions {
  std::vector<std::string> inputs;
  bool json = false;
  bool quiet = false;  // human mode: only invalid files and the totals
};

int runValidate(const config::Config& config, const ValidateOptions& options);

}  // namespace iwmo::cli
