// GgkStore: what the journal keeps of the StUF-GGk side (issue 6; DESIGN §2.3): every document
// the gateway sent (Di01, Du01, Fo01) by referentienummer, so that a Du01 or Fo01 from the chain
// is matched by its crossRefnummer; and the chain's Fo01 errors until an operator closes them
// (`iwmo-gateway ggk errors`). Written only by the Journal's commitResult, from the Outgoing
// envelopes and the Fo01s of a handler result.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace iwmo::journal {

// A Fo01 from the chain (`iwmo-gateway ggk errors`), with the document it concerns.
struct GgkErrorRow {
  std::uint64_t id = 0;
  std::uint64_t message_id = 0;  // the journaled Fo01
  Timestamp at;
  proto::GgkFo01Record error;  // concerns filled when matched
  std::string state;           // open / done
  std::optional<Timestamp> resolved_at;
  std::string note;
};

class GgkStore {
 public:
  virtual ~GgkStore() = default;
  // The document the gateway sent under `referentienummer`, if any.
  virtual Result<std::optional<proto::GgkSentRecord>> sent(const std::string& referentienummer) = 0;
  virtual Result<std::vector<GgkErrorRow>> errors(bool include_done) = 0;
  // Closes one; false when there is no open error with that id.
  virtual Result<bool> resolveError(std::uint64_t id, const std::string& note, Timestamp at) = 0;
  virtual Result<std::uint64_t> errorsOpen() = 0;
};

}  // namespace iwmo::journal
