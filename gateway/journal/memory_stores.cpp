#include "gateway/journal/memory_stores.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace iwmo::journal {

namespace {

bool endsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string learntOrigin(std::uint64_t message_id, bool under_review) {
  return "message #" + std::to_string(message_id) + (under_review ? " (under review)" : "");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// MemoryReferenceStore

void MemoryReferenceStore::setImportedEpisodes(const std::vector<EpisodeRow>& rows) {
  std::erase_if(data_.episodes, [](const Episode& e) { return e.origin == "import"; });
  for (const EpisodeRow& row : rows) {
    Episode& e = data_.episodes.emplace_back();
    e.id = data_.next_episode_id++;
    e.bsn = row.bsn;
    e.gemeente = row.episode.gemeente();
    e.begin = row.episode.begin();
    e.end = row.episode.end();
    e.origin = "import";
  }
}

void MemoryReferenceStore::setRegions(const std::vector<proto::RegionRecord>& regions) {
  data_.region_rows.clear();
  for (const auto& region : regions) {
    for (const auto& member : region.members()) {
      proto::RegionRecord& row = data_.region_rows.emplace_back();
      row.set_centrumgemeente(region.centrumgemeente());
      row.add_members(member);
      row.set_mandate(region.mandate());
    }
  }
}

Status MemoryReferenceStore::replaceBrp(const std::vector<BrpRow>& rows) {
  std::lock_guard lock(mutex_);
  data_.brp = rows;
  return Status::ok();
}

Status MemoryReferenceStore::replaceInstitutions(const std::vector<proto::InstitutionRecord>& rows) {
  std::lock_guard lock(mutex_);
  data_.institutions = rows;
  return Status::ok();
}

Status MemoryReferenceStore::replaceImportedEpisodes(const std::vector<EpisodeRow>& rows) {
  std::lock_guard lock(mutex_);
  setImportedEpisodes(rows);
  return Status::ok();
}

Status MemoryReferenceStore::replaceRegions(const std::vector<proto::RegionRecord>& regions) {
  std::lock_guard lock(mutex_);
  setRegions(regions);
  return Status::ok();
}

Status MemoryReferenceStore::replaceImported(const ImportedReferenceData& data) {
  std::lock_guard lock(mutex_);
  data_.brp = data.brp;
  data_.institutions = data.institutions;
  setImportedEpisodes(data.episodes);
  setRegions(data.regions);
  return Status::ok();
}

std::vector<proto::RegionRecord> MemoryReferenceStore::groupedRegions() const {
  // ORDER BY centrumgemeente, member, as the SQLite store reads them.
  std::vector<const proto::RegionRecord*> rows;
  for (const auto& row : data_.region_rows) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](const proto::RegionRecord* a, const proto::RegionRecord* b) {
    return std::tie(a->centrumgemeente(), a->members(0)) < std::tie(b->centrumgemeente(), b->members(0));
  });
  std::vector<proto::RegionRecord> out;
  for (const proto::RegionRecord* row : rows) {
    if (out.empty() || out.back().centrumgemeente() != row->centrumgemeente()) {
      proto::RegionRecord& region = out.emplace_back();
      region.set_centrumgemeente(row->centrumgemeente());
    }
    out.back().add_members(row->members(0));
    out.back().set_mandate(row->mandate());
  }
  return out;
}

Result<ImportedReferenceData> MemoryReferenceStore::imported() {
  std::lock_guard lock(mutex_);
  ImportedReferenceData data;
  data.brp = data_.brp;
  data.institutions = data_.institutions;
  for (const Episode& e : data_.episodes) {
    if (e.origin != "import") continue;
    EpisodeRow& row = data.episodes.emplace_back();
    row.bsn = e.bsn;
    row.episode.set_gemeente(e.gemeente);
    row.episode.set_begin(e.begin);
    row.episode.set_end(e.end);
    row.episode.set_origin("import");
  }
  data.regions = groupedRegions();
  return data;
}

