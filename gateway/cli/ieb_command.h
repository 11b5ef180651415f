// `iwmo-gateway ieb pending|rejected|done` (issue 4): what the eigen-bijdrage forwarding is
// waiting for and what the CAK refused, for operators. BSNs appear only as their routing-log
// pseudonym (the keyed hash), so the listings can be pasted into tickets.
//   pending   records sent and not answered yet (OVERDUE after [eigen_bijdrage]
//             retour_timeout_hours), and open items held or waiting for manual handling
//   rejected  open items the CAK rejected (EB001 codes with their meaning) and unmatched retours
//   done ID --note TEXT   closes one item
//   numbers   the journal's first start number and the highest one sent, for the
//             first_start_nummer of a journal that replaces it (issue 14)
// `iwmo-gateway simulate-cak` (simulate_cak_command.h) plays the CAK on the outbox.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "gateway/config/config.h"
#include "gateway/journal/eb_store.h"

namespace iwmo::cli {

struct IebOptions {
  std::string action;  // "pending", "rejected", "done", "numbers"
  bool json = false;
  bool all = false;    // include closed items
  std::filesystem::path journal;  // default: the config's
  std::uint64_t item_id = 0;
  std::string note;
};

// Exit codes: 0 listed / closed; 1 no such open item; 2 the journal cannot be read.
int runIeb(const config::Config& config, const IebOptions& options);

}  // namespace iwmo::cli
