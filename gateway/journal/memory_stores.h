// The in-memory twins of the state stores (reference_store.h, review_store.h, eb_store.h,
// ggk_store.h): the same contracts, the same answers as the SQLite stores, kept in standard
// containers, for unit tests of the stages and handlers that use them (STYLE.md §2.2, as
// leveldb's memenv). Internal to a MemoryJournal, which owns them and the one mutex they share.
//
// Each store's state is a copyable Data value: MemoryMessageQueue::commitResult saves every
// store's Data before it applies a result's effects and restores them when one fails, so a failed
// commit changes nothing (as the SQLite savepoint does).
// Thread-safety: every public method locks the journal's mutex; apply(), save() and restore()
// REQUIRE it held (they run inside the queue's commit).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/journal/eb_store.h"
#include "gateway/journal/ggk_store.h"
#include "gateway/journal/reference_store.h"
#include "gateway/journal/review_store.h"
#include "gateway/journal/state_effects.h"

namespace iwmo::journal {

class MemoryReferenceStore final : public ReferenceStore, public StateEffects {
 public:
  struct Episode {
    std::uint64_t id = 0;
    std::string bsn;
    std::string gemeente;
    std::optional<std::uint64_t> toewijzing_nummer;  // none for imported episodes
    std::string begin;
    std::string end;
    std::string origin;  // "import", or "message #N" (+ " (under review)")
    std::uint64_t message_id = 0;
  };
  struct Data {
    std::vector<BrpRow> brp;  // in import order (the SQLite rowid order)
    std::vector<proto::InstitutionRecord> institutions;
    std::vector<Episode> episodes;
    std::uint64_t next_episode_id = 1;
    std::vector<proto::RegionRecord> region_rows;  // one member each, in import order
  };

  explicit MemoryReferenceStore(std::mutex& mutex) : mutex_(mutex) {}

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
  // ReviewStore::resolveReview: the episode learnt from `message_id` is trusted from now on.
  void trustEpisodesOf(std::uint64_t message_id);
  Data save() const { return data_; }
  void restore(Data data) { data_ = std::move(data); }

 private:
  void setImportedEpisodes(const std::vector<EpisodeRow>& rows);
  void setRegions(const std::vector<proto::RegionRecord>& regions);
  std::vector<proto::RegionRecord> groupedRegions() const;
  Episode* learnt(const proto::EpisodeUpdate& update);

  std::mutex& mutex_;
  Data data_;
};

class MemoryReviewStore final : public ReviewStore, public StateEffects {
 public:
  using Data = std::map<std::uint64_t, ReviewRecord>;  // by message id

  MemoryReviewStore(std::mutex& mutex, MemoryReferenceStore& reference) : mutex_(mutex), reference_(reference) {}

  Result<std::vector<ReviewRecord>> reviews(bool include_done) override;
  Result<bool> resolveReview(std::uint64_t message_id, const std::string& note, Timestamp at) override;
  Result<std::uint64_t> openCount() override;

  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;
  Data save() const { return data_; }
  void restore(Data data) { data_ = std::move(data); }

 private:
  std::mutex& mutex_;
  MemoryReferenceStore& reference_;
  Data data_;
};

class MemoryEbStore final : public EbStore, public StateEffects {
 public:
  struct Data {
    std::map<std::string, proto::EbClientState> clients;  // by BSN
    std::vector<EbRecordRow> records;                     // by id
    std::vector<EbAttentionRow> attention;                // by id
    std::optional<std::uint64_t> first_start_nummer;
  };

  explicit MemoryEbStore(std::mutex& mutex) : mutex_(mutex) {}

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
  Data save() const { return data_; }
  void restore(Data data) { data_ = std::move(data); }

 private:
  std::mutex& mutex_;
  Data data_;
};

class MemoryGgkStore final : public GgkStore, public StateEffects {
 public:
  struct Fo01Row {
    GgkErrorRow row;       // error.concerns() left empty: filled in from `sent` when read
    std::string concerns;  // the referentienummer it matched, or ""
  };
  struct Data {
    std::map<std::string, proto::GgkSentRecord> sent;  // by referentienummer
    std::vector<Fo01Row> errors;                       // by id
  };

  explicit MemoryGgkStore(std::mutex& mutex) : mutex_(mutex) {}

  Result<std::optional<proto::GgkSentRecord>> sent(const std::string& referentienummer) override;
  Result<std::vector<GgkErrorRow>> errors(bool include_done) override;
  Result<bool> resolveError(std::uint64_t id, const std::string& note, Timestamp at) override;
  Result<std::uint64_t> errorsOpen() override;

  // REQUIRES: context.outbox_ids holds one id per result.outgoing().
  Status apply(const proto::HandlerResult& result, const CommitContext& context) override;
  Data save() const { return data_; }
  void restore(Data data) { data_ = std::move(data); }

 private:
  std::mutex& mutex_;
  Data data_;
};

}  // namespace iwmo::journal
