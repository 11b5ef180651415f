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

#include <atomic>
#include <memory>
#include <string_view>
#include <vector>

#include "gateway/handlers/vocabulary.h"
#include "pipeline.pb.h"

namespace iwmo::handlers {

// What a handler needs attached to a work item before it sees it. The dispatcher's prepare stage
// (gateway/pipeline/preparer.h) reads it from the journal's state stores just before the item
// goes to a worker, when the client's previous message has committed.
struct ContextNeeds {
  bool client_context = false;  // BRP history, institutions, BW episodes, regions (ReferenceStore)
  bool eb_state = false;        // the client's eigen-bijdrage state (EbStore)
  bool eb_sent = false;         // the records a CAK retour answers (EbStore::sentIn)
  bool ggk_link = false;        // the envelopes the message relates to (GgkStore, MessageQueue)
};

class Handler {
 public:
  virtual ~Handler() = default;
  virtual HandlerKind kind() const = 0;
  std::string_view name() const { return nameOf(kind()); }
  // Adds this handler's decisions and outgoing messages to `result` (message_id already set).
  virtual void handle(const proto::WorkItem& item, proto::HandlerResult& result) const = 0;
  // Sets what this handler needs attached to `item` (nothing, by default).
  virtual void addNeeds(const proto::WorkItem& /*item*/, ContextNeeds& /*needs*/) const {}
};

class HandlerChain {
 public:
  explicit HandlerChain(std::vector<std::unique_ptr<const Handler>> handlers)
      : handlers_(std::move(handlers)) {}
  // Runs every handler in order. The result's disposition is "rejected" when any decision
  // rejected the message, else "routed".
  proto::HandlerResult run(const proto::WorkItem& item) const;
  // What every handler of the chain needs attached to `item`.
  ContextNeeds needs(const proto::WorkItem& item) const;

 private:
  std::vector<std::unique_ptr<const Handler>> handlers_;
};

// The chain the workers run now; SIGHUP swaps in a new one (a copy held by a worker finishes its
// item with the old chain). Thread-safety: every method from any thread.
class HandlerChainHolder {
 public:
  explicit HandlerChainHolder(std::shared_ptr<const HandlerChain> chain) : chain_(std::move(chain)) {}
  void swap(std::shared_ptr<const HandlerChain> chain) { chain_.store(std::move(chain)); }
  std::shared_ptr<const HandlerChain> current() const { return chain_.load(); }
  // The current chain on each item (the bus's WorkFunction). REQUIRES: the holder outlives it.
  proto::HandlerResult run(const proto::WorkItem& item) const { return current()->run(item); }

 private:
  std::atomic<std::shared_ptr<const HandlerChain>> chain_;
};

}  // namespace iwmo::handlers
