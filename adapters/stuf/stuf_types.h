// Value types of the StUF-GGk 2.1.04 messages the gateway reads and writes (DESIGN §2.3):
// the Di01 / Du01 envelope around one payload, and the StUF Fo01 error message. Field names keep
// the standard's spelling (referentienummer, crossRefnummer, functie, organisatie ...). The
// format itself is described once, in schemas/stuf-ggk/ and
// ../shared/reference/stuf-iwmo/ggk-transport.md §2.
// Thread-safety: value types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace iwmo::adapters::stuf {

inline constexpr std::string_view kStufNamespace = "http://www.egem.nl/StUF/StUF0301";
inline constexpr std::string_view kGgkNamespace = "http://www.stufstandaarden.nl/koppelvlak/ggk0210";
inline constexpr std::string_view kDi01Element = "envelopHeenbericht-ggk_Di01";
inline constexpr std::string_view kDu01Element = "envelopRetourbericht-ggk_Du01";
inline constexpr std::string_view kFo01Element = "Fo01Bericht";
// ontvanger.applicatie of every envelope to the GGk ([SPEC4] p.14, 16, 18).
inline constexpr std::string_view kGgkApplicatie = "GGk";

// Whole envelope, base64 included, at most 25 MB ([SPEC4] p.16, p.19). Same value as
// adapters/xml ParseLimits::kDefaultMaxInputBytes.
inline constexpr std::size_t kDefaultMaxEnvelopeBytes = 25u * 1024u * 1024u;

// Which StUF message a document is.
enum class BerichtKind {
  Unknown,  // not (yet) recognised: not well-formed, or another root element
  Di01,     // envelopHeenbericht-ggk_Di01: a heen message
  Du01,     // envelopRetourbericht-ggk_Du01: the retour to a Di01
  Fo01,     // StUF:Fo01Bericht: an error about an earlier Di01/Du01
};
std::string_view berichtKindName(BerichtKind kind);  // "Di01", ... "unknown"

// zender / ontvanger ([SPEC4] p.13-18). organisatie: CBS gemeentecode, AGB code or a fixed
// value (see OrganisatieKind); applicatie: the application's name without version (3..50).
struct StufSystem {
  std::string organisatie;
  std::string applicatie;
  std::string administratie;  // optional, "" when absent
  std::string gebruiker;      // optional, "preferably empty"
};

// Which kind of routing id an organisatie is ([SPEC4] p.13-18; ggk-transport.md §2.2).
enum class OrganisatieKind {
  Invalid,   // none of the below
  Gemeente,  // CBS gemeentecode: exactly 4 digits
  Agb,       // AGB code (Wmo/Jw): exactly 8 digits
  Fixed,     // SVB, CAK, CBS, UWV, VWS; as sender of a Du01 or Fo01 also VECOZO; of a Fo01 also IB, RINIS
};
OrganisatieKind classifyOrganisatie(std::string_view organisatie);

// How the payload travels in parameters/bericht ([SPEC4] §2.7 p.12).
enum class PayloadKind {
  None,  // not read (refused envelope)
  Xml,   // xmlBestand: an XML message (iWmo, iJw, iEb), UTF-8 without BOM
  Text,  // tekstBestand: another file (CSV, PDF ...) with a bestandsnaam
};

// A Di01 or Du01 envelope. Read by EnvelopeReader, written by EnvelopeWriter.
struct GgkEnvelope {
  BerichtKind kind = BerichtKind::Unknown;  // Di01 or Du01
  StufSystem zender;
  StufSystem ontvanger;
  std::string referentienummer;  // UUID v4 of this envelope
  std::string tijdstip_bericht;  // yyyyMMddHHmmss[SSS], as written
  std::string cross_refnummer;   // Du01: the referentienummer of the Di01 it answers; "" for Di01
  std::string functie;           // payload message type, e.g. "WMO301"
  std::string applicatie_versie;
  std::string applicatie_subversie;
  std::string functie_versie;
  std::string functie_subversie;
  PayloadKind payload_kind = PayloadKind::None;
  // The decoded payload bytes. For Xml: checked UTF-8 without BOM, not yet checked as XML (that is
  // the job of the standard adapter of `functie`). Not filled for a refused envelope.
  std::string payload;
};

// A StUF Fo01 error message ([SPEC4] §3.1 p.13-14; reference/stuf-iwmo/voorbeeldberichten/Fo01.xml).
struct Fo01Bericht {
  StufSystem zender;             // who found the error: IB, RINIS, VECOZO, an AGB code, a gemeente
  StufSystem ontvanger;
  std::string referentienummer;  // of the Fo01 itself
  std::string tijdstip_bericht;
  std::string cross_refnummer;   // referentienummer of the Di01/Du01 the error is about
  std::string code;              // e.g. "StUF055", "IB210", "CC02"; treat as opaque
  std::string plek;              // "client" or "server"
  std::string omschrijving;
  std::string details;           // e.g. "JW315-00010004"; "" when absent
  bool has_details_xml = false;  // detailsXML present (its content is not kept)
};

// One reason a document was refused. `element` is the element path ("/envelopHeenbericht-
// ggk_Di01/parameters/bericht/xmlBestand") or "" for the document as a whole; `rule` is one of
// the Rule ids below; `message` says what is wrong and what would be right.
struct EnvelopeProblem {
  // Our rule ids (their sources are cited where they are checked, envelope_reader.cpp):
  static constexpr const char* kSize = "ENV-SIZE";        // envelope over the size limit
  static constexpr const char* kXml = "ENV-XML";          // empty, BOM, encoding, not well-formed, DOCTYPE
  static constexpr const char* kXsd = "ENV-XSD";          // not valid against the StUF-GGk schemas
  static constexpr const char* kRoot = "ENV-ROOT";        // valid, but not a Di01, Du01 or Fo01
  static constexpr const char* kBase64 = "PAYLOAD-BASE64";  // payload is not base64
  static constexpr const char* kEmpty = "PAYLOAD-EMPTY";    // xmlBestand decodes to nothing
  static constexpr const char* kBom = "PAYLOAD-BOM";        // payload starts with a byte-order mark
  static constexpr const char* kUtf8 = "PAYLOAD-UTF8";      // payload is not UTF-8

  std::string element;
  std::string rule;
  std::string message;
  std::uint32_t line = 0;  // 1-based in the envelope; 0 = no position
  std::uint32_t column = 0;
};

}  // namespace iwmo::adapters::stuf
