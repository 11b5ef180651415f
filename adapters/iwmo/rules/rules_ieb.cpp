// iEb WMO405-WMO408 single-message rules (level 2, retour 0001): CS332 (no period date before
// 2020-01-01, the start of iEb) and TR101 (a period key, Bsn + EbStartNummer / BwStartNummer,
// at most once per message). Cross-message rules (TR102-TR104, TR063, TR071, TR328-TR330,
// TR393/TR395, OP371) need the CAK's state: `iwmo-gateway simulate-cak` checks them.
#include <set>
#include <utility>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {

void checkIebRules(RuleContext& context) {
  if (context.type().standard != "ieb") return;
  const Date first_day = Date::fromYmd(2020, 1, 1);
  for (std::string_view name : {"EbStartdatum", "EbStopdatum", "BwStartdatum", "BwStopdatum",
                                "KostprijsStartdatum"}) {
    for (const XmlElement* element : context.all(name)) {
      const auto date = Date::parse(element->text);
      if (date && *date < first_day) {
        context.report("CS332", *element,
                       std::string(name) + " " + date->toString() +
                           " lies before 2020-01-01; iEb periods cannot start or end before the "
                           "eigen bijdrage moved to the municipalities (CS332)");
      }
    }
  }
  std::set<std::pair<std::string, std::string>> keys;
  for (const XmlElement* client : context.all("Client")) {
    std::string nummer(context.text(*client, "PeriodeEigenBijdrageAbo/EbStartNummer"));
    if (nummer.empty()) nummer = context.text(*client, "PeriodeEigenBijdrageBw/BwStartNummer");
    if (!keys.emplace(std::string(context.text(*client, "Bsn")), nummer).second) {
      context.report("TR101", *client,
                     "this Client repeats the period key (Bsn and start number " + nummer +
                         ") of an earlier Client in the same message; send one record per period");
    }
  }
}

}  // namespace iwmo::adapters::iwmo::rules
