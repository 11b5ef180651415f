// ReviewStore (gateway/journal/review_store.h) on both journals (SQLite and its in-memory twin),
// beyond the queue-and-close case of reference_store_test.cpp: reviews are listed by message id
// whatever the order of their commits, carry the decision's time and the journaled message's
// type, one per message; a failed commit queues none; closing is done once, with its time.
#include "gateway/journal/review_store.h"

#include <catch2/catch.hpp>

#include "support/journal_backends.h"

namespace {

using iwmo::Timestamp;
using iwmo::test::MemoryBackend;
using iwmo::test::SqliteBackend;

const Timestamp kT0 = Timestamp::fromSeconds(1796119200);  // 2026-12-01T10:00:00Z

iwmo::proto::ReviewItem reviewItem(const std::string& responsible, const std::string& rule) {
  iwmo::proto::ReviewItem item;
  item.set_addressed("0599");
  item.set_responsible(responsible);
  item.set_rule(rule);
  item.set_summary("the rules give " + responsible);
  return item;
}

template <typename Backend>
struct Fixture {
  Backend backend;
  iwmo::journal::Journal& journal = backend.journal();
  iwmo::journal::ReviewStore& reviews = journal.reviews();

  std::vector<iwmo::journal::ReviewRecord> list(bool include_done) {
    auto read = reviews.reviews(include_done);
    INFO(read.status().toString());
    REQUIRE(read);
    return *read;
  }
  std::uint64_t openCount() {
    auto read = reviews.openCount();
    REQUIRE(read);
    return *read;
  }
  bool resolve(std::uint64_t id, const std::string& note, Timestamp at) {
    auto done = reviews.resolveReview(id, note, at);
    INFO(done.status().toString());
    REQUIRE(done);
    return *done;
  }
  void commitReview(std::uint64_t id, const iwmo::proto::ReviewItem& item, Timestamp at) {
    iwmo::proto::HandlerResult result;
    result.set_message_id(id);
    *result.add_reviews() = item;
    iwmo::test::commitOk(journal, result, at);
  }
};

}  // namespace

TEMPLATE_TEST_CASE("review store: reviews are listed by message id whatever the order they were committed in",
                   "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t a = iwmo::test::journalMessage(f.journal, "WMO301", kT0, "backoffice");
  const std::uint64_t b = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  const std::uint64_t c = iwmo::test::journalMessage(f.journal, "WMO307", kT0);
  f.commitReview(c, reviewItem("0606", "B-institution"), kT0.plusMillis(1));
  f.commitReview(a, reviewItem("0363", "B-woonadres"), kT0.plusMillis(2));
  f.commitReview(b, reviewItem("0518", "B-vangnet"), kT0.plusMillis(3));

  const auto open = f.list(false);
  REQUIRE(open.size() == 3);
  CHECK(open[0].message_id == a);
  CHECK(open[1].message_id == b);
  CHECK(open[2].message_id == c);
  // Each carries its decision's time and the type of the message it concerns.
  CHECK(open[0].at == kT0.plusMillis(2));
  CHECK(open[0].message_type == "WMO301");
  CHECK(open[1].message_type == "WMO305");
  CHECK(open[2].message_type == "WMO307");
  CHECK(open[2].at == kT0.plusMillis(1));
  CHECK(open[0].addressed == "0599");
  CHECK(open[0].responsible == "0363");
  CHECK(open[0].rule == "B-woonadres");
  CHECK(open[0].summary == "the rules give 0363");
  CHECK(open[0].state == "open");
  CHECK_FALSE(open[0].resolved_at.has_value());
  CHECK(f.openCount() == 3);

  CHECK(f.resolve(b, "agreed", kT0.plusMillis(10)));
  const auto still_open = f.list(false);
  REQUIRE(still_open.size() == 2);
  CHECK(still_open[0].message_id == a);
  CHECK(still_open[1].message_id == c);
  CHECK(f.openCount() == 2);
  const auto all = f.list(true);
  REQUIRE(all.size() == 3);
  CHECK(all[1].message_id == b);
  CHECK(all[1].state == "done");
  CHECK(all[1].note == "agreed");
  REQUIRE(all[1].resolved_at.has_value());
  CHECK(*all[1].resolved_at == kT0.plusMillis(10));
}

TEMPLATE_TEST_CASE("review store: a result with two review items queues one review, the first, with its flags",
                   "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  auto* first = result.add_reviews();
  *first = reviewItem("0606", "B-institution");
  first->add_flags("REVIEW");
  first->add_flags("DISPUTE_POSSIBLE");
  *result.add_reviews() = reviewItem("0363", "B-woonadres");
  iwmo::test::commitOk(f.journal, result, kT0);
  const auto open = f.list(false);
  REQUIRE(open.size() == 1);
  CHECK(open[0].responsible == "0606");
  CHECK(open[0].flags == "REVIEW,DISPUTE_POSSIBLE");
  CHECK(f.openCount() == 1);
}

TEMPLATE_TEST_CASE("review store: a failed commit queues no review", "[journal][responsibility]", SqliteBackend,
                   MemoryBackend) {
  Fixture<TestType> f;
  // A document sent under a referentienummer ...
  const std::uint64_t earlier = iwmo::test::journalMessage(f.journal, "WMO301", kT0, "backoffice");
  iwmo::proto::HandlerResult sent;
  sent.set_message_id(earlier);
  auto* out = sent.add_outgoing();
  out->set_peer("ggk");
  out->set_file_name("earlier.xml");
  out->mutable_ggk()->set_referentienummer("5a3c1e52-2f0c-4a55-8f43-3b1d6c0e9a11");
  iwmo::test::commitOk(f.journal, sent, kT0);
  // ... and a result with a review whose envelope reuses it (CC08): the whole commit fails.
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  *result.add_reviews() = reviewItem("0606", "B-institution");
  *result.add_outgoing() = sent.outgoing(0);
  REQUIRE_FALSE(iwmo::test::commit(f.journal, result, kT0));
  CHECK(f.list(true).empty());
  CHECK(f.openCount() == 0);
  CHECK_FALSE(f.resolve(id, "nothing to close", kT0));
  CHECK(iwmo::test::pendingIds(f.journal) == std::vector<std::uint64_t>{id});
}

TEMPLATE_TEST_CASE("review store: closing a message that has no open review is false and changes nothing",
                   "[journal][responsibility]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t reviewed = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  const std::uint64_t plain = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  f.commitReview(reviewed, reviewItem("0606", "B-institution"), kT0);
  iwmo::proto::HandlerResult none;
  none.set_message_id(plain);
  iwmo::test::commitOk(f.journal, none, kT0);
  CHECK_FALSE(f.resolve(plain, "no review", kT0));
  CHECK_FALSE(f.resolve(reviewed + 100, "no message", kT0));
  CHECK(f.openCount() == 1);
  CHECK(f.resolve(reviewed, "done", kT0));
  CHECK_FALSE(f.resolve(reviewed, "twice", kT0.plusMillis(5)));
  const auto all = f.list(true);
  REQUIRE(all.size() == 1);
  CHECK(all[0].note == "done");
  CHECK(*all[0].resolved_at == kT0);
}
