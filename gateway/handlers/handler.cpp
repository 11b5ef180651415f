#include "gateway/handlers/handler.h"

#include <algorithm>

namespace iwmo::handlers {

proto::HandlerResult HandlerChain::run(const proto::WorkItem& item) const {
  proto::HandlerResult result;
  result.set_message_id(item.message_id());
  result.set_dispatch_generation(item.dispatch_generation());
  for (const auto& handler : handlers_) handler->handle(item, result);
  const bool rejected = std::any_of(result.decisions().begin(), result.decisions().end(),
                                    [](const proto::Decision& decision) { return rejects(decision); });
  result.set_disposition(std::string(nameOf(rejected ? Disposition::kRejected : Disposition::kRouted)));
  return result;
}

ContextNeeds HandlerChain::needs(const proto::WorkItem& item) const {
  ContextNeeds needs;
  for (const auto& handler : handlers_) handler->addNeeds(item, needs);
  return needs;
}

}  // namespace iwmo::handlers
