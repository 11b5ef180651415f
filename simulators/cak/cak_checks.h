// The CAK simulator's level 3 checks (DESIGN §2.2; reference/ieb/README.md): pure functions of
// the message, what the CAK already holds and its date; no I/O, so the table of EB001 codes is
// testable without files or SQLite. Codes as the EB001 list writes them; 9400 (OP371, overlapping
// BW periods) is inferred from the list's pattern (adapters/ieb/eb001.h).
// Thread-safety: plain functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "envelope.pb.h"
#include "gateway/base/date.h"
#include "gateway/rules/gemeente_table.h"
#include "simulators/cak/cak_state.h"

namespace iwmo::simulators::cak {

// What the CAK holds for a record's key before judging it.
struct PeriodHistory {
  std::optional<StoredPeriod> current;         // the period with the record's key, if any
  std::vector<proto::EbRecord> other_live_bw;  // BW: the client's other live BW periods (same Afzender)
};

struct RecordCheck {
  std::string code;                   // the EB001 code; "" = accepted
  std::optional<StoredPeriod> apply;  // accepted: what the CAK holds for the key from now on
};

// One record against the CAK's state, with the date windows counted from `dagtekening`:
//   StatusAanlevering 1 (new): 9102 the key exists, 9112 start more than 12 months back, 9113
//     start or stop more than 1 month ahead, 9328 stop before start, 9400 overlapping BW;
//   2 (change): 9103 no first, 9104 / 9330 (with a stop) the period was deleted, 9393 (AT) /
//     9395 (BW) a changed start more than 36 months back, 9113, 9328, 9114 a changed stop more
//     than 36 months back, 9400;
//   3 (delete): 9063 nothing (live) to delete, 9071 a stop was sent, 9329 other values.
// A record without a start date gets 0001.
RecordCheck checkRecord(const proto::EbRecord& record, const PeriodHistory& history, Date dagtekening);

// The header's codes: 9056 (TR056: the Identificatie was answered before with other content),
// 8848 (Dagtekening after `today`), S300 (Afzender not a CBS code on the Dagtekening, or no
// Dagtekening). Empty: the records are checked one by one.
std::vector<std::string> checkHeader(const std::string& afzender, const std::optional<Date>& dagtekening,
                                     bool identificatie_answered_before, Date today,
                                     const rules::GemeenteTable& gemeenten);

// True when the periods share a day (a stop date is the period's last day; none = open).
bool overlaps(const proto::EbRecord& a, const proto::EbRecord& b);

}  // namespace iwmo::simulators::cak
