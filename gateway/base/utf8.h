// UTF-8 checks and a safe rendering of bytes that may not be UTF-8: names from the outside
// world (a file saved as Latin-1 "caf\xE9.xml", a ZeroMQ name frame, a tar member) travel as
// bytes, but protobuf string fields, JSON log lines and operator reports need valid UTF-8
// (issue 16). Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace iwmo {

// Offset of the first byte of `bytes` that is not part of well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF; a sequence cut off by the end counts as
// ill-formed at its lead byte), or npos when all of it is well-formed.
std::size_t firstInvalidUtf8(std::string_view bytes);
inline bool isValidUtf8(std::string_view bytes) { return firstInvalidUtf8(bytes) == std::string_view::npos; }

// `bytes` as valid UTF-8 for people and protobuf: well-formed UTF-8 is kept; every byte that is
// not, and every control character (U+0000-U+001F, U+007F), becomes "\xNN" (two upper-case hex
// digits), e.g. "caf\xE9.xml". A name that was valid UTF-8 without controls comes back unchanged.
std::string printableUtf8(std::string_view bytes);

}  // namespace iwmo
