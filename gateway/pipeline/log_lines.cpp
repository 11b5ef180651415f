#include "gateway/pipeline/log_lines.h"

#include <nlohmann/json.hpp>

#include "gateway/handlers/vocabulary.h"

namespace iwmo::pipeline {
namespace {

using nlohmann::ordered_json;

void putIfSet(ordered_json& line, const char* key, const std::string& value) {
  if (!value.empty()) line[key] = value;
}

// One JSON line. Text that is not UTF-8 becomes U+FFFD instead of throwing: these run on the
// journal's writer thread, where an exception would end the process (issue 16).
std::string dumped(const ordered_json& line) {
  return line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace

MessageFacts factsOf(const proto::WorkItem& item, const std::string& client_pseudonym) {
  const proto::Envelope& envelope = item.envelope();
  const proto::MessageSummary& summary = envelope.summary();
  MessageFacts facts;
  facts.message_id = item.message_id();
  facts.message_type = summary.message_type();
  facts.from_peer = item.peer();
  facts.sender = summary.routing().physical_sender();
  facts.receiver = summary.routing().physical_receiver();
  facts.gemeente = summary.routing().gemeente();
  facts.identificatie = summary.routing().own_identificatie();
  if (facts.identificatie.empty()) facts.identificatie = summary.header().identificatie();
  facts.client = client_pseudonym;
  facts.valid = envelope.verdict().valid();
  facts.level = envelope.verdict().level();
  for (const auto& finding : envelope.verdict().findings()) {
    if (facts.codes.empty() || facts.codes.back() != finding.code()) facts.codes.push_back(finding.code());
  }
  facts.received_at = Timestamp{item.received_at_micros()};
  return facts;
}

std::vector<std::string> decisionLines(const MessageFacts& facts, const proto::HandlerResult& result,
                                       Timestamp at) {
  std::vector<std::string> lines;
  std::vector<std::string> derived;
  std::string to_peer;
  for (const auto& out : result.outgoing()) {
    derived.push_back(out.peer() + "/" + out.file_name());
    if (to_peer.empty()) to_peer = out.peer();
  }
  for (const proto::Decision& decision : result.decisions()) {
    ordered_json line;
    line["time"] = at.toIso8601();
    line["event"] = decision.outcome();
    line["message_id"] = facts.message_id;
    line["message_type"] = facts.message_type;
    line["from"] = facts.from_peer;
    putIfSet(line, "to", to_peer);
    putIfSet(line, "sender", facts.sender);
    putIfSet(line, "receiver", facts.receiver);
    putIfSet(line, "gemeente", facts.gemeente);
    putIfSet(line, "identificatie", facts.identificatie);
    putIfSet(line, "client", facts.client);
    line["verdict"] = handlers::dispositionOf(result) == handlers::Disposition::kRejected ? "rejected" : "accepted";
    if (!facts.valid) {
      line["level"] = facts.level;
      line["codes"] = facts.codes;
    }
    line["handler"] = decision.handler();
    line["rule_ids"] = std::vector<std::string>(decision.rule_ids().begin(), decision.rule_ids().end());
    line["derived"] = derived;
    line["latency_ms"] = static_cast<double>(at.micros - facts.received_at.micros) / 1000.0;
    line["detail"] = decision.summary();
    lines.push_back(dumped(line));
  }
  return lines;
}

std::string deliveryLine(std::uint64_t message_id, const std::string& message_type,
                         const std::string& to_peer, const std::string& receiver, bool ok,
                         const std::string& detail, std::uint32_t attempt, Timestamp at) {
  ordered_json line;
  line["time"] = at.toIso8601();
  line["event"] = ok ? "delivered" : "delivery_failed";
  line["message_id"] = message_id;
  line["message_type"] = message_type;
  line["to"] = to_peer;
  putIfSet(line, "receiver", receiver);
  line["attempt"] = attempt;
  line["detail"] = detail;
  return dumped(line);
}

std::string receivedAgainLine(std::uint64_t original_id, const std::string& source,
                              const std::string& from_peer, Timestamp at) {
  ordered_json line;
  line["time"] = at.toIso8601();
  line["event"] = "received_again";
  line["message_id"] = original_id;
  line["from"] = from_peer;
  line["detail"] = source + " has the same content as message #" + std::to_string(original_id) +
                   " from the same source, already journaled (a re-read after a restart, or "
                   "an unchanged resend); not processed again";
  return dumped(line);
}

std::string quarantinedLine(std::uint64_t message_id, const std::string& from_peer,
                            const std::string& source, const std::string& reason, Timestamp at) {
  ordered_json line;
  line["time"] = at.toIso8601();
  line["event"] = "quarantined";
  line["message_id"] = message_id;
  line["from"] = from_peer;
  line["detail"] = reason + "; taken out of the queue so the messages after it flow on (source " + source +
                   "): see `iwmo-gateway quarantine`";
  return dumped(line);
}

}  // namespace iwmo::pipeline
