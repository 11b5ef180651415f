// HttpsListener: accepts inbound envelopes over mutual TLS only (issue 6 §4b), for deployments
// where a Digikoppeling adapter speaks HTTPS to the gateway; cpp-httplib's SSLServer under the
// TLS policy of tls_policy.h. A connection must complete a TLS handshake (TLS 1.2 minimum, 1.3
// preferred) with a client certificate that chains to the configured CA bundle (and, when
// pinned, has the configured subject: checked during the handshake) before a single byte of
// HTTP is read; anything else, a plain-HTTP request included, is dropped without an answer. Then
// one POST per connection ("Connection: close"). Its head is checked before its body is read:
// other methods get 405, other paths 404, no Content-Length or a Transfer-Encoding 411, a
// malformed Content-Length 400, a body over max_body_bytes 413 (each answered after reading and
// dropping at most 1 MiB of the body, so the client sees the answer rather than a reset); a head
// httplib cannot parse gets 400, a request line over 8 KiB 414. The body is handed to the handler,
// whose verdict becomes the HTTP status: Accepted -> 200, Refused -> 400 (do not resend),
// RetryLater -> 503 (resend later).
//
// Threads: one accept thread and `workers` connection threads, all the listener's own; the
// handler and the observer are called on connection threads (a connection refused because the
// queue is full: on the accept thread), concurrently when workers > 1. SIGPIPE is blocked on
// those threads. start()/stop() from one controlling thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/base/result.h"

namespace httplib {
class SSLServer;
}

namespace iwmo::transport {

class TlsPolicy;

struct HttpsListenerConfig {
  std::string bind_address = "127.0.0.1";  // IPv4 or IPv6 literal
  std::uint16_t port = 0;                  // 0: any free port (tests); see HttpsListener::port()
  std::string path = "/";                  // the only target accepted (others get 404)
  std::string certificate_file;            // PEM: our server certificate (chain allowed)
  std::string private_key_file;            // PEM, unencrypted
  std::string ca_file;                     // PEM bundle client certificates must chain to
  std::string expected_client_subject;  // optional pin, RFC 2253 (see TlsIdentity in tls_policy.h)
  std::size_t max_body_bytes = 25u * 1024u * 1024u;  // the GGk's 25 MB for a whole envelope
  // Per read/write, handshake included, and the longest wait for the request after the
  // handshake (httplib counts that one in whole seconds, at least 1).
  std::chrono::milliseconds io_timeout{30000};
  std::size_t workers = 4;
  // Beyond this, a new connection's handshake is broken off at once and reported as refused.
  std::size_t max_queued_connections = 64;
};

struct InboundEnvelope {
  std::string bytes;         // the POST body: one envelope, unchecked
  std::string peer_subject;  // the client certificate's subject (RFC 2253)
  std::string peer_address;  // "127.0.0.1:51234"
  std::string content_type;  // as sent, "" when absent
  // Every request header as sent, in case-insensitive name order (httplib keeps them in a
  // multimap); httplib's own REMOTE_ADDR/REMOTE_PORT/LOCAL_ADDR/LOCAL_PORT are left out.
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class InboundVerdict {
  Accepted,    // 200: taken over (e.g. journaled); the sender may forget it
  Refused,     // 400: will never be accepted as it is
  RetryLater,  // 503: not taken now (e.g. journal unavailable); the sender keeps it
};

struct InboundAnswer {
  InboundVerdict verdict = InboundVerdict::RetryLater;
  std::string detail;  // one line for the sender, sent as the text/plain body
};

// REQUIRES: does not throw. Called on a connection thread.
using InboundHandler = std::function<InboundAnswer(InboundEnvelope envelope)>;
// Told about every connection that ends without reaching the handler (TLS refused, plain HTTP,
// handshake timed out, bad request, too large, closed before a request ...), once, with the
// peer's address and the reason. REQUIRES: does not throw.
using RefusalObserver =
    std::function<void(const std::string& peer_address, const std::string& reason)>;

struct HttpsListenerStats {
  std::uint64_t handshakes_refused =
      0;  // TLS never established (no/expired/unknown cert, pin, not TLS)
  std::uint64_t requests_refused = 0;   // TLS fine, HTTP request refused before the handler
  std::uint64_t envelopes_handled = 0;  // handler called
};

class HttpsListener {
 public:
  // Loads the certificates and binds the socket (so port() is known before start()).
  // Errors: kFailedPrecondition (certificate, key or CA unusable), kUnavailable (cannot bind),
  // kInvalid (bad bind address, empty path, workers == 0).
  static Result<std::unique_ptr<HttpsListener>> create(const HttpsListenerConfig& config);
  ~HttpsListener();  // stops
  HttpsListener(const HttpsListener&) = delete;
  HttpsListener& operator=(const HttpsListener&) = delete;

  // Starts accepting. Errors: kFailedPrecondition (already started).
  Status start(InboundHandler handler, RefusalObserver observer = {});
  // Stops accepting, breaks open connections, and returns when every thread has ended. A
  // listener that was never started closes its socket here. Idempotent; no restart.
  void stop();

  std::uint16_t port() const { return port_; }
  std::string describe() const;  // "https://127.0.0.1:8443/ggk (mutual TLS)"
  HttpsListenerStats stats() const;

 private:
  class Events;
  class Pool;
  HttpsListener();
  void listen();  // the accept thread: httplib's accept loop until stop()
  void refuse(const std::string& peer_address, const std::string& reason, bool handshake);
  // The server's limits and timeouts, then its handlers: the head checked before the body is
  // read (405, 404, 411, 413), the configured path, and httplib's own errors.
  void configureServer();
  void installHandlers();

  HttpsListenerConfig config_;
  std::shared_ptr<const TlsPolicy> tls_;
  std::unique_ptr<Events> events_;  // TLS sessions: refusals, open sockets
  std::uint16_t port_ = 0;
  InboundHandler handler_;
  RefusalObserver observer_;

  std::mutex mutex_;    // guards open_, stopping_
  std::set<int> open_;  // sockets with a TLS session (broken open by stop())
  bool stopping_ = false;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<bool> listen_returned_{false};

  std::atomic<std::uint64_t> handshakes_refused_{0};
  std::atomic<std::uint64_t> requests_refused_{0};
  std::atomic<std::uint64_t> envelopes_handled_{0};

  // Declared last so it is destroyed first: its threads use everything above.
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread acceptor_;  // runs listen()
};

}  // namespace iwmo::transport
