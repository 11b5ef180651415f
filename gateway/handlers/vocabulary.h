// The handlers' vocabulary as enums: which handler made a decision (Decision.handler) and what
// a message's disposition is (HandlerResult.disposition). The protobuf fields and the routing
// log keep the names (they are the journal's format); code compares the enums (issue 13).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "pipeline.pb.h"

namespace iwmo::handlers {

enum class HandlerKind { kRouting, kResponsibility, kEigenBijdrage, kGgk, kUnknown };

// "routing", "responsibility", "eigen-bijdrage", "ggk" ("unknown" for kUnknown).
constexpr std::string_view nameOf(HandlerKind kind) {
  switch (kind) {
    case HandlerKind::kRouting:
      return "routing";
    case HandlerKind::kResponsibility:
      return "responsibility";
    case HandlerKind::kEigenBijdrage:
      return "eigen-bijdrage";
    case HandlerKind::kGgk:
      return "ggk";
    case HandlerKind::kUnknown:
      break;
  }
  return "unknown";
}

inline HandlerKind handlerKindOf(const proto::Decision& decision) {
  for (HandlerKind kind : {HandlerKind::kRouting, HandlerKind::kResponsibility, HandlerKind::kEigenBijdrage,
                           HandlerKind::kGgk}) {
    if (decision.handler() == nameOf(kind)) return kind;
  }
  return HandlerKind::kUnknown;
}

// A message's disposition: forwarded (or consumed) as it is, or refused to the rejected area.
enum class Disposition { kRouted, kRejected };

constexpr std::string_view nameOf(Disposition disposition) {
  return disposition == Disposition::kRejected ? "rejected" : "routed";
}
inline Disposition dispositionOf(const proto::HandlerResult& result) {
  return result.disposition() == nameOf(Disposition::kRejected) ? Disposition::kRejected : Disposition::kRouted;
}
// A decision that refuses the message (its outcome is "rejected").
inline bool rejects(const proto::Decision& decision) {
  return decision.outcome() == nameOf(Disposition::kRejected);
}

}  // namespace iwmo::handlers
