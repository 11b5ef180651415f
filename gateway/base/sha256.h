// SHA-256 of a byte string as lowercase hex (journal duplicate detection, Envelope digest).
// Uses OpenSSL's EVP interface. Thread-safety: sha256Hex is a pure function; a Sha256 object
// belongs to one thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace iwmo {

std::string sha256Hex(std::string_view bytes);

// The same digest over bytes that arrive in parts (a file too large to hold: issue 16).
//   Sha256 digest; digest.update(part1); digest.update(part2); digest.hexDigest();
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  // The lowercase hex digest of everything given; "" when OpenSSL failed (allocation only).
  // REQUIRES: called once, after the last update().
  std::string hexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace iwmo
