// Checks on the raw bytes of a message before any XML parser sees them (DESIGN §3 level 1,
// non-negotiable 4): size limit, empty input, byte-order marks, UTF-8 validity and the declared
// encoding. GGk payloads are UTF-8 without BOM, at most 25 MB (reference/stuf-iwmo/ggk-transport.md).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "adapters/xml/xml_problem.h"
#include "gateway/base/utf8.h"

namespace iwmo::adapters::xml {

// The first reason `bytes` cannot be accepted as a message, or nullopt. Problems carry code
// "INPUT" and, where the fault has a place, its line and column.
std::optional<XmlProblem> checkInput(std::string_view bytes, std::size_t max_bytes);

// The problem for a message of `size` bytes over the `max_bytes` limit (also used by callers that
// refuse a large file before reading it).
XmlProblem oversizeProblem(std::uint64_t size, std::size_t max_bytes);

// firstInvalidUtf8 (gateway/base/utf8.h), for the adapters that include this header.
using ::iwmo::firstInvalidUtf8;

// Line and column (1-based; column counts characters, not bytes) of byte `offset` in `bytes`.
void lineAndColumn(std::string_view bytes, std::size_t offset, std::uint32_t& line,
                   std::uint32_t& column);

}  // namespace iwmo::adapters::xml
