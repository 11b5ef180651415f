#include "adapters/transport/https_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "adapters/transport/https_http.h"
#include "adapters/transport/https_tls.h"

namespace iwmo::transport {
namespace {

struct Answer {
  http::ResponseHead head;
  std::string body;
};

struct AddrinfoFree {
  void operator()(addrinfo* info) const noexcept { freeaddrinfo(info); }
};

// Connects to host:port within `timeout`; returns the connected, blocking socket.
Result<int> connectTo(const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    return Status::unavailable("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, AddrinfoFree> list(found);
  std::string last_error = "no address";
  for (addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int error = 0;
    if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd p{fd, POLLOUT, 0};
        const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready == 0) {
          error = ETIMEDOUT;
        } else if (ready < 0) {
          error = errno;
        } else {
          socklen_t length = sizeof error;
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        }
      }
    }
    if (error == 0) {
      const int flags = fcntl(fd, F_GETFL, 0);
      fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
      return fd;
    }
    last_error = std::strerror(error);
    ::close(fd);
  }
  return Status::unavailable("cannot connect to " + host + ":" + service + ": " + last_error);
}

// Reads the server's answer: skips 1xx heads, then one final head and its body (Content-Length,
// chunked, or up to the close). Errors: those of TlsConnection::read, kUnavailable (malformed).
Result<Answer> readAnswer(TlsConnection& connection, std::size_t max_response_bytes) {
  std::string buffer;
  char chunk[16 * 1024];
  bool eof = false;
  const std::size_t limit = http::kMaxHeadBytes + max_response_bytes;
  const auto readMore = [&]() -> Status {
    auto got = connection.read(chunk, sizeof chunk);
    if (!got) return got.status();
    if (*got == 0) {
      eof = true;
    } else {
      buffer.append(chunk, *got);
      if (buffer.size() > limit) {
        return Status::unavailable("the answer is larger than " + std::to_string(limit) + " bytes");
      }
    }
    return Status::ok();
  };
  http::ResponseHead head;
  while (true) {
    std::size_t end = http::headEnd(buffer);
    while (end == std::string::npos) {
      if (eof) {
        return Status::unavailable(buffer.empty()
                                       ? "the server closed the connection without an answer"
                                       : "the answer ended inside its HTTP head");
      }
      if (buffer.size() > http::kMaxHeadBytes) {
        return Status::unavailable("the answer's HTTP head is larger than 16 KiB");
      }
      if (Status status = readMore(); !status.isOk()) return status;
      end = http::headEnd(buffer);
    }
    auto parsed = http::parseResponseHead(std::string_view(buffer).substr(0, end));
    if (!parsed) return Status::unavailable("malformed answer: " + parsed.status().message());
    buffer.erase(0, end);
    if (parsed->status >= 200) {
      head = std::move(*parsed);
      break;
    }
  }
  auto length = http::contentLength(head.headers);
  if (!length) return Status::unavailable("malformed answer: " + length.status().message());
  const auto encoding = http::header(head.headers, "Transfer-Encoding");
  const bool chunked = encoding && encoding->find("chunked") != std::string_view::npos;
  std::string answer;
  if (*length && !chunked) {
    if (**length > max_response_bytes) {
      return Status::unavailable("the answer's body of " + std::to_string(**length) +
                                 " bytes is over the limit");
    }
    while (buffer.size() < **length && !eof) {
      if (Status status = readMore(); !status.isOk()) return status;
    }
    if (buffer.size() < **length) {
      return Status::unavailable("the answer's body ended early");
    }
    answer = buffer.substr(0, **length);
  } else {
    while (!eof) {
      if (Status status = readMore(); !status.isOk()) {
        if (chunked && http::decodeChunked(buffer)) break;  // complete; the close was unclean
        return status;
      }
      if (chunked && http::decodeChunked(buffer)) break;
    }
    if (chunked) {
      auto decoded = http::decodeChunked(buffer);
      if (!decoded) return Status::unavailable("malformed answer: " + decoded.status().message());
      answer = std::move(*decoded);
    } else {
      answer = std::move(buffer);
    }
  }
  return Answer{std::move(head), std::move(answer)};
}

