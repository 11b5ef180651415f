// Technical answers to inbound messages (issue 6; DESIGN §3): which answer the gateway itself
// sends to the sender of a message from the GGk side, given what the adapter, the journal and
// the routing rules found. Pure: facts in, a decision with a rule id and a trail out.
//
// Rule ids:
//   ANSWER-FO01-STUF055   level 1 (payload not XML / not schema-valid, or envelope and payload
//                         disagree): a Fo01 with StUF055 to the envelope's zender; no retour
//   ANSWER-RETOUR-0001    level 2 (a single-message rule): the retour with only the Header and
//                         retourcode 0001 (IV032)
//   ANSWER-RETOUR-9056    level 3, TR056: the Identificatie is not unique for this sender and
//                         message type; the retour echoes the whole message, 9056 on the Header
//                         and 0200 on every other class (they were checked at levels 1 and 2)
//   ANSWER-NONE           nothing to answer, and the trail says why: a redelivery of a message
//                         already journaled (same content: it was answered, or passed on, once),
//                         the message is valid (a
//                         business retour is the back office's), a retour (no retour on a
//                         retour), a WMO323 (answered by the back office's WMO325), the envelope
//                         itself was refused, a Fo01, or it arrived without an envelope (nothing
//                         to address an answer to: the portal's manual download)
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/base/peer.h"

namespace iwmo::rules {

struct AnswerFacts {
  Peer from_peer = Peer::kUnknown;  // only messages from behind the GGk (ggk, cak) are answered
  std::string envelope_kind;   // "", "Di01", "Du01", "Fo01", "refused"
  std::string message_type;    // "" when not recognised
  bool is_retour = false;
  bool has_retour_type = false;  // a heen message with a retour (301/305/307/315/317/319)
  bool valid = false;
  std::uint32_t level = 0;
  std::vector<std::string> codes;  // the findings' codes
  std::string first_finding;       // "3:14 XSD /Bericht/Client/Bsn: ..." for the Fo01 text
  std::uint64_t duplicate_of = 0;
  bool duplicate_same_content = false;  // a redelivery of the original, not a reused Identificatie
  std::string routing_rule;        // the routing decision's rule id
};

enum class AnswerKind { kNone, kFo01, kRetourHeaderOnly, kRetourEcho };

struct TechnicalAnswer {
  AnswerKind kind = AnswerKind::kNone;
  std::string rule_id;
  std::vector<std::string> header_codes;  // retours
  std::vector<std::string> class_codes;   // kRetourEcho: every class but the Header
  std::string fo01_detail;                // kFo01: appended to StUF055's omschrijving
  std::string summary;
  std::vector<std::string> trail;
};

TechnicalAnswer decideTechnicalAnswer(const AnswerFacts& facts);

}  // namespace iwmo::rules
