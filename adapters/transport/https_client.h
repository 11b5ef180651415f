// HttpsClient: posts one envelope (bytes) to a configured https:// URL over mutual TLS
// (DESIGN §5.1 step 6; issue 6 §4b): for deployments where a Digikoppeling adapter speaks HTTPS
// to the gateway. cpp-httplib's SSLClient under the policy of tls_policy.h: TLS 1.2 minimum, 1.3
// preferred, our certificate and key from files, the server verified during the handshake
// against the configured CA bundle (never the system store) and the URL's host (its
// subjectAltName), optionally pinned by subject. There is no plain-HTTP mode: an http:// URL is
// refused at create(), and a server that does not speak TLS fails the handshake; no request
// byte is sent before the server's certificate has passed.
//
// One connection per post() ("Connection: close"): no pooling, so every post verifies the server
// afresh. Thread-safety: post() may be called from several threads at once (the loaded TLS
// material is shared read-only; each call has its own httplib client, context and connection).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo::transport {

class TlsPolicy;

struct HttpsClientConfig {
  std::string url;  // "https://host[:port]/path"; host = DNS name or IP literal ([::1] for IPv6)
  std::string certificate_file;         // PEM: our client certificate (chain allowed)
  std::string private_key_file;         // PEM, unencrypted
  std::string ca_file;                  // PEM bundle the server's certificate must chain to
  std::string expected_server_subject;  // optional pin, RFC 2253 (see TlsIdentity in tls_policy.h)
  std::string content_type = "application/xml; charset=utf-8";
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds io_timeout{30000};
  std::size_t max_response_bytes = 1024 * 1024;
};

struct HttpsReply {
  int status = 0;            // 2xx
  std::string body;          // the server's answer (at most max_response_bytes)
  std::string peer_subject;  // the server certificate's subject
  std::string tls_version;   // "TLSv1.3"
};

class HttpsClient {
 public:
  // Parses the URL and loads the certificates. Errors: kInvalid (not an https:// URL, bad port),
  // kFailedPrecondition (a certificate, key or CA file missing or unusable).
  static Result<std::unique_ptr<HttpsClient>> create(const HttpsClientConfig& config);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // POSTs `body`. Success only for a 2xx answer. Errors, each naming the reason:
  //   kUnavailable        connect failed or timed out, TLS broke off, 5xx or other non-2xx/4xx
  //                       answer (redirects are not followed), malformed answer, an answer
  //                       over max_response_bytes: retry later with backoff. Also when the
  //                       connection broke while the body was still being sent, even if the
  //                       server had answered first (a 413 after it stopped reading): httplib
  //                       reads no answer after a failed write;
  //   kFailedPrecondition the server's certificate was refused (CA, expiry, host name, pin), or
  //                       the server refused ours (TLS alert): fix the configuration first;
  //   kInvalid            a 4xx answer: the server refused this envelope; do not resend it.
  //                       Also: an `extra_headers` name that is not an HTTP token or is one the
  //                       client sets itself (Host, Content-Length ...), or a value holding a
  //                       control character (nothing is sent then).
  // `extra_headers` are sent as given after the client's own, e.g. {"X-Iwmo-File-Name", name}.
  Result<HttpsReply> post(
      std::string_view body,
      const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

  // "https://host:port/path" as configured.
  std::string describe() const;

 private:
  HttpsClient() = default;
  HttpsClientConfig config_;
  std::string host_;
  std::uint16_t port_ = 443;
  std::string path_;
  std::shared_ptr<const TlsPolicy> tls_;
};

}  // namespace iwmo::transport
