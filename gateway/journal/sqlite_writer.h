// SqliteWriter: the one thread that writes a SqliteJournal's database, and its connection.
// Internal to gateway/journal.
//
// Group commit: the thread runs the jobs of one lane (below), at most max_batch, in enqueue order
// in ONE transaction (BEGIN IMMEDIATE … COMMIT), each inside its own SAVEPOINT so that a job
// that fails (e.g. kNotFound) rolls back only itself; jobs queued while the transaction runs
// join it. After the COMMIT it calls every job's `done` in the same order. N concurrent requests
// thus cost one fsync. When the transaction itself cannot be committed (disk full, I/O error),
// every job of it gets that error and nothing of it is written.
//
// Two lanes (issue 13: p99 accept latency, measured in bench/daemon_bench):
//  - urgent jobs (appends: a sender waits for the acknowledgement) run at once, in transactions
//    of urgent jobs only, so that an acknowledgement never pays for the fsync of commits, outbox
//    items and log lines;
//  - the other jobs gather for kGatherOthers (or until max_batch are queued), so that their
//    transactions are few and large (a page rewritten by several of them goes into the WAL
//    once). While an urgent job waits, their transaction stops taking jobs after kYieldAfter,
//    and the urgent transaction runs before their `done` callbacks.
// Jobs of one lane run in enqueue order; an urgent job may run before another job enqueued
// earlier (appends depend on no other job).
//
// Ordered jobs (commits, and the reads that must see them: Journal::readAfterWrites) depend on
// every ordered job before them. When a transaction that held ordered jobs fails, the writer
// refuses every later ordered job with kAborted (without running it) until resumeOrdered():
// the caller redoes what depended on the lost writes. Other jobs (appends, deliveries, operator
// writes) go on.
//
// Thread-safety: enqueue() from any thread. `run` and `done` run on the writer thread; `done`
// must be short and must not wait for another job. connection() belongs to the writer thread once
// start() was called (the parts of the journal prepare their statements on it before).
// Lifetime: stop() (or the destructor) runs every job still queued, calls their `done`, and joins
// the thread; the owner calls it before it destroys what the jobs use.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/journal/sqlite_handle.h"

namespace iwmo::journal {

class SqliteWriter {
 public:
  struct Job {
    std::function<Status()> run;       // in its savepoint; an error undoes only this job
    std::function<void(Status)> done;  // after the COMMIT: run's status, or the COMMIT's error
    bool ordered = false;              // see above
    bool urgent = false;               // see above; not together with `ordered`
    std::chrono::steady_clock::time_point enqueued_at{};  // set by enqueue()
  };
  struct Stats {
    std::uint64_t transactions = 0;  // group-commit transactions committed
    std::uint64_t requests = 0;      // jobs executed in them (failed ones included)
  };

  // Prepares the transaction statements on `connection` (configured, schema in place).
  static Result<std::unique_ptr<SqliteWriter>> create(sqlite::Connection connection, std::size_t max_batch);
  ~SqliteWriter();
  SqliteWriter(const SqliteWriter&) = delete;
  SqliteWriter& operator=(const SqliteWriter&) = delete;

  // Starts the thread. Errors: kUnavailable when no thread can be started.
  Status start();
  // Runs what is queued, then joins the thread. Idempotent.
  void stop();

  void enqueue(Job job);
  // Several jobs at once, so that they share one transaction.
  void enqueueAll(std::vector<Job> jobs);
  // Runs `body` as one job and waits for its COMMIT. Errors: kInternal when called on the
  // writer thread (it would wait for itself), else those of `body` and of the COMMIT.
  Status runAndWait(std::function<Status()> body);

  // Ordered jobs run again (after a failed transaction refused them).
  void resumeOrdered() { refuse_ordered_.store(false); }

  sqlite::Connection& connection() { return connection_; }
  const std::filesystem::path& file() const { return connection_.file(); }
  bool onWriterThread() const { return std::this_thread::get_id() == thread_id_; }
  Stats stats() const;

 private:
  SqliteWriter(sqlite::Connection connection, std::size_t max_batch)
      : connection_(std::move(connection)), max_batch_(max_batch) {}
  // How long a transaction of the other lane goes on taking jobs while an urgent job waits.
  static constexpr std::chrono::microseconds kYieldAfter{300};
  // How long the other lane gathers jobs before it runs them. Commits do not hold up a client's
  // next message (that is released when its commit is requested), so this delays only delivery
  // and the routing log.
  static constexpr std::chrono::microseconds kGatherOthers{4000};

  // Jobs of one transaction, and their results once it committed (or failed).
  struct Batch {
    std::vector<Job> jobs;
    std::vector<Status> results;
  };

  void run();
  // Runs one transaction of jobs taken from `lane` (guarded by mutex_) one at a time; see above.
  Batch executeBatch(std::deque<Job>& lane, bool urgent_lane);
  // Calls the jobs' `done` in order.
  static void complete(Batch batch);
  bool urgentWaiting();

  sqlite::Connection connection_;
  // Prepared once; destroyed before connection_.
  sqlite::StmtPtr begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
  const std::size_t max_batch_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> urgent_;  // guarded by mutex_
  std::deque<Job> others_;  // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_

  std::atomic<bool> refuse_ordered_{false};  // set by the writer thread, cleared by resumeOrdered()
  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::thread thread_;
  std::thread::id thread_id_;
};

}  // namespace iwmo::journal
