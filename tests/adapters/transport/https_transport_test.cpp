// HttpsClient and HttpsListener against each other on 127.0.0.1, with certificates this test
// generates at run time (tests/support/test_certs.h): real handshakes, and every refusal the
// mutual-TLS policy promises (no client certificate, expired, wrong CA both ways, host name,
// subject pin, plain HTTP either way, TLS below 1.2 either way, the system CA store never
// trusted).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "adapters/transport/https_client.h"
#include "adapters/transport/https_listener.h"
#include "support/test_certs.h"
#include "support/test_support.h"

using iwmo::StatusCode;
using iwmo::transport::HttpsClient;
using iwmo::transport::HttpsClientConfig;
using iwmo::transport::HttpsListener;
using iwmo::transport::HttpsListenerConfig;
using iwmo::transport::InboundAnswer;
using iwmo::transport::InboundEnvelope;
using iwmo::transport::InboundVerdict;

namespace {

// One PKI in a temporary directory, a listener with a recording handler and observer.
class Harness {
 public:
  Harness() : pki_(iwmo::test::makeTestPki(dir_.path())) {}

  const iwmo::test::TestPki& pki() const { return pki_; }

  HttpsListenerConfig listenerConfig() const {
    HttpsListenerConfig config;
    config.bind_address = "127.0.0.1";
    config.port = 0;
    config.path = "/ggk";
    config.certificate_file = pki_.server.cert.string();
    config.private_key_file = pki_.server.key.string();
    config.ca_file = pki_.ca.cert.string();
    config.io_timeout = std::chrono::milliseconds(5000);
    config.workers = 2;
    return config;
  }

  void start(HttpsListenerConfig config) {
    auto listener = HttpsListener::create(config);
    REQUIRE(listener);
    listener_ = std::move(*listener);
    REQUIRE(listener_
                ->start(
                    [this](InboundEnvelope envelope) {
                      std::lock_guard lock(mutex_);
                      received_.push_back(std::move(envelope));
                      return answer_;
                    },
                    [this](const std::string& peer, const std::string& reason) {
                      std::lock_guard lock(mutex_);
                      refusals_.push_back(peer + " " + reason);
                    })
                .isOk());
  }
  void start() { start(listenerConfig()); }

  HttpsClientConfig clientConfig(const iwmo::test::TestCert& as) const {
    HttpsClientConfig config;
    config.url = "https://127.0.0.1:" + std::to_string(listener_->port()) + "/ggk";
    config.certificate_file = as.cert.string();
    config.private_key_file = as.key.string();
    config.ca_file = pki_.ca.cert.string();
    config.connect_timeout = std::chrono::milliseconds(5000);
    config.io_timeout = std::chrono::milliseconds(5000);
    return config;
  }

  iwmo::Result<iwmo::transport::HttpsReply> post(const HttpsClientConfig& config,
                                                 const std::string& body) {
    auto client = HttpsClient::create(config);
    REQUIRE(client);
    return (*client)->post(body);
  }

  std::vector<InboundEnvelope> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  // The observer runs on a listener thread after the client saw its failure: wait briefly.
  std::vector<std::string> refusals(std::size_t at_least = 1) {
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (refusals_.size() >= at_least) return refusals_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(mutex_);
    return refusals_;
  }
  void setAnswer(InboundAnswer answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
  }
  HttpsListener& listener() { return *listener_; }
  std::uint16_t port() const { return listener_->port(); }

