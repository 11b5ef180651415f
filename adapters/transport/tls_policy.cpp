#include "adapters/transport/tls_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

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
struct X509Free {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct StoreFree {
  void operator()(X509_STORE* store) const noexcept { X509_STORE_free(store); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Every error queued by OpenSSL on this thread, oldest first, "; "-separated; the queue is cleared.
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

// The RFC 2253 one-line subject of `cert`.
std::string subjectOf(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return {};
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return length > 0 ? std::string(data, static_cast<std::size_t>(length)) : std::string();
}

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::string peerAddressOf(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (fd < 0 || getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return {};
  char host[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
  inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
  // Appended piece by piece: GCC 12's false -Wrestrict on operator+ chains at -O3 (PR 105329).
  std::string out = "[";
  return out.append(host).append("]:").append(std::to_string(ntohs(v6->sin6_port)));
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

// Never prompts: an encrypted private key is refused instead of asking for its pass phrase on
// the terminal (OpenSSL's default).
int noPassword(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) { return 0; }

// Whether the first queued error is a TLS alert the peer sent.
bool peerSentAlert(unsigned long error) {
  return ERR_GET_LIB(error) == ERR_LIB_SSL && ERR_GET_REASON(error) >= SSL_AD_REASON_OFFSET;
}

// What the context of an SSL knows: the policy and whom to tell (SSL_CTX ex_data).
struct CtxHooks {
  std::shared_ptr<const TlsPolicy> policy;
  TlsEvents* events = nullptr;
};

// One connection's session plus our bookkeeping (SSL ex_data).
struct SessionBox {
  TlsSession session;
  std::shared_ptr<const TlsPolicy> policy;
  TlsEvents* events = nullptr;
  std::string verify_failure;  // what the verify callback refused, in our words
  bool started = false;
  bool failed = false;
};

void freeHooks(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*data*/, int /*index*/, long /*argl*/,
               void* /*argp*/) {
  delete static_cast<CtxHooks*>(ptr);
}

void freeSession(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*data*/, int /*index*/,
                 long /*argl*/, void* /*argp*/) {
  auto* box = static_cast<SessionBox*>(ptr);
  if (box == nullptr) return;
  if (box->events != nullptr) box->events->ended(box->session);
  delete box;
}

int ctxIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, freeHooks);
  return index;
}

int sslIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, freeSession);
  return index;
}

SessionBox* boxOf(const SSL* ssl) {
  return static_cast<SessionBox*>(SSL_get_ex_data(ssl, sslIndex()));
}

// The session of `ssl`, made on first use when its context carries our hooks.
SessionBox* ensureBox(const SSL* ssl) {
  if (SessionBox* box = boxOf(ssl)) return box;
  const auto* hooks =
      static_cast<const CtxHooks*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctxIndex()));
  if (hooks == nullptr) return nullptr;
  auto box = std::make_unique<SessionBox>();
  box->policy = hooks->policy;
  box->events = hooks->events;
  box->session.fd = SSL_get_fd(ssl);
  box->session.peer_address = peerAddressOf(box->session.fd);
  // SSL_set_ex_data wants a mutable SSL; the callbacks that get here are handed a const one.
  if (SSL_set_ex_data(const_cast<SSL*>(ssl), sslIndex(), box.get()) != 1) return nullptr;
  return box.release();
}

const char* peerName(const SessionBox& box) {
  return box.policy->role() == TlsRole::Client ? "server" : "client";
}

// Fills session.failure from what this handshake left: our verify callback's verdict, the
// verify result, the peer's alert, OpenSSL's error queue (which it empties).
void describeFailure(const SSL* ssl, SessionBox& box) {
  TlsSession& s = box.session;
  const std::string peer = peerName(box);
  const long verify = SSL_get_verify_result(ssl);
  const unsigned long first = ERR_peek_error();
  std::string reasons = drainOpensslErrors();
  if (!s.abort_reason.empty()) {
    s.failure = s.abort_reason;
  } else if (!box.verify_failure.empty()) {
    s.failure = box.verify_failure + " (" + reasons + ")";
    s.certificate_problem = true;
  } else if (verify != X509_V_OK) {
    s.failure = peer + " certificate refused: " + X509_verify_cert_error_string(verify) + " (" +
                reasons + ")";
    s.certificate_problem = true;
  } else if (ERR_GET_LIB(first) == ERR_LIB_SSL &&
             ERR_GET_REASON(first) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) {
    s.failure = "the client presented no certificate; this listener accepts mutual TLS only (" +
                reasons + ")";
    s.certificate_problem = true;
  } else if (!s.peer_alert.empty() || peerSentAlert(first)) {
    s.failure = "the " + peer + " refused the TLS handshake" +
                (s.peer_alert.empty() ? std::string() : ": " + s.peer_alert) + " (" + reasons + ")";
    s.certificate_problem = true;
  } else {
    s.failure =
        "TLS handshake with the " + peer + " failed: " +
        (reasons.empty() ? std::string("the connection was closed during the handshake") : reasons);
  }
}

