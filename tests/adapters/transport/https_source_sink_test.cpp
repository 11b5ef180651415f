// HttpsSink -> HttpsSource on 127.0.0.1 over mutual TLS, with the run-time test PKI
// (tests/support/test_certs.h): the Receiver sees the exact bytes, the answer waits for the
// journal's Ack (journaled 200, not journaled 503, no Ack in time 503), refused connections reach
// the RefusalObserver and never the Receiver, and stop() and late Acks are harmless.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "adapters/transport/https_client.h"
#include "adapters/transport/https_sink.h"
#include "adapters/transport/https_source.h"
#include "support/test_certs.h"
#include "support/test_support.h"

using iwmo::Status;
using iwmo::StatusCode;
using iwmo::transport::Ack;
using iwmo::transport::AckInfo;
using iwmo::transport::HttpsClient;
using iwmo::transport::HttpsSink;
using iwmo::transport::HttpsSinkConfig;
using iwmo::transport::HttpsSource;
using iwmo::transport::HttpsSourceConfig;
using iwmo::transport::Received;

namespace {

constexpr auto kWait = std::chrono::seconds(10);  // upper bound for anything the tests wait for

// What the Receiver does with each message.
enum class Mode {
  AckJournaled,     // acks journaled at once, on the listener's thread
  AckNotJournaled,  // acks "not journaled" at once
  Hold,             // keeps the Ack for the test to call (or never)
};

// One PKI, an HttpsSource whose Receiver and RefusalObserver record what they see.
class Harness {
 public:
  Harness() : pki_(iwmo::test::makeTestPki(dir_.path())) {}

  const iwmo::test::TestPki& pki() const { return pki_; }

  HttpsSourceConfig sourceConfig() const {
    HttpsSourceConfig config;
    config.listener.bind_address = "127.0.0.1";
    config.listener.port = 0;
    config.listener.path = "/ggk";
    config.listener.certificate_file = pki_.server.cert.string();
    config.listener.private_key_file = pki_.server.key.string();
    config.listener.ca_file = pki_.ca.cert.string();
    config.listener.io_timeout = std::chrono::milliseconds(5000);
    config.listener.workers = 2;
    config.peer = "ggk";
    return config;
  }

  void start(Mode mode, HttpsSourceConfig config) {
    mode_ = mode;
    auto source =
        HttpsSource::create(config, [this](const std::string& peer, const std::string& reason) {
          {
            std::lock_guard lock(mutex_);
            refusals_.push_back(peer + " " + reason);
          }
          changed_.notify_all();
        });
    REQUIRE(source);
    source_ = std::move(*source);
    REQUIRE(source_
                ->start([this](Received message, Ack ack) {
                  receive(std::move(message), std::move(ack));
                })
                .isOk());
  }
  void start(Mode mode) { start(mode, sourceConfig()); }

  HttpsSinkConfig sinkConfig(const iwmo::test::TestCert& as) const {
    HttpsSinkConfig config;
    config.client.url = url();
    config.client.certificate_file = as.cert.string();
    config.client.private_key_file = as.key.string();
    config.client.ca_file = pki_.ca.cert.string();
    config.client.connect_timeout = std::chrono::milliseconds(5000);
    config.client.io_timeout = std::chrono::milliseconds(5000);
    return config;
  }
  std::unique_ptr<HttpsSink> sink(const iwmo::test::TestCert& as) const {
    auto sink = HttpsSink::create(sinkConfig(as));
    REQUIRE(sink);
    return std::move(*sink);
  }
  std::string url() const {
    return "https://127.0.0.1:" + std::to_string(source_->port()) + "/ggk";
  }

  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  // Waits until the Receiver holds `count` Acks (Mode::Hold) and returns them.
  std::vector<Ack> waitForAcks(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kWait, [&] { return acks_.size() >= count; });
    return acks_;
  }
  // The observer runs on a listener thread, sometimes after the client saw its failure.
  std::vector<std::string> waitForRefusals(std::size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kWait, [&] { return refusals_.size() >= count; });
    return refusals_;
  }

  HttpsSource& source() { return *source_; }
  void destroySource() { source_.reset(); }

 private:
  void receive(Received message, Ack ack) {
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(message));
      if (mode_ == Mode::Hold) acks_.push_back(ack);
    }
    changed_.notify_all();
    if (mode_ == Mode::AckJournaled) {
      ack(AckInfo{true, 12, "accepted", "journaled as message #12; valid WMO301"});
    } else if (mode_ == Mode::AckNotJournaled) {
      ack(AckInfo{false, 0, "", "journal unavailable: disk full"});
    }
  }

  iwmo::test::TempDir dir_;
  iwmo::test::TestPki pki_;
  Mode mode_ = Mode::AckJournaled;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Received> received_;
  std::vector<Ack> acks_;
  std::vector<std::string> refusals_;
  // Declared last so it is destroyed first: its listener threads call receive() and the
  // observer, which write to the members above (see d2b57b7).
  std::unique_ptr<HttpsSource> source_;
};

