// WMO323 Declaratie and WMO325 Declaratie-antwoord: the single-message rules of rules-digest.md §3
// on the Prestaties, their periods and amounts. The TR101 keys are in rules_keys.cpp, CS002 in
// rules_common.cpp.
// Not here: TR346 (IngediendBedrag = GeleverdVolume x ProductTarief, retour 9346) and TR418
// (ProductTarief = contract tariff, 0611) are level 4: they need the contracted tariff (and, for
// minutes, its conversion), which one message does not carry. The level-3 declaration rules
// (TR307 ...) need earlier messages.
#include <map>
#include <set>
#include <tuple>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

// CS100: the first day a declaratie may concern.
const Date kFirstDeclarableDay = Date::fromYmd(2021, 1, 1);

// TR335: how many years a ProductPeriode may lie before the DeclaratieDagtekening.
constexpr int kDeclarableYears = 5;

// An amount with its DebetCredit (CDT_BedragMetDC, CDT_TotaalBedragMetDC) as a signed value:
// debit counts +, credit counts - (TR358). nullopt when the amount is absent.
std::optional<std::int64_t> signedAmount(const RuleContext& context, const XmlElement& element) {
  auto amount = context.integer(element, "Bedrag");
  if (!amount) amount = context.integer(element, "TotaalBedrag");
  if (!amount) return std::nullopt;
  return context.text(element, "DebetCredit") == "C" ? -*amount : *amount;
}

// "12,34 (debet)" for the messages: amounts are in eurocent.
std::string euro(std::int64_t cents) {
  const std::int64_t abs = cents < 0 ? -cents : cents;
  std::string part = std::to_string(abs % 100);
  if (part.size() < 2) part.insert(0, 1, '0');
  return std::to_string(abs / 100) + "," + part + (cents < 0 ? " (credit)" : " (debet)");
}

std::string describePrestatie(const RuleContext& context, const XmlElement& prestatie) {
  return "Prestatie " + std::string(context.text(prestatie, "ProductReferentie/ReferentieNummer"));
}

// True when `b` repeats the line `a` with its whole TR101 key (ProductReferentie, in the same
// Prestaties): rules_keys.cpp reports that duplicate as TR101, so TR315 / TR416 stay silent.
bool sameLine(const RuleContext& context, const XmlElement& a, const XmlElement& b) {
  return a.parent == b.parent &&
         context.text(a, "ProductReferentie/ReferentieNummer") ==
             context.text(b, "ProductReferentie/ReferentieNummer") &&
         context.text(a, "ProductReferentie/VorigReferentieNummer") ==
             context.text(b, "ProductReferentie/VorigReferentieNummer");
}

// ---------------------------------------------------------------------------------------------
// Rules for the Prestaties of both 323 and 325.

// CD060: VorigReferentieNummer is filled if and only if the prestatie is a credit (C).
void checkCreditReference(RuleContext& context, const XmlElement& prestatie) {
  const bool credit = context.text(prestatie, "IngediendBedrag/DebetCredit") == "C";
  const XmlElement* vorig =
      context.tree().find(prestatie, "ProductReferentie/VorigReferentieNummer");
  if (credit && vorig == nullptr) {
    const XmlElement* referentie = context.tree().find(prestatie, "ProductReferentie");
    context.report("CD060", referentie != nullptr ? *referentie : prestatie,
                   describePrestatie(context, prestatie) +
                       " is a credit (DebetCredit C) without VorigReferentieNummer; send the "
                       "ReferentieNummer of the debit prestatie it credits");
  } else if (!credit && vorig != nullptr) {
    context.report("CD060", *vorig,
                   describePrestatie(context, prestatie) +
                       " is a debit with VorigReferentieNummer " + vorig->text +
                       "; only a credit (DebetCredit C) refers to an earlier "
                       "prestatie, leave it out");
  }
}

// CS325: an amount of 0 is a debit (D). Checked on every amount with a DebetCredit.
void checkZeroIsDebit(RuleContext& context) {
  for (std::string_view name :
       {"IngediendBedrag", "TotaalIngediendBedrag", "TotaalToegekendBedrag"}) {
    for (const XmlElement* element : context.all(name)) {
      auto amount = context.integer(*element, "Bedrag");
      if (!amount) amount = context.integer(*element, "TotaalBedrag");
      const XmlElement* dc = context.tree().find(*element, "DebetCredit");
      if (amount && *amount == 0 && dc != nullptr && dc->text != "D") {
        context.report("CS325", *dc,
                       std::string(name) + " is 0 with DebetCredit " + dc->text +
                           "; an amount of 0 is always sent as D (debet)");
      }
    }
  }
}

