// MemoryJournal: the in-memory twin of SqliteJournal (journal.h), for unit tests of the stages
// and handlers that use a journal (STYLE.md §2.2, as leveldb's memenv). Same contracts, same
// answers (ids, duplicates, idempotent commits, outbox and delivery states, routing-log seqs,
// quarantine, the stores' reads); nothing survives the object.
//
// Differences a test may rely on: every write completes before the call that made it returns,
// and its callback runs on the caller's thread before that (there is no writer thread and no
// group commit); a failed commit changes nothing (the stores' state is saved and restored).
// failNextWrites() makes writes fail with kUnavailable, as a full disk would.
//
// Thread-safety: every method of every part from any thread; one mutex for the whole journal.
// Callbacks run without the mutex held, so they may call back into the journal.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "gateway/journal/journal.h"

namespace iwmo::journal {

class MemoryMessageQueue;
class MemoryReferenceStore;
class MemoryReviewStore;
class MemoryEbStore;
class MemoryGgkStore;

class MemoryJournal final : public Journal {
 public:
  MemoryJournal();
  ~MemoryJournal() override;
  MemoryJournal(const MemoryJournal&) = delete;
  MemoryJournal& operator=(const MemoryJournal&) = delete;

  MessageQueue& queue() override;
  ReferenceStore& reference() override;
  ReviewStore& reviews() override;
  EbStore& eb() override;
  GgkStore& ggk() override;
  // Runs `read` at once (every write before it is done already), unless a failed commit made
  // the journal refuse ordered work.
  void readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) override;
  void resumeOrdered() override;

  // The next `count` writes of the queue (append, commitResult, recordDelivery, quarantine) fail
  // with kUnavailable and write nothing.
  void failNextWrites(int count);

 private:
  std::mutex mutex_;
  std::unique_ptr<MemoryReferenceStore> reference_;
  std::unique_ptr<MemoryReviewStore> reviews_;
  std::unique_ptr<MemoryEbStore> eb_;
  std::unique_ptr<MemoryGgkStore> ggk_;
  std::unique_ptr<MemoryMessageQueue> queue_;
};

}  // namespace iwmo::journal
