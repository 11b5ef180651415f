// Routing-log files: rendering seq into a line, the rotating fsyncing writer and reading the
// files back from their end. Format: routing_log.h.
#include "gateway/log/routing_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>

#include "gateway/base/durable_file.h"

namespace iwmo::log {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadChunk = 64 * 1024;

std::string errnoText(int error) { return std::strerror(error); }

bool isJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

fs::path rotatedPath(const fs::path& path, unsigned n) {
  fs::path rotated = path;
  rotated += '.';  // not "." + to_string(n): a false -Wrestrict of GCC 12 at -O3 (PR 105329)
  rotated += std::to_string(n);
  return rotated;
}

// Reads exactly `size` bytes at `offset`.
Status preadAll(int fd, std::uint64_t offset, char* out, std::size_t size, const fs::path& file) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::unavailable("cannot read " + file.string() + ": " + errnoText(errno));
    if (n == 0) return Status::unavailable(file.string() + " shrank while being read");
    done += static_cast<std::size_t>(n);
  }
  return Status::ok();
}

// The offset just past the last '\n' in the first `size` bytes of the file; 0 when there is none.
Result<std::uint64_t> completeEnd(int fd, std::uint64_t size, const fs::path& file) {
  std::string chunk;
  std::uint64_t pos = size;
  while (pos > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, pos));
    pos -= n;
    chunk.resize(n);
    IWMO_RETURN_IF_ERROR(preadAll(fd, pos, chunk.data(), n, file));
    const std::size_t newline = chunk.rfind('\n');
    if (newline != std::string::npos) return pos + newline + 1;
  }
  return std::uint64_t{0};
}

// The complete lines of bytes [0, end) of a file, last first. REQUIRES: end is 0 or just past a
// '\n'. The file descriptor is borrowed.
class ReverseLineReader {
 public:
  ReverseLineReader(int fd, std::uint64_t end, fs::path file)
      : fd_(fd), pos_(end == 0 ? 0 : end - 1), done_(end == 0), file_(std::move(file)) {}

  // True and the next line (older than the previous one); false at the start of the file.
  Result<bool> next(std::string& line) {
    while (true) {
      if (done_) return false;
      const std::size_t newline = buffer_.rfind('\n');
      if (newline != std::string::npos) {
        line.assign(buffer_, newline + 1);
        buffer_.resize(newline);
        return true;
      }
      if (pos_ == 0) {
        line = std::move(buffer_);
        buffer_.clear();
        done_ = true;
        return true;
      }
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, pos_));
      pos_ -= n;
      std::string chunk(n, '\0');
      IWMO_RETURN_IF_ERROR(preadAll(fd_, pos_, chunk.data(), n, file_));
      buffer_.insert(0, chunk);
    }
  }

 private:
  int fd_;
  std::uint64_t pos_;  // buffer_ holds the bytes [pos_, pos_ + buffer_.size()) of the file
  bool done_;
  fs::path file_;
  std::string buffer_;
};

class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Visits the complete lines of one file, last first. `keep_going` false once visit said stop.
Status visitFileBackward(const fs::path& file,
                         const std::function<bool(std::string_view)>& visit, bool& keep_going,
                         bool& existed) {
  ScopedFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::ok();  // rotated away meanwhile
    return Status::unavailable("cannot open " + file.string() + ": " + errnoText(errno));
  }
  existed = true;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Status::unavailable("cannot stat " + file.string() + ": " + errnoText(errno));
  }
  const Result<std::uint64_t> end =
      completeEnd(fd.get(), static_cast<std::uint64_t>(st.st_size), file);
  if (!end) return end.status();
  ReverseLineReader reader(fd.get(), *end, file);
  std::string line;
  while (true) {
    const Result<bool> more = reader.next(line);
    if (!more) return more.status();
    if (!*more) return Status::ok();
    if (!visit(line)) {
      keep_going = false;
      return Status::ok();
    }
  }
}

}  // namespace

