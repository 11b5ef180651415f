// ReviewStore: the responsibility-review queue (issue 5): BW messages whose responsible
// municipality differs from the addressed one, or that only a person can decide, until an
// operator closes them (`iwmo-gateway review`). Items come from the ReviewItems of a handler
// result, applied by the Journal's commitResult.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/result.h"

namespace iwmo::journal {

struct ReviewRecord {
  std::uint64_t message_id = 0;
  Timestamp at;
  std::string message_type;
  std::string addressed;
  std::string responsible;
  std::string rule;
  std::string flags;  // comma-separated
  std::string summary;
  std::string state;  // "open" or "done"
  std::optional<Timestamp> resolved_at;
  std::string note;
};

class ReviewStore {
 public:
  virtual ~ReviewStore() = default;
  // By message id; the open ones, or all with `include_done`.
  virtual Result<std::vector<ReviewRecord>> reviews(bool include_done) = 0;
  // Marks the review of one message done with the operator's note, and trusts the BW episode
  // learnt from that message from now on. False when there is no open review for it.
  virtual Result<bool> resolveReview(std::uint64_t message_id, const std::string& note, Timestamp at) = 0;
  virtual Result<std::uint64_t> openCount() = 0;
};

}  // namespace iwmo::journal
