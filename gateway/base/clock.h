// Clock and Timestamp: time as an injected dependency (STYLE.md §2.9). The daemon uses
// SystemClock; replay uses a LogicalClock so the same batch gives byte-identical outputs; tests
// use ManualClock. Timestamps are microseconds since the Unix epoch, UTC.
// Thread-safety: SystemClock and LogicalClock are thread-safe; ManualClock is guarded by a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace iwmo {

struct Timestamp {
  std::int64_t micros = 0;  // since 1970-01-01T00:00:00Z

  static Timestamp fromSeconds(std::int64_t seconds) { return {seconds * 1000000}; }
  std::int64_t seconds() const { return micros / 1000000; }
  Timestamp plusMillis(std::int64_t ms) const { return {micros + ms * 1000}; }

  // "2026-12-01T18:20:17.123456Z" (always microseconds, always Z).
  std::string toIso8601() const;
  // Parses what toIso8601 prints, and also without fraction ("...T18:20:17Z").
  static std::optional<Timestamp> parseIso8601(std::string_view text);

  friend bool operator==(const Timestamp&, const Timestamp&) = default;
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() = 0;
};

// Wall-clock time (CLOCK_REALTIME).
class SystemClock final : public Clock {
 public:
  Timestamp now() override;
};

// Replay time: starts at `start` and advances exactly `step_micros` per call, so the n-th
// reading is start + n*step regardless of how fast the machine is.
class LogicalClock final : public Clock {
 public:
  explicit LogicalClock(Timestamp start, std::int64_t step_micros = 1000)
      : next_(start.micros), step_(step_micros) {}
  Timestamp now() override { return {next_.fetch_add(step_)}; }

 private:
  std::atomic<std::int64_t> next_;
  std::int64_t step_;
};

// Tests: time stands still until advanced.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_(start) {}
  Timestamp now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void advanceMillis(std::int64_t ms) {
    std::lock_guard lock(mutex_);
    now_ = now_.plusMillis(ms);
  }
  void set(Timestamp t) {
    std::lock_guard lock(mutex_);
    now_ = t;
  }

 private:
  std::mutex mutex_;
  Timestamp now_;
};

}  // namespace iwmo
