// The 14 iWmo 3.2 message types (DESIGN §2.1, reference/iwmo-3.2/codelists/message-types.tsv
// and COD002) and the 4 iEb 4.0 ones (DESIGN §2.2; BerichtCodes 578-581 inferred, namespaces
// those of our provisional schemas/ieb): name, BerichtCode, namespace, heen/retour pairing and
// who sends it. The lookups search both standards.
// Thread-safety: constant data.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace iwmo::adapters::iwmo {

enum class Sender { kGemeente, kAanbieder, kCak };

struct MessageType {
  std::string_view name;           // "WMO301"
  std::uint32_t bericht_code;      // 414 (COD002)
  std::string_view ns;             // http://www.istandaarden.nl/iwmo/3_2/wmo301/schema
  bool is_retour;                  // WMO302, 306, 308, 316, 318, 320
  std::string_view pair;           // the retour of a heen message, or the heen of a retour
  Sender sender;                   // who physically sends it
  std::string_view title;          // Dutch title of the standard
  std::string_view standard = "iwmo";  // "iwmo" or "ieb"
};

// The 14 iWmo types, in BerichtCode order.
std::span<const MessageType> allMessageTypes();
// The 4 iEb types WMO405-WMO408, in BerichtCode order.
std::span<const MessageType> allIebMessageTypes();
const MessageType* messageTypeByNamespace(std::string_view ns);
const MessageType* messageTypeByCode(std::uint32_t bericht_code);
const MessageType* messageTypeByName(std::string_view name);

// The iWmo 3.2 and iEb types as operators read them ("WMO301, 302, 305-308, ...").
inline constexpr std::string_view kIwmoTypesText = "WMO301, 302, 305-308, 315-320, 323, 325";
inline constexpr std::string_view kIebTypesText = "WMO405-408";
// What the gateway handles, for operators and senders: "iWmo 3.2 (WMO301, ...) and iEb 4.0 (...)".
std::string supportedReleases();

// The iStandaard and release a namespace belongs to when it is not one of ours, for a message of
// another standard or version: "iJw 3.2" for http://www.istandaarden.nl/ijw/3_2/jw301/schema,
// "iWmo 2.3", "iEb 1.0"; "StUF-GGk" for the StUF / GGk envelope namespaces; nullopt when the
// namespace is no iStandaard's (or is ours).
std::optional<std::string> foreignRelease(std::string_view ns);

inline constexpr std::string_view kBasisschemaNamespace =
    "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema";
inline constexpr std::string_view kIebBasisschemaNamespace =
    "http://www.istandaarden.nl/ieb/4_0/basisschema/schema";

}  // namespace iwmo::adapters::iwmo
