// EbStore: the eigen-bijdrage state (issue 4; DESIGN §2.2): per client, the provisions known from
// the traffic and the AT / BW periods derived from them (proto EbClientState); every record sent
// to the CAK with the CAK's answer; and the items an operator must look at (held, manual,
// rejected, unmatched). Written only by the Journal's commitResult, from a handler result's
// eb_state, eb_sent, eb_answers, eb_attention and eb_resolved (which closes the open items of a
// period that was sent, settled or withdrawn), in the decision's transaction.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/date.h"
#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace iwmo::journal {

// One iEb record the gateway sent, with the CAK's answer (`iwmo-gateway ieb pending|rejected`).
struct EbRecordRow {
  std::uint64_t id = 0;
  std::uint64_t message_id = 0;  // whose decision sent it
  std::string message_type;      // WMO405 / WMO407
  std::string identificatie;
  std::string afzender;
  std::string bsn;
  proto::EbRecord record;
  Timestamp sent_at;
  std::string state;  // pending / accepted / rejected
  std::string retour_codes;
  std::string explanation;
  std::uint64_t retour_message_id = 0;
  std::optional<Timestamp> answered_at;
};

// An eigen-bijdrage item waiting for an operator (held, manual, rejected, unmatched).
struct EbAttentionRow {
  std::uint64_t id = 0;
  std::uint64_t message_id = 0;
  Timestamp at;
  std::string kind;
  std::string bsn;
  std::string rule;
  std::string summary;
  std::string state;  // open / done
  std::string note;
  std::uint64_t start_nummer = 0;  // the period it is about (0: none)
};

// The note an item gets when its period is resolved: "closed by message #42: sent with ...".
inline std::string resolvedNote(const proto::EbResolved& resolved, std::uint64_t message_id) {
  return "closed by message #" + std::to_string(message_id) + ": the period was " + resolved.how();
}

// iEb records per message type and state, for /metrics and the replay summary.
struct EbCounts {
  // message_type -> state ("pending", "accepted", "rejected") -> count
  std::map<std::string, std::map<std::string, std::uint64_t>> records;
  std::uint64_t attention_open = 0;
  std::uint64_t clients = 0;
  std::uint64_t overdue = 0;  // pending and sent before the `overdue_before` given to counts()
};

class EbStore {
 public:
  virtual ~EbStore() = default;
  // The client's state with each sent period's last_answer filled in from the CAK's answers
  // ("pending" until one came); looked_up true, and an empty state for a client never seen.
  virtual Result<proto::EbClientState> clientState(const std::string& bsn) = 0;
  // The records sent in the heen message `identificatie` of `message_type` (WMO405 / WMO407).
  virtual Result<std::vector<proto::EbSentRecord>> sentIn(const std::string& message_type,
                                                          const std::string& identificatie) = 0;
  // Sent records in `state` ("pending", "rejected"; "" = all), oldest first.
  virtual Result<std::vector<EbRecordRow>> records(const std::string& state) = 0;
  virtual Result<std::vector<EbAttentionRow>> attention(bool include_done) = 0;
  // Closes an attention item. False when there is no open item with that id.
  virtual Result<bool> resolveAttention(std::uint64_t id, const std::string& note, Timestamp at) = 0;
  virtual Result<EbCounts> counts(Timestamp overdue_before = {}) = 0;
  // Stores the clients' states whole, keyed by BSN, in one transaction (`iwmo-gateway import
  // cak-periods`: the states with the imported periods added; no message made them).
  virtual Status storeImportedStates(const std::map<std::string, proto::EbClientState>& states, Timestamp at) = 0;
  // The periods imported from the CAK, as imported (each client's state holds only those, with
  // the record the CAK had as its last one), keyed by BSN: what a replay starts from.
  virtual Result<std::map<std::string, proto::EbClientState>> importedPeriods() = 0;
  // The first start number this journal numbers new periods from (issue 14), once set; kept
  // for the journal's life, so that a new journal is the only place a new one is chosen.
  virtual Result<std::optional<std::uint64_t>> firstStartNummer() = 0;
  virtual Status setFirstStartNummer(std::uint64_t first) = 0;
  // The highest start number sent to the CAK from this journal (0: none), for the next journal's
  // first_start_nummer (`iwmo-gateway ieb numbers`).
  virtual Result<std::uint64_t> highestStartNummerSent() = 0;
  // The clients whose review day (EbClientState.review_on) is `due` or earlier, oldest day first,
  // at most `limit`: the eigen-bijdrage tick decides them again (issue 14).
  virtual Result<std::vector<std::string>> clientsToReview(Date due, std::size_t limit) = 0;
};

// `state` with only its imported periods, each as it was imported (wish and last record the
// CAK's, answer accepted, no hold); nullopt when it has none.
inline std::optional<proto::EbClientState> onlyImportedPeriods(const proto::EbClientState& state) {
  proto::EbClientState out;
  for (const proto::EbPeriodState& period : state.periods()) {
    if (!period.has_imported_as()) continue;
    const proto::EbRecord& cak = period.imported_as();
    proto::EbPeriodState& kept = *out.add_periods();
    kept.set_kind(period.kind());
    kept.set_afzender(period.afzender());
    kept.set_start_nummer(period.start_nummer());
    kept.set_startdatum(cak.startdatum());
    kept.set_stopdatum(cak.stopdatum());
    kept.set_has_kostprijs(cak.has_kostprijs());
    kept.set_kostprijs_bedrag(cak.kostprijs_bedrag());
    kept.set_kostprijs_startdatum(cak.kostprijs_startdatum());
    kept.set_sent(true);
    *kept.mutable_last_sent() = cak;
    kept.set_last_answer("accepted");
    *kept.mutable_imported_as() = cak;
  }
  if (out.periods_size() == 0) return std::nullopt;
  out.set_looked_up(true);
  out.set_bsn(state.bsn());
  return out;
}

}  // namespace iwmo::journal
