#include "adapters/ieb/eb001.h"

#include <array>

namespace iwmo::adapters::ieb {
namespace {

// From the EB001 list (iEb 1.0.2 model and the iEb 4.0 page excerpt); the last three follow the
// list's pattern (by_pattern). tests/adapters/ieb/eb001_test.cpp proves agreement with
// ../shared/reference/ieb/eb001-retourcodes.tsv.
constexpr std::array<Eb001Code, 22> kCodes{{
    {"0001", "Bericht is afgekeurd om technische redenen.", ""},
    {"0200", "Geen opmerking over deze berichtklasse.", ""},
    {"0233", "Berichtklasse is niet beoordeeld.", ""},
    {"8848", "Dagtekening is gevuld met een datum die in de toekomst ligt.", "TR135"},
    {"9056", "Identificatie per berichtsoort is niet uniek voor de verzendende partij.", "TR056"},
    {"9063", "StatusAanlevering heeft de waarde 3, maar er is geen eerdere aanlevering voor de betreffende Client met dezelfde logische sleutel.", "TR063"},
    {"9071", "Bericht voldoet niet aan technische regel 071.", "TR071"},
    {"9102", "Bericht voldoet niet aan technische regel 102.", "TR102"},
    {"9103", "StatusAanlevering heeft de waarde 2 (Gewijzigde aanlevering), maar er is geen eerdere aanlevering voor de betreffende client met dezelfde sleutel.", "TR103"},
    {"9104", "Een eerder met StatusAanlevering 3 verwijderd bericht kan niet worden gewijzigd met StatusAanlevering 2.", "TR104"},
    {"9114", "Bericht voldoet niet aan technische regel 114.", "TR114"},
    {"9115", "Bericht voldoet niet aan technische regel 115.", "TR115"},
    {"9328", "Bericht voldoet niet aan technische regel 328.", "TR328"},
    {"9329", "Bericht voldoet niet aan technische regel 329.", "TR329"},
    {"9330", "Bericht voldoet niet aan technische regel 330.", "TR330"},
    {"9393", "EbStartdatum is niet groter of gelijk aan de dagtekening van het bericht minus 36 maanden en niet gelijk aan de EbStartdatum van de actuele aanlevering met gelijk EbStartNummer, terwijl StatusAanlevering waarde 2 heeft.", "TR393"},
    {"9395", "BwStartdatum is niet groter of gelijk aan de dagtekening van het bericht minus 36 maanden, en niet gelijk aan ... (excerpt truncated)", "TR395"},
    {"S300", "Gemeentecode komt niet voor in de lijst van CBS.", "TR378"},
    {"S333", "Kostprijsbedrag niet groter dan nationaal tarief op KostprijsStartdatum.", "TR409"},
    {"9112", "Bericht voldoet niet aan technische regel 112 (startdatum meer dan 12 maanden voor de dagtekening).", "TR112", true},
    {"9113", "Bericht voldoet niet aan technische regel 113 (datum meer dan 1 maand na de dagtekening).", "TR113", true},
    {"9400", "Bericht voldoet niet aan technische regel 400 (periodes beschermd wonen overlappen, OP371).", "TR400", true},
}};

}  // namespace

std::span<const Eb001Code> allEb001Codes() { return kCodes; }

const Eb001Code* eb001(std::string_view code) {
  for (const auto& entry : kCodes) {
    if (entry.code == code) return &entry;
  }
  return nullptr;
}

std::string describeEb001(std::string_view code) {
  const Eb001Code* entry = eb001(code);
  if (entry == nullptr) return std::string(code) + " (not in EB001)";
  return std::string(code) + " (" + std::string(entry->omschrijving) + ")";
}

bool isNeutralRetourCode(std::string_view code) { return code == "0200" || code == "0233"; }

}  // namespace iwmo::adapters::ieb
