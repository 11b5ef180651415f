// The TLS policy of HttpsClient and HttpsListener (adapters/transport), applied to the SSL_CTX
// that cpp-httplib creates, and what each connection's handshake showed. Mutual TLS only:
// TLS 1.2 minimum and 1.3 preferred, our certificate and key from PEM files, the peer verified
// during the handshake against one configured CA bundle (never the system store) and, on the
// client side, against the host dialled (subjectAltName DNS or IP); an optional pin of the peer
// certificate's subject. The policy follows Digikoppeling's TLS rules (two-way TLS, TLS 1.2
// mandatory, 1.3 recommended, 1.0/1.1 not allowed; ggk-transport.md §3.1).
//
// How it holds under httplib 0.11.4: apply() sets the protocol floor, the certificates, the
// verify mode (SSL_VERIFY_PEER, plus FAIL_IF_NO_PEER_CERT on the server) and a verify callback
// that enforces the pin on the SSL_CTX; every SSL httplib makes inherits them. The client must
// call httplib's enable_server_certificate_verification(false): with it on, httplib replaces the
// verify mode of each SSL with SSL_VERIFY_NONE, checks the result only after the handshake, and
// loads the system CA paths when no CA file was given to it. An info callback records, per SSL,
// how its handshake went (TlsSession) and tells the TlsEvents given to apply().
//
// Only adapters/transport includes this header (STYLE.md §2.11: OpenSSL stays in the folder that
// wraps it). Thread-safety: a TlsPolicy is immutable after load() and may be applied to any
// number of contexts on any threads; a TlsSession belongs to the thread doing its connection.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gateway/base/result.h"

namespace iwmo::transport {

// Our side of a mutual-TLS connection and what we require of the other side.
struct TlsIdentity {
  std::filesystem::path certificate_file;  // PEM: our certificate, optionally followed by its chain
  std::filesystem::path private_key_file;  // PEM, unencrypted (file mode 0600)
  std::filesystem::path ca_file;  // PEM bundle: the peer's certificate must chain to one of these
  // When set, the peer certificate's subject must be exactly this, in the RFC 2253 one-line form
  // OpenSSL prints ("CN=ggk.example.nl,serialNumber=00000001234567890000,O=...,C=NL"). The
  // refusal message shows the subject seen, so an operator can copy it.
  std::string expected_peer_subject;
};

enum class TlsRole { Client, Server };

// What one connection's TLS showed. Lives as long as the connection's SSL object (held in its
// ex_data); TlsEvents see it at the start, at a failed handshake and at the end.
struct TlsSession {
  int fd = -1;
  std::string peer_address;  // "127.0.0.1:51234", "[::1]:51234"; "" when unknown
  bool established = false;  // the handshake completed: certificate verified, pin held
  // Why the handshake failed, for an operator ("client certificate refused: certificate has
  // expired"); "" while it has not failed (a handshake that just stopped, by a timeout or a
  // close, leaves it empty: see TlsEvents::ended).
  std::string failure;
  // The failure is about a certificate (refused by us or, by its alert, by the peer) or the pin:
  // fixing the configuration is needed. Otherwise the connection broke or the peer is not TLS.
  bool certificate_problem = false;
  std::string
      peer_alert;  // a fatal TLS alert the peer sent, OpenSSL's words ("certificate expired")
  std::string peer_subject;  // the peer certificate's subject (RFC 2253), once established
  std::string protocol;      // "TLSv1.3", once established
  // Set by the owner before or during the handshake to break it off; reported instead of
  // OpenSSL's reason.
  std::string abort_reason;
  bool request_seen = false;  // HttpsListener: an HTTP request head arrived on this connection
};

// Told about the sessions of the contexts a policy was applied to, on the thread doing the
// handshake (httplib: the thread serving the connection). REQUIRES: does not throw; outlives
// every SSL made from those contexts.
class TlsEvents {
 public:
  virtual ~TlsEvents() = default;
  // The handshake begins (the first SSL_accept/SSL_connect call); fd and peer_address are set.
  virtual void started(TlsSession& session) { (void)session; }
  // The handshake failed with a reason (session.failure is set). At most once per session.
  virtual void failed(TlsSession& session) { (void)session; }
  // The SSL object is being freed (its socket is still open). Once per session.
  virtual void ended(TlsSession& session) { (void)session; }
};

class TlsPolicy : public std::enable_shared_from_this<TlsPolicy> {
 public:
  // Reads and checks the files: certificate (and chain), private key matching it, CA bundle.
  // Errors: kFailedPrecondition naming the file and the reason (missing, unreadable, not PEM,
  // key does not match certificate, CA bundle empty).
  static Result<std::shared_ptr<const TlsPolicy>> load(TlsRole role, const TlsIdentity& identity);
  ~TlsPolicy();
  TlsPolicy(const TlsPolicy&) = delete;
  TlsPolicy& operator=(const TlsPolicy&) = delete;

  // Applies the policy to a fresh `ctx` (one httplib created). `host` (client only) is the host
  // dialled, a DNS name or an IP literal, which the server certificate must name. `events` may
  // be null. The context keeps a reference to this policy. Errors: kInternal (OpenSSL refused a
  // setting), kFailedPrecondition (the key does not fit the certificate).
  Status apply(SSL_CTX* ctx, TlsEvents* events, const std::string& host = {}) const;

  // The session of an SSL made from a context this policy was applied to, or null.
  static TlsSession* sessionOf(const SSL* ssl);

  TlsRole role() const { return role_; }
  const std::string& expectedPeerSubject() const { return expected_peer_subject_; }

 private:
  struct Material;
  TlsPolicy(TlsRole role, std::string expected, std::unique_ptr<Material> material);
  TlsRole role_;
  std::string expected_peer_subject_;
  std::unique_ptr<Material> material_;
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
