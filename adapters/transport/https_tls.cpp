#include "adapters/transport/https_tls.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace iwmo::transport {
namespace {

// TLS 1.2 suites: forward secrecy and AEAD only (ECDHE with AES-GCM or ChaCha20-Poly1305), the
// "good" set of the NCSC ICT-beveiligingsrichtlijnen voor TLS that Digikoppeling points to.
// TLS 1.3 keeps OpenSSL's default suites, which are all of that kind.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

Status fileProblem(const char* what, const std::filesystem::path& file) {
  std::error_code ec;
  if (file.empty()) return Status::failedPrecondition(std::string(what) + " is not configured");
  if (!std::filesystem::is_regular_file(file, ec)) {
    return Status::failedPrecondition(std::string(what) + " " + file.string() +
                                      " does not exist or is not a file");
  }
  std::ifstream probe(file);
  if (!probe) {
    return Status::failedPrecondition(std::string(what) + " " + file.string() +
                                      " cannot be read: " + std::strerror(errno));
  }
  return Status::ok();
}

// The reason of the first error in the queue that the peer sent as a TLS alert, or 0.
bool peerSentAlert(unsigned long error) {
  return ERR_GET_LIB(error) == ERR_LIB_SSL && ERR_GET_REASON(error) >= SSL_AD_REASON_OFFSET;
}

}  // namespace

std::string drainOpensslErrors() {
  std::string text;
  while (const unsigned long error = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(error, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

std::string subjectOf(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

Result<std::shared_ptr<const TlsContext>> TlsContext::create(TlsRole role,
                                                              const TlsIdentity& identity) {
  IWMO_RETURN_IF_ERROR(fileProblem("TLS certificate file", identity.certificate_file));
  IWMO_RETURN_IF_ERROR(fileProblem("TLS private key file", identity.private_key_file));
  IWMO_RETURN_IF_ERROR(fileProblem("TLS CA bundle", identity.ca_file));
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(role == TlsRole::Client ? TLS_client_method() : TLS_server_method()));
  if (!ctx) return Status::internal("SSL_CTX_new failed: " + drainOpensslErrors());
  SSL_CTX* c = ctx.get();
  // Never below TLS 1.2; the highest both sides speak (TLS 1.3) is chosen by default.
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(c, 0) != 1 ||
      SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) {
    return Status::internal("cannot set the TLS protocol policy: " + drainOpensslErrors());
  }
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                             (role == TlsRole::Server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
  const std::string cert = identity.certificate_file.string();
  const std::string key = identity.private_key_file.string();
  const std::string ca = identity.ca_file.string();
  if (SSL_CTX_use_certificate_chain_file(c, cert.c_str()) != 1) {
    return Status::failedPrecondition("TLS certificate file " + cert +
                                      " is not a PEM certificate: " + drainOpensslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    const unsigned long first = ERR_peek_error();
    if (ERR_GET_LIB(first) == ERR_LIB_X509 && ERR_GET_REASON(first) == X509_R_KEY_VALUES_MISMATCH) {
      return Status::failedPrecondition("TLS private key " + key +
                                        " does not belong to certificate " + cert + ": " +
                                        drainOpensslErrors());
    }
    return Status::failedPrecondition("TLS private key file " + key +
                                      " is not an unencrypted PEM private key: " +
                                      drainOpensslErrors());
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return Status::failedPrecondition("TLS private key " + key + " does not belong to certificate " +
                                      cert + ": " + drainOpensslErrors());
  }
  // Only the configured bundle: no system store, so a certificate from any other CA is refused.
  if (SSL_CTX_load_verify_locations(c, ca.c_str(), nullptr) != 1) {
    return Status::failedPrecondition("TLS CA bundle " + ca +
                                      " holds no PEM certificate: " + drainOpensslErrors());
  }
  if (role == TlsRole::Server) {
    // Mutual TLS only: a client without a certificate from the bundle fails the handshake.
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca.c_str());
    if (names == nullptr) {
      return Status::failedPrecondition("TLS CA bundle " + ca +
                                        " holds no CA name to offer clients: " + drainOpensslErrors());
    }
    SSL_CTX_set_client_CA_list(c, names);
    // Every connection does the full handshake, so every client certificate is verified afresh.
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  } else {
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  }
  return std::shared_ptr<const TlsContext>(
      new TlsContext(std::move(ctx), role, identity.expected_peer_subject));
}

TlsConnection::TlsConnection(std::shared_ptr<const TlsContext> context, int fd,
                             std::chrono::milliseconds io_timeout)
    : context_(std::move(context)), fd_(fd) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(io_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((io_timeout.count() % 1000) * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

TlsConnection::~TlsConnection() { close(); }

void TlsConnection::close() noexcept {
  if (ssl_ && established_) {
    SigpipeGuard guard;
    SSL_shutdown(ssl_.get());  // our close_notify; we do not wait for the peer's
  }
  established_ = false;
  ssl_.reset();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  ERR_clear_error();
}

Status TlsConnection::handshake(std::string_view host) {
  ERR_clear_error();
  ssl_.reset(SSL_new(context_->get()));
  if (!ssl_) return Status::internal("SSL_new failed: " + drainOpensslErrors());
  SSL* ssl = ssl_.get();
  if (SSL_set_fd(ssl, fd_) != 1) return Status::internal("SSL_set_fd failed: " + drainOpensslErrors());
  const bool client = context_->role() == TlsRole::Client;
  if (client) {
    const std::string name(host);
    if (name.empty()) return Status::internal("TLS client handshake without a host name");
    // The server certificate must name the host we dialled (subjectAltName DNS or IP).
    if (isIpLiteral(name)) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) {
        return Status::internal("cannot set the expected server IP: " + drainOpensslErrors());
      }
    } else {
      // SNI as SSL_set_tlsext_host_name sets it (that macro's C cast breaks -Wold-style-cast).
      if (SSL_set1_host(ssl, name.c_str()) != 1 || SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(name.c_str())) != 1) {
        return Status::internal("cannot set the expected server name: " + drainOpensslErrors());
      }
    }
  }
  const char* peer = client ? "server" : "client";
  int result = 0;
  {
    SigpipeGuard guard;
    result = client ? SSL_connect(ssl) : SSL_accept(ssl);
  }
  if (result != 1) {
    const int error = SSL_get_error(ssl, result);
    const int saved_errno = errno;
    const long verify = SSL_get_verify_result(ssl);
    const unsigned long first = ERR_peek_error();
    std::string reasons = drainOpensslErrors();
    if (verify != X509_V_OK) {
      return Status::failedPrecondition(std::string(peer) + " certificate refused: " +
                                        X509_verify_cert_error_string(verify) + " (" + reasons + ")");
    }
    if (ERR_GET_LIB(first) == ERR_LIB_SSL &&
        ERR_GET_REASON(first) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
      return Status::failedPrecondition(
          "the client presented no certificate; this listener accepts mutual TLS only (" + reasons + ")");
    }
    if (peerSentAlert(first)) {
      return Status::failedPrecondition("the " + std::string(peer) +
                                        " refused the TLS handshake: " + reasons);
    }
    if (reasons.empty()) {
      reasons = error == SSL_ERROR_SYSCALL && saved_errno != 0
                    ? std::string(std::strerror(saved_errno))
                    : "the connection was closed during the handshake";
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK) reasons = "timed out";
    }
    return Status::unavailable("TLS handshake with the " + std::string(peer) + " failed: " + reasons);
  }
  established_ = true;
  X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) {  // cannot happen with SSL_VERIFY_PEER (+FAIL_IF_NO_PEER_CERT); checked all the same
    return Status::failedPrecondition("the " + std::string(peer) + " presented no certificate");
  }
  peer_subject_ = subjectOf(cert.get());
  const std::string& expected = context_->expectedPeerSubject();
  if (!expected.empty() && peer_subject_ != expected) {
    return Status::failedPrecondition("the " + std::string(peer) + " certificate subject '" +
                                      peer_subject_ + "' is not the pinned subject '" + expected +
                                      "'");
  }
  return Status::ok();
}

