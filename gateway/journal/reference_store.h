// ReferenceStore: the reference data the responsibility rules need (issue 5; DESIGN §4): the BRP
// address history, the institution register, BW episodes and the region table. One contract for
// the data sources; the embedded default keeps them in the journal database, filled by
// `iwmo-gateway import` from CSV (a BRP web service can later implement the same lookups).
//
// Imports replace a whole data set at once (a full export replaces the previous one; nothing is
// ever half-imported). Imported BW episodes are replaced; those learnt from the traffic
// (WMO305/WMO307, the EpisodeUpdates of a handler result, applied by the Journal's
// commitResult) are kept.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace iwmo::journal {

struct BrpRow {
  std::string bsn;
  proto::BrpPeriodRecord period;
};

struct EpisodeRow {
  std::string bsn;
  proto::BwEpisodeRecord episode;
};

// Everything `iwmo-gateway import` brings in (a replay copies it from the gateway's journal).
struct ImportedReferenceData {
  std::vector<BrpRow> brp;
  std::vector<proto::InstitutionRecord> institutions;
  std::vector<EpisodeRow> episodes;  // origin "import"
  std::vector<proto::RegionRecord> regions;
};

struct ReferenceCounts {
  std::uint64_t brp_periods = 0;
  std::uint64_t brp_clients = 0;
  std::uint64_t institutions = 0;
  std::uint64_t episodes_imported = 0;
  std::uint64_t episodes_from_traffic = 0;
  std::uint64_t region_members = 0;
};

class ReferenceStore {
 public:
  virtual ~ReferenceStore() = default;

  // Each replaces its data set in one transaction. Errors: kUnavailable, kDataLoss.
  virtual Status replaceBrp(const std::vector<BrpRow>& rows) = 0;
  virtual Status replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows) = 0;
  virtual Status replaceImportedEpisodes(const std::vector<EpisodeRow>& rows) = 0;
  virtual Status replaceRegions(const std::vector<proto::RegionRecord>& regions) = 0;
  // All four at once, in one transaction (replay: decide on what the gateway has imported).
  virtual Status replaceImported(const ImportedReferenceData& data) = 0;
  virtual Result<ImportedReferenceData> imported() = 0;

  // The client's BRP periods (by begin), the institutions at their addresses, every BW episode
  // with a begin (imported and learnt, by begin) and the regions, as one snapshot;
  // context.looked_up is set.
  virtual Result<proto::ClientContext> clientContext(const std::string& bsn) = 0;
  // By centrumgemeente, members in order.
  virtual Result<std::vector<proto::RegionRecord>> regions() = 0;
  virtual Result<ReferenceCounts> counts() = 0;
};

}  // namespace iwmo::journal
