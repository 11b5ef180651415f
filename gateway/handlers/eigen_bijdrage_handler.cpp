#include "gateway/handlers/eigen_bijdrage_handler.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "gateway/base/internal_messages.h"
#include "gateway/base/peer.h"

namespace iwmo::handlers {

std::string fileStem(const proto::WorkItem& item);  // routing_handler.cpp

namespace {

std::optional<Date> dateOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Date::parse(text);
}

std::string textOf(const std::optional<Date>& date) { return date ? date->toString() : ""; }

rules::EbAnswer answerOf(const std::string& text) {
  if (text == "accepted") return rules::EbAnswer::kAccepted;
  if (text == "rejected") return rules::EbAnswer::kRejected;
  return rules::EbAnswer::kPending;
}

std::string textOf(rules::EbAnswer answer) {
  switch (answer) {
    case rules::EbAnswer::kAccepted: return "accepted";
    case rules::EbAnswer::kRejected: return "rejected";
    default: return "pending";
  }
}

proto::EbRecord recordOf(const std::string& kind, const std::string& bsn, std::uint64_t nummer,
                         const rules::EbRecordValues& values) {
  proto::EbRecord record;
  record.set_bsn(bsn);
  record.set_kind(kind);
  record.set_status_aanlevering(std::to_string(values.status));
  record.set_start_nummer(nummer);
  record.set_startdatum(values.startdatum.toString());
  record.set_stopdatum(textOf(values.stopdatum));
  if (values.kostprijs_bedrag && values.kostprijs_startdatum) {
    record.set_has_kostprijs(true);
    record.set_kostprijs_bedrag(*values.kostprijs_bedrag);
    record.set_kostprijs_startdatum(values.kostprijs_startdatum->toString());
  }
  return record;
}

std::optional<rules::EbRecordValues> valuesOf(const proto::EbRecord& record) {
  const auto start = dateOf(record.startdatum());
  if (!start) return std::nullopt;
  rules::EbRecordValues values;
  values.status = record.status_aanlevering().empty() ? 1 : std::stoi(record.status_aanlevering());
  values.startdatum = *start;
  values.stopdatum = dateOf(record.stopdatum());
  if (record.has_kostprijs()) {
    values.kostprijs_bedrag = record.kostprijs_bedrag();
    values.kostprijs_startdatum = dateOf(record.kostprijs_startdatum());
  }
  return values;
}

// The day the message was received (UTC): the Dagtekening of what the gateway sends because of it.
Date receiptDay(const proto::WorkItem& item) {
  const std::int64_t seconds = item.received_at_micros() / 1000000;
  return Date::fromDays(static_cast<long>(seconds / 86400));
}

}  // namespace

proto::EbClientState unchangedEbState(const proto::WorkItem& item, const std::string& review_on) {
  proto::EbClientState state = item.eb_state();
  state.set_bsn(item.envelope().summary().client().bsn());
  state.clear_first_start_nummer();  // attached, never stored
  state.set_review_on(review_on);
  return state;
}

std::string dayAfterReceipt(const proto::WorkItem& item) { return receiptDay(item).plusDays(1).toString(); }

namespace {

proto::Decision& addDecision(proto::HandlerResult& result) {
  proto::Decision& decision = *result.add_decisions();
  decision.set_handler(std::string(nameOf(HandlerKind::kEigenBijdrage)));
  return decision;
}

bool earlierRejected(const proto::HandlerResult& result) {
  return std::any_of(result.decisions().begin(), result.decisions().end(),
                     [](const proto::Decision& d) { return rejects(d); });
}

}  // namespace