 private:
  iwmo::test::TempDir dir_;
  iwmo::test::TestPki pki_;
  std::mutex mutex_;
  std::vector<InboundEnvelope> received_;
  std::vector<std::string> refusals_;
  InboundAnswer answer_{InboundVerdict::Accepted, "journaled as 42"};
  // Declared last so it is destroyed first: its worker threads call the handler and the
  // observer above until stop() has joined them (found by LeakSanitizer).
  std::unique_ptr<HttpsListener> listener_;
};

int connectLoopback(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Everything the peer sends until it closes (or 5 s pass).
std::string readAll(int fd) {
  std::string out;
  char buffer[4096];
  while (true) {
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

// A hand-made OpenSSL client for what HttpsClient cannot be made to do (no certificate, TLS 1.1).
struct RawTlsResult {
  bool handshake_ok = false;
  std::string answer;  // bytes read after sending a request, "" when refused
};
RawTlsResult rawTlsPost(std::uint16_t port, const iwmo::test::TestPki& pki, bool with_cert,
                        int max_version) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  REQUIRE(ctx != nullptr);
  SSL_CTX_set_security_level(ctx, 0);  // allow offering TLS 1.1 at all
  if (max_version != 0) {
    SSL_CTX_set_min_proto_version(ctx, max_version);
    SSL_CTX_set_max_proto_version(ctx, max_version);
  }
  REQUIRE(SSL_CTX_load_verify_locations(ctx, pki.ca.cert.c_str(), nullptr) == 1);
  if (with_cert) {
    REQUIRE(SSL_CTX_use_certificate_file(ctx, pki.client.cert.c_str(), SSL_FILETYPE_PEM) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(ctx, pki.client.key.c_str(), SSL_FILETYPE_PEM) == 1);
  }
  SSL* ssl = SSL_new(ctx);
  const int fd = connectLoopback(port);
  SSL_set_fd(ssl, fd);
  RawTlsResult result;
  result.handshake_ok = SSL_connect(ssl) == 1;
  if (result.handshake_ok) {
    const std::string request =
        "POST /ggk HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
    SSL_write(ssl, request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    while (true) {
      const int got = SSL_read(ssl, buffer, sizeof buffer);
      if (got <= 0) break;
      result.answer.append(buffer, static_cast<std::size_t>(got));
    }
  }
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return result;
}

// A raw mutual-TLS connection (the client certificate from `pki`) to send hand-made HTTP.
class RawTlsConnection {
 public:
  RawTlsConnection(std::uint16_t port, const iwmo::test::TestPki& pki) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx_ != nullptr);
    REQUIRE(SSL_CTX_load_verify_locations(ctx_, pki.ca.cert.c_str(), nullptr) == 1);
    REQUIRE(SSL_CTX_use_certificate_file(ctx_, pki.client.cert.c_str(), SSL_FILETYPE_PEM) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(ctx_, pki.client.key.c_str(), SSL_FILETYPE_PEM) == 1);
    ssl_ = SSL_new(ctx_);
    fd_ = connectLoopback(port);
    SSL_set_fd(ssl_, fd_);
    REQUIRE(SSL_connect(ssl_) == 1);
  }
  ~RawTlsConnection() {
    ERR_clear_error();
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ::close(fd_);
  }
  void send(const std::string& bytes) {
    REQUIRE(SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
            static_cast<int>(bytes.size()));
  }
  // Reads until the bytes read end with `until` ("" = until the server closes, or 5 s pass).
  std::string read(const std::string& until = {}) {
    std::string out;
    char buffer[4096];
    while (until.empty() || out.size() < until.size() ||
           out.compare(out.size() - until.size(), until.size(), until) != 0) {
      const int got = SSL_read(ssl_, buffer, until.empty() ? sizeof buffer : 1);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
};

// Points OpenSSL's default CA locations (what SSL_CTX_set_default_verify_paths would load) at
// `ca_file` and an empty directory for the guard's lifetime, so a test can tell whether anything
// trusts "the system store".
class DefaultCaPaths {
 public:
  DefaultCaPaths(const std::filesystem::path& ca_file, const std::filesystem::path& empty_dir) {
    for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      const char* value = std::getenv(name);
      saved_.emplace_back(name,
                          value != nullptr ? std::optional<std::string>(value) : std::nullopt);
    }
    setenv("SSL_CERT_FILE", ca_file.c_str(), 1);
    setenv("SSL_CERT_DIR", empty_dir.c_str(), 1);
  }
  ~DefaultCaPaths() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name, value->c_str(), 1);
      } else {
        unsetenv(name);
      }
    }
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

// A hand-made OpenSSL server that speaks at most `max_version`, for one connection; records what
// the client sent after the handshake (nothing, when it failed).
class RawTlsServer {
 public:
  RawTlsServer(const iwmo::test::TestCert& as, int max_version) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    REQUIRE(ctx_ != nullptr);
    SSL_CTX_set_security_level(ctx_, 0);  // allow offering TLS 1.1 at all
    SSL_CTX_set_min_proto_version(ctx_, max_version);
    SSL_CTX_set_max_proto_version(ctx_, max_version);
    REQUIRE(SSL_CTX_use_certificate_file(ctx_, as.cert.c_str(), SSL_FILETYPE_PEM) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(ctx_, as.key.c_str(), SSL_FILETYPE_PEM) == 1);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd_, 1) == 0);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serveOne(); });
  }
  ~RawTlsServer() {
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  std::uint16_t port() const { return port_; }
  // Waits for the one connection to end.
  std::string seen() {
    if (thread_.joinable()) thread_.join();
    return seen_;
  }

 private:
  void serveOne() {
    const int fd = accept(fd_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      char buffer[4096];
      const int got = SSL_read(ssl, buffer, sizeof buffer);
      if (got > 0) seen_.assign(buffer, static_cast<std::size_t>(got));
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
  }

  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::string seen_;
};

}  // namespace

