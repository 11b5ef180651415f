// Result<T>: a T or a non-OK Status, never "OK and empty" (STYLE.md §2.4; absl::StatusOr, shaped
// like C++23 std::expected so it can be swapped for it later).
//
//   Result<SchemaSet> set = SchemaSet::load(dir);
//   if (!set) return set.status();
//   use(*set);
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "gateway/base/status.h"

namespace iwmo {

template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.isOk(). An OK status without a value is a bug; it becomes kInternal.
  Result(Status status) : value_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(value_).isOk()) value_ = Status::internal("Result built from an OK status");
  }
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)

  bool hasValue() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return hasValue(); }

  // The error; OK when a value is held.
  Status status() const { return hasValue() ? Status::ok() : std::get<Status>(value_); }

  // REQUIRES: hasValue().
  T& value() & {
    assert(hasValue());
    return std::get<T>(value_);
  }
  const T& value() const& {
    assert(hasValue());
    return std::get<T>(value_);
  }
  T&& value() && {
    assert(hasValue());
    return std::get<T>(std::move(value_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> value_;
};

}  // namespace iwmo
