// Writers of the iEb 4.0 messages (DESIGN §2.2; our provisional schemas/ieb): WMO405 / WMO407
// (gemeente → CAK) from period records, and their retours WMO406 / WMO408 (CAK → gemeente,
// written by `iwmo-gateway simulate-cak`) in the retour form of IV028: the heen header unchanged
// plus IdentificatieRetour, DagtekeningRetour, XsdVersieRetour and RetourCodes; header only when
// everything is accepted; otherwise every class of each rejected client with its codes.
//
// The output is deterministic text (same input, same bytes). The writers do not validate:
// callers validate with the schema set before anything leaves (the eigen-bijdrage handler and
// simulate-cak do; tests prove every written message validates).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "envelope.pb.h"
#include "gateway/base/date.h"

namespace iwmo::adapters::ieb {

inline constexpr std::string_view kIebXsdVersie = "1.0.0";  // of our provisional schemas

struct IebHeader {
  std::string afzender;       // CBS code of the responsible municipality (IV046)
  std::string identificatie;  // 1-12 characters, unique per message type for the sender
  Date dagtekening;
};

// WMO405 for records of kind "AT", WMO407 for kind "BW" (`message_type` says which).
// REQUIRES: records non-empty, all of the message's kind.
std::string writeHeen(std::string_view message_type, const IebHeader& header,
                      const std::vector<proto::EbRecord>& records);

struct RetourClient {
  proto::EbRecord record;                // as received (echoed)
  std::vector<std::string> client_codes;  // on the Client class: e.g. 0200
  std::vector<std::string> period_codes;  // on the period class: the EB001 error
};

// The retour (WMO406 on a WMO405, WMO408 on a WMO407) of `heen` (its summary, as extracted).
// `header_codes` empty = header without RetourCodes (all accepted when `clients` is empty too).
std::string writeRetour(const proto::MessageSummary& heen, const std::string& identificatie_retour,
                        Date dagtekening_retour, const std::vector<std::string>& header_codes,
                        const std::vector<RetourClient>& clients);

// The retour type of a heen type ("WMO405" → "WMO406"); empty for anything else.
std::string_view retourTypeOf(std::string_view heen_type);

}  // namespace iwmo::adapters::ieb
