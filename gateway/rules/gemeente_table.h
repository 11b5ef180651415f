// GemeenteTable: Dutch municipality codes over time (DESIGN §4, rules.md §2 P1), so the
// responsibility rules compare the code valid on the reference date, whatever year a BRP period
// or an episode was recorded in. Built from text (config/gemeenten.csv: code, name, valid_from,
// valid_until, successors); the caller reads the file.
//
// normalise(code, date):
//   - a code valid on `date` stays as it is;
//   - a code that ended on or before `date` follows its successor(s), transitively
//     (0457 Weesp → 0363 Amsterdam on 2022-03-24; 0241 Groesbeek → 1945 Berg en Dal);
//   - a split municipality (several successors) needs the address: the caller's split-address map
//     decides, otherwise the result is kSplit with the candidates (flag MANUAL_SPLIT);
//   - a code that ended without a known successor (before 2013) is kUnmapped;
//   - a code that never existed is kUnknown (the caller rejects the input).
// Thread-safety: immutable after build; normalise() is const and pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/date.h"
#include "gateway/base/result.h"

namespace iwmo::rules {

struct GemeenteRecord {
  std::string code;  // four digits
  std::string name;
  Date valid_from = Date::fromYmd(1970, 1, 1);
  std::optional<Date> valid_until;      // first day no longer valid; nullopt = still valid
  std::vector<std::string> successors;  // on valid_until; several = split
};

struct NormalisedCode {
  enum class Kind { kValid, kSplit, kUnmapped, kUnknown };
  Kind kind = Kind::kUnknown;
  std::string code;                     // kValid: the code valid on the date
  std::vector<std::string> candidates;  // kSplit: where the split municipality's parts went
  std::vector<std::string> trail;       // "0457 Weesp → 0363 Amsterdam on 2022-03-24"
};

// BRP code of the RNI (no Dutch address); always in the table (build() adds it).
inline constexpr const char* kRniCode = "1999";

class GemeenteTable {
 public:
  // Errors: kInvalid naming the line (duplicate code, bad date, unknown successor, a cycle).
  static Result<GemeenteTable> parse(std::string_view csv_text, std::string_view file);
  // `failing_code`, when given, receives the code an error is about.
  static Result<GemeenteTable> build(std::vector<GemeenteRecord> records, std::string* failing_code = nullptr);

  const GemeenteRecord* find(std::string_view code) const;
  // "0363 Amsterdam" (or the code alone when unknown).
  std::string label(std::string_view code) const;
  // `split_addresses` maps an address id to the code its part went to (config); `address` is the
  // address the code was recorded with (may be empty).
  NormalisedCode normalise(std::string_view code, Date on,
                           const std::map<std::string, std::string>& split_addresses = {},
                           std::string_view address = {}) const;
  std::size_t size() const { return records_.size(); }

 private:
  std::map<std::string, GemeenteRecord, std::less<>> records_;
};

}  // namespace iwmo::rules
