// Journal: the gateway's durable state as one unit (DESIGN §5.1 steps 3 and 5): the message
// queue (messages, decisions, outbox, deliveries, routing-log lines) and the state stores the
// handlers' results change: reference data (with the BW episodes learnt from the traffic), the
// review queue, the eigen-bijdrage state and the StUF-GGk records. Each part is a contract of
// its own; the Journal ties them together so that MessageQueue::commitResult writes a handler
// result's every effect, in the queue and in the stores, in ONE transaction (outbox pattern): a
// crash never leaves half an effect.
//
// Implementations: SqliteJournal (one SQLite database file, the embedded default) and
// MemoryJournal (in memory, for unit tests of the stages that use it).
//
// Ownership: the Journal owns its parts; they live as long as it does. Thread-safety: every
// part may be used from any thread.
#pragma once

#include <functional>

#include "gateway/journal/eb_store.h"
#include "gateway/journal/ggk_store.h"
#include "gateway/journal/message_queue.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/review_store.h"

namespace iwmo::journal {

class Journal {
 public:
  virtual ~Journal() = default;
  virtual MessageQueue& queue() = 0;
  virtual ReferenceStore& reference() = 0;
  virtual ReviewStore& reviews() = 0;
  virtual EbStore& eb() = 0;
  virtual GgkStore& ggk() = 0;

  // Runs `read` on the thread that writes the journal, after every commitResult() requested
  // before this call and before every one requested after it. The reads that say so
  // (EbStore::clientState and sentIn, ReferenceStore::clientContext, GgkStore::sent,
  // MessageQueue::findOriginal), called from inside `read`, see those commits even before they
  // are durable: so a client's next message can be prepared as soon as the commit of its
  // previous one is requested, not after its fsync (issue 13). `read` must only read, be short,
  // and not wait for the journal. Exactly one of `read` and `refused` runs: `refused` (may be
  // empty) gets the reason (kAborted, or the transaction's error) when `read` was not run.
  //
  // When a transaction holding commits fails after all, everything that read them saw state that
  // does not exist: from then on the journal refuses every commitResult and readAfterWrites with
  // kAborted until resumeOrdered(). The caller redoes its undecided work from the queue
  // (MessageQueue::pending), then resumes.
  virtual void readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) = 0;
  virtual void resumeOrdered() = 0;
};

}  // namespace iwmo::journal