rules::EbClient toRules(const proto::EbClientState& state) {
  rules::EbClient client;
  client.bsn = state.bsn();
  client.geboortedatum = dateOf(state.geboortedatum());
  for (const proto::EbProvisionState& p : state.provisions()) {
    rules::EbProvision& out = client.provisions.emplace_back();
    out.toewijzing_nummer = p.toewijzing_nummer();
    out.gemeente = p.gemeente();
    out.categorie = p.categorie();
    out.code = p.code();
    out.toegewezen_begin = dateOf(p.toegewezen_begin());
    out.toegewezen_end = dateOf(p.toegewezen_end());
    out.deleted = p.deleted();
    out.delivery_begin = dateOf(p.delivery_begin());
    out.delivery_end = dateOf(p.delivery_end());
    out.last_message = p.last_message();
    out.responsible = p.responsible();
    if (p.has_budget()) out.budget = p.budget();
  }
  for (const proto::EbPeriodState& p : state.periods()) {
    rules::EbPeriod& out = client.periods.emplace_back();
    out.kind = p.kind();
    out.afzender = p.afzender();
    out.start_nummer = p.start_nummer();
    out.startdatum = dateOf(p.startdatum());
    out.stopdatum = dateOf(p.stopdatum());
    if (p.has_kostprijs()) {
      out.kostprijs_bedrag = p.kostprijs_bedrag();
      out.kostprijs_startdatum = dateOf(p.kostprijs_startdatum());
    }
    if (p.sent()) out.last_sent = valuesOf(p.last_sent());
    out.last_identificatie = p.last_identificatie();
    out.last_answer = answerOf(p.last_answer());
    out.deleted = p.deleted();
    out.held = p.held();
    if (p.has_imported_as()) out.imported_as = valuesOf(p.imported_as());
    out.last_sent_on = dateOf(p.last_sent_on());
  }
  return client;
}

proto::EbClientState toProto(const rules::EbClient& client) {
  proto::EbClientState state;
  state.set_looked_up(true);
  state.set_bsn(client.bsn);
  state.set_geboortedatum(textOf(client.geboortedatum));
  for (const rules::EbProvision& p : client.provisions) {
    proto::EbProvisionState& out = *state.add_provisions();
    out.set_toewijzing_nummer(p.toewijzing_nummer);
    out.set_gemeente(p.gemeente);
    out.set_categorie(p.categorie);
    out.set_code(p.code);
    out.set_toegewezen_begin(textOf(p.toegewezen_begin));
    out.set_toegewezen_end(textOf(p.toegewezen_end));
    out.set_deleted(p.deleted);
    out.set_delivery_begin(textOf(p.delivery_begin));
    out.set_delivery_end(textOf(p.delivery_end));
    out.set_last_message(p.last_message);
    out.set_responsible(p.responsible);
    if (p.budget) {
      out.set_has_budget(true);
      out.set_budget(*p.budget);
    }
  }
  for (const rules::EbPeriod& p : client.periods) {
    proto::EbPeriodState& out = *state.add_periods();
    out.set_kind(p.kind);
    out.set_afzender(p.afzender);
    out.set_start_nummer(p.start_nummer);
    out.set_startdatum(textOf(p.startdatum));
    out.set_stopdatum(textOf(p.stopdatum));
    if (p.kostprijs_bedrag && p.kostprijs_startdatum) {
      out.set_has_kostprijs(true);
      out.set_kostprijs_bedrag(*p.kostprijs_bedrag);
      out.set_kostprijs_startdatum(p.kostprijs_startdatum->toString());
    }
    if (p.last_sent) {
      out.set_sent(true);
      *out.mutable_last_sent() = recordOf(p.kind, client.bsn, p.start_nummer, *p.last_sent);
    }
    out.set_last_identificatie(p.last_identificatie);
    out.set_last_answer(textOf(p.last_answer));
    out.set_deleted(p.deleted);
    out.set_held(p.held);
    if (p.imported_as) *out.mutable_imported_as() = recordOf(p.kind, client.bsn, p.start_nummer, *p.imported_as);
    out.set_last_sent_on(textOf(p.last_sent_on));
  }
  return state;
}

void EigenBijdrageHandler::addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const {
  needs.eb_state = needs.eb_state || needsState(item);
  needs.eb_sent = needs.eb_sent || needsSentRecords(item);
}

bool EigenBijdrageHandler::needsState(const proto::WorkItem& item) const {
  const proto::Envelope& envelope = item.envelope();
  if (!envelope.verdict().valid() || item.duplicate_of() != 0) return false;
  const std::string& type = envelope.summary().message_type();
  if (envelope.summary().client().bsn().empty()) return false;
  return (type == kEbTickType && peerNamed(item.peer()) == Peer::kNone) ||
         (type == "WMO301" && peerNamed(item.peer()) == Peer::kBackoffice) ||
         ((type == "WMO305" || type == "WMO307") && peerNamed(item.peer()) == Peer::kGgk);
}

namespace {

// A Fo01 from the chain (about something the gateway sent; the preparer finds what).
bool isChainFo01(const proto::WorkItem& item) {
  return behindGgk(peerNamed(item.peer())) && item.envelope().ggk().kind() == "Fo01" && item.duplicate_of() == 0;
}

bool isIebFunctie(const std::string& functie) { return functie == "WMO405" || functie == "WMO407"; }

}  // namespace

