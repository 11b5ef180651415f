// SqliteReferenceStore: the ReferenceStore (reference_store.h) of a SqliteJournal, on the tables
// of reference_schema.h (brp_periods, institutions, bw_episodes, regions). Internal to
// gateway/journal: SqliteJournal builds it. Its StateEffects write the BW episodes learnt from
// WMO305 / WMO307 (a result's EpisodeUpdates) in the decision's transaction.
#pragma once

#include <memory>

#include "gateway/journal/reference_store.h"
#include "gateway/journal/sqlite_read_connection.h"
#include "gateway/journal/sqlite_writer.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class SqliteReferenceStore final : public ReferenceStore, public StateEffects {
 public:
  // `writer` and `reader` must outlive the store; REQUIRES: the writer not started yet.
  SqliteReferenceStore(SqliteWriter& writer, SqliteReadConnection& reader)
      : writer_(writer), reader_(reader), write_(writer.connection()) {}

  Status replaceBrp(const std::vector<BrpRow>& rows) override;
  Status replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows) override;
  Status replaceImportedEpisodes(const std::vector<EpisodeRow>& rows) override;
  Status replaceRegions(const std::vector<proto::RegionRecord>& regions) override;
  Status replaceImported(const ImportedReferenceData& data) override;
  Result<ImportedReferenceData> imported() override;
  Result<proto::ClientContext> clientContext(const std::string& bsn) override;
  Result<std::vector<proto::RegionRecord>> regions() override;
  Result<ReferenceCounts> counts() override;

  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;

 private:
  // Writer-thread halves (REQUIRES: inside a writer job).
  Status writeInstitutions(const std::vector<proto::InstitutionRecord>& rows);
  Status writeImportedEpisodes(const std::vector<EpisodeRow>& rows);
  Status writeRegions(const std::vector<proto::RegionRecord>& regions);
  Status writeBrp(const std::vector<BrpRow>& rows);
  Status exec(std::string_view sql, std::string_view doing);
  Result<std::vector<proto::RegionRecord>> readRegions(ReadSession& session);

  SqliteWriter& writer_;
  SqliteReadConnection& reader_;
  sqlite::Statements write_;  // on the writer's connection, used in its jobs only
};

}  // namespace iwmo::journal
