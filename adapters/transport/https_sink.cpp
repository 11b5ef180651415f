#include "adapters/transport/https_sink.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace iwmo::transport {
namespace {

bool isToken(const std::string& name) {
  static constexpr std::string_view kPunctuation = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kPunctuation.find(c) != std::string_view::npos;
  });
}

// What an operator can do about each failure; the delivery loop retries in every case.
std::string advice(StatusCode code) {
  switch (code) {
    case StatusCode::kUnavailable:
      return "; the envelope stays in the outbox and will be retried with backoff (check that the "
             "receiver is running and reachable if this persists)";
    case StatusCode::kFailedPrecondition:
      return "; a certificate or TLS configuration problem: check the certificate, private key, "
             "CA bundle and expected server subject configured for this URL, and that the "
             "receiver trusts our certificate; the envelope stays in the outbox and is retried "
             "with backoff until this is fixed";
    case StatusCode::kInvalid:
      return "; the receiver refused this envelope and resending it unchanged will not help: see "
             "its reason above; the envelope stays in the outbox and is retried with backoff";
    default:
      return "; the envelope stays in the outbox and will be retried with backoff";
  }
}

}  // namespace

HttpsSink::HttpsSink(std::unique_ptr<HttpsClient> client, std::string file_name_header)
    : client_(std::move(client)), file_name_header_(std::move(file_name_header)) {}

HttpsSink::~HttpsSink() = default;

Result<std::unique_ptr<HttpsSink>> HttpsSink::create(const HttpsSinkConfig& config) {
  if (!config.file_name_header.empty() && !isToken(config.file_name_header)) {
    return Status::invalid("file name header '" + config.file_name_header +
                           "' is not an HTTP header name");
  }
  auto client = HttpsClient::create(config.client);
  if (!client) return client.status();
  return std::unique_ptr<HttpsSink>(new HttpsSink(std::move(*client), config.file_name_header));
}

Status HttpsSink::deliver(const std::string& file_name, std::string_view payload,
                          std::string& where) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!file_name_header_.empty()) headers.emplace_back(file_name_header_, file_name);
  auto reply = client_->post(payload, headers);
  if (!reply) {
    const Status& failed = reply.status();
    return Status(failed.code(), "delivering " + file_name + " failed: " + failed.message() +
                                     advice(failed.code()));
  }
  where = client_->describe() + " (HTTP " + std::to_string(reply->status) + ")";
  return Status::ok();
}

std::string HttpsSink::describe() const { return "https POST " + client_->describe(); }

}  // namespace iwmo::transport
