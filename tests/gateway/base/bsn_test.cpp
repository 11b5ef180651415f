#include "gateway/base/bsn.h"

#include <catch2/catch.hpp>

TEST_CASE("CS002: the elfproef accepts valid BSNs, test-range ones included", "[base]") {
  CHECK(iwmo::isValidBsn("999900006"));
  CHECK(iwmo::isValidBsn("999999990"));
  CHECK(iwmo::isValidBsn("111222333"));
  CHECK(iwmo::isValidBsn("123456782"));
}

TEST_CASE("CS002: the elfproef rejects wrong check digits and malformed numbers", "[base]") {
  CHECK_FALSE(iwmo::isValidBsn("999900007"));
  CHECK_FALSE(iwmo::isValidBsn("123456789"));
  CHECK_FALSE(iwmo::isValidBsn("000000000"));
  CHECK_FALSE(iwmo::isValidBsn("12345678"));
  CHECK_FALSE(iwmo::isValidBsn("1234567820"));
  CHECK_FALSE(iwmo::isValidBsn("12345678a"));
  CHECK_FALSE(iwmo::isValidBsn(""));
}

TEST_CASE("issue 16: hideBsns replaces each BSN standing alone, not digits inside other numbers", "[base][issue16]") {
  const iwmo::BsnPseudonymiser pseudonym = [](std::string_view bsn) { return "h:" + std::string(bsn.substr(6)); };
  CHECK(iwmo::hideBsns("Bsn 123456789 fails the elfproef", {"123456789"}, pseudonym) ==
        "Bsn h:789 fails the elfproef");
  CHECK(iwmo::hideBsns("(Bsn=999900018) twice; again 999900018.", {"999900018"}, pseudonym) ==
        "(Bsn=h:018) twice; again h:018.");
  // Inside a longer number it is another number.
  CHECK(iwmo::hideBsns("id 1999900018 and 9999000180", {"999900018"}, pseudonym) == "id 1999900018 and 9999000180");
  // Too short or not digits: identifies nobody, would match line numbers.
  CHECK(iwmo::hideBsns("line 12, value 12345", {"12", "12345", "abcdefgh"}, pseudonym) == "line 12, value 12345");
  // An 8-digit value (a BSN missing its leading zero) is hidden too.
  CHECK(iwmo::hideBsns("value '12345678' is not facet-valid", {"12345678"}, pseudonym) ==
        "value 'h:78' is not facet-valid");
}
