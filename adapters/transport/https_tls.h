// OpenSSL owners and the TLS policy shared by HttpsClient and HttpsListener (adapters/transport):
// mutual TLS only, TLS 1.2 minimum and 1.3 preferred, our certificate and key from PEM files, the
// peer verified against one configured CA bundle (never the system store), and an optional pin of
// the peer certificate's subject. The policy follows Digikoppeling's TLS rules (two-way TLS,
// TLS 1.2 mandatory, 1.3 recommended, 1.0/1.1 not allowed; ggk-transport.md §3.1).
//
// Only adapters/transport includes this header (STYLE.md §2.11: OpenSSL stays in the folder that
// wraps it). Thread-safety: a TlsContext is immutable after create() and may make connections on
// any number of threads at once; a TlsConnection belongs to one thread.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::transport {

// Our side of a mutual-TLS connection and what we require of the other side.
struct TlsIdentity {
  std::filesystem::path certificate_file;  // PEM: our certificate, optionally followed by its chain
  std::filesystem::path private_key_file;  // PEM, unencrypted (file mode 0600)
  std::filesystem::path ca_file;           // PEM bundle: the peer's certificate must chain to one of these
  // When set, the peer certificate's subject must be exactly this, in the RFC 2253 one-line form
  // OpenSSL prints ("CN=ggk.example.nl,serialNumber=00000001234567890000,O=...,C=NL"). The
  // refusal message shows the subject seen, so an operator can copy it.
  std::string expected_peer_subject;
};

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const noexcept { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
struct X509Free {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

// Every error queued by OpenSSL on this thread, oldest first, "; "-separated; the queue is cleared.
std::string drainOpensslErrors();

// The RFC 2253 one-line subject of `cert`.
std::string subjectOf(X509* cert);

enum class TlsRole { Client, Server };

class TlsContext {
 public:
  // Builds the SSL_CTX: protocol floor, ciphers, our certificate and key (checked to match), the
  // CA bundle, peer verification (the server demands a client certificate).
  // Errors: kFailedPrecondition naming the file and OpenSSL's reason (missing, unreadable, not PEM,
  // key does not match certificate, CA bundle empty).
  static Result<std::shared_ptr<const TlsContext>> create(TlsRole role, const TlsIdentity& identity);

  SSL_CTX* get() const { return ctx_.get(); }
  TlsRole role() const { return role_; }
  const std::string& expectedPeerSubject() const { return expected_peer_subject_; }

 private:
  TlsContext(SslCtxPtr ctx, TlsRole role, std::string expected)
      : ctx_(std::move(ctx)), role_(role), expected_peer_subject_(std::move(expected)) {}
  SslCtxPtr ctx_;
  TlsRole role_;
  std::string expected_peer_subject_;
};

// A connected socket plus its TLS session. Move-only; closes the socket when it dies.
class TlsConnection {
 public:
  // Takes ownership of the connected socket `fd` and sets its send/receive timeouts.
  TlsConnection(std::shared_ptr<const TlsContext> context, int fd, std::chrono::milliseconds io_timeout);
  ~TlsConnection();
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // Client: the TLS handshake with the server at `host` (a DNS name or an IP literal, which the
  // server certificate's subjectAltName must name), then the subject pin.
  // Server: the handshake with a client that must present a certificate from the CA bundle, then
  // the subject pin. Errors: kFailedPrecondition (the peer's certificate is refused: verify
  // result, pin mismatch, no certificate), kUnavailable (the connection broke, timed out, or the
  // peer does not speak TLS); the message names the reason.
  Status handshake(std::string_view host = {});

  // Reads at most `size` bytes; 0 means the peer closed the connection cleanly.
  // Errors: kUnavailable (timeout, reset, TLS error).
  Result<std::size_t> read(char* buffer, std::size_t size);
  // Errors: kUnavailable.
  Status writeAll(std::string_view bytes);
  // Sends close_notify (best effort) and closes the socket. Idempotent.
  void close() noexcept;

  const std::string& peerSubject() const { return peer_subject_; }
  std::string protocolVersion() const;  // "TLSv1.3"
  int fd() const { return fd_; }

 private:
  std::shared_ptr<const TlsContext> context_;
  int fd_ = -1;
  SslPtr ssl_;
  std::string peer_subject_;
  bool established_ = false;
};

// Blocks SIGPIPE on the calling thread for the guard's lifetime and swallows a SIGPIPE raised
// meanwhile: OpenSSL writes to sockets with write(2), which raises SIGPIPE when the peer has gone,
// and the library must not change the process's signal disposition. Thread-safety: per thread.
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  bool was_pending_ = false;
  bool was_blocked_ = false;
};

}  // namespace iwmo::transport