void infoCallback(const SSL* ssl, int where, int value) {
  SessionBox* box = ensureBox(ssl);
  if (box == nullptr) return;
  TlsSession& s = box->session;
  if ((where & SSL_CB_HANDSHAKE_START) != 0 && !box->started) {
    box->started = true;
    // httplib leaves this thread's error queue as it is; a stale entry from an earlier
    // connection would read as this handshake's error (SSL_get_error says SSL_ERROR_SSL).
    ERR_clear_error();
    if (box->events != nullptr) box->events->started(s);
  }
  if ((where & SSL_CB_ALERT) != 0 && (where & SSL_CB_READ) != 0 && (value >> 8) == SSL3_AL_FATAL) {
    s.peer_alert = SSL_alert_desc_string_long(value);
  }
  if ((where & SSL_CB_HANDSHAKE_DONE) != 0 && !box->failed) {
    s.established = true;
    if (const X509* cert = SSL_get0_peer_certificate(ssl)) s.peer_subject = subjectOf(cert);
    s.protocol = SSL_get_version(ssl);
  }
  if ((where & SSL_CB_EXIT) != 0 && value <= 0 && !s.established && !box->failed) {
    const int error = SSL_get_error(ssl, value);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;  // nonblocking
    box->failed = true;
    describeFailure(ssl, *box);
    if (box->events != nullptr) box->events->failed(s);
  }
}

// Keeps OpenSSL's verdict on the chain (CA, validity, the host name set on the context's
// X509_VERIFY_PARAM) in our words, then checks the pin on the peer's own certificate.
int verifyCallback(int ok, X509_STORE_CTX* store) {
  const auto* ssl = static_cast<const SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  SessionBox* box = ssl != nullptr ? ensureBox(ssl) : nullptr;
  if (box == nullptr) return ok;
  const std::string peer = peerName(*box);
  if (ok != 1) {
    if (box->verify_failure.empty()) {
      box->verify_failure = peer + " certificate refused: " +
                            X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
    }
    return 0;
  }
  const std::string& expected = box->policy->expectedPeerSubject();
  if (X509_STORE_CTX_get_error_depth(store) == 0 && !expected.empty()) {
    const X509* cert = X509_STORE_CTX_get_current_cert(store);
    const std::string subject = cert != nullptr ? subjectOf(cert) : std::string();
    if (subject != expected) {
      box->verify_failure = "the " + peer + " certificate subject '" + subject +
                            "' is not the pinned subject '" + expected + "'";
      X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  }
  return 1;
}

}  // namespace

struct TlsPolicy::Material {
  std::unique_ptr<X509, X509Free> certificate;
  STACK_OF(X509) * chain = nullptr;  // the certificates after ours in the certificate file
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::unique_ptr<X509_STORE, StoreFree> store;     // the CA bundle, and nothing else
  STACK_OF(X509_NAME) * client_ca_names = nullptr;  // server: offered to clients

  ~Material() {
    if (chain != nullptr) sk_X509_pop_free(chain, X509_free);
    if (client_ca_names != nullptr) sk_X509_NAME_pop_free(client_ca_names, X509_NAME_free);
  }
};

TlsPolicy::TlsPolicy(TlsRole role, std::string expected, std::unique_ptr<Material> material)
    : role_(role), expected_peer_subject_(std::move(expected)), material_(std::move(material)) {}

TlsPolicy::~TlsPolicy() = default;

