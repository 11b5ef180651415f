// SqliteReferenceStore: the reference data the responsibility rules need (issue 5; DESIGN §4:
// BRP address history, the institution register, BW episodes, the region table) and the
// responsibility-review queue, in the journal database. One interface for the data sources; the
// embedded default is this store, filled by `iwmo-gateway import` from CSV (a BRP web service
// can later implement the same lookups).
//
// Imports replace a whole data set in one transaction (a full export replaces the previous one;
// nothing is ever half-imported). Imported BW episodes are replaced; those learnt from the
// traffic (WMO305/WMO307, written by SqliteJournal::commitResult) are kept.
//
// Thread-safety: every method may be called from any thread (one connection behind a mutex).
// REQUIRES: the journal file was opened once by SqliteJournal (which creates the tables).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/clock.h"
#include "gateway/base/result.h"
#include "gateway/journal/journal.h"
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

struct ReviewRecord {
  MessageId message_id = 0;
  Timestamp at;
  std::string message_type;
  std::string addressed;
  std::string responsible;
  std::string rule;
  std::string flags;  // comma-separated
  std::string summary;
  std::string state;  // "open" or "done"
  std::optional<Timestamp> resolved_at;
  std::string note;
};

// One iEb record the gateway sent, with the CAK's answer (`iwmo-gateway ieb pending|rejected`).
struct EbRecordRow {
  std::uint64_t id = 0;
  MessageId message_id = 0;  // whose decision sent it
  std::string message_type;  // WMO405 / WMO407
  std::string identificatie;
  std::string afzender;
  std::string bsn;
  proto::EbRecord record;
  Timestamp sent_at;
  std::string state;  // pending / accepted / rejected
  std::string retour_codes;
  std::string explanation;
  MessageId retour_message_id = 0;
  std::optional<Timestamp> answered_at;
};

// An eigen-bijdrage item waiting for an operator (held, manual, rejected, unmatched).
struct EbAttentionRow {
  std::uint64_t id = 0;
  MessageId message_id = 0;
  Timestamp at;
  std::string kind;
  std::string bsn;
  std::string rule;
  std::string summary;
  std::string state;  // open / done
  std::string note;
};

// iEb records per message type and state, for /metrics and the replay summary.
struct EbCounts {
  // message_type -> state ("pending", "accepted", "rejected") -> count
  std::map<std::string, std::map<std::string, std::uint64_t>> records;
  std::uint64_t attention_open = 0;
  std::uint64_t clients = 0;
  std::uint64_t overdue = 0;  // pending and sent before the `overdue_before` given to ebCounts()
};

// The heen message a retour answers, and the envelope it arrived in (issue 6).
struct HeenEnvelope {
  MessageId message_id = 0;
  proto::GgkEnvelopeInfo envelope;  // kind "" = it arrived bare
};

// A Fo01 from the chain (`iwmo-gateway ggk errors`), with the document it concerns.
struct GgkErrorRow {
  std::uint64_t id = 0;
  MessageId message_id = 0;  // the journaled Fo01
  Timestamp at;
  proto::GgkFo01Record error;  // concerns filled when matched
  std::string state;           // open / done
  std::optional<Timestamp> resolved_at;
  std::string note;
};

struct ReferenceCounts {
  std::uint64_t brp_periods = 0;
  std::uint64_t brp_clients = 0;
  std::uint64_t institutions = 0;
  std::uint64_t episodes_imported = 0;
  std::uint64_t episodes_from_traffic = 0;
  std::uint64_t region_members = 0;
  std::uint64_t reviews_open = 0;
};

class SqliteReferenceStore {
 public:
  // Errors: kNotFound (no journal file), kFailedPrecondition (a journal without the tables:
  // open it once with this version's SqliteJournal), kUnavailable, kDataLoss.
  static Result<std::unique_ptr<SqliteReferenceStore>> open(const std::filesystem::path& journal_file);
  ~SqliteReferenceStore();

  Status replaceBrp(const std::vector<BrpRow>& rows);
  Status replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows);
  Status replaceImportedEpisodes(const std::vector<EpisodeRow>& rows);
  Status replaceRegions(const std::vector<proto::RegionRecord>& regions);

  // The client's BRP periods (by begin), the institutions at their addresses, every BW episode
  // and the regions; context.looked_up is set.
  Result<proto::ClientContext> clientContext(const std::string& bsn);
  Result<std::vector<proto::RegionRecord>> regions();

  // Copies the imported data sets (BRP, institutions, imported episodes, regions) of another
  // journal into this one, replacing ours; a missing `other` copies nothing (replay: decide on
  // what the gateway has imported). One transaction.
  Status copyImportedFrom(const std::filesystem::path& other);

  Result<std::vector<ReviewRecord>> reviews(bool include_done);
  // Marks one review done with the operator's note; false when there is no open review for it.
  Result<bool> resolveReview(MessageId message_id, const std::string& note, Timestamp at);
  Result<ReferenceCounts> counts();

  // Eigen bijdrage (issue 4). The client's state with each period's last_answer filled in from
  // the CAK's answers (looked_up true; empty state for a client never seen).
  Result<proto::EbClientState> ebClientState(const std::string& bsn);
  // The records sent in the heen message `identificatie` of `message_type` (WMO405 / WMO407).
  Result<std::vector<proto::EbSentRecord>> ebSentIn(const std::string& message_type, const std::string& identificatie);
  // Sent records in `state` ("pending", "rejected"; "" = all), oldest first.
  Result<std::vector<EbRecordRow>> ebRecords(const std::string& state);
  Result<std::vector<EbAttentionRow>> ebAttention(bool include_done);
  // Closes an attention item. False when there is no open item with that id.
  Result<bool> resolveEbAttention(std::uint64_t id, const std::string& note, Timestamp at);
  Result<EbCounts> ebCounts(Timestamp overdue_before = {});

  // StUF-GGk (issue 6). The document the gateway sent under `referentienummer`, if any.
  Result<std::optional<proto::GgkSentRecord>> ggkSent(const std::string& referentienummer);
  // The first valid, non-duplicate message with this duplicate key ("<sender>|<type>|<Identificatie>",
  // as the journal computes it) and the envelope it arrived in.
  Result<std::optional<HeenEnvelope>> heenByKey(const std::string& duplicate_key);
  Result<std::vector<GgkErrorRow>> ggkErrors(bool include_done);
  // Closes one; false when there is no open error with that id.
  Result<bool> resolveGgkError(std::uint64_t id, const std::string& note, Timestamp at);
  Result<std::uint64_t> ggkErrorsOpen();

 private:
  struct Impl;
  explicit SqliteReferenceStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iwmo::journal