// TR137 (our reading of "the marked date"): the Einddatum of a ProductPeriode is not before its
// Begindatum and not after the Dagtekening of the message (care is declared once delivered).
void checkProductPeriodEnd(RuleContext& context, const XmlElement& prestatie) {
  const XmlElement* eind = context.tree().find(prestatie, "ProductPeriode/Einddatum");
  const auto begin = context.date(prestatie, "ProductPeriode/Begindatum");
  const auto end = context.date(prestatie, "ProductPeriode/Einddatum");
  if (eind == nullptr || !begin || !end) return;
  const auto& dagtekening = context.dagtekening();
  if (*end < *begin) {
    context.report("TR137", *eind,
                   "ProductPeriode of " + describePrestatie(context, prestatie) + " ends on " +
                       end->toString() + ", before its Begindatum " + begin->toString() +
                       "; correct the period");
  } else if (dagtekening && *end > *dagtekening) {
    context.report("TR137", *eind,
                   "ProductPeriode of " + describePrestatie(context, prestatie) + " ends on " +
                       end->toString() + ", after the Dagtekening " + dagtekening->toString() +
                       "; declare a period only once it is over");
  }
}

// ---------------------------------------------------------------------------------------------
// WMO323.

// CS100: declaratie and product periods lie on or after 2021-01-01 (one finding per period).
void checkPeriodFrom2021(RuleContext& context, const XmlElement& periode, const std::string& what) {
  for (std::string_view part : {"Begindatum", "Einddatum"}) {
    const auto date = context.date(periode, part);
    if (date && *date < kFirstDeclarableDay) {
      context.report("CS100", *context.tree().find(periode, part),
                     what + " " + std::string(part) + " " + date->toString() +
                         " lies before 2021-01-01; iWmo 3.2 declares care from 2021-01-01 on");
      return;
    }
  }
}

// CS340: the DeclaratiePeriode is exactly one whole calendar month.
void checkDeclaratiePeriode(RuleContext& context, const XmlElement& declaratie) {
  const XmlElement* periode = context.tree().find(declaratie, "DeclaratiePeriode");
  if (periode == nullptr) return;
  checkPeriodFrom2021(context, *periode, "DeclaratiePeriode");
  const auto begin = context.date(*periode, "Begindatum");
  const auto end = context.date(*periode, "Einddatum");
  if (!begin || !end) return;
  const Date first = Date::fromYmd(begin->year(), begin->month(), 1);
  const Date last = first.plusMonths(1).plusDays(-1);
  if (*begin != first || *end != last) {
    context.report("CS340", *periode,
                   "DeclaratiePeriode " + begin->toString() + " to " + end->toString() +
                       " is not one whole calendar month; use the first to the last day of one "
                       "month (e.g. " +
                       first.toString() + " to " + last.toString() + ")");
  }
}

// CS337: a ProductPeriode lies within one calendar month. TR335: it ends at most 5 years before
// the DeclaratieDagtekening (TR335 names "Einddatum"; our reading: the ProductPeriode's, the
// period that ages, since a credit can repeat an old ProductPeriode in a new declaratie).
void checkProductPeriode(RuleContext& context, const XmlElement& prestatie,
                         const std::optional<Date>& declaratie_dagtekening) {
  const XmlElement* periode = context.tree().find(prestatie, "ProductPeriode");
  if (periode == nullptr) return;
  const std::string what = "ProductPeriode of " + describePrestatie(context, prestatie);
  checkPeriodFrom2021(context, *periode, what);
  const auto begin = context.date(*periode, "Begindatum");
  const auto end = context.date(*periode, "Einddatum");
  if (!begin || !end) return;
  if (begin->year() != end->year() || begin->month() != end->month()) {
    context.report("CS337", *context.tree().find(*periode, "Einddatum"),
                   what + " runs from " + begin->toString() + " to " + end->toString() +
                       ", across a month boundary; declare each calendar month in its own "
                       "Prestatie");
  }
  if (declaratie_dagtekening && *end < declaratie_dagtekening->plusYears(-kDeclarableYears)) {
    context.report("TR335", *context.tree().find(*periode, "Einddatum"),
                   what + " ends on " + end->toString() +
                       ", more than 5 years before the DeclaratieDagtekening " +
                       declaratie_dagtekening->toString() +
                       "; care older than 5 years can no longer be declared");
  }
}

