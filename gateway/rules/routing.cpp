#include "gateway/rules/routing.h"

#include <algorithm>
#include <set>

#include "gateway/base/internal_messages.h"

namespace iwmo::rules {
namespace {

// "CS002, TR101": each code once, in order of first appearance.
std::string joined(const std::vector<std::string>& codes) {
  std::string out;
  std::set<std::string> seen;
  for (const auto& code : codes) {
    if (!seen.insert(code).second) continue;
    out += (out.empty() ? "" : ", ") + code;
  }
  return out;
}

RoutingDecision reject(std::string rule_id, std::string summary, std::vector<std::string> trail) {
  RoutingDecision decision;
  decision.routed = false;
  decision.to_peer = Peer::kRejected;
  decision.rule_id = std::move(rule_id);
  decision.summary = std::move(summary);
  decision.trail = std::move(trail);
  decision.trail.push_back("not forwarded; payload and report are in the rejected area");
  return decision;
}

}  // namespace

RoutingDecision decideRoute(const RoutingFacts& facts, const RoutingParams& params) {
  const std::string type = facts.message_type.empty() ? "message" : facts.message_type;
  std::vector<std::string> trail;
  trail.push_back("received from " + peerName(facts.from_peer));

  if (facts.envelope_kind == "refused") {
    trail.push_back("the StUF-GGk envelope was refused (" + joined(facts.codes) + ")");
    trail.push_back("no Fo01: the chain (RINIS, the GGk) validates envelopes, and a gemeente has "
                    "no Fo01 code for an envelope fault; the operator must look at the file");
    return reject("REJECT-ENVELOPE",
                  "the StUF-GGk envelope is refused (" + joined(facts.codes) + "); its payload was not read",
                  std::move(trail));
  }
  if (facts.envelope_kind == "Fo01") {
    RoutingDecision decision;
    decision.routed = true;
    decision.rule_id = "ROUTE-GGK-FO01";
    decision.summary = "Fo01 from " + facts.envelope_zender +
                       ": an error about a document the gateway sent, matched by the GGk handler";
    trail.push_back("a StUF Fo01 is an answer of the chain, not a message for the back office");
    trail.push_back("not forwarded: kept for operators (iwmo-gateway ggk errors)");
    decision.trail = std::move(trail);
    return decision;
  }
  if (facts.from_peer == Peer::kNone && facts.message_type == kEbTickType && facts.valid) {
    RoutingDecision decision;
    decision.routed = true;
    decision.to_peer = Peer::kNone;
    decision.rule_id = "ROUTE-EB-TICK";
    decision.summary = "the eigen-bijdrage tick: the gateway's own, for the eigen-bijdrage handler; not forwarded";
    trail.push_back("a tick decides one client's periods again on its day (issue 14)");
    decision.trail = std::move(trail);
    return decision;
  }
  if (facts.duplicate_of != 0) {
    trail.push_back(facts.duplicate_reason);
    return reject("REJECT-DUPLICATE",
                  type + " is a duplicate of message #" + std::to_string(facts.duplicate_of) +
                      "; not processed twice",
                  std::move(trail));
  }
  if (!facts.valid) {
    trail.push_back("verdict: level " + std::to_string(facts.level) + " (" + joined(facts.codes) + ")");
    if (facts.level <= 1) {
      trail.push_back("DESIGN §3 level 1: no retour; a Fo01 StUF055 answers it (GGk side)");
      return reject("REJECT-LEVEL-1",
                    type + " is not well-formed or not schema-valid (" + joined(facts.codes) + ")",
                    std::move(trail));
    }
    trail.push_back("DESIGN §3 level 2: a retour with 0001 answers it (GGk side)");
    return reject("REJECT-LEVEL-2",
                  type + " breaks single-message rules (" + joined(facts.codes) + ")",
                  std::move(trail));
  }

  // Direction: the gemeente's messages come from the back office, a provider's from the GGk.
  const Peer expected_peer = facts.sent_by == "gemeente" ? Peer::kBackoffice
                             : facts.sent_by == "cak"    ? Peer::kCak
                                                         : Peer::kGgk;
  if (facts.from_peer != expected_peer) {
    trail.push_back(type + " is sent by the " + facts.sent_by + ", so it must arrive from " +
                    peerName(expected_peer));
    return reject("REJECT-DIRECTION",
                  type + " arrived from " + peerName(facts.from_peer) + " but is sent by the " +
                      facts.sent_by + " (expected from " + peerName(expected_peer) + ")",
                  std::move(trail));
  }
  const auto served = [&](const std::string& code) {
    return std::find(params.own_gemeente.begin(), params.own_gemeente.end(), code) !=
           params.own_gemeente.end();
  };
  if ((facts.envelope_kind == "Di01" || facts.envelope_kind == "Du01") &&
      !served(facts.envelope_ontvanger)) {
    std::string own;
    for (const auto& code : params.own_gemeente) own += (own.empty() ? "" : ", ") + code;
    trail.push_back("envelope ontvanger " + facts.envelope_ontvanger + "; this gateway serves " + own +
                    " (the envelope, not the payload header, says where a message goes)");
    return reject("REJECT-NOT-OWN-GEMEENTE",
                  type + " is addressed (envelope ontvanger) to " + facts.envelope_ontvanger +
                      ", which this gateway does not serve (gateway.own_gemeente = " + own + ")",
                  std::move(trail));
  }
  const bool ours = served(facts.gemeente);
  if (!ours) {
    std::string own;
    for (const auto& code : params.own_gemeente) own += (own.empty() ? "" : ", ") + code;
    trail.push_back("header gemeente " + facts.gemeente + "; this gateway serves " + own);
    return reject("REJECT-NOT-OWN-GEMEENTE",
                  type + " concerns gemeente " + facts.gemeente +
                      ", which this gateway does not serve (gateway.own_gemeente = " + own + ")",
                  std::move(trail));
  }

  if (facts.is_retour && facts.heen_checked && !facts.heen_known) {
    if (behindGgk(facts.from_peer)) {
      trail.push_back("envelope crossRefnummer names no Di01 the gateway sent");
      return reject("REJECT-UNKNOWN-HEEN",
                    type + " answers a heen message the gateway never sent (its Du01 "
                           "crossRefnummer is unknown); DESIGN §3 level 3",
                    std::move(trail));
    }
    trail.push_back("the heen message this retour answers (BerichtCode, Afzender, Identificatie of "
                    "its header) is not in the journal");
    return reject("REJECT-UNKNOWN-HEEN",
                  type + " answers a heen message the gateway never received, so it has no "
                         "envelope to answer (no crossRefnummer); check the retour header's "
                         "BerichtIdentificatie",
                  std::move(trail));
  }

  RoutingDecision decision;
  decision.routed = true;
  decision.rule_id = "ROUTE-PASS-THROUGH";
  const bool ieb = facts.message_type.rfind("WMO40", 0) == 0;
  if (ieb && facts.from_peer == Peer::kCak) {
    decision.rule_id = "ROUTE-IEB-RETOUR";
    decision.summary = type + " from the CAK for gemeente " + facts.gemeente +
                       ": an answer to the gateway's own iEb message, matched by the eigen-bijdrage handler";
    trail.push_back("valid; sent by the CAK; gemeente " + facts.gemeente + " is ours");
    trail.push_back("not forwarded: the gateway sent the heen message, so it consumes the retour");
    decision.trail = std::move(trail);
    return decision;
  }
  if (ieb) {
    decision.to_peer = Peer::kCak;
    decision.receiver = "CAK";
    decision.summary = type + " from the back office of gemeente " + facts.gemeente + " to the CAK";
  } else if (facts.from_peer == Peer::kBackoffice) {
    decision.to_peer = Peer::kGgk;
    decision.receiver = facts.aanbieder;
    decision.summary = type + " from gemeente " + facts.gemeente + " to aanbieder " +
                       facts.aanbieder + " via the GGk";
  } else {
    decision.to_peer = Peer::kBackoffice;
    decision.receiver = facts.gemeente;
    decision.summary = type + " from aanbieder " + facts.aanbieder + " to the back office of gemeente " +
                       facts.gemeente;
  }
  trail.push_back("valid at levels 1 and 2; sent by the " + facts.sent_by + "; gemeente " +
                  facts.gemeente + " is ours");
  trail.push_back("pass-through to " + peerName(decision.to_peer));
  decision.trail = std::move(trail);
  return decision;
}

}  // namespace iwmo::rules
