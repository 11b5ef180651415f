// Non-negotiable 4: hostile and broken input is refused with a clear error, nothing else happens
// (no file is read, no connection is made), and the adapter keeps working afterwards.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "support/test_support.h"

namespace {

using iwmo::test::kValidWmo305;

// A TCP listener on 127.0.0.1 that records whether anybody connected.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd_, 4) == 0);
    socklen_t length = sizeof address;
    REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    fcntl(fd_, F_SETFL, O_NONBLOCK);
  }
  ~LoopbackListener() { close(fd_); }
  int port() const { return port_; }
  bool wasContacted() const {
    const int client = accept(fd_, nullptr, nullptr);
    if (client >= 0) close(client);
    return client >= 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

iwmo::proto::Envelope validate(const std::string& bytes, iwmo::adapters::xml::ParseLimits limits = {}) {
  auto adapter = iwmo::test::adapterFor(iwmo::test::projectSchemaDir(), limits);
  iwmo::proto::Envelope envelope;
  adapter->validate(bytes, "hostile", envelope);
  // The same adapter still validates a good message afterwards.
  if (std::string_view(kValidWmo305).size() <= limits.max_input_bytes) {
    iwmo::proto::Envelope after;
    adapter->validate(kValidWmo305, "good", after);
    CHECK(after.verdict().valid());
  }
  return envelope;
}

void requireRefused(const iwmo::proto::Envelope& envelope, const std::string& code,
                    const std::string& message_part) {
  REQUIRE_FALSE(envelope.verdict().valid());
  CHECK(envelope.verdict().level() == 1);
  REQUIRE(envelope.verdict().findings_size() >= 1);
  const auto& finding = envelope.verdict().findings(0);
  CHECK(finding.code() == code);
  CHECK_THAT(finding.message(), Catch::Contains(message_part, Catch::CaseSensitive::No));
}

std::string withDoctype(const std::string& doctype, const std::string& body_entity) {
  std::string message = kValidWmo305;
  const auto declaration_end = message.find("?>") + 2;
  message.insert(declaration_end, "\n" + doctype);
  const auto name = message.find("Jansen");
  message.replace(name, 6, body_entity);
  return message;
}

}  // namespace

TEST_CASE("XXE: an external file entity is refused and the file is never read", "[xml][security]") {
  const auto envelope = validate(withDoctype(
      "<!DOCTYPE wmo305:Bericht [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>", "&xxe;"));
  requireRefused(envelope, "XML", "DOCTYPE");
  CHECK(envelope.verdict().findings(0).line() == 2);
  CHECK(envelope.summary().header().afzender().empty());  // nothing after the DOCTYPE was read
  for (const auto& finding : envelope.verdict().findings()) {
    CHECK(finding.message().find("root:x:0:0") == std::string::npos);
  }
}

TEST_CASE("XXE: a network entity is refused and no connection is made", "[xml][security]") {
  LoopbackListener listener;
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/x";
  requireRefused(validate(withDoctype("<!DOCTYPE r [<!ENTITY xxe SYSTEM \"" + url + "\">]>", "&xxe;")),
                 "XML", "DOCTYPE");
  requireRefused(validate(withDoctype("<!DOCTYPE r SYSTEM \"" + url + "/ext.dtd\">", "Jansen")),
                 "XML", "DOCTYPE");
  requireRefused(validate(withDoctype("<!DOCTYPE r [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]>",
                                      "Jansen")),
                 "XML", "DOCTYPE");
  CHECK_FALSE(listener.wasContacted());
}

TEST_CASE("billion laughs is refused at the DOCTYPE without expanding anything", "[xml][security]") {
  std::string doctype = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
  std::string previous = "lol";
  for (int i = 1; i <= 9; ++i) {
    const std::string name = "lol" + std::to_string(i);
    doctype += "<!ENTITY " + name + " \"";
    for (int k = 0; k < 10; ++k) doctype += "&" + previous + ";";
    doctype += "\">";
    previous = name;
  }
  doctype += "]>";
  requireRefused(validate(withDoctype(doctype, "&lol9;")), "XML", "DOCTYPE");
}

TEST_CASE("a plain DOCTYPE is refused with the fix", "[xml][security]") {
  const auto envelope = validate(withDoctype("<!DOCTYPE wmo305:Bericht>", "Jansen"));
  requireRefused(envelope, "XML", "remove the DOCTYPE");
}

TEST_CASE("xsi:schemaLocation hints in a message are ignored, nothing is fetched", "[xml][security]") {
  LoopbackListener listener;
  std::string message = kValidWmo305;
  const std::string hint =
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
      "xsi:schemaLocation=\"http://www.istandaarden.nl/iwmo/3_2/wmo305/schema http://127.0.0.1:" +
      std::to_string(listener.port()) + "/evil.xsd\"";
  message.insert(message.find("xmlns:wmo305"), hint + " ");
  const auto envelope = validate(message);
  CHECK(envelope.verdict().valid());
  CHECK_FALSE(listener.wasContacted());
}

TEST_CASE("oversize input is refused before parsing, naming size and limit", "[xml][security]") {
  SECTION("a configured small limit") {
    iwmo::adapters::xml::ParseLimits limits;
    limits.max_input_bytes = 1000;
    requireRefused(validate(kValidWmo305, limits), "INPUT", "the limit is");
  }
  SECTION("the default 25 MB limit") {
    std::string huge = kValidWmo305;
    huge += std::string(26u * 1024u * 1024u, ' ');
    const auto envelope = validate(huge);
    requireRefused(envelope, "INPUT", "limits.max_message_bytes");
    CHECK_THAT(envelope.verdict().findings(0).message(), Catch::Contains("25.0 MB"));
  }
}

