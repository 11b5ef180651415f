// Conversions between Xerces' UTF-16 XMLCh strings and UTF-8 std::string. Hand-written rather
// than xercesc::TranscodeToStr because the content handler calls it for every text chunk and
// element name: appending in place avoids one heap allocation per call (bench/validate_bench).
// Only adapters/xml includes Xerces headers; this header keeps them out by using char16_t
// (Xerces 3.2 defines XMLCh as char16_t).
#pragma once

#include <string>
#include <string_view>

namespace iwmo::adapters::xml {

// Appends the UTF-8 form of `length` UTF-16 code units (a lone surrogate becomes U+FFFD).
void appendUtf8(std::string& out, const char16_t* text, std::size_t length);
// The UTF-8 form of a NUL-terminated UTF-16 string (nullptr gives "").
std::string toUtf8(const char16_t* text);
// The UTF-16 form of UTF-8 text (invalid sequences become U+FFFD).
std::u16string toUtf16(std::string_view text);

// Appends `text` as XML character data: &, < and > escaped; CR as &#13; (a raw CR would be read
// back as LF, XML end-of-line handling); C0 controls other than tab and LF (not allowed in XML
// 1.0) and bytes that are not UTF-8 become '?'. For element content written by our emitters.
void appendEscapedText(std::string& out, std::string_view text);
std::string escapedText(std::string_view text);

}  // namespace iwmo::adapters::xml