// An extra request header the caller may add: a token name that is not one of the framing or
// routing headers this client writes itself, and a value without control characters (no CR/LF
// header injection). Errors: kInvalid naming the header.
Status checkExtraHeader(const std::string& name, const std::string& value) {
  static constexpr std::string_view kTokenPunctuation = "!#$%&'*+-.^_`|~";
  const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kTokenPunctuation.find(c) != std::string_view::npos;
  });
  if (!token) return Status::invalid("request header name '" + name + "' is not an HTTP token");
  for (const std::string_view own : {"Host", "Content-Length", "Content-Type", "Connection",
                                     "Transfer-Encoding", "Expect", "User-Agent"}) {
    if (std::equal(own.begin(), own.end(), name.begin(), name.end(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return Status::invalid("request header " + name + " is set by the HTTPS client itself");
    }
  }
  const bool clean = std::none_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
  if (!clean) {
    return Status::invalid("request header " + name + " has a control character in its value");
  }
  return Status::ok();
}

}  // namespace

HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::create(const HttpsClientConfig& config) {
  std::unique_ptr<HttpsClient> client(new HttpsClient());
  client->config_ = config;
  std::string_view url = config.url;
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), url.begin(),
                  [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
    return Status::invalid("endpoint '" + config.url +
                           "' is not an https:// URL; the GGk transport never uses plain HTTP");
  }
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  client->path_ = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return Status::invalid("endpoint '" + config.url + "' has no host (or carries user info)");
  }
  std::string_view port_text;
  if (authority.front() == '[') {  // [IPv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalid("endpoint '" + config.url + "': bad IPv6 host");
    client->host_ = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::invalid("endpoint '" + config.url + "': bad port");
      port_text = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.find(':');
    client->host_ = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return Status::invalid("endpoint '" + config.url + "': bad port '" + std::string(port_text) + "'");
    }
    client->port_ = static_cast<std::uint16_t>(port);
  }
  if (client->host_.empty()) return Status::invalid("endpoint '" + config.url + "' has no host");
  TlsIdentity identity;
  identity.certificate_file = config.certificate_file;
  identity.private_key_file = config.private_key_file;
  identity.ca_file = config.ca_file;
  identity.expected_peer_subject = config.expected_server_subject;
  auto tls = TlsContext::create(TlsRole::Client, identity);
  if (!tls) return tls.status();
  client->tls_ = std::move(*tls);
  return client;
}

std::string HttpsClient::describe() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + path_;
}

Result<HttpsReply> HttpsClient::post(
    std::string_view body, const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  const std::string where = "POST " + describe() + ": ";
  const auto fail = [&](const Status& status) { return Status(status.code(), where + status.message()); };
  for (const auto& [name, value] : extra_headers) {
    if (Status status = checkExtraHeader(name, value); !status.isOk()) return fail(status);
  }

  auto fd = connectTo(host_, port_, config_.connect_timeout);
  if (!fd) return fail(fd.status());
  TlsConnection connection(tls_, *fd, config_.io_timeout);
  if (Status status = connection.handshake(host_); !status.isOk()) return fail(status);

  const bool v6 = host_.find(':') != std::string::npos;
  std::string request = "POST " + path_ + " HTTP/1.1\r\n";
  request += "Host: " + (v6 ? "[" + host_ + "]" : host_) +
             (port_ == 443 ? std::string() : ":" + std::to_string(port_)) + "\r\n";
  request += "User-Agent: iwmo-gateway\r\n";
  request += "Content-Type: " + config_.content_type + "\r\n";
  request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : extra_headers) request += name + ": " + value + "\r\n";
  request += "Connection: close\r\n\r\n";
  // A server that refuses early (413, or a TLS alert about our certificate) may stop reading
  // before the body is sent; its answer can still be waiting for us, so read it either way.
  Status sent = connection.writeAll(request);
  if (sent.isOk()) sent = connection.writeAll(body);
  auto received = readAnswer(connection, config_.max_response_bytes);
  if (!received) {
    if (!sent.isOk() && received.status().code() != StatusCode::kFailedPrecondition) {
      return fail(sent);
    }
    return fail(received.status());
  }
  http::ResponseHead& head = received->head;
  std::string& answer = received->body;
  const std::string peer = connection.peerSubject();
  const std::string version = connection.protocolVersion();
  connection.close();

  if (head.status >= 200 && head.status < 300) {
    return HttpsReply{head.status, std::move(answer), peer, version};
  }
  std::string text = "the server answered " + std::to_string(head.status) + " " + head.reason;
  if (!answer.empty()) text += ": " + answer.substr(0, 300);
  if (head.status >= 400 && head.status < 500) {
    return fail(Status::invalid(text + " (refused; do not resend this envelope unchanged)"));
  }
  return fail(Status::unavailable(text));
}

}  // namespace iwmo::transport
