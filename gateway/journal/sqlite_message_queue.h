// SqliteMessageQueue: the MessageQueue (message_queue.h) of a SqliteJournal, on the tables of
// queue_schema.h. Internal to gateway/journal: SqliteJournal builds it.
//
// Writes run on the journal's SqliteWriter (group commit, one savepoint per request); commits
// apply the state stores' StateEffects after the queue's own rows, in the same savepoint. Reads
// use a connection of their own, guarded by one mutex; WAL gives each read a consistent snapshot
// that holds every write whose callback has run.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "gateway/journal/message_queue.h"
#include "gateway/journal/sqlite_handle.h"
#include "gateway/journal/sqlite_writer.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class SqliteMessageQueue final : public MessageQueue {
 public:
  // Prepares the writer's statements on writer.connection() (REQUIRES: the writer not started)
  // and the reads on `reader`. `writer` and `effects` must outlive the queue.
  static Result<std::unique_ptr<SqliteMessageQueue>> create(SqliteWriter& writer, sqlite::Connection reader,
                                                            std::vector<StateEffects*> effects);
  ~SqliteMessageQueue() override;
  SqliteMessageQueue(const SqliteMessageQueue&) = delete;
  SqliteMessageQueue& operator=(const SqliteMessageQueue&) = delete;

  void append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) override;
  void commitResult(proto::HandlerResult result, std::vector<std::string> log_lines, Timestamp at,
                    std::function<void(Result<bool>)> done) override;
  Status recordDelivery(DeliveryRecord record) override;
  // All records go into the writer's queue at once, so they share one transaction (one fsync).
  Status recordDeliveries(std::vector<DeliveryRecord> records) override;
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

 private:
  struct WriteStatements;  // prepared on the writer's connection, used on its thread only
  struct ReadStatements;   // prepared on reader_, guarded by read_mutex_
  SqliteMessageQueue(SqliteWriter& writer, sqlite::Connection reader, std::vector<StateEffects*> effects);

  // The writer-thread halves of the requests (each runs inside its savepoint).
  Result<AppendOutcome> executeAppend(AppendRequest& request);
  Result<bool> executeCommit(const proto::HandlerResult& result, const std::vector<std::string>& log_lines,
                             Timestamp at);
  Status executeDelivery(const DeliveryRecord& record);
  Result<bool> executeQuarantine(MessageId id, const std::string& reason, const std::vector<std::string>& log_lines,
                                 Timestamp at);
  Status insertLogLines(const std::vector<std::string>& lines);
  Result<std::optional<MessageId>> firstId(sqlite3_stmt* stmt, const std::string& p1, const std::string* p2);
  std::string prefix() const { return sqlite::prefixOf(writer_.file()); }

  SqliteWriter& writer_;
  std::vector<StateEffects*> effects_;
  std::unique_ptr<WriteStatements> write_;
  std::mutex read_mutex_;      // guards reader_ and read_
  sqlite::Connection reader_;  // declared before read_: its statements are finalized first
  std::unique_ptr<ReadStatements> read_;
};

}  // namespace iwmo::journal
