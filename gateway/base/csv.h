// CsvTable: a strict reader for the CSV files operators import (RFC 4180: comma-separated,
// fields in double quotes may hold commas, quotes ("") and line breaks; CRLF or LF). Lines that
// start with '#' before the header are comments. The first non-comment line is the header; every
// row must have exactly as many fields, and every error names the line, so an operator can fix
// the file. Written by hand: the one Debian CSV library (libcsv) is unmaintained since 2013 and
// reports no line numbers; this is the one format we need.
// Thread-safety: value type.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo {

class CsvTable {
 public:
  struct Row {
    std::size_t line = 0;  // 1-based line where the row starts
    std::vector<std::string> fields;
  };

  // Errors: kInvalid with "FILE:LINE: what is wrong" (`file` is used in messages only).
  static Result<CsvTable> parse(std::string_view text, std::string_view file);

  const std::vector<std::string>& header() const { return header_; }
  const std::vector<Row>& rows() const { return rows_; }
  // Index of a header column, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
  // kInvalid naming the missing columns unless the header has every one of `names`.
  Status requireColumns(const std::vector<std::string>& names) const;

 private:
  std::string file_;
  std::size_t header_line_ = 1;
  std::vector<std::string> header_;
  std::vector<Row> rows_;
};

}  // namespace iwmo
