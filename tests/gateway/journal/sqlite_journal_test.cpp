#include "gateway/journal/sqlite_journal.h"

#include "gateway/journal/memory_journal.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gateway/base/sha256.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using iwmo::Result;
using iwmo::Status;
using iwmo::StatusCode;
using iwmo::Timestamp;
using iwmo::journal::AppendKind;
using iwmo::journal::AppendOutcome;
using iwmo::journal::AppendRequest;
using iwmo::journal::DeliveryRecord;
using iwmo::journal::MessageQueue;
using iwmo::journal::MessageId;
using iwmo::journal::OutboxState;
using iwmo::journal::SqliteJournal;

const Timestamp kT0 = Timestamp::fromSeconds(1796119200);  // 2026-12-01T10:00:00Z

std::unique_ptr<SqliteJournal> openJournal(const fs::path& file,
                                           SqliteJournal::Options options = {}) {
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(file, options);
  INFO(journal.status().toString());
  REQUIRE(journal);
  return std::move(*journal);
}

// The two journals every contract test runs on: the SQLite one and its in-memory twin.
struct SqliteBackend {
  iwmo::test::TempDir dir;
  std::unique_ptr<SqliteJournal> journal = openJournal(dir.path() / "journal.db");
  MessageQueue& queue() { return journal->queue(); }
};
struct MemoryBackend {
  iwmo::journal::MemoryJournal journal;
  MessageQueue& queue() { return journal.queue(); }
};

struct Msg {
  std::string payload;
  std::string source = "inbox/a.xml";
  std::string peer = "ggk";
  std::string key{};  // duplicate key
  bool valid = true;
  std::string identificatie{};
  Timestamp at = kT0;
};

AppendRequest makeRequest(const Msg& m) {
  AppendRequest request;
  request.envelope.set_source(m.source);
  request.envelope.set_payload(m.payload);
  request.envelope.set_payload_sha256(iwmo::sha256Hex(m.payload));
  request.envelope.set_payload_size(m.payload.size());
  request.envelope.set_standard("iwmo");
  request.envelope.mutable_verdict()->set_valid(m.valid);
  request.envelope.mutable_summary()->set_message_type("WMO301");
  request.envelope.mutable_summary()->mutable_header()->set_identificatie(m.identificatie);
  request.peer = m.peer;
  request.received_at = m.at;
  request.duplicate_key = m.key;
  return request;
}

AppendOutcome appendOk(MessageQueue& journal, const Msg& m) {
  Result<AppendOutcome> outcome = journal.appendSync(makeRequest(m));
  INFO(outcome.status().toString());
  REQUIRE(outcome);
  return *outcome;
}

std::future<Result<AppendOutcome>> appendAsync(MessageQueue& journal, AppendRequest request) {
  auto promise = std::make_shared<std::promise<Result<AppendOutcome>>>();
  std::future<Result<AppendOutcome>> future = promise->get_future();
  journal.append(std::move(request), [promise](Result<AppendOutcome> outcome) {
    promise->set_value(std::move(outcome));
  });
  return future;
}

std::future<Result<bool>> commitAsync(MessageQueue& journal, iwmo::proto::HandlerResult result,
                                      std::vector<std::string> lines, Timestamp at) {
  auto promise = std::make_shared<std::promise<Result<bool>>>();
  std::future<Result<bool>> future = promise->get_future();
  journal.commitResult(std::move(result), std::move(lines), at, [promise](Result<bool> committed) {
    promise->set_value(std::move(committed));
  });
  return future;
}

iwmo::proto::HandlerResult handlerResult(MessageId id, int decisions, int outgoing) {
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  result.set_disposition("routed");
  result.set_worker("worker-1");
  for (int i = 0; i < decisions; ++i) {
    iwmo::proto::Decision* d = result.add_decisions();
    d->set_handler("routing");
    d->set_outcome("routed");
    d->add_rule_ids("R" + std::to_string(i));
    d->set_summary("decision " + std::to_string(i));
  }
  for (int i = 0; i < outgoing; ++i) {
    iwmo::proto::Outgoing* o = result.add_outgoing();
    o->set_peer("backoffice");
    o->set_file_name(std::to_string(id) + "-" + std::to_string(i) + "-WMO301.xml");
    o->set_payload("<out" + std::to_string(i) + "/>");
    o->set_message_type("WMO301");
    o->set_receiver("12345678");
  }
  return result;
}

bool commitOk(MessageQueue& journal, iwmo::proto::HandlerResult result, std::vector<std::string> lines,
              Timestamp at) {
  Result<bool> committed = journal.commitResultSync(std::move(result), std::move(lines), at);
  INFO(committed.status().toString());
  REQUIRE(committed);
  return *committed;
}

iwmo::journal::JournalCounts countsOf(MessageQueue& journal) {
  Result<iwmo::journal::JournalCounts> counts = journal.counts();
  REQUIRE(counts);
  return *counts;
}

std::vector<iwmo::journal::LogEntry> logOf(MessageQueue& journal, std::uint64_t after = 0,
                                           std::size_t limit = 1000) {
  Result<std::vector<iwmo::journal::LogEntry>> entries = journal.logAfter(after, limit);
  REQUIRE(entries);
  return *entries;
}

iwmo::journal::MessageStory storyOf(MessageQueue& journal, MessageId id) {
  Result<iwmo::journal::MessageStory> story = journal.story(id);
  INFO(story.status().toString());
  REQUIRE(story);
  return *story;
}

std::vector<iwmo::journal::OutboxItem> dueOf(MessageQueue& journal, Timestamp now,
                                             std::size_t limit = 100) {
  Result<std::vector<iwmo::journal::OutboxItem>> due = journal.dueOutbox(now, limit);
  REQUIRE(due);
  return *due;
}

std::optional<MessageId> find(MessageQueue& journal, std::string_view key) {
  Result<std::optional<MessageId>> found = journal.findMessage(key);
  REQUIRE(found);
  return *found;
}

// Holds the writer thread inside a request (its log_lines callback) so that everything queued
// meanwhile is taken as one batch once released. Releases itself on destruction, so a failed
// test cannot leave the journal's destructor waiting; declare it after the journal.
class WriterBlocker {
 public:
  std::future<Result<AppendOutcome>> block(MessageQueue& journal) {
    AppendRequest request = makeRequest({.payload = "<blocker/>", .source = "blocker"});
    // The callback owns what it touches, so it may outlive this object.
    request.log_lines = [entered = entered_, released = released_](const AppendOutcome&) {
      entered->set_value();
      released.wait();
      return std::vector<std::string>{};
    };
    std::future<Result<AppendOutcome>> done = appendAsync(journal, std::move(request));
    entered_future_.wait();
    return done;
  }
  void release() {
    if (!released_flag_) {
      released_flag_ = true;
      release_.set_value();
    }
  }
  ~WriterBlocker() { release(); }

