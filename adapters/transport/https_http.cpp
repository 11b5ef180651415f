#include "adapters/transport/https_http.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace iwmo::transport::http {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool isToken(std::string_view text) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string_view::npos;
  });
}

// Splits a head into its start line and header fields.
Result<std::pair<std::string_view, Headers>> splitHead(std::string_view head) {
  if (head.size() < 4 || head.substr(head.size() - 4) != "\r\n\r\n") {
    return Status::invalid("HTTP head does not end with an empty line");
  }
  head.remove_suffix(2);  // keep one CRLF after the last field
  const std::size_t first_end = head.find("\r\n");
  const std::string_view start = head.substr(0, first_end);
  Headers headers;
  std::size_t pos = first_end + 2;
  while (pos < head.size()) {
    const std::size_t end = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    if (line.empty()) return Status::invalid("empty line inside the HTTP head");
    if (line.front() == ' ' || line.front() == '\t') {
      return Status::invalid("obsolete folded HTTP header line");
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !isToken(line.substr(0, colon))) {
      return Status::invalid("malformed HTTP header line '" + std::string(line.substr(0, 80)) + "'");
    }
    headers.emplace_back(std::string(line.substr(0, colon)),
                         std::string(trim(line.substr(colon + 1))));
  }
  return std::make_pair(start, std::move(headers));
}

}  // namespace

std::size_t headEnd(std::string_view buffer) {
  const std::size_t at = buffer.find("\r\n\r\n");
  return at == std::string_view::npos ? at : at + 4;
}

Result<RequestHead> parseRequestHead(std::string_view head) {
  auto split = splitHead(head);
  if (!split) return split.status();
  const std::string_view start = split->first;
  const std::size_t a = start.find(' ');
  const std::size_t b = a == std::string_view::npos ? a : start.find(' ', a + 1);
  if (b == std::string_view::npos || start.find(' ', b + 1) != std::string_view::npos) {
    return Status::invalid("malformed HTTP request line '" + std::string(start.substr(0, 80)) + "'");
  }
  RequestHead out;
  out.method = std::string(start.substr(0, a));
  out.target = std::string(start.substr(a + 1, b - a - 1));
  out.version = std::string(start.substr(b + 1));
  if (!isToken(out.method) || out.target.empty() || out.target.front() != '/') {
    return Status::invalid("malformed HTTP request line '" + std::string(start.substr(0, 80)) + "'");
  }
  if (out.version != "HTTP/1.1" && out.version != "HTTP/1.0") {
    return Status::invalid("unsupported HTTP version '" + out.version + "'");
  }
  out.headers = std::move(split->second);
  return out;
}

Result<ResponseHead> parseResponseHead(std::string_view head) {
  auto split = splitHead(head);
  if (!split) return split.status();
  const std::string_view start = split->first;
  ResponseHead out;
  const std::size_t a = start.find(' ');
  if (a == std::string_view::npos || start.size() < a + 4) {
    return Status::invalid("malformed HTTP status line '" + std::string(start.substr(0, 80)) + "'");
  }
  out.version = std::string(start.substr(0, a));
  if (out.version.rfind("HTTP/1.", 0) != 0) {
    return Status::invalid("not an HTTP/1.x response: '" + std::string(start.substr(0, 80)) + "'");
  }
  const std::string_view code = start.substr(a + 1, 3);
  const auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), out.status);
  if (error != std::errc() || end != code.data() + code.size() || out.status < 100 ||
      out.status > 599) {
    return Status::invalid("malformed HTTP status code in '" + std::string(start.substr(0, 80)) + "'");
  }
  out.reason = std::string(trim(start.substr(std::min(start.size(), a + 4))));
  out.headers = std::move(split->second);
  return out;
}

std::optional<std::string_view> header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Result<std::optional<std::size_t>> contentLength(const Headers& headers) {
  std::optional<std::size_t> found;
  for (const auto& [key, value] : headers) {
    if (!equalsIgnoreCase(key, "Content-Length")) continue;
    std::size_t length = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
      return Status::invalid("malformed Content-Length '" + value + "'");
    }
    if (found && *found != length) return Status::invalid("conflicting Content-Length headers");
    found = length;
  }
  return found;
}

Result<std::string> decodeChunked(std::string_view body) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t line_end = body.find("\r\n", pos);
    if (line_end == std::string_view::npos) return Status::invalid("chunked body is incomplete");
    std::string_view size_text = body.substr(pos, line_end - pos);
    size_text = size_text.substr(0, size_text.find(';'));  // chunk extensions are ignored
    std::size_t size = 0;
    const auto [end, error] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (size_text.empty() || error != std::errc() || end != size_text.data() + size_text.size()) {
      return Status::invalid("malformed chunk size '" + std::string(size_text.substr(0, 20)) + "'");
    }
    pos = line_end + 2;
    if (size == 0) return out;  // trailers, if any, are ignored
    if (body.size() - pos < size + 2 || body.substr(pos + size, 2) != "\r\n") {
      return Status::invalid("chunked body is incomplete");
    }
    out.append(body.substr(pos, size));
    pos += size + 2;
  }
}

std::string response(int status, std::string_view reason, std::string_view content_type,
                     std::string_view body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out += "Content-Type: " + std::string(content_type) + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += body;
  return out;
}

}  // namespace iwmo::transport::http
