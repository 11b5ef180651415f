#include "adapters/xml/input_checks.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace iwmo::adapters::xml {
namespace {

XmlProblem inputProblem(std::string message) {
  XmlProblem problem;
  problem.code = XmlProblem::kInput;
  problem.message = std::move(message);
  return problem;
}

std::string megabytes(std::uint64_t bytes) {
  const auto tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " MB";
}

// The encoding named in the XML declaration, lower-cased, or "" when there is none.
std::string declaredEncoding(std::string_view bytes) {
  if (bytes.substr(0, 5) != "<?xml") return "";
  const std::size_t end = bytes.find("?>");
  const std::string_view decl = bytes.substr(0, end == std::string_view::npos ? 200 : end);
  const std::size_t key = decl.find("encoding");
  if (key == std::string_view::npos) return "";
  std::size_t pos = decl.find_first_of("\"'", key);
  if (pos == std::string_view::npos) return "?";
  const char quote = decl[pos];
  const std::size_t close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return "?";
  std::string name(decl.substr(pos + 1, close - pos - 1));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

}  // namespace

XmlProblem oversizeProblem(std::uint64_t size, std::size_t max_bytes) {
  return inputProblem("message is " + megabytes(size) + " (" + std::to_string(size) +
                      " bytes); the limit is " + megabytes(max_bytes) + " (" +
                      std::to_string(max_bytes) + " bytes, limits.max_message_bytes). The GGk refuses envelopes over 25 MB; split "
                      "the batch at the sender");
}

void lineAndColumn(std::string_view bytes, std::size_t offset, std::uint32_t& line,
                   std::uint32_t& column) {
  line = 1;
  column = 1;
  const std::size_t end = std::min(offset, bytes.size());
  for (std::size_t i = 0; i < end; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (b == '\n') {
      ++line;
      column = 1;
    } else if ((b & 0xC0) != 0x80) {
      ++column;
    }
  }
}

std::optional<XmlProblem> checkInput(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes) return oversizeProblem(bytes.size(), max_bytes);
  if (std::all_of(bytes.begin(), bytes.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; })) {
    return inputProblem(bytes.empty() ? "file is empty (0 bytes); expected an iWmo XML message"
                                      : "file holds only whitespace; expected an iWmo XML message");
  }
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (bytes.size() >= 3 && b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) {
    return inputProblem(
        "file starts with a UTF-8 byte-order mark (EF BB BF); iWmo messages on the GGk must be "
        "UTF-8 without BOM: save the file as 'UTF-8' instead of 'UTF-8 with BOM'");
  }
  if (bytes.size() >= 2 && ((b(0) == 0xFF && b(1) == 0xFE) || (b(0) == 0xFE && b(1) == 0xFF))) {
    return inputProblem(
        "file is UTF-16 (byte-order mark FF FE / FE FF); iWmo messages must be UTF-8 without BOM");
  }
  if (const std::size_t bad = firstInvalidUtf8(bytes); bad != std::string_view::npos) {
    XmlProblem problem = inputProblem(
        "invalid UTF-8 at byte offset " + std::to_string(bad) + " (byte 0x" +
        std::string(1, "0123456789ABCDEF"[b(bad) >> 4]) + "0123456789ABCDEF"[b(bad) & 0xF] +
        "); the message must be UTF-8 encoded (was it saved as Windows-1252 / Latin-1?)");
    lineAndColumn(bytes, bad, problem.line, problem.column);
    return problem;
  }
  // Not markup at all (a text file, base64 that was not decoded, a placeholder): say so, instead
  // of Xerces' "invalid document structure". Only the first character is named, never the text,
  // which may hold a BSN.
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (bytes[first] != '<') {
    XmlProblem problem = inputProblem(
        std::string("not XML: the content starts with ") +
        (b(first) >= 0x21 && b(first) < 0x7F ? "'" + std::string(1, bytes[first]) + "'"
                                             : "byte 0x" + std::string(1, "0123456789ABCDEF"[b(first) >> 4]) +
                                                   "0123456789ABCDEF"[b(first) & 0xF]) +
        ", where an iWmo message starts with '<' (its XML declaration or root element); is this a text "
        "file, or base64 that was not decoded?");
    problem.code = XmlProblem::kXml;  // not well-formed, as Xerces would have said
    lineAndColumn(bytes, first, problem.line, problem.column);
    return problem;
  }
  const std::string encoding = declaredEncoding(bytes);
  if (!encoding.empty() && encoding != "utf-8" && encoding != "utf8") {
    XmlProblem problem = inputProblem("XML declaration names encoding '" + encoding +
                                      "'; iWmo messages must be UTF-8: declare encoding=\"UTF-8\"");
    problem.line = 1;
    problem.column = 1;
    return problem;
  }
  return std::nullopt;
}

}  // namespace iwmo::adapters::xml
