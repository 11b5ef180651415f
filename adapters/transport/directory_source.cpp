#include "adapters/transport/directory_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <vector>

#include "adapters/transport/file_digest.h"
#include "gateway/base/thread_role.h"

namespace iwmo::transport {
namespace {

namespace fs = std::filesystem;

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Reads a whole regular file; false with `error` set when it cannot.
bool readWhole(const fs::path& path, std::uint64_t size, std::string& bytes, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  bytes.resize(static_cast<std::size_t>(size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;  // shrank meanwhile: take what is there
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  ::close(fd);
  return true;
}

}  // namespace

bool isTemporaryName(const std::string& name) {
  return name.empty() || name[0] == '.' || endsWith(name, ".tmp") || endsWith(name, ".part");
}

DirectorySource::DirectorySource(Options options) : options_(std::move(options)) {
  if (!options_.warn) {
    options_.warn = [](const std::string& text) { std::cerr << "iwmo-gateway: " << text << "\n"; };
  }
}

DirectorySource::~DirectorySource() { stop(); }

Status DirectorySource::start(Receiver receiver) {
  receiver_ = std::move(receiver);
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec || !fs::is_directory(options_.dir)) {
    return Status::unavailable("cannot create the " + options_.peer + " receive directory " +
                               options_.dir.string() + ": " + ec.message() +
                               " (check peers." + options_.peer + ".receive_dir and permissions)");
  }
  inotify_fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0 ||
      inotify_add_watch(inotify_fd_, options_.dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    // Not fatal: periodic rescans still find every file.
    options_.warn("inotify unavailable for " + options_.dir.string() + " (" +
                  std::strerror(errno) + "); falling back to rescans");
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] {
    setThreadRole("iwmo-receive-dir", ThreadRole::kAcknowledgement);
    run();
  });
  return Status::ok();
}

void DirectorySource::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  room_.notify_all();
  if (stop_fd_ >= 0) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  {
    // Acks come from the journal's thread; wait for those still due so none outlives us.
    std::unique_lock lock(mutex_);
    room_.wait_for(lock, std::chrono::seconds(60), [&] { return outstanding_.empty(); });
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
  inotify_fd_ = stop_fd_ = -1;
}

void DirectorySource::run() {
  std::set<std::string> announced;
  std::vector<char> buffer(64 * 1024);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    scan(announced);
    announced.clear();
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    const int count = inotify_fd_ >= 0 ? 2 : 1;
    const int ready = ::poll(fds, static_cast<nfds_t>(count),
                             static_cast<int>(options_.rescan.count()));
    if (ready > 0 && (fds[0].revents & POLLIN) != 0) return;
    if (ready > 0 && count == 2 && (fds[1].revents & POLLIN) != 0) {
      while (true) {
        const ssize_t n = ::read(inotify_fd_, buffer.data(), buffer.size());
        if (n <= 0) break;
        for (ssize_t at = 0; at < n;) {
          const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + at);
          if (event->len > 0) announced.insert(event->name);
          at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
      }
    }
  }
}

void DirectorySource::scan(const std::set<std::string>& announced) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = fs::directory_iterator(options_.dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!isTemporaryName(name)) names.push_back(name);
  }
  if (ec) {
    options_.warn("cannot list " + options_.dir.string() + ": " + ec.message());
    return;
  }
  std::sort(names.begin(), names.end());
  const auto now = std::chrono::steady_clock::now();
  const auto wall_now = fs::file_time_type::clock::now();
  for (const std::string& name : names) {
    {
      std::unique_lock lock(mutex_);
      if (stopping_) return;
      if (outstanding_.count(name) != 0) continue;
      const auto retry = retry_at_.find(name);
      if (retry != retry_at_.end()) {
        if (retry->second > now) continue;
        retry_at_.erase(retry);
      }
    }
    if (announced.count(name) == 0) {
      const auto mtime = fs::last_write_time(options_.dir / name, ec);
      if (ec || wall_now - mtime < options_.settle) continue;  // maybe still being written
    }
    offer(name);
  }
}

void DirectorySource::offer(const std::string& name) {
  const fs::path path = options_.dir / name;
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return;  // gone meanwhile
  if (!S_ISREG(info.st_mode)) {
    std::lock_guard lock(mutex_);
    if (retry_at_.count(name) == 0) {
      options_.warn(path.string() + " is not a regular file (symlink, directory, device); "
                    "it is ignored: put message files in " + options_.dir.string() + " directly");
    }
    retry_at_[name] = std::chrono::steady_clock::time_point::max();
    return;
  }
  Received message;
  message.source = path.string();
  message.peer = options_.peer;
  message.size = static_cast<std::uint64_t>(info.st_size);
  if (message.size > options_.max_bytes) {
    message.oversize = true;
    Result<std::string> digest = sha256OfFile(path);
    if (!digest) {
      options_.warn(digest.status().message() + "; will try again");
      std::lock_guard lock(mutex_);
      retry_at_[name] = std::chrono::steady_clock::now() + options_.retry_after;
      return;
    }
    message.sha256 = std::move(*digest);
  } else {
    std::string error;
    if (!readWhole(path, message.size, message.bytes, error)) {
      options_.warn("cannot read " + path.string() + ": " + error + "; will try again");
      std::lock_guard lock(mutex_);
      retry_at_[name] = std::chrono::steady_clock::now() + options_.retry_after;
      return;
    }
    message.size = message.bytes.size();
  }
  {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return stopping_ || outstanding_.size() < options_.max_outstanding; });
    if (stopping_) return;
    outstanding_.insert(name);
  }
  const bool oversize = message.oversize;
  receiver_(std::move(message),
            [this, name, oversize](const AckInfo& ack) { finish(name, oversize, ack); });
}

void DirectorySource::finish(const std::string& name, bool oversize, const AckInfo& info) {
  if (info.journaled && oversize) {
    // Never read, so not in the journal: keep the bytes for the operator, out of the way.
    const fs::path refused = options_.dir / "refused";
    std::error_code ec;
    fs::create_directories(refused, ec);
    fs::rename(options_.dir / name, refused / name, ec);
    if (ec) {
      options_.warn("cannot move oversize file " + (options_.dir / name).string() + " to " +
                    refused.string() + ": " + ec.message());
    }
  } else if (info.journaled) {
    const fs::path path = options_.dir / name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      options_.warn("journaled " + path.string() + " as #" + std::to_string(info.message_id) +
                    " but cannot remove it: " + std::strerror(errno) +
                    "; it will be recognised as already journaled when read again");
    }
  }
  {
    std::lock_guard lock(mutex_);
    outstanding_.erase(name);
    if (!info.journaled) retry_at_[name] = std::chrono::steady_clock::now() + options_.retry_after;
  }
  room_.notify_all();
}

}  // namespace iwmo::transport
