// WMO305 / WMO307 (and their retours 306 / 308): CS058 and TR134. TR018 (Einddatum >= Begindatum)
// is a period rule in rules_common.cpp; TR101 keys in rules_keys.cpp.
#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

void checkStatusAanlevering(RuleContext& context, std::string_view product_class) {
  for (const XmlElement* product : context.all(product_class)) {
    const XmlElement* status = context.tree().find(*product, "StatusAanlevering");
    if (status == nullptr) continue;
    if (status->text != "1" && status->text != "3") {
      context.report("CS058", *status,
                     "StatusAanlevering " + status->text + " is not allowed in " +
                         std::string(product_class) +
                         ": use 1 (eerste aanlevering) or 3 (verwijderen); a correction is a "
                         "delete (3) followed by a new delivery (1)");
    }
  }
}

// TR134 (our reading of "the marked date", DESIGN §3): a start or stop can only be reported once
// it happened, so Begindatum (305) and Einddatum (307) are not after the Dagtekening.
void checkNotAfterDagtekening(RuleContext& context, std::string_view product_class,
                              std::string_view date_element) {
  const auto& dagtekening = context.dagtekening();
  if (!dagtekening) return;
  for (const XmlElement* product : context.all(product_class)) {
    const auto date = context.date(*product, date_element);
    if (date && *date > *dagtekening) {
      context.report("TR134", *context.tree().find(*product, date_element),
                     std::string(date_element) + " " + date->toString() +
                         " lies after the Dagtekening " + dagtekening->toString() +
                         "; report a start or stop only once it has happened");
    }
  }
}

}  // namespace

void checkStartStopRules(RuleContext& context) {
  if (context.isFamily("WMO305")) {
    checkStatusAanlevering(context, "StartProduct");
    if (!context.type().is_retour) checkNotAfterDagtekening(context, "StartProduct", "Begindatum");
  }
  if (context.isFamily("WMO307")) {
    checkStatusAanlevering(context, "StopProduct");
    if (!context.type().is_retour) checkNotAfterDagtekening(context, "StopProduct", "Einddatum");
  }
}

}  // namespace iwmo::adapters::iwmo::rules
