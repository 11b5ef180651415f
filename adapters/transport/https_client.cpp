#include "adapters/transport/https_client.h"

#include <httplib.h>
#include <openssl/err.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>

#include "adapters/transport/tls_policy.h"

namespace iwmo::transport {
namespace {

// What the TLS session of one post() showed, copied when httplib frees its SSL.
class Observation final : public TlsEvents {
 public:
  void ended(TlsSession& session) override {
    seen_ = true;
    session_ = session;
  }
  bool seen() const { return seen_; }
  const TlsSession& session() const { return session_; }

 private:
  bool seen_ = false;
  TlsSession session_;
};

// For an answer whose status line carries no reason phrase.
const char* reasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
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
      !std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
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
    if (close == std::string_view::npos)
      return Status::invalid("endpoint '" + config.url + "': bad IPv6 host");
    client->host_ = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':')
        return Status::invalid("endpoint '" + config.url + "': bad port");
      port_text = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.find(':');
    client->host_ = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Status::invalid("endpoint '" + config.url + "': bad port '" + std::string(port_text) +
                             "'");
    }
    client->port_ = static_cast<std::uint16_t>(port);
  }
  if (client->host_.empty()) return Status::invalid("endpoint '" + config.url + "' has no host");
  TlsIdentity identity;
  identity.certificate_file = config.certificate_file;
  identity.private_key_file = config.private_key_file;
  identity.ca_file = config.ca_file;
  identity.expected_peer_subject = config.expected_server_subject;
  auto tls = TlsPolicy::load(TlsRole::Client, identity);
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
  const auto fail = [&](const Status& status) {
    return Status(status.code(), where + status.message());
  };
  for (const auto& [name, value] : extra_headers) {
    if (Status status = checkExtraHeader(name, value); !status.isOk()) return fail(status);
  }

  Observation tls;  // outlives the client below, whose SSL objects report to it
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  std::string answer;
  bool too_large = false;
  bool answered = false;
  try {
    SigpipeGuard guard;  // OpenSSL writes with write(2): a server that went away raises SIGPIPE
    httplib::SSLClient client(host_, port_);
    if (!client.is_valid() || client.ssl_context() == nullptr) {
      return fail(Status::internal("httplib could not create a TLS client context"));
    }
    if (Status applied = tls_->apply(client.ssl_context(), &tls, host_); !applied.isOk()) {
      return fail(applied);
    }
    // Verification is the context's (SSL_VERIFY_PEER, during the handshake): httplib's own
    // would set SSL_VERIFY_NONE on each connection and check only afterwards (tls_policy.h).
    client.enable_server_certificate_verification(false);
    client.set_connection_timeout(config_.connect_timeout);  // TCP connect, and the handshake
    client.set_read_timeout(config_.io_timeout);
    client.set_write_timeout(config_.io_timeout);
    client.set_keep_alive(false);  // "Connection: close"
    client.set_follow_location(false);
    client.set_decompress(false);  // no Accept-Encoding: the answer is taken as sent
    client.set_url_encode(false);  // the path as configured
    httplib::Request request;
    request.method = "POST";
    request.path = path_;
    request.headers.emplace("User-Agent", "iwmo-gateway");
    request.headers.emplace("Content-Type", config_.content_type);
    for (const auto& [name, value] : extra_headers) request.headers.emplace(name, value);
    request.body.assign(body.data(), body.size());
    request.content_receiver = [&](const char* data, std::size_t length, std::uint64_t /*offset*/,
                                   std::uint64_t /*total*/) {
      if (answer.size() + length > config_.max_response_bytes) {
        too_large = true;
        return false;
      }
      answer.append(data, length);
      return true;
    };
    answered = client.send(request, response, error);
  } catch (const std::exception& e) {
    ERR_clear_error();
    return fail(Status::internal(std::string("the HTTPS client failed: ") + e.what()));
  }
  ERR_clear_error();  // httplib leaves OpenSSL's queue on this thread as it is

  const TlsSession& session = tls.session();
  if (!answered) {
    if (tls.seen() && !session.failure.empty()) {
      return fail(session.certificate_problem ? Status::failedPrecondition(session.failure)
                                              : Status::unavailable(session.failure));
    }
    if (tls.seen() && !session.peer_alert.empty()) {
      // TLS 1.3: the server judges our certificate after our side of the handshake is done.
      return fail(Status::failedPrecondition(
          "the server refused the TLS session with the alert '" + session.peer_alert +
          "': it does not accept our client certificate (check that it is valid and issued by a "
          "CA the server trusts) or the connection"));
    }
    if (too_large) {
      return fail(Status::unavailable("the answer is larger than " +
                                      std::to_string(config_.max_response_bytes) + " bytes"));
    }
    switch (error) {
      case httplib::Error::Connection:
      case httplib::Error::ConnectionTimeout:
        return fail(Status::unavailable(
            "cannot connect: the host name does not resolve, the connection was refused or the "
            "host is unreachable, or there was no answer within " +
            std::to_string(config_.connect_timeout.count()) +
            " ms; check that the receiver runs and that the URL's host and port are right"));
      case httplib::Error::SSLConnection:
        return fail(
            Status::unavailable("TLS handshake with the server failed: it did not finish "
                                "within " +
                                std::to_string(config_.connect_timeout.count()) +
                                " ms, or the server closed the connection"));
      case httplib::Error::Write:
        return fail(Status::unavailable(
            "the connection broke while the envelope (" + std::to_string(body.size()) +
            " bytes) was being sent; if this persists for this envelope, the receiver may have "
            "refused it as too large without reading it (its limit, e.g. 25 MB)"));
      case httplib::Error::Read:
        return fail(Status::unavailable("the connection broke, or no whole answer arrived within " +
                                        std::to_string(config_.io_timeout.count()) + " ms"));
      default:
        return fail(Status::unavailable("the request failed: " + httplib::to_string(error)));
    }
  }

  const int status = response.status;
  if (status >= 200 && status < 300) {
    return HttpsReply{status, std::move(answer), session.peer_subject, session.protocol};
  }
  std::string text = "the server answered " + std::to_string(status) + " " +
                     (response.reason.empty() ? reasonPhrase(status) : response.reason);
  if (!answer.empty()) text += ": " + answer.substr(0, 300);
  if (status >= 400 && status < 500) {
    return fail(Status::invalid(text + " (refused; do not resend this envelope unchanged)"));
  }
  return fail(Status::unavailable(text));
}

}  // namespace iwmo::transport
