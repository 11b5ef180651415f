#include "gateway/base/clock.h"

#include <chrono>
#include <cstdio>

#include "gateway/base/date.h"

namespace iwmo {

std::string Timestamp::toIso8601() const {
  std::int64_t seconds = micros / 1000000;
  std::int64_t fraction = micros % 1000000;
  if (fraction < 0) {
    fraction += 1000000;
    seconds -= 1;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    days -= 1;
  }
  const Date date = Date::fromDays(static_cast<long>(days));
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%sT%02d:%02d:%02d.%06dZ", date.toString().c_str(),
                static_cast<int>(in_day / 3600), static_cast<int>(in_day / 60 % 60),
                static_cast<int>(in_day % 60), static_cast<int>(fraction));
  return buffer;
}

std::optional<Timestamp> Timestamp::parseIso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.ffffff]Z
  if (text.size() < 20 || text[10] != 'T' || text.back() != 'Z') return std::nullopt;
  const auto date = Date::parse(text.substr(0, 10));
  if (!date) return std::nullopt;
  auto digits = [&](std::size_t at, std::size_t n) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto hh = digits(11, 2);
  const auto mm = digits(14, 2);
  const auto ss = digits(17, 2);
  if (!hh || !mm || !ss || text[13] != ':' || text[16] != ':' || *hh > 23 || *mm > 59 || *ss > 60) {
    return std::nullopt;
  }
  std::int64_t fraction = 0;
  const std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return std::nullopt;
    const auto f = digits(20, rest.size() - 1);
    if (!f) return std::nullopt;
    fraction = *f;
    for (std::size_t i = rest.size() - 1; i < 6; ++i) fraction *= 10;
  }
  const std::int64_t seconds =
      static_cast<std::int64_t>(date->daysSinceEpoch()) * 86400 + *hh * 3600 + *mm * 60 + *ss;
  return Timestamp{seconds * 1000000 + fraction};
}

Timestamp SystemClock::now() {
  using namespace std::chrono;
  return {duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()};
}

}  // namespace iwmo