 private:
  std::shared_ptr<std::promise<void>> entered_ = std::make_shared<std::promise<void>>();
  std::future<void> entered_future_ = entered_->get_future();
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
  bool released_flag_ = false;
};

}  // namespace

TEST_CASE("append assigns ascending ids that survive closing and reopening the journal",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "var" / "journal" / "journal.db";  // parents are created
  {
    auto journal = openJournal(file);
    for (MessageId expected = 1; expected <= 3; ++expected) {
      AppendRequest request = makeRequest({.payload = "<m" + std::to_string(expected) + "/>",
                                           .source = "inbox/" + std::to_string(expected) + ".xml"});
      request.log_lines = [](const AppendOutcome& o) {
        return std::vector<std::string>{
            "{\"event\":\"received\",\"message_id\":" + std::to_string(o.id) + "}"};
      };
      Result<AppendOutcome> outcome = journal->queue().appendSync(std::move(request));
      REQUIRE(outcome);
      CHECK(outcome->id == expected);
      CHECK(outcome->kind == AppendKind::kNew);
    }
    CHECK(commitOk(journal->queue(), handlerResult(1, 1, 1), {"{\"event\":\"routed\"}"}, kT0));
  }
  auto journal = openJournal(file);
  Result<std::vector<iwmo::journal::PendingMessage>> pending = journal->queue().pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);  // #1 was handled before the reopen
  CHECK((*pending)[0].id == 2);
  CHECK((*pending)[0].envelope.payload() == "<m2/>");
  CHECK((*pending)[0].envelope.source() == "inbox/2.xml");
  CHECK((*pending)[0].envelope.summary().message_type() == "WMO301");
  CHECK((*pending)[0].peer == "ggk");
  CHECK((*pending)[0].received_at == kT0);
  CHECK((*pending)[1].id == 3);
  CHECK(storyOf(journal->queue(), 1).message.state == "handled");
  CHECK(logOf(journal->queue()).size() == 4);
  CHECK(appendOk(journal->queue(), {.payload = "<m4/>", .source = "inbox/4.xml"}).id == 4);
  const auto counts = countsOf(journal->queue());
  CHECK(counts.messages == 4);
  CHECK(counts.pending == 3);
  CHECK(counts.handled == 1);
  CHECK(counts.outbox_pending == 1);
  CHECK(counts.last_log_seq == 4);
}

TEMPLATE_TEST_CASE("pending lists only unhandled messages after the given id, at most limit", "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  for (int i = 1; i <= 5; ++i) {
    appendOk(journal, {.payload = "<p" + std::to_string(i) + "/>", .source = std::to_string(i)});
  }
  CHECK(commitOk(journal, handlerResult(3, 0, 0), {}, kT0));
  Result<std::vector<iwmo::journal::PendingMessage>> after1 = journal.pending(1, 2);
  REQUIRE(after1);
  REQUIRE(after1->size() == 2);
  CHECK((*after1)[0].id == 2);
  CHECK((*after1)[1].id == 4);
  Result<std::vector<iwmo::journal::PendingMessage>> after4 = journal.pending(4, 100);
  REQUIRE(after4);
  REQUIRE(after4->size() == 1);
  CHECK((*after4)[0].id == 5);
}

TEMPLATE_TEST_CASE("the same bytes from the same source are already journaled and write no row",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const AppendOutcome first = appendOk(journal, {.payload = "<same/>", .source = "inbox/x.xml"});

  AppendRequest again = makeRequest({.payload = "<same/>", .source = "inbox/x.xml"});
  AppendKind seen_kind = AppendKind::kNew;
  again.log_lines = [&seen_kind](const AppendOutcome& o) {
    seen_kind = o.kind;  // runs on the writer thread before done; appendSync orders the read
    return std::vector<std::string>{"{\"event\":\"already_journaled\"}"};
  };
  Result<AppendOutcome> outcome = journal.appendSync(std::move(again));
  REQUIRE(outcome);
  CHECK(outcome->kind == AppendKind::kAlreadyJournaled);
  CHECK(outcome->id == first.id);
  CHECK(outcome->original == first.id);
  CHECK(seen_kind == AppendKind::kAlreadyJournaled);
  CHECK(countsOf(journal).messages == 1);
  const auto log = logOf(journal);
  REQUIRE(log.size() == 1);
  CHECK(log[0].line == "{\"event\":\"already_journaled\"}");
}

TEMPLATE_TEST_CASE("the same bytes from another source become a duplicate of the original", "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const std::string payload = "<content/>";
  const AppendOutcome first =
      appendOk(journal, {.payload = payload, .source = "ggk/in/a.xml", .peer = "ggk"});
  const AppendOutcome second = appendOk(journal, {.payload = payload,
                                                   .source = "backoffice/b.xml",
                                                   .peer = "backoffice",
                                                   .at = kT0.plusMillis(5000)});
  CHECK(second.kind == AppendKind::kDuplicate);
  CHECK(second.id == 2);
  CHECK(second.original == first.id);
  CHECK(second.duplicate_reason ==
        "same content (SHA-256 " + iwmo::sha256Hex(payload).substr(0, 8) +
            "\u2026) as message #1 received 2026-12-01T10:00:00Z from ggk");
  Result<std::vector<iwmo::journal::PendingMessage>> pending = journal.pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);  // a duplicate is kept and goes to the handlers
  CHECK((*pending)[1].duplicate_of == 1);
  CHECK((*pending)[1].duplicate_reason == second.duplicate_reason);
  CHECK(countsOf(journal).duplicates == 1);
}

TEMPLATE_TEST_CASE("TR056: a second message with the duplicate key of a valid one is a duplicate",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const std::string key = "12345678|WMO301|ID-1";
  const AppendOutcome first = appendOk(journal, {.payload = "<a/>", .source = "a", .key = key});
  CHECK(first.kind == AppendKind::kNew);
  const AppendOutcome second = appendOk(journal, {.payload = "<b/>", .source = "b", .key = key});
  CHECK(second.kind == AppendKind::kDuplicate);
  CHECK(second.original == first.id);
  CHECK(second.duplicate_reason ==
        "same sender, message type and Identificatie as message #1 (TR056)");
  // A third one still points at the original, not at the duplicate.
  const AppendOutcome third = appendOk(journal, {.payload = "<c/>", .source = "c", .key = key});
  CHECK(third.kind == AppendKind::kDuplicate);
  CHECK(third.original == first.id);
  // Other keys and empty keys do not match.
  CHECK(
      appendOk(journal, {.payload = "<d/>", .source = "d", .key = "12345678|WMO301|ID-2"}).kind ==
      AppendKind::kNew);
  CHECK(appendOk(journal, {.payload = "<e/>", .source = "e"}).kind == AppendKind::kNew);
  CHECK(appendOk(journal, {.payload = "<f/>", .source = "f"}).kind == AppendKind::kNew);
  CHECK(storyOf(journal, first.id).duplicates == std::vector<MessageId>{2, 3});
}