// CD087: ProductTarief is filled if and only if Eenheid is not 83 (euro).
// CS339: with Eenheid 83 the IngediendBedrag equals the GeleverdVolume (both in eurocent).
void checkTarief(RuleContext& context, const XmlElement& prestatie) {
  const bool euro_eenheid = context.text(prestatie, "Eenheid") == "83";
  const XmlElement* tarief = context.tree().find(prestatie, "ProductTarief");
  if (!euro_eenheid && tarief == nullptr) {
    context.report("CD087", prestatie,
                   describePrestatie(context, prestatie) + " has Eenheid " +
                       std::string(context.text(prestatie, "Eenheid")) +
                       " but no ProductTarief; send the tariff per unit (only Eenheid 83, euro, "
                       "has none)");
  } else if (euro_eenheid && tarief != nullptr) {
    context.report("CD087", *tarief,
                   describePrestatie(context, prestatie) +
                       " has Eenheid 83 (euro) with ProductTarief " + tarief->text +
                       "; leave ProductTarief out when the volume is in euro");
  }
  if (euro_eenheid) {
    const auto volume = context.integer(prestatie, "GeleverdVolume");
    const auto bedrag = context.integer(prestatie, "IngediendBedrag/Bedrag");
    if (volume && bedrag && *volume != *bedrag) {
      context.report("CS339", *context.tree().find(prestatie, "IngediendBedrag"),
                     describePrestatie(context, prestatie) +
                         " has Eenheid 83 (euro) with GeleverdVolume " + std::to_string(*volume) +
                         " but IngediendBedrag/Bedrag " + std::to_string(*bedrag) +
                         "; with Eenheid 83 both are the same amount in eurocent");
    }
  }
}

// TR315: every VorigReferentieNummer occurs once in the message. TR316: no VorigReferentieNummer
// equals a ReferentieNummer of the same message (a debit is not credited in its own message).
void checkReferences(RuleContext& context, const std::vector<const XmlElement*>& prestaties) {
  std::set<std::string, std::less<>> referenties;
  for (const XmlElement* prestatie : prestaties) {
    referenties.emplace(context.text(*prestatie, "ProductReferentie/ReferentieNummer"));
  }
  std::map<std::string, const XmlElement*, std::less<>> vorige;
  for (const XmlElement* prestatie : prestaties) {
    const XmlElement* vorig =
        context.tree().find(*prestatie, "ProductReferentie/VorigReferentieNummer");
    if (vorig == nullptr) continue;
    if (referenties.contains(vorig->text)) {
      context.report("TR316", *vorig,
                     describePrestatie(context, *prestatie) + " credits ReferentieNummer " +
                         vorig->text +
                         ", which is declared in this same message; a debit cannot be credited in "
                         "the message that declares it: leave both out, or send the credit later");
    }
    const auto [it, inserted] = vorige.emplace(vorig->text, prestatie);
    if (!inserted && !sameLine(context, *it->second, *prestatie)) {
      context.report("TR315", *vorig,
                     "VorigReferentieNummer " + vorig->text + " of " +
                         describePrestatie(context, *prestatie) + " is also used by " +
                         describePrestatie(context, *it->second) + " (line " +
                         std::to_string(it->second->line) +
                         "); a prestatie can be credited only once per message");
    }
  }
}

