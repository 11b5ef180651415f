#include "gateway/rules/technical_answer.h"

#include <set>

namespace iwmo::rules {
namespace {

std::string joined(const std::vector<std::string>& codes) {
  std::string out;
  std::set<std::string> seen;
  for (const auto& code : codes) {
    if (seen.insert(code).second) out += (out.empty() ? "" : ", ") + code;
  }
  return out;
}

TechnicalAnswer none(std::string summary, std::vector<std::string> trail) {
  TechnicalAnswer answer;
  answer.rule_id = "ANSWER-NONE";
  answer.summary = std::move(summary);
  answer.trail = std::move(trail);
  return answer;
}

}  // namespace

TechnicalAnswer decideTechnicalAnswer(const AnswerFacts& facts) {
  const std::string type = facts.message_type.empty() ? "the message" : facts.message_type;
  std::vector<std::string> trail;
  if (!behindGgk(facts.from_peer)) {
    trail.push_back("from " + peerName(facts.from_peer) + ": the back office gets a rejection report, not a technical answer");
    return none("no technical answer: not from the GGk side", std::move(trail));
  }
  if (facts.envelope_kind == "refused") {
    trail.push_back("the envelope itself was refused: its zender and referentienummer cannot be trusted");
    return none("no technical answer: the envelope was refused (see the rejection report)", std::move(trail));
  }
  if (facts.envelope_kind == "Fo01") {
    return none("no technical answer: a Fo01 is itself an answer", std::move(trail));
  }
  if (facts.duplicate_of != 0 && facts.duplicate_same_content) {
    trail.push_back("the same content as message #" + std::to_string(facts.duplicate_of) +
                    ": a redelivery, answered (or passed on) once already");
    return none("no technical answer: a redelivery of message #" + std::to_string(facts.duplicate_of),
                std::move(trail));
  }
  const bool invalid = !facts.valid || facts.duplicate_of != 0;
  if (!invalid && facts.routing_rule == "ROUTE-PASS-THROUGH") {
    trail.push_back("valid at levels 1-3 as far as the gateway checks; business retours are the back office's");
    return none("no technical answer: valid, passed to the back office, which sends the retour", std::move(trail));
  }
  if (!invalid && facts.routing_rule == "ROUTE-IEB-RETOUR") {
    trail.push_back("valid; the CAK's answer to the gateway's own iEb message, read by the eigen-bijdrage handler");
    return none("no technical answer: a valid retour from the CAK", std::move(trail));
  }
  if (facts.envelope_kind.empty()) {
    trail.push_back(type + " arrived without a StUF-GGk envelope, so there is no referentienummer and "
                    "zender to answer; the rejection report is in the rejected area");
    return none("no technical answer: " + type + " arrived without an envelope", std::move(trail));
  }

  if (!facts.valid && facts.level <= 1) {
    TechnicalAnswer answer;
    answer.kind = AnswerKind::kFo01;
    answer.rule_id = "ANSWER-FO01-STUF055";
    answer.fo01_detail = facts.first_finding;
    answer.summary = "Fo01 StUF055 to the envelope's zender: " + type + " is not schema-valid (" +
                     joined(facts.codes) + ")";
    trail.push_back("DESIGN §3 level 1 (" + joined(facts.codes) + "): no retour; a Fo01 with StUF055 "
                    "answers the envelope (crossRefnummer = its referentienummer)");
    answer.trail = std::move(trail);
    return answer;
  }
  if (facts.is_retour) {
    trail.push_back(type + " is a retour: the standard has no retour on a retour; the rejection "
                    "report is in the rejected area");
    return none("no technical answer to a retour", std::move(trail));
  }
  if (!facts.has_retour_type) {
    trail.push_back(type + " has no retour message (WMO323 is answered by the back office's WMO325)");
    return none("no technical answer: " + type + " has no retour", std::move(trail));
  }
  if (!facts.valid) {
    TechnicalAnswer answer;
    answer.kind = AnswerKind::kRetourHeaderOnly;
    answer.rule_id = "ANSWER-RETOUR-0001";
    answer.header_codes = {"0001"};
    answer.summary = "retour with 0001 in the header: " + type + " breaks single-message rules (" +
                     joined(facts.codes) + ")";
    trail.push_back("DESIGN §3 level 2 (" + joined(facts.codes) + "): the retour with only the Header "
                    "and retourcode 0001 (IV032)");
    answer.trail = std::move(trail);
    return answer;
  }
  if (facts.duplicate_of != 0) {
    TechnicalAnswer answer;
    answer.kind = AnswerKind::kRetourEcho;
    answer.rule_id = "ANSWER-RETOUR-9056";
    answer.header_codes = {"9056"};
    answer.class_codes = {"0200"};
    answer.summary = "retour with 9056: the Identificatie of " + type + " was used before (message #" +
                     std::to_string(facts.duplicate_of) + ")";
    trail.push_back("DESIGN §3 level 3, TR056: Identificatie unique per sender and message type; the "
                    "whole message is echoed, 9056 on the Header, 0200 on the other classes");
    answer.trail = std::move(trail);
    return answer;
  }
  trail.push_back("refused by " + facts.routing_rule + ", which has no technical retourcode of the "
                  "standard; the rejection report is in the rejected area");
  return none("no technical answer for " + facts.routing_rule, std::move(trail));
}

}  // namespace iwmo::rules
