#include "gateway/base/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iwmo {
namespace {

std::string reason(int error) { return std::strerror(error); }

}  // namespace

Status fsyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::unavailable("cannot fsync directory " + dir.string() + ": " + reason(errno));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) return Status::unavailable("cannot fsync directory " + dir.string() + ": " + reason(error));
  return Status::ok();
}

Status writeFileDurably(const std::filesystem::path& file, const std::string& content) {
  std::filesystem::path temp = file;
  temp += ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0640);
  if (fd < 0) return Status::unavailable("cannot create " + temp.string() + ": " + reason(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return Status::unavailable("cannot write " + temp.string() + ": " + reason(error));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Status::unavailable("cannot fsync " + temp.string() + ": " + reason(error));
  }
  ::close(fd);
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return Status::unavailable("cannot rename " + temp.string() + " to " + file.string() + ": " + reason(error));
  }
  return fsyncDirectory(file.parent_path());
}

Result<std::optional<std::string>> readSmallFile(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Status::unavailable("cannot read " + file.string() + ": " + reason(errno));
  }
  std::string content;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Status::unavailable("cannot read " + file.string() + ": " + reason(error));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(content));
}

}  // namespace iwmo