// TR416: at most one debit Prestatie per ToewijzingNummer, ProductCategorie, ProductCode and
// ProductPeriode in the message. Our reading: per Client (Bsn) as well, which only narrows the
// rule (a ToewijzingNummer belongs to one client anyway, TR332).
void checkOneDebitPerPeriod(RuleContext& context,
                            const std::vector<const XmlElement*>& prestaties) {
  using Key =
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>;
  std::map<Key, const XmlElement*> debits;
  for (const XmlElement* prestatie : prestaties) {
    if (context.text(*prestatie, "IngediendBedrag/DebetCredit") != "D") continue;
    const XmlElement* client = context.tree().parentOf(*prestatie);
    if (client != nullptr) client = context.tree().parentOf(*client);
    const auto begin = context.date(*prestatie, "ProductPeriode/Begindatum");
    const auto end = context.date(*prestatie, "ProductPeriode/Einddatum");
    Key key{client ? std::string(context.text(*client, "Bsn")) : std::string(),
            std::string(context.text(*prestatie, "ToewijzingNummer")),
            std::string(context.text(*prestatie, "ProductCategorie")),
            std::string(context.text(*prestatie, "ProductCode")),
            begin ? begin->toString() : std::string(),
            end ? end->toString() : std::string()};
    const auto [it, inserted] = debits.emplace(std::move(key), prestatie);
    if (!inserted && !sameLine(context, *it->second, *prestatie)) {
      context.report("TR416", *prestatie,
                     describePrestatie(context, *prestatie) +
                         " is a second debit for ToewijzingNummer " +
                         std::string(context.text(*prestatie, "ToewijzingNummer")) + ", product " +
                         std::string(context.text(*prestatie, "ProductCategorie")) + "/" +
                         std::string(context.text(*prestatie, "ProductCode")) +
                         " and ProductPeriode " + (begin ? begin->toString() : std::string("?")) +
                         " to " + (end ? end->toString() : std::string("?")) +
                         " (first: " + describePrestatie(context, *it->second) + ", line " +
                         std::to_string(it->second->line) + "); declare it in one Prestatie");
    }
  }
}

// TR358: TotaalIngediendBedrag equals the sum of the IngediendBedragen (debit +, credit -).
void checkTotaal(RuleContext& context, const XmlElement& declaratie,
                 const std::vector<const XmlElement*>& prestaties) {
  const XmlElement* totaal = context.tree().find(declaratie, "TotaalIngediendBedrag");
  if (totaal == nullptr) return;
  const auto expected = signedAmount(context, *totaal);
  if (!expected) return;
  std::int64_t sum = 0;
  for (const XmlElement* prestatie : prestaties) {
    const XmlElement* bedrag = context.tree().find(*prestatie, "IngediendBedrag");
    if (bedrag == nullptr) continue;
    if (const auto value = signedAmount(context, *bedrag)) sum += *value;
  }
  if (sum != *expected) {
    context.report("TR358", *totaal,
                   "TotaalIngediendBedrag is " + euro(*expected) + " but the " +
                       std::to_string(prestaties.size()) + " Prestaties add up to " + euro(sum) +
                       " (debit counted +, credit -); correct the total or the amounts");
  }
}

void checkDeclaratie(RuleContext& context) {
  const std::vector<const XmlElement*> prestaties = context.all("Prestatie");
  for (const XmlElement* declaratie : context.all("Declaratie")) {
    checkDeclaratiePeriode(context, *declaratie);
    const auto dagtekening = context.date(*declaratie, "DeclaratieDagtekening");
    for (const XmlElement* prestatie : prestaties) {
      checkProductPeriode(context, *prestatie, dagtekening);
    }
    checkTotaal(context, *declaratie, prestaties);
  }
  for (const XmlElement* prestatie : prestaties) {
    checkCreditReference(context, *prestatie);
    checkTarief(context, *prestatie);
    checkProductPeriodEnd(context, *prestatie);
  }
  checkReferences(context, prestaties);
  checkOneDebitPerPeriod(context, prestaties);
  checkZeroIsDebit(context);
}

// ---------------------------------------------------------------------------------------------
// WMO325.

// A class is rejected when one of its RetourCodes is other than 0200 (geen opmerking), 8001
// (declaratie volledig toegewezen) or 0233 (niet beoordeeld, which rejects nothing).
bool rejected(const RuleContext& context, const XmlElement& element) {
  const XmlElement* codes = context.tree().find(element, "RetourCodes");
  if (codes == nullptr) return false;
  for (const XmlElement* code : context.tree().children(*codes, "RetourCode")) {
    if (code->text != "0200" && code->text != "8001" && code->text != "0233") return true;
  }
  return false;
}

