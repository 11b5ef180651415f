#include "adapters/transport/directory_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iwmo::transport {

DirectorySink::~DirectorySink() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
}

Status DirectorySink::ensureDirectory() {
  if (dir_fd_ >= 0) return Status::ok();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) {
    return Status::unavailable("cannot open delivery directory " + dir_.string() + ": " +
                               std::strerror(errno) +
                               " (does it exist, and may the gateway write there?)");
  }
  return Status::ok();
}

Status DirectorySink::deliver(const std::string& file_name, std::string_view payload,
                              std::string& where) {
  IWMO_RETURN_IF_ERROR(ensureDirectory());
  if (file_name.empty() || file_name.find('/') != std::string::npos || file_name[0] == '.') {
    return Status::invalid("refusing to deliver under the file name \"" + file_name + "\"");
  }
  const std::string temporary = "." + file_name + ".tmp";
  const int fd =
      ::openat(dir_fd_, temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) {
      // The directory was removed while we held it open: look it up again next time, so that
      // recreating it is enough (no restart).
      ::close(dir_fd_);
      dir_fd_ = -1;
    }
    return Status::unavailable(
        "cannot create " + (dir_ / temporary).string() + ": " + std::strerror(error) +
        (error == ENOENT ? " (the delivery directory was removed; it is made again on the "
                           "next attempt)"
                         : ""));
  }
  std::size_t done = 0;
  while (done < payload.size()) {
    const ssize_t n = ::write(fd, payload.data() + done, payload.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      ::unlinkat(dir_fd_, temporary.c_str(), 0);
      return Status::unavailable("cannot write " + (dir_ / temporary).string() + ": " + error +
                                 " (disk full?)");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return Status::unavailable("cannot close " + (dir_ / temporary).string() + ": " +
                               std::strerror(errno));
  }
  if (::renameat(dir_fd_, temporary.c_str(), dir_fd_, file_name.c_str()) != 0) {
    return Status::unavailable("cannot rename into " + (dir_ / file_name).string() + ": " +
                               std::strerror(errno));
  }
  dirty_ = true;
  where = (dir_ / file_name).string();
  return Status::ok();
}

Status DirectorySink::sync() {
  if (!dirty_) return Status::ok();
  if (::syncfs(dir_fd_) != 0) {
    return Status::unavailable("cannot sync " + dir_.string() + ": " + std::strerror(errno));
  }
  dirty_ = false;
  return Status::ok();
}

}  // namespace iwmo::transport