TEMPLATE_TEST_CASE("TR056: a duplicate key only matches earlier valid messages that are no duplicates",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const std::string key = "12345678|WMO301|ID-9";
  // An invalid message does not take the key: a corrected resend is new.
  const AppendOutcome invalid =
      appendOk(journal, {.payload = "<bad/>", .source = "a", .key = key, .valid = false});
  CHECK(invalid.kind == AppendKind::kNew);
  const AppendOutcome corrected =
      appendOk(journal, {.payload = "<good/>", .source = "b", .key = key});
  CHECK(corrected.kind == AppendKind::kNew);
  CHECK(appendOk(journal, {.payload = "<again/>", .source = "c", .key = key}).original ==
        corrected.id);

  // A content duplicate carrying a key is not an original for that key.
  const std::string other_key = "87654321|WMO305|X";
  const AppendOutcome original =
      appendOk(journal, {.payload = "<o/>", .source = "d", .key = other_key});
  const AppendOutcome copy =
      appendOk(journal, {.payload = "<o/>", .source = "e", .key = other_key});
  CHECK(copy.kind == AppendKind::kDuplicate);
  CHECK(copy.original == original.id);
  const AppendOutcome later =
      appendOk(journal, {.payload = "<p/>", .source = "f", .key = other_key});
  CHECK(later.kind == AppendKind::kDuplicate);
  CHECK(later.original == original.id);
}

TEMPLATE_TEST_CASE(
    "log lines get gap-free seqs from 1, also past a failed request, and logAfter returns "
    "them",
    "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  AppendRequest first = makeRequest({.payload = "<1/>", .source = "1"});
  first.log_lines = [](const AppendOutcome&) {
    return std::vector<std::string>{"{\"n\":1}", "{\"n\":2}"};
  };
  REQUIRE(journal.appendSync(std::move(first)));

  AppendRequest broken = makeRequest({.payload = "<2/>", .source = "2"});
  broken.log_lines = [](const AppendOutcome&) {
    return std::vector<std::string>{"{\"n\":\"x\"}", "{\"two\":\n\"lines\"}"};
  };
  Result<AppendOutcome> failed = journal.appendSync(std::move(broken));
  REQUIRE_FALSE(failed);
  CHECK(failed.status().code() == StatusCode::kInvalid);
  CHECK(countsOf(journal).messages == 1);  // the failed request wrote nothing at all

  AppendRequest third = makeRequest({.payload = "<3/>", .source = "3"});
  third.log_lines = [](const AppendOutcome& o) {
    return std::vector<std::string>{"{\"n\":3,\"id\":" + std::to_string(o.id) + "}"};
  };
  Result<AppendOutcome> ok = journal.appendSync(std::move(third));
  REQUIRE(ok);
  CHECK(ok->id == 2);  // the failed request gave its id back
  CHECK(commitOk(journal, handlerResult(1, 0, 0), {"{\"n\":4}"}, kT0));

  const auto log = logOf(journal);
  REQUIRE(log.size() == 4);
  for (std::size_t i = 0; i < log.size(); ++i) CHECK(log[i].seq == i + 1);
  CHECK(log[0].line == "{\"n\":1}");
  CHECK(log[1].line == "{\"n\":2}");
  CHECK(log[2].line == "{\"n\":3,\"id\":2}");
  CHECK(log[3].line == "{\"n\":4}");
  const auto tail = logOf(journal, 2, 1);
  REQUIRE(tail.size() == 1);
  CHECK(tail[0].seq == 3);
  CHECK(logOf(journal, 4).empty());
  CHECK(countsOf(journal).last_log_seq == 4);
}

TEMPLATE_TEST_CASE("commitResult writes decisions, outbox items and log lines at once, and only once",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const MessageId id = appendOk(journal, {.payload = "<m/>", .source = "m"}).id;
  const Timestamp at = kT0.plusMillis(1500);
  CHECK(commitOk(journal, handlerResult(id, 2, 2), {"{\"event\":\"routed\"}"}, at));

  auto story = storyOf(journal, id);
  CHECK(story.message.state == "handled");
  CHECK(story.message.disposition == "routed");
  CHECK(story.message.handled_at == at);
  REQUIRE(story.decisions.size() == 2);
  CHECK(story.decisions[0].decision.summary() == "decision 0");
  CHECK(story.decisions[1].decision.rule_ids(0) == "R1");
  CHECK(story.decisions[0].worker == "worker-1");
  CHECK(story.decisions[0].at == at);
  REQUIRE(story.outgoing.size() == 2);
  const auto& item = story.outgoing[0].first;
  CHECK(item.file_name == "1-0-WMO301.xml");
  CHECK(story.outgoing[1].first.file_name == "1-1-WMO301.xml");
  CHECK(item.payload == "<out0/>");
  CHECK(item.peer == "backoffice");
  CHECK(item.receiver == "12345678");
  CHECK(item.message_type == "WMO301");
  CHECK(item.state == OutboxState::kPending);
  CHECK(item.attempts == 0);
  CHECK(item.created_at == at);
  CHECK(item.next_attempt_at == at);
  CHECK_FALSE(item.delivered_at.has_value());
  CHECK(story.outgoing[0].second.empty());

  // A redelivered work item's second result: false, and nothing more is written.
  CHECK_FALSE(commitOk(journal, handlerResult(id, 1, 1), {"{\"event\":\"again\"}"}, at));
  story = storyOf(journal, id);
  CHECK(story.decisions.size() == 2);
  CHECK(story.outgoing.size() == 2);
  const auto counts = countsOf(journal);
  CHECK(counts.last_log_seq == 1);
  CHECK(counts.outbox_pending == 2);
  CHECK(counts.handled == 1);
  CHECK(counts.pending == 0);

  Result<bool> unknown = journal.commitResultSync(handlerResult(99, 1, 1), {}, at);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.status().code() == StatusCode::kNotFound);
}

