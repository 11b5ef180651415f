#include "gateway/pipeline/ggk_intake.h"

#include <algorithm>
#include <cctype>

#include "adapters/iwmo/message_types.h"
#include "gateway/base/sha256.h"

namespace iwmo::pipeline {
namespace {

namespace stuf = adapters::stuf;

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

// The local name of the first element, or "" when none is found in `bytes`.
std::string_view firstElementLocalName(std::string_view bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    at = bytes.find('<', at);
    if (at == std::string_view::npos || at + 1 >= bytes.size()) return {};
    const char next = bytes[at + 1];
    if (next == '?') {  // XML declaration or processing instruction
      const std::size_t end = bytes.find("?>", at + 2);
      if (end == std::string_view::npos) return {};
      at = end + 2;
      continue;
    }
    if (next == '!') {  // comment, DOCTYPE (refused later by the reader), CDATA
      if (bytes.substr(at, 4) == "<!--") {
        const std::size_t end = bytes.find("-->", at + 4);
        if (end == std::string_view::npos) return {};
        at = end + 3;
      } else {
        const std::size_t end = bytes.find('>', at + 2);
        if (end == std::string_view::npos) return {};
        at = end + 1;
      }
      continue;
    }
    std::size_t end = at + 1;
    while (end < bytes.size() && isNameChar(bytes[end])) ++end;
    std::string_view name = bytes.substr(at + 1, end - at - 1);
    const std::size_t colon = name.rfind(':');
    if (colon != std::string_view::npos) name.remove_prefix(colon + 1);
    return name;
  }
  return {};
}

void copySystem(const stuf::StufSystem& zender, const stuf::StufSystem& ontvanger,
                proto::GgkEnvelopeInfo& info) {
  info.set_zender_organisatie(zender.organisatie);
  info.set_zender_applicatie(zender.applicatie);
  info.set_ontvanger_organisatie(ontvanger.organisatie);
  info.set_ontvanger_applicatie(ontvanger.applicatie);
}

void copyEnvelope(const stuf::GgkEnvelope& read, proto::GgkEnvelopeInfo& info) {
  copySystem(read.zender, read.ontvanger, info);
  info.set_referentienummer(read.referentienummer);
  info.set_cross_refnummer(read.cross_refnummer);
  info.set_functie(read.functie);
  info.set_tijdstip_bericht(read.tijdstip_bericht);
  info.set_applicatie_versie(read.applicatie_versie);
  info.set_applicatie_subversie(read.applicatie_subversie);
  info.set_functie_versie(read.functie_versie);
  info.set_functie_subversie(read.functie_subversie);
}

proto::Finding& addLevel1(proto::Envelope& envelope, std::string code, std::string path,
                          std::string message) {
  proto::Verdict& verdict = *envelope.mutable_verdict();
  verdict.set_valid(false);
  verdict.set_level(1);
  proto::Finding& finding = *verdict.add_findings();
  finding.set_level(1);
  finding.set_code(std::move(code));
  finding.set_path(std::move(path));
  finding.set_message(std::move(message));
  return finding;
}

// The document itself as the Envelope's payload (Fo01, refused envelopes).
void setDocument(std::string_view bytes, std::string_view source, proto::Envelope& envelope) {
  envelope.set_source(std::string(source));
  envelope.set_payload(std::string(bytes));
  envelope.set_payload_sha256(sha256Hex(bytes));
  envelope.set_payload_size(bytes.size());
  envelope.set_standard("stuf-ggk");
}

// Level 1 checks between a readable envelope and its valid-at-level-1 payload.
void checkEnvelopeAgainstPayload(const stuf::GgkEnvelope& read, proto::Envelope& envelope) {
  const std::string& type = envelope.summary().message_type();
  if (type.empty()) return;  // the payload's own findings say why
  const std::string root = read.kind == stuf::BerichtKind::Di01 ? "/" + std::string(stuf::kDi01Element)
                                                                 : "/" + std::string(stuf::kDu01Element);
  if (read.functie != type) {
    addLevel1(envelope, "ENV-FUNCTIE", root + "/parameters/functie",
              "the envelope's functie is '" + read.functie + "' but the payload is a " + type +
                  "; functie must name the message type inside (DESIGN §2.3)");
  }
  const adapters::iwmo::MessageType* known = adapters::iwmo::messageTypeByName(type);
  if (known == nullptr) return;
  if (read.kind == stuf::BerichtKind::Di01 && known->is_retour) {
    addLevel1(envelope, "ENV-KIND", root,
              "a " + type + " is a retour and travels in an envelopRetourbericht-ggk_Du01 with the "
              "crossRefnummer of its heen message, not in a Di01");
  } else if (read.kind == stuf::BerichtKind::Du01 && !known->is_retour) {
    addLevel1(envelope, "ENV-KIND", root,
              "a " + type + " is a heen message and travels in an envelopHeenbericht-ggk_Di01, not "
              "in a Du01");
  }
}

}  // namespace