std::string withSeq(std::uint64_t seq, std::string_view line) {
  while (!line.empty() && isJsonSpace(line.back())) line.remove_suffix(1);
  std::string out = "{\"seq\":" + std::to_string(seq);
  std::size_t start = 0;
  while (start < line.size() && isJsonSpace(line[start])) ++start;
  if (start == line.size() || line[start] != '{') {
    // Not an object (a caller's bug): keep the text, still one valid JSON line.
    out += ",\"line\":";
    out += nlohmann::json(std::string(line)).dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace);
    out += '}';
    return out;
  }
  std::size_t rest = start + 1;
  while (rest < line.size() && isJsonSpace(line[rest])) ++rest;
  if (rest < line.size() && line[rest] != '}') out += ',';
  out.append(line.substr(rest));
  return out;
}

std::optional<std::uint64_t> seqOf(std::string_view line) {
  // Fast path: our own lines begin with {"seq":N.
  constexpr std::string_view kPrefix = "{\"seq\":";
  if (line.substr(0, kPrefix.size()) == kPrefix) {
    std::uint64_t seq = 0;
    const char* first = line.data() + kPrefix.size();
    const char* last = line.data() + line.size();
    const auto [ptr, ec] = std::from_chars(first, last, seq);
    if (ec == std::errc() && ptr != first && ptr != last && (*ptr == ',' || *ptr == '}')) {
      return seq;
    }
  }
  const nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  const auto it = json.find("seq");
  if (it == json.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

Result<LogFileWriter> LogFileWriter::open(const std::filesystem::path& path, Options options) {
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) {
      return Status::unavailable("cannot create log directory " + path.parent_path().string() +
                                 ": " + ec.message());
    }
  }
  LogFileWriter writer;
  writer.path_ = path;
  writer.options_ = options;
  writer.fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (writer.fd_ < 0) {
    return Status::unavailable("cannot open log file " + path.string() + ": " + errnoText(errno));
  }
  struct stat st {};
  if (::fstat(writer.fd_, &st) != 0) {
    return Status::unavailable("cannot stat log file " + path.string() + ": " + errnoText(errno));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  const Result<std::uint64_t> end = completeEnd(writer.fd_, size, path);
  if (!end) return end.status();
  if (*end < size) {  // a torn last line: the process died in the middle of a write
    if (::ftruncate(writer.fd_, static_cast<off_t>(*end)) != 0 || ::fsync(writer.fd_) != 0) {
      return Status::unavailable("cannot cut the torn last line of " + path.string() + ": " +
                                 errnoText(errno));
    }
  }
  writer.size_ = *end;
  // The newest line that carries a seq: in this file or, when it is empty (e.g. right after a
  // rotation), in the rotated ones.
  IWMO_RETURN_IF_ERROR(visitLinesBackward(path, [&writer](std::string_view line) {
    const std::optional<std::uint64_t> seq = seqOf(line);
    if (!seq) return true;
    writer.last_seq_ = *seq;
    return false;
  }));
  return writer;
}

LogFileWriter::LogFileWriter(LogFileWriter&& other) noexcept
    : path_(std::move(other.path_)),
      options_(other.options_),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      last_seq_(other.last_seq_) {}

LogFileWriter& LogFileWriter::operator=(LogFileWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    last_seq_ = other.last_seq_;
  }
  return *this;
}

LogFileWriter::~LogFileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status LogFileWriter::writeLines(const std::string& bytes, std::uint64_t last_seq_in_bytes) {
  if (fd_ < 0) return Status::failedPrecondition("log file " + path_.string() + " is not open");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      // Cut what part of this write did land, so the file never holds half a line; the caller
      // retries the whole batch.
      // If that fails too, open() cuts the torn line on the next start.
      if (done > 0) static_cast<void>(::ftruncate(fd_, static_cast<off_t>(size_)));
      return Status::unavailable("cannot write log file " + path_.string() + ": " +
                                 errnoText(error));
    }
    done += static_cast<std::size_t>(n);
  }
  // No fsync: the journal holds every line durably, and after a crash the projector resumes
  // from the last complete line in the file, so a lost tail is written again.
  size_ += bytes.size();
  if (last_seq_in_bytes != 0) last_seq_ = last_seq_in_bytes;
  return Status::ok();
}

