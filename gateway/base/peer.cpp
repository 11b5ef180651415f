#include "gateway/base/peer.h"

namespace iwmo {

std::string_view nameOf(Peer peer) {
  switch (peer) {
    case Peer::kNone:
      return "";
    case Peer::kBackoffice:
      return "backoffice";
    case Peer::kGgk:
      return "ggk";
    case Peer::kCak:
      return "cak";
    case Peer::kRejected:
      return "rejected";
    case Peer::kUnknown:
      break;
  }
  return "unknown";
}

Peer peerNamed(std::string_view name) {
  for (Peer peer : {Peer::kNone, Peer::kBackoffice, Peer::kGgk, Peer::kCak, Peer::kRejected}) {
    if (name == nameOf(peer)) return peer;
  }
  return Peer::kUnknown;
}

}  // namespace iwmo
