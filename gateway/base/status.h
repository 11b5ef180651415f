// Status: the outcome of an operation that can fail, as a value (STYLE.md §2.4, after Abseil's
// absl::Status). A rejected *message* is not a failed operation: validation that works returns a
// negative Verdict inside the Envelope; a Status means "could not do the job".
//
// Each code tells the caller what to do:
//   kInvalid            bad input or arguments; never retry the same call
//   kNotFound           a named thing (file, directory, id) does not exist
//   kDuplicate          already done; drop this one
//   kUnavailable        transient (I/O, peer); retry with backoff
//   kFailedPrecondition config or state must be fixed first
//   kDataLoss           stored data damaged; alert and stop
//   kAborted            not done because something it depended on failed; redo the whole unit
//                       of work it belongs to (Abseil's kAborted)
//   kInternal           a bug of ours
//
// Thread-safety: a Status is a value; distinct objects may be used from distinct threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace iwmo {

enum class StatusCode {
  kOk,
  kInvalid,
  kNotFound,
  kDuplicate,
  kUnavailable,
  kFailedPrecondition,
  kDataLoss,
  kAborted,
  kInternal,
};

std::string_view statusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }
  static Status invalid(std::string message) { return {StatusCode::kInvalid, std::move(message)}; }
  static Status notFound(std::string message) { return {StatusCode::kNotFound, std::move(message)}; }
  static Status duplicate(std::string message) { return {StatusCode::kDuplicate, std::move(message)}; }
  static Status unavailable(std::string message) {
    return {StatusCode::kUnavailable, std::move(message)};
  }
  static Status failedPrecondition(std::string message) {
    return {StatusCode::kFailedPrecondition, std::move(message)};
  }
  static Status dataLoss(std::string message) { return {StatusCode::kDataLoss, std::move(message)}; }
  static Status aborted(std::string message) { return {StatusCode::kAborted, std::move(message)}; }
  static Status internal(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

  bool isOk() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string toString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace iwmo

// Early return of a non-OK Status (db/db_impl.cc style propagation).
#define IWMO_RETURN_IF_ERROR(expr)        \
  do {                                    \
    ::iwmo::Status iwmo_status_ = (expr); \
    if (!iwmo_status_.isOk()) return iwmo_status_; \
  } while (false)