TEST_CASE("a failing request in a group-commit batch rolls back only itself", "[journal]") {
  iwmo::test::TempDir dir;
  auto journal = openJournal(dir.path() / "journal.db");
  WriterBlocker blocker;
  std::future<Result<AppendOutcome>> blocked = blocker.block(journal->queue());

  // Queued while the writer is held: executed together in the next transaction.
  auto a = appendAsync(journal->queue(), makeRequest({.payload = "<a/>", .source = "a"}));
  auto unknown = commitAsync(journal->queue(), handlerResult(999, 1, 1), {"{\"x\":1}"}, kT0);
  AppendRequest bad_request = makeRequest({.payload = "<bad/>", .source = "bad"});
  bad_request.log_lines = [](const AppendOutcome&) { return std::vector<std::string>{""}; };
  auto bad = appendAsync(journal->queue(), std::move(bad_request));
  auto c = appendAsync(journal->queue(), makeRequest({.payload = "<c/>", .source = "c"}));
  auto handled = commitAsync(journal->queue(), handlerResult(1, 1, 1), {"{\"y\":1}"}, kT0);
  blocker.release();

  Result<AppendOutcome> blocked_outcome = blocked.get();
  REQUIRE(blocked_outcome);
  CHECK(blocked_outcome->id == 1);
  Result<AppendOutcome> a_outcome = a.get();
  REQUIRE(a_outcome);
  CHECK(a_outcome->id == 2);
  Result<bool> unknown_outcome = unknown.get();
  REQUIRE_FALSE(unknown_outcome);
  CHECK(unknown_outcome.status().code() == StatusCode::kNotFound);
  Result<AppendOutcome> bad_outcome = bad.get();
  REQUIRE_FALSE(bad_outcome);
  CHECK(bad_outcome.status().code() == StatusCode::kInvalid);
  Result<AppendOutcome> c_outcome = c.get();
  REQUIRE(c_outcome);
  CHECK(c_outcome->id == 3);
  Result<bool> handled_outcome = handled.get();
  REQUIRE(handled_outcome);
  CHECK(*handled_outcome);

  const SqliteJournal::Stats stats = journal->stats();
  CHECK(stats.transactions == 2);  // the blocker's, then the five queued ones together
  CHECK(stats.requests == 6);
  const auto counts = countsOf(journal->queue());
  CHECK(counts.messages == 3);
  CHECK(counts.handled == 1);
  CHECK(counts.outbox_pending == 1);
  const auto log = logOf(journal->queue());
  REQUIRE(log.size() == 1);
  CHECK(log[0].line == "{\"y\":1}");
}

TEST_CASE("group commit puts everything queued into one transaction of at most max_batch",
          "[journal]") {
  iwmo::test::TempDir dir;
  const std::size_t max_batch = GENERATE(std::size_t{512}, std::size_t{10});
  auto journal = openJournal(dir.path() / "journal.db", {.max_batch = max_batch});
  WriterBlocker blocker;
  std::future<Result<AppendOutcome>> blocked = blocker.block(journal->queue());
  std::vector<std::future<Result<AppendOutcome>>> queued;
  for (int i = 0; i < 25; ++i) {
    queued.push_back(appendAsync(
        journal->queue(), makeRequest({.payload = "<q" + std::to_string(i) + "/>", .source = "q"})));
  }
  blocker.release();
  REQUIRE(blocked.get());
  for (std::size_t i = 0; i < queued.size(); ++i) {
    Result<AppendOutcome> outcome = queued[i].get();
    REQUIRE(outcome);
    CHECK(outcome->id == i + 2);
  }
  const SqliteJournal::Stats stats = journal->stats();
  CHECK(stats.requests == 26);
  // Appends queued while a transaction of appends runs join it, up to max_batch: ceil(26 / max_batch).
  CHECK(stats.transactions == (max_batch == 512 ? 1u : 3u));
}

// Issue 13: an acknowledgement does not wait for the commits, outbox items and log lines queued
// before it (sqlite_writer.h, two lanes).
TEST_CASE("appends queued behind commits are journaled before the commits' callbacks run", "[journal]") {
  iwmo::test::TempDir dir;
  auto journal = openJournal(dir.path() / "journal.db");
  std::vector<MessageId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(appendOk(journal->queue(), {.payload = "<c" + std::to_string(i) + "/>"}).id);

  // Hold the writer in a job of the other lane (a read after writes), then queue behind it.
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  journal->readAfterWrites(
      [&entered, released] {
        entered.set_value();
        released.wait();
      },
      nullptr);
  entered.get_future().wait();
  std::mutex mutex;
  std::vector<std::string> order;
  std::vector<std::future<Result<bool>>> commits;
  std::vector<std::future<Result<AppendOutcome>>> appends;
  for (int i = 0; i < 5; ++i) {
    auto promise = std::make_shared<std::promise<Result<bool>>>();
    commits.push_back(promise->get_future());
    journal->queue().commitResult(handlerResult(ids[static_cast<std::size_t>(i)], 1, 1), {}, kT0,
                                  [promise, &mutex, &order](Result<bool> committed) {
                                    {
                                      std::lock_guard lock(mutex);
                                      order.push_back("commit");
                                    }
                                    promise->set_value(std::move(committed));
                                  });
  }
  for (int i = 0; i < 5; ++i) {
    auto promise = std::make_shared<std::promise<Result<AppendOutcome>>>();
    appends.push_back(promise->get_future());
    journal->queue().append(makeRequest({.payload = "<a" + std::to_string(i) + "/>"}),
                            [promise, &mutex, &order](Result<AppendOutcome> outcome) {
                              {
                                std::lock_guard lock(mutex);
                                order.push_back("append");
                              }
                              promise->set_value(std::move(outcome));
                            });
  }
  release.set_value();
  for (auto& commit : commits) {
    Result<bool> committed = commit.get();
    CHECK((committed && *committed));
  }
  for (auto& append : appends) CHECK(append.get().hasValue());
  std::lock_guard lock(mutex);
  REQUIRE(order.size() == 10);
  CHECK(std::count(order.begin(), order.begin() + 5, "append") == 5);
  CHECK(countsOf(journal->queue()).messages == 10);
}

