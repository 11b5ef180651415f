#include "gateway/rules/gemeente_table.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "gateway/base/csv.h"

namespace iwmo::rules {
namespace {

bool isCode(std::string_view text) {
  if (text.size() != 4) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

Result<GemeenteTable> GemeenteTable::parse(std::string_view csv_text, std::string_view file) {
  auto csv = CsvTable::parse(csv_text, file);
  if (!csv) return csv.status();
  const std::vector<std::string> columns = {"code", "name", "valid_from", "valid_until", "successors"};
  if (Status s = csv->requireColumns(columns); !s.isOk()) return s;
  const auto col = [&](const char* name) { return *csv->column(name); };
  std::vector<GemeenteRecord> records;
  std::map<std::string, std::size_t> lines;  // code -> line of its (first) row
  for (const auto& row : csv->rows()) {
    const auto at = [&](const std::string& what) {
      return Status::invalid(std::string(file) + ":" + std::to_string(row.line) + ": " + what);
    };
    GemeenteRecord record;
    record.code = row.fields[col("code")];
    record.name = row.fields[col("name")];
    if (!isCode(record.code)) return at("code '" + record.code + "' is not four digits");
    const auto from = Date::parse(row.fields[col("valid_from")]);
    if (!from) return at("valid_from '" + row.fields[col("valid_from")] + "' is not a date (YYYY-MM-DD)");
    record.valid_from = *from;
    if (const std::string& until = row.fields[col("valid_until")]; !until.empty()) {
      const auto parsed = Date::parse(until);
      if (!parsed) return at("valid_until '" + until + "' is not a date (YYYY-MM-DD); leave it empty while valid");
      record.valid_until = *parsed;
    }
    std::istringstream successors(row.fields[col("successors")]);
    for (std::string successor; successors >> successor;) {
      if (!isCode(successor)) return at("successor '" + successor + "' is not a four-digit code");
      record.successors.push_back(successor);
    }
    if (!record.successors.empty() && !record.valid_until) {
      return at("code " + record.code + " has successors but no valid_until (the day they took over)");
    }
    if (!lines.emplace(record.code, row.line).second) {
      return at("code " + record.code + " appears twice (first on line " + std::to_string(lines[record.code]) + ")");
    }
    records.push_back(std::move(record));
  }
  std::string failing_code;
  auto built = build(std::move(records), &failing_code);
  if (!built) {
    const auto line = lines.find(failing_code);
    return Status::invalid(std::string(file) + (line == lines.end() ? "" : ":" + std::to_string(line->second)) + ": " +
                           built.status().message());
  }
  return built;
}

Result<GemeenteTable> GemeenteTable::build(std::vector<GemeenteRecord> records, std::string* failing_code) {
  GemeenteTable table;
  const auto fail = [&](const std::string& code, std::string message) {
    if (failing_code) *failing_code = code;
    return Status::invalid(std::move(message));
  };
  for (auto& record : records) {
    const std::string code = record.code;
    if (!table.records_.emplace(code, std::move(record)).second) return fail(code, "code " + code + " appears twice");
  }
  // BRP Landelijke Tabel 33 has 1999 for the RNI (registered as not resident: no Dutch
  // address); it is not a municipality, but BRP histories use it, so it is always known.
  if (!table.records_.count(kRniCode)) {
    GemeenteRecord rni;
    rni.code = kRniCode;
    rni.name = "RNI (Registratie Niet-ingezetenen)";
    rni.valid_from = Date::fromYmd(1994, 10, 1);
    table.records_.emplace(rni.code, std::move(rni));
  }
  for (const auto& [code, record] : table.records_) {
    for (const auto& successor : record.successors) {
      if (!table.records_.count(successor)) {
        return fail(code, "code " + code + " names successor " + successor + ", which is not in the table");
      }
    }
    // A successor chain must end: follow every path and refuse a cycle.
    std::set<std::string> seen = {code};
    std::vector<std::string> frontier = record.successors;
    while (!frontier.empty()) {
      const std::string next = frontier.back();
      frontier.pop_back();
      if (!seen.insert(next).second) {
        if (next == code) return fail(code, "code " + code + " is its own successor (a cycle)");
        continue;
      }
      for (const auto& s : table.records_.at(next).successors) frontier.push_back(s);
    }
  }
  return table;
}

const GemeenteRecord* GemeenteTable::find(std::string_view code) const {
  const auto it = records_.find(code);
  return it == records_.end() ? nullptr : &it->second;
}

std::string GemeenteTable::label(std::string_view code) const {
  const GemeenteRecord* record = find(code);
  return record ? record->code + " " + record->name : std::string(code);
}

NormalisedCode GemeenteTable::normalise(std::string_view code, Date on,
                                        const std::map<std::string, std::string>& split_addresses,
                                        std::string_view address) const {
  NormalisedCode result;
  const GemeenteRecord* record = find(code);
  if (!record) {
    result.kind = NormalisedCode::Kind::kUnknown;
    result.trail.push_back("code " + std::string(code) + " is not a municipality code that ever existed");
    return result;
  }
  // At most one step per record (the build refused cycles), so this ends.
  for (std::size_t steps = 0; steps <= records_.size(); ++steps) {
    if (!record->valid_until || on < *record->valid_until) {
      result.kind = NormalisedCode::Kind::kValid;
      result.code = record->code;
      return result;
    }
    const std::string ended = label(record->code) + " ended on " + record->valid_until->toString();
    if (record->successors.empty()) {
      result.kind = NormalisedCode::Kind::kUnmapped;
      result.trail.push_back(ended + "; its successor is not in the municipality table");
      return result;
    }
    std::string next = record->successors.front();
    if (record->successors.size() > 1) {
      const auto mapped = address.empty() ? split_addresses.end() : split_addresses.find(std::string(address));
      std::string parts;
      for (const auto& s : record->successors) parts += (parts.empty() ? "" : ", ") + label(s);
      if (mapped == split_addresses.end()) {
        result.kind = NormalisedCode::Kind::kSplit;
        result.candidates = record->successors;
        result.trail.push_back(ended + " and was split over " + parts +
                               "; which part depends on the address" +
                               (address.empty() ? std::string() : " (" + std::string(address) + ")") +
                               ", and no split-address mapping gives it");
        return result;
      }
      next = mapped->second;
      if (std::find(record->successors.begin(), record->successors.end(), next) == record->successors.end()) {
        result.kind = NormalisedCode::Kind::kSplit;
        result.candidates = record->successors;
        result.trail.push_back(ended + " and was split over " + parts + "; split_addresses maps " + std::string(address) +
                               " to " + label(next) + ", which is not one of the parts: fix the mapping");
        return result;
      }
      result.trail.push_back(ended + " and was split over " + parts + "; address " + std::string(address) +
                             " is mapped to " + label(next));
      const GemeenteRecord* target = find(next);
      if (!target) {
        result.kind = NormalisedCode::Kind::kUnknown;
        result.trail.push_back("the split-address mapping names " + next + ", which is not a municipality code");
        return result;
      }
      record = target;
      continue;
    }
    result.trail.push_back(ended + "; " + label(next) + " took over");
    record = find(next);
  }
  result.kind = NormalisedCode::Kind::kUnmapped;  // unreachable: the table has no cycles
  return result;
}

}  // namespace iwmo::rules
