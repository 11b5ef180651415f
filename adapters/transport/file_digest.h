// The SHA-256 of a file read in fixed-size chunks, for messages too large to hold in memory:
// an oversize file is refused without being kept, but its digest still tells a re-read of the
// same file (after a crash) from another file that happens to be refused too (issue 16: every
// oversize message used to carry the digest of empty content). Thread-safety: pure function.
#pragma once

#include <filesystem>
#include <string>

#include "gateway/base/result.h"

namespace iwmo::transport {

// Lowercase hex SHA-256 of the file's bytes. Errors: kUnavailable (cannot open or read it).
Result<std::string> sha256OfFile(const std::filesystem::path& file);

}  // namespace iwmo::transport
