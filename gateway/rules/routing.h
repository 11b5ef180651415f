// Pass-through routing (issue 3; DESIGN §3, §5.1 step 5): where a journaled message goes, or
// why it is refused. Pure: facts and parameters in, a decision with rule ids and a trail out.
//
// Rule ids:
//   ROUTE-PASS-THROUGH       valid, right direction, our municipality: back office <-> GGk, and
//                            an iEb message of the back office's own (manual handling) -> CAK
//   ROUTE-EB-TICK            the eigen-bijdrage tick (the gateway's own, from no peer): consumed,
//                            decided by the eigen-bijdrage handler (issue 14)
//   ROUTE-IEB-RETOUR         WMO406 / WMO408 from the CAK: consumed (to_peer empty), matched by
//                            the eigen-bijdrage handler to what the gateway sent
//   REJECT-LEVEL-1           not well-formed / not schema-valid / unknown type (Fo01 StUF055)
//   REJECT-LEVEL-2           a single-message rule failed (retour with 0001)
//   REJECT-DUPLICATE         the journal found the same content or the same Identificatie (TR056)
//   REJECT-DIRECTION         a provider's message from the back office, or the other way round
//   REJECT-NOT-OWN-GEMEENTE  the header's municipality is not one this gateway serves (for a
//                            message in a StUF-GGk envelope: the envelope's ontvanger, DESIGN §2.3)
//   REJECT-ENVELOPE          the StUF-GGk envelope itself was refused (not XML, not schema-valid,
//                            bad base64 ...): no Fo01, since the chain validated it (issue 6)
//   ROUTE-GGK-FO01           a Fo01 from the chain: consumed, matched by the GGk handler to what
//                            the gateway sent
//   REJECT-UNKNOWN-HEEN      a retour for a heen message the gateway never sent (inbound Du01:
//                            its crossRefnummer; DESIGN §3 level 3) or never received (a retour
//                            of the back office whose heen message is not in the journal)
// A rejected message is never forwarded; its payload and a report go to the rejected area. The
// technical answers to the sender (Fo01 StUF055, retour with 0001 / 9056) are the GGk handler's
// (gateway/rules/technical_answer.h).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/base/peer.h"

namespace iwmo::rules {

struct RoutingParams {
  std::vector<std::string> own_gemeente;  // CBS codes this gateway serves
};

struct RoutingFacts {
  Peer from_peer = Peer::kUnknown;  // backoffice, ggk or cak
  std::string message_type;   // "WMO305"; empty when unknown
  bool valid = false;
  std::uint32_t level = 0;    // 1 or 2 when invalid
  std::vector<std::string> codes;  // finding codes
  std::string sent_by;        // "gemeente" or "aanbieder" (the message type's physical sender)
  std::string gemeente;       // header CBS code
  std::string aanbieder;      // header AGB code
  std::uint64_t duplicate_of = 0;
  std::string duplicate_reason;
  bool is_retour = false;
  // The StUF-GGk envelope (issue 6): "" (bare), "Di01", "Du01", "Fo01", "refused".
  std::string envelope_kind;
  std::string envelope_ontvanger;   // ontvanger/organisatie
  std::string envelope_zender;      // zender/organisatie
  // A retour: was its heen message looked up, and found? Inbound (a Du01): the Di01 the gateway
  // sent under its crossRefnummer; from the back office: the heen message in the journal.
  bool heen_checked = false;
  bool heen_known = false;
};

struct RoutingDecision {
  bool routed = false;
  Peer to_peer = Peer::kNone;  // backoffice, ggk, cak, rejected; kNone = consumed
  std::string receiver;       // organisation it is for (routed only)
  std::string rule_id;
  std::string summary;        // one sentence for an operator
  std::vector<std::string> trail;
};

RoutingDecision decideRoute(const RoutingFacts& facts, const RoutingParams& params);

}  // namespace iwmo::rules