Status LogFileWriter::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  Status renamed;
  if (options_.keep == 0) {
    fs::remove(path_, ec);
  } else {
    fs::remove(rotatedPath(path_, options_.keep), ec);
    for (unsigned n = options_.keep - 1; n >= 1 && !ec; --n) {
      const fs::path from = rotatedPath(path_, n);
      if (fs::exists(from, ec)) fs::rename(from, rotatedPath(path_, n + 1), ec);
      if (ec) renamed = Status::unavailable("cannot rotate " + from.string() + ": " + ec.message());
    }
    if (!ec) fs::rename(path_, rotatedPath(path_, 1), ec);
  }
  if (ec && renamed.isOk()) {
    renamed = Status::unavailable("cannot rotate " + path_.string() + ": " + ec.message());
  }
  // Reopen path in any case: after a failed rename it is the old file, which then keeps
  // growing past max_bytes rather than stopping the log.
  fd_ = ::open(path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    return Status::unavailable("cannot open log file " + path_.string() + ": " + errnoText(errno));
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    return Status::unavailable("cannot stat log file " + path_.string() + ": " + errnoText(errno));
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
  IWMO_RETURN_IF_ERROR(renamed);
  return fsyncDirectory(path_.parent_path());
}

Status LogFileWriter::append(const std::vector<std::string>& rendered_lines) {
  // Lines go out in as few write()s as rotation allows: one per file they land in.
  std::string pending;
  std::uint64_t pending_last_seq = 0;
  for (const std::string& line : rendered_lines) {
    const std::uint64_t line_bytes = line.size() + 1;
    if (size_ + pending.size() > 0 && size_ + pending.size() + line_bytes > options_.max_bytes) {
      if (!pending.empty()) {
        IWMO_RETURN_IF_ERROR(writeLines(pending, pending_last_seq));
        pending.clear();
        pending_last_seq = 0;
      }
      IWMO_RETURN_IF_ERROR(rotate());
    }
    pending += line;
    pending += '\n';
    if (const std::optional<std::uint64_t> seq = seqOf(line)) pending_last_seq = *seq;
  }
  if (pending.empty()) return Status::ok();
  return writeLines(pending, pending_last_seq);
}

std::vector<std::filesystem::path> logFilesInOrder(const std::filesystem::path& path) {
  std::vector<std::pair<unsigned long, fs::path>> rotated;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const std::string prefix = path.filename().string() + ".";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string_view suffix = std::string_view(name).substr(prefix.size());
    unsigned long n = 0;
    const auto [ptr, parse_ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), n);
    if (parse_ec != std::errc() || ptr != suffix.data() + suffix.size() || n == 0) continue;
    rotated.emplace_back(n, rotatedPath(path, static_cast<unsigned>(n)));
  }
  std::sort(rotated.begin(), rotated.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<fs::path> files;
  for (auto& [n, file] : rotated) files.push_back(std::move(file));
  if (fs::exists(path, ec)) files.push_back(path);
  return files;
}

Status visitLinesBackward(const std::filesystem::path& path,
                          const std::function<bool(std::string_view line)>& visit) {
  std::vector<fs::path> files = logFilesInOrder(path);
  if (files.empty()) return Status::notFound("no routing log at " + path.string());
  std::reverse(files.begin(), files.end());
  bool keep_going = true;
  bool existed = false;
  for (const fs::path& file : files) {
    IWMO_RETURN_IF_ERROR(visitFileBackward(file, visit, keep_going, existed));
    if (!keep_going) break;
  }
  if (!existed) return Status::notFound("no routing log at " + path.string());
  return Status::ok();
}

}  // namespace iwmo::log
