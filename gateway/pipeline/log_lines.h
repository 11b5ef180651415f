// The routing-log lines the pipeline commits (format: gateway/log/routing_log.h). Built here
// from what the pipeline knows about a message, with the BSN replaced by its pseudonym.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envelope.pb.h"
#include "gateway/base/clock.h"
#include "pipeline.pb.h"

namespace iwmo::pipeline {

// What a line says about the message it concerns; taken from the WorkItem once.
struct MessageFacts {
  std::uint64_t message_id = 0;
  std::string message_type;
  std::string from_peer;
  std::string sender;
  std::string receiver;
  std::string gemeente;
  std::string identificatie;
  std::string client;  // pseudonym
  bool valid = false;
  std::uint32_t level = 0;
  std::vector<std::string> codes;
  Timestamp received_at;
};

MessageFacts factsOf(const proto::WorkItem& item, const std::string& client_pseudonym);

// One line per decision of `result` (event "routed" or "rejected").
std::vector<std::string> decisionLines(const MessageFacts& facts, const proto::HandlerResult& result,
                                       Timestamp at);
// event "delivered" or "delivery_failed" for one outbox item.
std::string deliveryLine(std::uint64_t message_id, const std::string& message_type,
                         const std::string& to_peer, const std::string& receiver, bool ok,
                         const std::string& detail, std::uint32_t attempt, Timestamp at);
// event "received_again": a file read a second time (after a restart) or resent unchanged.
std::string receivedAgainLine(std::uint64_t original_id, const std::string& source,
                              const std::string& from_peer, Timestamp at);
// event "quarantined": a journaled message whose record could not be read back (issue 16).
std::string quarantinedLine(std::uint64_t message_id, const std::string& from_peer,
                            const std::string& source, const std::string& reason, Timestamp at);

}  // namespace iwmo::pipeline
