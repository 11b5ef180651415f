#include "gateway/journal/sqlite_writer.h"

#include <algorithm>
#include <future>
#include <system_error>
#include <utility>

#include "gateway/base/thread_role.h"

namespace iwmo::journal {

Result<std::unique_ptr<SqliteWriter>> SqliteWriter::create(sqlite::Connection connection, std::size_t max_batch) {
  std::unique_ptr<SqliteWriter> writer(new SqliteWriter(std::move(connection), std::max<std::size_t>(1, max_batch)));
  const std::pair<sqlite::StmtPtr*, const char*> statements[] = {
      {&writer->begin_, "BEGIN IMMEDIATE"},      {&writer->commit_, "COMMIT"},
      {&writer->rollback_, "ROLLBACK"},          {&writer->savepoint_, "SAVEPOINT request"},
      {&writer->release_, "RELEASE request"},    {&writer->rollback_to_, "ROLLBACK TO request"}};
  for (const auto& [slot, sql] : statements) {
    Result<sqlite::StmtPtr> stmt = writer->connection_.prepare(sql);
    if (!stmt) return stmt.status();
    *slot = std::move(*stmt);
  }
  return writer;
}

SqliteWriter::~SqliteWriter() { stop(); }

Status SqliteWriter::start() {
  try {
    thread_ = std::thread([this] {
      setThreadRole("iwmo-writer", ThreadRole::kAcknowledgement);
      run();
    });
  } catch (const std::system_error& e) {  // std::thread reports this one way only
    return Status::unavailable("journal " + file().string() + ": cannot start the writer thread: " + e.what());
  }
  thread_id_ = thread_.get_id();
  return Status::ok();
}

void SqliteWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void SqliteWriter::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    job.enqueued_at = std::chrono::steady_clock::now();
    (job.urgent ? urgent_ : others_).push_back(std::move(job));
  }
  wake_.notify_one();
}

void SqliteWriter::enqueueAll(std::vector<Job> jobs) {
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    for (auto& job : jobs) {
      job.enqueued_at = now;
      (job.urgent ? urgent_ : others_).push_back(std::move(job));
    }
  }
  wake_.notify_one();
}

Status SqliteWriter::runAndWait(std::function<Status()> body) {
  if (onWriterThread()) {
    return Status::internal("journal " + file().string() + ": a synchronous write from a journal callback would wait for itself");
  }
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> future = promise->get_future();
  enqueue({std::move(body), [promise](Status status) { promise->set_value(std::move(status)); }});
  return future.get();
}

SqliteWriter::Stats SqliteWriter::stats() const {
  return {transactions_.load(std::memory_order_relaxed), requests_.load(std::memory_order_relaxed)};
}

void SqliteWriter::run() {
  using SteadyClock = std::chrono::steady_clock;
  bool urgent_turn = true;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      // The other lane waits until its oldest job is kGatherOthers old (or the lane is full), so
      // that its transactions are few and large; urgent jobs run at once.
      auto others_due = [this] {
        return !others_.empty() && (stopping_ || others_.size() >= max_batch_ ||
                                    SteadyClock::now() - others_.front().enqueued_at >= kGatherOthers);
      };
      while (!(urgent_.empty() ? others_due() : true)) {
        if (stopping_ && others_.empty()) return;  // stopping, and everything accepted is done
        if (others_.empty()) {
          wake_.wait(lock);
        } else {
          wake_.wait_until(lock, others_.front().enqueued_at + kGatherOthers);
        }
      }
      const bool due = others_due();
      if (urgent_.empty()) urgent_turn = false;
      if (!due) urgent_turn = true;
    }
    // Only this thread takes jobs, so the chosen lane is not empty when executeBatch looks.
    Batch batch = executeBatch(urgent_turn ? urgent_ : others_, urgent_turn);
    if (!urgent_turn && urgentWaiting()) {
      // The other lane's callbacks (releasing clients, waking delivery) wait for the
      // acknowledgements that queued meanwhile.
      complete(executeBatch(urgent_, true));
      urgent_turn = true;
    }
    complete(std::move(batch));
    urgent_turn = !urgent_turn;
  }
}

bool SqliteWriter::urgentWaiting() {
  std::lock_guard lock(mutex_);
  return !urgent_.empty();
}

void SqliteWriter::complete(Batch batch) {
  for (std::size_t i = 0; i < batch.jobs.size(); ++i) {
    if (batch.jobs[i].done) batch.jobs[i].done(std::move(batch.results[i]));
  }
}

SqliteWriter::Batch SqliteWriter::executeBatch(std::deque<Job>& lane, bool urgent_lane) {
  Batch taken;
  std::vector<Job>& batch = taken.jobs;
  std::vector<Status>& results = taken.results;
  bool has_ordered = false;
  const auto started = std::chrono::steady_clock::now();
  sqlite::Transaction txn(connection_, begin_.get(), commit_.get(), rollback_.get());
  Status batch_status = txn.begin();
  while (batch.size() < max_batch_) {
    {
      std::lock_guard lock(mutex_);
      if (lane.empty()) break;
      if (!batch.empty() && !urgent_lane && !urgent_.empty() &&
          std::chrono::steady_clock::now() - started >= kYieldAfter) {
        break;  // an acknowledgement waits: commit what ran, the rest in the next turn
      }
      batch.push_back(std::move(lane.front()));
      lane.pop_front();
    }
    Job& job = batch.back();
    results.push_back(Status::ok());
    if (!batch_status.isOk()) continue;  // taken only to hand it the error below
    if (job.ordered && refuse_ordered_.load()) {
      results.back() = Status::aborted("journal " + file().string() +
                                       ": an earlier commit failed; this request depended on it and is not run");
      continue;
    }
    has_ordered = has_ordered || job.ordered;
    sqlite::Savepoint savepoint(connection_, savepoint_.get(), release_.get(), rollback_to_.get());
    Status status = savepoint.begin();
    if (status.isOk()) status = job.run();
    if (status.isOk()) status = savepoint.release();
    results.back() = std::move(status);  // on error ~Savepoint undoes the job's writes
    if (sqlite3_get_autocommit(connection_.get()) != 0) {
      // SQLite rolled back the whole transaction (disk full, I/O error): nothing stays.
      batch_status = results.back().isOk()
                         ? Status::internal("journal " + file().string() + ": the transaction ended unexpectedly")
                         : results.back();
      break;
    }
  }
  if (batch_status.isOk()) batch_status = txn.commit();
  txn.rollback();  // no-op after a successful commit
  requests_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (batch_status.isOk()) {
    transactions_.fetch_add(1, std::memory_order_relaxed);
  } else {
    std::fill(results.begin(), results.end(), batch_status);
    if (has_ordered) refuse_ordered_.store(true);  // later ordered jobs may have built on these
  }
  return taken;
}

}  // namespace iwmo::journal
