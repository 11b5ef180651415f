// Checks on the decoded payload of an envelope and on text the writer puts into one.
// The payload is UTF-8 without a byte-order mark ([SPEC4] §2.2 p.8); whether it is well-formed
// and valid XML is the next adapter's question (adapters/iwmo, adapters/ieb), not this one's.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/stuf/stuf_types.h"

namespace iwmo::adapters::stuf {

// The first reason `payload` (decoded xmlBestand at `element`) breaks the envelope's rules, or
// nullopt: empty (PAYLOAD-EMPTY), a UTF-8/16/32 byte-order mark (PAYLOAD-BOM), bytes that are not
// UTF-8 (PAYLOAD-UTF8, RFC 3629: no overlong forms, surrogates or code points above U+10FFFF).
std::optional<EnvelopeProblem> checkXmlPayload(std::string_view payload, std::string element);

// The longest prefix of valid UTF-8 `text` that is at most `max_units` UTF-16 code units long
// (XSD lengths count characters; Xerces counts UTF-16 units, so this is safe for both), cut at a
// character boundary. With `ellipsis`, a cut text ends in "..." within the same budget.
std::string truncateUtf16(std::string_view text, std::size_t max_units, bool ellipsis);

}  // namespace iwmo::adapters::stuf