bool isGgkDocument(std::string_view bytes) {
  const std::string_view name = firstElementLocalName(bytes.substr(0, 64 * 1024));
  return name == stuf::kDi01Element || name == stuf::kDu01Element || name == stuf::kFo01Element;
}

void readGgkDocument(stuf::EnvelopeReader& reader, adapters::iwmo::IwmoAdapter& adapter,
                     std::string_view bytes, std::string_view source, proto::Envelope& envelope) {
  stuf::ReadOutcome outcome;
  reader.read(bytes, outcome);
  proto::GgkEnvelopeInfo info;
  info.set_envelope_size(bytes.size());
  info.set_envelope_sha256(sha256Hex(bytes));

  if (!outcome.ok()) {
    envelope.Clear();
    setDocument(bytes, source, envelope);
    info.set_kind("refused");
    if (outcome.kind == stuf::BerichtKind::Fo01) {
      copySystem(outcome.fo01.zender, outcome.fo01.ontvanger, info);
      info.set_referentienummer(outcome.fo01.referentienummer);
      info.set_cross_refnummer(outcome.fo01.cross_refnummer);
      info.set_functie("Fo01");
    } else {
      copyEnvelope(outcome.envelope, info);
    }
    const std::string what = outcome.kind == stuf::BerichtKind::Unknown
                                 ? std::string("StUF-GGk document")
                                 : std::string(stuf::berichtKindName(outcome.kind)) + " envelope";
    for (const stuf::EnvelopeProblem& problem : outcome.problems) {
      proto::Finding& finding =
          addLevel1(envelope, problem.rule, problem.element, what + " refused: " + problem.message);
      finding.set_line(problem.line);
      finding.set_column(problem.column);
    }
    envelope.mutable_verdict()->set_findings_truncated(outcome.truncated);
    *envelope.mutable_ggk() = std::move(info);
    return;
  }

  if (outcome.kind == stuf::BerichtKind::Fo01) {
    envelope.Clear();
    setDocument(bytes, source, envelope);
    const stuf::Fo01Bericht& fo01 = outcome.fo01;
    info.set_kind("Fo01");
    copySystem(fo01.zender, fo01.ontvanger, info);
    info.set_referentienummer(fo01.referentienummer);
    info.set_cross_refnummer(fo01.cross_refnummer);
    info.set_tijdstip_bericht(fo01.tijdstip_bericht);
    info.set_functie("Fo01");
    info.set_fo01_code(fo01.code);
    info.set_fo01_plek(fo01.plek);
    info.set_fo01_omschrijving(fo01.omschrijving);
    info.set_fo01_details(fo01.details);
    envelope.mutable_summary()->set_message_type("Fo01");
    envelope.mutable_verdict()->set_valid(true);
    *envelope.mutable_ggk() = std::move(info);
    return;
  }

  // Di01 / Du01: the payload is the message; the envelope is its cover.
  const stuf::GgkEnvelope& read = outcome.envelope;
  if (read.payload_kind != stuf::PayloadKind::Xml) {
    envelope.Clear();
    setDocument(bytes, source, envelope);
    info.set_kind(std::string(stuf::berichtKindName(read.kind)));
    copyEnvelope(read, info);
    addLevel1(envelope, "ENV-PAYLOAD",
              "/" + std::string(read.kind == stuf::BerichtKind::Di01 ? stuf::kDi01Element : stuf::kDu01Element) +
                  "/parameters/bericht/tekstBestand",
              "the envelope carries a tekstBestand (a file, not an XML message); the gateway "
              "routes iWmo and iEb messages only, so handle this file by hand");
    *envelope.mutable_ggk() = std::move(info);
    return;
  }
  adapter.validate(read.payload, source, envelope);
  info.set_kind(std::string(stuf::berichtKindName(read.kind)));
  copyEnvelope(read, info);
  if (envelope.verdict().level() != 1) checkEnvelopeAgainstPayload(read, envelope);
  *envelope.mutable_ggk() = std::move(info);
}

}  // namespace iwmo::pipeline
