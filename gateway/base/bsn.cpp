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

}  // namespace iwmo
