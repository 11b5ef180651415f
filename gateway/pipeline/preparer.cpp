#include "gateway/pipeline/preparer.h"

#include <iostream>
#include <string>

#include "gateway/base/peer.h"
#include "gateway/handlers/ggk_handler.h"

namespace iwmo::pipeline {

void Preparer::attachGgkLink(proto::WorkItem& item) const {
  const proto::Envelope& envelope = item.envelope();
  proto::GgkLink& link = *item.mutable_ggk();
  if (peerNamed(item.peer()) == Peer::kGgk || peerNamed(item.peer()) == Peer::kCak) {  // a Du01 or Fo01: what we sent it answers
    auto sent = journal_.ggk().sent(envelope.ggk().cross_refnummer());
    if (!sent) {
      std::cerr << "iwmo-gateway: cannot look up crossRefnummer " << envelope.ggk().cross_refnummer()
                << " for message #" << item.message_id() << ": " << sent.status().message() << "\n";
      return;
    }
    link.set_looked_up(true);
    if (sent->has_value()) {
      link.set_sent_found(true);
      *link.mutable_sent() = std::move(**sent);
    }
    return;
  }
  const std::string key = handlers::heenKeyOfRetour(envelope.summary(), envelope.summary().routing().pair_type());
  auto heen = journal_.queue().findOriginal(key);
  if (!heen) {
    std::cerr << "iwmo-gateway: cannot look up the heen message of retour #" << item.message_id() << ": "
              << heen.status().message() << "\n";
    return;
  }
  link.set_looked_up(true);
  if (heen->has_value()) {
    link.set_heen_found(true);
    link.set_heen_message_id((*heen)->id);
    const proto::GgkEnvelopeInfo& info = (*heen)->envelope.ggk();
    if (info.kind() == "Di01") {
      link.set_heen_referentienummer(info.referentienummer());
      link.set_heen_zender_organisatie(info.zender_organisatie());
      link.set_heen_zender_applicatie(info.zender_applicatie());
      link.set_heen_ontvanger_organisatie(info.ontvanger_organisatie());
    }
  }
}

void Preparer::prepare(proto::WorkItem& item) const {
  const handlers::ContextNeeds needs = chain_.current()->needs(item);
  const proto::MessageSummary& summary = item.envelope().summary();
  const std::string& bsn = summary.client().bsn();
  if (needs.ggk_link) attachGgkLink(item);
  if (needs.eb_state) {
    auto state = journal_.eb().clientState(bsn);
    if (state) {
      *item.mutable_eb_state() = std::move(*state);
    } else {  // the handler then sends nothing and queues the message (EB-NO-STATE)
      std::cerr << "iwmo-gateway: cannot read the eigen-bijdrage state for message #" << item.message_id() << ": "
                << state.status().message() << "\n";
    }
  }
  if (needs.eb_sent) {
    const std::string& type = summary.message_type();
    // A WMO406 / WMO408 names its heen message; a Fo01 the envelope it refused (attachGgkLink).
    std::string heen_type = type == "WMO406" ? "WMO405" : "WMO407";
    std::string identificatie = summary.header().identificatie();
    if (item.envelope().ggk().kind() == "Fo01") {
      const proto::GgkLink& link = item.ggk();
      const bool ieb = link.sent_found() && (link.sent().functie() == "WMO405" || link.sent().functie() == "WMO407");
      heen_type = ieb ? link.sent().functie() : "";
      identificatie = ieb ? link.sent().identificatie() : "";
    }
    auto sent = heen_type.empty() ? Result<std::vector<proto::EbSentRecord>>(std::vector<proto::EbSentRecord>{})
                                  : journal_.eb().sentIn(heen_type, identificatie);
    if (sent) {
      item.set_eb_sent_looked_up(true);
      for (auto& record : *sent) *item.add_eb_sent() = std::move(record);
    } else {
      std::cerr << "iwmo-gateway: cannot read the iEb records for message #" << item.message_id() << ": "
                << sent.status().message() << "\n";
    }
  }
  if (needs.client_context) {
    auto context = journal_.reference().clientContext(bsn);
    if (!context) {
      // The handler then refuses to decide (RESPONSIBILITY-NO-CONTEXT, review); this says why.
      std::cerr << "iwmo-gateway: cannot read the client context for message #" << item.message_id() << ": "
                << context.status().message() << "\n";
      return;
    }
    *item.mutable_context() = std::move(*context);
  }
}

}  // namespace iwmo::pipeline
