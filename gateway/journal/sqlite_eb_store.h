// SqliteEbStore: the EbStore (eb_store.h) of a SqliteJournal, on the tables of eb_schema.h
// (eb_clients, eb_records, eb_attention). Internal to gateway/journal: SqliteJournal builds it.
// Its StateEffects write a result's eb_state, eb_sent, eb_answers and eb_attention in the
// decision's transaction.
#pragma once

#include <atomic>

#include "gateway/journal/eb_store.h"
#include "gateway/journal/sqlite_read_connection.h"
#include "gateway/journal/sqlite_writer.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class SqliteEbStore final : public EbStore, public StateEffects {
 public:
  // `writer` and `reader` must outlive the store; REQUIRES: the writer not started yet.
  SqliteEbStore(SqliteWriter& writer, SqliteReadConnection& reader)
      : writer_(writer), reader_(reader), write_(writer.connection()) {}

  Result<proto::EbClientState> clientState(const std::string& bsn) override;
  Result<std::vector<proto::EbSentRecord>> sentIn(const std::string& message_type,
                                                  const std::string& identificatie) override;
  Result<std::vector<EbRecordRow>> records(const std::string& state) override;
  Result<std::vector<EbAttentionRow>> attention(bool include_done) override;
  Result<bool> resolveAttention(std::uint64_t id, const std::string& note, Timestamp at) override;
  Result<EbCounts> counts(Timestamp overdue_before) override;
  Status storeImportedStates(const std::map<std::string, proto::EbClientState>& states, Timestamp at) override;
  Result<std::map<std::string, proto::EbClientState>> importedPeriods() override;
  Result<std::optional<std::uint64_t>> firstStartNummer() override;
  Status setFirstStartNummer(std::uint64_t first) override;
  Result<std::uint64_t> highestStartNummerSent() override;
  Result<std::vector<std::string>> clientsToReview(Date due, std::size_t limit) override;

  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;

 private:
  SqliteWriter& writer_;
  SqliteReadConnection& reader_;
  sqlite::Statements write_;  // on the writer's connection, used in its jobs only
  std::atomic<std::uint64_t> first_start_nummer_{0};  // the journal's, once read or set; 0 = not yet
};

}  // namespace iwmo::journal
