// The delivery stage on its own (issue 13): committed outbox items are written to their peer's
// directory in batches and recorded as delivered; a sink that fails is retried with backoff until
// it works again, and health says so meanwhile. Against the in-memory journal twin and real
// directory sinks.
#include "gateway/pipeline/delivery.h"

#include <fstream>

#include "adapters/transport/directory_sink.h"
#include "stage_support.h"

namespace {

namespace fs = std::filesystem;
using iwmo::journal::MemoryJournal;
using iwmo::pipeline::Delivery;
using iwmo::pipeline::DeliveryOptions;
using namespace iwmo::test::stages;

// Commits `count` outgoing files for `peer` as the result of one journaled message.
void commitOutgoing(MemoryJournal& journal, int count, const std::string& peer, const std::string& prefix,
                    iwmo::Timestamp at = iwmo::Timestamp::fromSeconds(1767225600)) {
  const auto id = journalMessage(journal.queue(), wmo305For(kClientBsns[0], prefix), "in/" + prefix + ".xml");
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  result.set_disposition("routed");
  for (int i = 0; i < count; ++i) {
    auto* out = result.add_outgoing();
    out->set_peer(peer);
    out->set_file_name(prefix + "-" + std::to_string(i) + ".xml");
    out->set_payload("<payload n=\"" + std::to_string(i) + "\"/>");
    out->set_message_type("WMO305");
  }
  auto committed = journal.queue().commitResultSync(std::move(result), {}, at);
  REQUIRE(committed);
  REQUIRE(*committed);
}

std::uint64_t outboxPending(MemoryJournal& journal) {
  auto counts = journal.queue().counts();
  REQUIRE(counts);
  return counts->outbox_pending;
}

DeliveryOptions fastRetries() {
  DeliveryOptions options;
  options.retry_initial_ms = 5;
  options.retry_max_ms = 20;
  options.batch = 16;
  return options;
}

}  // namespace

TEST_CASE("delivery: committed outbox items reach their peer's directory in batches and are recorded",
          "[pipeline][delivery]") {
  iwmo::test::TempDir dir;
  MemoryJournal journal;
  commitOutgoing(journal, 40, "backoffice", "a");  // more than two batches of 16
  commitOutgoing(journal, 3, "ggk", "b");
  iwmo::transport::DirectorySink backoffice(dir.path() / "backoffice");
  iwmo::transport::DirectorySink ggk(dir.path() / "ggk");
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  Delivery delivery(fastRetries(), journal.queue(), {{"backoffice", &backoffice}, {"ggk", &ggk}}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return outboxPending(journal) == 0; }));
  delivery.stop();
  CHECK(delivery.totals().delivered == 43);
  CHECK(delivery.totals().failures == 0);
  CHECK(iwmo::test::readFile(dir.path() / "backoffice/a-39.xml") == "<payload n=\"39\"/>");
  CHECK(iwmo::test::readFile(dir.path() / "ggk/b-0.xml") == "<payload n=\"0\"/>");
  CHECK(std::distance(fs::directory_iterator(dir.path() / "backoffice"), fs::directory_iterator()) == 40);
  auto counts = journal.queue().counts();
  REQUIRE(counts);
  CHECK(counts->outbox_delivered == 43);
  CHECK(delivery.health().isOk());
}

TEST_CASE("delivery: a sink that fails is retried with backoff until it works, and health says why meanwhile",
          "[pipeline][delivery]") {
  iwmo::test::TempDir dir;
  MemoryJournal journal;
  commitOutgoing(journal, 2, "backoffice", "r");
  // The sink's directory cannot be made: a file stands where it should be.
  const fs::path target = dir.path() / "backoffice";
  iwmo::test::writeFile(target, "not a directory");
  iwmo::transport::DirectorySink sink(target);
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  Delivery delivery(fastRetries(), journal.queue(), {{"backoffice", &sink}}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return delivery.totals().failures >= 20; }));  // ten per item at least
  CHECK_FALSE(delivery.health().isOk());  // committed on 2026-01-01: long past unhealthy_after_s
  CHECK(outboxPending(journal) == 2);

  fs::remove(target);  // the operator clears the way
  REQUIRE(eventually([&] { return outboxPending(journal) == 0; }));
  CHECK(delivery.health().isOk());
  delivery.stop();
  CHECK(iwmo::test::readFile(target / "r-1.xml") == "<payload n=\"1\"/>");
}

