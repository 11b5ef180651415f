#include "adapters/stuf/payload_checks.h"

#include "adapters/xml/input_checks.h"

namespace iwmo::adapters::stuf {
namespace {

EnvelopeProblem payloadProblem(std::string element, const char* rule, std::string message) {
  EnvelopeProblem problem;
  problem.element = std::move(element);
  problem.rule = rule;
  problem.message = std::move(message);
  return problem;
}

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for an invalid lead byte).
std::size_t sequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::optional<EnvelopeProblem> checkXmlPayload(std::string_view payload, std::string element) {
  if (payload.empty()) {
    return payloadProblem(std::move(element), EnvelopeProblem::kEmpty,
                          "xmlBestand decodes to 0 bytes; an envelope carries exactly one message");
  }
  const auto starts = [&](std::string_view prefix) { return payload.substr(0, prefix.size()) == prefix; };
  const char* bom = nullptr;
  if (starts("\xEF\xBB\xBF")) {
    bom = "a UTF-8 byte-order mark (EF BB BF)";
  } else if (starts(std::string_view("\x00\x00\xFE\xFF", 4)) ||
             starts(std::string_view("\xFF\xFE\x00\x00", 4))) {
    bom = "a UTF-32 byte-order mark";
  } else if (starts("\xFE\xFF") || starts("\xFF\xFE")) {
    bom = "a UTF-16 byte-order mark";
  }
  if (bom != nullptr) {
    return payloadProblem(std::move(element), EnvelopeProblem::kBom,
                          std::string("the payload starts with ") + bom +
                              "; StUF-GGk payloads are UTF-8 without a byte-order mark "
                              "(Specificatie StUF-envelop 2.1.04 §2.2)");
  }
  const std::size_t bad = adapters::xml::firstInvalidUtf8(payload);
  if (bad != std::string_view::npos) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(payload[bad]);
    return payloadProblem(std::move(element), EnvelopeProblem::kUtf8,
                          std::string("the payload is not UTF-8: byte 0x") + kHex[byte >> 4] +
                              kHex[byte & 0xF] + " at payload offset " + std::to_string(bad) +
                              " does not start a well-formed UTF-8 sequence; StUF-GGk payloads "
                              "are UTF-8 (Specificatie StUF-envelop 2.1.04 §2.2)");
  }
  return std::nullopt;
}

std::string truncateUtf16(std::string_view text, std::size_t max_units, bool ellipsis) {
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  // First pass: does it fit as it is?
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = sequenceLength(data[i]);
    units += length == 4 ? 2 : 1;
    i += length;
  }
  if (units <= max_units) return std::string(text);
  const std::size_t budget = ellipsis && max_units >= 3 ? max_units - 3 : max_units;
  std::size_t used = 0;
  std::size_t end = 0;
  while (end < text.size()) {
    const std::size_t length = sequenceLength(data[end]);
    const std::size_t cost = length == 4 ? 2 : 1;
    if (used + cost > budget || end + length > text.size()) break;
    used += cost;
    end += length;
  }
  std::string out(text.substr(0, end));
  if (ellipsis && max_units >= 3) out += "...";
  return out;
}

}  // namespace iwmo::adapters::stuf
