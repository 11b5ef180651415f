#include "adapters/transport/https_listener.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/err.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <exception>
#include <optional>
#include <variant>

#include "adapters/transport/tls_policy.h"

namespace iwmo::transport {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

// How much of a refused request's body is read and dropped before the connection is closed.
constexpr std::size_t kDrainBytes = 1024 * 1024;

// The session of the connection this thread serves. httplib serves a connection on one thread
// from its handshake to its close, and hands its error handler no SSL (for a head it could not
// parse), so the session is also known per thread (set in Events::started, cleared in ended).
thread_local TlsSession* t_serving = nullptr;
// Set while the accept thread serves, itself, a connection the queue had no room for.
thread_local const char* t_overflow = nullptr;

// Listener threads never want SIGPIPE: a client that goes away mid-answer is not fatal.
void blockSigpipeOnThisThread() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
}

// After a refused handshake the client may already have sent its request (with TLS 1.3 it
// sends right after its Finished, before it learns the verdict). Closing with those bytes unread
// makes the kernel answer with a reset that can overtake our TLS alert, and the client would see
// "connection reset" instead of "certificate expired". So: stop writing, read and drop what
// arrives for a moment (at most kDrainBytes, 1 s per wait), then let httplib close. The socket
// is non-blocking here (httplib's handshake mode).
void lingerAfterRefusedHandshake(int fd) {
  if (fd < 0) return;
  ::shutdown(fd, SHUT_WR);
  char scratch[16 * 1024];
  std::size_t budget = kDrainBytes;
  while (budget > 0) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, 1000) <= 0) break;
    const ssize_t got = recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (got <= 0) break;
    budget -= std::min(budget, static_cast<std::size_t>(got));
  }
}

TlsSession* sessionFor(const Request& request) {
  if (TlsSession* session = TlsPolicy::sessionOf(request.ssl)) return session;
  return t_serving;
}

std::string peerOf(const Request& request, const TlsSession* session) {
  if (session != nullptr && !session->peer_address.empty()) return session->peer_address;
  return request.remote_addr + ":" + std::to_string(request.remote_port);
}

struct Refusal {
  int status = 400;
  std::string text;
};

// The declared body length. Errors (as a Refusal): absent (411), not a number or given twice
// with different values (400).
std::variant<std::size_t, Refusal> contentLength(const Request& request) {
  const std::size_t count = request.get_header_value_count("Content-Length");
  if (count == 0) return Refusal{411, "Content-Length is required"};
  std::optional<std::size_t> length;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string text = request.get_header_value("Content-Length", i);
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
      return Refusal{400, "Content-Length '" + text + "' is not a number"};
    }
    if (length && *length != value)
      return Refusal{400, "Content-Length is given twice with different values"};
    length = value;
  }
  return *length;
}

// Reads and drops what is left of a refused request's body (at most kDrainBytes), so that
// closing the connection does not send a reset that destroys our answer before the client has
// read it. httplib has read the head byte by byte, so the body is all still in the TLS session.
void drainBody(const Request& request, std::size_t length) {
  if (request.ssl == nullptr) return;
  // SSL_read wants a mutable SSL; httplib hands its handlers a const one.
  SSL* ssl = const_cast<SSL*>(request.ssl);
  char scratch[16 * 1024];
  std::size_t left = std::min(length, kDrainBytes);
  while (left > 0) {
    const int got = SSL_read(ssl, scratch, static_cast<int>(std::min(left, sizeof scratch)));
    if (got <= 0) break;
    left -= std::min(left, static_cast<std::size_t>(got));
  }
}

std::vector<std::pair<std::string, std::string>> headersAsSent(const Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    // httplib adds these itself (the socket's addresses); they were not sent.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
        name == "LOCAL_PORT") {
      continue;
    }
    headers.emplace_back(name, value);
  }
  return headers;
}

void setText(Response& response, int status, const std::string& text) {
  response.status = status;
  response.set_content(text + "\n", "text/plain; charset=utf-8");
}

}  // namespace

// TLS sessions: sockets to break open on stop(), refusals to count and report.
class HttpsListener::Events final : public TlsEvents {
 public:
  explicit Events(HttpsListener& listener) : listener_(listener) {}

