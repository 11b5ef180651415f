// The messages the gateway journals itself, beside what its peers send (they come from no peer:
// Peer::kNone). Each is handled by the stages like any message, so that what it causes is
// journaled, committed and delivered with the same guarantees.
//   EB-TICK  the eigen-bijdrage tick (issue 14): one client's periods decided again on a day,
//            so that a record that waited for a date goes out without another message.
#pragma once

#include <string_view>

namespace iwmo {

inline constexpr std::string_view kEbTickType = "EB-TICK";
// Envelope.source of a tick (the journal keeps it; `explain` shows it).
inline constexpr std::string_view kEbTickSource = "eigen-bijdrage tick";

}  // namespace iwmo
