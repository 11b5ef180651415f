#include "adapters/ieb/ieb_writer.h"

#include "adapters/iwmo/message_types.h"

namespace iwmo::adapters::ieb {
namespace {

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

// Appended piece by piece: GCC 12's -Wrestrict misfires on chains of operator+ here at -O3
// (PR 105329), and appending saves the temporaries besides.
void element(std::string& out, int indent, std::string_view name, std::string_view value) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
  out.append("<").append(name).append(">").append(escaped(value)).append("</").append(name).append(">\n");
}

void open(std::string& out, int indent, std::string_view name) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
  out.append("<").append(name).append(">\n");
}

void close(std::string& out, int indent, std::string_view name) {
  out.append(static_cast<std::size_t>(indent) * 2, ' ');
  out.append("</").append(name).append(">\n");
}

void retourCodes(std::string& out, int indent, const std::vector<std::string>& codes) {
  open(out, indent, "RetourCodes");
  for (const auto& code : codes) element(out, indent + 1, "ieb:RetourCode", code);
  close(out, indent, "RetourCodes");
}

// `header_codes` / `period_codes` are written only for retours (`retour` true).
void period(std::string& out, const proto::EbRecord& record, bool retour,
            const std::vector<std::string>& period_codes) {
  const bool at = record.kind() == "AT";
  const std::string_view name = at ? "PeriodeEigenBijdrageAbo" : "PeriodeEigenBijdrageBw";
  open(out, 2, name);
  element(out, 3, "StatusAanlevering", record.status_aanlevering());
  element(out, 3, at ? "EbStartNummer" : "BwStartNummer", std::to_string(record.start_nummer()));
  element(out, 3, at ? "EbStartdatum" : "BwStartdatum", record.startdatum());
  if (!record.stopdatum().empty()) {
    element(out, 3, at ? "EbStopdatum" : "BwStopdatum", record.stopdatum());
  }
  if (at && record.has_kostprijs()) {
    open(out, 3, "Kostprijs");
    element(out, 4, "ieb:KostprijsBedrag", std::to_string(record.kostprijs_bedrag()));
    element(out, 4, "ieb:KostprijsStartdatum", record.kostprijs_startdatum());
    close(out, 3, "Kostprijs");
  }
  if (retour) retourCodes(out, 3, period_codes.empty() ? std::vector<std::string>{"0200"} : period_codes);
  close(out, 2, name);
}

std::string prologue(std::string_view message_type) {
  const auto* type = adapters::iwmo::messageTypeByName(message_type);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // Message classes in the message namespace (default); the elements of the basisschema's
  // composite types (CDT_*) in the basisschema namespace (elementFormDefault qualified).
  out += "<Bericht xmlns=\"" + std::string(type->ns) + "\" xmlns:ieb=\"" +
         std::string(adapters::iwmo::kIebBasisschemaNamespace) + "\">\n";
  return out;
}

void headerStart(std::string& out, std::string_view message_type, const std::string& afzender,
                 const std::string& identificatie, const std::string& dagtekening,
                 std::string_view basisschema_versie = kIebXsdVersie,
                 std::string_view bericht_versie = kIebXsdVersie) {
  const auto* type = adapters::iwmo::messageTypeByName(message_type);
  open(out, 1, "Header");
  element(out, 2, "BerichtCode", std::to_string(type->bericht_code));
  element(out, 2, "BerichtVersie", "4");
  element(out, 2, "BerichtSubversie", "0");
  element(out, 2, "Afzender", afzender);
  open(out, 2, "BerichtIdentificatie");
  element(out, 3, "ieb:Identificatie", identificatie);
  element(out, 3, "ieb:Dagtekening", dagtekening);
  close(out, 2, "BerichtIdentificatie");
  open(out, 2, "XsdVersie");
  element(out, 3, "ieb:BasisschemaXsdVersie", basisschema_versie);
  element(out, 3, "ieb:BerichtXsdVersie", bericht_versie);
  close(out, 2, "XsdVersie");
}

}  // namespace

std::string_view retourTypeOf(std::string_view heen_type) {
  if (heen_type == "WMO405") return "WMO406";
  if (heen_type == "WMO407") return "WMO408";
  return "";
}

std::string writeHeen(std::string_view message_type, const IebHeader& header,
                      const std::vector<proto::EbRecord>& records) {
  std::string out = prologue(message_type);
  headerStart(out, message_type, header.afzender, header.identificatie,
              header.dagtekening.toString());
  close(out, 1, "Header");
  for (const proto::EbRecord& record : records) {
    open(out, 1, "Client");
    element(out, 2, "Bsn", record.bsn());
    period(out, record, false, {});
    close(out, 1, "Client");
  }
  out += "</Bericht>\n";
  return out;
}

std::string writeRetour(const proto::MessageSummary& heen, const std::string& identificatie_retour,
                        Date dagtekening_retour, const std::vector<std::string>& header_codes,
                        const std::vector<RetourClient>& clients) {
  const std::string_view type = retourTypeOf(heen.message_type());
  std::string out = prologue(type);
  // IV028: everything but the BerichtCode is copied from the heen header.
  const proto::Header& h = heen.header();
  headerStart(out, type, h.afzender(), h.identificatie(), h.dagtekening(),
              h.basisschema_xsd_versie().empty() ? kIebXsdVersie : h.basisschema_xsd_versie(),
              h.bericht_xsd_versie().empty() ? kIebXsdVersie : h.bericht_xsd_versie());
  element(out, 2, "IdentificatieRetour", identificatie_retour);
  element(out, 2, "DagtekeningRetour", dagtekening_retour.toString());
  open(out, 2, "XsdVersieRetour");
  element(out, 3, "ieb:BasisschemaXsdVersie", kIebXsdVersie);
  element(out, 3, "ieb:BerichtXsdVersie", kIebXsdVersie);
  close(out, 2, "XsdVersieRetour");
  if (!header_codes.empty()) retourCodes(out, 2, header_codes);
  close(out, 1, "Header");
  for (const RetourClient& client : clients) {
    open(out, 1, "Client");
    element(out, 2, "Bsn", client.record.bsn());
    period(out, client.record, true, client.period_codes);
    retourCodes(out, 2, client.client_codes.empty() ? std::vector<std::string>{"0200"}
                                                    : client.client_codes);
    close(out, 1, "Client");
  }
  out += "</Bericht>\n";
  return out;
}

}  // namespace iwmo::adapters::ieb
