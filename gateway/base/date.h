// Date: a calendar date without time zone, as the iStandaarden write it (xs:date "YYYY-MM-DD",
// RS032: no zone). A thin value type over std::chrono::year_month_day that only ever holds a
// real date (2025-02-30 cannot be constructed), so rules can compare and count days safely.
// Thread-safety: value type.
#pragma once

#include <chrono>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace iwmo {

class Date {
 public:
  // Parses exactly "YYYY-MM-DD" (four-digit year 0001-9999). Returns nullopt for anything else,
  // including impossible dates (2025-02-30) and a trailing zone.
  static std::optional<Date> parse(std::string_view text);
  // REQUIRES: the triple is a real date (checked with assert).
  static Date fromYmd(int year, unsigned month, unsigned day);
  static Date fromDays(long days_since_epoch);

  int year() const { return static_cast<int>(ymd_.year()); }
  unsigned month() const { return static_cast<unsigned>(ymd_.month()); }
  unsigned day() const { return static_cast<unsigned>(ymd_.day()); }

  // Days since 1970-01-01 (negative before).
  long daysSinceEpoch() const;
  // Calendar arithmetic: the same day n years/months later; a day that does not exist in the
  // target month (29 Feb, 31 Apr) becomes the last day of that month.
  Date plusYears(int years) const;
  Date plusMonths(int months) const;
  Date plusDays(long days) const { return fromDays(daysSinceEpoch() + days); }

  std::string toString() const;  // "YYYY-MM-DD"

  friend bool operator==(const Date&, const Date&) = default;
  friend std::strong_ordering operator<=>(const Date& a, const Date& b) {
    return a.daysSinceEpoch() <=> b.daysSinceEpoch();
  }

 private:
  explicit Date(std::chrono::year_month_day ymd) : ymd_(ymd) {}
  std::chrono::year_month_day ymd_;
};

}  // namespace iwmo
