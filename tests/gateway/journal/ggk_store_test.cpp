// GgkStore (gateway/journal/ggk_store.h) on both journals (SQLite and its in-memory twin): every
// StUF-GGk document a committed result sends is recorded under its referentienummer with the
// outbox item it went into; a referentienummer used twice fails the commit that reuses it (CC08)
// and leaves nothing of it; a Fo01 from the chain is kept, matched to what it concerns or not,
// one per message, until an operator closes it once.
#include "gateway/journal/ggk_store.h"

#include <catch2/catch.hpp>

#include "support/journal_backends.h"

namespace {

using iwmo::Timestamp;
using iwmo::test::MemoryBackend;
using iwmo::test::SqliteBackend;

const Timestamp kT0 = Timestamp::fromSeconds(1796119200);  // 2026-12-01T10:00:00Z
const Timestamp kT1 = kT0.plusMillis(60'000);
const std::string kRef1 = "5a3c1e52-2f0c-4a55-8f43-3b1d6c0e9a11";
const std::string kRef2 = "0f6b9a2e-7d41-4c3a-9e5b-1a2b3c4d5e6f";

iwmo::proto::Outgoing report(const std::string& name) {
  iwmo::proto::Outgoing out;
  out.set_peer("rejected");
  out.set_file_name(name);
  out.set_payload("report");
  out.set_message_type("REPORT");
  return out;
}

iwmo::proto::Outgoing di01(const std::string& referentienummer, const std::string& file_name) {
  iwmo::proto::Outgoing out;
  out.set_peer("ggk");
  out.set_file_name(file_name);
  out.set_payload("<Di01/>");
  out.set_message_type("WMO301");
  out.set_receiver("42420001");
  auto* sent = out.mutable_ggk();
  sent->set_referentienummer(referentienummer);
  sent->set_kind("Di01");
  sent->set_functie("WMO301");
  sent->set_ontvanger("42420001");
  sent->set_identificatie("TW-1");
  return out;
}

iwmo::proto::GgkFo01Record fo01(const std::string& cross_refnummer, bool matched) {
  iwmo::proto::GgkFo01Record error;
  error.set_cross_refnummer(cross_refnummer);
  error.set_code("StUF055");
  error.set_plek("server");
  error.set_omschrijving("bericht niet schemavalide");
  error.set_details("line 3");
  error.set_zender("GGK");
  error.set_matched(matched);
  if (matched) error.mutable_concerns()->set_referentienummer(cross_refnummer);
  return error;
}

template <typename Backend>
struct Fixture {
  Backend backend;
  iwmo::journal::Journal& journal = backend.journal();
  iwmo::journal::GgkStore& ggk = journal.ggk();

  std::optional<iwmo::proto::GgkSentRecord> sent(const std::string& referentienummer) {
    auto read = ggk.sent(referentienummer);
    INFO(read.status().toString());
    REQUIRE(read);
    return *read;
  }
  std::vector<iwmo::journal::GgkErrorRow> errors(bool include_done) {
    auto read = ggk.errors(include_done);
    REQUIRE(read);
    return *read;
  }
  std::uint64_t errorsOpen() {
    auto read = ggk.errorsOpen();
    REQUIRE(read);
    return *read;
  }
  std::vector<iwmo::journal::OutboxItem> outbox() {
    auto due = journal.queue().dueOutbox(kT1.plusMillis(1), 100);
    REQUIRE(due);
    return *due;
  }
  // A WMO301 from the back office whose result sends one Di01 under `referentienummer`.
  std::uint64_t sendDi01(const std::string& referentienummer, Timestamp at) {
    const std::uint64_t id = iwmo::test::journalMessage(journal, "WMO301", at, "backoffice");
    iwmo::proto::HandlerResult result;
    result.set_message_id(id);
    *result.add_outgoing() = di01(referentienummer, std::to_string(id) + "-Di01.xml");
    iwmo::test::commitOk(journal, result, at);
    return id;
  }
  std::uint64_t receiveFo01(const iwmo::proto::GgkFo01Record& error, Timestamp at) {
    const std::uint64_t id = iwmo::test::journalMessage(journal, "Fo01", at);
    iwmo::proto::HandlerResult result;
    result.set_message_id(id);
    *result.add_ggk_fo01() = error;
    iwmo::test::commitOk(journal, result, at);
    return id;
  }
};

}  // namespace

TEMPLATE_TEST_CASE("ggk store: a document a result sends is recorded by referentienummer with its outbox item",
                   "[journal][ggk]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO301", kT0, "backoffice");
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  *result.add_outgoing() = report("first.report.txt");  // no envelope: not recorded
  *result.add_outgoing() = di01(kRef1, "000000001-Di01.xml");
  *result.add_outgoing() = di01("", "no-reference.xml");  // no referentienummer: not recorded
  iwmo::test::commitOk(f.journal, result, kT0);

  const auto sent = f.sent(kRef1);
  REQUIRE(sent.has_value());
  CHECK(sent->referentienummer() == kRef1);
  CHECK(sent->kind() == "Di01");
  CHECK(sent->functie() == "WMO301");
  CHECK(sent->ontvanger() == "42420001");
  CHECK(sent->identificatie() == "TW-1");
  CHECK(sent->message_id() == id);
  CHECK(sent->created_at_micros() == kT0.micros);
  CHECK(sent->file_name() == "000000001-Di01.xml");
  // The outbox item it went into is the second of the result's three.
  const auto outbox = f.outbox();
  REQUIRE(outbox.size() == 3);
  CHECK(outbox[1].file_name == "000000001-Di01.xml");
  CHECK(sent->outbox_id() == outbox[1].id);
  CHECK_FALSE(f.sent("").has_value());
  CHECK_FALSE(f.sent(kRef2).has_value());
}

