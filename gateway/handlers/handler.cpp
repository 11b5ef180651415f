#include "gateway/handlers/handler.h"

namespace iwmo::handlers {

proto::HandlerResult HandlerChain::run(const proto::WorkItem& item) const {
  proto::HandlerResult result;
  result.set_message_id(item.message_id());
  result.set_dispatch_generation(item.dispatch_generation());
  for (const auto& handler : handlers_) handler->handle(item, result);
  bool rejected = false;
  for (const auto& decision : result.decisions()) {
    if (decision.outcome() == "rejected") rejected = true;
  }
  result.set_disposition(rejected ? "rejected" : "routed");
  return result;
}

ContextNeeds HandlerChain::needs(const proto::WorkItem& item) const {
  ContextNeeds needs;
  for (const auto& handler : handlers_) handler->addNeeds(item, needs);
  return needs;
}

}  // namespace iwmo::handlers
