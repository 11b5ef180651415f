#include "gateway/handlers/ggk_handler.h"

#include <algorithm>
#include <cstdio>

#include "gateway/base/peer.h"
#include "gateway/handlers/eigen_bijdrage_handler.h"
#include "gateway/handlers/routing_handler.h"
#include "gateway/rules/technical_answer.h"

namespace iwmo::handlers {
namespace {

bool isIwmo(const proto::Envelope& envelope) { return envelope.standard() == "iwmo"; }


// "<tijdstip>_<functie>_<referentienummer>.xml": one file per envelope, sorting by time.
std::string envelopeFileName(const GgkWritten& written, const std::string& functie) {
  return written.tijdstip + "_" + functie + "_" + written.referentienummer + ".xml";
}

proto::Decision& addDecision(proto::HandlerResult& result, std::string outcome, std::string rule_id,
                             std::string summary, const std::vector<std::string>& trail) {
  proto::Decision& decision = *result.add_decisions();
  decision.set_handler(std::string(nameOf(HandlerKind::kGgk)));
  decision.set_outcome(std::move(outcome));
  decision.add_rule_ids(std::move(rule_id));
  decision.set_summary(std::move(summary));
  for (const auto& step : trail) decision.add_trail(step);
  return decision;
}

std::string firstFinding(const proto::Verdict& verdict) {
  if (verdict.findings_size() == 0) return "";
  const proto::Finding& finding = verdict.findings(0);
  std::string out = finding.code();
  if (!finding.path().empty()) out += " " + finding.path();
  if (finding.line() > 0) out += " (line " + std::to_string(finding.line()) + ")";
  return out + ": " + finding.message();
}

std::string routingRule(const proto::HandlerResult& result) {
  for (const proto::Decision& decision : result.decisions()) {
    if (handlerKindOf(decision) == HandlerKind::kRouting && decision.rule_ids_size() > 0) return decision.rule_ids(0);
  }
  return "";
}

proto::GgkSentRecord sentRecord(const GgkWritten& written, std::string kind, std::string functie,
                                std::string ontvanger, std::string cross_refnummer,
                                std::string identificatie) {
  proto::GgkSentRecord sent;
  sent.set_referentienummer(written.referentienummer);
  sent.set_kind(std::move(kind));
  sent.set_functie(std::move(functie));
  sent.set_ontvanger(std::move(ontvanger));
  sent.set_cross_refnummer(std::move(cross_refnummer));
  sent.set_identificatie(std::move(identificatie));
  return sent;
}

// A report for the rejected area when the gateway could not write a document it had to send.
void addEmitFailure(const proto::WorkItem& item, proto::HandlerResult& result, const std::string& what,
                    const Status& status, const std::string& payload) {
  const std::string stem = fileStem(item);
  std::vector<std::string> trail = {what + " could not be written: " + status.message(),
                                    "nothing was sent; the payload and this report are in the rejected area"};
  addDecision(result, "emit-failed", "GGK-EMIT-FAILED", what + " could not be written; see the report", trail);
  if (!payload.empty()) {
    proto::Outgoing& copy = *result.add_outgoing();
    copy.set_peer(peerName(Peer::kRejected));
    copy.set_file_name(stem + ".unsent.xml");
    copy.set_payload(payload);
    copy.set_message_type(item.envelope().summary().message_type());
  }
  proto::Outgoing& report = *result.add_outgoing();
  report.set_peer(peerName(Peer::kRejected));
  report.set_file_name(stem + ".unsent.report.txt");
  report.set_payload("iwmo-gateway: " + what + " for message #" + std::to_string(item.message_id()) +
                     " could not be written.\n\nreason: " + status.message() +
                     "\n\nThe message itself was not at fault. When the reason names the journal, it was a "
                     "passing fault: send the message again. Otherwise the gateway's configuration or "
                     "schemas are: check `iwmo-gateway config check`, then `iwmo-gateway explain " +
                     std::to_string(item.message_id()) + "`.\n");
  report.set_message_type("REPORT");
}

// The iEb messages of a result whose Di01 could not be written: none of them leaves, the
// eigen-bijdrage state stays as it was (as for EB-WRITE-INVALID, so the next message of the client,
// or the next day's tick, derives them again), and an operator item says so. Returns how many
// outgoing entries went.
int withdrawIeb(const proto::WorkItem& item, proto::HandlerResult& result, const std::string& reason) {
  auto& outgoing = *result.mutable_outgoing();
  const auto before = outgoing.size();
  outgoing.erase(std::remove_if(outgoing.begin(), outgoing.end(),
                                [](const proto::Outgoing& out) { return peerNamed(out.peer()) == Peer::kCak; }),
                 outgoing.end());
  result.clear_eb_sent();
  if (item.eb_state().looked_up()) {
    *result.mutable_eb_state() = unchangedEbState(item, dayAfterReceipt(item));
  } else {
    result.clear_eb_state();
  }
  proto::EbAttention& attention = *result.add_eb_attention();
  attention.set_kind("manual");
  attention.set_bsn(item.envelope().summary().client().bsn());
  attention.set_rule("EB-WRAP-FAILED");
  attention.set_summary("nothing was sent to the CAK: " + reason +
                        "; the client's eigen-bijdrage state is unchanged, the client's next message (or the "
                        "eigen-bijdrage tick of the next day) derives it again");
  addDecision(result, "withdrawn", "EB-WRAP-FAILED", "the iEb messages of this result were not sent", {attention.summary()});
  return static_cast<int>(before - outgoing.size());
}

}  // namespace

std::string gatewayIdentificatie(std::uint64_t message_id) {
  char text[16];
  std::snprintf(text, sizeof text, "GW%010llu", static_cast<unsigned long long>(message_id % 10000000000ull));
  return text;
}

std::string heenKeyOfRetour(const proto::MessageSummary& retour, const std::string& heen_type) {
  if (!retour.routing().is_retour() || heen_type.empty() || retour.header().afzender().empty() ||
      retour.header().identificatie().empty()) {
    return "";
  }
  return retour.header().afzender() + "|" + heen_type + "|" + retour.header().identificatie();
}

void GgkHandler::addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const {
  needs.ggk_link = needs.ggk_link || needsLink(item);
}

bool GgkHandler::needsLink(const proto::WorkItem& item) const {
  const proto::Envelope& envelope = item.envelope();
  if (behindGgk(peerNamed(item.peer()))) {
    return envelope.ggk().kind() == "Fo01" || envelope.ggk().kind() == "Du01";
  }
  return params_.envelopes && peerNamed(item.peer()) == Peer::kBackoffice && isIwmo(envelope) &&
         envelope.summary().routing().is_retour();
}

void GgkHandler::handle(const proto::WorkItem& item, proto::HandlerResult& result) const {
  if (behindGgk(peerNamed(item.peer()))) {
    if (item.envelope().ggk().kind() == "Fo01") {
      recordFo01(item, result);
    } else {
      answer(item, result);
    }
  }
  if (params_.envelopes) wrapOutgoing(item, result);
}

void GgkHandler::answer(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::Envelope& envelope = item.envelope();
  const proto::MessageSummary& summary = envelope.summary();
  rules::AnswerFacts facts;
  facts.from_peer = peerNamed(item.peer());
  facts.envelope_kind = envelope.ggk().kind();
  facts.message_type = summary.message_type();
  facts.is_retour = summary.routing().is_retour();
  facts.has_retour_type = isIwmo(envelope) && !facts.is_retour && !summary.routing().pair_type().empty();
  facts.valid = envelope.verdict().valid();
  facts.level = envelope.verdict().level();
  for (const auto& finding : envelope.verdict().findings()) facts.codes.push_back(finding.code());
  facts.first_finding = firstFinding(envelope.verdict());
  facts.duplicate_of = item.duplicate_of();
  facts.duplicate_same_content = item.duplicate_same_content();
  facts.routing_rule = routingRule(result);
  if (!params_.envelopes && !facts.envelope_kind.empty()) {
    // Envelopes switched off: nothing is answered in them (the trail says so).
    addDecision(result, "none", "ANSWER-NONE", "no technical answer: [ggk] envelopes = false",
                {"the configuration switches StUF-GGk envelopes off"});
    return;
  }
  const rules::TechnicalAnswer decided = rules::decideTechnicalAnswer(facts);
  if (decided.kind == rules::AnswerKind::kNone) {
    addDecision(result, "none", decided.rule_id, decided.summary, decided.trail);
    return;
  }
  const proto::GgkEnvelopeInfo& heen = envelope.ggk();
  const int index = result.outgoing_size();
  const Timestamp at{item.received_at_micros()};
  if (decided.kind == rules::AnswerKind::kFo01) {
    GgkFo01Request request;
    request.failed = heen;
    request.zender = heen.ontvanger_organisatie();
    request.detail = decided.fo01_detail;
    request.message_id = item.message_id();
    request.index = index;
    request.at = at;
    Result<GgkWritten> written = emitter_.fo01(request);
    if (!written) {
      addEmitFailure(item, result, "the Fo01 StUF055 answer", written.status(), "");
      return;
    }
    proto::Outgoing& out = *result.add_outgoing();
    out.set_peer(item.peer());  // to the peer it came from: the providers' side or the CAK's
    out.set_file_name(envelopeFileName(*written, "Fo01"));
    out.set_payload(written->bytes);
    out.set_message_type("Fo01");
    out.set_receiver(heen.zender_organisatie());
    *out.mutable_ggk() = sentRecord(*written, "Fo01", "Fo01", heen.zender_organisatie(),
                                    heen.referentienummer(), "");
    std::vector<std::string> trail = decided.trail;
    trail.push_back("Fo01 " + written->referentienummer + " to " + heen.zender_organisatie() +
                    ", crossRefnummer " + heen.referentienummer());
    addDecision(result, "answered", decided.rule_id, decided.summary, trail);
    return;
  }

  const std::string retour_type = summary.routing().pair_type();
  GgkRetourRequest retour;
  retour.heen_payload = envelope.payload();
  retour.identificatie_retour = gatewayIdentificatie(item.message_id());
  retour.at = at;
  retour.header_codes = decided.header_codes;
  retour.echo_body = decided.kind == rules::AnswerKind::kRetourEcho;
  retour.class_codes = decided.class_codes;
  Result<std::string> payload = emitter_.retour(retour);
  if (!payload) {
    addEmitFailure(item, result, "the " + retour_type + " retour", payload.status(), "");
    return;
  }
  GgkWrapRequest wrap;
  wrap.retour = true;
  wrap.zender = heen.ontvanger_organisatie();
  wrap.ontvanger = heen.zender_organisatie();
  wrap.functie = retour_type;
  wrap.cross_refnummer = heen.referentienummer();
  wrap.payload = *payload;
  wrap.message_id = item.message_id();
  wrap.index = index;
  wrap.at = at;
  Result<GgkWritten> written = emitter_.wrap(wrap);
  if (!written) {
    addEmitFailure(item, result, "the Du01 envelope of the " + retour_type + " retour", written.status(), *payload);
    return;
  }
  proto::Outgoing& out = *result.add_outgoing();
  out.set_peer(item.peer());  // to the peer it came from: the providers' side or the CAK's
  out.set_file_name(envelopeFileName(*written, retour_type));
  out.set_payload(written->bytes);
  out.set_message_type(retour_type);
  out.set_receiver(heen.zender_organisatie());
  *out.mutable_ggk() = sentRecord(*written, "Du01", retour_type, heen.zender_organisatie(), heen.referentienummer(),
                                  retour.identificatie_retour);
  std::vector<std::string> trail = decided.trail;
  trail.push_back(retour_type + " " + retour.identificatie_retour + " in Du01 " + written->referentienummer +
                  " to " + heen.zender_organisatie() + ", crossRefnummer " + heen.referentienummer());
  addDecision(result, "answered", decided.rule_id, decided.summary, trail);
}

void GgkHandler::recordFo01(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::GgkEnvelopeInfo& fo01 = item.envelope().ggk();
  proto::GgkFo01Record& record = *result.add_ggk_fo01();
  record.set_cross_refnummer(fo01.cross_refnummer());
  record.set_code(fo01.fo01_code());
  record.set_plek(fo01.fo01_plek());
  record.set_omschrijving(fo01.fo01_omschrijving());
  record.set_details(fo01.fo01_details());
  record.set_zender(fo01.zender_organisatie());
  const bool matched = item.ggk().looked_up() && item.ggk().sent_found();
  record.set_matched(matched);
  if (matched) *record.mutable_concerns() = item.ggk().sent();

  std::vector<std::string> trail;
  trail.push_back("Fo01 " + fo01.fo01_code() + " from " + fo01.zender_organisatie() + ": " + fo01.fo01_omschrijving());
  if (!fo01.fo01_details().empty()) trail.push_back("details: " + fo01.fo01_details());
  std::string concerns;
  if (matched) {
    const proto::GgkSentRecord& sent = item.ggk().sent();
    concerns = sent.functie() + " (" + sent.kind() + " " + sent.referentienummer() + ", message #" +
               std::to_string(sent.message_id()) + ", file " + sent.file_name() + ")";
    trail.push_back("crossRefnummer " + fo01.cross_refnummer() + " is the " + concerns + " the gateway sent");
    trail.push_back("the code is the chain's; the gateway does not interpret it (the published lists conflict)");
  } else if (!item.ggk().looked_up()) {
    trail.push_back("the journal could not be read to match crossRefnummer " + fo01.cross_refnummer());
  } else {
    trail.push_back("crossRefnummer " + fo01.cross_refnummer() + " names nothing the gateway sent");
  }
  trail.push_back("kept for operators: iwmo-gateway ggk errors");
  // Not the omschrijving: the chain's free text may quote a value (a BSN), and the summary goes
  // to the routing log. It is in the trail (`explain`), the report and `ggk errors`.
  const std::string summary = "Fo01 " + fo01.fo01_code() + " from " + fo01.zender_organisatie() +
                              (matched ? " about " + concerns : " about an unknown document (" + fo01.cross_refnummer() + ")");
  addDecision(result, matched ? "fo01-matched" : "fo01-unmatched", matched ? "GGK-FO01-MATCHED" : "GGK-FO01-UNMATCHED",
              summary, trail);

  proto::Outgoing& report = *result.add_outgoing();
  report.set_peer(peerName(Peer::kRejected));
  report.set_file_name(fileStem(item) + ".fo01.report.txt");
  std::string text = "iwmo-gateway: a Fo01 error message from the chain\n\n";
  text += "message:      #" + std::to_string(item.message_id()) + " (iwmo-gateway explain " +
          std::to_string(item.message_id()) + ")\n";
  text += "from:         " + fo01.zender_organisatie() + " (" + fo01.zender_applicatie() + ")\n";
  text += "code:         " + fo01.fo01_code() + " (plek " + fo01.fo01_plek() + ")\n";
  text += "omschrijving: " + fo01.fo01_omschrijving() + "\n";
  if (!fo01.fo01_details().empty()) text += "details:      " + fo01.fo01_details() + "\n";
  text += "concerns:     " + (matched ? concerns : "nothing the gateway sent (crossRefnummer " + fo01.cross_refnummer() + ")") + "\n\n";
  const bool ieb = matched && (item.ggk().sent().functie() == "WMO405" || item.ggk().sent().functie() == "WMO407");
  if (ieb) {
    text += "The eigen-bijdrage message it concerns (" + item.ggk().sent().identificatie() +
            ", written by the gateway) did not reach the CAK; its records are marked refused, each with an item "
            "on its period in `iwmo-gateway ieb rejected` (EB-FO01). Correct the cause named above, then report the "
            "period to the CAK "
            "by hand (or correct the provision, so the client's next message sends it again). Close it with "
            "`iwmo-gateway ggk done ID --note TEXT` (IDs: `iwmo-gateway ggk errors`).\n";
  } else {
    text += "The document it concerns did not reach its receiver. Correct the cause named above, then have the "
            "back office send the message again (with a new Identificatie). Close it with "
            "`iwmo-gateway ggk done ID --note TEXT` (IDs: `iwmo-gateway ggk errors`).\n";
  }
  report.set_payload(text);
  report.set_message_type("REPORT");
}

void GgkHandler::wrapOutgoing(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::Envelope& envelope = item.envelope();
  int count = result.outgoing_size();
  for (int i = 0; i < count; ++i) {
    proto::Outgoing& out = *result.mutable_outgoing(i);
    if (!behindGgk(peerNamed(out.peer())) || !out.ggk().referentienummer().empty()) continue;  // answers are wrapped already
    // A back-office retour passed on; what the gateway writes itself (iEb to the CAK) is heen.
    const bool retour = peerNamed(out.peer()) == Peer::kGgk && envelope.summary().routing().is_retour() && peerNamed(item.peer()) == Peer::kBackoffice;
    GgkWrapRequest wrap;
    wrap.retour = retour;
    wrap.functie = out.message_type();
    wrap.payload = out.payload();
    wrap.message_id = item.message_id();
    wrap.index = i;
    wrap.at = Timestamp{item.received_at_micros()};
    wrap.ontvanger = out.receiver();
    wrap.zender = !out.sender().empty() ? out.sender() : envelope.summary().routing().gemeente();
    if (retour) {
      const proto::GgkLink& link = item.ggk();
      if (!link.looked_up() || !link.heen_found()) {
        // Routing refuses these (REJECT-UNKNOWN-HEEN) when the link was looked up; without it the
        // journal could not be read, and the retour must not leave unaddressed.
        addEmitFailure(item, result, "the Du01 envelope (the heen message's envelope could not be looked up)",
                       Status::unavailable("the journal lookup of the heen message failed (see the daemon's "
                                           "log); have the back office send the retour again"),
                       out.payload());
        result.mutable_outgoing()->DeleteSubrange(i, 1);
        --i;
        --count;
        continue;
      }
      if (link.heen_referentienummer().empty()) {
        addDecision(result, "wrapped", "GGK-RETOUR-BARE",
                    out.message_type() + " leaves bare: its heen message #" + std::to_string(link.heen_message_id()) +
                        " arrived without an envelope",
                    {"no Di01 to refer to (no crossRefnummer); the retour goes as the heen message came"});
        continue;
      }
      wrap.cross_refnummer = link.heen_referentienummer();
      wrap.ontvanger = link.heen_zender_organisatie();
      if (!link.heen_ontvanger_organisatie().empty()) wrap.zender = link.heen_ontvanger_organisatie();
    }
    Result<GgkWritten> written = emitter_.wrap(wrap);
    if (!written) {
      const std::string payload = out.payload();
      const bool ieb = peerNamed(out.peer()) == Peer::kCak;
      result.mutable_outgoing()->DeleteSubrange(i, 1);
      --i;
      --count;
      addEmitFailure(item, result, std::string(retour ? "the Du01" : "the Di01") + " envelope of " + wrap.functie,
                     written.status(), payload);
      if (ieb) {
        count -= withdrawIeb(item, result, "the Di01 envelope of " + wrap.functie + " could not be written: " +
                                               written.status().message());
        i = -1;  // indexes moved; what is left was wrapped already or is not for the GGk side
      }
      continue;
    }
    const std::string kind = retour ? "Du01" : "Di01";
    std::vector<std::string> trail;
    trail.push_back(wrap.functie + " in " + kind + " " + written->referentienummer + " to " + wrap.ontvanger +
                    (retour ? ", crossRefnummer " + wrap.cross_refnummer + " (the Di01 of heen message #" +
                                  std::to_string(item.ggk().heen_message_id()) + ")"
                            : ""));
    if (retour) trail.push_back("the envelope, not the payload header, addresses a retour (DESIGN §2.3)");
    addDecision(result, "wrapped", retour ? "GGK-WRAP-DU01" : "GGK-WRAP-DI01",
                wrap.functie + " leaves as " + kind + " to " + wrap.ontvanger, trail);
    out.set_file_name(envelopeFileName(*written, wrap.functie));
    out.set_payload(written->bytes);
    out.set_receiver(wrap.ontvanger);
    *out.mutable_ggk() = sentRecord(*written, kind, wrap.functie, wrap.ontvanger, wrap.cross_refnummer,
                                    !out.identificatie().empty() ? out.identificatie()
                                                                 : envelope.summary().routing().own_identificatie());
  }
}

}  // namespace iwmo::handlers
