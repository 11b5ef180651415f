// The HTTP/1.1 subset of the HTTPS transport: heads, Content-Length, chunked answers.
#include "adapters/transport/https_http.h"

#include <catch2/catch.hpp>

namespace http = iwmo::transport::http;

TEST_CASE("a POST head parses into method, target, version and headers", "[tls][http]") {
  const std::string head =
      "POST /ggk/in?x=1 HTTP/1.1\r\nHost: gw\r\ncontent-length:  12 \r\nX-A: b\r\n\r\n";
  CHECK(http::headEnd(head + "body") == head.size());
  auto parsed = http::parseRequestHead(head);
  REQUIRE(parsed);
  CHECK(parsed->method == "POST");
  CHECK(parsed->target == "/ggk/in?x=1");
  CHECK(parsed->version == "HTTP/1.1");
  CHECK(http::header(parsed->headers, "Content-Length") == "12");
  auto length = http::contentLength(parsed->headers);
  REQUIRE(length);
  CHECK(*length == std::optional<std::size_t>(12));
  CHECK_FALSE(http::header(parsed->headers, "Transfer-Encoding"));
}

TEST_CASE("malformed request heads are refused with a reason", "[tls][http]") {
  for (const char* bad : {"POST /\r\n\r\n", "POST / HTTP/2.0\r\n\r\n", "POST x HTTP/1.1\r\n\r\n",
                          "POST / HTTP/1.1\r\nno colon\r\n\r\n",
                          "POST / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
                          "POST / HTTP/1.1 extra\r\n\r\n", "POST / HTTP/1.1\r\n"}) {
    INFO(bad);
    auto parsed = http::parseRequestHead(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.status().code() == iwmo::StatusCode::kInvalid);
  }
}

TEST_CASE("Content-Length must be digits and agree with itself", "[tls][http]") {
  CHECK_FALSE(http::contentLength({{"Content-Length", "12a"}}));
  CHECK_FALSE(http::contentLength({{"Content-Length", "-1"}}));
  CHECK_FALSE(http::contentLength({{"Content-Length", ""}}));
  CHECK_FALSE(http::contentLength({{"Content-Length", "5"}, {"content-length", "6"}}));
  auto same = http::contentLength({{"Content-Length", "5"}, {"content-length", "5"}});
  REQUIRE(same);
  CHECK(**same == 5);
  auto none = http::contentLength({{"Host", "x"}});
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
}

TEST_CASE("status lines parse and chunked bodies decode", "[tls][http]") {
  auto head = http::parseResponseHead("HTTP/1.1 503 Service Unavailable\r\nA: b\r\n\r\n");
  REQUIRE(head);
  CHECK(head->status == 503);
  CHECK(head->reason == "Service Unavailable");
  CHECK_FALSE(http::parseResponseHead("SSH-2.0-OpenSSH\r\n\r\n"));
  CHECK_FALSE(http::parseResponseHead("HTTP/1.1 20x OK\r\n\r\n"));
  auto body = http::decodeChunked("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n");
  REQUIRE(body);
  CHECK(*body == "hello, world");
  CHECK_FALSE(http::decodeChunked("5\r\nhel"));
  CHECK_FALSE(http::decodeChunked("zz\r\nhello\r\n0\r\n\r\n"));
}

TEST_CASE("an answer carries its length and closes the connection", "[tls][http]") {
  CHECK(http::response(200, "OK", "text/plain", "accepted\n") ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n"
        "Connection: close\r\n\r\naccepted\n");
}