TEMPLATE_TEST_CASE("ggk store: CC08: a referentienummer used twice fails the commit that reuses it, which writes nothing",
                   "[journal][ggk]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = f.sendDi01(kRef1, kT0);

  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO301", kT1, "backoffice");
  iwmo::proto::HandlerResult reuse;
  reuse.set_message_id(second);
  *reuse.add_outgoing() = di01(kRef2, "second-a.xml");
  *reuse.add_outgoing() = di01(kRef1, "second-b.xml");
  const auto committed = iwmo::test::commit(f.journal, reuse, kT1);
  REQUIRE_FALSE(committed);
  CHECK(committed.status().code() == iwmo::StatusCode::kInternal);
  CHECK_FALSE(f.sent(kRef2).has_value());  // the first envelope of the failed result is gone too
  CHECK(f.sent(kRef1)->message_id() == first);
  CHECK(f.outbox().size() == 1);
  CHECK(iwmo::test::pendingIds(f.journal) == std::vector<std::uint64_t>{second});

  // Twice within one result fails as well.
  iwmo::proto::HandlerResult twice;
  twice.set_message_id(second);
  *twice.add_outgoing() = di01(kRef2, "second-a.xml");
  *twice.add_outgoing() = di01(kRef2, "second-b.xml");
  REQUIRE_FALSE(iwmo::test::commit(f.journal, twice, kT1));
  CHECK_FALSE(f.sent(kRef2).has_value());
  CHECK(iwmo::test::pendingIds(f.journal) == std::vector<std::uint64_t>{second});
}

TEMPLATE_TEST_CASE("ggk store: a Fo01 is kept matched to the document it concerns until closed once", "[journal][ggk]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t sender = f.sendDi01(kRef1, kT0);
  const std::uint64_t fo01_id = f.receiveFo01(fo01(kRef1, true), kT1);

  auto open = f.errors(false);
  REQUIRE(open.size() == 1);
  const auto& row = open[0];
  CHECK(row.message_id == fo01_id);
  CHECK(row.at == kT1);
  CHECK(row.state == "open");
  CHECK_FALSE(row.resolved_at.has_value());
  CHECK(row.error.cross_refnummer() == kRef1);
  CHECK(row.error.code() == "StUF055");
  CHECK(row.error.plek() == "server");
  CHECK(row.error.omschrijving() == "bericht niet schemavalide");
  CHECK(row.error.details() == "line 3");
  CHECK(row.error.zender() == "GGK");
  REQUIRE(row.error.matched());
  CHECK(row.error.concerns().referentienummer() == kRef1);
  CHECK(row.error.concerns().message_id() == sender);
  CHECK(row.error.concerns().functie() == "WMO301");
  CHECK(row.error.concerns().file_name() == std::to_string(sender) + "-Di01.xml");
  CHECK(f.errorsOpen() == 1);

  auto closed = f.ggk.resolveError(row.id, "resent by hand", kT1);
  REQUIRE(closed);
  CHECK(*closed);
  closed = f.ggk.resolveError(row.id, "again", kT1);
  REQUIRE(closed);
  CHECK_FALSE(*closed);
  closed = f.ggk.resolveError(row.id + 1, "none", kT1);
  REQUIRE(closed);
  CHECK_FALSE(*closed);
  CHECK(f.errors(false).empty());
  CHECK(f.errorsOpen() == 0);
  const auto all = f.errors(true);
  REQUIRE(all.size() == 1);
  CHECK(all[0].state == "done");
  CHECK(all[0].note == "resent by hand");
  REQUIRE(all[0].resolved_at.has_value());
  CHECK(*all[0].resolved_at == kT1);
  CHECK(all[0].error.matched());  // still shows what it concerned
}

TEMPLATE_TEST_CASE("ggk store: a Fo01 about nothing the gateway sent is kept unmatched, oldest first", "[journal][ggk]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  f.sendDi01(kRef1, kT0);
  const std::uint64_t unmatched = f.receiveFo01(fo01(kRef2, false), kT0);
  // Claimed matched, but nothing was sent under that number: reads back unmatched.
  const std::uint64_t claimed = f.receiveFo01(fo01(kRef2, true), kT1);
  const auto errors = f.errors(false);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message_id == unmatched);
  CHECK(errors[1].message_id == claimed);
  CHECK(errors[0].id < errors[1].id);
  for (const auto& row : errors) {
    CHECK_FALSE(row.error.matched());
    CHECK(row.error.concerns().referentienummer().empty());
  }
  CHECK(f.errorsOpen() == 2);
}

TEMPLATE_TEST_CASE("ggk store: one Fo01 per message, and a redelivered result records nothing twice", "[journal][ggk]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  f.sendDi01(kRef1, kT0);
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "Fo01", kT1);
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  *result.add_ggk_fo01() = fo01(kRef1, true);
  *result.add_ggk_fo01() = fo01(kRef2, false);
  result.mutable_ggk_fo01(1)->set_code("StUF058");
  iwmo::test::commitOk(f.journal, result, kT1);
  auto again = iwmo::test::commit(f.journal, result, kT1);
  REQUIRE(again);
  CHECK_FALSE(*again);
  const auto errors = f.errors(true);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].error.code() == "StUF055");
  CHECK(errors[0].error.matched());
}
