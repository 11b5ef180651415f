// Tail filters and the human one-line rendering of a routing-log line. See log_format.h.
#include "gateway/log/log_format.h"

#include <cstddef>
#include <string>
#include <utility>
#include <nlohmann/json.hpp>

namespace iwmo::log {
namespace {

using nlohmann::json;

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kArrow = "\xe2\x86\x92";  // U+2192 RIGHTWARDS ARROW

// Column widths in terminal cells, sized for the longest value a column normally holds
// ("2026-12-01 18:20:17.123", "#1234567", "WMO305", "delivery_failed", "backoffice→rejected",
// "12345678→12345678", "accepted"). A longer value pushes the rest of its line to the right.
constexpr std::size_t kTimeWidth = 23;
constexpr std::size_t kIdWidth = 8;
constexpr std::size_t kTypeWidth = 6;
constexpr std::size_t kEventWidth = 15;
constexpr std::size_t kPeersWidth = 19;
constexpr std::size_t kOrgsWidth = 17;
constexpr std::size_t kVerdictWidth = 8;
constexpr std::string_view kGap = "  ";

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A field as text: strings as they are, numbers as JSON writes them, anything else "".
std::string field(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number()) return it->dump();
  return "";
}

// Terminal cells of UTF-8 text: one per code point (our fields hold no wide characters).
std::size_t displayWidth(std::string_view text) {
  std::size_t width = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++width;
  }
  return width;
}

// "2026-12-01T18:20:17.123456Z" -> "2026-12-01 18:20:17.123" (UTC, milliseconds).
std::string humanTime(const std::string& iso) {
  if (iso.size() < 19 || iso[10] != 'T') return iso;
  std::string out = iso.substr(0, 10) + " " + iso.substr(11, 8);
  if (iso.size() > 19 && iso[19] == '.') {
    out += '.';
    for (std::size_t i = 20; i < iso.size() && i < 23 && iso[i] >= '0' && iso[i] <= '9'; ++i) {
      out += iso[i];
    }
  }
  return out;
}

std::string pair(const std::string& left, const std::string& right) {
  if (left.empty() && right.empty()) return "";
  // A delivery line has only a destination: "→ggk".
  return left + std::string(kArrow) + right;
}

class LineBuilder {
 public:
  explicit LineBuilder(bool colour) : colour_(colour) {}

  // Appends `text` padded to `width` cells, in `colour` when colours are on, then the gap.
  void column(const std::string& text, std::size_t width, std::string_view colour = {}) {
    coloured(text, colour);
    const std::size_t used = displayWidth(text);
    if (used < width) out_.append(width - used, ' ');
    out_ += kGap;
  }
  void coloured(const std::string& text, std::string_view colour) {
    if (colour_ && !colour.empty() && !text.empty()) {
      out_ += colour;
      out_ += text;
      out_ += kReset;
    } else {
      out_ += text;
    }
  }
  std::string finish() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
    return std::move(out_);
  }

 private:
  bool colour_;
  std::string out_;
};

std::string_view eventColour(const std::string& event) {
  if (event == "rejected" || event == "delivery_failed") return kRed;
  if (event == "delivered") return kGreen;
  return {};
}

}  // namespace

bool TailFilter::matches(std::string_view line) const {
  const json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return false;
  if (!message_type.empty() && !equalsIgnoringCase(field(object, "message_type"), message_type)) {
    return false;
  }
  if (!gemeente.empty() && field(object, "gemeente") != gemeente &&
      field(object, "sender") != gemeente && field(object, "receiver") != gemeente) {
    return false;
  }
  if (!verdict.empty() && !equalsIgnoringCase(field(object, "verdict"), verdict)) return false;
  return true;
}

std::string formatHuman(std::string_view line, bool colour) {
  const json object = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::string(line);

  const std::string id = field(object, "message_id");
  const std::string event = field(object, "event");
  const std::string verdict = field(object, "verdict");
  std::string codes;
  if (const auto it = object.find("codes"); it != object.end() && it->is_array()) {
    for (const json& code : *it) {
      if (!code.is_string()) continue;
      if (!codes.empty()) codes += ',';
      codes += code.get<std::string>();
    }
  }

  LineBuilder out(colour);
  out.column(humanTime(field(object, "time")), kTimeWidth, kDim);
  out.column(id.empty() ? "" : "#" + id, kIdWidth, kDim);
  out.column(field(object, "message_type"), kTypeWidth);
  out.column(event, kEventWidth, eventColour(event));
  out.column(pair(field(object, "from"), field(object, "to")), kPeersWidth);
  out.column(pair(field(object, "sender"), field(object, "receiver")), kOrgsWidth);
  out.column(verdict, kVerdictWidth, verdict == "rejected" ? kRed : std::string_view{});
  if (!codes.empty()) out.column(codes, 0, verdict == "rejected" ? kRed : std::string_view{});
  out.coloured(field(object, "detail"), {});
  return out.finish();
}

}  // namespace iwmo::log