  void started(TlsSession& session) override {
    t_serving = &session;
    if (t_overflow != nullptr) session.abort_reason = t_overflow;
    {
      std::lock_guard lock(listener_.mutex_);
      if (listener_.stopping_ && session.abort_reason.empty()) {
        session.abort_reason = "the gateway is stopping; connect again later";
      }
      listener_.open_.insert(session.fd);
    }
    if (!session.abort_reason.empty())
      ::shutdown(session.fd, SHUT_RDWR);  // the handshake fails now
  }

  void failed(TlsSession& session) override {
    listener_.refuse(session.peer_address, session.failure, /*handshake=*/true);
    if (session.abort_reason.empty()) lingerAfterRefusedHandshake(session.fd);
  }

  void ended(TlsSession& session) override {
    {
      std::lock_guard lock(listener_.mutex_);
      listener_.open_.erase(session.fd);
    }
    if (t_serving == &session) t_serving = nullptr;
    if (!session.established && session.failure.empty()) {
      listener_.refuse(session.peer_address,
                       "no TLS handshake within io_timeout, or the client closed the connection "
                       "during it",
                       /*handshake=*/true);
    } else if (session.established && !session.request_seen) {
      listener_.refuse(session.peer_address,
                       "the client closed the connection, or sent nothing within io_timeout, "
                       "before an HTTP request",
                       /*handshake=*/false);
    }
    ERR_clear_error();  // leave this thread's queue empty for the next connection
  }

 private:
  HttpsListener& listener_;
};

// httplib's task queue: `workers` threads, at most max_queued_connections connections waiting.
// A connection beyond that is still handed to httplib (only its job closes the socket), on the
// accept thread itself, which breaks its handshake off at the start (Events::started).
class HttpsListener::Pool final : public httplib::TaskQueue {
 public:
  Pool(std::size_t workers, std::size_t max_queued) : max_queued_(max_queued) {
    for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { run(); });
  }
  ~Pool() override { shutdown(); }

  void enqueue(std::function<void()> job) override {
    {
      std::lock_guard lock(mutex_);
      if (jobs_.size() < max_queued_) {
        jobs_.push_back(std::move(job));
        ready_.notify_one();
        return;
      }
    }
    t_overflow = "too many connections waiting (max_queued_connections)";
    job();
    t_overflow = nullptr;
  }

  // Runs the jobs still queued (each one's handshake fails at once: the listener is stopping),
  // then joins the threads.
  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      shutting_down_ = true;
    }
    ready_.notify_all();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  void run() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return shutting_down_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool shutting_down_ = false;
  std::vector<std::thread> threads_;
};

HttpsListener::HttpsListener() = default;

