// WMO315 Verzoek om toewijzing and WMO317 Verzoek om wijziging (and their retours 316 / 318):
// the single-message rules of rules-digest.md §3. The product-line conditions and the overlap
// check are shared with WMO301 (rules_toewijzing.cpp); CS003 is in rules_common.cpp.
#include <map>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

constexpr ProductLineSpec kAangevraagdProduct{"ToewijzingEinddatum", true, "CD095", "CS343"};
constexpr ProductLineSpec kTeWijzigenProduct{"Einddatum", false, "", "CS338"};
constexpr ProductLineSpec kNieuwProduct{"Einddatum", true, "CD096", "CS338"};

// "ReferentieAanbieder 4711" for an AangevraagdProduct; a NieuwProduct has no key of its own
// ("" : the overlap message then names it by its line).
std::string label(const RuleContext& context, const XmlElement& line) {
  const std::string_view referentie = context.text(line, "ReferentieAanbieder");
  if (referentie.empty()) return {};
  return "ReferentieAanbieder " + std::string(referentie);
}

// The product lines named `name` below `container`, with their periods, for TR386 / TR410.
std::vector<ProductPeriod> periodsOf(const RuleContext& context, const XmlElement& container,
                                     std::string_view name, std::string_view start,
                                     std::string_view end) {
  std::vector<ProductPeriod> periods;
  for (const XmlElement* line : context.tree().children(container, name)) {
    const auto begin = context.date(*line, start);
    if (!begin) continue;
    periods.push_back(
        ProductPeriod{line, label(context, *line), context.text(*line, "Product/Categorie"),
                      context.text(*line, "Product/Code"), *begin, context.date(*line, end)});
  }
  return periods;
}

// TR383: ReferentieAanbieder is unique per AangevraagdProduct within the message. It replaces
// TR101 for this class (rules_keys.cpp leaves AangevraagdProduct out).
void checkReferentieAanbieder(RuleContext& context) {
  std::map<std::string, const XmlElement*, std::less<>> seen;
  for (const XmlElement* product : context.all("AangevraagdProduct")) {
    const XmlElement* referentie = context.tree().find(*product, "ReferentieAanbieder");
    if (referentie == nullptr) continue;
    const auto [it, inserted] = seen.emplace(referentie->text, product);
    if (!inserted) {
      context.report("TR383", *referentie,
                     "ReferentieAanbieder " + referentie->text +
                         " is used by more than one AangevraagdProduct (first at line " +
                         std::to_string(it->second->line) +
                         "); give every requested product its own ReferentieAanbieder");
    }
  }
}

// CD043: BeschikkingIngangsdatum is filled if and only if BeschikkingNummer is filled.
void checkBeschikking(RuleContext& context, const XmlElement& product) {
  const XmlElement* nummer = context.tree().find(product, "BeschikkingNummer");
  const XmlElement* datum = context.tree().find(product, "BeschikkingIngangsdatum");
  if (nummer != nullptr && datum == nullptr) {
    context.report("CD043", *nummer,
                   "BeschikkingNummer " + nummer->text +
                       " without BeschikkingIngangsdatum; send the date the beschikking starts");
  } else if (nummer == nullptr && datum != nullptr) {
    context.report("CD043", *datum,
                   "BeschikkingIngangsdatum " + datum->text +
                       " without BeschikkingNummer; send both or neither");
  }
}

// CD066-CD068: for Verwijzer Type 02 (huisarts), 03 (jeugdarts), 04 (gecertificeerde
// instelling) or 05 (medisch specialist) exactly one of ZorgverlenerCode and Naam is filled; for
// any other Type ZorgverlenerCode stays empty.
// Our reading: the digest gives the three codes for the rule as a whole without saying which
// clause each one is; we number the clauses in the digest's order: CD066 = neither filled,
// CD067 = both filled, CD068 = ZorgverlenerCode with another Type.
void checkVerwijzer(RuleContext& context, const XmlElement& product) {
  const XmlElement* verwijzer = context.tree().find(product, "Verwijzer");
  if (verwijzer == nullptr) return;
  const std::string_view type = context.text(*verwijzer, "Type");
  const XmlElement* code = context.tree().find(*verwijzer, "ZorgverlenerCode");
  const XmlElement* naam = context.tree().find(*verwijzer, "Naam");
  const bool professional = type == "02" || type == "03" || type == "04" || type == "05";
  if (professional && code == nullptr && naam == nullptr) {
    context.report("CD066", *verwijzer,
                   "Verwijzer Type " + std::string(type) +
                       " has neither ZorgverlenerCode nor Naam; send the AGB code of the "
                       "verwijzer, or its Naam when no AGB code is known");
  } else if (professional && code != nullptr && naam != nullptr) {
    context.report("CD067", *naam,
                   "Verwijzer Type " + std::string(type) + " has both ZorgverlenerCode " +
                       code->text +
                       " and Naam; send only one of them (the ZorgverlenerCode "
                       "when known)");
  } else if (!professional && code != nullptr) {
    context.report("CD068", *code,
                   "Verwijzer Type " + std::string(type) + " has ZorgverlenerCode " + code->text +
                       "; a ZorgverlenerCode is only sent for Type 02, 03, 04 or 05");
  }
}