Status deliver(HttpsSink& sink, const std::string& name, const std::string& payload,
               std::string* where_out = nullptr) {
  std::string where;
  Status status = sink.deliver(name, payload, where);
  if (where_out != nullptr) *where_out = where;
  return status;
}

// A TLS client without a certificate (HttpsClient cannot be configured without one).
void postWithoutCertificate(std::uint16_t port, const iwmo::test::TestPki& pki) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  REQUIRE(ctx != nullptr);
  REQUIRE(SSL_CTX_load_verify_locations(ctx, pki.ca.cert.c_str(), nullptr) == 1);
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) == 1) {  // TLS 1.3: the server's verdict comes with the first read
    const std::string request =
        "POST /ggk HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\n<x/>";
    SSL_write(ssl, request.data(), static_cast<int>(request.size()));
    char buffer[4096];
    std::string answer;
    while (true) {
      const int got = SSL_read(ssl, buffer, sizeof buffer);
      if (got <= 0) break;
      answer.append(buffer, static_cast<std::size_t>(got));
    }
    CHECK(answer.find("HTTP/") == std::string::npos);
  }
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
}

void postPlainHttp(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string request =
      "POST /ggk HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\n<x/>";
  REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  while (true) {
    const ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  CHECK(answer.find("HTTP/") == std::string::npos);
}

const std::string kFileName = "20260105093000250_WMO301_0f8fad5b-d9cb-469f-a165-70867728950e.xml";

}  // namespace

