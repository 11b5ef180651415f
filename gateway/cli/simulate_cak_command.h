// `iwmo-gateway simulate-cak` (issue 4; DESIGN §1 user 2, §2.2): plays the CAK on the gateway's
// CAK outbox. For every WMO405 / WMO407 file in --in (default [peers.cak] deliver_dir), in name
// order, it
//   1. validates it against the schema set (level 1: no retour; an error report in the
//      processed directory, as the CAK gives the sender an error);
//   2. level 2 (single-message rules, e.g. CS332, BSN elfproef): the retour's header carries 0001;
//   3. level 3, with its own state (an SQLite file): 8848 Dagtekening in the future, S300 Afzender
//      not a CBS code on the Dagtekening, 9056 Identificatie not unique per message type for the
//      sender, and per record 9102 (new with an existing key), 9103 (change without a first),
//      9104 (change after a delete), 9063 (delete without an earlier record), 9071 (delete after a
//      stop), 9328 (stop before start), 9329 (delete with other values), 9330 (a stop for a
//      deleted start), 9393 / 9395 (changed start more than 36 months back), 9112 (initial start
//      more than 12 months back), 9113 (more than 1 month ahead), 9114 (stop more than 36 months
//      back), 9400 (OP371: overlapping BW periods of one municipality; code by the list's pattern)
// and writes the retour WMO406 / WMO408 into --out (default [peers.cak] receive_dir, where the
// gateway picks it up) in the form of DESIGN §2.2: header only when all is accepted, else every
// class of each rejected client with 0200 and the error code. Accepted records change its state.
// The input file then moves to the processed directory. A message in a StUF-GGk Di01 envelope
// (as the gateway sends it) is answered in a Du01 from zender CAK to the Di01's zender, with
// crossRefnummer = its referentienummer; a schema-invalid payload in a Di01 gets a Fo01 StUF055
// (the CAK checks payloads); a broken envelope or a Du01 is refused without an answer; a bare
// message is answered bare.
//
// Crash safety: the retour is recorded with the state in one SQLite transaction, then written
// (write-then-rename, fsync), then the input moves; a file seen again with the same content gets
// the same retour bytes again, never a second verdict. (A Fo01 is not recorded: a broken Di01 read
// again gets a new one.)
#pragma once

#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct SimulateCakOptions {
  std::filesystem::path in;         // default: config.cak.deliver_dir
  std::filesystem::path out;        // default: config.cak.receive_dir
  std::filesystem::path state;      // default: STATE_DIR/cak-simulator/state.sqlite
  std::filesystem::path processed;  // default: STATE_DIR/cak-simulator/processed
  std::string today;                // DagtekeningRetour and the 8848 check; default: today (UTC)
  bool follow = false;              // keep watching --in until SIGINT / SIGTERM
  bool json = false;                // one JSON line per message processed
};

// Exit codes: 0 every file answered (accepted or rejected); 1 some file refused at level 1;
// 2 set-up failed (directories, state, schemas).
int runSimulateCak(const config::Config& config, const SimulateCakOptions& options);

}  // namespace iwmo::cli