TEST_CASE("a client with a certificate from the CA posts an envelope over mutual TLS", "[tls]") {
  Harness h;
  h.start();
  const std::string envelope = "<GGK:envelopHeenbericht-ggk_Di01>...</GGK:envelopHeenbericht-ggk_Di01>";
  auto reply = h.post(h.clientConfig(h.pki().client), envelope);
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "journaled as 42\n");
  CHECK(reply->peer_subject == h.pki().server.subject);
  CHECK(reply->tls_version == "TLSv1.3");
  const auto received = h.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].bytes == envelope);
  CHECK(received[0].peer_subject == h.pki().client.subject);
  CHECK_THAT(received[0].peer_address, Catch::StartsWith("127.0.0.1:"));
  CHECK(received[0].content_type == "application/xml; charset=utf-8");
  CHECK(h.listener().stats().envelopes_handled == 1);
  CHECK(h.listener().stats().handshakes_refused == 0);
  CHECK_THAT(h.pki().client.subject, Catch::Contains("CN=gemeente.test"));
}

TEST_CASE("a large envelope arrives whole", "[tls]") {
  Harness h;
  h.start();
  std::string envelope(3 * 1024 * 1024 + 17, 'x');
  for (std::size_t i = 0; i < envelope.size(); i += 4099) envelope[i] = static_cast<char>('a' + i % 26);
  auto reply = h.post(h.clientConfig(h.pki().client), envelope);
  REQUIRE(reply);
  REQUIRE(h.received().size() == 1);
  CHECK(h.received()[0].bytes == envelope);
}

TEST_CASE("a client without a certificate is refused during the handshake", "[tls]") {
  Harness h;
  h.start();
  const auto raw = rawTlsPost(h.port(), h.pki(), /*with_cert=*/false, 0);
  CHECK(raw.answer.find("HTTP/") == std::string::npos);
  CHECK(h.received().empty());
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("presented no certificate"));
  CHECK(h.listener().stats().handshakes_refused == 1);
  // HttpsClient cannot even be configured without one.
  HttpsClientConfig config = h.clientConfig(h.pki().client);
  config.certificate_file.clear();
  auto client = HttpsClient::create(config);
  REQUIRE_FALSE(client);
  CHECK(client.status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("an expired client certificate is refused", "[tls]") {
  Harness h;
  h.start();
  auto reply = h.post(h.clientConfig(h.pki().expired_client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(), Catch::Contains("certificate expired"));
  CHECK(h.received().empty());
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("client certificate refused: certificate has expired"));
}

TEST_CASE("a client certificate from another CA is refused", "[tls]") {
  Harness h;
  h.start();
  auto reply = h.post(h.clientConfig(h.pki().rogue_client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK(h.received().empty());
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("client certificate refused: unable to get local issuer certificate"));
}

TEST_CASE("a server certificate from another CA is refused by the client", "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.certificate_file = h.pki().rogue_server.cert.string();
  config.private_key_file = h.pki().rogue_server.key.string();
  h.start(config);
  auto reply = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(),
             Catch::Contains("server certificate refused: unable to get local issuer certificate"));
  CHECK(h.received().empty());
}

TEST_CASE("a server certificate that does not name the host dialled is refused", "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.certificate_file = h.pki().misnamed_server.cert.string();
  config.private_key_file = h.pki().misnamed_server.key.string();
  h.start(config);
  auto reply = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(), Catch::Contains("IP address mismatch"));
  CHECK(h.received().empty());
}

