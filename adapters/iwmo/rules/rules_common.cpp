// Rules that apply to every message with a client or a period: CS002 (BSN elfproef), TR002 and
// CS139 (Geboortedatum), TR134 (dates not after the Dagtekening), CS003 (period order).
#include <array>

#include "adapters/iwmo/rules/rule_context.h"
#include "gateway/base/bsn.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

// CS002: every Bsn in the message, wherever it occurs (Client, and Client per Prestatie).
void checkBsnElfproef(RuleContext& context) {
  for (const XmlElement* bsn : context.all("Bsn")) {
    if (!isValidBsn(bsn->text)) {
      context.report("CS002", *bsn,
                     "Bsn " + bsn->text +
                         " fails the elfproef (9*d1 + 8*d2 + ... + 2*d8 - d9 must be divisible by "
                         "11); correct the BSN from the BRP");
    }
  }
}

// TR002: Geboortedatum at most 120 years before the Dagtekening, unless it is the "unknown" date
// (DatumGebruik 3 with 1900-01-01). CS139: DatumGebruik 3 requires Datum 1900-01-01.
// TR134 (our reading, DESIGN §3): a Geboortedatum after the Dagtekening is impossible.
void checkGeboortedatum(RuleContext& context) {
  for (const XmlElement* geboortedatum : context.all("Geboortedatum")) {
    const auto datum = context.date(*geboortedatum, "Datum");
    if (!datum) continue;
    const std::string_view gebruik = context.text(*geboortedatum, "DatumGebruik");
    const bool unknown_date = gebruik == "3";
    if (unknown_date && *datum != Date::fromYmd(1900, 1, 1)) {
      context.report("CS139", *geboortedatum,
                     "DatumGebruik 3 (date unknown) requires Datum 1900-01-01, found " +
                         datum->toString());
      continue;
    }
    const auto& dagtekening = context.dagtekening();
    if (!dagtekening || unknown_date) continue;
    if (*datum < dagtekening->plusYears(-120)) {
      context.report("TR002", *geboortedatum,
                     "Geboortedatum " + datum->toString() + " is more than 120 years before the "
                     "Dagtekening " + dagtekening->toString() +
                         "; for an unknown birth date send 1900-01-01 with DatumGebruik 3");
    } else if (*datum > *dagtekening) {
      context.report("TR134", *geboortedatum,
                     "Geboortedatum " + datum->toString() + " lies after the Dagtekening " +
                         dagtekening->toString() + " of the message");
    }
  }
}

struct PeriodRule {
  std::string_view family;  // heen message whose family the rule covers
  std::string_view element;  // class holding both dates
  std::string_view start;
  std::string_view end;
  std::string_view code;
};

// CS003 / TR018: the end of a period is not before its start.
constexpr std::array<PeriodRule, 6> kPeriods{{
    {"WMO301", "ToegewezenProduct", "Ingangsdatum", "Einddatum", "CS003"},
    {"WMO301", "Periode", "Begindatum", "Einddatum", "CS003"},
    {"WMO315", "AangevraagdProduct", "ToewijzingIngangsdatum", "ToewijzingEinddatum", "CS003"},
    {"WMO317", "TeWijzigenProduct", "GewensteIngangsdatum", "Einddatum", "CS003"},
    {"WMO317", "NieuwProduct", "GewensteIngangsdatum", "Einddatum", "CS003"},
    {"WMO307", "StopProduct", "Begindatum", "Einddatum", "TR018"},
}};

void checkPeriods(RuleContext& context) {
  for (const PeriodRule& rule : kPeriods) {
    if (!context.isFamily(rule.family)) continue;
    for (const XmlElement* element : context.all(rule.element)) {
      const auto start = context.date(*element, rule.start);
      const auto end = context.date(*element, rule.end);
      if (start && end && *end < *start) {
        context.report(rule.code, *context.tree().find(*element, rule.end),
                       std::string(rule.end) + " " + end->toString() + " lies before " +
                           std::string(rule.start) + " " + start->toString() + " in " +
                           std::string(rule.element));
      }
    }
  }
}

}  // namespace

void checkCommonRules(RuleContext& context) {
  checkBsnElfproef(context);
  checkGeboortedatum(context);
  checkPeriods(context);
}

}  // namespace iwmo::adapters::iwmo::rules
