// Burgerservicenummer checks (CS002). The XSD already fixes the form ([0-9]{9}, RS037); the
// elfproef is code: (9*d1 + 8*d2 + ... + 2*d8 - 1*d9) mod 11 == 0. The test range
// 999900006-999999990 satisfies it too. Thread-safety: pure functions.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace iwmo {

// True when `bsn` is nine ASCII digits that pass the elfproef. All zeros is rejected (it passes
// the arithmetic but is never issued).
bool isValidBsn(std::string_view bsn);

// What may be shown in place of a BSN as it stood in a message (valid or not): the routing log's
// keyed pseudonym "h:0123456789abcdef" (gateway/log/bsn_hasher.h), or a fixed mask.
using BsnPseudonymiser = std::function<std::string(std::string_view bsn)>;

// `text` with every occurrence of each of `bsns` that stands alone (no digit right before or
// after it) replaced by pseudonymise(bsn) (non-negotiable 5: findings, reports and `explain`
// show no BSN in clear; issue 16). Values that are not all digits or shorter than 6 are left
// alone: they identify nobody and would match inside other numbers (a line number, a date).
std::string hideBsns(std::string_view text, const std::vector<std::string>& bsns,
                     const BsnPseudonymiser& pseudonymise);

}  // namespace iwmo