// TR352: a VOW names at least one current toewijzing (OngewijzigdProduct or TeWijzigenProduct).
// TR353: a VOW asks for a change (TeWijzigenProduct or NieuwProduct).
void checkVerzoekContent(RuleContext& context, const XmlElement& verzoek) {
  const bool ongewijzigd = context.has(verzoek, "OngewijzigdeProducten/OngewijzigdProduct");
  const bool te_wijzigen = context.has(verzoek, "TeWijzigenProducten/TeWijzigenProduct");
  const bool nieuw = context.has(verzoek, "NieuweProducten/NieuwProduct");
  if (!ongewijzigd && !te_wijzigen) {
    context.report("TR352", verzoek,
                   "the Verzoek om wijziging has no OngewijzigdProduct and no TeWijzigenProduct; "
                   "list every current toewijzing of the client in one of them");
  }
  if (!te_wijzigen && !nieuw) {
    context.report("TR353", verzoek,
                   "the Verzoek om wijziging has no TeWijzigenProduct and no NieuwProduct, so it "
                   "asks for nothing; send a change or a new product, or no VOW at all");
  }
}

// TR380 ("vullen met een datum die groter is dan de dagtekening van het bericht"; the rule names
// no element). Our reading: it is the Einddatum of a TeWijzigenProduct, strictly after the
// Dagtekening. Not GewensteIngangsdatum: TR357 (level 3, retour 9357) explicitly allows a
// GewensteIngangsdatum on or before the Dagtekening, and the official WMO317 example has
// GewensteIngangsdatum = Dagtekening in both TeWijzigenProduct and NieuwProduct. Any reading on
// GewensteIngangsdatum implies ours (Einddatum >= GewensteIngangsdatum, CS003), so we never reject
// what such a reading accepts. NieuwProduct/Einddatum is left unchecked (conservative).
void checkWijzigingEinddatum(RuleContext& context, const XmlElement& product) {
  const auto& dagtekening = context.dagtekening();
  const auto einddatum = context.date(product, "Einddatum");
  if (!dagtekening || !einddatum || *einddatum > *dagtekening) return;
  context.report("TR380", *context.tree().find(product, "Einddatum"),
                 "Einddatum " + einddatum->toString() + " of TeWijzigenProduct (ToewijzingNummer " +
                     std::string(context.text(product, "ToewijzingNummer")) +
                     ") is not after the Dagtekening " + dagtekening->toString() +
                     "; a verzoek om wijziging can only ask for an Einddatum after the day it "
                     "is sent");
}

void checkVerzoekOmToewijzing(RuleContext& context) {
  checkReferentieAanbieder(context);
  for (const XmlElement* producten : context.all("AangevraagdeProducten")) {
    for (const XmlElement* product : context.tree().children(*producten, "AangevraagdProduct")) {
      checkBeschikking(context, *product);
      checkVerwijzer(context, *product);
      checkProductLine(context, *product, kAangevraagdProduct);
    }
    checkProductOverlaps(context, "TR386",
                         periodsOf(context, *producten, "AangevraagdProduct",
                                   "ToewijzingIngangsdatum", "ToewijzingEinddatum"));
  }
}

void checkVerzoekOmWijziging(RuleContext& context) {
  for (const XmlElement* verzoek : context.all("Verzoek")) checkVerzoekContent(context, *verzoek);
  for (const XmlElement* product : context.all("TeWijzigenProduct")) {
    checkProductLine(context, *product, kTeWijzigenProduct);
    // The Dagtekening rule concerns the heen message; a retour echoes it unchanged.
    if (!context.type().is_retour) checkWijzigingEinddatum(context, *product);
  }
  for (const XmlElement* producten : context.all("NieuweProducten")) {
    for (const XmlElement* product : context.tree().children(*producten, "NieuwProduct")) {
      checkProductLine(context, *product, kNieuwProduct);
    }
    // TR410: the NieuwProducten among themselves (TR361, against the current toewijzingen, is
    // level 3).
    checkProductOverlaps(
        context, "TR410",
        periodsOf(context, *producten, "NieuwProduct", "GewensteIngangsdatum", "Einddatum"));
  }
}

}  // namespace

void checkVerzoekRules(RuleContext& context) {
  if (context.isFamily("WMO315")) checkVerzoekOmToewijzing(context);
  if (context.isFamily("WMO317")) checkVerzoekOmWijziging(context);
}

}  // namespace iwmo::adapters::iwmo::rules
