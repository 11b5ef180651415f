#include "adapters/stuf/envelope_writer.h"

#include <algorithm>
#include <utility>

#include "adapters/stuf/base64.h"
#include "adapters/stuf/payload_checks.h"
#include "adapters/stuf/tijdstip.h"
#include "adapters/stuf/uuid.h"
#include "adapters/xml/xml_text.h"

namespace iwmo::adapters::stuf {
namespace {

std::string escape(std::string_view text) { return adapters::xml::escapedText(text); }

bool isFourDigits(std::string_view text) {
  return text.size() == 4 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::size_t utf16Units(std::string_view text) {
  std::size_t units = 0;
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if ((b & 0xC0) != 0x80) units += b >= 0xF0 ? 2 : 1;
  }
  return units;
}

Status checkOrganisatie(std::string_view field, std::string_view organisatie) {
  if (classifyOrganisatie(organisatie) != OrganisatieKind::Invalid) return Status::ok();
  return Status::invalid(std::string(field) + " '" + std::string(organisatie) +
                         "' is not a GGk routing id: expected a CBS gemeentecode (4 digits), an "
                         "AGB code (8 digits) or one of SVB, CAK, CBS, UWV, VWS, VECOZO, IB, RINIS "
                         "(Specificatie StUF-envelop 2.1.04 p.13-18)");
}

Status checkApplicatie(std::string_view field, std::string_view applicatie) {
  const std::size_t length = utf16Units(applicatie);
  if (length >= 3 && length <= 50) return Status::ok();
  return Status::invalid(std::string(field) + " '" + std::string(applicatie) +
                         "' must be 3 to 50 characters: the application's name without its "
                         "version (StUF Applicatie; Specificatie StUF-envelop 2.1.04 §2.5)");
}

Status checkReferentienummer(std::string_view field, std::string_view value) {
  if (isUuidV4(value)) return Status::ok();
  return Status::invalid(std::string(field) + " '" + std::string(value) +
                         "' is not a version-4 UUID in lower case "
                         "([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}; "
                         "the GGk answers IB009, VECOZO CC04)");
}

Result<std::string> referentienummerFor(const std::string& requested) {
  if (requested.empty()) return newUuidV4();
  IWMO_RETURN_IF_ERROR(checkReferentienummer("referentienummer", requested));
  return requested;
}

void appendSystem(std::string& out, std::string_view element, const StufSystem& system,
                  bool with_organisatie) {
  out += "    <StUF:";
  out += element;
  out += ">\n";
  if (with_organisatie) {
    out += "      <StUF:organisatie>" + escape(system.organisatie) + "</StUF:organisatie>\n";
  }
  out += "      <StUF:applicatie>" + escape(system.applicatie) + "</StUF:applicatie>\n";
  if (!system.administratie.empty()) {
    out += "      <StUF:administratie>" + escape(system.administratie) + "</StUF:administratie>\n";
  }
  if (!system.gebruiker.empty()) {
    out += "      <StUF:gebruiker>" + escape(system.gebruiker) + "</StUF:gebruiker>\n";
  }
  out += "    </StUF:";
  out += element;
  out += ">\n";
}

}  // namespace

Fo01Request fo01Answering(const GgkEnvelope& failed, StufSystem zender, Fo01Code code,
                          std::string detail, Timestamp tijdstip, int utc_offset_minutes) {
  Fo01Request request;
  request.zender = std::move(zender);
  request.ontvanger = failed.zender;
  request.cross_refnummer = failed.referentienummer;
  request.code = code;
  request.detail = std::move(detail);
  if (!failed.functie.empty()) {
    request.details = failed.functie + "-" + failed.applicatie_versie + failed.applicatie_subversie;
  }
  request.tijdstip = tijdstip;
  request.utc_offset_minutes = utc_offset_minutes;
  return request;
}

EnvelopeWriter::EnvelopeWriter(std::unique_ptr<adapters::xml::ValidatingParser> parser,
                               WriterLimits limits)
    : parser_(std::move(parser)), limits_(limits) {}
EnvelopeWriter::~EnvelopeWriter() = default;

Result<std::unique_ptr<EnvelopeWriter>> EnvelopeWriter::create(
    std::shared_ptr<const adapters::xml::SchemaSet> schemas, WriterLimits limits) {
  for (std::string_view ns : {kStufNamespace, kGgkNamespace}) {
    if (!schemas->hasNamespace(std::string(ns))) {
      return Status::failedPrecondition(
          "schema set " + schemas->directory().string() + " has no schema for namespace " +
          std::string(ns) + "; point the StUF-GGk schema directory at schemas/stuf-ggk");
    }
  }
  adapters::xml::ParseLimits parse_limits;
  parse_limits.max_input_bytes = limits.max_envelope_bytes;
  parse_limits.max_problems = 10;
  auto parser = adapters::xml::ValidatingParser::create(std::move(schemas), parse_limits);
  if (!parser) return parser.status();
  return std::unique_ptr<EnvelopeWriter>(new EnvelopeWriter(std::move(*parser), limits));
}

Result<WrittenEnvelope> EnvelopeWriter::wrapHeen(const WrapRequest& request,
                                                 std::string_view payload) {
  return wrap(BerichtKind::Di01, request, {}, payload);
}

Result<WrittenEnvelope> EnvelopeWriter::wrapRetour(const WrapRequest& request,
                                                   std::string_view heen_referentienummer,
                                                   std::string_view payload) {
  IWMO_RETURN_IF_ERROR(checkReferentienummer("crossRefnummer (the heen envelope's referentienummer)",
                                             heen_referentienummer));
  return wrap(BerichtKind::Du01, request, heen_referentienummer, payload);
}

Result<WrittenEnvelope> EnvelopeWriter::wrap(BerichtKind kind, const WrapRequest& request,
                                             std::string_view cross_refnummer,
                                             std::string_view payload) {
  IWMO_RETURN_IF_ERROR(checkOrganisatie("zender.organisatie", request.zender.organisatie));
  IWMO_RETURN_IF_ERROR(checkApplicatie("zender.applicatie", request.zender.applicatie));
  IWMO_RETURN_IF_ERROR(checkOrganisatie("ontvanger.organisatie", request.ontvanger_organisatie));
  if (request.functie.empty() || utf16Units(request.functie) > 30) {
    return Status::invalid("functie '" + request.functie +
                           "' must be 1 to 30 characters: the payload's message type without its "
                           "version, e.g. WMO301 (Specificatie StUF-envelop 2.1.04 §2.6)");
  }
  const std::pair<const char*, const std::string*> versions[] = {
      {"applicatieVersie", &request.applicatie_versie},
      {"applicatieSubversie", &request.applicatie_subversie},
      {"functieVersie", &request.functie_versie},
      {"functieSubversie", &request.functie_subversie}};
  for (const auto& [name, value] : versions) {
    if (!isFourDigits(*value)) {
      return Status::invalid(std::string(name) + " '" + *value +
                             "' must be exactly four digits, e.g. 0001 (StUF Versienr)");
    }
  }
  if (auto problem = checkXmlPayload(payload, "xmlBestand")) {
    return Status::invalid("payload refused: " + problem->rule + ": " + problem->message);
  }
  Result<std::string> referentienummer = referentienummerFor(request.referentienummer);
  if (!referentienummer) return referentienummer.status();

  const bool retour = kind == BerichtKind::Du01;
  const std::string_view root = retour ? kDu01Element : kDi01Element;
  std::string out;
  out.reserve(payload.size() / 3 * 4 + 2048);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<GGK:";
  out += root;
  out += " xmlns:StUF=\"";
  out += kStufNamespace;
  out += "\" xmlns:GGK=\"";
  out += kGgkNamespace;
  out += "\">\n  <GGK:stuurgegevens>\n";
  out += retour ? "    <StUF:berichtcode>Du01</StUF:berichtcode>\n"
                : "    <StUF:berichtcode>Di01</StUF:berichtcode>\n";
  appendSystem(out, "zender", request.zender, true);
  StufSystem ontvanger;
  ontvanger.organisatie = request.ontvanger_organisatie;
  ontvanger.applicatie = std::string(kGgkApplicatie);
  appendSystem(out, "ontvanger", ontvanger, true);
  out += "    <StUF:referentienummer>" + *referentienummer + "</StUF:referentienummer>\n";
  out += "    <StUF:tijdstipBericht>" +
         formatTijdstip(request.tijdstip, request.utc_offset_minutes) + "</StUF:tijdstipBericht>\n";
  if (retour) {
    out += "    <StUF:crossRefnummer>";
    out += cross_refnummer;
    out += "</StUF:crossRefnummer>\n";
  }
  out += "    <StUF:functie>" + escape(request.functie) + "</StUF:functie>\n";
  out += "  </GGK:stuurgegevens>\n  <GGK:parameters>\n";
  for (const auto& [name, value] : versions) {
    out += std::string("    <GGK:") + name + ">" + *value + "</GGK:" + name + ">\n";
  }
  out += "    <GGK:bericht>\n      <GGK:xmlBestand>";
  out += base64Encode(payload);
  out += "</GGK:xmlBestand>\n    </GGK:bericht>\n  </GGK:parameters>\n</GGK:";
  out += root;
  out += ">\n";

  IWMO_RETURN_IF_ERROR(check(retour ? "Du01" : "Di01", out));
  return WrittenEnvelope{std::move(out), std::move(*referentienummer)};
}

Result<WrittenEnvelope> EnvelopeWriter::fo01(const Fo01Request& request) {
  IWMO_RETURN_IF_ERROR(checkOrganisatie("zender.organisatie", request.zender.organisatie));
  IWMO_RETURN_IF_ERROR(checkApplicatie("zender.applicatie", request.zender.applicatie));
  IWMO_RETURN_IF_ERROR(checkApplicatie("ontvanger.applicatie (the zender.applicatie of the "
                                       "envelope answered)",
                                       request.ontvanger.applicatie));
  if (request.cross_refnummer.empty() || utf16Units(request.cross_refnummer) > 40) {
    return Status::invalid("crossRefnummer '" + request.cross_refnummer +
                           "' must be the referentienummer (1 to 40 characters) of the envelope "
                           "the Fo01 answers");
  }
  Result<std::string> referentienummer = referentienummerFor(request.referentienummer);
  if (!referentienummer) return referentienummer.status();

  const Fo01CodeInfo& info = fo01CodeInfo(request.code);
  std::string omschrijving(info.omschrijving);
  if (!request.detail.empty()) omschrijving += ": " + request.detail;
  // Foutomschrijving: at most 200 characters; Foutdetails: 1000 ([XSD] stuf0301.xsd).
  omschrijving = truncateUtf16(omschrijving, 200, true);
  const std::string details = truncateUtf16(request.details, 1000, true);

  std::string out;
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StUF:Fo01Bericht xmlns:StUF=\"";
  out += kStufNamespace;
  out += "\">\n  <StUF:stuurgegevens>\n    <StUF:berichtcode>Fo01</StUF:berichtcode>\n";
  appendSystem(out, "zender", request.zender, true);
  appendSystem(out, "ontvanger", request.ontvanger, !request.ontvanger.organisatie.empty());
  out += "    <StUF:referentienummer>" + *referentienummer + "</StUF:referentienummer>\n";
  out += "    <StUF:tijdstipBericht>" +
         formatTijdstip(request.tijdstip, request.utc_offset_minutes) + "</StUF:tijdstipBericht>\n";
  out += "    <StUF:crossRefnummer>" + escape(request.cross_refnummer) + "</StUF:crossRefnummer>\n";
  out += "  </StUF:stuurgegevens>\n  <StUF:body>\n";
  out += "    <StUF:code>";
  out += info.code;
  out += "</StUF:code>\n    <StUF:plek>";
  out += info.plek;
  out += "</StUF:plek>\n";
  out += "    <StUF:omschrijving>" + escape(omschrijving) + "</StUF:omschrijving>\n";
  if (!details.empty()) out += "    <StUF:details>" + escape(details) + "</StUF:details>\n";
  if (!request.details_xml.empty()) {
    out += "    <StUF:detailsXML>" + request.details_xml + "</StUF:detailsXML>\n";
  }
  out += "  </StUF:body>\n</StUF:Fo01Bericht>\n";

  IWMO_RETURN_IF_ERROR(check("Fo01", out));
  return WrittenEnvelope{std::move(out), std::move(*referentienummer)};
}

Status EnvelopeWriter::check(std::string_view what, std::string_view bytes) {
  if (bytes.size() > limits_.max_envelope_bytes) {
    return Status::invalid("the " + std::string(what) + " would be " +
                           std::to_string(bytes.size()) + " bytes, over the limit of " +
                           std::to_string(limits_.max_envelope_bytes) +
                           " bytes for a whole envelope (StUF-GGk 2.1.04: 25 MB, base64 "
                           "included); split the payload");
  }
  parser_->parse(bytes, parse_);
  if (parse_.ok()) return Status::ok();
  const auto& first = parse_.problems.front();
  std::string message = "the " + std::string(what) +
                        " built from this request is not valid against the StUF-GGk schemas: " +
                        (first.path.empty() ? std::string() : first.path + ": ") + first.message;
  if (parse_.problems.size() > 1) {
    message += "; and " + std::to_string(parse_.problems.size() - 1) + " more problem(s)";
  }
  return Status::invalid(std::move(message));
}

}  // namespace iwmo::adapters::stuf
