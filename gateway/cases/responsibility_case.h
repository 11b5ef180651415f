// The responsibility case format of DESIGN §4.1 (the virtual cases in shared/cases, and what
// `iwmo-gateway responsible --case FILE` reads): one client situation (BRP periods,
// institutions, BW episodes, product, client statement), parameters that override the
// configured [responsibility] ones, and what the decision should be ("expect").
// Pure: text in, rule inputs out; the caller reads the file and runs rules::decideResponsibility.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/config/config.h"
#include "gateway/rules/responsibility.h"

namespace iwmo::cases {

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

}  // namespace iwmo::cases
