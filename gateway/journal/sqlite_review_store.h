// SqliteReviewStore: the ReviewStore (review_store.h) of a SqliteJournal, on the review_queue
// table of reference_schema.h. Internal to gateway/journal: SqliteJournal builds it. Its
// StateEffects queue a result's ReviewItems in the decision's transaction.
#pragma once

#include "gateway/journal/review_store.h"
#include "gateway/journal/sqlite_read_connection.h"
#include "gateway/journal/sqlite_writer.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class SqliteReviewStore final : public ReviewStore, public StateEffects {
 public:
  // `writer` and `reader` must outlive the store; REQUIRES: the writer not started yet.
  SqliteReviewStore(SqliteWriter& writer, SqliteReadConnection& reader)
      : writer_(writer), reader_(reader), write_(writer.connection()) {}

  Result<std::vector<ReviewRecord>> reviews(bool include_done) override;
  Result<bool> resolveReview(std::uint64_t message_id, const std::string& note, Timestamp at) override;
  Result<std::uint64_t> openCount() override;

  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;

 private:
  SqliteWriter& writer_;
  SqliteReadConnection& reader_;
  sqlite::Statements write_;  // on the writer's connection, used in its jobs only
};

}  // namespace iwmo::journal
