// SHA-256 of a byte string as lowercase hex (journal duplicate detection, Envelope digest).
// Uses OpenSSL's EVP interface. Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace iwmo {

std::string sha256Hex(std::string_view bytes);

}  // namespace iwmo
