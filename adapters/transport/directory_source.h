// DirectorySource: picks up message files from a watched directory (DESIGN §5.1 step 1).
//
// Contract with whoever writes into the directory: write the file under a temporary name
// (starting with "." or ending in ".tmp" or ".part"; those are never read) and rename it to its
// final name when complete. As a safety net for writers that do not, a file is read only after
// inotify reported it closed or moved in, or when it has not changed for `settle` (a file found
// at start-up or in a rescan).
//
// A file stays in the directory until its Ack says it was journaled; then it is removed. A file
// whose journaling failed is offered again after `retry_after`. Files are offered in name order.
// Oversize files (> max_bytes) are offered with oversize=true and never read; once their refusal
// is journaled they are moved to DIR/refused/ rather than removed (their bytes are not in the
// journal).
//
// Thread-safety: one thread of its own; stop() from any thread; Acks from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "adapters/transport/transport.h"

namespace iwmo::transport {

class DirectorySource final : public Source {
 public:
  struct Options {
    std::string peer;                 // "backoffice" or "ggk"
    std::filesystem::path dir;
    std::uint64_t max_bytes = 25ull * 1024 * 1024;
    std::size_t max_outstanding = 1024;  // offered, not yet acked
    std::chrono::milliseconds settle{1000};
    std::chrono::milliseconds rescan{1000};
    std::chrono::milliseconds retry_after{5000};
    std::function<void(const std::string&)> warn;  // operator-facing problems (stderr by default)
  };
  explicit DirectorySource(Options options);
  ~DirectorySource() override;

  Status start(Receiver receiver) override;
  void stop() override;
  std::string describe() const override { return "directory " + options_.dir.string(); }

 private:
  void run();
  void scan(const std::set<std::string>& announced);
  void offer(const std::string& name);
  void finish(const std::string& name, bool oversize, const AckInfo& info);

  Options options_;
  Receiver receiver_;
  int inotify_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;

  std::mutex mutex_;
  std::condition_variable room_;
  bool stopping_ = false;
  std::set<std::string> outstanding_;  // offered, ack pending
  std::map<std::string, std::chrono::steady_clock::time_point> retry_at_;
};

// Names a directory source never reads: hidden files and temporary names.
bool isTemporaryName(const std::string& name);

}  // namespace iwmo::transport
