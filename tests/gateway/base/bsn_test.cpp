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
