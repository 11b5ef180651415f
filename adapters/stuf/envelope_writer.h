// EnvelopeWriter: builds what the gateway sends to the GGk side (DESIGN §5.1 step 6):
//   wrapHeen    a Di01 (envelopHeenbericht-ggk_Di01) around a heen message,
//   wrapRetour  a Du01 (envelopRetourbericht-ggk_Du01) around a retour; its crossRefnummer is the
//               referentienummer of the Di01 it answers ([SPEC4] p.18),
//   fo01        a StUF Fo01 error message (e.g. StUF055: payload not schema-valid) answering an
//               envelope by its referentienummer.
// Every document is validated against the writer's schema set (schemas/stuf-ggk) and checked
// against the size limit before it is returned; a document that fails is never returned.
// Which messages travel as Du01 and whom to address is the caller's decision: this library
// knows nothing of iWmo. The writer reads no clock: the moment to write comes in the request.
//
// Thread-safety: one writer per thread (it owns a ValidatingParser); the SchemaSet is shared.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/stuf/fo01_codes.h"
#include "adapters/stuf/stuf_types.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/clock.h"
#include "gateway/base/result.h"

namespace iwmo::adapters::stuf {

struct WriterLimits {
  std::size_t max_envelope_bytes = kDefaultMaxEnvelopeBytes;
};

// What the caller decides about one envelope.
struct WrapRequest {
  // zender.organisatie: our CBS gemeentecode (or whichever routing id we send as);
  // zender.applicatie: our application's name without version, 3..50 characters ([SPEC4] §2.5).
  StufSystem zender;
  // ontvanger.organisatie: CBS code, AGB code or a fixed value (CAK, CBS, SVB ...). Routing is by
  // this field, never by the payload header (DESIGN §2.3). ontvanger.applicatie is always "GGk".
  std::string ontvanger_organisatie;
  std::string functie;  // the payload's message type, e.g. "WMO301" (1..30 characters)
  // Four digits each. applicatie*: the version of zender.applicatie; functie*: the version of the
  // payload's message type (for iWmo 3.2 not published; ggk-transport.md §7.2).
  std::string applicatie_versie;
  std::string applicatie_subversie;
  std::string functie_versie;
  std::string functie_subversie;
  Timestamp tijdstip;          // written as tijdstipBericht
  int utc_offset_minutes = 0;  // added to `tijdstip` before writing (see tijdstip.h)
  // Empty: a fresh UUID v4 (RAND_bytes). Set it only to make output reproducible (replay, tests);
  // it must be a UUID v4 and unique in our stream (CC08).
  std::string referentienummer;
};

// A Fo01 about one envelope. Build it with fo01Answering() when answering a GgkEnvelope.
struct Fo01Request {
  StufSystem zender;     // us: who found the error
  StufSystem ontvanger;  // the zender of the envelope at fault (organisatie and applicatie)
  std::string cross_refnummer;  // referentienummer of the envelope at fault
  Fo01Code code = Fo01Code::StUF055;
  // Appended to the code's omschrijving after ": " (e.g. the first XSD problems); the whole
  // omschrijving is cut to its 200 characters with "...".
  std::string detail;
  std::string details;      // functie "-" applicatieVersie applicatieSubversie, max 1000 characters
  // Optional well-formed XML fragment for detailsXML (e.g. the original envelope without its XML
  // declaration, [SPEC4] p.13); "" omits the element. Not interpreted (the schema skips it).
  std::string details_xml;
  Timestamp tijdstip;
  int utc_offset_minutes = 0;
  std::string referentienummer;  // as in WrapRequest
};

// A Fo01Request answering `failed`: ontvanger = its zender, crossRefnummer = its referentienummer,
// details = functie-applicatieVersieapplicatieSubversie ([SPEC4] p.14, e.g. "JW315-00020010").
Fo01Request fo01Answering(const GgkEnvelope& failed, StufSystem zender, Fo01Code code,
                          std::string detail, Timestamp tijdstip, int utc_offset_minutes);

// A document ready to send.
struct WrittenEnvelope {
  std::string bytes;             // UTF-8 XML, no BOM
  std::string referentienummer;  // of this document: the journal keeps it to match the answer
};

class EnvelopeWriter {
 public:
  // REQUIRES: `schemas` declares the StUF and GGk namespaces (schemas/stuf-ggk does).
  // Errors: kFailedPrecondition (a namespace missing), those of ValidatingParser::create.
  static Result<std::unique_ptr<EnvelopeWriter>> create(
      std::shared_ptr<const adapters::xml::SchemaSet> schemas, WriterLimits limits = {});
  ~EnvelopeWriter();
  EnvelopeWriter(const EnvelopeWriter&) = delete;
  EnvelopeWriter& operator=(const EnvelopeWriter&) = delete;

  // A Di01 around `payload` (an XML message: UTF-8, no BOM, not empty), carried as xmlBestand.
  // Errors: kInvalid (a request field or the payload breaks a rule, or the envelope would exceed
  // the limit; the message names the field and the rule), kUnavailable (no random referentienummer).
  Result<WrittenEnvelope> wrapHeen(const WrapRequest& request, std::string_view payload);

  // A Du01 around `payload` with crossRefnummer = `heen_referentienummer` (a UUID v4).
  // Errors: as wrapHeen.
  Result<WrittenEnvelope> wrapRetour(const WrapRequest& request,
                                     std::string_view heen_referentienummer,
                                     std::string_view payload);

  // A StUF Fo01. Errors: as wrapHeen.
  Result<WrittenEnvelope> fo01(const Fo01Request& request);

  const WriterLimits& limits() const { return limits_; }

 private:
  EnvelopeWriter(std::unique_ptr<adapters::xml::ValidatingParser> parser, WriterLimits limits);
  Result<WrittenEnvelope> wrap(BerichtKind kind, const WrapRequest& request,
                               std::string_view cross_refnummer, std::string_view payload);
  // Size limit and schema validation of a finished document. Errors: kInvalid.
  Status check(std::string_view what, std::string_view bytes);

  std::unique_ptr<adapters::xml::ValidatingParser> parser_;
  WriterLimits limits_;
  adapters::xml::ParseOutcome parse_;  // reused between calls
};

}  // namespace iwmo::adapters::stuf