Result<proto::ClientContext> MemoryReferenceStore::clientContext(const std::string& bsn) {
  std::lock_guard lock(mutex_);
  proto::ClientContext context;
  std::vector<const BrpRow*> brp;
  for (const BrpRow& row : data_.brp) {
    if (row.bsn == bsn) brp.push_back(&row);
  }
  std::stable_sort(brp.begin(), brp.end(),
                   [](const BrpRow* a, const BrpRow* b) { return a->period.begin() < b->period.begin(); });
  std::set<std::string> addresses;
  for (const BrpRow* row : brp) {
    *context.add_brp() = row->period;
    if (!row->period.address().empty()) addresses.insert(row->period.address());
  }
  for (const std::string& address : addresses) {
    for (const auto& institution : data_.institutions) {
      if (institution.address() == address) *context.add_institutions() = institution;
    }
  }
  std::vector<const Episode*> episodes;
  for (const Episode& e : data_.episodes) {
    if (e.bsn == bsn && !e.begin.empty()) episodes.push_back(&e);
  }
  std::sort(episodes.begin(), episodes.end(),
            [](const Episode* a, const Episode* b) { return std::tie(a->begin, a->id) < std::tie(b->begin, b->id); });
  for (const Episode* e : episodes) {
    proto::BwEpisodeRecord* episode = context.add_episodes();
    episode->set_gemeente(e->gemeente);
    episode->set_begin(e->begin);
    episode->set_end(e->end);
    episode->set_origin(e->origin);
  }
  for (auto& region : groupedRegions()) *context.add_regions() = std::move(region);
  context.set_looked_up(true);
  return context;
}

Result<std::vector<proto::RegionRecord>> MemoryReferenceStore::regions() {
  std::lock_guard lock(mutex_);
  return groupedRegions();
}

Result<ReferenceCounts> MemoryReferenceStore::counts() {
  std::lock_guard lock(mutex_);
  ReferenceCounts counts;
  counts.brp_periods = data_.brp.size();
  std::set<std::string> clients;
  for (const BrpRow& row : data_.brp) clients.insert(row.bsn);
  counts.brp_clients = clients.size();
  counts.institutions = data_.institutions.size();
  for (const Episode& e : data_.episodes) {
    (e.origin == "import" ? counts.episodes_imported : counts.episodes_from_traffic)++;
  }
  counts.region_members = data_.region_rows.size();
  return counts;
}

MemoryReferenceStore::Episode* MemoryReferenceStore::learnt(const proto::EpisodeUpdate& update) {
  for (Episode& e : data_.episodes) {
    if (e.origin != "import" && e.bsn == update.bsn() && e.gemeente == update.gemeente() &&
        e.toewijzing_nummer == update.toewijzing_nummer()) {
      return &e;
    }
  }
  return nullptr;
}

Status MemoryReferenceStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  for (const proto::EpisodeUpdate& update : result.episode_updates()) {
    const std::string origin = learntOrigin(context.message_id, update.under_review());
    Episode* existing = learnt(update);
    switch (update.kind()) {
      case proto::EpisodeUpdate::START:
        if (existing != nullptr) {
          existing->begin = update.begin();
          existing->origin = origin;
          existing->message_id = context.message_id;
        } else {
          data_.episodes.push_back({data_.next_episode_id++, update.bsn(), update.gemeente(), update.toewijzing_nummer(),
                                    update.begin(), "", origin, context.message_id});
        }
        break;
      case proto::EpisodeUpdate::START_WITHDRAWN:
        std::erase_if(data_.episodes, [&](const Episode& e) { return &e == existing; });
        break;
      case proto::EpisodeUpdate::STOP:
        if (existing != nullptr) {
          existing->end = update.end();
          if (existing->begin.empty()) existing->begin = update.begin();
          if (endsWith(origin, "(under review)")) existing->origin = origin;
        } else {
          data_.episodes.push_back({data_.next_episode_id++, update.bsn(), update.gemeente(), update.toewijzing_nummer(),
                                    update.begin(), update.end(), origin, context.message_id});
        }
        break;
      case proto::EpisodeUpdate::STOP_WITHDRAWN:
        if (existing != nullptr) existing->end.clear();
        break;
      default:
        return Status::invalid("memory journal: message #" + std::to_string(context.message_id) +
                               ": a BW episode update without a kind");
    }
  }
  return Status::ok();
}

void MemoryReferenceStore::trustEpisodesOf(std::uint64_t message_id) {
  for (Episode& e : data_.episodes) {
    if (e.message_id == message_id && endsWith(e.origin, "(under review)")) e.origin = learntOrigin(message_id, false);
  }
}

// ---------------------------------------------------------------------------------------------
// MemoryReviewStore

Result<std::vector<ReviewRecord>> MemoryReviewStore::reviews(bool include_done) {
  std::lock_guard lock(mutex_);
  std::vector<ReviewRecord> out;
  for (const auto& [id, review] : data_) {
    if (include_done || review.state == "open") out.push_back(review);
  }
  return out;
}

