#include "gateway/journal/sqlite_writer.h"

#include <algorithm>
#include <future>
#include <system_error>
#include <utility>

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
    thread_ = std::thread([this] { run(); });
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
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void SqliteWriter::enqueueAll(std::vector<Job> jobs) {
  {
    std::lock_guard lock(mutex_);
    for (auto& job : jobs) queue_.push_back(std::move(job));
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
  std::vector<Job> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything accepted is done
      const std::size_t n = std::min(queue_.size(), max_batch_);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    executeBatch(batch);
    batch.clear();
  }
}

void SqliteWriter::executeBatch(std::vector<Job>& batch) {
  std::vector<Status> results(batch.size(), Status::ok());
  bool has_ordered = false;
  sqlite::Transaction txn(connection_, begin_.get(), commit_.get(), rollback_.get());
  Status batch_status = txn.begin();
  if (batch_status.isOk()) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].ordered && refuse_ordered_.load()) {
        results[i] = Status::aborted("journal " + file().string() +
                                     ": an earlier commit failed; this request depended on it and is not run");
        continue;
      }
      has_ordered = has_ordered || batch[i].ordered;
      sqlite::Savepoint savepoint(connection_, savepoint_.get(), release_.get(), rollback_to_.get());
      Status status = savepoint.begin();
      if (status.isOk()) status = batch[i].run();
      if (status.isOk()) status = savepoint.release();
      results[i] = std::move(status);  // on error ~Savepoint undoes the job's writes
      if (sqlite3_get_autocommit(connection_.get()) != 0) {
        // SQLite rolled back the whole transaction (disk full, I/O error): nothing stays.
        batch_status = results[i].isOk() ? Status::internal("journal " + file().string() +
                                                            ": the transaction ended unexpectedly")
                                         : results[i];
        break;
      }
    }
    if (batch_status.isOk()) batch_status = txn.commit();
    txn.rollback();  // no-op after a successful commit
  }
  requests_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (batch_status.isOk()) {
    transactions_.fetch_add(1, std::memory_order_relaxed);
  } else {
    std::fill(results.begin(), results.end(), batch_status);
    if (has_ordered) refuse_ordered_.store(true);  // later ordered jobs may have built on these
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(std::move(results[i]));
  }
}

}  // namespace iwmo::journal