TEST_CASE("the server certificate subject can be pinned", "[tls]") {
  Harness h;
  h.start();
  HttpsClientConfig config = h.clientConfig(h.pki().client);
  config.expected_server_subject = h.pki().server.subject;
  CHECK(h.post(config, "<x/>"));
  config.expected_server_subject = "CN=ggk-adapter.test,O=iwmo-gateway test,C=NL";
  auto reply = h.post(config, "<y/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(),
             Catch::Contains("server certificate subject '" + h.pki().server.subject +
                             "' is not the pinned subject"));
  REQUIRE(h.received().size() == 1);  // the second envelope was never sent
  CHECK(h.received()[0].bytes == "<x/>");
}

TEST_CASE("the listener can pin the client certificate subject", "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.expected_client_subject = "CN=somebody else,O=iwmo-gateway test,C=NL";
  h.start(config);
  auto reply = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(h.received().empty());
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("is not the pinned subject"));
}

TEST_CASE("a plain-HTTP request to the listener gets no HTTP answer and reaches no handler",
          "[tls]") {
  Harness h;
  h.start();
  const int fd = connectLoopback(h.port());
  const std::string request =
      "POST /ggk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello";
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  const std::string answer = readAll(fd);
  ::close(fd);
  CHECK(answer.find("HTTP/") == std::string::npos);
  CHECK(h.received().empty());
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("http request"));
}

TEST_CASE("the client never speaks plain HTTP", "[tls]") {
  Harness h;
  h.start();
  HttpsClientConfig config = h.clientConfig(h.pki().client);
  config.url = "http://127.0.0.1:" + std::to_string(h.port()) + "/ggk";
  auto client = HttpsClient::create(config);
  REQUIRE_FALSE(client);
  CHECK(client.status().code() == StatusCode::kInvalid);
  CHECK_THAT(client.status().message(), Catch::Contains("never uses plain HTTP"));

  // A server that answers in plain HTTP: the handshake fails, nothing counts as delivered.
  const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(server, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(listen(server, 1) == 0);
  socklen_t length = sizeof address;
  getsockname(server, reinterpret_cast<sockaddr*>(&address), &length);
  std::string seen;
  std::thread plain([&] {
    const int fd = accept(server, nullptr, nullptr);
    if (fd < 0) return;
    char buffer[4096];
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got > 0) seen.assign(buffer, static_cast<std::size_t>(got));
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(fd);
  });
  config.url = "https://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/ggk";
  auto reply = h.post(config, "<secret/>");
  plain.join();
  ::close(server);
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(reply.status().message(), Catch::Contains("TLS handshake with the server failed"));
  CHECK(seen.find("<secret/>") == std::string::npos);  // only a ClientHello went out
  CHECK(seen.find("POST") == std::string::npos);
}

TEST_CASE("TLS 1.2 is accepted and anything older is refused", "[tls]") {
  Harness h;
  h.start();
  const auto tls12 = rawTlsPost(h.port(), h.pki(), true, TLS1_2_VERSION);
  CHECK(tls12.handshake_ok);
  CHECK_THAT(tls12.answer, Catch::StartsWith("HTTP/1.1 200 OK"));
  const auto tls11 = rawTlsPost(h.port(), h.pki(), true, TLS1_1_VERSION);
  CHECK_FALSE(tls11.handshake_ok);
  CHECK(h.received().size() == 1);
  const auto refusals = h.refusals();  // the observer runs after the client saw the refusal
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("unsupported protocol"));
  CHECK(h.listener().stats().handshakes_refused == 1);
}