// A Prestatie whose RetourCodes are all 0200 (geen opmerking) was approved.
bool approved(const RuleContext& context, const XmlElement& prestatie) {
  const XmlElement* codes = context.tree().find(prestatie, "RetourCodes");
  if (codes == nullptr) return false;
  const auto list = context.tree().children(*codes, "RetourCode");
  if (list.empty()) return false;
  for (const XmlElement* code : list) {
    if (code->text != "0200") return false;
  }
  return true;
}

// TR342: a declaratie-antwoord lists only rejected Prestaties, and their IngediendBedragen explain
// the difference: sum = TotaalIngediendBedrag - TotaalToegekendBedrag (signed). When the
// DeclaratieAntwoord itself is rejected, no Prestatie is assessed or listed and
// TotaalToegekendBedrag is 0.
// Our reading of "rejected" (the rule does not define it): the DeclaratieAntwoord is rejected
// when it carries a RetourCode other than 0200, 8001 and 0233; a Prestatie counts as approved,
// and so must not be listed, only when all its RetourCodes are 0200 (a prestatie with 0233 is
// given the benefit of the doubt).
void checkDeclaratieAntwoord(RuleContext& context, const XmlElement& antwoord) {
  const XmlElement* toegekend = context.tree().find(antwoord, "TotaalToegekendBedrag");
  const XmlElement* ingediend = context.tree().find(antwoord, "TotaalIngediendBedrag");
  if (toegekend == nullptr || ingediend == nullptr) return;
  const std::vector<const XmlElement*> prestaties = context.all("Prestatie");

  if (rejected(context, antwoord)) {
    const auto amount = context.integer(*toegekend, "TotaalBedrag");
    if (amount && *amount != 0) {
      context.report("TR342", *toegekend,
                     "the DeclaratieAntwoord is rejected but TotaalToegekendBedrag is " +
                         euro(*amount) + "; a rejected declaratie is granted 0");
    }
    if (const XmlElement* clienten = context.tree().find(antwoord, "Clienten")) {
      context.report("TR342", *clienten,
                     "the DeclaratieAntwoord is rejected but lists " +
                         std::to_string(prestaties.size()) +
                         " Prestatie(s); when the declaratie as a whole is rejected its "
                         "prestaties are not assessed and not listed: leave Clienten out");
    }
    return;
  }
  std::int64_t sum = 0;
  for (const XmlElement* prestatie : prestaties) {
    if (approved(context, *prestatie)) {
      context.report("TR342", *context.tree().find(*prestatie, "RetourCodes"),
                     describePrestatie(context, *prestatie) +
                         " is approved (RetourCode 0200 only); a declaratie-antwoord lists only "
                         "rejected prestaties: leave it out");
    }
    const XmlElement* bedrag = context.tree().find(*prestatie, "IngediendBedrag");
    if (bedrag == nullptr) continue;
    if (const auto value = signedAmount(context, *bedrag)) sum += *value;
  }
  const auto ingediend_amount = signedAmount(context, *ingediend);
  const auto toegekend_amount = signedAmount(context, *toegekend);
  if (!ingediend_amount || !toegekend_amount) return;
  const std::int64_t difference = *ingediend_amount - *toegekend_amount;
  if (sum != difference) {
    context.report("TR342", *toegekend,
                   "TotaalIngediendBedrag " + euro(*ingediend_amount) +
                       " minus TotaalToegekendBedrag " + euro(*toegekend_amount) + " is " +
                       euro(difference) + ", but the " + std::to_string(prestaties.size()) +
                       " rejected Prestatie(s) add up to " + euro(sum) +
                       "; the listed rejected prestaties must explain the difference");
  }
}

void checkDeclaratieAntwoordMessage(RuleContext& context) {
  for (const XmlElement* antwoord : context.all("DeclaratieAntwoord")) {
    checkDeclaratieAntwoord(context, *antwoord);
  }
  for (const XmlElement* prestatie : context.all("Prestatie")) {
    checkCreditReference(context, *prestatie);
    checkProductPeriodEnd(context, *prestatie);
  }
  checkZeroIsDebit(context);
}

}  // namespace

void checkDeclaratieRules(RuleContext& context) {
  if (context.isFamily("WMO323")) checkDeclaratie(context);
  if (context.isFamily("WMO325")) checkDeclaratieAntwoordMessage(context);
}

}  // namespace iwmo::adapters::iwmo::rules
