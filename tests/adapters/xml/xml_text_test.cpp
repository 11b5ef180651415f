// UTF-16 to UTF-8 (adapters/xml/xml_text.h): ASCII runs, every UTF-8 length, surrogate pairs and
// lone surrogates, appended to what is there.
#include "adapters/xml/xml_text.h"

#include <catch2/catch.hpp>

namespace xml = iwmo::adapters::xml;

TEST_CASE("appendUtf8 writes ASCII runs and every UTF-8 length, and appends to what is there", "[xml]") {
  std::string out = "pre:";
  const std::u16string text = u"Bsn 999948714 caf\u00e9 \u20ac5 \U0001F600 end";
  xml::appendUtf8(out, text.data(), text.size());
  CHECK(out == "pre:Bsn 999948714 caf\xC3\xA9 \xE2\x82\xAC" "5 \xF0\x9F\x98\x80 end");
  CHECK(xml::toUtf8(u"") == "");
  CHECK(xml::toUtf8(nullptr) == "");
  CHECK(xml::toUtf8(u"\u00e9") == "\xC3\xA9");  // no ASCII at all
  const std::u16string long_ascii(10000, u'A');
  std::string many;
  xml::appendUtf8(many, long_ascii.data(), long_ascii.size());
  CHECK(many == std::string(10000, 'A'));
}

TEST_CASE("appendUtf8 turns a lone surrogate into U+FFFD and keeps the text around it", "[xml]") {
  const char16_t lone_high[] = {u'a', 0xD83D, u'b'};
  std::string out;
  xml::appendUtf8(out, lone_high, 3);
  CHECK(out == "a\xEF\xBF\xBD" "b");
  const char16_t lone_low_at_end[] = {u'x', 0xDE00};
  out.clear();
  xml::appendUtf8(out, lone_low_at_end, 2);
  CHECK(out == "x\xEF\xBF\xBD");
  const char16_t high_at_end[] = {0xD83D};
  out.clear();
  xml::appendUtf8(out, high_at_end, 1);
  CHECK(out == "\xEF\xBF\xBD");
}
