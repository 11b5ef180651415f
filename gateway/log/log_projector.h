// LogProjector: the thread that turns the journal's routing-log entries into the log file and
// the live feed (DESIGN §5.1 step 7). On start it reads the last seq already in the file and
// catches up from the journal, so after a crash every line appears exactly once. wake() after a
// commit makes it look at once; otherwise it polls every `poll_interval`.
//
// LogPublisher: a ZeroMQ PUB socket bound to an endpoint (tcp://127.0.0.1:PORT or ipc://PATH);
// each rendered line is one single-part message. Slow subscribers lose lines (PUB semantics); the
// file is the complete record, `tail -f` reconciles the two by seq.
//
// Thread-safety: LogProjector's public methods may be called from any thread. LogPublisher
// belongs to the projector's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/log/routing_log.h"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace iwmo::log {

class LogPublisher {
 public:
  // Errors: kUnavailable (endpoint in use, bad address), with the endpoint in the message.
  static Result<std::unique_ptr<LogPublisher>> bind(zmq::context_t& context,
                                                    const std::string& endpoint);
  ~LogPublisher();
  void publish(const std::string& rendered_line);  // never blocks; drops when no subscriber
  const std::string& endpoint() const { return endpoint_; }

 private:
  LogPublisher(std::unique_ptr<zmq::socket_t> socket, std::string endpoint);
  std::unique_ptr<zmq::socket_t> socket_;
  std::string endpoint_;
};

struct LogSourceEntry {
  std::uint64_t seq = 0;
  std::string line;  // without seq
};
// Entries with seq > after, ascending, at most limit (the journal's logAfter, wired by main).
using LogSource =
    std::function<Result<std::vector<LogSourceEntry>>(std::uint64_t after, std::size_t limit)>;

class LogProjector {
 public:
  // REQUIRES: `file` opened; `publisher` may be null (no live feed). Starts the thread.
  LogProjector(LogSource source, LogFileWriter file, std::unique_ptr<LogPublisher> publisher,
               std::chrono::milliseconds poll_interval = std::chrono::milliseconds(200));
  ~LogProjector();  // stop()
  LogProjector(const LogProjector&) = delete;
  LogProjector& operator=(const LogProjector&) = delete;

  // Makes the thread look at the source now (call after a commit). Never blocks.
  void wake();
  // Projects everything the journal has now, then returns (used when draining on SIGTERM).
  // Returns OK once every entry the source held at the call is in the file; otherwise the
  // error of the first pass that started after the call and failed, or kUnavailable when the
  // projector was stopped first.
  Status flush();
  // Ends the thread (after the pass under way) and joins it. Idempotent.
  void stop();
  // The first error of the current run of failures (e.g. disk full); OK while healthy, and OK
  // again once a pass succeeds. The projector retries after errors, backing off from
  // poll_interval up to 5 s.
  Status health() const;
  // The seq of the last line in the file.
  std::uint64_t lastSeq() const;

 private:
  void run();
  Status projectOnce(bool& progressed);
  Status drain(bool& complete);

  LogSource source_;
  LogFileWriter file_;
  std::unique_ptr<LogPublisher> publisher_;
  std::chrono::milliseconds poll_interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_cv_;
  std::condition_variable flushed_cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::uint64_t flush_requests_ = 0;  // flush() tickets handed out
  std::uint64_t flush_done_ = 0;      // every ticket up to this one is in the file
  std::uint64_t flush_failed_ = 0;    // a pass covering tickets up to this one failed ...
  Status flush_error_;                // ... with this error
  bool exited_ = false;               // run() has returned
  Status health_;
  std::uint64_t last_seq_ = 0;  // written by the thread under mutex_
  std::mutex join_mutex_;       // serialises stop()
  std::thread thread_;
};

}  // namespace iwmo::log
