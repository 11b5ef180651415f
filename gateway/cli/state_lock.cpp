#include "gateway/cli/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iwmo::cli {

Result<int> takeStateLock(const std::filesystem::path& lock_file, std::string_view command, StateLockHolder& holder) {
  holder = {};
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Status::unavailable("cannot open the lock file " + lock_file.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EWOULDBLOCK) {
      holder.held = true;
      char buffer[256] = {};
      if (::pread(fd, buffer, sizeof buffer - 1, 0) > 0) {
        std::string text(buffer);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
        const std::size_t space = text.find(' ');
        holder.pid = text.substr(0, space);
        if (space != std::string::npos) holder.command = text.substr(space + 1);
      }
    }
    ::close(fd);
    return Status::unavailable(error == EWOULDBLOCK ? "held by another process"
                                                    : "cannot lock " + lock_file.string() + ": " + std::strerror(error));
  }
  const std::string text = std::to_string(::getpid()) + " " + std::string(command) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const auto written = ::pwrite(fd, text.data(), text.size(), 0);
  }
  return fd;
}

}  // namespace iwmo::cli
