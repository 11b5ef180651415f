#include "gateway/base/date.h"

#include <catch2/catch.hpp>

using iwmo::Date;

TEST_CASE("Date parses exactly YYYY-MM-DD and only real dates", "[base]") {
  REQUIRE(Date::parse("2025-04-05"));
  CHECK(Date::parse("2025-04-05")->toString() == "2025-04-05");
  CHECK(Date::parse("2024-02-29"));
  CHECK_FALSE(Date::parse("2025-02-29"));
  CHECK_FALSE(Date::parse("2025-02-30"));
  CHECK_FALSE(Date::parse("2025-13-01"));
  CHECK_FALSE(Date::parse("2025-00-10"));
  CHECK_FALSE(Date::parse("0000-01-01"));
  CHECK_FALSE(Date::parse("2025-4-5"));
  CHECK_FALSE(Date::parse("2025-04-05Z"));
  CHECK_FALSE(Date::parse(" 2025-04-05"));
  CHECK_FALSE(Date::parse(""));
}

TEST_CASE("Date compares and counts days", "[base]") {
  const Date a = Date::fromYmd(2025, 1, 31);
  const Date b = Date::fromYmd(2025, 2, 1);
  CHECK(a < b);
  CHECK(b.daysSinceEpoch() - a.daysSinceEpoch() == 1);
  CHECK(Date::fromYmd(1970, 1, 1).daysSinceEpoch() == 0);
  CHECK(a.plusDays(1) == b);
  CHECK(Date::fromDays(a.daysSinceEpoch()) == a);
}

TEST_CASE("Date month arithmetic clamps to the last day of the month", "[base]") {
  CHECK(Date::fromYmd(2025, 1, 31).plusMonths(1) == Date::fromYmd(2025, 2, 28));
  CHECK(Date::fromYmd(2024, 2, 29).plusYears(-120) == Date::fromYmd(1904, 2, 29));
  CHECK(Date::fromYmd(2024, 2, 29).plusYears(1) == Date::fromYmd(2025, 2, 28));
  CHECK(Date::fromYmd(2025, 3, 15).plusMonths(-12) == Date::fromYmd(2024, 3, 15));
}
