// ReferenceStore and ReviewStore, and the state the journal commits for them (issue 5), on both
// journals (SQLite and its in-memory twin): imported data sets replace each other whole; BW
// episodes learnt from the traffic follow StatusAanlevering (a withdrawn start removes the
// episode, a withdrawn stop reopens it); reviews are queued with the decision and closed once.
#include "gateway/journal/reference_store.h"

#include <catch2/catch.hpp>

#include "gateway/base/sha256.h"
#include "gateway/journal/memory_journal.h"
#include "gateway/journal/sqlite_journal.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using iwmo::Timestamp;
using iwmo::journal::SqliteJournal;

const Timestamp kT0 = Timestamp::fromSeconds(1796119200);

std::unique_ptr<SqliteJournal> openSqlite(const fs::path& file) {
  auto journal = SqliteJournal::open(file, {});
  REQUIRE(journal);
  return std::move(*journal);
}

struct SqliteBackend {
  iwmo::test::TempDir dir;
  std::unique_ptr<SqliteJournal> opened = openSqlite(dir.path() / "journal.sqlite");
  iwmo::journal::Journal& journal() { return *opened; }
};
struct MemoryBackend {
  iwmo::journal::MemoryJournal memory;
  iwmo::journal::Journal& journal() { return memory; }
};

template <typename Backend>
struct Fixture {
  Backend backend;
  iwmo::journal::MessageQueue* journal = &backend.journal().queue();
  iwmo::journal::ReferenceStore* store = &backend.journal().reference();
  iwmo::journal::ReviewStore* reviews = &backend.journal().reviews();

  std::uint64_t append(const std::string& payload) {
    iwmo::journal::AppendRequest request;
    request.envelope.set_source("inbox/" + payload);
    request.envelope.set_payload(payload);
    request.envelope.set_payload_sha256(iwmo::sha256Hex(payload));
    request.envelope.mutable_verdict()->set_valid(true);
    request.envelope.mutable_summary()->set_message_type("WMO305");
    request.peer = "ggk";
    request.received_at = kT0;
    auto outcome = journal->appendSync(std::move(request));
    REQUIRE(outcome);
    return outcome->id;
  }

  // Commits a handler result carrying one episode update for client 999948714, provider 0599.
  std::uint64_t episode(iwmo::proto::EpisodeUpdate::Kind kind, const std::string& begin, const std::string& end,
                        bool under_review = false) {
    const std::uint64_t id = append("<m" + std::to_string(++messages) + "/>");
    iwmo::proto::HandlerResult result;
    result.set_message_id(id);
    result.set_disposition("routed");
    auto* update = result.add_episode_updates();
    update->set_bsn("999948714");
    update->set_gemeente("0599");
    update->set_toewijzing_nummer(2600401);
    update->set_begin(begin);
    update->set_end(end);
    update->set_kind(kind);
    update->set_under_review(under_review);
    if (under_review) {
      auto* review = result.add_reviews();
      review->set_addressed("0599");
      review->set_responsible("0606");
      review->set_rule("B-institution");
      review->set_summary("in doubt");
    }
    auto committed = journal->commitResultSync(std::move(result), {}, kT0);
    INFO(committed.status().toString());
    REQUIRE(committed);
    REQUIRE(*committed);
    return id;
  }

  iwmo::proto::ClientContext context() {
    auto found = store->clientContext("999948714");
    INFO(found.status().toString());
    REQUIRE(found);
    return *found;
  }
  int messages = 0;
};

}  // namespace

TEMPLATE_TEST_CASE("reference store: BW episodes from the traffic follow StatusAanlevering", "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  using Kind = iwmo::proto::EpisodeUpdate;
  f.episode(Kind::START, "2026-05-01", "");
  auto context = f.context();
  REQUIRE(context.episodes_size() == 1);
  CHECK(context.episodes(0).begin() == "2026-05-01");
  CHECK(context.episodes(0).end().empty());
  CHECK(context.episodes(0).origin().rfind("message #", 0) == 0);

  f.episode(Kind::START_WITHDRAWN, "2026-05-01", "");  // the start did not happen
  CHECK(f.context().episodes_size() == 0);
  f.episode(Kind::START, "2026-05-15", "");  // the corrected start
  REQUIRE(f.context().episodes_size() == 1);
  CHECK(f.context().episodes(0).begin() == "2026-05-15");

  f.episode(Kind::STOP, "2026-05-15", "2026-11-30");
  CHECK(f.context().episodes(0).end() == "2026-11-30");
  f.episode(Kind::STOP_WITHDRAWN, "2026-05-15", "2026-11-30");  // still running after all
  CHECK(f.context().episodes(0).end().empty());
  CHECK(f.context().episodes(0).begin() == "2026-05-15");
}

TEMPLATE_TEST_CASE("reference store: a stop before its start (out of order) makes the whole episode", "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  using Kind = iwmo::proto::EpisodeUpdate;
  f.episode(Kind::STOP, "2026-02-01", "2026-06-30");
  f.episode(Kind::START, "2026-02-01", "");
  const auto context = f.context();
  REQUIRE(context.episodes_size() == 1);
  CHECK(context.episodes(0).begin() == "2026-02-01");
  CHECK(context.episodes(0).end() == "2026-06-30");
}

