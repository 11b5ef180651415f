#include "adapters/transport/file_digest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "gateway/base/sha256.h"

namespace iwmo::transport {

Result<std::string> sha256OfFile(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Status::unavailable("cannot open " + file.string() + ": " + std::strerror(errno));
  Sha256 digest;
  std::vector<char> buffer(1 << 20);
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return Status::unavailable("cannot read " + file.string() + ": " + std::strerror(error));
    }
    if (n == 0) break;
    digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return digest.hexDigest();
}

}  // namespace iwmo::transport
