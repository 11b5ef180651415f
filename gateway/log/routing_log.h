// The routing log (DESIGN §5.1 step 7): one JSON line per event of a message's life in the
// gateway — received, routed, rejected, duplicate, delivered, delivery failed — for operators to
// read with `iwmo-gateway tail` and for tools to parse.
//
// The lines are first committed in the journal (in the same transaction as the event they
// describe, so a crash can neither lose nor repeat one), then projected to files and to a live
// ZeroMQ PUB feed by a LogProjector. The file format is JSON Lines: one object per line, UTF-8,
// the first field always "seq" (ascending, gap-free). Fields (absent when not applicable):
//
//   seq           number   position in the log, from the journal
//   time          string   ISO 8601 UTC with microseconds
//   event         string   routed | rejected | delivered | delivery_failed | received_again |
//                          confirmed | review (the responsibility decision of a BW message:
//                          as addressed, or not / only a person can say; issue 5)
//   message_id    number   journal id (`iwmo-gateway explain ID`)
//   message_type  string   WMO301 ... ("" when not recognised)
//   from, to      string   peers: backoffice, ggk, rejected
//   sender, receiver string organisations (AGB code, CBS code)
//   gemeente      string   the municipality the message concerns (CBS code)
//   identificatie string   header Identificatie
//   client        string   BsnHasher pseudonym, never the BSN
//   verdict       string   accepted (valid, forwarded) | rejected (invalid or duplicate; never
//                          forwarded, its report is in the rejected area)
//   level         number   1 or 2 when the message failed validation
//   codes         [string] finding codes (CS002, XSD, ...)
//   handler       string   the handler that decided ("routing", "responsibility")
//   rule_ids      [string] the rules that made the decision
//   attempt       number   deliveries: which attempt this was
//   derived       [string] file names of the messages emitted
//   latency_ms    number   received → this event
//   detail        string   one sentence for an operator
//
// Thread-safety: see each class.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo::log {

// Renders "{"seq":N,<rest of line>}" from a journal line without seq (which starts with '{').
std::string withSeq(std::uint64_t seq, std::string_view line);
// The "seq" of a rendered line, or nullopt if it has none.
std::optional<std::uint64_t> seqOf(std::string_view line);

// Appends rendered lines to `path`, rotating by size: when the file would pass `max_bytes`, it
// is renamed to path.1 (path.1 to path.2, ... keeping `keep` old files) and a new file begun.
// append() writes whole lines (one write() per file) but does not fsync: the journal is the
// durable record, and after a crash the projector resumes after the last complete line here.
// Not thread-safe: one projector owns it.
class LogFileWriter {
 public:
  struct Options {
    std::uint64_t max_bytes = 64ull * 1024 * 1024;
    unsigned keep = 8;
  };
  // Errors: kUnavailable (cannot create the directory or open the file).
  static Result<LogFileWriter> open(const std::filesystem::path& path, Options options);
  LogFileWriter(LogFileWriter&&) noexcept;
  LogFileWriter& operator=(LogFileWriter&&) noexcept;
  ~LogFileWriter();

  Status append(const std::vector<std::string>& rendered_lines);
  // The seq of the last complete line in the current file (or, when it is empty, in the newest
  // rotated one); 0 when there is none. A torn last line (crash mid-write) is cut off on open.
  std::uint64_t lastSeq() const { return last_seq_; }

 private:
  LogFileWriter() = default;
  // Writes `bytes` (whole lines) at the end and fsyncs; on a failed write cuts what landed.
  Status writeLines(const std::string& bytes, std::uint64_t last_seq_in_bytes);
  // path -> path.1 -> ... -> path.keep (dropped), then a new empty path.
  Status rotate();
  std::filesystem::path path_;
  Options options_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t last_seq_ = 0;
};

// The files of a log in reading order: path.N ... path.1, path (those that exist).
std::vector<std::filesystem::path> logFilesInOrder(const std::filesystem::path& path);

// Calls `visit` with each complete line of the log (path, then path.1, path.2, ...: newest line
// first, without its '\n') until `visit` returns false or the oldest line was visited. Bytes
// after a file's last '\n' (a line being written, or torn) are skipped. Reads from the end, so
// finding the last few lines of a large log costs little. A file that disappears meanwhile
// (rotation) is skipped.
// Errors: kNotFound when neither path nor any rotated file exists; kUnavailable on I/O errors.
Status visitLinesBackward(const std::filesystem::path& path,
                          const std::function<bool(std::string_view line)>& visit);

}  // namespace iwmo::log
