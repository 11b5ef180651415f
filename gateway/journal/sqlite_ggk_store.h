// SqliteGgkStore: the GgkStore (ggk_store.h) of a SqliteJournal, on the tables of ggk_schema.h
// (ggk_sent, ggk_errors). Internal to gateway/journal: SqliteJournal builds it. Its StateEffects
// record the envelopes a result sends (by referentienummer, with their outbox row) and the
// Fo01s it reads, in the decision's transaction.
#pragma once

#include "gateway/journal/ggk_store.h"
#include "gateway/journal/sqlite_read_connection.h"
#include "gateway/journal/sqlite_writer.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class SqliteGgkStore final : public GgkStore, public StateEffects {
 public:
  // `writer` and `reader` must outlive the store; REQUIRES: the writer not started yet.
  SqliteGgkStore(SqliteWriter& writer, SqliteReadConnection& reader)
      : writer_(writer), reader_(reader), write_(writer.connection()) {}

  Result<std::optional<proto::GgkSentRecord>> sent(const std::string& referentienummer) override;
  Result<std::vector<GgkErrorRow>> errors(bool include_done) override;
  Result<bool> resolveError(std::uint64_t id, const std::string& note, Timestamp at) override;
  Result<std::uint64_t> errorsOpen() override;

  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;

 private:
  SqliteWriter& writer_;
  SqliteReadConnection& reader_;
  sqlite::Statements write_;  // on the writer's connection, used in its jobs only
};

}  // namespace iwmo::journal