bool EigenBijdrageHandler::needsSentRecords(const proto::WorkItem& item) const {
  if (isChainFo01(item)) return true;
  const proto::Envelope& envelope = item.envelope();
  if (!envelope.verdict().valid() || item.duplicate_of() != 0) return false;
  const std::string& type = envelope.summary().message_type();
  return (type == "WMO406" || type == "WMO408") && peerNamed(item.peer()) == Peer::kCak;
}

void EigenBijdrageHandler::handle(const proto::WorkItem& item, proto::HandlerResult& result) const {
  if (earlierRejected(result)) return;  // never forwarded: nothing to derive or correlate
  if (needsState(item)) handleProvisionMessage(item, result);
  if (isChainFo01(item)) {
    handleChainFo01(item, result);
  } else if (needsSentRecords(item)) {
    handleRetour(item, result);
  }
}

void EigenBijdrageHandler::handleChainFo01(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::GgkLink& link = item.ggk();
  if (!link.looked_up() || !link.sent_found() || !isIebFunctie(link.sent().functie())) return;  // not about iEb
  const proto::GgkSentRecord& heen = link.sent();
  const proto::GgkEnvelopeInfo& fo01 = item.envelope().ggk();
  // The chain's free text (omschrijving) may quote a value; it stays in `ggk errors` and the report.
  const std::string why = "Fo01 " + fo01.fo01_code() + " from " + fo01.zender_organisatie() +
                          ": the chain refused the Di01 " + heen.referentienummer() + ", so it did not reach the CAK";
  proto::Decision& decision = addDecision(result);
  if (!item.eb_sent_looked_up()) {
    decision.set_outcome("error");
    decision.add_rule_ids("EB-NO-STATE");
    decision.set_summary(why + "; the journal's iEb records of " + heen.functie() + " " + heen.identificatie() +
                         " could not be read");
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("unmatched");
    attention.set_rule("EB-NO-STATE");
    attention.set_summary(decision.summary());
    return;
  }
  decision.add_trail(why + " (" + heen.functie() + " " + heen.identificatie() + ", " +
                     std::to_string(item.eb_sent_size()) + " record(s), from message #" +
                     std::to_string(heen.message_id()) + "); the text of the Fo01 is in `iwmo-gateway ggk errors`");
  for (const proto::EbSentRecord& sent : item.eb_sent()) {
    proto::EbAnswer& answer = *result.add_eb_answers();
    answer.set_message_type(heen.functie());
    answer.set_identificatie(heen.identificatie());
    answer.set_bsn(sent.record().bsn());
    answer.set_start_nummer(sent.record().start_nummer());
    answer.set_accepted(false);
    answer.add_retour_codes("Fo01 " + fo01.fo01_code());
    answer.set_explanation(why);
    const std::string record_label = sent.record().kind() + " period " + std::to_string(sent.record().start_nummer()) +
                                     " (status " + sent.record().status_aanlevering() + ", Afzender " +
                                     sent.afzender() + ", from message #" + std::to_string(sent.message_id()) + ")";
    decision.add_trail("not delivered: " + record_label);
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("rejected");
    attention.set_bsn(sent.record().bsn());
    attention.set_rule("EB-FO01");
    attention.set_start_nummer(sent.record().start_nummer());
    attention.set_summary(heen.functie() + " " + heen.identificatie() + ": " + record_label + " did not reach the CAK: " +
                          why + ". Correct the cause (`iwmo-gateway ggk errors`), then report the period to the CAK "
                          "by hand, or correct the provision so that the client's next message sends it again");
  }
  decision.add_rule_ids("EB-FO01");
  decision.set_outcome("rejected-by-chain");
  decision.set_summary(heen.functie() + " " + heen.identificatie() + " refused by the chain (Fo01 " + fo01.fo01_code() +
                       "): " + std::to_string(item.eb_sent_size()) + " record(s) did not reach the CAK " +
                       "(`iwmo-gateway ieb rejected`)");
}

