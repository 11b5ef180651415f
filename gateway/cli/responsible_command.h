// `iwmo-gateway responsible --case FILE [--json] [--check]` (issue 5; DESIGN §4.1): evaluates one
// case of the responsibility rules and prints {"gemeente","rule","regime","flags","trail"};
// with --check it compares the result with the case's "expect" and exits 1 on a mismatch.
// The case's "config" overrides the [responsibility] parameters of the gateway's config.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/config/config.h"
#include "gateway/rules/responsibility.h"

namespace iwmo::cli {

struct ResponsibilityCase {
  std::string id;
  rules::ResponsibilityInput input;
  rules::ResponsibilityParams params;
  std::optional<nlohmann::json> expect;
  std::vector<std::string> warnings;  // keys we do not know (ignored, reported)
};

// Parses a case in the format of DESIGN §4.1. `defaults` are the parameters the case's config
// overrides; `bw_products` decides "is BW" when the case's product has no "bw". Errors:
// kInvalid "FILE: field: problem".
Result<ResponsibilityCase> parseResponsibilityCase(std::string_view json_text, const std::string& file,
                                                   const rules::ResponsibilityParams& defaults,
                                                   const std::vector<config::BwProduct>& bw_products);

nlohmann::ordered_json decisionJson(const rules::ResponsibilityDecision& decision);

// Differences between a decision and an "expect" object (gemeente, rule, and flags when given);
// empty when it matches.
std::vector<std::string> expectationMismatches(const rules::ResponsibilityDecision& decision,
                                               const nlohmann::json& expect);

struct ResponsibleOptions {
  std::filesystem::path case_file;
  bool json = false;
  bool check = false;
};

// Exit codes: 0 decided (and, with --check, as expected), 1 not as expected, 2 unusable input.
int runResponsible(const config::Config& config, const ResponsibleOptions& options);

}  // namespace iwmo::cli
