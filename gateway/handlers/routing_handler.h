// RoutingHandler: pass-through routing (gateway/rules/routing.h) as a handler. A routed message
// becomes one Outgoing to the other peer; a rejected one becomes two Outgoing to the rejected
// area: the payload as received and a report saying why (file names from the journal id, so a
// redelivery writes the same names).
// Thread-safety: immutable.
#pragma once

#include <string>

#include "gateway/handlers/handler.h"
#include "gateway/rules/routing.h"

namespace iwmo::handlers {

class RoutingHandler final : public Handler {
 public:
  explicit RoutingHandler(rules::RoutingParams params) : params_(std::move(params)) {}
  HandlerKind kind() const override { return HandlerKind::kRouting; }
  void handle(const proto::WorkItem& item, proto::HandlerResult& result) const override;

 private:
  rules::RoutingParams params_;
};

// "000000042-WMO305" (the message type, or "UNKNOWN"): the stem of every file a message makes.
std::string fileStem(const proto::WorkItem& item);
// The rejection report for operators: what came in, the verdict with every finding, the decision.
std::string rejectionReport(const proto::WorkItem& item, const rules::RoutingDecision& decision);

}  // namespace iwmo::handlers
