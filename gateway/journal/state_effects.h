// StateEffects: the part of one handler result a state store keeps. Internal to gateway/journal:
// a Journal's MessageQueue::commitResult applies every store's effects inside its one
// transaction, on the thread it writes from, after the queue's own part (so `context` can say
// which outbox rows were just written). Nothing else calls apply().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace iwmo::journal {

struct CommitContext {
  std::uint64_t message_id = 0;
  std::string message_type;             // of the message whose result this is
  Timestamp at;                         // the decision's time
  std::vector<std::uint64_t> outbox_ids;  // one per result.outgoing(), in order
};

class StateEffects {
 public:
  virtual ~StateEffects() = default;
  // Writes this store's part of `result`. An error rolls back the whole commit.
  virtual Status apply(const proto::HandlerResult& result, const CommitContext& context) = 0;
};

}  // namespace iwmo::journal
