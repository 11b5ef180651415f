// RowChecker: the checks every imported CSV row shares (BSN elfproef without echoing a BSN,
// municipality codes, dates, order), collecting "FILE:LINE: what" problems. Internal to
// gateway/reference_data.
// Thread-safety: one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/base/bsn.h"
#include "gateway/base/csv.h"
#include "gateway/base/date.h"
#include "gateway/reference_data/reference_rows.h"
#include "gateway/rules/gemeente_table.h"

namespace iwmo::reference_data {

inline constexpr std::size_t kMaxReported = 50;

class RowChecker {
 public:
  RowChecker(const std::string& file, const rules::GemeenteTable& table) : file_(file), table_(table) {}

  void problem(std::size_t line, const std::string& what) {
    ++count_;
    if (problems_.size() < kMaxReported) problems_.push_back(file_ + ":" + std::to_string(line) + ": " + what);
  }
  std::size_t count() const { return count_; }
  const std::vector<std::string>& problems() const { return problems_; }

  // Never echoes the value: an almost-right BSN is still a BSN (non-negotiable 5).
  std::string bsn(std::size_t line, const std::string& text) {
    if (isValidBsn(text)) return text;
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    if (digits && text.size() == 8) {
      problem(line, "bsn has 8 digits: a leading zero was probably lost (a spreadsheet does that); export it as text");
    } else if (digits && text.size() == 9) {
      problem(line, "bsn fails the elfproef (the BSN check); check the export");
    } else if (text.empty()) {
      problem(line, "bsn is empty");
    } else {
      problem(line, "bsn is not nine digits (" + std::to_string(text.size()) + " characters); are the columns in the right order?");
    }
    return text;
  }
  // A field's value for a message, unless it could be a BSN (8 or more digits): then only its length.
  static std::string shown(const std::string& text) {
    const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    // Appended piece by piece: GCC 12's false -Wrestrict on operator+ chains at -O3 (PR 105329).
    std::string out;
    if (digits && text.size() >= 8) return out.append("(").append(std::to_string(text.size())).append(" digits, not shown)");
    return out.append("'").append(text).append("'");
  }
  std::string gemeente(std::size_t line, const std::string& column, const std::string& text) {
    if (!table_.find(text)) {
      problem(line, column + " " + shown(text) + " is not a municipality code that ever existed (four-digit CBS code; 1999 = RNI)");
    }
    return text;
  }
  std::optional<Date> date(std::size_t line, const std::string& column, const std::string& text, bool optional) {
    if (text.empty() && optional) return std::nullopt;
    const auto parsed = Date::parse(text);
    if (!parsed) {
      problem(line, column + " " + shown(text) + " is not a date (YYYY-MM-DD)" + (optional ? "; leave it empty when open" : ""));
    }
    return parsed;
  }
  void order(std::size_t line, const std::optional<Date>& begin, const std::optional<Date>& end, bool end_exclusive) {
    if (begin && end && (end_exclusive ? *end <= *begin : *end < *begin)) {
      problem(line, "end " + end->toString() + " is " + (end_exclusive ? "not after" : "before") + " begin " +
                        begin->toString() + (end_exclusive ? " (a BRP period's end is the first day of the next period)" : ""));
    }
  }
  std::string required(std::size_t line, const std::string& column, const std::string& text) {
    if (text.empty()) problem(line, column + " is empty");
    return text;
  }

 private:
  std::string file_;
  const rules::GemeenteTable& table_;
  std::vector<std::string> problems_;
  std::size_t count_ = 0;

 public:
  RowProblems take() { return {std::move(problems_), count_}; }
};

// A row's field by column name ("" when the file has no such column).
inline std::string field(const CsvTable& csv, const CsvTable::Row& row, const char* name) {
  const auto column = csv.column(name);
  return column ? row.fields[*column] : std::string();
}

}  // namespace iwmo::reference_data
