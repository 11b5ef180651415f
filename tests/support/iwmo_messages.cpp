#include "support/iwmo_messages.h"

namespace iwmo::test {
namespace {

std::string head(const std::string& n, const std::string& code, const std::string& afzender,
                 const std::string& ontvanger, const MessageHeader& h) {
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  s += "<wmo" + n + ":Bericht xmlns:iwmo=\"http://www.istandaarden.nl/iwmo/3_2/basisschema/schema\" xmlns:wmo" + n +
       "=\"http://www.istandaarden.nl/iwmo/3_2/wmo" + n + "/schema\">\n";
  const std::string p = "wmo" + n + ":";
  s += "  <" + p + "Header>\n";
  s += "    <" + p + "BerichtCode>" + code + "</" + p + "BerichtCode>\n";
  s += "    <" + p + "BerichtVersie>3</" + p + "BerichtVersie>\n";
  s += "    <" + p + "BerichtSubversie>2</" + p + "BerichtSubversie>\n";
  s += "    <" + p + "Afzender>" + afzender + "</" + p + "Afzender>\n";
  s += "    <" + p + "Ontvanger>" + ontvanger + "</" + p + "Ontvanger>\n";
  s += "    <" + p + "BerichtIdentificatie>\n      <iwmo:Identificatie>" + h.identificatie +
       "</iwmo:Identificatie>\n      <iwmo:Dagtekening>" + h.dagtekening + "</iwmo:Dagtekening>\n    </" + p +
       "BerichtIdentificatie>\n";
  s += "    <" + p + "XsdVersie>\n      <iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>\n"
       "      <iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>\n    </" + p + "XsdVersie>\n";
  s += "  </" + p + "Header>\n";
  s += "  <" + p + "Client>\n";
  s += "    <" + p + "Bsn>" + h.bsn + "</" + p + "Bsn>\n";
  s += "    <" + p + "Geboortedatum>\n      <iwmo:Datum>" + h.geboortedatum + "</iwmo:Datum>\n    </" + p +
       "Geboortedatum>\n";
  s += "    <" + p + "Geslacht>2</" + p + "Geslacht>\n";
  s += "    <" + p + "Naam>\n      <iwmo:Geslachtsnaam>\n        <iwmo:Achternaam>Test</iwmo:Achternaam>\n"
       "      </iwmo:Geslachtsnaam>\n      <iwmo:Voorletters>T</iwmo:Voorletters>\n";
  if (n == "301") s += "      <iwmo:NaamGebruik>1</iwmo:NaamGebruik>\n";
  s += "    </" + p + "Naam>\n";
  return s;
}

std::string tail(const std::string& n) {
  return "  </wmo" + n + ":Client>\n</wmo" + n + ":Bericht>\n";
}

std::string product(const std::string& p, const ProductLine& line) {
  return "        <" + p + "Product>\n          <iwmo:Categorie>" + line.categorie + "</iwmo:Categorie>\n" +
         (line.code.empty() ? "" : "          <iwmo:Code>" + line.code + "</iwmo:Code>\n") + "        </" + p +
         "Product>\n";
}

}  // namespace

std::string wmo301(const MessageHeader& h, const std::vector<ProductLine>& lines) {
  const std::string p = "wmo301:";
  std::string s = head("301", "414", h.gemeente, h.aanbieder, h);
  s += "    <" + p + "Contactgegevens>\n      <" + p + "Contact>\n        <" + p + "Soort>01</" + p + "Soort>\n";
  s += "        <" + p + "Adres>\n          <iwmo:Huis>\n            <iwmo:Huisnummer>1</iwmo:Huisnummer>\n"
       "          </iwmo:Huis>\n          <iwmo:Postcode>3011AA</iwmo:Postcode>\n"
       "          <iwmo:Straatnaam>Coolsingel</iwmo:Straatnaam>\n          <iwmo:Plaatsnaam>Rotterdam</iwmo:Plaatsnaam>\n"
       "          <iwmo:LandCode>NL</iwmo:LandCode>\n        </" + p + "Adres>\n";
  s += "      </" + p + "Contact>\n    </" + p + "Contactgegevens>\n";
  s += "    <" + p + "ToegewezenProducten>\n";
  for (const ProductLine& line : lines) {
    s += "      <" + p + "ToegewezenProduct>\n";
    s += "        <" + p + "ToewijzingNummer>" + std::to_string(line.toewijzing_nummer) + "</" + p + "ToewijzingNummer>\n";
    s += product(p, line);
    s += "        <" + p + "Toewijzingsdatum>" + h.dagtekening + "</" + p + "Toewijzingsdatum>\n";
    s += "        <" + p + "Toewijzingstijd>10:00:00</" + p + "Toewijzingstijd>\n";
    s += "        <" + p + "Ingangsdatum>" + line.ingangsdatum + "</" + p + "Ingangsdatum>\n";
    if (!line.einddatum.empty()) s += "        <" + p + "Einddatum>" + line.einddatum + "</" + p + "Einddatum>\n";
    if (!line.reden_wijziging.empty()) {
      s += "        <" + p + "RedenWijziging>" + line.reden_wijziging + "</" + p + "RedenWijziging>\n";
    }
    if (line.budget.empty()) {
      s += "        <" + p + "Omvang>\n          <iwmo:Volume>3</iwmo:Volume>\n          <iwmo:Eenheid>04</iwmo:Eenheid>\n"
           "          <iwmo:Frequentie>2</iwmo:Frequentie>\n        </" + p + "Omvang>\n";
    } else {
      s += "        <" + p + "Budget>" + line.budget + "</" + p + "Budget>\n";  // CD077: no Omvang beside it
    }
    s += "      </" + p + "ToegewezenProduct>\n";
  }
  s += "    </" + p + "ToegewezenProducten>\n";
  return s + tail("301");
}

std::string wmo305(const MessageHeader& h, const std::vector<ProductLine>& lines) {
  const std::string p = "wmo305:";
  std::string s = head("305", "418", h.aanbieder, h.gemeente, h);
  s += "    <" + p + "StartProducten>\n";
  for (const ProductLine& line : lines) {
    s += "      <" + p + "StartProduct>\n";
    s += "        <" + p + "ToewijzingNummer>" + std::to_string(line.toewijzing_nummer) + "</" + p + "ToewijzingNummer>\n";
    s += product(p, line);
    s += "        <" + p + "ToewijzingIngangsdatum>" + line.ingangsdatum + "</" + p + "ToewijzingIngangsdatum>\n";
    s += "        <" + p + "Begindatum>" + line.begindatum + "</" + p + "Begindatum>\n";
    s += "        <" + p + "StatusAanlevering>" + line.status + "</" + p + "StatusAanlevering>\n";
    s += "      </" + p + "StartProduct>\n";
  }
  s += "    </" + p + "StartProducten>\n";
  return s + tail("305");
}

std::string wmo307(const MessageHeader& h, const std::vector<ProductLine>& lines) {
  const std::string p = "wmo307:";
  std::string s = head("307", "420", h.aanbieder, h.gemeente, h);
  s += "    <" + p + "StopProducten>\n";
  for (const ProductLine& line : lines) {
    s += "      <" + p + "StopProduct>\n";
    s += "        <" + p + "ToewijzingNummer>" + std::to_string(line.toewijzing_nummer) + "</" + p + "ToewijzingNummer>\n";
    s += product(p, line);
    s += "        <" + p + "ToewijzingIngangsdatum>" + line.ingangsdatum + "</" + p + "ToewijzingIngangsdatum>\n";
    s += "        <" + p + "Begindatum>" + line.begindatum + "</" + p + "Begindatum>\n";
    s += "        <" + p + "RedenBeeindiging>37</" + p + "RedenBeeindiging>\n";
    s += "        <" + p + "Einddatum>" + line.einddatum + "</" + p + "Einddatum>\n";
    s += "        <" + p + "StatusAanlevering>" + line.status + "</" + p + "StatusAanlevering>\n";
    s += "      </" + p + "StopProduct>\n";
  }
  s += "    </" + p + "StopProducten>\n";
  return s + tail("307");
}

proto::EbRecord ebRecord(const std::string& kind, const std::string& status, std::uint64_t nummer,
                         const std::string& start, const std::string& stop, const std::string& bsn) {
  proto::EbRecord r;
  r.set_bsn(bsn);
  r.set_kind(kind);
  r.set_status_aanlevering(status);
  r.set_start_nummer(nummer);
  r.set_startdatum(start);
  r.set_stopdatum(stop);
  return r;
}

}  // namespace iwmo::test
