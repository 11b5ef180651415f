// SqliteJournal: the embedded Journal (journal.h) on one SQLite database file in WAL mode. Its
// on-disk format (tables, columns, schema version) is documented at the top of
// sqlite_journal.cpp.
//
// Threads. open() starts one writer thread that owns the write connection and executes every
// write (append, commitResult, recordDelivery, quarantine) by group commit: it takes everything queued, at
// most Options::max_batch requests, runs them in enqueue order in ONE transaction (BEGIN
// IMMEDIATE … COMMIT), each request inside its own SAVEPOINT so that a request that fails (e.g.
// kNotFound) rolls back only itself, and after COMMIT runs the callbacks in the same order. N
// concurrent appends thus cost one fsync. When the transaction itself cannot be committed (disk
// full, I/O error), every request of the batch gets that error and nothing of it is written.
// Callbacks (done, log_lines) run on the writer thread and must not throw. Reads use a second
// connection guarded by a mutex; WAL gives each read a consistent snapshot that contains every
// write whose callback has run.
//
// Ownership and lifetime: the caller owns the SqliteJournal. The destructor (REQUIRES: no other
// thread still calls it) executes everything still queued, runs those callbacks, then joins the
// writer thread and closes the database; so no accepted request is lost on shutdown. One
// SqliteJournal per file: a second writer on the same file waits busy_timeout per transaction,
// then gets kUnavailable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "gateway/journal/journal.h"

namespace iwmo::journal {

class SqliteJournal final : public Journal {
 public:
  struct Options {
    std::size_t max_batch = 512;  // max requests per group-commit transaction; 0 counts as 1
    // true: synchronous=FULL, a commit survives power loss. false: synchronous=NORMAL (a commit
    // survives a crash of the process, not of the machine); only for benchmarks that say so.
    bool durable = true;
  };

  // What the writer did since open() (tests and benchmarks).
  struct Stats {
    std::uint64_t transactions = 0;  // group-commit transactions committed
    std::uint64_t requests = 0;      // requests executed in them (failed ones included)
  };

  // Opens (creating it and its parent directories when absent) the journal in `db_file`: WAL
  // mode, foreign keys on, a busy timeout, the schema created or its version checked.
  // Errors: kUnavailable (cannot create or open), kDataLoss (not a database or damaged),
  // kFailedPrecondition (schema version newer than this build, or no write permission).
  static Result<std::unique_ptr<SqliteJournal>> open(const std::filesystem::path& db_file,
                                                     Options options);

  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  void append(AppendRequest request, std::function<void(Result<AppendOutcome>)> done) override;
  void commitResult(proto::HandlerResult result, std::vector<std::string> log_lines, Timestamp at,
                    std::function<void(Result<bool>)> done) override;
  Status recordDelivery(DeliveryRecord record) override;
  // All records go into the queue at once, so they share one transaction (one fsync).
  Status recordDeliveries(std::vector<DeliveryRecord> records) override;
  void quarantine(MessageId id, std::string reason, std::vector<std::string> log_lines, Timestamp at,
                  std::function<void(Result<bool>)> done) override;
  Result<bool> closeQuarantine(MessageId id, std::string note, Timestamp at) override;

  Result<std::vector<PendingMessage>> pending(MessageId after, std::size_t limit) override;
  Result<std::vector<OutboxItem>> dueOutbox(Timestamp now, std::size_t limit) override;
  Result<std::vector<LogEntry>> logAfter(std::uint64_t after, std::size_t limit) override;
  Result<std::optional<MessageId>> findMessage(std::string_view key) override;
  Result<MessageStory> story(MessageId id) override;
  Result<JournalCounts> counts() override;
  Result<std::vector<QuarantineItem>> quarantined(bool include_closed) override;

  Stats stats() const;
  const std::filesystem::path& file() const { return file_; }

  // The schema version this build writes and reads (the `meta` table's schema_version).
  // 2: reference data, review queue (issue 5); 3: eigen bijdrage (issue 4); 4: StUF-GGk (issue 6);
  // 5: quarantine (issue 16).
  static constexpr int kSchemaVersion = 5;

 private:
  class Writer;  // the writer thread, its connection and its queue (sqlite_journal.cpp)
  class Reader;  // the read connection and its mutex (sqlite_journal.cpp)

  SqliteJournal(std::filesystem::path file, std::unique_ptr<Reader> reader,
                std::unique_ptr<Writer> writer);

  std::filesystem::path file_;
  std::unique_ptr<Reader> reader_;
  std::unique_ptr<Writer> writer_;  // last: destroyed first, so it drains before reads close
};

}  // namespace iwmo::journal