TEST_CASE("the handler's verdict becomes the client's outcome", "[tls]") {
  Harness h;
  h.start();
  h.setAnswer({InboundVerdict::Refused, "Di01 envelope refused: ENV-XSD"});
  auto refused = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(refused);
  CHECK(refused.status().code() == StatusCode::kInvalid);
  CHECK_THAT(refused.status().message(), Catch::Contains("400 Bad Request: Di01 envelope refused"));
  h.setAnswer({InboundVerdict::RetryLater, "journal unavailable"});
  auto later = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(later);
  CHECK(later.status().code() == StatusCode::kUnavailable);
  CHECK_THAT(later.status().message(), Catch::Contains("503"));
}

TEST_CASE("requests the listener does not take are answered over TLS and never handled",
          "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.max_body_bytes = 1000;
  h.start(config);
  HttpsClientConfig client = h.clientConfig(h.pki().client);
  auto too_large = h.post(client, std::string(1001, 'x'));
  REQUIRE_FALSE(too_large);
  CHECK(too_large.status().code() == StatusCode::kInvalid);
  CHECK_THAT(too_large.status().message(), Catch::Contains("413"));
  client.url = "https://127.0.0.1:" + std::to_string(h.port()) + "/other";
  auto wrong_path = h.post(client, "<x/>");
  REQUIRE_FALSE(wrong_path);
  CHECK_THAT(wrong_path.status().message(), Catch::Contains("404"));
  CHECK(h.received().empty());
  CHECK(h.refusals(2).size() == 2);  // the observer runs just after the answer is sent
  CHECK(h.listener().stats().requests_refused == 2);
}

TEST_CASE("stop() returns while a client holds a connection open", "[tls]") {
  Harness h;
  h.start();
  const int fd = connectLoopback(h.port());  // connects, never says anything
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto started = std::chrono::steady_clock::now();
  h.listener().stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  ::close(fd);
}

TEST_CASE("the listener refuses to start without usable certificates", "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.private_key_file = h.pki().client.key.string();  // not the server certificate's key
  auto listener = HttpsListener::create(config);
  REQUIRE_FALSE(listener);
  CHECK(listener.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(listener.status().message(), Catch::Contains("does not belong to certificate"));
  config = h.listenerConfig();
  config.ca_file = "/nonexistent/ca.pem";
  listener = HttpsListener::create(config);
  REQUIRE_FALSE(listener);
  CHECK_THAT(listener.status().message(), Catch::Contains("/nonexistent/ca.pem does not exist"));
}

TEST_CASE("only the configured CA bundle is trusted and never OpenSSL's default CA locations",
          "[tls]") {
  // The default locations hold the other CA: whatever loaded them would accept its certificates.
  iwmo::test::TempDir empty;
  Harness h;
  const DefaultCaPaths defaults(h.pki().wrong_ca.cert, empty.path());

  HttpsListenerConfig config = h.listenerConfig();
  config.certificate_file = h.pki().rogue_server.cert.string();
  config.private_key_file = h.pki().rogue_server.key.string();
  h.start(config);
  auto reply = h.post(h.clientConfig(h.pki().client), "<x/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(),
             Catch::Contains("server certificate refused: unable to get local issuer certificate"));
  CHECK(h.received().empty());

  Harness listener_side;
  const DefaultCaPaths again(listener_side.pki().wrong_ca.cert, empty.path());
  listener_side.start();
  auto rogue =
      listener_side.post(listener_side.clientConfig(listener_side.pki().rogue_client), "<y/>");
  REQUIRE_FALSE(rogue);
  CHECK(listener_side.received().empty());
  const auto refusals = listener_side.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0],
             Catch::Contains("client certificate refused: unable to get local issuer certificate"));
}

