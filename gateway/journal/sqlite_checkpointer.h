// SqliteCheckpointer: copies a journal's write-ahead log into the database file on a thread and a
// connection of its own, so that the writer's commits do not run the checkpoint. With SQLite's
// automatic checkpoint the commit that crossed the threshold copied the WAL and fsynced the
// database inside the writer's transaction loop, and every append queued behind it (a client's
// acknowledgement) waited: about half of the p99 accept latency (issue 13). Internal to
// gateway/journal.
//
// The writer registers walHook() as its connection's sqlite3_wal_hook (this replaces SQLite's
// automatic checkpoint). After each commit the hook compares the WAL's size with
// `trigger_pages`. Above it, the checkpointer thread is woken and runs PASSIVE checkpoints, which
// neither wait for nor block the writer and the readers, round after round until what the writer
// added meanwhile is under kTailPages. SQLite starts the WAL again from its beginning only when a
// write transaction finds it wholly copied, and a writer that never pauses outruns any
// checkpoint on another connection; so the hook then copies that short tail itself (a few
// hundred pages, already in the page cache, and an fsync of the little it wrote), and the next
// transaction starts the WAL from the front. Its size stays near `trigger_pages`.
// Backstop: when the WAL reaches `backstop_pages` anyway (checkpoints failing, or a reader
// pinning an old snapshot), the hook checkpoints all of it as SQLite would have. stats() counts
// each kind.
//
// Durability is unchanged: a checkpoint copies only committed frames, fsyncs the WAL before and
// the database after (the connection's synchronous setting), and SQLite reuses the WAL only after
// that.
//
// Thread-safety: walHook() runs on the writer thread; stats() from any thread. Lifetime: stop()
// (or the destructor) joins the thread; the writer's connection must not commit after it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/base/result.h"
#include "gateway/journal/sqlite_handle.h"

namespace iwmo::journal {

class SqliteCheckpointer {
 public:
  struct Stats {
    std::uint64_t background = 0;  // checkpoint rounds run by the checkpointer thread
    std::uint64_t tail = 0;        // tails copied by the writer after those rounds
    std::uint64_t backstop = 0;    // whole checkpoints the writer had to run itself
    std::string last_error;        // of the latest failed checkpoint; empty when none failed
  };

  // Opens a connection of its own on `file` (`durable`: synchronous=FULL, else NORMAL) and starts
  // the thread. Errors: kUnavailable (cannot open, or cannot start a thread).
  static Result<std::unique_ptr<SqliteCheckpointer>> start(const std::filesystem::path& file,
                                                           bool durable, int trigger_pages,
                                                           int backstop_pages);
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  // Registers the hook on the writer's connection. REQUIRES: `this` outlives that connection's
  // commits.
  void attach(sqlite3* writer_connection);
  void stop();
  Stats stats() const;

 private:
  SqliteCheckpointer(sqlite::Connection connection, int trigger_pages, int backstop_pages)
      : connection_(std::move(connection)),
        trigger_pages_(trigger_pages),
        backstop_pages_(backstop_pages) {}
  static int walHook(void* self, sqlite3* writer, const char* database, int pages);
  void run();
  void noteError(sqlite3* connection, int rc, const char* who);

  // What the writer may add during the last background round for the hook to copy the rest.
  static constexpr int kTailPages = 256;
  // Rounds per wake-up: a reader holding an old snapshot stops progress; the next commit wakes
  // the thread again.
  static constexpr int kMaxRounds = 16;

  sqlite::Connection connection_;
  const int trigger_pages_;
  const int backstop_pages_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;      // guarded by mutex_: the WAL passed trigger_pages since the last run
  bool running_ = false;     // guarded by mutex_: the thread is in its rounds
  bool tail_ready_ = false;  // guarded by mutex_: the rounds caught up; the hook copies the tail
  int wal_pages_ = 0;        // guarded by mutex_: the WAL's size after the latest commit
  bool stopping_ = false;    // guarded by mutex_
  Stats stats_;              // guarded by mutex_
  std::thread thread_;
};

}  // namespace iwmo::journal
