// Writer of the technical retour of IV028 on an iWmo 3.2 heen message: WMO302 / 306 / 308 / 316 /
// 318 / 320 on a WMO301 / 305 / 307 / 315 / 317 / 319 that failed checks (rules-digest §1).
//
// The retour is the heen header unchanged (Afzender and Ontvanger as in the heen, IV028; only
// BerichtCode becomes the retour's), then IdentificatieRetour, DagtekeningRetour, XsdVersieRetour
// (the versions of our retour schemas) and, when given, the header's RetourCodes. XsltVersie is
// never written: we do not run the official XSLTs. Then, optionally, the whole body echoed, each
// message class (retourClassesOf) ending with its RetourCodes; list wrappers (StartProducten …)
// and basisschema-typed elements (Naam, Product …) get none.
//   level 2 (a single-message rule failed): header only, header codes {"0001"};
//   level 3/4 (a rule against state or an external source): the body echoed, every class with
//            0200 (OK), 0233 (not checked) or the rule's own code (9xxx/8xxx).
// Elements are written with the prefixes of the official examples: `wmoNNN:` for the retour's
// namespace, `iwmo:` for the basisschema's.
//
// The output is deterministic UTF-8 (same input, same bytes). The writer does not validate what
// it writes: callers validate with the schema set before anything leaves (tests prove it validates
// against schemas/iwmo-3.2).
// Thread-safety: pure functions (each call parses with its own Xerces reader).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/date.h"
#include "gateway/base/result.h"

namespace iwmo::adapters::xml {
class XmlTree;
}  // namespace iwmo::adapters::xml

namespace iwmo::adapters::iwmo {

// XsdVersieRetour: the appinfo versions of our retour schemas (schemas/iwmo-3.2/WMO3x{2,6,8},
// WMO316/318/320.xsd; a test keeps them equal).
inline constexpr std::string_view kRetourBasisschemaXsdVersie = "1.0.0";
inline constexpr std::string_view kRetourBerichtXsdVersie = "1.0.0";

struct TechnicalRetourRequest {
  std::string identificatie_retour;  // 1-12 characters (LDT_IdentificatieBericht)
  // REQUIRED: Date has no empty value, so the default (1970-01-01) stands for "not set" and is
  // refused.
  Date dagtekening_retour = Date::fromDays(0);
  // RetourCodes of the header, e.g. {"0001"} (level 2) or {"9056"} (TR056); empty: none.
  std::vector<std::string> header_codes;
  // false: header only (level 2). true: the body echoed with a RetourCodes in every class.
  bool echo_body = false;
  // With echo_body: the codes of single classes, keyed by the element path as XmlTree::pathOf
  // writes it ("/Bericht/Client/StartProducten/StartProduct[2]"); every other class gets
  // default_class_codes. Each key must name a class of the heen; no list may be empty.
  std::map<std::string, std::vector<std::string>> class_codes;
  std::vector<std::string> default_class_codes = {"0200"};
};

// The retour (XML text) of the heen message `heen_payload`. The payload is read without a schema
// (readUnvalidated, adapters/xml/xml_tree.h): REQUIRES that it passed level 1 (schema-valid) before, as every
// message the gateway answers did.
// Errors: kInvalid when the payload is not well-formed, or not an iWmo heen message that has a
// technical retour (a retour, WMO323 / WMO325, an iEb message), or when the request is
// inconsistent (IdentificatieRetour not 1-12 characters, DagtekeningRetour not set, an empty code
// list, a class_codes key that names no class of the heen, class_codes without echo_body).
// REQUIRES: a live XercesPlatform.
Result<std::string> writeTechnicalRetour(std::string_view heen_payload,
                                         const TechnicalRetourRequest& request);

// The same for a heen already parsed (by ValidatingParser, or readUnvalidated).
Result<std::string> writeTechnicalRetour(const adapters::xml::XmlTree& heen,
                                         const TechnicalRetourRequest& request);

// The message classes of a retour type ("WMO306" → Client, StartProduct): the elements of its
// namespace whose type ends with RetourCodes, the Header aside (a test checks this against the
// retour XSDs). Empty for a type without a technical retour.
std::span<const std::string_view> retourClassesOf(std::string_view retour_type);

}  // namespace iwmo::adapters::iwmo
