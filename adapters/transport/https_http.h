// The small part of HTTP/1.1 (RFC 9112) that HttpsClient and HttpsListener speak inside their TLS
// session: one POST per connection ("Connection: close"), bodies framed by Content-Length (a
// chunked response is decoded; a chunked request is refused with 411), header blocks up to a
// fixed size. Pure functions over bytes; the TLS I/O is in https_client.cpp / https_listener.cpp.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo::transport::http {

inline constexpr std::size_t kMaxHeadBytes = 16 * 1024;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct RequestHead {
  std::string method;   // "POST"
  std::string target;   // "/ggk/inbound"
  std::string version;  // "HTTP/1.1"
  Headers headers;
};

struct ResponseHead {
  std::string version;
  int status = 0;
  std::string reason;
  Headers headers;
};

// The end of the head (the offset just past "\r\n\r\n") in `buffer`, or npos.
std::size_t headEnd(std::string_view buffer);

// Parse a head, including its final empty line. Errors: kInvalid with the reason.
Result<RequestHead> parseRequestHead(std::string_view head);
Result<ResponseHead> parseResponseHead(std::string_view head);

// The value of header `name` (case-insensitive), or nullopt.
std::optional<std::string_view> header(const Headers& headers, std::string_view name);

// Content-Length: nullopt when absent; kInvalid when malformed or given twice with different values.
Result<std::optional<std::size_t>> contentLength(const Headers& headers);

// Decodes a complete chunked body (`body` holds everything after the head, up to the final
// "0\r\n\r\n" and trailers). Errors: kInvalid (malformed, or incomplete).
Result<std::string> decodeChunked(std::string_view body);

// "HTTP/1.1 <status> <reason>\r\n" + headers + Content-Length + "Connection: close" + body.
std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body);

}  // namespace iwmo::transport::http
