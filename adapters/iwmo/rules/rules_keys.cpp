// TR101: no duplicate lines. For each class, its logical key (rules-digest.md §6, "Sleutelelement
// = ja") together with the keys of its parent classes is unique within the message. Classes are
// compared among the children of one container element, which carries the parent keys (e.g. the
// Prestaties of one Client in WMO323).
#include <array>
#include <map>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

struct KeyRule {
  std::string_view family;     // heen message; the rule also covers its retour
  std::string_view container;  // parent element whose children are compared
  std::string_view element;    // the class
  std::array<std::string_view, 6> key;  // key paths below the class; empty = unused
};

// WMO315 AangevraagdProduct (key ReferentieAanbieder) is not listed: TR383 states exactly that
// uniqueness for the class and is reported instead (rules_verzoek.cpp), not both.
constexpr std::array<KeyRule, 12> kKeys{{
    {"WMO301", "Relaties", "Relatie", {"Nummer"}},
    {"WMO301", "Contactgegevens", "Contact", {"Soort"}},
    {"WMO301", "ToegewezenProducten", "ToegewezenProduct", {"ToewijzingNummer"}},
    {"WMO305", "StartProducten", "StartProduct",
     {"ToewijzingNummer", "Product/Categorie", "Product/Code", "Begindatum"}},
    {"WMO307", "StopProducten", "StopProduct",
     {"ToewijzingNummer", "Product/Categorie", "Product/Code", "Begindatum", "RedenBeeindiging",
      "Einddatum"}},
    {"WMO317", "OngewijzigdeProducten", "OngewijzigdProduct", {"ToewijzingNummer"}},
    {"WMO317", "TeWijzigenProducten", "TeWijzigenProduct", {"ToewijzingNummer"}},
    {"WMO317", "NieuweProducten", "NieuwProduct",
     {"Product/Categorie", "Product/Code", "GewensteIngangsdatum"}},
    {"WMO323", "Clienten", "Client", {"Bsn"}},
    {"WMO323", "Prestaties", "Prestatie",
     {"ProductReferentie/ReferentieNummer", "ProductReferentie/VorigReferentieNummer"}},
    {"WMO325", "Clienten", "Client", {"Bsn"}},
    {"WMO325", "Prestaties", "Prestatie",
     {"ProductReferentie/ReferentieNummer", "ProductReferentie/VorigReferentieNummer"}},
}};

std::string describeKey(const RuleContext& context, const XmlElement& element, const KeyRule& rule) {
  std::string out;
  for (std::string_view path : rule.key) {
    if (path.empty()) break;
    if (!out.empty()) out += ", ";
    const std::size_t slash = path.rfind('/');
    out += path.substr(slash == std::string_view::npos ? 0 : slash + 1);
    out += '=';
    const std::string_view value = context.text(element, path);
    out += value.empty() ? std::string_view("(empty)") : value;
  }
  return out;
}

}  // namespace

void checkKeyUniqueness(RuleContext& context) {
  for (const KeyRule& rule : kKeys) {
    if (!context.isFamily(rule.family)) continue;
    for (const XmlElement* container : context.all(rule.container)) {
      std::map<std::string, const XmlElement*> seen;
      for (const XmlElement* element : context.tree().children(*container, rule.element)) {
        std::string key;
        for (std::string_view path : rule.key) {
          if (path.empty()) break;
          key += context.text(*element, path);
          key += '\x1f';
        }
        auto [it, inserted] = seen.emplace(std::move(key), element);
        if (!inserted) {
          context.report("TR101", *element,
                         std::string(rule.element) + " with key (" +
                             describeKey(context, *element, rule) +
                             ") occurs more than once in the message (first at line " +
                             std::to_string(it->second->line) + "); send each line once");
        }
      }
    }
  }
}

}  // namespace iwmo::adapters::iwmo::rules
