// `iwmo-gateway responsible --case FILE [--json] [--check]` (issue 5; DESIGN §4.1): evaluates one
// case of the responsibility rules and prints {"gemeente","rule","regime","flags","trail"};
// with --check it compares the result with the case's "expect" and exits 1 on a mismatch.
// The case's "config" overrides the [responsibility] parameters of the gateway's config.
#pragma once

#include <filesystem>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct ResponsibleOptions {
  std::filesystem::path case_file;
  bool json = false;
  bool check = false;
};

// Exit codes: 0 decided (and, with --check, as expected), 1 not as expected, 2 unusable input.
int runResponsible(const config::Config& config, const ResponsibleOptions& options);

}  // namespace iwmo::cli