TEST_CASE(
    "an envelope from HttpsSink reaches the HttpsSource receiver and is answered after the "
    "journal's Ack",
    "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckJournaled);
  auto sink = h.sink(h.pki().client);
  const std::string envelope =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GGK:envelopHeenbericht-ggk_Di01>é\r\n"
      "</GGK:envelopHeenbericht-ggk_Di01>";
  std::string where;
  const Status status = deliver(*sink, kFileName, envelope, &where);
  REQUIRE(status.isOk());
  CHECK(where == h.url() + " (HTTP 200)");

  const auto received = h.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].bytes == envelope);
  CHECK(received[0].size == envelope.size());
  CHECK_FALSE(received[0].oversize);
  CHECK(received[0].peer == "ggk");
  CHECK_THAT(received[0].source, Catch::StartsWith("https:" + h.pki().client.subject + " sha256="));
  CHECK_THAT(received[0].source, Catch::EndsWith(" file=" + kFileName));

  CHECK(sink->describe() == "https POST " + h.url());
  CHECK(sink->sync().isOk());
  CHECK(h.source().describe() ==
        "https listener 127.0.0.1:" + std::to_string(h.source().port()) + "/ggk (mutual TLS)");

  // The sender reads the verdict and the journal's sentence in the answer.
  auto client = HttpsClient::create(h.sinkConfig(h.pki().client).client);
  REQUIRE(client);
  auto reply = (*client)->post("<x/>");
  REQUIRE(reply);
  CHECK(reply->body == "accepted: journaled as message #12; valid WMO301\n");
  REQUIRE(h.received().size() == 2);
  CHECK(h.received()[1].source != h.received()[0].source);  // other bytes, other source
  CHECK_THAT(h.received()[1].source, !Catch::Contains("file="));  // no file name header sent

  const auto stats = h.source().stats();
  CHECK(stats.acked_journaled == 2);
  CHECK(stats.listener.envelopes_handled == 2);
  CHECK(stats.listener.handshakes_refused == 0);
  CHECK(h.source().start([](Received, Ack) {}).code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("an envelope the gateway could not journal is answered 503 and the sink will retry it",
          "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckNotJournaled);
  auto sink = h.sink(h.pki().client);
  const Status status = deliver(*sink, kFileName, "<x/>");
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK_THAT(status.message(), Catch::Contains("delivering " + kFileName + " failed"));
  CHECK_THAT(status.message(), Catch::Contains("503"));
  CHECK_THAT(status.message(),
             Catch::Contains(
                 "the gateway could not journal this envelope (journal unavailable: disk full)"));
  CHECK_THAT(status.message(), Catch::Contains("will be retried"));
  CHECK(h.received().size() == 1);
  CHECK(h.source().stats().acked_not_journaled == 1);
}

TEST_CASE("the Ack may come later from another thread", "[tls][https-transport]") {
  Harness h;
  h.start(Mode::Hold);
  auto sink = h.sink(h.pki().client);
  auto delivered = std::async(std::launch::async, [&] {
    std::string where;
    return sink->deliver(kFileName, "<x/>", where);
  });
  const auto acks = h.waitForAcks(1);
  REQUIRE(acks.size() == 1);
  // The sender is still waiting for its answer.
  CHECK(delivered.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
  std::thread([ack = acks[0]] {
    ack(AckInfo{true, 7, "duplicate", "already journaled as #7"});
  }).join();
  REQUIRE(delivered.wait_for(kWait) == std::future_status::ready);
  CHECK(delivered.get().isOk());
  acks[0](AckInfo{false, 0, "", "a second Ack is ignored"});
  CHECK(h.source().stats().acked_journaled == 1);
}

TEST_CASE("no Ack within the timeout is answered 503 and a late Ack does nothing",
          "[tls][https-transport]") {
  Harness h;
  HttpsSourceConfig config = h.sourceConfig();
  config.ack_timeout = std::chrono::milliseconds(300);
  h.start(Mode::Hold, config);
  auto sink = h.sink(h.pki().client);
  const Status status = deliver(*sink, kFileName, "<x/>");
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK_THAT(status.message(), Catch::Contains("503"));
  CHECK_THAT(status.message(), Catch::Contains("did not confirm within 300 ms"));
  CHECK_THAT(status.message(), Catch::Contains("duplicate"));
  const auto acks = h.waitForAcks(1);
  REQUIRE(acks.size() == 1);
  acks[0](AckInfo{true, 3, "accepted", "journaled after all"});  // nobody waits for it any more
  CHECK(h.source().stats().ack_timeouts == 1);
  CHECK(h.source().stats().acked_journaled == 0);
}

TEST_CASE("connections without a valid client certificate never reach the receiver",
          "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckJournaled);

  postWithoutCertificate(h.source().port(), h.pki());
  auto refusals = h.waitForRefusals(1);
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0], Catch::StartsWith("127.0.0.1:"));
  CHECK_THAT(refusals[0], Catch::Contains("presented no certificate"));

  auto rogue = h.sink(h.pki().rogue_client);
  const Status status = deliver(*rogue, kFileName, "<x/>");
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(status.message(), Catch::Contains("certificate or TLS configuration problem"));
  refusals = h.waitForRefusals(2);
  REQUIRE(refusals.size() == 2);
  CHECK_THAT(refusals[1],
             Catch::Contains("client certificate refused: unable to get local issuer certificate"));

  postPlainHttp(h.source().port());
  refusals = h.waitForRefusals(3);
  REQUIRE(refusals.size() == 3);
  CHECK_THAT(refusals[2], Catch::Contains("http request"));

  CHECK(h.received().empty());
  const auto stats = h.source().stats();
  CHECK(stats.listener.handshakes_refused == 3);
  CHECK(stats.listener.envelopes_handled == 0);
}