TEST_CASE(
    "group commit: 2000 concurrent appends from 4 threads get distinct ids, ascending per "
    "thread",
    "[journal]") {
  iwmo::test::TempDir dir;
  auto journal = openJournal(dir.path() / "journal.db");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::vector<std::vector<MessageId>> ids(kThreads, std::vector<MessageId>(kPerThread, 0));
  std::atomic<int> failures{0};
  std::atomic<int> remaining{kThreads * kPerThread};
  auto all_done = std::make_shared<std::promise<void>>();
  std::future<void> all_done_future = all_done->get_future();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string name = std::to_string(t) + "-" + std::to_string(i);
        journal->queue().append(
            makeRequest({.payload = "<m>" + name + "</m>", .source = name}),
            [&ids, &failures, &remaining, all_done, t, i](Result<AppendOutcome> outcome) {
              if (outcome) {
                ids[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)] = outcome->id;
              } else {
                ++failures;
              }
              if (--remaining == 0) all_done->set_value();
            });
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  all_done_future.wait();

  CHECK(failures.load() == 0);
  std::set<MessageId> distinct;
  for (const auto& per_thread : ids) {
    CHECK(std::is_sorted(per_thread.begin(), per_thread.end()));
    CHECK(std::adjacent_find(per_thread.begin(), per_thread.end()) == per_thread.end());
    distinct.insert(per_thread.begin(), per_thread.end());
  }
  CHECK(distinct.size() == 2000);
  CHECK(*distinct.begin() == 1);
  CHECK(*distinct.rbegin() == 2000);
  CHECK(countsOf(journal->queue()).messages == 2000);
  CHECK(journal->stats().requests == 2000);
}

// Issue 13: the WAL is copied into the database by a thread of its own, not inside the writer's
// commits (where it held up every append queued behind it).
TEST_CASE("the checkpoint thread keeps the WAL small without the writer checkpointing", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  constexpr int kMessages = 1000;
  const std::string filler(8192, 'x');  // two pages each, so the WAL grows 8 MB without checkpoints
  {
    auto journal = openJournal(file, {.checkpoint_pages = 64, .backstop_pages = 1 << 30});
    for (int i = 0; i < kMessages; ++i) {
      appendOk(journal->queue(), {.payload = "<m>" + std::to_string(i) + filler + "</m>", .source = "s"});
    }
    const SqliteJournal::Stats stats = journal->stats();
    CHECK(stats.background_checkpoints >= 1);
    CHECK(stats.tail_checkpoints >= 1);
    CHECK(stats.backstop_checkpoints == 0);
    const auto wal_bytes = fs::file_size(file.string() + "-wal");
    INFO("WAL bytes: " << wal_bytes);
    CHECK(wal_bytes < 4u * 1024 * 1024);  // written: over 8 MB
  }
  auto journal = openJournal(file);
  CHECK(countsOf(journal->queue()).messages == kMessages);
}

TEST_CASE("at backstop_pages the writer checkpoints itself and every row stays", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  const std::string filler(8192, 'y');
  {
    auto journal = openJournal(file, {.checkpoint_pages = 16, .backstop_pages = 16});
    for (int i = 0; i < 100; ++i) {
      appendOk(journal->queue(), {.payload = "<m>" + std::to_string(i) + filler + "</m>", .source = "s"});
    }
    CHECK(journal->stats().backstop_checkpoints >= 1);
  }
  auto journal = openJournal(file);
  CHECK(countsOf(journal->queue()).messages == 100);
}

TEST_CASE("the destructor executes every queued request before it returns", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  std::atomic<int> done{0};
  {
    auto journal = openJournal(file);
    for (int i = 0; i < 200; ++i) {
      journal->queue().append(makeRequest({.payload = "<d" + std::to_string(i) + "/>", .source = "d"}),
                      [&done](Result<AppendOutcome> outcome) {
                        if (outcome) ++done;
                      });
    }
  }
  CHECK(done.load() == 200);
  auto journal = openJournal(file);
  CHECK(countsOf(journal->queue()).messages == 200);
}

TEMPLATE_TEST_CASE("dueOutbox returns pending items whose next attempt is due, in id order", "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const MessageId m1 = appendOk(journal, {.payload = "<1/>", .source = "1"}).id;
  const MessageId m2 = appendOk(journal, {.payload = "<2/>", .source = "2"}).id;
  const Timestamp t1 = kT0.plusMillis(1000);
  const Timestamp t2 = kT0.plusMillis(2000);
  const Timestamp t3 = kT0.plusMillis(3000);
  REQUIRE(commitOk(journal, handlerResult(m1, 0, 2), {}, t1));
  REQUIRE(commitOk(journal, handlerResult(m2, 0, 1), {}, t2));

  CHECK(dueOf(journal, kT0).empty());
  auto due = dueOf(journal, t1);
  REQUIRE(due.size() == 2);
  CHECK(due[0].id == 1);
  CHECK(due[1].id == 2);
  CHECK(due[0].message_id == m1);
  CHECK(dueOf(journal, t2).size() == 3);
  CHECK(dueOf(journal, t2, 1).size() == 1);

  REQUIRE(journal.recordDelivery({.outbox_id = 1,
                                .at = t2,
                                .ok = false,
                                .detail = "ggk outbox not writable",
                                .next_attempt_at = t3})
              .isOk());
  due = dueOf(journal, t2);
  REQUIRE(due.size() == 2);
  CHECK(due[0].id == 2);
  CHECK(due[1].id == 3);
  CHECK(dueOf(journal, t3).size() == 3);
  // Replay: first attempts are due whatever their time; the retry of item 1 still waits for t3.
  auto first = journal.dueOutbox(kT0, 10, true);
  REQUIRE(first);
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].id == 2);
  CHECK((*first)[1].id == 3);
}

TEMPLATE_TEST_CASE("oldestUndelivered is the oldest pending outbox item, waiting for a retry or not, without its payload",
                   "[journal]", SqliteBackend, MemoryBackend) {
  TestType backend;
  MessageQueue& journal = backend.queue();
  auto none = journal.oldestUndelivered();
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  const MessageId m1 = appendOk(journal, {.payload = "<1/>", .source = "1"}).id;
  const MessageId m2 = appendOk(journal, {.payload = "<2/>", .source = "2"}).id;
  REQUIRE(commitOk(journal, handlerResult(m1, 0, 1), {}, kT0.plusMillis(1000)));
  REQUIRE(commitOk(journal, handlerResult(m2, 0, 1), {}, kT0.plusMillis(2000)));
  // The first item fails and waits for its retry: it is still the oldest undelivered one.
  REQUIRE(journal.recordDelivery({.outbox_id = 1, .at = kT0.plusMillis(3000), .ok = false,
                                  .detail = "ggk outbox not writable", .next_attempt_at = kT0.plusMillis(9000)})
              .isOk());
  auto oldest = journal.oldestUndelivered();
  REQUIRE(oldest);
  REQUIRE(oldest->has_value());
  CHECK((*oldest)->id == 1);
  CHECK((*oldest)->message_id == m1);
  CHECK((*oldest)->created_at == kT0.plusMillis(1000));
  CHECK((*oldest)->attempts == 1);
  CHECK((*oldest)->last_error == "ggk outbox not writable");
  CHECK((*oldest)->payload.empty());

  REQUIRE(journal.recordDelivery({.outbox_id = 1, .at = kT0.plusMillis(9000), .ok = true, .detail = "ggk/a.xml"}).isOk());
  oldest = journal.oldestUndelivered();
  REQUIRE(oldest);
  REQUIRE(oldest->has_value());
  CHECK((*oldest)->id == 2);
  REQUIRE(journal.recordDelivery({.outbox_id = 2, .at = kT0.plusMillis(9000), .ok = true, .detail = "ggk/b.xml"}).isOk());
  oldest = journal.oldestUndelivered();
  REQUIRE(oldest);
  CHECK_FALSE(oldest->has_value());
}

