// Peer: the parties a message comes from or goes to, as an enum for the code and a name for the
// world outside it (config sections, the journal, the routing log, file areas). The names are
// the format; code compares enums, never strings (issue 13).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace iwmo {

enum class Peer {
  kNone,        // no peer: a message the gateway consumes itself (a CAK retour)
  kBackoffice,  // the municipality's back office ("backoffice")
  kGgk,         // the providers behind the GGk hub ("ggk")
  kCak,         // the CAK, also behind the GGk ("cak")
  kRejected,    // the rejected area, for operators ("rejected")
  kUnknown,     // a name the gateway does not know
};

// "backoffice", "ggk", "cak", "rejected"; "" for kNone; "unknown".
std::string_view nameOf(Peer peer);
inline std::string peerName(Peer peer) { return std::string(nameOf(peer)); }
// The peer named `name`: kNone for "", kUnknown for a name not listed above.
Peer peerNamed(std::string_view name);
// The GGk and the CAK are both reached through the GGk hub (StUF-GGk envelopes, Fo01s).
inline bool behindGgk(Peer peer) { return peer == Peer::kGgk || peer == Peer::kCak; }

}  // namespace iwmo
