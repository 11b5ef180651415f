// WMO319 Antwoordbericht (and its retour WMO320): CD085 / CD086 on the reason for a refusal.
// TR355, TR359, TR360 and TR365 compare with earlier messages (level 3) and are not checked here.
#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {

// CD085: VerzoekAntwoord 1 (verzoek afgewezen) needs a RedenAfwijzingVerzoek.
// CD086: VerzoekAntwoord 2 (aanvraag in onderzoek) has none.
void checkAntwoordRules(RuleContext& context) {
  if (!context.isFamily("WMO319")) return;
  for (const XmlElement* antwoord : context.all("Antwoord")) {
    const std::string_view verzoek_antwoord = context.text(*antwoord, "VerzoekAntwoord");
    const XmlElement* reden = context.tree().find(*antwoord, "RedenAfwijzingVerzoek");
    const std::string referentie(context.text(*antwoord, "ReferentieAanbieder"));
    if (verzoek_antwoord == "1" && reden == nullptr) {
      context.report("CD085", *antwoord,
                     "Antwoord on ReferentieAanbieder " + referentie +
                         " has VerzoekAntwoord 1 (verzoek afgewezen) but no "
                         "RedenAfwijzingVerzoek; send the reason for the refusal");
    } else if (verzoek_antwoord == "2" && reden != nullptr) {
      context.report("CD086", *reden,
                     "Antwoord on ReferentieAanbieder " + referentie +
                         " has VerzoekAntwoord 2 (aanvraag in onderzoek) with "
                         "RedenAfwijzingVerzoek " +
                         reden->text +
                         "; a request still under investigation has no reason for refusal, "
                         "leave it out");
    }
  }
}

}  // namespace iwmo::adapters::iwmo::rules