TEST_CASE("HttpsSink cannot be configured with a plain http:// URL", "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckJournaled);
  HttpsSinkConfig config = h.sinkConfig(h.pki().client);
  config.client.url = "http://127.0.0.1:" + std::to_string(h.source().port()) + "/ggk";
  auto sink = HttpsSink::create(config);
  REQUIRE_FALSE(sink);
  CHECK(sink.status().code() == StatusCode::kInvalid);
  CHECK_THAT(sink.status().message(), Catch::Contains("never uses plain HTTP"));
  config = h.sinkConfig(h.pki().client);
  config.file_name_header = "X Iwmo";
  CHECK(HttpsSink::create(config).status().code() == StatusCode::kInvalid);
}

TEST_CASE("a file name with a line break is not sent as a header", "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckJournaled);
  auto sink = h.sink(h.pki().client);
  const Status status = deliver(*sink, "a.xml\r\nX-Injected: 1", "<x/>");
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kInvalid);
  CHECK_THAT(status.message(), Catch::Contains("control character"));
  CHECK(h.received().empty());
  CHECK(h.source().stats().listener.handshakes_refused == 0);  // nothing was sent at all
}

TEST_CASE("a 3 MB envelope arrives whole through HttpsSink and HttpsSource",
          "[tls][https-transport]") {
  Harness h;
  h.start(Mode::AckJournaled);
  auto sink = h.sink(h.pki().client);
  std::string envelope(3 * 1024 * 1024 + 17, 'x');
  for (std::size_t i = 0; i < envelope.size(); i += 4099)
    envelope[i] = static_cast<char>('a' + i % 26);
  REQUIRE(deliver(*sink, kFileName, envelope).isOk());
  const auto received = h.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].size == envelope.size());
  CHECK(received[0].bytes == envelope);
}

TEST_CASE("an oversize envelope is refused with 413 and never reaches the receiver",
          "[tls][https-transport]") {
  Harness h;
  HttpsSourceConfig config = h.sourceConfig();
  config.listener.max_body_bytes = 1000;
  h.start(Mode::AckJournaled, config);
  auto sink = h.sink(h.pki().client);
  REQUIRE(deliver(*sink, kFileName, std::string(1000, 'x')).isOk());  // at the limit
  const Status status = deliver(*sink, kFileName, std::string(1001, 'x'));
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kInvalid);
  CHECK_THAT(status.message(), Catch::Contains("413"));
  CHECK_THAT(status.message(), Catch::Contains("resending it unchanged will not help"));
  const auto refusals = h.waitForRefusals(1);
  REQUIRE(refusals.size() == 1);
  CHECK_THAT(refusals[0],
             Catch::Contains("HTTP 413: the envelope is 1001 bytes; the limit is 1000 bytes"));
  CHECK(h.received().size() == 1);
  CHECK(h.source().stats().listener.requests_refused == 1);
}

TEST_CASE("stop() while a POST waits for its Ack returns, and the late Ack is harmless",
          "[tls][https-transport]") {
  Harness h;
  HttpsSourceConfig config = h.sourceConfig();
  config.ack_timeout = std::chrono::seconds(20);  // far longer than stop() may take
  h.start(Mode::Hold, config);
  auto sink = h.sink(h.pki().client);
  auto delivered = std::async(std::launch::async, [&] {
    std::string where;
    return sink->deliver(kFileName, "<x/>", where);
  });
  const auto acks = h.waitForAcks(1);
  REQUIRE(acks.size() == 1);

  const auto started = std::chrono::steady_clock::now();
  h.source().stop();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  REQUIRE(delivered.wait_for(kWait) == std::future_status::ready);
  const Status status = delivered.get();
  REQUIRE_FALSE(status.isOk());
  CHECK(status.code() == StatusCode::kUnavailable);  // 503 "stopping", or the connection broke

  acks[0](AckInfo{true, 5, "accepted", "journaled after stop"});
  h.source().stop();  // idempotent
  h.destroySource();
  acks[0](AckInfo{true, 5, "accepted", "and again after the source is gone"});
  CHECK(h.received().size() == 1);
}
