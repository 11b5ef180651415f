// What a content-model error is about, in the operator's terms (issue 14, item 6). Xerces checks
// an element's children against its content model when the element ends, and says
//   "missing elements in content model '(Identificatie,Dagtekening)'" or
//   "element 'Geboortedatum' is not allowed for content model '(Bsn,Geboortedatum,...)'",
// at the end tag and naming the element after the gap, not the one missing. With the children as
// the tree holds them, this names the missing or misplaced element, where it belongs and the fix,
// at the line of the element that follows the gap. Sequences only (what the iStandaarden's
// schemas use); a model with a choice or a group gives nullopt, and Xerces' text stays.
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/xml/xml_tree.h"

namespace iwmo::adapters::xml {

struct ContentModelFinding {
  std::string message;
  std::uint32_t line = 0;  // 0: keep Xerces' position (the end tag)
  std::uint32_t column = 0;
};

std::optional<ContentModelFinding> explainContentModel(const XmlTree& tree, std::int32_t element,
                                                       std::string_view xerces_message);

}  // namespace iwmo::adapters::xml