Result<std::shared_ptr<const TlsPolicy>> TlsPolicy::load(TlsRole role,
                                                         const TlsIdentity& identity) {
  IWMO_RETURN_IF_ERROR(fileProblem("TLS certificate file", identity.certificate_file));
  IWMO_RETURN_IF_ERROR(fileProblem("TLS private key file", identity.private_key_file));
  IWMO_RETURN_IF_ERROR(fileProblem("TLS CA bundle", identity.ca_file));
  ERR_clear_error();
  const std::string cert = identity.certificate_file.string();
  const std::string key = identity.private_key_file.string();
  const std::string ca = identity.ca_file.string();
  auto material = std::make_unique<Material>();

  BioPtr cert_bio(BIO_new_file(cert.c_str(), "r"));
  if (cert_bio)
    material->certificate.reset(
        PEM_read_bio_X509_AUX(cert_bio.get(), nullptr, noPassword, nullptr));
  if (!material->certificate) {
    return Status::failedPrecondition("TLS certificate file " + cert +
                                      " is not a PEM certificate: " + drainOpensslErrors());
  }
  material->chain = sk_X509_new_null();
  if (material->chain == nullptr) return Status::internal("out of memory: " + drainOpensslErrors());
  while (X509* issuer = PEM_read_bio_X509(cert_bio.get(), nullptr, noPassword, nullptr)) {
    if (sk_X509_push(material->chain, issuer) <= 0) {
      X509_free(issuer);
      return Status::internal("out of memory: " + drainOpensslErrors());
    }
  }
  const unsigned long end = ERR_peek_last_error();
  if (ERR_GET_LIB(end) == ERR_LIB_PEM && ERR_GET_REASON(end) == PEM_R_NO_START_LINE) {
    ERR_clear_error();  // the end of the file
  } else if (end != 0) {
    return Status::failedPrecondition(
        "TLS certificate file " + cert +
        " holds an unreadable certificate after the first: " + drainOpensslErrors());
  }

  BioPtr key_bio(BIO_new_file(key.c_str(), "r"));
  if (key_bio)
    material->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, noPassword, nullptr));
  if (!material->key) {
    return Status::failedPrecondition(
        "TLS private key file " + key +
        " is not an unencrypted PEM private key: " + drainOpensslErrors());
  }
  if (X509_check_private_key(material->certificate.get(), material->key.get()) != 1) {
    return Status::failedPrecondition("TLS private key " + key +
                                      " does not belong to certificate " + cert + ": " +
                                      drainOpensslErrors());
  }

  // Only the configured bundle: no system store, so a certificate from any other CA is refused.
  material->store.reset(X509_STORE_new());
  if (!material->store) return Status::internal("out of memory: " + drainOpensslErrors());
  if (X509_STORE_load_file(material->store.get(), ca.c_str()) != 1) {
    return Status::failedPrecondition("TLS CA bundle " + ca +
                                      " holds no PEM certificate: " + drainOpensslErrors());
  }
  if (role == TlsRole::Server) {
    material->client_ca_names = SSL_load_client_CA_file(ca.c_str());
    if (material->client_ca_names == nullptr) {
      return Status::failedPrecondition(
          "TLS CA bundle " + ca + " holds no CA name to offer clients: " + drainOpensslErrors());
    }
  }
  ERR_clear_error();
  return std::shared_ptr<const TlsPolicy>(
      new TlsPolicy(role, identity.expected_peer_subject, std::move(material)));
}

Status TlsPolicy::apply(SSL_CTX* ctx, TlsEvents* events, const std::string& host) const {
  ERR_clear_error();
  const bool server = role_ == TlsRole::Server;
  // Never below TLS 1.2; the highest both sides speak (TLS 1.3) is chosen by default.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, 0) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return Status::internal("cannot set the TLS protocol policy: " + drainOpensslErrors());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               (server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
  // SSL_CTX_set1_chain is a macro with a C cast; this is what it expands to.
  if (SSL_CTX_use_certificate(ctx, material_->certificate.get()) != 1 ||
      SSL_CTX_ctrl(ctx, SSL_CTRL_CHAIN, 1, material_->chain) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, material_->key.get()) != 1) {
    return Status::internal("cannot install our TLS certificate: " + drainOpensslErrors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::failedPrecondition("the TLS private key does not belong to the certificate: " +
                                      drainOpensslErrors());
  }
  SSL_CTX_set1_cert_store(ctx, material_->store.get());
  if (server) {
    // Mutual TLS only: a client without a certificate from the bundle fails the handshake.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyCallback);
    STACK_OF(X509_NAME)* names = SSL_dup_CA_list(material_->client_ca_names);
    if (names == nullptr)
      return Status::internal("cannot copy the CA names: " + drainOpensslErrors());
    SSL_CTX_set_client_CA_list(ctx, names);
    // Every connection does the full handshake, so every client certificate is verified afresh.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verifyCallback);
    if (host.empty()) return Status::internal("TLS client policy without a host name");
    // The server certificate must name the host we dial (subjectAltName DNS or IP); every SSL
    // made from this context inherits the parameter.
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    const int set = isIpLiteral(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                      : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    if (set != 1) {
      return Status::internal("cannot set the expected server name " + host + ": " +
                              drainOpensslErrors());
    }
  }
  auto hooks = std::make_unique<CtxHooks>();
  hooks->policy = shared_from_this();
  hooks->events = events;
  delete static_cast<CtxHooks*>(SSL_CTX_get_ex_data(ctx, ctxIndex()));  // applied twice
  if (SSL_CTX_set_ex_data(ctx, ctxIndex(), hooks.get()) != 1) {
    return Status::internal("cannot attach the TLS policy: " + drainOpensslErrors());
  }
  hooks.release();
  SSL_CTX_set_info_callback(ctx, infoCallback);
  return Status::ok();
}

TlsSession* TlsPolicy::sessionOf(const SSL* ssl) {
  SessionBox* box = ssl != nullptr ? boxOf(ssl) : nullptr;
  return box != nullptr ? &box->session : nullptr;
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