Result<bool> MemoryReviewStore::resolveReview(std::uint64_t message_id, const std::string& note, Timestamp at) {
  std::lock_guard lock(mutex_);
  const auto review = data_.find(message_id);
  if (review == data_.end() || review->second.state != "open") return false;
  review->second.state = "done";
  review->second.resolved_at = at;
  review->second.note = note;
  reference_.trustEpisodesOf(message_id);
  return true;
}

Result<std::uint64_t> MemoryReviewStore::openCount() {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(
      std::count_if(data_.begin(), data_.end(), [](const auto& entry) { return entry.second.state == "open"; }));
}

Status MemoryReviewStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  for (const proto::ReviewItem& item : result.reviews()) {
    if (data_.count(context.message_id) != 0) continue;  // INSERT OR IGNORE
    ReviewRecord& review = data_[context.message_id];
    review.message_id = context.message_id;
    review.at = context.at;
    review.message_type = context.message_type;
    review.addressed = item.addressed();
    review.responsible = item.responsible();
    review.rule = item.rule();
    for (const auto& flag : item.flags()) review.flags += (review.flags.empty() ? "" : ",") + flag;
    review.summary = item.summary();
    review.state = "open";
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// MemoryEbStore

Status MemoryEbStore::storeImportedStates(const std::map<std::string, proto::EbClientState>& states, Timestamp) {
  std::lock_guard lock(mutex_);
  for (const auto& [bsn, state] : states) {
    // As SqliteEbStore: the import replaces the state, the client's review day stays.
    proto::EbClientState& stored = data_.clients[bsn];
    std::string review_on = stored.review_on();
    stored = state;
    stored.set_review_on(std::move(review_on));
  }
  return Status::ok();
}

Result<std::map<std::string, proto::EbClientState>> MemoryEbStore::importedPeriods() {
  std::lock_guard lock(mutex_);
  std::map<std::string, proto::EbClientState> out;
  for (const auto& [bsn, state] : data_.clients) {
    if (auto imported = onlyImportedPeriods(state)) out.emplace(bsn, std::move(*imported));
  }
  return out;
}

Result<std::optional<std::uint64_t>> MemoryEbStore::firstStartNummer() {
  std::lock_guard lock(mutex_);
  return data_.first_start_nummer;
}

Status MemoryEbStore::setFirstStartNummer(std::uint64_t first) {
  std::lock_guard lock(mutex_);
  data_.first_start_nummer = first;
  return Status::ok();
}

Result<std::uint64_t> MemoryEbStore::highestStartNummerSent() {
  std::lock_guard lock(mutex_);
  std::uint64_t highest = 0;
  for (const auto& record : data_.records) highest = std::max<std::uint64_t>(highest, record.record.start_nummer());
  return highest;
}

Result<std::vector<std::string>> MemoryEbStore::clientsToReview(Date due, std::size_t limit) {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> due_clients;  // (review_on, bsn)
  const std::string day = due.toString();
  for (const auto& [bsn, state] : data_.clients) {
    if (!state.review_on().empty() && state.review_on() <= day) due_clients.emplace_back(state.review_on(), bsn);
  }
  std::sort(due_clients.begin(), due_clients.end());
  std::vector<std::string> out;
  for (const auto& [review_on, bsn] : due_clients) {
    if (out.size() == limit) break;
    out.push_back(bsn);
  }
  return out;
}

Result<proto::EbClientState> MemoryEbStore::clientState(const std::string& bsn) {
  std::lock_guard lock(mutex_);
  proto::EbClientState state;
  if (const auto found = data_.clients.find(bsn); found != data_.clients.end()) state = found->second;
  for (proto::EbPeriodState& period : *state.mutable_periods()) {
    if (!period.sent() || period.last_identificatie().empty()) continue;
    std::string answer = "pending";
    for (auto record = data_.records.rbegin(); record != data_.records.rend(); ++record) {
      if (record->bsn == bsn && record->afzender == period.afzender() &&
          record->identificatie == period.last_identificatie() && record->record.start_nummer() == period.start_nummer()) {
        answer = record->state;
        break;
      }
    }
    period.set_last_answer(answer);
  }
  state.set_looked_up(true);
  state.set_bsn(bsn);
  state.set_first_start_nummer(data_.first_start_nummer.value_or(0));
  return state;
}

Result<std::vector<proto::EbSentRecord>> MemoryEbStore::sentIn(const std::string& message_type,
                                                               const std::string& identificatie) {
  std::lock_guard lock(mutex_);
  std::vector<proto::EbSentRecord> out;
  for (const EbRecordRow& r : data_.records) {
    if (r.message_type != message_type || r.identificatie != identificatie) continue;
    proto::EbSentRecord& sent = out.emplace_back();
    sent.set_message_type(r.message_type);
    sent.set_identificatie(r.identificatie);
    sent.set_afzender(r.afzender);
    *sent.mutable_record() = r.record;
    sent.set_message_id(r.message_id);
    sent.set_state(r.state);
  }
  return out;
}

Result<std::vector<EbRecordRow>> MemoryEbStore::records(const std::string& state) {
  std::lock_guard lock(mutex_);
  std::vector<EbRecordRow> out;
  for (const EbRecordRow& r : data_.records) {
    if (state.empty() || r.state == state) out.push_back(r);
  }
  return out;
}

Result<std::vector<EbAttentionRow>> MemoryEbStore::attention(bool include_done) {
  std::lock_guard lock(mutex_);
  std::vector<EbAttentionRow> out;
  for (const EbAttentionRow& r : data_.attention) {
    if (include_done || r.state == "open") out.push_back(r);
  }
  return out;
}

Result<bool> MemoryEbStore::resolveAttention(std::uint64_t id, const std::string& note, Timestamp) {
  std::lock_guard lock(mutex_);
  for (EbAttentionRow& r : data_.attention) {
    if (r.id != id || r.state != "open") continue;
    r.state = "done";
    r.note = note;
    return true;
  }
  return false;
}

Result<EbCounts> MemoryEbStore::counts(Timestamp overdue_before) {
  std::lock_guard lock(mutex_);
  EbCounts counts;
  for (const EbRecordRow& r : data_.records) {
    ++counts.records[r.message_type][r.state];
    if (r.state == "pending" && r.sent_at.micros < overdue_before.micros) ++counts.overdue;
  }
  counts.attention_open = static_cast<std::uint64_t>(std::count_if(
      data_.attention.begin(), data_.attention.end(), [](const EbAttentionRow& r) { return r.state == "open"; }));
  counts.clients = data_.clients.size();
  return counts;
}

Status MemoryEbStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  if (result.has_eb_state() && result.eb_state().looked_up()) data_.clients[result.eb_state().bsn()] = result.eb_state();
  for (const proto::EbSentRecord& sent : result.eb_sent()) {
    const bool known = std::any_of(data_.records.begin(), data_.records.end(), [&](const EbRecordRow& r) {
      return r.message_type == sent.message_type() && r.afzender == sent.afzender() &&
             r.identificatie == sent.identificatie() && r.bsn == sent.record().bsn() &&
             r.record.start_nummer() == sent.record().start_nummer();
    });
    if (known) continue;  // INSERT OR IGNORE on the record's key
    EbRecordRow& r = data_.records.emplace_back();
    r.id = data_.records.size();
    r.message_id = context.message_id;
    r.message_type = sent.message_type();
    r.identificatie = sent.identificatie();
    r.afzender = sent.afzender();
    r.bsn = sent.record().bsn();
    r.record = sent.record();
    r.sent_at = context.at;
    r.state = "pending";
  }
  for (const proto::EbAnswer& answer : result.eb_answers()) {
    std::string codes;
    for (const auto& code : answer.retour_codes()) codes += (codes.empty() ? "" : ",") + code;
    for (EbRecordRow& r : data_.records) {
      if (r.message_type != answer.message_type() || r.identificatie != answer.identificatie() || r.bsn != answer.bsn() ||
          r.record.start_nummer() != answer.start_nummer()) {
        continue;
      }
      r.state = answer.accepted() ? "accepted" : "rejected";
      r.retour_codes = codes;
      r.explanation = answer.explanation();
      r.retour_message_id = context.message_id;
      r.answered_at = context.at;
    }
  }
  for (const proto::EbResolved& resolved : result.eb_resolved()) {
    for (EbAttentionRow& r : data_.attention) {
      if (r.state != "open" || r.bsn != resolved.bsn() || r.start_nummer == 0 ||
          r.start_nummer != resolved.start_nummer()) {
        continue;
      }
      r.state = "done";
      r.note = resolvedNote(resolved, context.message_id);
    }
  }
  for (const proto::EbAttention& item : result.eb_attention()) {
    // eb_attention.kind CHECK of the SQLite store (eb_schema.h): an unknown kind fails the commit.
    if (item.kind() != "held" && item.kind() != "manual" && item.kind() != "rejected" && item.kind() != "unmatched") {
      return Status::internal("memory journal: message #" + std::to_string(context.message_id) +
                              ": an eigen-bijdrage item of kind '" + item.kind() +
                              "' (held, manual, rejected or unmatched)");
    }
    EbAttentionRow& r = data_.attention.emplace_back();
    r.id = data_.attention.size();
    r.message_id = context.message_id;
    r.at = context.at;
    r.kind = item.kind();
    r.bsn = item.bsn();
    r.rule = item.rule();
    r.summary = item.summary();
    r.state = "open";
    r.start_nummer = item.start_nummer();
  }
  return Status::ok();
}

