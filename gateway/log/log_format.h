// Reading the routing log for people (`iwmo-gateway tail`): filters and the human-readable
// one-line format. Pure functions over one rendered JSON line (routing_log.h).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace iwmo::log {

struct TailFilter {
  std::string message_type;  // "WMO305"; empty = any
  std::string gemeente;      // CBS code; matches gemeente, sender or receiver; empty = any
  std::string verdict;       // "accepted" | "rejected"; empty = any
  // True when `line` (one JSON object) passes every set filter. Unparsable lines never match.
  bool matches(std::string_view line) const;
};

// One aligned line: time, #id, type, event, from→to, sender→receiver, verdict, codes, detail.
// With `colour`, ANSI colours mark rejections red and deliveries green.
// An unparsable line comes back unchanged.
std::string formatHuman(std::string_view line, bool colour);

}  // namespace iwmo::log
