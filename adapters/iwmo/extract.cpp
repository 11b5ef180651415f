#include "adapters/iwmo/extract.h"

#include <charconv>
#include <string_view>

namespace iwmo::adapters::iwmo {
namespace {

using adapters::xml::XmlElement;
using adapters::xml::XmlTree;

template <typename T>
T number(std::string_view text) {
  T value{};
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void retourCodes(const XmlTree& tree, const XmlElement& parent,
                 google::protobuf::RepeatedPtrField<std::string>& out) {
  if (const XmlElement* codes = tree.child(parent, "RetourCodes")) {
    for (const XmlElement* code : tree.children(*codes, "RetourCode")) out.Add(std::string(code->text));
  }
}

void extractHeader(const XmlTree& tree, const XmlElement& header, proto::Header& out) {
  out.set_bericht_code(number<std::uint32_t>(tree.textAt(header, "BerichtCode")));
  out.set_bericht_versie(number<std::uint32_t>(tree.textAt(header, "BerichtVersie")));
  out.set_bericht_subversie(number<std::uint32_t>(tree.textAt(header, "BerichtSubversie")));
  out.set_afzender(std::string(tree.textAt(header, "Afzender")));
  out.set_ontvanger(std::string(tree.textAt(header, "Ontvanger")));
  out.set_identificatie(std::string(tree.textAt(header, "BerichtIdentificatie/Identificatie")));
  out.set_dagtekening(std::string(tree.textAt(header, "BerichtIdentificatie/Dagtekening")));
  out.set_basisschema_xsd_versie(std::string(tree.textAt(header, "XsdVersie/BasisschemaXsdVersie")));
  out.set_bericht_xsd_versie(std::string(tree.textAt(header, "XsdVersie/BerichtXsdVersie")));
  out.set_identificatie_retour(std::string(tree.textAt(header, "IdentificatieRetour")));
  out.set_dagtekening_retour(std::string(tree.textAt(header, "DagtekeningRetour")));
  retourCodes(tree, header, *out.mutable_retour_codes());
}

bool isProductClass(std::string_view name) {
  return name == "ToegewezenProduct" || name == "StartProduct" || name == "StopProduct" ||
         name == "AangevraagdProduct" || name == "OngewijzigdProduct" ||
         name == "TeWijzigenProduct" || name == "NieuwProduct";
}

void extractProduct(const XmlTree& tree, const XmlElement& element, proto::Product& out) {
  out.set_kind(element.name);
  out.set_line(element.line);
  if (const XmlElement* nummer = tree.child(element, "ToewijzingNummer")) {
    out.set_has_toewijzing_nummer(true);
    out.set_toewijzing_nummer(number<std::uint64_t>(nummer->text));
  }
  out.set_categorie(std::string(tree.textAt(element, "Product/Categorie")));
  out.set_code(std::string(tree.textAt(element, "Product/Code")));
  // Ingangsdatum is ToegewezenProduct's own; the others echo the toewijzing's.
  std::string_view ingang = tree.textAt(element, "Ingangsdatum");
  if (ingang.empty()) ingang = tree.textAt(element, "ToewijzingIngangsdatum");
  out.set_ingangsdatum(std::string(ingang));
  std::string_view eind = tree.textAt(element, "Einddatum");
  if (eind.empty()) eind = tree.textAt(element, "ToewijzingEinddatum");
  out.set_einddatum(std::string(eind));
  out.set_begindatum(std::string(tree.textAt(element, "Begindatum")));
  out.set_status_aanlevering(std::string(tree.textAt(element, "StatusAanlevering")));
  out.set_reden_wijziging(std::string(tree.textAt(element, "RedenWijziging")));
  out.set_reden_beeindiging(std::string(tree.textAt(element, "RedenBeeindiging")));
  out.set_referentie_aanbieder(std::string(tree.textAt(element, "ReferentieAanbieder")));
  out.set_gewenste_ingangsdatum(std::string(tree.textAt(element, "GewensteIngangsdatum")));
  if (const XmlElement* budget = tree.child(element, "Budget")) {
    out.set_has_budget(true);
    out.set_budget(number<std::uint64_t>(budget->text));
  }
  retourCodes(tree, element, *out.mutable_retour_codes());
}

void extractDeclaratie(const XmlTree& tree, const XmlElement& element, proto::Declaratie& out) {
  out.set_declaratie_nummer(std::string(tree.textAt(element, "DeclaratieNummer")));
  out.set_totaal_ingediend_bedrag(
      number<std::uint64_t>(tree.textAt(element, "TotaalIngediendBedrag/TotaalBedrag")));
  out.set_totaal_ingediend_debet_credit(
      std::string(tree.textAt(element, "TotaalIngediendBedrag/DebetCredit")));
  out.set_totaal_toegekend_bedrag(
      number<std::uint64_t>(tree.textAt(element, "TotaalToegekendBedrag/TotaalBedrag")));
  out.set_totaal_toegekend_debet_credit(
      std::string(tree.textAt(element, "TotaalToegekendBedrag/DebetCredit")));
  const XmlElement* clienten = tree.child(element, "Clienten");
  if (clienten == nullptr) return;
  for (const XmlElement* client : tree.children(*clienten, "Client")) {
    const std::string_view bsn = tree.textAt(*client, "Bsn");
    const XmlElement* prestaties = tree.child(*client, "Prestaties");
    if (prestaties == nullptr) continue;
    for (const XmlElement* prestatie : tree.children(*prestaties, "Prestatie")) {
      proto::Prestatie& p = *out.add_prestaties();
      p.set_bsn(std::string(bsn));
      p.set_referentie_nummer(
          std::string(tree.textAt(*prestatie, "ProductReferentie/ReferentieNummer")));
      p.set_vorig_referentie_nummer(
          std::string(tree.textAt(*prestatie, "ProductReferentie/VorigReferentieNummer")));
      p.set_toewijzing_nummer(number<std::uint64_t>(tree.textAt(*prestatie, "ToewijzingNummer")));
      p.set_categorie(std::string(tree.textAt(*prestatie, "ProductCategorie")));
      p.set_code(std::string(tree.textAt(*prestatie, "ProductCode")));
      p.set_periode_begindatum(std::string(tree.textAt(*prestatie, "ProductPeriode/Begindatum")));
      p.set_periode_einddatum(std::string(tree.textAt(*prestatie, "ProductPeriode/Einddatum")));
      p.set_ingediend_bedrag(number<std::uint64_t>(tree.textAt(*prestatie, "IngediendBedrag/Bedrag")));
      p.set_debet_credit(std::string(tree.textAt(*prestatie, "IngediendBedrag/DebetCredit")));
      retourCodes(tree, *prestatie, *p.mutable_retour_codes());
    }
  }
}

// Header Afzender/Ontvanger are the heen message's for both heen and retour (IV028): for a type
// the gemeente sends as heen (301, 319, 325) and its retours (302, 320), Afzender is the
// gemeente; for the aanbieder's heen messages and their retours, Afzender is the aanbieder.
void extractRouting(const MessageType& type, const proto::Header& header, proto::Routing& out) {
  out.set_is_retour(type.is_retour);
  out.set_pair_type(std::string(type.pair));
  if (type.standard == "ieb") {
    // iEb: the header has only the Afzender (the municipality); the other end is the CAK.
    const bool by_cak = type.sender == Sender::kCak;
    out.set_sent_by(by_cak ? "cak" : "gemeente");
    out.set_gemeente(header.afzender());
    out.set_physical_sender(by_cak ? "CAK" : header.afzender());
    out.set_physical_receiver(by_cak ? header.afzender() : "CAK");
    out.set_own_identificatie(type.is_retour ? header.identificatie_retour()
                                             : header.identificatie());
    return;
  }
  out.set_sent_by(type.sender == Sender::kGemeente ? "gemeente" : "aanbieder");
  const bool heen_by_gemeente = (type.sender == Sender::kGemeente) != type.is_retour;
  out.set_gemeente(heen_by_gemeente ? header.afzender() : header.ontvanger());
  out.set_aanbieder(heen_by_gemeente ? header.ontvanger() : header.afzender());
  const bool by_gemeente = type.sender == Sender::kGemeente;
  out.set_physical_sender(by_gemeente ? out.gemeente() : out.aanbieder());
  out.set_physical_receiver(by_gemeente ? out.aanbieder() : out.gemeente());
  out.set_own_identificatie(type.is_retour ? header.identificatie_retour() : header.identificatie());
}

void extractEbRecords(const XmlTree& tree, const XmlElement& root, proto::MessageSummary& summary) {
  for (const XmlElement* client : tree.children(root, "Client")) {
    proto::EbRecord& record = *summary.add_eb_records();
    record.set_bsn(std::string(tree.textAt(*client, "Bsn")));
    record.set_line(client->line);
    retourCodes(tree, *client, *record.mutable_client_retour_codes());
    const XmlElement* period = tree.child(*client, "PeriodeEigenBijdrageAbo");
    const bool at = period != nullptr;
    if (!at) period = tree.child(*client, "PeriodeEigenBijdrageBw");
    record.set_kind(at ? "AT" : "BW");
    if (period == nullptr) continue;
    record.set_status_aanlevering(std::string(tree.textAt(*period, "StatusAanlevering")));
    record.set_start_nummer(
        number<std::uint64_t>(tree.textAt(*period, at ? "EbStartNummer" : "BwStartNummer")));
    record.set_startdatum(std::string(tree.textAt(*period, at ? "EbStartdatum" : "BwStartdatum")));
    record.set_stopdatum(std::string(tree.textAt(*period, at ? "EbStopdatum" : "BwStopdatum")));
    if (const XmlElement* kostprijs = tree.child(*period, "Kostprijs")) {
      record.set_has_kostprijs(true);
      record.set_kostprijs_bedrag(number<std::uint64_t>(tree.textAt(*kostprijs, "KostprijsBedrag")));
      record.set_kostprijs_startdatum(std::string(tree.textAt(*kostprijs, "KostprijsStartdatum")));
    }
    retourCodes(tree, *period, *record.mutable_retour_codes());
  }
}

}  // namespace

void extractSummary(const MessageType* type, const XmlTree& tree, proto::MessageSummary& summary) {
  summary.Clear();
  if (type != nullptr) summary.set_message_type(std::string(type->name));
  if (tree.empty()) return;
  const XmlElement& root = tree.root();
  if (const XmlElement* header = tree.child(root, "Header")) {
    extractHeader(tree, *header, *summary.mutable_header());
    // WMO325 names the declaratie it answers in its header.
    if (const XmlElement* declaratie_id = tree.find(*header, "DeclaratieIdentificatie/Identificatie")) {
      summary.mutable_declaratie()->set_declaratie_identificatie(declaratie_id->text);
    }
    if (type != nullptr) extractRouting(*type, summary.header(), *summary.mutable_routing());
  }
  if (type != nullptr && type->standard == "ieb") {
    extractEbRecords(tree, root, summary);
    // The first client is the one the per-client order is kept for.
    if (summary.eb_records_size() > 0) summary.mutable_client()->set_bsn(summary.eb_records(0).bsn());
    return;
  }
  if (const XmlElement* client = tree.child(root, "Client")) {
    summary.mutable_client()->set_bsn(std::string(tree.textAt(*client, "Bsn")));
    summary.mutable_client()->set_geboortedatum(std::string(tree.textAt(*client, "Geboortedatum/Datum")));
    retourCodes(tree, *client, *summary.mutable_client()->mutable_retour_codes());
  }
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const XmlElement& element = tree.at(static_cast<std::int32_t>(i));
    if (isProductClass(element.name)) {
      extractProduct(tree, element, *summary.add_products());
    } else if (element.name == "Declaratie" || element.name == "DeclaratieAntwoord") {
      extractDeclaratie(tree, element, *summary.mutable_declaratie());
    } else if (element.name == "Antwoord") {
      proto::Antwoord& antwoord = *summary.add_antwoorden();
      antwoord.set_referentie_aanbieder(std::string(tree.textAt(element, "ReferentieAanbieder")));
      antwoord.set_verzoek_antwoord(std::string(tree.textAt(element, "VerzoekAntwoord")));
      antwoord.set_reden_afwijzing(std::string(tree.textAt(element, "RedenAfwijzingVerzoek")));
    }
  }
}

}  // namespace iwmo::adapters::iwmo