void HttpsListener::configureServer() {
  httplib::SSLServer& server = *server_;
  server.new_task_queue = [this] {
    return new Pool(config_.workers, config_.max_queued_connections);
  };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second process
  // bind the same port and take half the connections.
  server.set_socket_options([](int fd) {
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  server.set_keep_alive_max_count(1);  // one request per connection: "Connection: close"
  const auto timeout_seconds =
      std::max<std::chrono::milliseconds::rep>(1, (config_.io_timeout.count() + 999) / 1000);
  server.set_keep_alive_timeout(static_cast<time_t>(timeout_seconds));
  server.set_read_timeout(config_.io_timeout);
  server.set_write_timeout(config_.io_timeout);
  server.set_payload_max_length(config_.max_body_bytes);
}

void HttpsListener::installHandlers() {
  httplib::SSLServer& server = *server_;
  HttpsListener* self = this;
  // The head decides before the body is read. Runs from the Expect: 100-continue handler
  // (the client waits for "100 Continue" before it sends the body) and before routing.
  const auto refusalFor = [self](const Request& request) -> std::optional<Refusal> {
    if (request.method != "POST") {
      return Refusal{405, "only POST is accepted, not " + request.method};
    }
    if (request.path != self->config_.path) {
      return Refusal{
          404, "envelopes are accepted at " + self->config_.path + ", not " + request.target};
    }
    if (request.has_header("Transfer-Encoding")) {
      return Refusal{411, "send the envelope with Content-Length, not Transfer-Encoding"};
    }
    auto length = contentLength(request);
    if (const auto* refusal = std::get_if<Refusal>(&length)) return *refusal;
    const std::size_t bytes = std::get<std::size_t>(length);
    if (bytes > self->config_.max_body_bytes) {
      return Refusal{413, "the envelope is " + std::to_string(bytes) + " bytes; the limit is " +
                              std::to_string(self->config_.max_body_bytes) +
                              " bytes (StUF-GGk 2.1.04: 25 MB for a whole envelope)"};
    }
    return std::nullopt;
  };
  const auto answerRefusal = [self](const Request& request, Response& response,
                                    const Refusal& refusal, bool drain) {
    TlsSession* session = sessionFor(request);
    setText(response, refusal.status, refusal.text);
    self->refuse(peerOf(request, session),
                 "HTTP " + std::to_string(refusal.status) + ": " + refusal.text,
                 /*handshake=*/false);
    if (drain) {
      auto length = contentLength(request);
      if (const auto* bytes = std::get_if<std::size_t>(&length)) drainBody(request, *bytes);
    }
  };
  server.set_expect_100_continue_handler([=](const Request& request, Response& response) {
    if (TlsSession* session = sessionFor(request)) session->request_seen = true;
    const auto refusal = refusalFor(request);
    if (!refusal) return 100;
    answerRefusal(request, response, *refusal, /*drain=*/false);  // the body never comes
    return refusal->status;
  });
  server.set_pre_routing_handler([=](const Request& request, Response& response) {
    if (TlsSession* session = sessionFor(request)) session->request_seen = true;
    const auto refusal = refusalFor(request);
    if (!refusal) return HandlerResponse::Unhandled;
    answerRefusal(request, response, *refusal,
                  /*drain=*/request.get_header_value("Expect") != "100-continue");
    return HandlerResponse::Handled;
  });
  // Only the configured path gets here (the pre-routing handler refused the others).
  server.Post(".*", [self](const Request& request, Response& response) {
    const TlsSession* session = sessionFor(request);
    InboundEnvelope envelope;
    envelope.bytes = request.body;
    envelope.peer_subject = session != nullptr ? session->peer_subject : std::string();
    envelope.peer_address = peerOf(request, session);
    envelope.content_type = request.get_header_value("Content-Type");
    envelope.headers = headersAsSent(request);
    self->envelopes_handled_.fetch_add(1);
    const InboundAnswer verdict = self->handler_(std::move(envelope));
    switch (verdict.verdict) {
      case InboundVerdict::Accepted:
        setText(response, 200, verdict.detail.empty() ? "accepted" : verdict.detail);
        break;
      case InboundVerdict::Refused:
        setText(response, 400, verdict.detail.empty() ? "refused" : verdict.detail);
        break;
      case InboundVerdict::RetryLater:
        setText(response, 503,
                verdict.detail.empty() ? "not accepted now; send again later" : verdict.detail);
        break;
    }
  });
  // Every answer from 400 up passes here; ours already have a body. The others are httplib's
  // own: a head it could not parse (400), a request line over 8 KiB (414), a body that did not
  // arrive whole (400).
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([self](const Request& request, Response& response) {
        if (!response.body.empty()) return HandlerResponse::Unhandled;
        TlsSession* session = sessionFor(request);
        if (session != nullptr) session->request_seen = true;
        const std::string text =
            response.status == 414 ? std::string("the request line is longer than 8 KiB")
                                   : "the request could not be read (malformed head, or the body "
                                     "did not arrive whole within io_timeout)";
        setText(response, response.status, text);
        self->refuse(peerOf(request, session),
                     "HTTP " + std::to_string(response.status) + ": " + text,
                     /*handshake=*/false);
        return HandlerResponse::Handled;
      }));
}

Result<std::unique_ptr<HttpsListener>> HttpsListener::create(const HttpsListenerConfig& config) {
  if (config.workers == 0) return Status::invalid("HTTPS listener needs at least one worker");
  if (config.path.empty() || config.path.front() != '/') {
    return Status::invalid("HTTPS listener path '" + config.path + "' must start with '/'");
  }
  unsigned char address[16];
  if (inet_pton(AF_INET, config.bind_address.c_str(), address) != 1 &&
      inet_pton(AF_INET6, config.bind_address.c_str(), address) != 1) {
    return Status::invalid("HTTPS listener bind address '" + config.bind_address +
                           "' is not an IPv4 or IPv6 address");
  }
  TlsIdentity identity;
  identity.certificate_file = config.certificate_file;
  identity.private_key_file = config.private_key_file;
  identity.ca_file = config.ca_file;
  identity.expected_peer_subject = config.expected_client_subject;
  auto tls = TlsPolicy::load(TlsRole::Server, identity);
  if (!tls) return tls.status();

  std::unique_ptr<HttpsListener> listener(new HttpsListener());
  HttpsListener* self = listener.get();
  self->config_ = config;
  self->tls_ = *tls;
  self->events_ = std::make_unique<Events>(*self);
  try {
    Status applied = Status::internal("httplib did not set up the TLS context");
    self->server_ = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
      applied = self->tls_->apply(&ctx, self->events_.get());
      return applied.isOk();
    });
    if (!applied.isOk()) return applied;
    if (!self->server_->is_valid()) {
      return Status::internal("httplib could not create the TLS server");
    }
    self->configureServer();
    self->installHandlers();
    httplib::SSLServer& server = *self->server_;
    const int port =
        config.port == 0
            ? server.bind_to_any_port(config.bind_address)
            : (server.bind_to_port(config.bind_address, config.port) ? config.port : -1);
    if (port <= 0) {
      return Status::unavailable("cannot listen on " + config.bind_address + ":" +
                                 std::to_string(config.port) +
                                 ": the port is in use, or the address is not one of this host's");
    }
    self->port_ = static_cast<std::uint16_t>(port);
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot set up the HTTPS listener: ") + e.what());
  }
  return listener;
}

