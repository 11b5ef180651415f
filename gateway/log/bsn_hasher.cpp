// BsnHasher: HMAC-SHA-256 through OpenSSL 3's EVP_MAC, and the key file's life cycle (create
// once with O_EXCL, then read and check its mode and size). See bsn_hasher.h.
#include "gateway/log/bsn_hasher.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "gateway/base/durable_file.h"

namespace iwmo::log {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kPseudonymHexDigits = 16;

struct MacFree {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Closes a file descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// "<what>: <the queue of OpenSSL errors>", emptying the thread's error queue.
std::string openSslError(const std::string& what) {
  std::string message = what;
  bool first = true;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    message += first ? ": " : "; ";
    message += text.data();
    first = false;
  }
  if (first) message += ": (no OpenSSL error queued)";
  return message;
}

std::string errnoText(int error) { return std::strerror(error); }

// HMAC-SHA-256(key, data), 32 raw bytes.
Result<std::string> hmacSha256(const std::string& key, std::string_view data) {
  MacPtr mac(EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr));
  if (!mac) return Status::internal(openSslError("EVP_MAC_fetch(HMAC) failed"));
  MacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) return Status::internal(openSslError("EVP_MAC_CTX_new failed"));
  char digest_name[] = "SHA256";
  const std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                   params.data()) != 1) {
    return Status::internal(openSslError("EVP_MAC_init(HMAC-SHA256) failed"));
  }
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return Status::internal(openSslError("EVP_MAC_update failed"));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  std::size_t out_len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &out_len, out.size()) != 1) {
    return Status::internal(openSslError("EVP_MAC_final failed"));
  }
  return std::string(reinterpret_cast<const char*>(out.data()), out_len);
}

// mkdir -p with mode 0700 for the directories it creates (existing ones are left as they are).
Status createPrivateDirectories(const fs::path& dir) {
  if (dir.empty()) return Status::ok();
  fs::path partial;
  for (const fs::path& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::unavailable("cannot create directory " + partial.string() + ": " +
                                 errnoText(errno));
    }
  }
  return Status::ok();
}

Status writeAll(int fd, const std::string& bytes, const fs::path& file) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::unavailable("cannot write " + file.string() + ": " + errnoText(errno));
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

// Reads and checks an existing key file. kNotFound when it does not exist.
Result<std::string> readKeyFile(const fs::path& key_file) {
  Fd fd(::open(key_file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::notFound("no key file " + key_file.string());
    return Status::unavailable("cannot open HMAC key file " + key_file.string() + ": " +
                               errnoText(error));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Status::unavailable("cannot stat HMAC key file " + key_file.string() + ": " +
                               errnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::failedPrecondition("HMAC key file " + key_file.string() +
                                      " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", st.st_mode & 07777U);
    return Status::failedPrecondition("HMAC key file " + key_file.string() + " has mode " +
                                      mode.data() +
                                      "; it must not be accessible to group or others: run "
                                      "`chmod 600 " + key_file.string() + "`");
  }
  if (st.st_size != static_cast<off_t>(kKeyBytes)) {
    return Status::failedPrecondition(
        "HMAC key file " + key_file.string() + " has " + std::to_string(st.st_size) +
        " bytes, expected " + std::to_string(kKeyBytes) +
        "; restore the right key file (removing it makes a new key, and then pseudonyms change)");
  }
  std::string key(kKeyBytes, '\0');
  std::size_t done = 0;
  while (done < key.size()) {
    const ssize_t n = ::read(fd.get(), key.data() + done, key.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Status::unavailable("cannot read HMAC key file " + key_file.string() + ": " +
                                 errnoText(errno));
    }
    if (n == 0) {
      return Status::unavailable("HMAC key file " + key_file.string() + " shrank while reading");
    }
    done += static_cast<std::size_t>(n);
  }
  return key;
}

// Creates the key file with a fresh random key. The key is written to a private temporary file
// (O_CREAT | O_EXCL, 0600), fsynced and then link()ed to its name, so no process ever sees a
// partly written key file. kDuplicate when another process created the file first.
Status createKeyFile(const fs::path& key_file) {
  IWMO_RETURN_IF_ERROR(createPrivateDirectories(key_file.parent_path()));
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) !=
      1) {
    return Status::unavailable(openSslError("RAND_bytes failed for a new HMAC key"));
  }
  std::array<unsigned char, 8> nonce{};
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    return Status::unavailable(openSslError("RAND_bytes failed for a temporary file name"));
  }
  std::string suffix = std::to_string(::getpid()) + ".";
  for (const unsigned char byte : nonce) suffix += std::to_string(byte % 10U);
  fs::path temp = key_file;
  // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict for "." + std::string (PR 105329).
  std::string temp_name(1, '.');
  temp_name.append(key_file.filename().string()).append(".tmp.").append(suffix);
  temp.replace_filename(temp_name);
  Fd fd(::open(temp.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    return Status::unavailable("cannot create HMAC key file " + temp.string() + ": " +
                               errnoText(errno));
  }
  Status written = writeAll(fd.get(), key, temp);
  if (written.isOk() && ::fsync(fd.get()) != 0) {
    written = Status::unavailable("cannot fsync " + temp.string() + ": " + errnoText(errno));
  }
  fd.reset();
  if (!written.isOk()) {
    ::unlink(temp.c_str());
    return written;
  }
  const int linked = ::link(temp.c_str(), key_file.c_str());
  const int link_error = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_error == EEXIST) return Status::duplicate("key file created by another process");
    return Status::unavailable("cannot create HMAC key file " + key_file.string() + ": " +
                               errnoText(link_error));
  }
  return fsyncDirectory(key_file.parent_path());
}

}  // namespace

Result<BsnHasher> BsnHasher::fromKeyFile(const std::filesystem::path& key_file) {
  Result<std::string> key = readKeyFile(key_file);
  if (!key && key.status().code() == StatusCode::kNotFound) {
    const Status created = createKeyFile(key_file);
    // kDuplicate: another process won the race; its key is complete (link is atomic), read it.
    if (!created.isOk() && created.code() != StatusCode::kDuplicate) return created;
    key = readKeyFile(key_file);
  }
  if (!key) return key.status();
  // Fail at start-up, not at the first log line, when OpenSSL cannot do HMAC-SHA-256.
  const Result<std::string> probe = hmacSha256(*key, "probe");
  if (!probe) return probe.status();
  return BsnHasher(std::move(*key));
}

BsnHasher BsnHasher::fromKey(std::string key) { return BsnHasher(std::move(key)); }

std::string BsnHasher::hash(std::string_view bsn) const {
  if (bsn.empty()) return "";
  const Result<std::string> mac = hmacSha256(key_, bsn);
  // fromKeyFile() proved that HMAC works; should OpenSSL fail later anyway (out of memory), the
  // line gets a marker that is never the BSN.
  if (!mac) return "h:error";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "h:";
  for (std::size_t i = 0; i < kPseudonymHexDigits / 2; ++i) {
    const auto byte = static_cast<unsigned char>((*mac)[i]);
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0f];
  }
  return out;
}

}  // namespace iwmo::log