// ---------------------------------------------------------------------------------------------
// MemoryGgkStore

Result<std::optional<proto::GgkSentRecord>> MemoryGgkStore::sent(const std::string& referentienummer) {
  std::lock_guard lock(mutex_);
  const auto found = data_.sent.find(referentienummer);
  if (found == data_.sent.end()) return std::optional<proto::GgkSentRecord>();
  return std::optional<proto::GgkSentRecord>(found->second);
}

Result<std::vector<GgkErrorRow>> MemoryGgkStore::errors(bool include_done) {
  std::lock_guard lock(mutex_);
  std::vector<GgkErrorRow> out;
  for (const Fo01Row& fo01 : data_.errors) {
    if (!include_done && fo01.row.state != "open") continue;
    GgkErrorRow& row = out.emplace_back(fo01.row);
    if (const auto sent = data_.sent.find(fo01.concerns); !fo01.concerns.empty() && sent != data_.sent.end()) {
      row.error.set_matched(true);
      *row.error.mutable_concerns() = sent->second;
    }
  }
  return out;
}

Result<bool> MemoryGgkStore::resolveError(std::uint64_t id, const std::string& note, Timestamp at) {
  std::lock_guard lock(mutex_);
  for (Fo01Row& fo01 : data_.errors) {
    if (fo01.row.id != id || fo01.row.state != "open") continue;
    fo01.row.state = "done";
    fo01.row.resolved_at = at;
    fo01.row.note = note;
    return true;
  }
  return false;
}

