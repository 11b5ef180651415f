// HttpsSink: the Sink (DESIGN §5.1 step 6) that POSTs each outgoing envelope over mutual TLS to a
// configured https:// URL (HttpsClient), for deployments where a Digikoppeling adapter takes
// envelopes from the gateway by HTTPS instead of from a directory.
//
// One POST per deliver(): the payload is the body (one envelope), Content-Type as configured
// (application/xml), and the outbox file name in the request header X-Iwmo-File-Name. A 2xx
// answer means the receiver has the envelope. Delivery is at-least-once: when the gateway stops
// between the receiver's 2xx and the outbox marking the envelope sent, the envelope is POSTed
// again after the restart. The outbox file names are deterministic, so that re-POST carries the
// same X-Iwmo-File-Name: the receiver deduplicates by that name or by the envelope's
// referentienummer. (Behind HttpsSource, our own receiving end, the journal recognises the
// resent bytes and marks the new row duplicate_of the first: see https_source.h.)
//
// Thread-safety: deliver() and sync() from one delivery thread at a time (the Sink contract);
// HttpsClient itself would allow more.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "adapters/transport/https_client.h"
#include "adapters/transport/transport.h"

namespace iwmo::transport {

struct HttpsSinkConfig {
  HttpsClientConfig client;  // url, certificates, timeouts; content_type stays application/xml
  std::string file_name_header = "X-Iwmo-File-Name";  // "" = do not send the file name
};

class HttpsSink final : public Sink {
 public:
  // Errors (from HttpsClient::create): kInvalid (not an https:// URL: there is no plain-HTTP
  // mode; bad port; a file_name_header that is not a usable header name),
  // kFailedPrecondition (a certificate, key or CA file missing or unusable).
  static Result<std::unique_ptr<HttpsSink>> create(const HttpsSinkConfig& config);
  ~HttpsSink() override;
  HttpsSink(const HttpsSink&) = delete;
  HttpsSink& operator=(const HttpsSink&) = delete;

  // POSTs `payload`; on a 2xx sets `where` to "https://host:port/path (HTTP 200)". Errors keep
  // HttpsClient's codes, each message saying what an operator can do; the delivery loop retries
  // with backoff whatever the code:
  //   kUnavailable        receiver unreachable, timed out, or answered 5xx (e.g. 503: it could not
  //                       journal the envelope now): retried later, nothing to fix here;
  //   kFailedPrecondition a certificate or TLS problem on either side: fix the configuration;
  //   kInvalid            the receiver refused the envelope (4xx, e.g. 413 too large): resending
  //                       it unchanged will not help; read the receiver's reason.
  Status deliver(const std::string& file_name, std::string_view payload,
                 std::string& where) override;
  // Nothing to do: a 2xx answer already means the receiver has the envelope.
  Status sync() override { return Status::ok(); }
  // "https POST https://host:port/path".
  std::string describe() const override;

 private:
  explicit HttpsSink(std::unique_ptr<HttpsClient> client, std::string file_name_header);
  std::unique_ptr<HttpsClient> client_;
  std::string file_name_header_;
};

}  // namespace iwmo::transport
