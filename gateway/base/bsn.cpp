#include "gateway/base/bsn.h"

namespace iwmo {

bool isValidBsn(std::string_view bsn) {
  if (bsn.size() != 9) return false;
  int sum = 0;
  bool all_zero = true;
  for (std::size_t i = 0; i < 9; ++i) {
    const char c = bsn[i];
    if (c < '0' || c > '9') return false;
    const int digit = c - '0';
    all_zero = all_zero && digit == 0;
    const int weight = i == 8 ? -1 : static_cast<int>(9 - i);
    sum += weight * digit;
  }
  return !all_zero && sum % 11 == 0;
}

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool maybeBsn(std::string_view value) {
  if (value.size() < 6) return false;
  for (char c : value) {
    if (!isDigit(c)) return false;
  }
  return true;
}

}  // namespace

std::string hideBsns(std::string_view text, const std::vector<std::string>& bsns,
                     const BsnPseudonymiser& pseudonymise) {
  std::string out(text);
  for (const std::string& bsn : bsns) {
    if (!maybeBsn(bsn)) continue;
    std::string replacement;
    for (std::size_t at = out.find(bsn); at != std::string::npos; at = out.find(bsn, at)) {
      const std::size_t end = at + bsn.size();
      const bool alone = (at == 0 || !isDigit(out[at - 1])) && (end == out.size() || !isDigit(out[end]));
      if (!alone) {
        at = end;
        continue;
      }
      if (replacement.empty()) replacement = pseudonymise(bsn);
      out.replace(at, bsn.size(), replacement);
      at += replacement.size();
    }
  }
  return out;
}

}  // namespace iwmo