TEMPLATE_TEST_CASE(
    "recordDelivery records success, retry and giving up, a repeat after success changes "
    "nothing",
    "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const MessageId id = appendOk(journal, {.payload = "<m/>", .source = "m"}).id;
  REQUIRE(commitOk(journal, handlerResult(id, 0, 2), {}, kT0));
  const Timestamp t1 = kT0.plusMillis(1000);
  const Timestamp t2 = kT0.plusMillis(2000);
  const Timestamp t3 = kT0.plusMillis(3000);

  // Item 1: a failed attempt with a retry, then success.
  REQUIRE(journal.recordDelivery({.outbox_id = 1,
                                .at = t1,
                                .ok = false,
                                .detail = "disk full",
                                .next_attempt_at = t2,
                                .log_lines = {"{\"event\":\"delivery_failed\"}"}})
              .isOk());
  auto story = storyOf(journal, id);
  CHECK(story.outgoing[0].first.state == OutboxState::kPending);
  CHECK(story.outgoing[0].first.attempts == 1);
  CHECK(story.outgoing[0].first.next_attempt_at == t2);
  CHECK(story.outgoing[0].first.last_error == "disk full");
  REQUIRE(journal.recordDelivery({.outbox_id = 1,
                                .at = t2,
                                .ok = true,
                                .detail = "var/backoffice/1-0-WMO301.xml",
                                .log_lines = {"{\"event\":\"delivered\"}"}})
              .isOk());
  story = storyOf(journal, id);
  CHECK(story.outgoing[0].first.state == OutboxState::kDelivered);
  CHECK(story.outgoing[0].first.attempts == 2);
  CHECK(story.outgoing[0].first.delivered_at == t2);
  REQUIRE(story.outgoing[0].second.size() == 2);
  CHECK_FALSE(story.outgoing[0].second[0].ok);
  CHECK(story.outgoing[0].second[0].detail == "disk full");
  CHECK(story.outgoing[0].second[0].at == t1);
  CHECK(story.outgoing[0].second[1].ok);
  CHECK(story.outgoing[0].second[1].detail == "var/backoffice/1-0-WMO301.xml");

  // Idempotent: a repeat after success records nothing.
  REQUIRE(journal.recordDelivery({.outbox_id = 1,
                                .at = t3,
                                .ok = true,
                                .detail = "again",
                                .log_lines = {"{\"event\":\"delivered\"}"}})
              .isOk());
  story = storyOf(journal, id);
  CHECK(story.outgoing[0].second.size() == 2);
  CHECK(story.outgoing[0].first.delivered_at == t2);
  CHECK(countsOf(journal).last_log_seq == 2);

  // Item 2: giving up.
  REQUIRE(
      journal.recordDelivery({.outbox_id = 2, .at = t1, .ok = false, .detail = "receiver unknown"})
          .isOk());
  story = storyOf(journal, id);
  CHECK(story.outgoing[1].first.state == OutboxState::kFailed);
  CHECK(story.outgoing[1].first.last_error == "receiver unknown");
  CHECK(dueOf(journal, t3).empty());
  const auto counts = countsOf(journal);
  CHECK(counts.outbox_delivered == 1);
  CHECK(counts.outbox_failed == 1);
  CHECK(counts.outbox_pending == 0);

  const Status unknown = journal.recordDelivery({.outbox_id = 42, .at = t1, .ok = true});
  CHECK(unknown.code() == StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("story returns the message, its decisions, outbox items with attempts, and duplicates",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const std::string payload = "<story/>";
  const MessageId id =
      appendOk(
          journal,
          {.payload = payload, .source = "ggk/in/s.xml", .key = "k|WMO301|S", .identificatie = "S"})
          .id;
  const MessageId copy = appendOk(journal, {.payload = payload, .source = "other"}).id;
  REQUIRE(commitOk(journal, handlerResult(id, 1, 1), {}, kT0.plusMillis(10)));
  REQUIRE(journal.recordDelivery(
                  {.outbox_id = 1, .at = kT0.plusMillis(20), .ok = true, .detail = "delivered"})
              .isOk());

  const auto story = storyOf(journal, id);
  const auto& m = story.message;
  CHECK(m.id == id);
  CHECK(m.received_at == kT0);
  CHECK(m.peer == "ggk");
  CHECK(m.source == "ggk/in/s.xml");
  CHECK(m.sha256 == iwmo::sha256Hex(payload));
  CHECK(m.size == payload.size());
  CHECK(m.message_type == "WMO301");
  CHECK(m.duplicate_key == "k|WMO301|S");
  CHECK(m.state == "handled");
  CHECK(m.duplicate_of == 0);
  CHECK(m.envelope.payload() == payload);
  CHECK(m.envelope.verdict().valid());
  CHECK(m.envelope.summary().header().identificatie() == "S");
  CHECK(m.envelope.standard() == "iwmo");
  REQUIRE(story.decisions.size() == 1);
  CHECK(story.decisions[0].decision.handler() == "routing");
  REQUIRE(story.outgoing.size() == 1);
  CHECK(story.outgoing[0].first.state == OutboxState::kDelivered);
  REQUIRE(story.outgoing[0].second.size() == 1);
  CHECK(story.outgoing[0].second[0].detail == "delivered");
  CHECK(story.duplicates == std::vector<MessageId>{copy});

  const auto copy_story = storyOf(journal, copy);
  CHECK(copy_story.message.duplicate_of == id);
  CHECK(copy_story.message.state == "pending");
  CHECK_FALSE(copy_story.message.handled_at.has_value());
  CHECK(copy_story.decisions.empty());

  Result<iwmo::journal::MessageStory> missing = journal.story(77);
  REQUIRE_FALSE(missing);
  CHECK(missing.status().code() == StatusCode::kNotFound);
}

TEMPLATE_TEST_CASE("findMessage finds a message by id, by Identificatie and by SHA-256 prefix",
          "[journal]", SqliteBackend, MemoryBackend)  {
  TestType backend;
  MessageQueue& journal = backend.queue();
  const MessageId first =
      appendOk(journal, {.payload = "<f1/>", .source = "1", .identificatie = "ID-7"}).id;
  const MessageId second =
      appendOk(journal, {.payload = "<f2/>", .source = "2", .identificatie = "ID-7"}).id;
  const MessageId numeric =
      appendOk(journal, {.payload = "<f3/>", .source = "3", .identificatie = "20260001"}).id;

  CHECK(find(journal, "1") == first);
  CHECK(find(journal, "3") == numeric);
  CHECK(find(journal, "ID-7") == second);       // the latest with it
  CHECK(find(journal, "20260001") == numeric);  // all digits, but no such id
  const std::string sha = iwmo::sha256Hex("<f1/>");
  CHECK(find(journal, sha.substr(0, 8)) == first);
  CHECK(find(journal, sha) == first);
  std::string upper = sha.substr(0, 12);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  CHECK(find(journal, upper) == first);
  CHECK_FALSE(find(journal, sha.substr(0, 7)).has_value());  // too short for a prefix
  CHECK_FALSE(find(journal, "99").has_value());
  CHECK_FALSE(find(journal, "no-such").has_value());
  CHECK_FALSE(find(journal, "").has_value());
}

TEST_CASE("a non-durable journal (benchmarks only) journals the same way", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file, {.durable = false});
    CHECK(appendOk(journal->queue(), {.payload = "<n/>", .source = "n"}).id == 1);
  }
  auto journal = openJournal(file);
  CHECK(countsOf(journal->queue()).messages == 1);
}

