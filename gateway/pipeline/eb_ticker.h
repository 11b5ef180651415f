// EbTicker: the eigen-bijdrage tick (issue 14; gateway/base/internal_messages.h). A period can
// wait for a date (a start or stop more than a month ahead, TR113; go-live): the rules give the
// client a review day (EbClientState.review_on), and on that day the tick journals an EB-TICK
// message for the client, which the eigen-bijdrage handler decides like a message of the
// client, so that what it sends is committed and delivered with the same guarantees as any
// other record, in the client's order. A tick is idempotent per client and day: the same tick
// again (a second round before the first was handled, a restart) is "received again" and not
// journaled twice.
//
// The daemon ticks every [eigen_bijdrage] tick_interval_s on the wall clock's day; a replay on
// logical time (`--clock dagtekening`) ticks when the batch reaches a new day, after everything
// before it was handled, so that the same batch gives the same output.
// Thread-safety: tick() from one thread at a time.
#pragma once

#include <cstddef>

#include "gateway/base/clock.h"
#include "gateway/base/date.h"
#include "gateway/base/result.h"
#include "gateway/journal/eb_store.h"
#include "gateway/log/bsn_hasher.h"
#include "gateway/pipeline/intake.h"

namespace iwmo::pipeline {

class EbTicker {
 public:
  // Everything passed in must outlive the ticker.
  EbTicker(journal::EbStore& store, Intake& intake, const log::BsnHasher& hasher)
      : store_(store), intake_(intake), hasher_(hasher) {}

  // Hands the intake a tick for every client whose review day is `day` or earlier (at most
  // `limit`, oldest day first), received at `at` (its day is the Dagtekening of what it sends).
  // Returns how many. Errors: those of the store.
  Result<std::size_t> tick(Date day, Timestamp at, std::size_t limit = 10000);

 private:
  journal::EbStore& store_;
  Intake& intake_;
  const log::BsnHasher& hasher_;
};

}  // namespace iwmo::pipeline