void EigenBijdrageHandler::handleProvisionMessage(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::MessageSummary& summary = item.envelope().summary();
  const std::string& bsn = summary.client().bsn();
  if (!item.eb_state().looked_up()) {
    proto::Decision& decision = addDecision(result);
    decision.set_outcome("error");
    decision.add_rule_ids("EB-NO-STATE");
    decision.set_summary(summary.message_type() == kEbTickType
                             ? "the client's eigen-bijdrage state could not be read; nothing was sent to the CAK "
                               "(the daemon's log says why); the tick of the next day tries again"
                             : "the client's eigen-bijdrage state could not be read; nothing was sent to the CAK "
                               "(the daemon's log says why); replay the message once the journal is readable");
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("manual");
    attention.set_bsn(bsn);
    attention.set_rule("EB-NO-STATE");
    attention.set_summary(decision.summary());
    return;
  }
  rules::EbEvent event;
  event.message_type = summary.message_type();
  event.message_id = item.message_id();
  event.dagtekening = receiptDay(item);
  event.reevaluate = summary.message_type() == kEbTickType;
  event.gemeente = summary.routing().gemeente();
  event.geboortedatum = dateOf(summary.client().geboortedatum());
  for (const proto::Product& product : summary.products()) {
    if (!product.has_toewijzing_nummer()) continue;
    const std::string& kind = product.kind();
    if (kind != "ToegewezenProduct" && kind != "StartProduct" && kind != "StopProduct") continue;
    rules::EbLine& line = event.lines.emplace_back();
    line.toewijzing_nummer = product.toewijzing_nummer();
    line.categorie = product.categorie();
    line.code = product.code();
    line.ingangsdatum = dateOf(product.ingangsdatum());
    line.einddatum = dateOf(product.einddatum());
    line.begindatum = dateOf(product.begindatum());
    line.status_aanlevering = product.status_aanlevering();
    line.reden_wijziging = product.reden_wijziging();
    if (product.has_budget()) line.budget = product.budget();
  }
  for (const proto::Decision& earlier : result.decisions()) {
    if (handlerKindOf(earlier) == HandlerKind::kResponsibility && !earlier.responsible_gemeente().empty()) {
      event.bw_responsible = earlier.responsible_gemeente();
    }
  }

  proto::EbClientState stored = item.eb_state();
  stored.set_bsn(bsn);
  rules::EbParams params = params_;
  if (stored.first_start_nummer() != 0) params.first_start_nummer = stored.first_start_nummer();  // the journal's
  rules::EbDecision decided = rules::decideEigenBijdrage(toRules(stored), event, params);
  if (!decided.relevant) {
    if (event.reevaluate) *result.mutable_eb_state() = unchangedEbState(item, "");  // nothing waits any more
    return;
  }

  proto::Decision& decision = addDecision(result);
  for (const auto& id : decided.rule_ids) decision.add_rule_ids(id);
  for (const auto& line : decided.trail) decision.add_trail(line);

  // One message per kind and Afzender, in the order the records were decided.
  std::vector<IebMessage> messages;
  for (const rules::EbOutRecord& out : decided.records) {
    const std::string type = out.kind == "AT" ? "WMO405" : "WMO407";
    auto it = std::find_if(messages.begin(), messages.end(), [&](const IebMessage& m) {
      return m.message_type == type && m.afzender == out.afzender;
    });
    if (it == messages.end()) {
      IebMessage& message = messages.emplace_back();
      message.message_type = type;
      message.afzender = out.afzender;
      message.identificatie = "EB" + std::to_string(item.message_id()) + "-" + std::to_string(messages.size());
      message.dagtekening = event.dagtekening.toString();
      it = messages.end() - 1;
    }
    it->records.push_back(recordOf(out.kind, bsn, out.start_nummer, out.values));
    for (rules::EbPeriod& period : decided.state.periods) {
      if (period.kind == out.kind && period.afzender == out.afzender && period.start_nummer == out.start_nummer) {
        period.last_identificatie = it->identificatie;
      }
    }
  }
  std::vector<std::string> sent_summaries;
  const std::string stem = fileStem(item);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const IebMessage& message = messages[i];
    Result<std::string> xml = write_(message);
    if (!xml) {
      // Never send what does not validate; keep the old state so that the next message, or the
      // next day's tick, tries again.
      decision.set_outcome("error");
      decision.add_rule_ids("EB-WRITE-INVALID");
      decision.set_summary(message.message_type + " for the CAK does not validate against the iEb schemas, "
                           "nothing was sent: " + xml.status().message());
      // Only the iEb messages go: what the routing handler passes on (e.g. the WMO301 to the
      // provider) is not the CAK's and still leaves.
      auto& outgoing = *result.mutable_outgoing();
      outgoing.erase(std::remove_if(outgoing.begin(), outgoing.end(),
                                    [](const proto::Outgoing& out) { return peerNamed(out.peer()) == Peer::kCak; }),
                     outgoing.end());
      result.clear_eb_sent();
      *result.mutable_eb_state() = unchangedEbState(item, dayAfterReceipt(item));
      proto::EbAttention& attention = *result.add_eb_attention();
      attention.set_kind("manual");
      attention.set_bsn(bsn);
      attention.set_rule("EB-WRITE-INVALID");
      attention.set_summary(decision.summary());
      return;
    }
    proto::Outgoing& outgoing = *result.add_outgoing();
    outgoing.set_peer(peerName(Peer::kCak));
    outgoing.set_file_name(stem + "-eb" + std::to_string(i + 1) + "-" + message.message_type + ".xml");
    outgoing.set_payload(std::move(*xml));
    outgoing.set_message_type(message.message_type);
    outgoing.set_receiver("CAK");
    outgoing.set_identificatie(message.identificatie);
    outgoing.set_sender(message.afzender);
    std::string what;
    for (const proto::EbRecord& record : message.records) {
      proto::EbSentRecord& sent = *result.add_eb_sent();
      sent.set_message_type(message.message_type);
      sent.set_identificatie(message.identificatie);
      sent.set_afzender(message.afzender);
      *sent.mutable_record() = record;
      sent.set_message_id(item.message_id());
      what += (what.empty() ? "" : "; ") + record.kind() + " " + std::to_string(record.start_nummer()) +
              " status " + record.status_aanlevering() + " " + record.startdatum() + ".." +
              (record.stopdatum().empty() ? "open" : record.stopdatum());
    }
    sent_summaries.push_back(message.message_type + " " + message.identificatie + " (Afzender " + message.afzender +
                             ": " + what + ")");
  }
  *result.mutable_eb_state() = toProto(decided.state);
  if (decided.review_on) result.mutable_eb_state()->set_review_on(decided.review_on->toString());
  for (const rules::EbAttentionItem& item_attention : decided.attention) {
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind(item_attention.kind);
    attention.set_bsn(bsn);
    attention.set_rule(item_attention.rule);
    attention.set_summary(item_attention.summary);
    attention.set_start_nummer(item_attention.start_nummer);
  }
  for (const rules::EbResolvedPeriod& period : decided.resolved) {
    proto::EbResolved& resolved = *result.add_eb_resolved();
    resolved.set_bsn(bsn);
    resolved.set_start_nummer(period.start_nummer);
    resolved.set_how(period.how);
  }
  std::string summary_text;
  for (const auto& s : sent_summaries) summary_text += (summary_text.empty() ? "" : ", ") + s;
  if (!sent_summaries.empty()) {
    decision.set_outcome("sent");
    decision.set_summary("to the CAK: " + summary_text);
  } else if (!decided.attention.empty()) {
    decision.set_outcome(decided.attention.front().kind);
    decision.set_summary("nothing sent to the CAK: " + decided.attention.front().summary);
  } else if (!decided.waiting.empty()) {
    decision.set_outcome("held");
    decision.set_summary("nothing sent to the CAK yet: " + decided.waiting.front());
  } else {
    decision.set_outcome("no-change");
    decision.set_summary("nothing to send to the CAK (no change to what it has, or no liable provision)");
  }
  if (!sent_summaries.empty() && !decided.attention.empty()) {
    decision.set_summary(decision.summary() + "; also: " + decided.attention.front().summary);
  }
}

