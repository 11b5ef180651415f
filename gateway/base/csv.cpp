#include "gateway/base/csv.h"

#include <algorithm>

#include "gateway/base/utf8.h"

namespace iwmo {

Result<CsvTable> CsvTable::parse(std::string_view text, std::string_view file) {
  CsvTable table;
  table.file_ = std::string(file);
  const auto error = [&](std::size_t line, const std::string& what) {
    return Status::invalid(std::string(file) + ":" + std::to_string(line) + ": " + what);
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // spreadsheet exports add a BOM
  // What is imported travels in protobuf strings to the workers, which must be UTF-8 (issue 16).
  if (const std::size_t bad = firstInvalidUtf8(text); bad != std::string_view::npos) {
    const std::size_t bad_line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(text[bad]);
    return error(bad_line, std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xF] +
                               " is not UTF-8; save the file as UTF-8 (it was probably saved as Latin-1 or "
                               "Windows-1252) and import it again");
  }
  std::size_t pos = 0;
  std::size_t line = 1;
  bool have_header = false;
  while (pos < text.size()) {
    // Comments and blank lines before the header; blank lines anywhere.
    if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n')) {
      pos += text[pos] == '\r' ? 2u : 1u;
      ++line;
      continue;
    }
    if (!have_header && text[pos] == '#') {
      const auto end = text.find('\n', pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      ++line;
      continue;
    }
    Row row;
    row.line = line;
    std::string field;
    bool row_done = false;
    while (!row_done) {
      field.clear();
      if (pos < text.size() && text[pos] == '"') {
        ++pos;
        while (true) {
          if (pos >= text.size()) return error(row.line, "a quoted field is not closed (missing \")");
          const char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field += '"';
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          return error(line, "text after a closing quote; write a quote inside a quoted field as \"\"");
        }
      } else {
        while (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
          if (text[pos] == '"') return error(line, "a quote inside an unquoted field; quote the whole field");
          field += text[pos++];
        }
      }
      row.fields.push_back(field);
      if (pos >= text.size()) {
        row_done = true;
      } else if (text[pos] == ',') {
        ++pos;
      } else {
        if (text[pos] == '\r') {
          if (pos + 1 >= text.size() || text[pos + 1] != '\n') return error(line, "a bare carriage return");
          ++pos;
        }
        ++pos;
        ++line;
        row_done = true;
      }
    }
    if (!have_header) {
      table.header_ = std::move(row.fields);
      table.header_line_ = row.line;
      have_header = true;
      continue;
    }
    if (row.fields.size() != table.header_.size()) {
      return error(row.line, "has " + std::to_string(row.fields.size()) + " fields, the header has " +
                                 std::to_string(table.header_.size()));
    }
    table.rows_.push_back(std::move(row));
  }
  if (!have_header) return Status::invalid(std::string(file) + ": empty: no header line");
  return table;
}

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

Status CsvTable::requireColumns(const std::vector<std::string>& names) const {
  std::string missing;
  for (const auto& name : names) {
    if (!column(name)) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (missing.empty()) return Status::ok();
  std::string expected;
  for (const auto& name : names) expected += (expected.empty() ? "" : ",") + name;
  return Status::invalid(file_ + ":" + std::to_string(header_line_) + ": the header lacks column(s) " + missing + "; expected a header line like: " +
                         expected);
}

}  // namespace iwmo
