#include "adapters/transport/https_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "adapters/transport/https_http.h"
#include "adapters/transport/https_tls.h"

namespace iwmo::transport {
namespace {

// Listener threads never want SIGPIPE: a client that goes away mid-answer is not fatal.
void blockSigpipeOnThisThread() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
}

std::string addressText(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    port = ntohs(v4->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    port = ntohs(v6->sin6_port);
  }
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

// After a refused handshake the client may already have sent its request (with TLS 1.3 it
// sends right after its Finished, before it learns the verdict). Closing with those bytes unread
// makes the kernel answer with a reset that can overtake our TLS alert, and the client would see
// "connection reset" instead of "certificate expired". So: stop writing, read and drop what
// arrives for a moment (at most 1 MiB, 1 s per read), then close.
void lingerAfterRefusedHandshake(int fd) {
  shutdown(fd, SHUT_WR);
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char scratch[16 * 1024];
  std::size_t budget = 1024 * 1024;
  while (budget > 0) {
    const ssize_t got = recv(fd, scratch, sizeof scratch, 0);
    if (got <= 0) break;
    budget -= std::min(budget, static_cast<std::size_t>(got));
  }
}

}  // namespace

Result<std::unique_ptr<HttpsListener>> HttpsListener::create(const HttpsListenerConfig& config) {
  if (config.workers == 0) return Status::invalid("HTTPS listener needs at least one worker");
  if (config.path.empty() || config.path.front() != '/') {
    return Status::invalid("HTTPS listener path '" + config.path + "' must start with '/'");
  }
  std::unique_ptr<HttpsListener> listener(new HttpsListener());
  listener->config_ = config;
  TlsIdentity identity;
  identity.certificate_file = config.certificate_file;
  identity.private_key_file = config.private_key_file;
  identity.ca_file = config.ca_file;
  identity.expected_peer_subject = config.expected_client_subject;
  auto tls = TlsContext::create(TlsRole::Server, identity);
  if (!tls) return tls.status();
  listener->tls_ = std::move(*tls);

  sockaddr_storage address{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, config.bind_address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(config.port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, config.bind_address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(config.port);
    length = sizeof(sockaddr_in6);
  } else {
    return Status::invalid("HTTPS listener bind address '" + config.bind_address +
                           "' is not an IPv4 or IPv6 address");
  }
  const int fd = socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::unavailable(std::string("socket: ") + std::strerror(errno));
  listener->listen_fd_ = fd;  // closed by the destructor from here on
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 ||
      listen(fd, 64) != 0) {
    return Status::unavailable("cannot listen on " + config.bind_address + ":" +
                               std::to_string(config.port) + ": " + std::strerror(errno));
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  listener->port_ = ntohs(bound.ss_family == AF_INET
                              ? reinterpret_cast<const sockaddr_in*>(&bound)->sin_port
                              : reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  listener->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (listener->wake_fd_ < 0) return Status::unavailable(std::string("eventfd: ") + std::strerror(errno));
  return listener;
}

HttpsListener::~HttpsListener() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

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
  started_ = true;
  handler_ = std::move(handler);
  observer_ = std::move(observer);
  acceptor_ = std::thread([this] { acceptLoop(); });
  for (std::size_t i = 0; i < config_.workers; ++i) {
    workers_.emplace_back([this] { workerLoop(); });
  }
  return Status::ok();
}

void HttpsListener::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (const int fd : active_) shutdown(fd, SHUT_RDWR);  // breaks blocking reads and writes
  }
  if (wake_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t ignored = write(wake_fd_, &one, sizeof one);
  }
  queued_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  std::lock_guard lock(mutex_);
  for (auto& [fd, peer] : queue_) ::close(fd);
  queue_.clear();
}

void HttpsListener::refuse(const std::string& peer_address, const std::string& reason,
                           bool handshake) {
  (handshake ? handshakes_refused_ : requests_refused_).fetch_add(1);
  if (observer_) observer_(peer_address, reason);
}

void HttpsListener::acceptLoop() {
  blockSigpipeOnThisThread();
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    const int ready = poll(fds, 2, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || (fds[1].revents & POLLIN) != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    const int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
    if (fd < 0) continue;  // ECONNABORTED, EMFILE ...: try the next one
    std::string address = addressText(peer);
    bool overflow = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      overflow = queue_.size() >= config_.max_queued_connections;
      if (!overflow) queue_.emplace_back(fd, address);
    }
    if (overflow) {
      ::close(fd);
      refuse(address, "too many connections waiting (max_queued_connections)", true);
    } else {
      queued_.notify_one();
    }
  }
}

void HttpsListener::workerLoop() {
  blockSigpipeOnThisThread();
  while (true) {
    std::pair<int, std::string> next;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      active_.insert(next.first);
    }
    serve(next.first, next.second);
  }
}

