#include "gateway/base/date.h"

#include <cassert>
#include <cstdio>

namespace iwmo {
namespace {

bool readDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

}  // namespace

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!readDigits(text, 0, 4, year) || !readDigits(text, 5, 2, month) ||
      !readDigits(text, 8, 2, day) || year == 0) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return Date(ymd);
}

Date Date::fromYmd(int year, unsigned month, unsigned day) {
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{day}};
  assert(ymd.ok());
  return Date(ymd);
}

Date Date::fromDays(long days_since_epoch) {
  return Date(std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days_since_epoch}}});
}

long Date::daysSinceEpoch() const {
  return static_cast<long>(std::chrono::sys_days{ymd_}.time_since_epoch().count());
}

Date Date::plusMonths(int months) const {
  std::chrono::year_month_day moved = ymd_ + std::chrono::months{months};
  if (!moved.ok()) moved = moved.year() / moved.month() / std::chrono::last;
  return Date(moved);
}

Date Date::plusYears(int years) const { return plusMonths(years * 12); }

std::string Date::toString() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", year(), month(), day());
  return buffer;
}

}  // namespace iwmo
