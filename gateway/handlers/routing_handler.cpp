#include "gateway/handlers/routing_handler.h"

#include <cstdio>

#include "gateway/base/peer.h"

namespace iwmo::handlers {

std::string fileStem(const proto::WorkItem& item) {
  char id[32];
  std::snprintf(id, sizeof id, "%09llu", static_cast<unsigned long long>(item.message_id()));
  const std::string& type = item.envelope().summary().message_type();
  return std::string(id) + "-" + (type.empty() ? "UNKNOWN" : type);
}

std::string rejectionReport(const proto::WorkItem& item, const rules::RoutingDecision& decision) {
  const proto::Envelope& envelope = item.envelope();
  const proto::Header& header = envelope.summary().header();
  std::string out;
  out += "iwmo-gateway rejection report\n\n";
  out += "message:      #" + std::to_string(item.message_id()) + " (iwmo-gateway explain " +
         std::to_string(item.message_id()) + ")\n";
  out += "received:     from " + item.peer() + ", " + envelope.source() + "\n";
  out += "type:         " +
         (envelope.summary().message_type().empty() ? std::string("not recognised")
                                                    : envelope.summary().message_type()) +
         "\n";
  if (!header.identificatie().empty()) out += "identificatie: " + header.identificatie() + "\n";
  out += "size:         " + std::to_string(envelope.payload_size()) + " bytes, SHA-256 " +
         envelope.payload_sha256() + "\n";
  out += "decision:     " + decision.rule_id + ": " + decision.summary + "\n\n";
  if (!envelope.verdict().valid()) {
    out += "findings (level " + std::to_string(envelope.verdict().level()) + "):\n";
    for (const proto::Finding& finding : envelope.verdict().findings()) {
      out += "  ";
      if (finding.line() > 0) {
        out += std::to_string(finding.line()) + ":" + std::to_string(finding.column()) + "  ";
      }
      out += finding.code();
      if (!finding.retourcode().empty()) out += " [" + finding.retourcode() + "]";
      if (!finding.path().empty()) out += "  " + finding.path();
      out += "\n      " + finding.message() + "\n";
    }
    if (envelope.verdict().findings_truncated()) out += "  (more findings were cut off)\n";
    out += "\n";
  }
  out += "trail:\n";
  for (const std::string& step : decision.trail) out += "  - " + step + "\n";
  out += "\nFix the message at its source and send it again with a new Identificatie.\n";
  return out;
}

void RoutingHandler::handle(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::Envelope& envelope = item.envelope();
  const proto::MessageSummary& summary = envelope.summary();
  rules::RoutingFacts facts;
  facts.from_peer = peerNamed(item.peer());
  facts.message_type = summary.message_type();
  facts.valid = envelope.verdict().valid();
  facts.level = envelope.verdict().level();
  for (const auto& finding : envelope.verdict().findings()) facts.codes.push_back(finding.code());
  facts.sent_by = summary.routing().sent_by();
  facts.gemeente = summary.routing().gemeente();
  facts.aanbieder = summary.routing().aanbieder();
  facts.duplicate_of = item.duplicate_of();
  facts.duplicate_reason = item.duplicate_reason();
  facts.is_retour = summary.routing().is_retour();
  facts.envelope_kind = envelope.ggk().kind();
  facts.envelope_ontvanger = envelope.ggk().ontvanger_organisatie();
  facts.envelope_zender = envelope.ggk().zender_organisatie();
  const proto::GgkLink& link = item.ggk();
  if (link.looked_up() && facts.is_retour) {
    facts.heen_checked = true;
    facts.heen_known = peerNamed(item.peer()) == Peer::kGgk || peerNamed(item.peer()) == Peer::kCak
                           ? link.sent_found() && link.sent().kind() == "Di01" &&
                                 link.sent().functie() == summary.routing().pair_type() &&
                                 // the CAK's answer is read by the Identificatie it repeats: it must be the
                                 // one of the Di01 it names
                                 (peerNamed(item.peer()) != Peer::kCak || link.sent().identificatie() == summary.header().identificatie())
                           : link.heen_found();
  }
  const rules::RoutingDecision route = rules::decideRoute(facts, params_);

  proto::Decision& decision = *result.add_decisions();
  decision.set_handler(std::string(name()));
  decision.set_outcome(std::string(nameOf(route.routed ? Disposition::kRouted : Disposition::kRejected)));
  decision.add_rule_ids(route.rule_id);
  decision.set_summary(route.summary);
  for (const auto& step : route.trail) decision.add_trail(step);

  const std::string stem = fileStem(item);
  if (route.routed) {
    if (route.to_peer == Peer::kNone) return;  // consumed by a later handler (iEb retours)
    proto::Outgoing& out = *result.add_outgoing();
    out.set_peer(peerName(route.to_peer));
    out.set_file_name(stem + ".xml");
    out.set_payload(envelope.payload());
    out.set_message_type(summary.message_type());
    out.set_receiver(route.receiver);
    return;
  }
  if (!envelope.payload().empty()) {
    proto::Outgoing& copy = *result.add_outgoing();
    copy.set_peer(peerName(Peer::kRejected));
    copy.set_file_name(stem + ".xml");
    copy.set_payload(envelope.payload());
    copy.set_message_type(summary.message_type());
  }
  proto::Outgoing& report = *result.add_outgoing();
  report.set_peer(peerName(Peer::kRejected));
  report.set_file_name(stem + ".report.txt");
  report.set_payload(rejectionReport(item, route));
  report.set_message_type("REPORT");
}

}  // namespace iwmo::handlers