void EigenBijdrageHandler::handleRetour(const proto::WorkItem& item, proto::HandlerResult& result) const {
  const proto::MessageSummary& summary = item.envelope().summary();
  const std::string& type = summary.message_type();
  const std::string heen_type = type == "WMO406" ? "WMO405" : "WMO407";
  const std::string& identificatie = summary.header().identificatie();
  proto::Decision& decision = addDecision(result);
  if (!item.eb_sent_looked_up()) {
    decision.set_outcome("error");
    decision.add_rule_ids("EB-NO-STATE");
    decision.set_summary(type + " could not be matched: the journal's iEb records could not be read");
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("unmatched");
    attention.set_rule("EB-NO-STATE");
    attention.set_summary(decision.summary());
    return;
  }
  if (item.eb_sent().empty()) {
    decision.set_outcome("unmatched");
    decision.add_rule_ids("EB-RETOUR-UNKNOWN");
    decision.set_summary(type + " answers " + heen_type + " " + identificatie +
                         ", which this gateway did not send; check with the CAK which message it answers");
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("unmatched");
    attention.set_rule("EB-RETOUR-UNKNOWN");
    attention.set_summary(decision.summary());
    return;
  }
  // A code on the header (0001 technical; 9056, 8848, S300 about the message) rejects every record.
  std::vector<std::string> header_codes;
  for (const auto& code : summary.header().retour_codes()) {
    if (code != "0200" && code != "0233") header_codes.push_back(code);
  }
  const bool technical = !header_codes.empty();
  decision.add_trail(type + " " + summary.header().identificatie_retour() + " answers " + heen_type + " " +
                     identificatie + " (" + std::to_string(item.eb_sent_size()) + " record(s) sent)" +
                     (technical ? "; a code on the header rejects the whole message"
                                : summary.eb_records().empty() ? "; header only: everything accepted" : ""));
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::vector<bool> used(static_cast<std::size_t>(summary.eb_records_size()), false);
  for (const proto::EbSentRecord& sent : item.eb_sent()) {
    std::vector<std::string> codes;
    if (technical) {
      codes = header_codes;
    } else {
      for (int i = 0; i < summary.eb_records_size(); ++i) {
        const proto::EbRecord& echoed = summary.eb_records(i);
        if (used[static_cast<std::size_t>(i)] || echoed.bsn() != sent.record().bsn() ||
            echoed.start_nummer() != sent.record().start_nummer()) {
          continue;
        }
        used[static_cast<std::size_t>(i)] = true;
        for (const auto& list : {echoed.client_retour_codes(), echoed.retour_codes()}) {
          for (const auto& code : list) {
            if (code != "0200" && code != "0233") codes.push_back(code);
          }
        }
      }
    }
    proto::EbAnswer& answer = *result.add_eb_answers();
    answer.set_message_type(heen_type);
    answer.set_identificatie(identificatie);
    answer.set_bsn(sent.record().bsn());
    answer.set_start_nummer(sent.record().start_nummer());
    answer.set_accepted(codes.empty());
    const std::string record_label = sent.record().kind() + " period " + std::to_string(sent.record().start_nummer()) +
                                     " (status " + sent.record().status_aanlevering() + ", Afzender " +
                                     sent.afzender() + ", from message #" + std::to_string(sent.message_id()) + ")";
    if (codes.empty()) {
      ++accepted;
      decision.add_trail("accepted: " + record_label);
      continue;
    }
    ++rejected;
    std::string explanation;
    for (const auto& code : codes) {
      answer.add_retour_codes(code);
      explanation += (explanation.empty() ? "" : "; ") + describe_(code);
    }
    answer.set_explanation(explanation);
    decision.add_trail("rejected: " + record_label + ": " + explanation);
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("rejected");
    attention.set_bsn(sent.record().bsn());
    attention.set_rule("EB-CAK-REJECTED");
    attention.set_start_nummer(sent.record().start_nummer());
    attention.set_summary(heen_type + " " + identificatie + ": " + record_label + " rejected by the CAK: " + explanation);
  }
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (used[i] || technical) continue;
    const proto::EbRecord& echoed = summary.eb_records(static_cast<int>(i));
    proto::EbAttention& attention = *result.add_eb_attention();
    attention.set_kind("unmatched");
    attention.set_bsn(echoed.bsn());
    attention.set_rule("EB-RETOUR-UNKNOWN");
    attention.set_summary(type + " echoes period " + std::to_string(echoed.start_nummer()) + ", which " + heen_type +
                          " " + identificatie + " did not carry");
    decision.add_trail("the retour echoes period " + std::to_string(echoed.start_nummer()) + ", not sent in " +
                       identificatie + ": queued for an operator");
  }
  decision.add_rule_ids(rejected > 0 ? "EB-RETOUR-REJECTED" : "EB-RETOUR-ACCEPTED");
  decision.set_outcome(rejected > 0 ? "rejected-by-cak" : "accepted");
  decision.set_summary(type + " on " + heen_type + " " + identificatie + ": " + std::to_string(accepted) +
                       " accepted, " + std::to_string(rejected) + " rejected" +
                       (rejected > 0 ? " (`iwmo-gateway ieb rejected`)" : ""));
}

}  // namespace iwmo::handlers
