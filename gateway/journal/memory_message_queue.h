// MemoryMessageQueue: the MessageQueue of a MemoryJournal (memory_journal.h says how it differs
// from the SQLite one). Internal to gateway/journal.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "gateway/journal/memory_stores.h"
#include "gateway/journal/message_queue.h"

namespace iwmo::journal {

class MemoryMessageQueue final : public MessageQueue {
 public:
  // The stores' effects are applied in a commit; all must outlive the queue and share `mutex`.
  MemoryMessageQueue(std::mutex& mutex, MemoryReferenceStore& reference, MemoryReviewStore& reviews,
                     MemoryEbStore& eb, MemoryGgkStore& ggk)
      : mutex_(mutex), reference_(reference), reviews_(reviews), eb_(eb), ggk_(ggk) {}

  void append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) override;
  void commitResult(proto::HandlerResult result, std::vector<std::string> log_lines, Timestamp at,
                    std::function<void(Result<bool>)> done) override;
  Status recordDelivery(DeliveryRecord record) override;
  void quarantine(MessageId id, std::string reason, std::vector<std::string> log_lines, Timestamp at,
                  std::function<void(Result<bool>)> done) override;
  Result<bool> closeQuarantine(MessageId id, std::string note, Timestamp at) override;

  Result<std::vector<PendingMessage>> pending(MessageId after, std::size_t limit) override;
  Result<std::vector<OutboxItem>> dueOutbox(Timestamp now, std::size_t limit, bool first_attempts_due) override;
  Result<std::optional<OutboxItem>> oldestUndelivered() override;
  Result<std::vector<LogEntry>> logAfter(std::uint64_t after, std::size_t limit) override;
  Result<std::optional<MessageId>> findMessage(std::string_view key) override;
  Result<MessageStory> story(MessageId id) override;
  Result<std::optional<OriginalMessage>> findOriginal(const std::string& duplicate_key) override;
  Result<JournalCounts> counts() override;
  Result<std::vector<QuarantineItem>> quarantined(bool include_closed) override;

  void failNextWrites(int count);
  // Journal::readAfterWrites / resumeOrdered (memory_journal.h): a commit that failed makes the
  // queue refuse later commits and ordered reads until resumed.
  bool refusingOrdered();
  void resumeOrdered();

 private:
  struct Row {
    MessageRecord record;  // envelope without its payload
    std::string identificatie;
    bool valid = false;
    std::string payload;
    std::vector<DecisionRecord> decisions;
  };
  // REQUIRES: mutex_ held. Each returns what the SQLite twin's writer job would.
  Result<AppendOutcome> appendLocked(AppendRequest& request);
  Result<bool> commitLocked(const proto::HandlerResult& result, const std::vector<std::string>& log_lines, Timestamp at);
  Status deliveryLocked(const DeliveryRecord& record);
  Status checkLines(const std::vector<std::string>& lines) const;
  void addLines(const std::vector<std::string>& lines);
  bool failWrite();
  Row* row(MessageId id);

  std::mutex& mutex_;
  MemoryReferenceStore& reference_;
  MemoryReviewStore& reviews_;
  MemoryEbStore& eb_;
  MemoryGgkStore& ggk_;
  int fail_writes_ = 0;                              // guarded by mutex_
  bool refuse_ordered_ = false;                      // guarded by mutex_
  std::vector<Row> messages_;                        // id = index + 1
  std::vector<OutboxItem> outbox_;                   // id = index + 1
  std::map<OutboxId, std::vector<DeliveryAttempt>> deliveries_;
  std::vector<std::string> log_;                     // seq = index + 1
  std::map<MessageId, QuarantineItem> quarantine_;
};

}  // namespace iwmo::journal
