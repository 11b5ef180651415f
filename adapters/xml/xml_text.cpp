#include "adapters/xml/xml_text.h"

#include "adapters/xml/input_checks.h"

namespace iwmo::adapters::xml {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

void appendCodePoint(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void appendUtf8(std::string& out, const char16_t* text, std::size_t length) {
  std::size_t i = 0;
  while (i < length) {
    // A run of ASCII (most of a message, all of a base64 payload) is written in one go: one
    // character at a time through push_back cost 1 % of a replay's CPU (issue 13).
    std::size_t run_end = i;
    while (run_end < length && text[run_end] < 0x80) ++run_end;
    if (run_end > i) {
      const std::size_t at = out.size();
      out.resize(at + (run_end - i));
      char* to = out.data() + at;
      for (std::size_t k = i; k < run_end; ++k) *to++ = static_cast<char>(text[k]);
      i = run_end;
      continue;
    }
    const char16_t unit = text[i];
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < length && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      const char32_t cp = 0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) +
                          (static_cast<char32_t>(text[i + 1]) - 0xDC00);
      appendCodePoint(out, cp);
      i += 2;
    } else if (unit >= 0xD800 && unit <= 0xDFFF) {
      appendCodePoint(out, kReplacement);
      ++i;
    } else {
      appendCodePoint(out, unit);
      ++i;
    }
  }
}

std::string toUtf8(const char16_t* text) {
  std::string out;
  if (text == nullptr) return out;
  std::size_t length = 0;
  while (text[length] != 0) ++length;
  appendUtf8(out, text, length);
  return out;
}

std::u16string toUtf16(std::string_view text) {
  std::u16string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    char32_t cp = kReplacement;
    std::size_t extra = 0;
    if (byte < 0x80) {
      cp = byte;
    } else if ((byte & 0xE0) == 0xC0) {
      cp = byte & 0x1F;
      extra = 1;
    } else if ((byte & 0xF0) == 0xE0) {
      cp = byte & 0x0F;
      extra = 2;
    } else if ((byte & 0xF8) == 0xF0) {
      cp = byte & 0x07;
      extra = 3;
    }
    ++i;
    for (std::size_t k = 0; k < extra; ++k, ++i) {
      if (i >= text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        cp = kReplacement;
        break;
      }
      cp = (cp << 6) | (static_cast<unsigned char>(text[i]) & 0x3F);
    }
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(cp > 0x10FFFF ? static_cast<char16_t>(kReplacement) : static_cast<char16_t>(cp));
    }
  }
  return out;
}

void appendEscapedText(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t bad = firstInvalidUtf8(text.substr(i));
    const std::size_t clean_end = bad == std::string_view::npos ? text.size() : i + bad;
    for (; i < clean_end; ++i) {
      const char c = text[i];
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '\r':
          out += "&#13;";
          break;
        default:
          out += static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' ? '?' : c;
      }
    }
    if (i < text.size()) {  // an invalid byte
      out += '?';
      ++i;
    }
  }
}

std::string escapedText(std::string_view text) {
  std::string out;
  appendEscapedText(out, text);
  return out;
}

}  // namespace iwmo::adapters::xml
