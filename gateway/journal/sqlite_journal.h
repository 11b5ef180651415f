// SqliteJournal: the embedded Journal (journal.h) in one SQLite database file in WAL mode: the
// message queue (SqliteMessageQueue, tables in queue_schema.h) and the state stores (reference
// data, reviews, eigen bijdrage, StUF-GGk: sqlite_*_store.h, tables in *_schema.h).
//
// Schema version 8; a journal of an older version is upgraded in place when opened, after which
// an older binary refuses it. Times are INTEGER microseconds since the Unix epoch, UTC
// (Timestamp::micros). Ids are INTEGER PRIMARY KEYs assigned max+1; rows are never deleted, so
// ids and log seqs ascend without gaps (a rolled-back request gives its number back).
//
// Threads and connections: one writer thread (SqliteWriter) owns the write connection and runs
// every write by group commit; the queue reads on a connection of its own, the stores share a
// third. Settings: journal_mode=WAL; synchronous=FULL (NORMAL when Options::durable is false);
// foreign_keys=ON; busy timeout 10 s; the writer's cache 4 MiB; no automatic checkpoint: a thread
// of its own copies the WAL into the database once it holds Options::checkpoint_pages (8192 by
// default: the digest and key indexes dirty random pages, and a page rewritten by many
// transactions is copied once per checkpoint), so that no commit waits for it
// (sqlite_checkpointer.h); the readers run query_only with 2 and 1 MiB (the
// operating system's page cache holds the rest; larger caches bought no speed, issue 13). The
// caches are what the daemon's memory grows to as the journal grows; they are fixed, so its
// resident size stays flat.
//
// Ownership and lifetime: the caller owns the SqliteJournal; its parts live as long as it does.
// The destructor (REQUIRES: no other thread still uses it) runs every write still queued, calls
// those callbacks, joins the writer thread and closes the database, so no accepted request is
// lost on shutdown. One SqliteJournal per file and process; another process on the same file
// waits busy_timeout per transaction, then gets kUnavailable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "gateway/journal/journal.h"

namespace iwmo::journal {

class SqliteCheckpointer;
class SqliteWriter;
struct SqliteReadConnection;
class SqliteMessageQueue;
class SqliteReferenceStore;
class SqliteReviewStore;
class SqliteEbStore;
class SqliteGgkStore;

class SqliteJournal final : public Journal {
 public:
  struct Options {
    std::size_t max_batch = 512;  // max requests per group-commit transaction; 0 counts as 1
    // true: synchronous=FULL, a commit survives power loss. false: synchronous=NORMAL (a commit
    // survives a crash of the process, not of the machine); only for benchmarks that say so.
    bool durable = true;
    // WAL size (pages of 4 KiB) at which the checkpoint thread copies the WAL into the database
    // (sqlite_checkpointer.h); at backstop_pages the writer does it itself.
    int checkpoint_pages = 8192;
    int backstop_pages = 65536;
  };

  // What the writer did since open() (tests and benchmarks).
  struct Stats {
    std::uint64_t transactions = 0;  // group-commit transactions committed
    std::uint64_t requests = 0;      // requests executed in them (failed ones included)
    std::uint64_t background_checkpoints = 0;  // WAL copied into the database by the checkpoint thread
    std::uint64_t tail_checkpoints = 0;        // ... the short rest of it by the writer
    std::uint64_t backstop_checkpoints = 0;    // ... by the writer, because the WAL reached backstop_pages
  };

  // Opens (creating it and its parent directories when absent) the journal in `db_file`: WAL
  // mode, foreign keys on, a busy timeout, the schema created, upgraded or its version checked.
  // Errors: kUnavailable (cannot create or open), kDataLoss (not a database or damaged),
  // kFailedPrecondition (schema version newer than this build, or no write permission).
  static Result<std::unique_ptr<SqliteJournal>> open(const std::filesystem::path& db_file, Options options);

  ~SqliteJournal() override;
  SqliteJournal(const SqliteJournal&) = delete;
  SqliteJournal& operator=(const SqliteJournal&) = delete;

  MessageQueue& queue() override;
  ReferenceStore& reference() override;
  ReviewStore& reviews() override;
  EbStore& eb() override;
  GgkStore& ggk() override;
  void readAfterWrites(std::function<void()> read, std::function<void(Status)> refused) override;
  void resumeOrdered() override;

  Stats stats() const;
  const std::filesystem::path& file() const { return file_; }

  // The schema version this build writes and reads (the `meta` table's schema_version).
  // 2: reference data, review queue (issue 5); 3: eigen bijdrage (issue 4); 4: StUF-GGk (issue 6);
  // 5: quarantine (issue 16) and the outbox_pending index (issue 13); 6: eb_attention names its
  // period (issue 17); 7: eb_clients.review_on (issue 14); 8: the payloads in tables of their own
  // (issue 13).
  static constexpr int kSchemaVersion = 8;

 private:
  explicit SqliteJournal(std::filesystem::path file);

  std::filesystem::path file_;
  // Destroyed in reverse: the parts first (their statements before the connections they are
  // on), then the writer, the checkpointer last (the writer's connection calls its hook); the
  // destructor stops the writer before any of them goes.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  std::unique_ptr<SqliteWriter> writer_;
  std::unique_ptr<SqliteReadConnection> store_reader_;
  std::unique_ptr<SqliteReferenceStore> reference_;
  std::unique_ptr<SqliteReviewStore> reviews_;
  std::unique_ptr<SqliteEbStore> eb_;
  std::unique_ptr<SqliteGgkStore> ggk_;
  std::unique_ptr<SqliteMessageQueue> queue_;
};

}  // namespace iwmo::journal
