// UUID version 4 (RFC 4122 §4.4) for referentienummer: every envelope and Fo01 the gateway writes
// gets a fresh one ([SPEC4] §2.4 p.11; the GGk refuses another form with IB009, VECOZO with CC04,
// a repeated one with CC08). Random bits come from OpenSSL's CSPRNG (RAND_bytes).
// Thread-safety: thread-safe (OpenSSL 3's default RAND is).
#pragma once

#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::adapters::stuf {

// "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", lower case.
// Errors: kUnavailable when the random generator cannot deliver (not seeded, entropy source gone).
Result<std::string> newUuidV4();

// True when `text` matches the StUF-GGk pattern
// [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} (lower case only).
bool isUuidV4(std::string_view text);

}  // namespace iwmo::adapters::stuf
