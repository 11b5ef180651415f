#include "gateway/base/utf8.h"

namespace iwmo {
namespace {

// Length of the well-formed UTF-8 sequence at `i`, or 0 when the byte there starts none.
std::size_t sequenceLength(const unsigned char* data, std::size_t size, std::size_t i) {
  const unsigned char b = data[i];
  if (b < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    length = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    length = 3;
    if (b == 0xE0) low = 0xA0;   // overlong
    if (b == 0xED) high = 0x9F;  // surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    length = 4;
    if (b == 0xF0) low = 0x90;   // overlong
    if (b == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > size) return 0;
  if (data[i + 1] < low || data[i + 1] > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((data[i + k] & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::size_t firstInvalidUtf8(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < bytes.size();) {
    if (data[i] < 0x80) {  // the common case, without the call
      ++i;
      continue;
    }
    const std::size_t length = sequenceLength(data, bytes.size(), i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string printableUtf8(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const unsigned char b = data[i];
    const std::size_t length = sequenceLength(data, bytes.size(), i);
    if (length == 0 || b < 0x20 || b == 0x7F) {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
      ++i;
      continue;
    }
    out.append(bytes.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace iwmo
