#include "gateway/log/log_format.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

using iwmo::log::formatHuman;
using iwmo::log::TailFilter;

namespace {

const std::string kAccepted =
    R"({"seq":42,"time":"2026-12-01T18:20:17.123456Z","event":"received","message_id":42,)"
    R"("message_type":"WMO305","from":"ggk","to":"backoffice","sender":"12345678",)"
    R"("receiver":"0599","gemeente":"0599","verdict":"accepted"})";
const std::string kRejected =
    R"({"seq":1043,"time":"2026-12-01T18:20:18.000001Z","event":"rejected","message_id":1043,)"
    R"("message_type":"WMO301","from":"backoffice","to":"rejected","sender":"0344",)"
    R"("receiver":"87654321","gemeente":"0344","verdict":"rejected","level":2,)"
    R"("codes":["CS002","TR056"],"detail":"BSN fails the elfproef"})";
const std::string kDelivered =
    R"({"seq":44,"time":"2026-12-01T18:20:19.5Z","event":"delivered","message_id":42,)"
    R"("message_type":"WMO305","from":"backoffice","to":"ggk","verdict":"accepted"})";

// Display column (code points, escape sequences excluded) where `needle` starts in `line`.
std::size_t columnOf(const std::string& line, const std::string& needle) {
  const std::size_t at = line.find(needle);
  REQUIRE(at != std::string::npos);
  std::size_t column = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (line[i] == '\x1b') {
      while (i < at && line[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(line[i]) & 0xC0U) != 0x80U) ++column;
  }
  return column;
}

TailFilter byType(std::string type) {
  TailFilter filter;
  filter.message_type = std::move(type);
  return filter;
}
TailFilter byGemeente(std::string gemeente) {
  TailFilter filter;
  filter.gemeente = std::move(gemeente);
  return filter;
}
TailFilter byVerdict(std::string verdict) {
  TailFilter filter;
  filter.verdict = std::move(verdict);
  return filter;
}

}  // namespace

TEST_CASE("An empty filter passes every parsable line and no unparsable one", "[log]") {
  const TailFilter any;
  CHECK(any.matches(kAccepted));
  CHECK(any.matches(kRejected));
  CHECK_FALSE(any.matches("not json"));
  CHECK_FALSE(any.matches(R"({"seq":1,"event":)"));
  CHECK_FALSE(any.matches("[1,2]"));
}

TEST_CASE("The filters match message type, gemeente in any role, and verdict", "[log]") {
  CHECK(byType("WMO305").matches(kAccepted));
  CHECK(byType("wmo305").matches(kAccepted));
  CHECK_FALSE(byType("WMO305").matches(kRejected));

  CHECK(byGemeente("0599").matches(kAccepted));     // gemeente and receiver
  CHECK(byGemeente("12345678").matches(kAccepted));  // sender
  CHECK(byGemeente("87654321").matches(kRejected));  // receiver only
  CHECK_FALSE(byGemeente("0599").matches(kRejected));
  CHECK_FALSE(byGemeente("0599").matches(kDelivered));

  CHECK(byVerdict("rejected").matches(kRejected));
  CHECK_FALSE(byVerdict("rejected").matches(kAccepted));
  CHECK(byVerdict("accepted").matches(kDelivered));

  TailFilter all = byType("WMO301");
  all.gemeente = "0344";
  all.verdict = "rejected";
  CHECK(all.matches(kRejected));
  all.verdict = "accepted";
  CHECK_FALSE(all.matches(kRejected));
}

TEST_CASE("formatHuman renders one aligned line per event", "[log]") {
  const std::string accepted = formatHuman(kAccepted, false);
  const std::string rejected = formatHuman(kRejected, false);
  CHECK(accepted.rfind("2026-12-01 18:20:17.123  #42 ", 0) == 0);
  CHECK_THAT(accepted, Catch::Contains("WMO305") && Catch::Contains("received") &&
                           Catch::Contains("ggk\u2192backoffice") &&
                           Catch::Contains("12345678\u21920599") && Catch::EndsWith("accepted"));
  CHECK_THAT(rejected, Catch::Contains("CS002,TR056") &&
                           Catch::EndsWith("BSN fails the elfproef"));
  CHECK(accepted.find('\n') == std::string::npos);
  // Fields of different lengths, the same columns.
  CHECK(columnOf(accepted, "WMO305") == columnOf(rejected, "WMO301"));
  CHECK(columnOf(accepted, "received") == columnOf(rejected, "rejected"));
  CHECK(columnOf(accepted, "ggk\u2192") == columnOf(rejected, "backoffice\u2192"));
  CHECK(columnOf(accepted, "12345678\u2192") == columnOf(rejected, "0344\u2192"));
  CHECK(columnOf(accepted, "accepted") == columnOf(rejected, "rejected  CS002"));
}

TEST_CASE("formatHuman colours only when asked", "[log]") {
  CHECK(formatHuman(kAccepted, false).find('\x1b') == std::string::npos);
  CHECK(formatHuman(kRejected, false).find('\x1b') == std::string::npos);

  const std::string rejected = formatHuman(kRejected, true);
  CHECK_THAT(rejected, Catch::Contains("\x1b[31mrejected\x1b[0m"));
  CHECK_THAT(rejected, Catch::Contains("\x1b[2m2026-12-01 18:20:18.000\x1b[0m"));
  CHECK_THAT(formatHuman(kDelivered, true), Catch::Contains("\x1b[32mdelivered\x1b[0m"));
  const std::string accepted = formatHuman(kAccepted, true);
  CHECK(accepted.find("\x1b[31m") == std::string::npos);
  CHECK(accepted.find("\x1b[32m") == std::string::npos);
  // Colour does not move the columns.
  CHECK(columnOf(accepted, "WMO305") == columnOf(formatHuman(kAccepted, false), "WMO305"));
}

TEST_CASE("formatHuman returns an unparsable line unchanged", "[log]") {
  CHECK(formatHuman("not json at all", true) == "not json at all");
  CHECK(formatHuman(R"({"seq":1,)", false) == R"({"seq":1,)");
}
