// BsnHasher: replaces a BSN by a keyed hash before it reaches a log line or a metric
// (non-negotiable 5; DESIGN §5.1 step 7). HMAC-SHA-256 (OpenSSL EVP_MAC) with a 32-byte secret
// key kept in a file of mode 0600 that is created on first use. The same key always gives the
// same pseudonym, so an operator can follow one client through the log without seeing the BSN;
// without the key the pseudonym cannot be reversed (the BSN space is small, so an unkeyed hash
// could be).
//
// Thread-safety: a BsnHasher is immutable after creation; hash() may be called concurrently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::log {

class BsnHasher {
 public:
  // Reads the key from `key_file`; creates the file (32 random bytes from RAND_bytes, mode 0600,
  // O_EXCL, parent directories as needed) when it does not exist.
  // Errors: kFailedPrecondition when the file is readable by group or others (the message says
  // `chmod 600 FILE`) or has the wrong size; kUnavailable on I/O errors.
  static Result<BsnHasher> fromKeyFile(const std::filesystem::path& key_file);
  // Tests: a fixed key.
  static BsnHasher fromKey(std::string key);

  // "h:" + the first 16 lowercase hex digits of HMAC-SHA-256(key, bsn); "" for an empty bsn.
  std::string hash(std::string_view bsn) const;

 private:
  explicit BsnHasher(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace iwmo::log