TEST_CASE("a database file full of garbage gives kDataLoss naming the file", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  std::string garbage;
  while (garbage.size() < 16384) garbage += "this is certainly not an SQLite database; ";
  iwmo::test::writeFile(file, garbage);
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(file, {});
  REQUIRE_FALSE(journal);
  CHECK(journal.status().code() == StatusCode::kDataLoss);
  CHECK_THAT(journal.status().message(), Catch::Contains(file.string()));
}

TEST_CASE("a journal damaged after it was written gives kDataLoss naming the file", "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file);
    appendOk(journal->queue(), {.payload = "<x/>", .source = "x"});
  }
  std::string bytes = iwmo::test::readFile(file);
  REQUIRE(bytes.size() > 100);
  std::fill(bytes.begin(), bytes.begin() + 100, '\x5a');  // the header, magic string included
  iwmo::test::writeFile(file, bytes);
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(file, {});
  REQUIRE_FALSE(journal);
  CHECK(journal.status().code() == StatusCode::kDataLoss);
  CHECK_THAT(journal.status().message(), Catch::Contains(file.string()));
}

TEST_CASE("a journal with a newer schema version is refused with kFailedPrecondition",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  openJournal(file).reset();
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    const std::string newer = std::to_string(SqliteJournal::kSchemaVersion + 1);
    REQUIRE(sqlite3_exec(db.get(), ("UPDATE meta SET value = '" + newer + "' WHERE key = 'schema_version'").c_str(),
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(file, {});
  REQUIRE_FALSE(journal);
  CHECK(journal.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(journal.status().message(), Catch::Contains(file.string()));
  CHECK_THAT(journal.status().message(),
             Catch::Contains("schema version " + std::to_string(SqliteJournal::kSchemaVersion + 1)));
}

TEST_CASE("a version-1 journal is upgraded in place: reference-data and review tables added, messages kept",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  openJournal(file).reset();
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    REQUIRE(sqlite3_exec(db.get(),
                         "DROP TABLE review_queue; DROP TABLE bw_episodes; DROP TABLE brp_periods; "
                         "DROP TABLE institutions; DROP TABLE regions; "
                         "UPDATE meta SET value = '1' WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  Result<std::unique_ptr<SqliteJournal>> journal = SqliteJournal::open(file, {});
  REQUIRE(journal);
  journal->reset();
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  CHECK(sqlite3_exec(db.get(), "SELECT COUNT(*) FROM review_queue, bw_episodes, brp_periods, institutions, regions",
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db.get(), "SELECT value FROM meta WHERE key = 'schema_version'", -1, &stmt, nullptr) ==
          SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) ==
        std::to_string(SqliteJournal::kSchemaVersion));
  sqlite3_finalize(stmt);
}

TEST_CASE("a version-5 journal is upgraded: operator items name their period, and the items that only "
          "waited for a date are closed with the reason",
          "[journal][ieb]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file);
    appendOk(journal->queue(), {.payload = "<1/>", .source = "1"});
  }
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    // Back to the version-5 shape, with the items such a journal holds.
    REQUIRE(sqlite3_exec(db.get(),
                         "DROP INDEX eb_attention_period; ALTER TABLE eb_attention DROP COLUMN start_nummer; "
                         "INSERT INTO eb_attention (message_id, at, kind, bsn, rule, summary) VALUES "
                         "(1, 1, 'held', '999948714', 'EB-WINDOW-FUTURE', 'stop 2027-12-31 is more than a month ahead'), "
                         "(1, 1, 'held', '999948714', 'EB-BW-RESPONSIBLE-UNKNOWN', "
                         "'BW period 51 (Afzender undecided): the responsibility rules name no municipality'), "
                         "(1, 1, 'manual', '999948714', 'EB-WINDOW-2020', 'start before 2020'); "
                         "UPDATE meta SET value = '5' WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  auto journal = openJournal(file);
  auto items = journal->eb().attention(true);
  REQUIRE(items);
  REQUIRE(items->size() == 3);
  CHECK((*items)[0].state == "done");
  CHECK_THAT((*items)[0].note, Catch::Contains("upgrade to journal schema 6"));
  CHECK((*items)[1].state == "open");  // an operator still has the review to close
  CHECK((*items)[1].start_nummer == 51);  // read from its summary, so sending the period closes it
  CHECK((*items)[2].state == "open");
  CHECK((*items)[2].start_nummer == 0);  // its summary names no period
}

TEST_CASE("a version-7 journal is upgraded: its payloads stay in their rows and are read from there, new "
          "payloads go to tables of their own (issue 13)",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file);
    const MessageId handled = appendOk(journal->queue(), {.payload = "<handled/>", .source = "1"}).id;
    CHECK(commitOk(journal->queue(), handlerResult(handled, 1, 1), {}, kT0));
    appendOk(journal->queue(), {.payload = "<pending/>", .source = "2"});
  }
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    // Back to the version-7 shape: the payloads in the rows.
    REQUIRE(sqlite3_exec(db.get(),
                         "UPDATE messages SET payload = (SELECT payload FROM message_payloads WHERE message_id = id); "
                         "UPDATE outbox SET payload = (SELECT payload FROM outbox_payloads WHERE outbox_id = id); "
                         "DROP TABLE message_payloads; DROP TABLE outbox_payloads; "
                         "UPDATE meta SET value = '7' WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  auto journal = openJournal(file);
  const auto story = storyOf(journal->queue(), 1);
  CHECK(story.message.envelope.payload() == "<handled/>");
  REQUIRE(story.outgoing.size() == 1);
  CHECK(story.outgoing[0].first.payload == "<out0/>");
  const auto due = dueOf(journal->queue(), kT0.plusMillis(1));
  REQUIRE(due.size() == 1);
  CHECK(due[0].payload == "<out0/>");
  auto pending = journal->queue().pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].envelope.payload() == "<pending/>");
  // A new message after the upgrade: its payload in message_payloads, its row without it.
  const MessageId fresh = appendOk(journal->queue(), {.payload = "<new/>", .source = "3"}).id;
  CHECK(storyOf(journal->queue(), fresh).message.envelope.payload() == "<new/>");
  journal.reset();
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db.get(),
                             "SELECT length(m.payload), p.payload FROM messages m JOIN message_payloads p "
                             "ON p.message_id = m.id WHERE m.id = ?1",
                             -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_int64(stmt, 1, static_cast<sqlite3_int64>(fresh));
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(stmt, 0) == 0);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_blob(stmt, 1)), static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1))) ==
        "<new/>");
  sqlite3_finalize(stmt);
}

