// The CAK's periods on adoption day (issue 17): `iwmo-gateway import cak-periods FILE` reads the
// AT / BW periods the CAK already holds for this gateway's municipalities, each with its
// EbStartNummer, so that the gateway's first messages for those clients send changes (status 2)
// against these records instead of new, overlapping periods (status 1). `simulate-cak --seed`
// reads the same file into the simulated CAK.
//
// CSV (header line required, columns in any order, '#' comment lines before it):
//   bsn,kind,afzender,start_nummer,startdatum,stopdatum,kostprijs_bedrag,kostprijs_startdatum
//   kind AT | BW; afzender the municipality (CBS code) that reported it; stopdatum the last day,
//   empty = open; kostprijs_bedrag in eurocent with its kostprijs_startdatum, both empty when the
//   period has no cap (BW never has one); the last three columns may be left out.
// Every row is checked (BSN elfproef without echoing it, codes, dates, order, one key per line,
// no two periods of one client, kind and municipality that share a day); the import is all or
// nothing. Then each client's state in the journal is checked: a period with the same start
// number, or a period of the same kind and municipality that shares a day with a row, makes the
// row bad too.
// Thread-safety: pure functions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gateway/base/csv.h"
#include "gateway/base/result.h"
#include "gateway/reference_data/reference_rows.h"
#include "gateway/rules/gemeente_table.h"
#include "pipeline.pb.h"

namespace iwmo::reference_data {

// One checked row: the record as the CAK holds it (StatusAanlevering 1) and who reported it.
struct CakPeriodRow {
  std::size_t line = 0;
  std::string afzender;
  proto::EbRecord record;
};

// Checks every row of `csv` (read from `file`). `own_gemeente`: the municipalities the gateway
// serves (a row of another is bad); empty = any (the simulated CAK). Errors: a required column
// is missing (kInvalid).
Result<std::vector<CakPeriodRow>> checkCakPeriodRows(const CsvTable& csv, const std::string& file,
                                                     const rules::GemeenteTable& table,
                                                     const std::vector<std::string>& own_gemeente,
                                                     RowProblems& problems);

// The client states after the import: each client's state from `stateOf` (the journal's) with
// the rows added as imported periods, keyed by BSN. A row that conflicts with the state is a
// problem (and the result must not be stored). Errors: those of `stateOf`.
Result<std::map<std::string, proto::EbClientState>> withImportedPeriods(
    const std::vector<CakPeriodRow>& rows, const std::string& file,
    const std::function<Result<proto::EbClientState>(const std::string& bsn)>& stateOf, RowProblems& problems);

}  // namespace iwmo::reference_data