TEMPLATE_TEST_CASE("reference store: an import replaces its data set whole and keeps traffic episodes", "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  f.episode(iwmo::proto::EpisodeUpdate::START, "2026-05-01", "");
  std::vector<iwmo::journal::BrpRow> brp(2);
  brp[0].bsn = "999948714";
  brp[0].period.set_gemeente("0606");
  brp[0].period.set_begin("2012-04-01");
  brp[0].period.set_end("2026-03-01");
  brp[0].period.set_kind("woonadres");
  brp[0].period.set_address("A1");
  brp[1] = brp[0];
  brp[1].period.set_gemeente("0599");
  brp[1].period.set_begin("2026-03-01");
  brp[1].period.set_end("");
  brp[1].period.set_address("CLINIC");
  REQUIRE(f.store->replaceBrp(brp).isOk());
  iwmo::proto::InstitutionRecord clinic;
  clinic.set_address("CLINIC");
  clinic.set_type("ggz-clinic");
  clinic.set_from("1990-01-01");
  iwmo::proto::InstitutionRecord elsewhere = clinic;
  elsewhere.set_address("OTHER");
  REQUIRE(f.store->replaceInstitutions({clinic, elsewhere}).isOk());
  std::vector<iwmo::journal::EpisodeRow> episodes(1);
  episodes[0].bsn = "999948714";
  episodes[0].episode.set_gemeente("0150");
  episodes[0].episode.set_begin("2020-01-01");
  episodes[0].episode.set_end("2021-12-31");
  REQUIRE(f.store->replaceImportedEpisodes(episodes).isOk());
  iwmo::proto::RegionRecord region;
  region.set_centrumgemeente("0599");
  region.add_members("0599");
  region.add_members("0606");
  region.set_mandate(true);
  REQUIRE(f.store->replaceRegions({region}).isOk());

  auto context = f.context();
  CHECK(context.looked_up());
  REQUIRE(context.brp_size() == 2);
  CHECK(context.brp(0).gemeente() == "0606");  // by begin
  REQUIRE(context.institutions_size() == 1);   // only the client's addresses
  CHECK(context.institutions(0).address() == "CLINIC");
  CHECK(context.episodes_size() == 2);          // imported + traffic
  REQUIRE(context.regions_size() == 1);
  CHECK(context.regions(0).members_size() == 2);

  // A new BRP export replaces the old one entirely; a new episode import keeps traffic episodes.
  brp.resize(1);
  brp[0].period.set_end("");
  REQUIRE(f.store->replaceBrp(brp).isOk());
  REQUIRE(f.store->replaceImportedEpisodes({}).isOk());
  context = f.context();
  CHECK(context.brp_size() == 1);
  REQUIRE(context.episodes_size() == 1);
  CHECK(context.episodes(0).gemeente() == "0599");
  const auto counts = f.store->counts();
  REQUIRE(counts);
  CHECK(counts->brp_clients == 1);
  CHECK(counts->episodes_from_traffic == 1);
  CHECK(counts->episodes_imported == 0);
  // Another client has nothing.
  auto other = f.store->clientContext("999900018");
  REQUIRE(other);
  CHECK(other->brp_size() == 0);
}

TEMPLATE_TEST_CASE("reference store: reviews are queued with the decision, listed, and closed once", "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = f.append("<bw/>");
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  result.set_disposition("routed");
  auto* review = result.add_reviews();
  review->set_addressed("0599");
  review->set_responsible("0606");
  review->set_rule("B-institution");
  review->add_flags("DISPUTE_POSSIBLE");
  review->set_summary("the rules give 0606");
  REQUIRE(f.journal->commitResultSync(result, {}, kT0).value());
  // A redelivered result commits nothing twice.
  CHECK_FALSE(f.journal->commitResultSync(result, {}, kT0).value());
  auto open = f.reviews->reviews(false);
  REQUIRE(open);
  REQUIRE(open->size() == 1);
  CHECK((*open)[0].message_id == id);
  CHECK((*open)[0].message_type == "WMO305");
  CHECK((*open)[0].responsible == "0606");
  CHECK((*open)[0].flags == "DISPUTE_POSSIBLE");
  CHECK(f.reviews->resolveReview(id, "agreed with Schiedam", kT0).value());
  CHECK_FALSE(f.reviews->resolveReview(id, "again", kT0).value());
  CHECK(f.reviews->reviews(false)->empty());
  const auto all = f.reviews->reviews(true);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].state == "done");
  CHECK((*all)[0].note == "agreed with Schiedam");
}

TEMPLATE_TEST_CASE("reference store: an episode learnt from a message under review stays in doubt until the review is closed",
          "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = f.episode(iwmo::proto::EpisodeUpdate::START, "2026-05-01", "", true);
  REQUIRE(f.context().episodes_size() == 1);
  CHECK(f.context().episodes(0).origin() == "message #" + std::to_string(id) + " (under review)");
  REQUIRE(f.reviews->resolveReview(id, "Rotterdam is right", kT0).value());
  CHECK(f.context().episodes(0).origin() == "message #" + std::to_string(id));
}
