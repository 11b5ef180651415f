// RuleContext: what every rule family gets: the message type, the tree, the message's
// Dagtekening, and a place to report violations. Internal to adapters/iwmo/rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/iwmo/rules/message_rules.h"
#include "gateway/base/date.h"

namespace iwmo::adapters::iwmo::rules {

using adapters::xml::XmlElement;
using adapters::xml::XmlTree;

class RuleContext {
 public:
  RuleContext(const MessageType& type, const XmlTree& tree, std::vector<RuleViolation>& out);

  const MessageType& type() const { return type_; }
  const XmlTree& tree() const { return tree_; }
  const XmlElement& root() const { return tree_.root(); }
  // The header's BerichtIdentificatie/Dagtekening (schema-valid, so present for every type).
  const std::optional<Date>& dagtekening() const { return dagtekening_; }
  // True for the heen message `heen` ("WMO301") and for its retour.
  bool isFamily(std::string_view heen) const;

  void report(std::string_view code, const XmlElement& where, std::string message);

  // The date at `path` below `parent`, nullopt when absent. Surrounding whitespace (which
  // xs:date collapses) is ignored.
  std::optional<Date> date(const XmlElement& parent, std::string_view path) const;
  // The xs:integer at `path` below `parent` (amounts, volumes, budgets: all >= 0 by schema),
  // nullopt when absent or not a number. Surrounding whitespace and a leading '+' are ignored.
  std::optional<std::int64_t> integer(const XmlElement& parent, std::string_view path) const;
  // Text at `path` below `parent` ("" when absent).
  std::string_view text(const XmlElement& parent, std::string_view path) const {
    return tree_.textAt(parent, path);
  }
  bool has(const XmlElement& parent, std::string_view path) const {
    return tree_.find(parent, path) != nullptr;
  }
  // Every element named `name`, anywhere, in document order.
  std::vector<const XmlElement*> all(std::string_view name) const;
  std::string path(const XmlElement& element) const { return tree_.pathOf(element); }

 private:
  const MessageType& type_;
  const XmlTree& tree_;
  std::vector<RuleViolation>& out_;
  std::optional<Date> dagtekening_;
};

// Rule families, one file each.
void checkCommonRules(RuleContext& context);        // rules_common.cpp: CS002, TR002, CS139, CS003
void checkKeyUniqueness(RuleContext& context);      // rules_keys.cpp: TR101
void checkStartStopRules(RuleContext& context);     // rules_start_stop.cpp: 305-308
void checkToewijzingRules(RuleContext& context);    // rules_toewijzing.cpp: 301/302
void checkVerzoekRules(RuleContext& context);       // rules_verzoek.cpp: 315-318
void checkAntwoordRules(RuleContext& context);      // rules_antwoord.cpp: 319/320
void checkDeclaratieRules(RuleContext& context);    // rules_declaratie.cpp: 323/325
void checkIebRules(RuleContext& context);           // rules_ieb.cpp: WMO405-408

// Checks shared by the product lines of WMO301 (ToegewezenProduct), WMO315 (AangevraagdProduct)
// and WMO317 (TeWijzigenProduct, NieuwProduct). Defined in rules_toewijzing.cpp, where the
// toewijzing rules they generalise live; rules_verzoek.cpp reuses them.

// Where one product class keeps its parts.
struct ProductLineSpec {
  std::string_view end;              // the (optional) end date: "Einddatum", "ToewijzingEinddatum"
  bool has_product;                  // the class has a Product (Categorie, optional Code)
  std::string_view omvang_code;      // CD080 / CD095 / CD096; "" when !has_product
  std::string_view frequentie_code;  // CS338 / CS343
};
// CD041, CD075, CD076, CD077/CD078, CD079, CD080/CD095/CD096 and CS338/CS343 on one line.
void checkProductLine(RuleContext& context, const XmlElement& line, const ProductLineSpec& spec);

// One product line with its period, for the overlap rules.
struct ProductPeriod {
  const XmlElement* line = nullptr;  // never null
  std::string label;           // how an operator finds the line ("ToewijzingNummer 101"), or ""
  std::string_view categorie;  // "" when the line has no Product
  std::string_view code;       // "" when the Product has no Code
  Date start;
  std::optional<Date> end;  // nullopt: open-ended (unbounded)
};
// TR302 / TR386 / TR410: the same product may occur more than once only with periods that do not
// overlap. Reports `code` once per overlapping pair, on the later line. See rules_toewijzing.cpp
// for the product comparison (code, else categorie, else everything; 11-14 exempt).
void checkProductOverlaps(RuleContext& context, std::string_view code,
                          const std::vector<ProductPeriod>& periods);

}  // namespace iwmo::adapters::iwmo::rules