TEST_CASE("delivery: health turns bad once the oldest undelivered item waited longer than unhealthy_after_s, "
          "naming it and its last error, and good again once it is delivered",
          "[pipeline][delivery]") {
  iwmo::test::TempDir dir;
  MemoryJournal journal;
  commitOutgoing(journal, 1, "backoffice", "h");  // committed at 2026-01-01T00:00:00Z
  const fs::path target = dir.path() / "backoffice";
  iwmo::test::writeFile(target, "not a directory");
  iwmo::transport::DirectorySink sink(target);
  iwmo::ManualClock clock(iwmo::Timestamp::fromSeconds(1767225600 + 10));
  iwmo::pipeline::Metrics metrics;
  DeliveryOptions options = fastRetries();
  options.unhealthy_after_s = 60;
  Delivery delivery(options, journal.queue(), {{"backoffice", &sink}}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return delivery.totals().failures >= 1; }));
  // Failing for 10 s: not yet unhealthy, however many attempts failed.
  CHECK(delivery.health().isOk());
  CHECK(delivery.oldestUndeliveredSeconds() == Approx(10.0));

  clock.advanceMillis(51 * 1000);  // 61 s
  const iwmo::Status health = delivery.health();
  REQUIRE_FALSE(health.isOk());
  INFO(health.message());
  CHECK(health.message().find("h-0.xml") != std::string::npos);
  CHECK(health.message().find("1 min 1 s") != std::string::npos);
  CHECK(health.message().find("delivery.unhealthy_after_s = 60") != std::string::npos);
  CHECK(health.message().find("cannot") != std::string::npos);  // the sink's own error

  fs::remove(target);  // the operator clears the way
  // The delivery thread may have failed once more since the clock moved (before the remove), and
  // put its next attempt after 61 s: move on past any backoff so that attempt is due.
  clock.advanceMillis(3600 * 1000);
  delivery.wake();
  REQUIRE(eventually([&] { return outboxPending(journal) == 0; }));
  CHECK(delivery.health().isOk());
  CHECK(delivery.oldestUndeliveredSeconds() == 0);
  delivery.stop();
}

TEST_CASE("delivery: in a replay an item stamped with a logical time in the future is delivered at once",
          "[pipeline][delivery]") {
  iwmo::test::TempDir dir;
  MemoryJournal journal;
  commitOutgoing(journal, 2, "cak", "f", iwmo::Timestamp::fromSeconds(4102444800));  // Dagtekening in 2100
  iwmo::transport::DirectorySink sink(dir.path() / "cak");
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  DeliveryOptions options = fastRetries();
  options.logical_time = true;
  Delivery delivery(options, journal.queue(), {{"cak", &sink}}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return outboxPending(journal) == 0; }));
  delivery.stop();
  CHECK(iwmo::test::readFile(dir.path() / "cak/f-1.xml") == "<payload n=\"1\"/>");
}

TEST_CASE("delivery: in a replay, items that keep failing do not starve the ones behind them",
          "[pipeline][delivery]") {
  iwmo::test::TempDir dir;
  MemoryJournal journal;
  commitOutgoing(journal, 20, "cak", "x");  // no sink for the CAK: every attempt fails
  commitOutgoing(journal, 3, "backoffice", "y");
  iwmo::transport::DirectorySink sink(dir.path() / "backoffice");
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  DeliveryOptions options = fastRetries();  // batches of 16
  options.logical_time = true;
  Delivery delivery(options, journal.queue(), {{"backoffice", &sink}}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return outboxPending(journal) == 20; }));
  delivery.stop();
  CHECK(iwmo::test::readFile(dir.path() / "backoffice/y-2.xml") == "<payload n=\"2\"/>");
}

TEST_CASE("delivery: an item for a peer without a sink is not dropped: it stays pending and fails loudly",
          "[pipeline][delivery]") {
  MemoryJournal journal;
  commitOutgoing(journal, 1, "cak", "n");
  iwmo::SystemClock clock;
  iwmo::pipeline::Metrics metrics;
  Delivery delivery(fastRetries(), journal.queue(), {}, clock, metrics);
  delivery.start();
  delivery.wake();
  REQUIRE(eventually([&] { return delivery.totals().failures >= 1; }));
  delivery.stop();
  CHECK(outboxPending(journal) == 1);
  auto due = journal.queue().dueOutbox(iwmo::Timestamp::fromSeconds(4102444800), 10);  // 2100
  REQUIRE(due);
  REQUIRE(due->size() == 1);
  CHECK(due->front().last_error.find("cak") != std::string::npos);
}
