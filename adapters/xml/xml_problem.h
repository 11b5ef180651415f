// XmlProblem: one reason a document failed level 1 (DESIGN §3): the input was refused, it is
// not well-formed XML, or it does not follow its schema. Value type.
#pragma once

#include <cstdint>
#include <string>

namespace iwmo::adapters::xml {

struct XmlProblem {
  // Codes, as they appear in reports:
  static constexpr const char* kInput = "INPUT";    // size, empty, BOM, encoding, UTF-8
  static constexpr const char* kXml = "XML";        // not well-formed, DOCTYPE, entities
  static constexpr const char* kXsd = "XSD";        // schema violation
  static constexpr const char* kSchema = "SCHEMA";  // no schema in the set for the root namespace

  std::uint32_t line = 0;  // 1-based; 0 = not tied to a position
  std::uint32_t column = 0;
  std::string path;  // element path where it was found; "" before the root element
  std::string code;
  std::string message;
};

}  // namespace iwmo::adapters::xml