Result<std::uint64_t> MemoryGgkStore::errorsOpen() {
  std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(std::count_if(data_.errors.begin(), data_.errors.end(),
                                                  [](const Fo01Row& fo01) { return fo01.row.state == "open"; }));
}

Status MemoryGgkStore::apply(const proto::HandlerResult& result, const CommitContext& context) {
  for (int i = 0; i < result.outgoing_size(); ++i) {
    const proto::Outgoing& out = result.outgoing(i);
    if (!out.has_ggk() || out.ggk().referentienummer().empty()) continue;
    proto::GgkSentRecord sent = out.ggk();
    // A referentienummer used twice must fail loudly, never hide (CC08).
    if (data_.sent.count(sent.referentienummer()) != 0) {
      return Status::internal("memory journal: referentienummer " + sent.referentienummer() + " was used before");
    }
    sent.set_message_id(context.message_id);
    sent.set_outbox_id(context.outbox_ids.at(static_cast<std::size_t>(i)));
    sent.set_created_at_micros(context.at.micros);
    sent.set_file_name(out.file_name());
    data_.sent[sent.referentienummer()] = std::move(sent);
  }
  for (const proto::GgkFo01Record& error : result.ggk_fo01()) {
    const bool known = std::any_of(data_.errors.begin(), data_.errors.end(),
                                   [&](const Fo01Row& fo01) { return fo01.row.message_id == context.message_id; });
    if (known) continue;  // one per message (INSERT OR IGNORE)
    Fo01Row& fo01 = data_.errors.emplace_back();
    fo01.row.id = data_.errors.size();
    fo01.row.message_id = context.message_id;
    fo01.row.at = context.at;
    fo01.row.error = error;
    fo01.row.error.set_matched(false);
    fo01.row.error.clear_concerns();
    fo01.row.state = "open";
    fo01.concerns = error.matched() ? error.concerns().referentienummer() : std::string();
  }
  return Status::ok();
}

}  // namespace iwmo::journal
