// Base64 (RFC 4648 §4, standard alphabet, '=' padding) for the payload of a StUF-GGk envelope,
// which travels inline as xs:base64Binary in parameters/bericht ([SPEC4] §2.2 p.8).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::adapters::stuf {

// One line, no line breaks, padded.
std::string base64Encode(std::string_view bytes);

// Decodes `text`. Whitespace (space, tab, CR, LF) between characters is skipped, as the lexical
// form of xs:base64Binary allows after whitespace collapsing; everything else is strict: only the
// standard alphabet, a length that is a multiple of 4, '=' only as the last one or two characters,
// and zero bits in the unused part of the last group (one canonical decoding per text).
// Errors: kInvalid, naming the offset of the first offending character in `text`.
Result<std::string> base64Decode(std::string_view text);

}  // namespace iwmo::adapters::stuf
