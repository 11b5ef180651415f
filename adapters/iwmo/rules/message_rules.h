// Single-message rules of iWmo 3.2 (DESIGN §3 level 2; reference/iwmo-3.2/rules-digest.md §3):
// the technical rules (TR), conditions (CD) and constraints (CS) that one message can be checked
// against without stored state and that the XSD does not already enforce.
//
// They belong to the standard's own validation (IV032 "controleniveau 2"), so they live with the
// iWmo adapter; the gateway's business rules (responsibility, eigen bijdrage) are gateway/rules.
// Every violation maps to retourcode 0001 (a header-only retour, IV032).
//
// REQUIRES: the tree passed level 1 (well-formed and schema-valid), so every element the schema
// requires is present and every value has its schema type.
// Thread-safety: pure functions of their arguments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/iwmo/message_types.h"
#include "adapters/xml/xml_tree.h"

namespace iwmo::adapters::iwmo {

// WJ001 retourcode of every level-2 violation (IV032).
inline constexpr std::string_view kLevel2Retourcode = "0001";

struct RuleViolation {
  std::string code;                                  // "CS002", "TR101", ...
  const adapters::xml::XmlElement* element = nullptr;  // where; never null
  std::string message;                               // for an operator, with the values involved
};

// All violations, in document order of the rule families (see rules/*.cpp).
std::vector<RuleViolation> checkMessageRules(const MessageType& type,
                                             const adapters::xml::XmlTree& tree);

}  // namespace iwmo::adapters::iwmo