namespace {

// Overwrites the stored envelope of message `id` with bytes that do not parse as an Envelope
// (what a record written with a name that was not UTF-8 looked like before issue 16's fix).
void damageStoredEnvelope(const fs::path& file, MessageId id) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
  const std::string sql = "UPDATE messages SET envelope = x'0a03ff0001' WHERE id = " + std::to_string(id);
  REQUIRE(sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
}

}  // namespace

TEST_CASE("issue 16: an unreadable record comes back flagged from pending, with the readable ones after it",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file);
    appendOk(journal->queue(), {.payload = "<a/>", .source = "inbox/a.xml"});
    appendOk(journal->queue(), {.payload = "<b/>", .source = "inbox/b.xml"});
  }
  damageStoredEnvelope(file, 1);
  auto journal = openJournal(file);
  Result<std::vector<iwmo::journal::PendingMessage>> pending = journal->queue().pending(0, 10);
  INFO(pending.status().toString());
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].id == 1);
  CHECK_THAT((*pending)[0].unreadable, Catch::Contains("message #1") && Catch::Contains("does not parse"));
  CHECK((*pending)[0].envelope.payload() == "<a/>");  // the payload itself is intact
  CHECK((*pending)[0].source == "inbox/a.xml");
  CHECK((*pending)[1].unreadable.empty());
  CHECK((*pending)[1].envelope.source() == "inbox/b.xml");
  // explain can still show it.
  const auto story = storyOf(journal->queue(), 1);
  CHECK_FALSE(story.message.unreadable.empty());
  CHECK(story.message.source == "inbox/a.xml");
}

TEST_CASE("issue 16: quarantine takes a message out of the queue with an open operator item until closed",
          "[journal]") {
  iwmo::test::TempDir dir;
  const fs::path file = dir.path() / "journal.db";
  {
    auto journal = openJournal(file);
    appendOk(journal->queue(), {.payload = "<a/>", .source = "inbox/a.xml", .key = "0599|WMO301|A-1"});
    appendOk(journal->queue(), {.payload = "<b/>", .source = "inbox/b.xml"});
  }
  damageStoredEnvelope(file, 1);
  auto journal = openJournal(file);
  Result<bool> done = journal->queue().quarantineSync(1, "cannot read it", {R"({"event":"quarantined"})"}, kT0);
  REQUIRE(done);
  CHECK(*done);
  // Once only: the message is no longer pending.
  Result<bool> again = journal->queue().quarantineSync(1, "cannot read it", {}, kT0);
  REQUIRE(again);
  CHECK_FALSE(*again);
  CHECK(journal->queue().quarantineSync(99, "no such message", {}, kT0).status().code() == StatusCode::kNotFound);

  auto pending = journal->queue().pending(0, 10);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].id == 2);
  const auto counts = countsOf(journal->queue());
  CHECK(counts.pending == 1);
  CHECK(counts.quarantined_open == 1);
  const auto log = logOf(journal->queue());
  REQUIRE(log.size() == 1);
  CHECK_THAT(log[0].line, Catch::Contains("quarantined"));

  auto items = journal->queue().quarantined(false);
  REQUIRE(items);
  REQUIRE(items->size() == 1);
  CHECK((*items)[0].message_id == 1);
  CHECK((*items)[0].reason == "cannot read it");
  CHECK((*items)[0].source == "inbox/a.xml");
  CHECK((*items)[0].size == 4);
  CHECK((*items)[0].open);
  const auto story = storyOf(journal->queue(), 1);
  CHECK(story.message.state == "handled");
  CHECK(story.message.disposition == "quarantined");
  REQUIRE(story.quarantine);
  CHECK(story.quarantine->open);

  // A quarantined message is no original: its payload and its Identificatie may come again.
  const AppendOutcome resent = appendOk(journal->queue(), {.payload = "<a/>", .source = "inbox/a-again.xml", .key = "0599|WMO301|A-1"});
  CHECK(resent.kind == AppendKind::kNew);

  Result<bool> closed = journal->queue().closeQuarantine(1, "sent again as #3", kT0);
  REQUIRE(closed);
  CHECK(*closed);
  Result<bool> closed_again = journal->queue().closeQuarantine(1, "twice", kT0);
  REQUIRE(closed_again);
  CHECK_FALSE(*closed_again);
  CHECK(countsOf(journal->queue()).quarantined_open == 0);
  auto all = journal->queue().quarantined(true);
  REQUIRE(all);
  REQUIRE(all->size() == 1);
  CHECK_FALSE((*all)[0].open);
  CHECK((*all)[0].note == "sent again as #3");
  CHECK(journal->queue().quarantined(false)->empty());
}
