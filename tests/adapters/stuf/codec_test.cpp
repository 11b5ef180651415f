// adapters/stuf codecs: base64 (strict, whitespace-tolerant), UUID v4, Tijdstip, payload checks.
#include <catch2/catch.hpp>

#include <random>

#include "adapters/stuf/base64.h"
#include "adapters/stuf/payload_checks.h"
#include "adapters/stuf/stuf_types.h"
#include "adapters/stuf/tijdstip.h"
#include "adapters/stuf/uuid.h"

namespace stuf = iwmo::adapters::stuf;

TEST_CASE("base64 follows the RFC 4648 test vectors", "[stuf][base64]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},        {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    INFO(plain);
    CHECK(stuf::base64Encode(plain) == encoded);
    auto decoded = stuf::base64Decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == plain);
  }
}

TEST_CASE("base64 round-trips random bytes of every length", "[stuf][base64]") {
  std::mt19937 random(42);
  for (std::size_t length = 0; length < 300; ++length) {
    std::string bytes(length, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFF);
    auto decoded = stuf::base64Decode(stuf::base64Encode(bytes));
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
}

TEST_CASE("base64 skips whitespace and refuses everything else that is not canonical",
          "[stuf][base64]") {
  auto spaced = stuf::base64Decode(" Zm9v\r\nYmE=\n");
  REQUIRE(spaced);
  CHECK(*spaced == "fooba");
  struct Bad {
    const char* text;
    const char* why;
  };
  for (const Bad& bad : {Bad{"Zm9v*mFy", "'*' at offset 4"}, Bad{"Zm9vYmF", "ends inside"},
                         Bad{"Zm9vY===", "wrong place"}, Bad{"Zg==Zg==", "after the padding"},
                         Bad{"Zh==", "unused bits"}, Bad{"Zm9=", "unused bits"},
                         Bad{"=Zm9", "wrong place"}, Bad{"Zm9v-_", "'-' at offset 4"},
                         Bad{"Zg=", "does not complete"}}) {
    INFO(bad.text);
    auto decoded = stuf::base64Decode(bad.text);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(decoded.status().message(), Catch::Contains(bad.why));
  }
}

TEST_CASE("newUuidV4 gives version-4, RFC 4122 variant UUIDs in lower case", "[stuf][uuid]") {
  for (int i = 0; i < 100; ++i) {
    auto uuid = stuf::newUuidV4();
    REQUIRE(uuid);
    CHECK(uuid->size() == 36);
    CHECK((*uuid)[14] == '4');
    CHECK(std::string("89ab").find((*uuid)[19]) != std::string::npos);
    CHECK(stuf::isUuidV4(*uuid));
  }
}

TEST_CASE("isUuidV4 is the StUF-GGk pattern exactly", "[stuf][uuid]") {
  CHECK(stuf::isUuidV4("9c0f7b90-5c69-41e5-a837-0800200c9a66"));
  CHECK_FALSE(stuf::isUuidV4("9c0f7b90-5c69-11e5-a837-0800200c9a66"));   // version 1
  CHECK_FALSE(stuf::isUuidV4("9c0f7b90-5c69-41e5-c837-0800200c9a66"));   // variant
  CHECK_FALSE(stuf::isUuidV4("9C0F7B90-5C69-41E5-A837-0800200C9A66"));   // upper case
  CHECK_FALSE(stuf::isUuidV4("9c0f7b90-5c69-41e5-a837-0800200c9a6"));    // short
  CHECK_FALSE(stuf::isUuidV4("9c0f7b90x5c69-41e5-a837-0800200c9a66"));   // separator
  CHECK_FALSE(stuf::isUuidV4("{9c0f7b90-5c69-41e5-a837-0800200c9a66}"));
}

TEST_CASE("formatTijdstip writes 17 digits in the offset it is given", "[stuf]") {
  const iwmo::Timestamp moment{1767601800250000};  // 2026-01-05T08:30:00.250Z
  CHECK(stuf::formatTijdstip(moment, 0) == "20260105083000250");
  CHECK(stuf::formatTijdstip(moment, 60) == "20260105093000250");
  CHECK(stuf::formatTijdstip(moment, -540) == "20260104233000250");
  CHECK(stuf::formatTijdstip(iwmo::Timestamp{0}, 0) == "19700101000000000");
  CHECK(stuf::formatTijdstip(iwmo::Timestamp{951782399999999}, 0) == "20000228235959999");
}

TEST_CASE("organisatie kinds follow the StUF-GGk routing ids", "[stuf]") {
  CHECK(stuf::classifyOrganisatie("0599") == stuf::OrganisatieKind::Gemeente);
  CHECK(stuf::classifyOrganisatie("01023456") == stuf::OrganisatieKind::Agb);
  CHECK(stuf::classifyOrganisatie("CAK") == stuf::OrganisatieKind::Fixed);
  CHECK(stuf::classifyOrganisatie("RINIS") == stuf::OrganisatieKind::Fixed);
  CHECK(stuf::classifyOrganisatie("059") == stuf::OrganisatieKind::Invalid);
  CHECK(stuf::classifyOrganisatie("05990") == stuf::OrganisatieKind::Invalid);
  CHECK(stuf::classifyOrganisatie("Cak") == stuf::OrganisatieKind::Invalid);
  CHECK(stuf::classifyOrganisatie("") == stuf::OrganisatieKind::Invalid);
}

TEST_CASE("truncateUtf16 cuts at character boundaries within the UTF-16 budget", "[stuf]") {
  CHECK(stuf::truncateUtf16("abc", 3, true) == "abc");
  CHECK(stuf::truncateUtf16("abcdef", 5, true) == "ab...");
  CHECK(stuf::truncateUtf16("ééééé", 4, false) == "éééé");
  // U+1D11E takes two UTF-16 units: it does not fit in the last one.
  CHECK(stuf::truncateUtf16("a\xF0\x9D\x84\x9E" "b", 2, false) == "a");
  CHECK(stuf::truncateUtf16("a\xF0\x9D\x84\x9E" "b", 3, false) == "a\xF0\x9D\x84\x9E");
}