void HttpsListener::serve(int fd, const std::string& peer_address) {
  TlsConnection connection(tls_, fd, config_.io_timeout);
  // Declared after `connection`, so it runs first: the socket leaves active_ before it is closed
  // and its number can be reused.
  struct Untrack {
    HttpsListener* self;
    int fd;
    ~Untrack() {
      std::lock_guard lock(self->mutex_);
      self->active_.erase(fd);
    }
  } untrack{this, fd};

  if (Status status = connection.handshake(); !status.isOk()) {
    refuse(peer_address, status.message(), true);
    lingerAfterRefusedHandshake(fd);
    return;
  }
  const auto answer = [&](int status, const std::string& text) {
    (void)connection.writeAll(http::response(status, reasonPhrase(status),
                                             "text/plain; charset=utf-8", text + "\n"));
  };
  std::string buffer;
  // A refusal is answered before the request body is read. Closing a socket with unread bytes
  // makes the kernel send a reset, which can destroy our answer before the client reads it, so
  // the rest of the request is read and dropped first (at most kDrainBytes, one io_timeout per
  // read; a client that keeps sending beyond that gets the reset).
  std::optional<std::size_t> body_left;  // bytes of the body still unread, when known
  const auto drain = [&] {
    static constexpr std::size_t kDrainBytes = 1024 * 1024;
    char scratch[16 * 1024];
    std::size_t budget = kDrainBytes;
    while (budget > 0 && (!body_left || *body_left > 0)) {
      const std::size_t want = std::min({sizeof scratch, budget, body_left.value_or(sizeof scratch)});
      auto got = connection.read(scratch, want);
      if (!got || *got == 0) break;
      budget -= *got;
      if (body_left) *body_left -= *got;
    }
  };
  const auto refuseRequest = [&](int status, const std::string& text) {
    answer(status, text);
    refuse(peer_address, "HTTP " + std::to_string(status) + ": " + text, false);
    drain();
  };

  char chunk[16 * 1024];
  std::size_t end = std::string::npos;
  while ((end = http::headEnd(buffer)) == std::string::npos) {
    if (buffer.size() > http::kMaxHeadBytes) {
      refuseRequest(400, "HTTP head larger than 16 KiB");
      return;
    }
    auto got = connection.read(chunk, sizeof chunk);
    if (!got || *got == 0) {
      refuse(peer_address, got ? "connection closed before a request" : got.status().message(), false);
      return;
    }
    buffer.append(chunk, *got);
  }
  auto head = http::parseRequestHead(std::string_view(buffer).substr(0, end));
  if (!head) {
    refuseRequest(400, head.status().message());
    return;
  }
  buffer.erase(0, end);
  if (auto declared = http::contentLength(head->headers); declared && *declared) {
    body_left = **declared > buffer.size() ? **declared - buffer.size() : 0;
  }
  if (head->method != "POST") {
    refuseRequest(405, "only POST is accepted, not " + head->method);
    return;
  }
  if (head->target.substr(0, head->target.find('?')) != config_.path) {
    refuseRequest(404, "envelopes are accepted at " + config_.path + ", not " + head->target);
    return;
  }
  if (http::header(head->headers, "Transfer-Encoding")) {
    refuseRequest(411, "send the envelope with Content-Length, not Transfer-Encoding");
    return;
  }
  auto length = http::contentLength(head->headers);
  if (!length) {
    refuseRequest(400, length.status().message());
    return;
  }
  if (!*length) {
    refuseRequest(411, "Content-Length is required");
    return;
  }
  if (**length > config_.max_body_bytes) {
    refuseRequest(413, "the envelope is " + std::to_string(**length) + " bytes; the limit is " +
                           std::to_string(config_.max_body_bytes) +
                           " bytes (StUF-GGk 2.1.04: 25 MB for a whole envelope)");
    return;
  }
  const auto expect = http::header(head->headers, "Expect");
  if (expect && *expect == "100-continue" && buffer.size() < **length) {
    if (!connection.writeAll("HTTP/1.1 100 Continue\r\n\r\n").isOk()) {
      refuse(peer_address, "connection lost before the body", false);
      return;
    }
  }
  while (buffer.size() < **length) {
    auto got = connection.read(chunk, std::min(sizeof chunk, **length - buffer.size()));
    if (!got || *got == 0) {
      refuse(peer_address,
             "the body ended after " + std::to_string(buffer.size()) + " of " +
                 std::to_string(**length) + " bytes" +
                 (got ? std::string() : ": " + got.status().message()),
             false);
      return;
    }
    buffer.append(chunk, *got);
  }
  buffer.resize(**length);  // bytes after the body (a pipelined request) are ignored

  InboundEnvelope envelope;
  envelope.bytes = std::move(buffer);
  envelope.peer_subject = connection.peerSubject();
  envelope.peer_address = peer_address;
  if (auto type = http::header(head->headers, "Content-Type")) envelope.content_type = std::string(*type);
  envelope.headers = std::move(head->headers);
  envelopes_handled_.fetch_add(1);
  const InboundAnswer verdict = handler_(std::move(envelope));
  switch (verdict.verdict) {
    case InboundVerdict::Accepted:
      answer(200, verdict.detail.empty() ? "accepted" : verdict.detail);
      break;
    case InboundVerdict::Refused:
      answer(400, verdict.detail.empty() ? "refused" : verdict.detail);
      break;
    case InboundVerdict::RetryLater:
      answer(503, verdict.detail.empty() ? "not accepted now; send again later" : verdict.detail);
      break;
  }
}

}  // namespace iwmo::transport
