#include "adapters/stuf/tijdstip.h"

#include <cassert>
#include <chrono>
#include <cstdio>

namespace iwmo::adapters::stuf {

std::string formatTijdstip(Timestamp moment, int utc_offset_minutes) {
  using namespace std::chrono;
  const sys_time<milliseconds> local{milliseconds(moment.micros / 1000 +
                                                  std::int64_t{utc_offset_minutes} * 60 * 1000)};
  const sys_days day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> time{local - day};
  const int year = static_cast<int>(ymd.year());
  assert(year >= 1 && year <= 9999);
  char text[24];
  std::snprintf(text, sizeof text, "%04d%02u%02u%02d%02d%02d%03d", year,
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()),
                static_cast<int>(time.subseconds().count()));
  return text;
}

int amsterdamUtcOffsetMinutes(Timestamp moment) {
  using namespace std::chrono;
  const sys_time<microseconds> utc{microseconds(moment.micros)};
  const year y = year_month_day{floor<days>(utc)}.year();
  // 01:00 UTC on the last Sunday of March and of October of that year.
  const auto lastSunday = [&](month m) {
    return sys_days{year_month_weekday_last{y, m, weekday_last{Sunday}}} + hours(1);
  };
  return utc >= lastSunday(March) && utc < lastSunday(October) ? 120 : 60;
}

}  // namespace iwmo::adapters::stuf
