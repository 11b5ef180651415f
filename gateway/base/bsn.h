// Burgerservicenummer checks (CS002). The XSD already fixes the form ([0-9]{9}, RS037); the
// elfproef is code: (9*d1 + 8*d2 + ... + 2*d8 - 1*d9) mod 11 == 0. The test range
// 999900006-999999990 satisfies it too. Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace iwmo {

// True when `bsn` is nine ASCII digits that pass the elfproef. All zeros is rejected (it passes
// the arithmetic but is never issued).
bool isValidBsn(std::string_view bsn);

}  // namespace iwmo
