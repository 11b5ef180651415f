#include "adapters/stuf/stuf_types.h"

#include <algorithm>
#include <array>

namespace iwmo::adapters::stuf {

std::string_view berichtKindName(BerichtKind kind) {
  switch (kind) {
    case BerichtKind::Di01:
      return "Di01";
    case BerichtKind::Du01:
      return "Du01";
    case BerichtKind::Fo01:
      return "Fo01";
    case BerichtKind::Unknown:
      break;
  }
  return "unknown";
}

OrganisatieKind classifyOrganisatie(std::string_view organisatie) {
  const bool digits = !organisatie.empty() &&
                      std::all_of(organisatie.begin(), organisatie.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (digits && organisatie.size() == 4) return OrganisatieKind::Gemeente;
  if (digits && organisatie.size() == 8) return OrganisatieKind::Agb;
  // [SPEC4] p.13-18: fixed values of the chain parties.
  static constexpr std::array<std::string_view, 8> kFixed = {"SVB",    "CAK", "CBS",  "UWV",
                                                             "VWS", "VECOZO", "IB", "RINIS"};
  if (std::find(kFixed.begin(), kFixed.end(), organisatie) != kFixed.end()) {
    return OrganisatieKind::Fixed;
  }
  return OrganisatieKind::Invalid;
}

}  // namespace iwmo::adapters::stuf