TEST_CASE("the client refuses a server that speaks nothing newer than TLS 1.1", "[tls]") {
  Harness h;
  RawTlsServer old_server(h.pki().server, TLS1_1_VERSION);
  HttpsClientConfig config;
  config.url = "https://127.0.0.1:" + std::to_string(old_server.port()) + "/ggk";
  config.certificate_file = h.pki().client.cert.string();
  config.private_key_file = h.pki().client.key.string();
  config.ca_file = h.pki().ca.cert.string();
  config.connect_timeout = std::chrono::milliseconds(5000);
  config.io_timeout = std::chrono::milliseconds(5000);
  auto client = HttpsClient::create(config);
  REQUIRE(client);
  auto reply = (*client)->post("<secret/>");
  REQUIRE_FALSE(reply);
  CHECK(reply.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(reply.status().message(), Catch::Contains("protocol version"));
  CHECK(old_server.seen().empty());  // the handshake failed: no request went out

  // The same server at TLS 1.2 is fine (the certificate and the rest of the setup are sound).
  RawTlsServer tls12_server(h.pki().server, TLS1_2_VERSION);
  config.url = "https://127.0.0.1:" + std::to_string(tls12_server.port()) + "/ggk";
  client = HttpsClient::create(config);
  REQUIRE(client);
  std::thread post([&] { (void)(*client)->post("<fine/>"); });  // the raw server never answers
  const std::string seen = tls12_server.seen();
  post.join();
  CHECK_THAT(seen, Catch::StartsWith("POST /ggk HTTP/1.1"));
}

TEST_CASE("the listener judges a request by its head before reading the body",
          "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.max_body_bytes = 1000;
  h.start(config);
  {  // over the limit: 413 at once, the client never needs to send the body
    RawTlsConnection c(h.port(), h.pki());
    c.send("POST /ggk HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
    CHECK_THAT(c.read(), Catch::StartsWith("HTTP/1.1 413"));
  }
  {  // within the limit: 100 Continue, then the body, then 200
    RawTlsConnection c(h.port(), h.pki());
    c.send("POST /ggk HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    CHECK(c.read("\r\n\r\n") == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("hello");
    CHECK_THAT(c.read(), Catch::StartsWith("HTTP/1.1 200"));
  }
  {
    RawTlsConnection c(h.port(), h.pki());
    c.send("POST /ggk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    CHECK_THAT(c.read(), Catch::StartsWith("HTTP/1.1 411"));
  }
  {
    RawTlsConnection c(h.port(), h.pki());
    c.send("GET /ggk HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK_THAT(c.read(), Catch::StartsWith("HTTP/1.1 405"));
  }
  {
    RawTlsConnection c(h.port(), h.pki());
    c.send("POST /ggk HTTP/1.1\r\nHost: x\r\nContent-Length: 5x\r\n\r\nhello");
    CHECK_THAT(c.read(), Catch::StartsWith("HTTP/1.1 400"));
  }
  REQUIRE(h.received().size() == 1);
  CHECK(h.received()[0].bytes == "hello");
  const auto refusals = h.refusals(4);
  REQUIRE(refusals.size() == 4);
  CHECK_THAT(refusals[0], Catch::Contains("HTTP 413: the envelope is 5000 bytes"));
  CHECK_THAT(refusals[1], Catch::Contains("HTTP 411: send the envelope with Content-Length"));
  CHECK_THAT(refusals[2], Catch::Contains("HTTP 405: only POST is accepted, not GET"));
  CHECK_THAT(refusals[3], Catch::Contains("HTTP 400: Content-Length '5x' is not a number"));
  CHECK(h.listener().stats().requests_refused == 4);
}

TEST_CASE("a connection beyond max_queued_connections is refused at once", "[tls]") {
  Harness h;
  HttpsListenerConfig config = h.listenerConfig();
  config.workers = 1;
  config.max_queued_connections = 1;
  h.start(config);
  const int busy = connectLoopback(h.port());  // holds the one worker in its handshake
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int queued = connectLoopback(h.port());  // waits in the queue
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const int extra = connectLoopback(h.port());
  CHECK(readAll(extra).empty());  // closed without a byte, long before io_timeout
  const auto refusals = h.refusals();
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::Contains("too many connections waiting (max_queued_connections)"));
  CHECK(h.listener().stats().handshakes_refused == 1);
  CHECK(h.received().empty());
  ::close(extra);
  ::close(queued);
  ::close(busy);
}
