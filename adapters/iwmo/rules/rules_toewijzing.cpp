// WMO301 Toewijzing (and its retour WMO302): the single-message rules of rules-digest.md §3 on the
// Client, its Contacts and Relaties, and the ToegewezenProducten. Also the product-line checks and
// the overlap check that the Verzoek messages share (declared in rule_context.h).
// CS002, TR002, CS139 and CS003 are in rules_common.cpp; the TR101 keys in rules_keys.cpp.
#include <algorithm>
#include <initializer_list>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo::rules {
namespace {

// The last day before Omvang without product code is refused and the Frequentie constraint applies
// (CD080/CD095/CD096, CS338/CS343: "Einddatum > 2020-12-31 or empty").
const Date kLastDayOf2020 = Date::fromYmd(2020, 12, 31);

bool oneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string quoted(std::string_view value) {
  // Built piecewise: "'" + std::string is a false -Wrestrict of GCC 12 at -O3 (PR 105329).
  std::string out(1, '\'');
  out.append(value).push_back('\'');
  return out;
}

// "ToegewezenProduct (ToewijzingNummer 101)": how an operator finds a product line.
std::string describeLine(const RuleContext& context, const XmlElement& line) {
  for (std::string_view key : {"ToewijzingNummer", "ReferentieAanbieder"}) {
    const std::string_view value = context.text(line, key);
    if (!value.empty()) return line.name + " (" + std::string(key) + " " + std::string(value) + ")";
  }
  return line.name + " at line " + std::to_string(line.line);
}

// ---------------------------------------------------------------------------------------------
// Contact and address (WMO301 only: Client/Contactgegevens/Contact and Relatie/Contact).

// TR006: a Contact has a Telefoon, or Huis together with Postcode (or both).
void checkContactReachable(RuleContext& context, const XmlElement& contact) {
  const bool telefoon = context.has(contact, "Telefoon");
  const bool huis = context.has(contact, "Adres/Huis");
  const bool postcode = context.has(contact, "Adres/Postcode");
  if (telefoon || (huis && postcode)) return;
  context.report("TR006", contact,
                 "Contact (Soort " + std::string(context.text(contact, "Soort")) + ") has " +
                     (huis       ? "a Huis but no Postcode"
                      : postcode ? "a Postcode but no Huis"
                                 : "neither Huis nor Postcode") +
                     " and no Telefoon; send a Telefoon, or Adres/Huis together with "
                     "Adres/Postcode");
}

// CD005, CD025, CD034, CS089 on the Adres of one Contact; CD009 on its Periode.
void checkContactAddress(RuleContext& context, const XmlElement& contact) {
  const std::string_view soort = context.text(contact, "Soort");
  const XmlElement* adres = context.tree().find(contact, "Adres");
  const XmlElement* postcode = adres ? context.tree().find(*adres, "Postcode") : nullptr;
  const XmlElement* land = adres ? context.tree().find(*adres, "LandCode") : nullptr;

  // CD034: a BRP-adres (01) or verblijfadres (03) needs a Postcode.
  if ((soort == "01" || soort == "03") && postcode == nullptr) {
    context.report("CD034", adres ? *adres : contact,
                   "Contact with Soort " + std::string(soort) +
                       (soort == "01" ? " (BRP-adres)" : " (verblijfadres)") +
                       " has no Adres/Postcode; a Postcode is required for Soort 01 and 03");
  }
  if (adres != nullptr) {
    // CD005: LandCode is filled if and only if Postcode is filled.
    if (postcode != nullptr && land == nullptr) {
      context.report("CD005", *adres,
                     "Adres has Postcode " + quoted(postcode->text) +
                         " but no LandCode; send the LandCode (NL for a Dutch address)");
    } else if (postcode == nullptr && land != nullptr) {
      context.report("CD005", *land,
                     "Adres has LandCode " + land->text +
                         " but no Postcode; LandCode is only sent together with a Postcode");
    }
    if (land != nullptr && land->text == "NL") {
      // CD025: a Dutch address needs a Huis.
      if (!context.has(*adres, "Huis")) {
        context.report("CD025", *adres,
                       "Adres with LandCode NL has no Huis; send at least the Huisnummer");
      }
      // CS089: a Dutch postcode is 4 digits followed by 2 letters. Our reading: an optional
      // single space and lower-case letters are accepted ("1234 ab"), since the rule names the
      // format, not a spelling, and we never reject what the official check might accept.
      if (postcode != nullptr) {
        const std::string& pc = postcode->text;
        auto digit = [&](std::size_t i) { return pc[i] >= '0' && pc[i] <= '9'; };
        auto letter = [&](std::size_t i) {
          return (pc[i] >= 'A' && pc[i] <= 'Z') || (pc[i] >= 'a' && pc[i] <= 'z');
        };
        const std::size_t skip = pc.size() == 7 && pc[4] == ' ' ? 1 : 0;
        const bool dutch = (pc.size() == 6 || skip == 1) && digit(0) && digit(1) && digit(2) &&
                           digit(3) && letter(4 + skip) && letter(5 + skip);
        if (!dutch) {
          context.report("CS089", *postcode,
                         "Postcode " + quoted(pc) +
                             " is not a Dutch postcode although LandCode is NL; use 4 digits "
                             "and 2 letters (1234AB), or the right LandCode for a foreign "
                             "address");
        }
      }
    }
  }
  // CD009: a Periode only for a tijdelijk verblijfadres (Soort 04).
  if (const XmlElement* periode = context.tree().find(contact, "Periode");
      periode != nullptr && soort != "04") {
    context.report("CD009", *periode,
                   "Contact with Soort " + std::string(soort) +
                       " has a Periode; a Periode is only allowed for Soort 04 (tijdelijk "
                       "verblijfadres): remove it or correct the Soort");
  }
}

// TR061: the Client has a Contact with Soort 01 (BRP), 02 (correspondentie) or 03 (verblijf).
void checkClientAddress(RuleContext& context, const XmlElement& client) {
  const XmlElement* gegevens = context.tree().find(client, "Contactgegevens");
  if (gegevens == nullptr) return;  // retour without body content
  for (const XmlElement* contact : context.tree().children(*gegevens, "Contact")) {
    if (oneOf(context.text(*contact, "Soort"), {"01", "02", "03"})) return;
  }
  context.report("TR061", *gegevens,
                 "the Client has no Contact with Soort 01 (BRP-adres), 02 (correspondentie-adres) "
                 "or 03 (verblijfadres); add the client's address with one of these Soorten");
}

// ---------------------------------------------------------------------------------------------
// Client and Relatie: names and communication.

// CS050: with a Partnernaam, NaamGebruik is 1-4; without, 1 or 6. CS318: the Client is a natural
// person, so its NaamGebruik is never 6 (CS318 is the more specific message and is reported
// instead of CS050 for the Client).
void checkNaamGebruik(RuleContext& context, const XmlElement& person, bool is_client) {
  const XmlElement* naam = context.tree().find(person, "Naam");
  if (naam == nullptr) return;
  const XmlElement* gebruik = context.tree().find(*naam, "NaamGebruik");
  if (gebruik == nullptr) return;
  const std::string& value = gebruik->text;
  if (is_client && value == "6") {
    context.report("CS318", *gebruik,
                   "NaamGebruik 6 (niet-natuurlijk persoon) is not allowed for the Client; use "
                   "1 (eigen naam) or, with a Partnernaam, 2, 3 or 4");
    return;
  }
  const bool partner = context.has(*naam, "Partnernaam");
  if (partner && !oneOf(value, {"1", "2", "3", "4"})) {
    context.report("CS050", *gebruik,
                   "NaamGebruik " + value + " with a Partnernaam in " + person.name +
                       "; use 1, 2, 3 or 4 when a Partnernaam is filled");
  } else if (!partner && !oneOf(value, {"1", "6"})) {
    context.report("CS050", *gebruik,
                   "NaamGebruik " + value + " without a Partnernaam in " + person.name +
                       "; use 1 (eigen naam) (or 6 for a niet-natuurlijk persoon), or send the "
                       "Partnernaam");
  }
}

// CD007: Communicatie/Taal is filled if and only if Vorm is 1 (tolk taal).
void checkCommunicatie(RuleContext& context, const XmlElement& client) {
  const XmlElement* communicatie = context.tree().find(client, "Communicatie");
  if (communicatie == nullptr) return;
  const std::string_view vorm = context.text(*communicatie, "Vorm");
  const XmlElement* taal = context.tree().find(*communicatie, "Taal");
  if (vorm == "1" && taal == nullptr) {
    context.report("CD007", *communicatie,
                   "Communicatie/Vorm 1 (tolk taal) without a Taal; send the language the "
                   "interpreter is needed for");
  } else if (vorm != "1" && taal != nullptr) {
    context.report("CD007", *taal,
                   "Communicatie/Taal " + quoted(taal->text) + " with Vorm " + std::string(vorm) +
                       "; Taal is only sent with Vorm 1 (tolk taal)");
  }
}

// ---------------------------------------------------------------------------------------------
// ToegewezenProduct.

// CS335: RedenWijziging 13 (verwijderd) only with Einddatum = Ingangsdatum. CS336: RedenWijziging
// 01 (administratieve correctie, vervallen) is no longer used.
void checkRedenWijziging(RuleContext& context, const XmlElement& product) {
  const XmlElement* reden = context.tree().find(product, "RedenWijziging");
  if (reden == nullptr) return;
  if (reden->text == "01") {
    context.report("CS336", *reden,
                   "RedenWijziging 01 (administratieve correctie, vervallen) may not be used in " +
                       describeLine(context, product) +
                       "; use 14 (administratieve correctie) or 13 (verwijderd)");
  } else if (reden->text == "13") {
    const auto ingang = context.date(product, "Ingangsdatum");
    const auto eind = context.date(product, "Einddatum");
    if (!eind || eind != ingang) {
      context.report("CS335", *reden,
                     "RedenWijziging 13 (verwijderd) in " + describeLine(context, product) +
                         " requires Einddatum = Ingangsdatum (" +
                         (ingang ? ingang->toString() : std::string("?")) + "), found " +
                         (eind ? "Einddatum " + eind->toString() : std::string("no Einddatum")));
    }
  }
}

// TR134 (our reading of "the marked date", DESIGN §3): the Toewijzingsdatum is the day the
// gemeente decided, so it cannot lie after the Dagtekening of the message that reports it.
void checkToewijzingsdatum(RuleContext& context, const XmlElement& product) {
  const auto& dagtekening = context.dagtekening();
  const auto datum = context.date(product, "Toewijzingsdatum");
  if (!dagtekening || !datum || *datum <= *dagtekening) return;
  context.report("TR134", *context.tree().find(product, "Toewijzingsdatum"),
                 "Toewijzingsdatum " + datum->toString() + " of " + describeLine(context, product) +
                     " lies after the Dagtekening " + dagtekening->toString() +
                     "; a toewijzing is sent only once it is decided");
}

// TR302: the ToegewezenProducten of one toewijzing, without the deleted ones: RedenWijziging 13
// (verwijderd) or 01 (vervallen) with Einddatum = Ingangsdatum take no part in the overlap.
std::vector<ProductPeriod> toewijzingPeriods(const RuleContext& context,
                                             const XmlElement& producten) {
  std::vector<ProductPeriod> periods;
  for (const XmlElement* product : context.tree().children(producten, "ToegewezenProduct")) {
    const auto start = context.date(*product, "Ingangsdatum");
    if (!start) continue;
    const auto end = context.date(*product, "Einddatum");
    const std::string_view reden = context.text(*product, "RedenWijziging");
    if ((reden == "13" || reden == "01") && end == start) continue;
    periods.push_back(ProductPeriod{
        product, "ToewijzingNummer " + std::string(context.text(*product, "ToewijzingNummer")),
        context.text(*product, "Product/Categorie"), context.text(*product, "Product/Code"), *start,
        end});
  }
  return periods;
}

constexpr ProductLineSpec kToegewezenProduct{"Einddatum", true, "CD080", "CS338"};

std::string describePeriod(const ProductPeriod& period) {
  return period.start.toString() + " to " +
         (period.end ? period.end->toString() : std::string("(open)"));
}

std::string describeProduct(const ProductPeriod& period) {
  if (period.categorie.empty()) return "no Product";
  if (period.code.empty()) return "categorie " + std::string(period.categorie) + " (no code)";
  return "product " + std::string(period.categorie) + "/" + std::string(period.code);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Shared with rules_verzoek.cpp (rule_context.h).

void checkProductLine(RuleContext& context, const XmlElement& line, const ProductLineSpec& spec) {
  const XmlTree& tree = context.tree();
  const XmlElement* omvang = tree.find(line, "Omvang");
  const XmlElement* budget = tree.find(line, "Budget");
  const XmlElement* end_element = tree.find(line, spec.end);
  const auto end = context.date(line, spec.end);
  const bool product = spec.has_product && context.has(line, "Product");
  const std::string_view code = spec.has_product ? context.text(line, "Product/Code") : "";
  const std::string what = describeLine(context, line);

  // CD041: a product code needs an Omvang.
  if (!code.empty() && omvang == nullptr) {
    context.report("CD041", line,
                   what + " has Product/Code " + std::string(code) +
                       " but no Omvang; send Omvang (Volume, Eenheid, Frequentie) for a coded "
                       "product");
  }
  // CD077 / CD078: Budget and Omvang exclude each other; one finding for the pair, on Budget.
  if (omvang != nullptr && budget != nullptr) {
    context.report("CD077", *budget,
                   what + " has both Budget " + budget->text +
                       " and Omvang; send either a Budget or an Omvang, not both (CD077/CD078)");
  }
  // CD075: a Budget needs an end date.
  if (budget != nullptr && end_element == nullptr) {
    context.report("CD075", *budget,
                   what + " has Budget " + budget->text + " but no " + std::string(spec.end) +
                       "; a budget is given for a closed period, send the " +
                       std::string(spec.end));
  }
  // CD076 (our reading): the digest says "Frequentie = 2 (per week)", but an end date is what
  // Frequentie 6 ("totaal binnen geldigheidsduur toewijzing") needs to mean anything, while an
  // open-ended weekly Omvang is common and explicitly foreseen by CS338 ("Einddatum ... or
  // empty" with Frequentie 2). Requiring an end date for Frequentie 2 would reject such
  // messages, so we require it for Frequentie 6 only (conservative; see the report).
  if (omvang != nullptr && end_element == nullptr) {
    if (const XmlElement* frequentie = tree.find(*omvang, "Frequentie");
        frequentie != nullptr && frequentie->text == "6") {
      context.report("CD076", *frequentie,
                     what + " has Frequentie 6 (totaal binnen geldigheidsduur toewijzing) but no " +
                         std::string(spec.end) + "; send the " + std::string(spec.end) +
                         " the total applies to");
    }
  }
  // CD079: without a Budget, a Product is required.
  if (spec.has_product && !product && budget == nullptr) {
    context.report("CD079", line,
                   what +
                       " has neither Product nor Budget; send the Product (Categorie, and "
                       "Code when known), or a Budget");
  }
  const bool after_2020 = !end || *end > kLastDayOf2020;
  // CD080 / CD095 / CD096: no Omvang for a line without product code that runs into 2021.
  if (spec.has_product && code.empty() && omvang != nullptr && after_2020) {
    context.report(spec.omvang_code, *omvang,
                   what + " has an Omvang but no Product/Code while its " + std::string(spec.end) +
                       " is " + (end ? end->toString() + " (after 2020-12-31)" : "empty") +
                       "; leave Omvang out for a product without code, or send the Code");
  }
  // CS338 / CS343: Eenheid 14, 16, 83 or 84 with a period into 2021 needs Frequentie 2, 4 or 6.
  if (omvang != nullptr && after_2020 &&
      oneOf(context.text(*omvang, "Eenheid"), {"14", "16", "83", "84"})) {
    const XmlElement* frequentie = tree.find(*omvang, "Frequentie");
    if (frequentie != nullptr && !oneOf(frequentie->text, {"2", "4", "6"})) {
      context.report(spec.frequentie_code, *frequentie,
                     what + " has Eenheid " + std::string(context.text(*omvang, "Eenheid")) +
                         " with Frequentie " + frequentie->text +
                         "; with this Eenheid use Frequentie 2 (per week), 4 (per maand) or 6 "
                         "(totaal binnen geldigheidsduur)");
    }
  }
}

// Our reading of the TR302 fallbacks (also used for TR386 and TR410):
// - categories 11-14 (rolstoelen, vervoervoorzieningen, woonvoorzieningen, overige hulpmiddelen)
//   may overlap with anything: the digest's "except categories 11-14, which may overlap" is read
//   as exempting them entirely, the most lenient of its readings;
// - a line without Product (hence without categorie) may overlap with nothing else;
// - a line without Code is compared on categorie with every line of that categorie;
// - otherwise lines are the same product when categorie and code are both equal.
void checkProductOverlaps(RuleContext& context, std::string_view code,
                          const std::vector<ProductPeriod>& periods) {
  auto exempt = [](std::string_view categorie) {
    return oneOf(categorie, {"11", "12", "13", "14"});
  };
  auto same = [&](const ProductPeriod& a, const ProductPeriod& b) {
    if (exempt(a.categorie) || exempt(b.categorie)) return false;
    if (a.categorie.empty() || b.categorie.empty()) return true;
    if (a.code.empty() || b.code.empty()) return a.categorie == b.categorie;
    return a.categorie == b.categorie && a.code == b.code;
  };
  auto overlap = [](const ProductPeriod& a, const ProductPeriod& b) {
    return (!b.end || a.start <= *b.end) && (!a.end || b.start <= *a.end);
  };
  for (std::size_t j = 1; j < periods.size(); ++j) {
    for (std::size_t i = 0; i < j; ++i) {
      const ProductPeriod& a = periods[i];
      const ProductPeriod& b = periods[j];
      if (!same(a, b) || !overlap(a, b)) continue;
      const std::string first = a.line->name + (a.label.empty() ? "" : " " + a.label) +
                                " at line " + std::to_string(a.line->line);
      context.report(code, *b.line,
                     b.line->name + (b.label.empty() ? "" : " " + b.label) + " (" +
                         describeProduct(b) + ", " + describePeriod(b) + ") overlaps " + first +
                         " (" + describeProduct(a) + ", " + describePeriod(a) +
                         "); the same product may only occur again for a period that does not "
                         "overlap: end the first period before the second starts, or merge them");
      break;  // one finding per line
    }
  }
}

void checkToewijzingRules(RuleContext& context) {
  if (!context.isFamily("WMO301")) return;
  for (const XmlElement* client : context.all("Client")) {
    checkClientAddress(context, *client);
    checkCommunicatie(context, *client);
    checkNaamGebruik(context, *client, /*is_client=*/true);
  }
  for (const XmlElement* relatie : context.all("Relatie")) {
    checkNaamGebruik(context, *relatie, /*is_client=*/false);
  }
  for (const XmlElement* contact : context.all("Contact")) {
    checkContactReachable(context, *contact);
    checkContactAddress(context, *contact);
  }
  for (const XmlElement* producten : context.all("ToegewezenProducten")) {
    for (const XmlElement* product : context.tree().children(*producten, "ToegewezenProduct")) {
      checkRedenWijziging(context, *product);
      checkProductLine(context, *product, kToegewezenProduct);
      // The Dagtekening rule concerns the heen message; a retour echoes it unchanged.
      if (!context.type().is_retour) checkToewijzingsdatum(context, *product);
    }
    checkProductOverlaps(context, "TR302", toewijzingPeriods(context, *producten));
  }
}

}  // namespace iwmo::adapters::iwmo::rules
