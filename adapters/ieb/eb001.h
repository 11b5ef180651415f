// EB001: the iEb retourcodes (DESIGN §2.2, reference/ieb/eb001-retourcodes.tsv) with their
// meaning, for operators (`iwmo-gateway ieb rejected`, `explain`) and for `simulate-cak`.
// The published list for iEb 4.0 is longer than the part that could be read; codes marked
// `by_pattern` follow the list's "9TTT = technische regel TTT" pattern and are our inference.
// Thread-safety: constant data.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace iwmo::adapters::ieb {

struct Eb001Code {
  std::string_view code;         // "9103"
  std::string_view omschrijving;  // Dutch text of the list
  std::string_view regel;        // "TR103"; empty for 0001/0200/0233
  bool by_pattern = false;       // not in the excerpt of the list: inferred from the pattern
};

std::span<const Eb001Code> allEb001Codes();
const Eb001Code* eb001(std::string_view code);
// "9103 (StatusAanlevering heeft de waarde 2 ...)" or "XXXX (not in EB001)".
std::string describeEb001(std::string_view code);

// The codes that say "nothing wrong with this class": 0200 and 0233.
bool isNeutralRetourCode(std::string_view code);

}  // namespace iwmo::adapters::ieb