HttpsListener::~HttpsListener() { stop(); }

std::string HttpsListener::describe() const {
  const bool v6 = config_.bind_address.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + config_.bind_address + "]" : config_.bind_address) + ":" +
         std::to_string(port_) + config_.path + " (mutual TLS)";
}

HttpsListenerStats HttpsListener::stats() const {
  return {handshakes_refused_.load(), requests_refused_.load(), envelopes_handled_.load()};
}

Status HttpsListener::start(InboundHandler handler, RefusalObserver observer) {
  if (started_) return Status::failedPrecondition("HTTPS listener already started");
  if (stopped_) return Status::failedPrecondition("HTTPS listener already stopped");
  handler_ = std::move(handler);
  observer_ = std::move(observer);
  try {
    acceptor_ = std::thread([this] {
      blockSigpipeOnThisThread();  // inherited by the pool's threads, made on this one
      listen();
    });
  } catch (const std::exception& e) {
    return Status::unavailable(std::string("cannot start the HTTPS listener thread: ") + e.what());
  }
  started_ = true;
  return Status::ok();
}

void HttpsListener::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    for (const int fd : open_) ::shutdown(fd, SHUT_RDWR);  // breaks handshakes, reads and writes
  }
  if (!server_ || port_ == 0) return;  // create() failed before the socket was bound
  if (!started_) {
    // httplib closes a bound socket only when it stops listening: listen, then stop at once.
    try {
      acceptor_ = std::thread([this] {
        blockSigpipeOnThisThread();
        listen();
      });
    } catch (const std::exception&) {
      return;  // the socket stays open until the process ends
    }
  }
  while (!server_->is_running() && !listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->stop();
  if (acceptor_.joinable()) acceptor_.join();
}

void HttpsListener::listen() {
  try {
    server_->listen_after_bind();
  } catch (const std::exception& e) {  // e.g. the pool could not start its threads
    if (observer_)
      observer_(describe(), std::string("the HTTPS listener stopped accepting: ") + e.what());
  }
  listen_returned_ = true;
}

void HttpsListener::refuse(const std::string& peer_address, const std::string& reason,
                           bool handshake) {
  (handshake ? handshakes_refused_ : requests_refused_).fetch_add(1);
  if (observer_) observer_(peer_address, reason);
}

}  // namespace iwmo::transport
