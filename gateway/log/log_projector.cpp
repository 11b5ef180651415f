// LogProjector's thread and the PUB socket behind the live feed. See log_projector.h.
#include "gateway/log/log_projector.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <zmq.hpp>

#include "gateway/base/thread_role.h"

namespace iwmo::log {
namespace {

// Entries per source query and per file append (one write() and one fsync each).
constexpr std::size_t kBatchEntries = 1000;
// Messages queued per subscriber before PUB drops; a slow `tail -f` then fills the gap from
// the file.
constexpr int kSendHighWaterMark = 10000;
constexpr std::chrono::milliseconds kMinRetryDelay{50};
constexpr std::chrono::milliseconds kMaxRetryDelay{5000};

}  // namespace

Result<std::unique_ptr<LogPublisher>> LogPublisher::bind(zmq::context_t& context,
                                                         const std::string& endpoint) {
  try {
    auto socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::pub);
    socket->set(zmq::sockopt::linger, 0);
    socket->set(zmq::sockopt::sndhwm, kSendHighWaterMark);
    socket->bind(endpoint);
    // The endpoint as bound: "tcp://127.0.0.1:*" comes back with its port.
    std::string bound = socket->get(zmq::sockopt::last_endpoint);
    return std::unique_ptr<LogPublisher>(new LogPublisher(std::move(socket), std::move(bound)));
  } catch (const zmq::error_t& e) {
    return Status::unavailable("cannot bind the routing-log feed to " + endpoint + ": " +
                               e.what());
  }
}

LogPublisher::LogPublisher(std::unique_ptr<zmq::socket_t> socket, std::string endpoint)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

LogPublisher::~LogPublisher() = default;

void LogPublisher::publish(const std::string& rendered_line) {
  try {
    // An empty result means the high-water mark was reached: the line is dropped, as PUB does
    // for a slow subscriber; the file keeps it.
    const zmq::send_result_t sent =
        socket_->send(zmq::buffer(rendered_line), zmq::send_flags::dontwait);
    static_cast<void>(sent);
  } catch (const zmq::error_t&) {
    // The feed is best effort (the context is terminating, or the like); the file is the record.
  }
}

LogProjector::LogProjector(LogSource source, LogFileWriter file,
                           std::unique_ptr<LogPublisher> publisher,
                           std::chrono::milliseconds poll_interval)
    : source_(std::move(source)),
      file_(std::move(file)),
      publisher_(std::move(publisher)),
      poll_interval_(poll_interval),
      last_seq_(file_.lastSeq()) {
  thread_ = std::thread([this] {
    setThreadRole("iwmo-routinglog", ThreadRole::kBackground);
    run();
  });
}

LogProjector::~LogProjector() { stop(); }

void LogProjector::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

Status LogProjector::flush() {
  std::unique_lock lock(mutex_);
  if (stop_ || exited_) return Status::unavailable("the routing-log projector is stopped");
  const std::uint64_t ticket = ++flush_requests_;
  wake_cv_.notify_all();
  flushed_cv_.wait(lock, [&] {
    return flush_done_ >= ticket || flush_failed_ >= ticket || exited_;
  });
  if (flush_done_ >= ticket) return Status::ok();
  if (flush_failed_ >= ticket) return flush_error_;
  return Status::unavailable("the routing-log projector stopped before the flush completed");
}

void LogProjector::stop() {
  std::lock_guard join_lock(join_mutex_);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status LogProjector::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

std::uint64_t LogProjector::lastSeq() const {
  std::lock_guard lock(mutex_);
  return last_seq_;
}

void LogProjector::run() {
  const std::chrono::milliseconds first_retry = std::max(poll_interval_, kMinRetryDelay);
  std::chrono::milliseconds retry_delay = first_retry;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    // Every flush() ticket up to `target` was handed out before the queries below start.
    const std::uint64_t target = flush_requests_;
    woken_ = false;
    lock.unlock();
    bool complete = false;
    const Status status = drain(complete);
    lock.lock();
    if (!status.isOk()) {
      if (health_.isOk()) health_ = status;
      flush_failed_ = target;
      flush_error_ = status;
      flushed_cv_.notify_all();
      // Back off; only stop() or a new flush() cuts the wait short (not wake(), which every
      // commit calls and which would turn a full disk into a busy loop).
      wake_cv_.wait_for(lock, retry_delay, [&] { return stop_ || flush_requests_ != target; });
      retry_delay = std::min(retry_delay * 2, kMaxRetryDelay);
      continue;
    }
    retry_delay = first_retry;
    if (!complete) continue;  // stopping
    health_ = Status::ok();
    flush_done_ = target;
    flushed_cv_.notify_all();
    wake_cv_.wait_for(lock, poll_interval_,
                      [&] { return stop_ || woken_ || flush_requests_ != target; });
  }
  exited_ = true;
  flushed_cv_.notify_all();
}

Status LogProjector::drain(bool& complete) {
  complete = false;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return Status::ok();
    }
    bool progressed = false;
    IWMO_RETURN_IF_ERROR(projectOnce(progressed));
    if (!progressed) {
      complete = true;
      return Status::ok();
    }
  }
}

// One batch from the source into the file, then into the feed. `progressed`: a full batch was
// projected, so the source may hold more.
Status LogProjector::projectOnce(bool& progressed) {
  progressed = false;
  const std::uint64_t after = file_.lastSeq();
  Result<std::vector<LogSourceEntry>> batch = Status::internal("source not called");
  try {
    batch = source_(after, kBatchEntries);
  } catch (const std::exception& e) {
    batch = Status::internal(std::string("routing-log source threw: ") + e.what());
  }
  if (!batch) return batch.status();

  std::vector<std::string> lines;
  std::vector<std::uint64_t> seqs;
  lines.reserve(batch->size());
  seqs.reserve(batch->size());
  std::uint64_t previous = after;
  for (const LogSourceEntry& entry : *batch) {
    if (entry.seq <= previous) continue;  // not ascending past the file: never write it twice
    lines.push_back(withSeq(entry.seq, entry.line));
    seqs.push_back(entry.seq);
    previous = entry.seq;
  }
  const Status written = lines.empty() ? Status::ok() : file_.append(lines);
  // On a failed append, part of the batch may be in the file (a rotation in between); the file
  // says how far it got.
  const std::uint64_t in_file = file_.lastSeq();
  if (publisher_) {
    for (std::size_t i = 0; i < lines.size() && seqs[i] <= in_file; ++i) {
      publisher_->publish(lines[i]);
    }
  }
  {
    std::lock_guard lock(mutex_);
    last_seq_ = in_file;
  }
  IWMO_RETURN_IF_ERROR(written);
  progressed = batch->size() >= kBatchEntries && in_file > after;
  return Status::ok();
}

}  // namespace iwmo::log
