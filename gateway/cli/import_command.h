// `iwmo-gateway import brp|institutions|episodes|regions FILE` and `iwmo-gateway review
// list|done` (issue 5): the reference data of the responsibility rules, from CSV into the
// journal database, and the responsibility-review queue.
//
// CSV formats (header line required, columns in any order, '#' comment lines before it):
//   brp:          bsn,gemeente,begin,end,kind,address   (end exclusive, empty = current;
//                                                        kind woonadres|briefadres)
//   institutions: address,type,from,to                   (to = last day, empty = still valid)
//   episodes:     bsn,gemeente,begin,end                 (end = last day, empty = running)
//   regions:      centrumgemeente,member[,mandate]       (mandate yes|no, default yes)
// Every row is checked (BSN elfproef, a municipality code that exists, real dates, end not
// before begin); any bad row is reported with its line and nothing is imported. A good file
// replaces the whole data set in one transaction.
#pragma once

#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct ImportOptions {
  std::string kind;  // brp, institutions, episodes, regions
  std::filesystem::path file;
  std::filesystem::path journal;  // empty: the config's
};
// Exit codes: 0 imported, 1 bad rows (nothing imported), 2 unusable (no such file, journal error).
int runImport(const config::Config& config, const ImportOptions& options);

struct ReviewOptions {
  std::string action;  // list, done
  bool all = false;    // list: include done ones
  bool json = false;
  std::uint64_t message_id = 0;  // done
  std::string note;              // done
  std::filesystem::path journal;
};
int runReview(const config::Config& config, const ReviewOptions& options);

}  // namespace iwmo::cli