Result<std::size_t> TlsConnection::read(char* buffer, std::size_t size) {
  if (!established_) return Status::internal("read on a connection without a TLS session");
  ERR_clear_error();
  std::size_t got = 0;
  int result = 0;
  {
    SigpipeGuard guard;  // reading may answer a key update
    result = SSL_read_ex(ssl_.get(), buffer, size, &got);
  }
  if (result == 1) return got;
  const int error = SSL_get_error(ssl_.get(), 0);
  const int saved_errno = errno;
  if (error == SSL_ERROR_ZERO_RETURN) return std::size_t{0};
  const unsigned long first = ERR_peek_error();
  std::string reasons = drainOpensslErrors();
  if (peerSentAlert(first)) {
    return Status::failedPrecondition("the peer ended the TLS session with an alert: " + reasons);
  }
  if (reasons.empty()) {
    reasons = (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
                  ? std::string("timed out")
                  : (saved_errno != 0 ? std::string(std::strerror(saved_errno))
                                      : std::string("connection closed"));
  }
  return Status::unavailable("TLS read failed: " + reasons);
}

Status TlsConnection::writeAll(std::string_view bytes) {
  if (!established_) return Status::internal("write on a connection without a TLS session");
  SigpipeGuard guard;
  while (!bytes.empty()) {
    ERR_clear_error();
    std::size_t written = 0;
    if (SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &written) != 1) {
      const int saved_errno = errno;
      const unsigned long first = ERR_peek_error();
      std::string reasons = drainOpensslErrors();
      if (peerSentAlert(first)) {
        return Status::failedPrecondition("the peer ended the TLS session with an alert: " +
                                          reasons);
      }
      if (reasons.empty()) {
        reasons = (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)
                      ? std::string("timed out")
                      : std::string(std::strerror(saved_errno));
      }
      return Status::unavailable("TLS write failed: " + reasons);
    }
    bytes.remove_prefix(written);
  }
  return Status::ok();
}

std::string TlsConnection::protocolVersion() const {
  return ssl_ ? SSL_get_version(ssl_.get()) : "";
}

SigpipeGuard::SigpipeGuard() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  sigset_t old;
  sigemptyset(&old);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  was_blocked_ = sigismember(&old, SIGPIPE) == 1;
}

SigpipeGuard::~SigpipeGuard() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      sigtimedwait(&pipe_only, nullptr, &zero);
    }
  }
  if (!was_blocked_) pthread_sigmask(SIG_UNBLOCK, &pipe_only, nullptr);
}

}  // namespace iwmo::transport
