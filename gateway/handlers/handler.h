// Handlers (DESIGN §5.1 step 5): turn one journaled message (proto::WorkItem) into decisions and
// outgoing messages (proto::HandlerResult) by calling the pure rules. A handler does no I/O and
// reads no clock: everything it needs is in the item or in its parameters, so a redelivered item
// gives the same result and the journal's idempotent commit makes the redelivery harmless.
// Later issues add handlers (responsibility, eigen bijdrage) to the same chain.
//
// Thread-safety: a Handler and a HandlerChain are immutable once built; handle() may run on many
// worker threads at once. The daemon swaps the whole chain on SIGHUP
// (std::shared_ptr<const HandlerChain>).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "pipeline.pb.h"

namespace iwmo::handlers {

class Handler {
 public:
  virtual ~Handler() = default;
  virtual std::string_view name() const = 0;
  // Adds this handler's decisions and outgoing messages to `result` (message_id already set).
  virtual void handle(const proto::WorkItem& item, proto::HandlerResult& result) const = 0;
};

class HandlerChain {
 public:
  explicit HandlerChain(std::vector<std::unique_ptr<const Handler>> handlers)
      : handlers_(std::move(handlers)) {}
  // Runs every handler in order. The result's disposition is "rejected" when any decision
  // rejected the message, else "routed".
  proto::HandlerResult run(const proto::WorkItem& item) const;

 private:
  std::vector<std::unique_ptr<const Handler>> handlers_;
};

}  // namespace iwmo::handlers
