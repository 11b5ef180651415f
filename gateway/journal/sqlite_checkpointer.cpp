#include "gateway/journal/sqlite_checkpointer.h"

#include <algorithm>
#include <system_error>
#include <utility>

#include "gateway/base/thread_role.h"

namespace iwmo::journal {

Result<std::unique_ptr<SqliteCheckpointer>> SqliteCheckpointer::start(
    const std::filesystem::path& file, bool durable, int trigger_pages, int backstop_pages) {
  Result<sqlite::Connection> connection =
      sqlite::Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX);
  if (!connection) return connection.status();
  // A checkpoint copies WAL frames through a buffer of its own, not through the page cache.
  IWMO_RETURN_IF_ERROR(connection->exec(durable
                                            ? "PRAGMA synchronous=FULL; PRAGMA cache_size=-64"
                                            : "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-64",
                                        "setting up the checkpoint connection"));
  std::unique_ptr<SqliteCheckpointer> checkpointer(new SqliteCheckpointer(
      std::move(*connection), trigger_pages, std::max(backstop_pages, trigger_pages)));
  try {
    checkpointer->thread_ = std::thread([raw = checkpointer.get()] {
      setThreadRole("iwmo-checkpoint", ThreadRole::kBackground);
      raw->run();
    });
  } catch (const std::system_error& e) {  // std::thread reports this one way only
    return Status::unavailable("journal " + file.string() +
                               ": cannot start the checkpoint thread: " + e.what());
  }
  return checkpointer;
}

SqliteCheckpointer::~SqliteCheckpointer() { stop(); }

void SqliteCheckpointer::attach(sqlite3* writer_connection) {
  sqlite3_wal_hook(writer_connection, &walHook, this);
}

void SqliteCheckpointer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

SqliteCheckpointer::Stats SqliteCheckpointer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

int SqliteCheckpointer::walHook(void* self, sqlite3* writer, const char* database, int pages) {
  auto& checkpointer = *static_cast<SqliteCheckpointer*>(self);
  std::unique_lock lock(checkpointer.mutex_);
  if (pages < checkpointer.wal_pages_) checkpointer.tail_ready_ = false;  // the WAL started again
  checkpointer.wal_pages_ = pages;
  if (pages < checkpointer.trigger_pages_) return SQLITE_OK;
  const bool backstop = pages >= checkpointer.backstop_pages_;
  if (backstop || checkpointer.tail_ready_) {
    checkpointer.tail_ready_ = false;
    ++(backstop ? checkpointer.stats_.backstop : checkpointer.stats_.tail);
    lock.unlock();
    // SQLITE_BUSY: the thread is in a round; the next commit tries again.
    const int rc =
        sqlite3_wal_checkpoint_v2(writer, database, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      lock.lock();
      checkpointer.noteError(writer, rc, "the writer");
    }
    return SQLITE_OK;  // the commit stands either way; a failed checkpoint is retried later
  }
  if (!checkpointer.running_) {
    checkpointer.wanted_ = true;
    lock.unlock();
    checkpointer.wake_.notify_one();
  }
  return SQLITE_OK;
}

// REQUIRES: mutex_ held.
void SqliteCheckpointer::noteError(sqlite3* connection, int rc, const char* who) {
  stats_.last_error = std::string("checkpoint by ") + who + " failed: " + sqlite3_errstr(rc) +
                      " (" + sqlite3_errmsg(connection) + ")";
}

void SqliteCheckpointer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || wanted_; });
    if (stopping_) return;  // closing the last connection checkpoints what is left
    wanted_ = false;
    running_ = true;
    int copied_before = -1;
    for (int round = 0; round < kMaxRounds && !stopping_; ++round) {
      lock.unlock();
      int log_frames = 0;
      int copied = 0;
      const int rc = sqlite3_wal_checkpoint_v2(connection_.get(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                               &log_frames, &copied);
      lock.lock();
      ++stats_.background;
      if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        noteError(connection_.get(), rc, "the checkpoint thread");
        break;
      }
      if (rc == SQLITE_BUSY || copied == copied_before)
        break;  // no progress: a reader holds the rest
      copied_before = copied;
      if (wal_pages_ - copied <= kTailPages) {  // caught up with the writer but for a short tail
        tail_ready_ = true;
        break;
      }
    }
    running_ = false;
  }
}

}  // namespace iwmo::journal
