#include "gateway/pipeline/eb_ticker.h"

#include <string>
#include <utility>

#include "gateway/base/internal_messages.h"
#include "gateway/base/sha256.h"

namespace iwmo::pipeline {

Result<std::size_t> EbTicker::tick(Date day, Timestamp at, std::size_t limit) {
  auto due = store_.clientsToReview(day, limit);
  if (!due) return due.status();
  std::size_t handed = 0;
  for (const std::string& bsn : *due) {
    journal::AppendRequest request;
    proto::Envelope& envelope = request.envelope;
    // The same bytes from the same source for a client and day: a tick repeated is received
    // again, not journaled twice. The BSN only as its pseudonym (the payload is shown by
    // `explain`); the summary carries it for the handler, as a message's does.
    const std::string payload = "eigen-bijdrage tick " + day.toString() + " for client " + hasher_.hash(bsn) + "\n";
    envelope.set_source(std::string(kEbTickSource));
    envelope.set_payload(payload);
    envelope.set_payload_sha256(sha256Hex(payload));
    envelope.set_payload_size(payload.size());
    envelope.mutable_verdict()->set_valid(true);
    proto::MessageSummary& summary = *envelope.mutable_summary();
    summary.set_message_type(std::string(kEbTickType));
    summary.mutable_header()->set_identificatie("TICK-" + day.toString());
    summary.mutable_header()->set_dagtekening(day.toString());
    summary.mutable_client()->set_bsn(bsn);
    request.peer = "";  // Peer::kNone: the gateway's own
    request.received_at = at;
    if (!intake_.receiveInternal(std::move(request))) break;  // stopping: the next start ticks again
    ++handed;
  }
  return handed;
}

}  // namespace iwmo::pipeline
