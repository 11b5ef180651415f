#include "adapters/iwmo/message_types.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

namespace iwmo::adapters::iwmo {
namespace {

#define IWMO_NS(n) "http://www.istandaarden.nl/iwmo/3_2/wmo" n "/schema"

constexpr std::array<MessageType, 14> kTypes{{
    {"WMO301", 414, IWMO_NS("301"), false, "WMO302", Sender::kGemeente,
     "Toewijzing Wmo-ondersteuning"},
    {"WMO302", 415, IWMO_NS("302"), true, "WMO301", Sender::kAanbieder,
     "Toewijzing Wmo-ondersteuning Retour"},
    {"WMO305", 418, IWMO_NS("305"), false, "WMO306", Sender::kAanbieder,
     "Start Wmo-ondersteuning"},
    {"WMO306", 419, IWMO_NS("306"), true, "WMO305", Sender::kGemeente,
     "Start Wmo-ondersteuning Retour"},
    {"WMO307", 420, IWMO_NS("307"), false, "WMO308", Sender::kAanbieder,
     "Stop Wmo-ondersteuning"},
    {"WMO308", 421, IWMO_NS("308"), true, "WMO307", Sender::kGemeente,
     "Stop Wmo-ondersteuning Retour"},
    {"WMO315", 444, IWMO_NS("315"), false, "WMO316", Sender::kAanbieder,
     "Verzoek om toewijzing Wmo-ondersteuning"},
    {"WMO316", 445, IWMO_NS("316"), true, "WMO315", Sender::kGemeente,
     "Verzoek om toewijzing Wmo-ondersteuning Retour"},
    {"WMO317", 480, IWMO_NS("317"), false, "WMO318", Sender::kAanbieder,
     "Verzoek om wijziging Wmo-ondersteuning"},
    {"WMO318", 481, IWMO_NS("318"), true, "WMO317", Sender::kGemeente,
     "Verzoek om wijziging Wmo-ondersteuning Retour"},
    {"WMO319", 482, IWMO_NS("319"), false, "WMO320", Sender::kGemeente, "Antwoordbericht"},
    {"WMO320", 483, IWMO_NS("320"), true, "WMO319", Sender::kAanbieder, "Antwoordbericht Retour"},
    {"WMO323", 484, IWMO_NS("323"), false, "", Sender::kAanbieder, "Declaratie Wmo-ondersteuning"},
    {"WMO325", 485, IWMO_NS("325"), false, "", Sender::kGemeente,
     "Declaratie-antwoord Wmo-ondersteuning"},
}};

#undef IWMO_NS

#define IEB_NS(n) "http://www.istandaarden.nl/ieb/4_0/wmo" n "/schema"

constexpr std::array<MessageType, 4> kIebTypes{{
    {"WMO405", 578, IEB_NS("405"), false, "WMO406", Sender::kGemeente,
     "Start en stop eigen bijdrage", "ieb"},
    {"WMO406", 579, IEB_NS("406"), true, "WMO405", Sender::kCak,
     "Start en stop eigen bijdrage retour", "ieb"},
    {"WMO407", 580, IEB_NS("407"), false, "WMO408", Sender::kGemeente,
     "Start en stop beschermd wonen", "ieb"},
    {"WMO408", 581, IEB_NS("408"), true, "WMO407", Sender::kCak,
     "Start en stop beschermd wonen retour", "ieb"},
}};

#undef IEB_NS

template <typename Match>
const MessageType* find(Match match) {
  for (const auto& type : kTypes) {
    if (match(type)) return &type;
  }
  for (const auto& type : kIebTypes) {
    if (match(type)) return &type;
  }
  return nullptr;
}

}  // namespace

std::span<const MessageType> allMessageTypes() { return kTypes; }
std::span<const MessageType> allIebMessageTypes() { return kIebTypes; }

const MessageType* messageTypeByNamespace(std::string_view ns) {
  return find([ns](const MessageType& type) { return type.ns == ns; });
}

const MessageType* messageTypeByCode(std::uint32_t bericht_code) {
  return find([bericht_code](const MessageType& type) { return type.bericht_code == bericht_code; });
}

const MessageType* messageTypeByName(std::string_view name) {
  return find([name](const MessageType& type) { return type.name == name; });
}

std::string supportedReleases() {
  return "iWmo 3.2 (" + std::string(kIwmoTypesText) + ") and iEb 4.0 (" + std::string(kIebTypesText) + ")";
}

std::optional<std::string> foreignRelease(std::string_view ns) {
  if (messageTypeByNamespace(ns) != nullptr || ns == kBasisschemaNamespace || ns == kIebBasisschemaNamespace) {
    return std::nullopt;
  }
  if (ns.starts_with("http://www.egem.nl/StUF/") || ns.starts_with("http://www.stufstandaarden.nl/")) {
    return std::string("StUF-GGk");
  }
  // http://www.istandaarden.nl/<standard>/<major>_<minor>/<message>/schema
  constexpr std::string_view kPrefix = "http://www.istandaarden.nl/";
  if (!ns.starts_with(kPrefix)) return std::nullopt;
  std::string_view rest = ns.substr(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  const std::string_view standard = rest.substr(0, slash);
  rest = rest.substr(slash + 1);
  const std::string_view release = rest.substr(0, rest.find('/'));
  // Our own releases with a message name we do not know (a typo, a type we do not handle): not
  // another release; the caller lists the namespaces it expects.
  if ((standard == "iwmo" && release == "3_2") || (standard == "ieb" && release == "4_0")) return std::nullopt;
  const std::size_t underscore = release.find('_');
  const auto digits = [](std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (underscore == std::string_view::npos || !digits(release.substr(0, underscore)) ||
      !digits(release.substr(underscore + 1))) {
    return std::nullopt;
  }
  // The iStandaarden write their names with a lower-case i and the rest as an acronym.
  std::string name = "i";
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"iwmo", "Wmo"}, {"ijw", "Jw"}, {"ieb", "Eb"}, {"iwlz", "Wlz"}, {"ipgb", "Pgb"}};
  const auto known = std::find_if(std::begin(kNames), std::end(kNames),
                                  [&](const auto& entry) { return entry.first == standard; });
  if (known != std::end(kNames)) {
    name += known->second;
  } else {
    name += std::string(standard.starts_with("i") ? standard.substr(1) : standard);
  }
  return name + " " + std::string(release.substr(0, underscore)) + "." + std::string(release.substr(underscore + 1));
}

}  // namespace iwmo::adapters::iwmo