TEST_CASE("invalid UTF-8 is refused with its line and column", "[xml][security]") {
  std::string message = kValidWmo305;
  message.replace(message.find("Jansen"), 6, "Jans\xE9n");  // Latin-1 e-acute
  const auto envelope = validate(message);
  requireRefused(envelope, "INPUT", "invalid UTF-8");
  CHECK(envelope.verdict().findings(0).line() == 26);
  CHECK_THAT(envelope.verdict().findings(0).message(), Catch::Contains("0xE9"));
}

TEST_CASE("overlong and surrogate UTF-8 sequences are refused", "[xml][security]") {
  for (const std::string& bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
                                std::string("\xF4\x90\x80\x80"), std::string("\xE2\x82")}) {
    std::string message = kValidWmo305;
    message.replace(message.find("Jansen"), 6, "J" + bad + "n");
    requireRefused(validate(message), "INPUT", "invalid UTF-8");
  }
}

TEST_CASE("a UTF-8 byte-order mark is refused with the fix", "[xml][security]") {
  requireRefused(validate("\xEF\xBB\xBF" + std::string(kValidWmo305)), "INPUT", "without BOM");
  requireRefused(validate("\xFF\xFE<\0?\0"), "INPUT", "UTF-16");
}

TEST_CASE("a declared encoding other than UTF-8 is refused", "[xml][security]") {
  std::string message = kValidWmo305;
  message.replace(message.find("UTF-8"), 5, "ISO-8859-1");
  requireRefused(validate(message), "INPUT", "encoding=\"UTF-8\"");
}

TEST_CASE("an empty or blank file is refused", "[xml]") {
  requireRefused(validate(""), "INPUT", "empty");
  requireRefused(validate(" \n\t\n"), "INPUT", "whitespace");
}

TEST_CASE("non-XML input is refused as not well-formed", "[xml]") {
  requireRefused(validate("hello, this is not XML\n"), "XML", "not XML: the content starts with 'h'");
  requireRefused(validate("\n  {\"Bericht\": {\"BerichtCode\": 418}}"), "XML", "not XML: the content starts with '{'");
  CHECK(validate("\n  {\"Bericht\": 1}").verdict().findings(0).line() == 2);
  requireRefused(validate("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "INPUT", "invalid UTF-8");
  requireRefused(validate(iwmo::test::replaceFirst(kValidWmo305, "Jansen", std::string("Jan\0sen", 8))),
                 "XML", "");
  // Well-formed, but not in an iWmo namespace.
  requireRefused(validate("<a>text</a>"), "TYPE", "unknown message type");
}

TEST_CASE("truncated XML names the place it ends", "[xml]") {
  const std::string message = kValidWmo305;
  const auto envelope = validate(message.substr(0, message.size() / 2));
  requireRefused(envelope, "XML", "");
  CHECK(envelope.verdict().findings(0).line() > 1);
}

TEST_CASE("deeply nested junk does not crash and the report is capped", "[xml][security]") {
  std::string message = kValidWmo305;
  std::string nest;
  for (int i = 0; i < 20000; ++i) nest += "<x>";
  for (int i = 0; i < 20000; ++i) nest += "</x>";
  message.insert(message.find("<wmo305:Header>"), nest);
  const auto envelope = validate(message);
  REQUIRE_FALSE(envelope.verdict().valid());
  CHECK(envelope.verdict().findings_size() <= 50);
}

TEST_CASE("issue 16: 200 000 nested elements are refused at the depth limit, not validated to the end",
          "[xml][hostile][issue16]") {
  constexpr int kLevels = 200000;
  std::string deep = R"(<?xml version="1.0" encoding="UTF-8"?><Bericht xmlns="http://www.istandaarden.nl/iwmo/3_2/wmo301/schema">)";
  for (int i = 0; i < kLevels; ++i) deep += "<a>";
  for (int i = 0; i < kLevels; ++i) deep += "</a>";
  deep += "</Bericht>";
  const iwmo::proto::Envelope envelope = validate(deep);
  CHECK_FALSE(envelope.verdict().valid());
  CHECK(envelope.verdict().level() == 1);
  const auto& findings = envelope.verdict().findings();
  REQUIRE(findings.size() >= 1);
  const auto& last = findings[findings.size() - 1];
  CHECK(last.code() == "INPUT");
  CHECK_THAT(last.message(), Catch::Contains("more than 64 levels") && Catch::Contains("limits.max_element_depth"));
  // The parse stopped at the 65th level: the position is on line 1 near the start, not at the end.
  CHECK(last.line() == 1);
  CHECK(last.column() < 1000);
}

TEST_CASE("issue 16: the depth limit is configurable and a message within it validates", "[xml][hostile][issue16]") {
  iwmo::adapters::xml::ParseLimits limits;
  limits.max_element_depth = 3;  // kValidWmo305 nests deeper than 3
  auto adapter = iwmo::test::adapterFor(iwmo::test::projectSchemaDir(), limits);
  iwmo::proto::Envelope envelope;
  adapter->validate(kValidWmo305, "shallow limit", envelope);
  CHECK_FALSE(envelope.verdict().valid());
  REQUIRE(envelope.verdict().findings_size() >= 1);
  CHECK_THAT(envelope.verdict().findings(0).message(), Catch::Contains("more than 3 levels"));
  CHECK(validate(kValidWmo305).verdict().valid());  // the default limit of 64 is far above it
}
