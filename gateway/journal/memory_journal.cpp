#include "gateway/journal/memory_journal.h"

#include "gateway/journal/memory_message_queue.h"
#include "gateway/journal/memory_stores.h"

namespace iwmo::journal {

MemoryJournal::MemoryJournal()
    : reference_(std::make_unique<MemoryReferenceStore>(mutex_)),
      reviews_(std::make_unique<MemoryReviewStore>(mutex_, *reference_)),
      eb_(std::make_unique<MemoryEbStore>(mutex_)),
      ggk_(std::make_unique<MemoryGgkStore>(mutex_)),
      queue_(std::make_unique<MemoryMessageQueue>(mutex_, *reference_, *reviews_, *eb_, *ggk_)) {}

MemoryJournal::~MemoryJournal() = default;

MessageQueue& MemoryJournal::queue() { return *queue_; }
ReferenceStore& MemoryJournal::reference() { return *reference_; }
ReviewStore& MemoryJournal::reviews() { return *reviews_; }
EbStore& MemoryJournal::eb() { return *eb_; }
GgkStore& MemoryJournal::ggk() { return *ggk_; }

void MemoryJournal::failNextWrites(int count) { queue_->failNextWrites(count); }

void MemoryJournal::readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) {
  if (queue_->refusingOrdered()) {
    if (refused) refused(Status::aborted("memory journal: an earlier commit failed; this read depended on it"));
    return;
  }
  read();
}

void MemoryJournal::resumeOrdered() { queue_->resumeOrdered(); }

}  // namespace iwmo::journal
