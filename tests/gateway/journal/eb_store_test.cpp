// EbStore (gateway/journal/eb_store.h) on both journals (SQLite and its in-memory twin): the
// eigen-bijdrage state a committed handler result writes (eb_state, eb_sent, eb_answers,
// eb_attention) reads back through the store; a result whose commit fails leaves none of it; a
// record is kept once per key; the CAK's answer reaches the record and the period's last_answer;
// operator items are listed oldest first and closed once.
#include "gateway/journal/eb_store.h"

#include <catch2/catch.hpp>

#include "support/journal_backends.h"

namespace {

using iwmo::Timestamp;
using iwmo::test::MemoryBackend;
using iwmo::test::SqliteBackend;

const Timestamp kT0 = Timestamp::fromSeconds(1796119200);  // 2026-12-01T10:00:00Z
const Timestamp kT1 = kT0.plusMillis(3'600'000);
const std::string kBsn = "999948714";

// The state after a WMO405 EB<id>-1 started AT period <start_nummer> for client kBsn.
iwmo::proto::EbClientState sentState(std::uint64_t start_nummer, const std::string& identificatie) {
  iwmo::proto::EbClientState state;
  state.set_looked_up(true);
  state.set_bsn(kBsn);
  state.set_geboortedatum("1960-05-30");
  auto* provision = state.add_provisions();
  provision->set_toewijzing_nummer(100);
  provision->set_gemeente("0599");
  provision->set_categorie("02");
  provision->set_code("02A01");
  provision->set_delivery_begin("2026-03-02");
  provision->set_last_message("WMO305 #1");
  auto* period = state.add_periods();
  period->set_kind("AT");
  period->set_afzender("0599");
  period->set_start_nummer(start_nummer);
  period->set_startdatum("2026-03-02");
  period->set_sent(true);
  period->mutable_last_sent()->set_bsn(kBsn);
  period->mutable_last_sent()->set_kind("AT");
  period->mutable_last_sent()->set_status_aanlevering("1");
  period->mutable_last_sent()->set_start_nummer(start_nummer);
  period->mutable_last_sent()->set_startdatum("2026-03-02");
  period->set_last_identificatie(identificatie);
  period->set_last_answer("pending");
  return state;
}

iwmo::proto::EbSentRecord sentRecord(std::uint64_t start_nummer, const std::string& identificatie,
                                     const std::string& type = "WMO405") {
  iwmo::proto::EbSentRecord sent;
  sent.set_message_type(type);
  sent.set_identificatie(identificatie);
  sent.set_afzender("0599");
  sent.mutable_record()->set_bsn(kBsn);
  sent.mutable_record()->set_kind(type == "WMO405" ? "AT" : "BW");
  sent.mutable_record()->set_status_aanlevering("1");
  sent.mutable_record()->set_start_nummer(start_nummer);
  sent.mutable_record()->set_startdatum("2026-03-02");
  return sent;
}

// A WMO305's result: the state, the record sent and (optionally) an item for an operator.
iwmo::proto::HandlerResult startResult(std::uint64_t id, std::uint64_t start_nummer, const std::string& identificatie) {
  iwmo::proto::HandlerResult result;
  result.set_message_id(id);
  *result.mutable_eb_state() = sentState(start_nummer, identificatie);
  *result.add_eb_sent() = sentRecord(start_nummer, identificatie);
  return result;
}

iwmo::proto::EbAnswer answer(const std::string& identificatie, std::uint64_t start_nummer, bool accepted,
                             std::vector<std::string> codes = {}) {
  iwmo::proto::EbAnswer a;
  a.set_message_type("WMO405");
  a.set_identificatie(identificatie);
  a.set_bsn(kBsn);
  a.set_start_nummer(start_nummer);
  a.set_accepted(accepted);
  for (const auto& code : codes) a.add_retour_codes(code);
  if (!codes.empty()) a.set_explanation(codes.front() + " (explained)");
  return a;
}

template <typename Backend>
struct Fixture {
  Backend backend;
  iwmo::journal::Journal& journal = backend.journal();
  iwmo::journal::EbStore& eb = journal.eb();

  iwmo::proto::EbClientState state(const std::string& bsn = kBsn) {
    auto read = eb.clientState(bsn);
    INFO(read.status().toString());
    REQUIRE(read);
    return *read;
  }
  std::vector<iwmo::journal::EbRecordRow> records(const std::string& state = "") {
    auto read = eb.records(state);
    REQUIRE(read);
    return *read;
  }
  std::vector<iwmo::journal::EbAttentionRow> attention(bool include_done) {
    auto read = eb.attention(include_done);
    REQUIRE(read);
    return *read;
  }
  std::vector<iwmo::proto::EbSentRecord> sentIn(const std::string& type, const std::string& identificatie) {
    auto read = eb.sentIn(type, identificatie);
    REQUIRE(read);
    return *read;
  }
  iwmo::journal::EbCounts counts(Timestamp overdue_before = {}) {
    auto read = eb.counts(overdue_before);
    REQUIRE(read);
    return *read;
  }
};

}  // namespace

TEMPLATE_TEST_CASE("eb store: a committed result's state and records read back through the store", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(id, id * 10 + 1, "EB1-1"), kT0);

  const auto state = f.state();
  CHECK(state.looked_up());
  CHECK(state.bsn() == kBsn);
  CHECK(state.geboortedatum() == "1960-05-30");
  REQUIRE(state.provisions_size() == 1);
  CHECK(state.provisions(0).toewijzing_nummer() == 100);
  CHECK(state.provisions(0).delivery_begin() == "2026-03-02");
  REQUIRE(state.periods_size() == 1);
  CHECK(state.periods(0).start_nummer() == id * 10 + 1);
  CHECK(state.periods(0).last_sent().status_aanlevering() == "1");
  CHECK(state.periods(0).last_answer() == "pending");  // no answer from the CAK yet

  const auto sent = f.sentIn("WMO405", "EB1-1");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].message_id() == id);
  CHECK(sent[0].afzender() == "0599");
  CHECK(sent[0].state() == "pending");
  CHECK(sent[0].record().start_nummer() == id * 10 + 1);
  CHECK(sent[0].record().startdatum() == "2026-03-02");
  // The lookup is by message type and Identificatie both.
  CHECK(f.sentIn("WMO407", "EB1-1").empty());
  CHECK(f.sentIn("WMO405", "EB1-2").empty());

  const auto rows = f.records();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].message_id == id);
  CHECK(rows[0].message_type == "WMO405");
  CHECK(rows[0].bsn == kBsn);
  CHECK(rows[0].sent_at == kT0);
  CHECK(rows[0].state == "pending");
  CHECK_FALSE(rows[0].answered_at.has_value());
  CHECK(f.records("pending").size() == 1);
  CHECK(f.records("rejected").empty());
  const auto counts = f.counts();
  CHECK(counts.clients == 1);
  CHECK(counts.records.at("WMO405").at("pending") == 1);
}

TEMPLATE_TEST_CASE("eb store: a client never seen reads as looked up with an empty state", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(id, 11, "EB1-1"), kT0);
  const auto other = f.state("999900018");
  CHECK(other.looked_up());
  CHECK(other.bsn() == "999900018");
  CHECK(other.provisions_size() == 0);
  CHECK(other.periods_size() == 0);
}

TEMPLATE_TEST_CASE("eb store: a later decision's state replaces the stored one whole, an unattached one changes nothing",
                   "[journal][ieb]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  auto result = startResult(first, 11, "EB1-1");
  *result.mutable_eb_state()->add_periods() = result.eb_state().periods(0);
  result.mutable_eb_state()->mutable_periods(1)->set_start_nummer(12);
  iwmo::test::commitOk(f.journal, result, kT0);
  REQUIRE(f.state().periods_size() == 2);

  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO307", kT1);
  iwmo::proto::HandlerResult replace;
  replace.set_message_id(second);
  *replace.mutable_eb_state() = sentState(11, "EB1-1");
  replace.mutable_eb_state()->mutable_periods(0)->set_stopdatum("2026-06-30");
  iwmo::test::commitOk(f.journal, replace, kT1);
  auto state = f.state();
  REQUIRE(state.periods_size() == 1);
  CHECK(state.periods(0).stopdatum() == "2026-06-30");

  // A result whose state was never attached (looked_up false) must not wipe what is stored.
  const std::uint64_t third = iwmo::test::journalMessage(f.journal, "WMO307", kT1);
  iwmo::proto::HandlerResult unattached;
  unattached.set_message_id(third);
  unattached.mutable_eb_state()->set_bsn(kBsn);
  iwmo::test::commitOk(f.journal, unattached, kT1);
  state = f.state();
  REQUIRE(state.periods_size() == 1);
  CHECK(state.periods(0).stopdatum() == "2026-06-30");
}

TEMPLATE_TEST_CASE("eb store: the CAK's answer marks the record it names and the period's last answer", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t heen = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  auto result = startResult(heen, 11, "EB1-1");
  *result.add_eb_sent() = sentRecord(12, "EB1-1");  // a second period in the same message
  iwmo::test::commitOk(f.journal, result, kT0);

  const std::uint64_t retour = iwmo::test::journalMessage(f.journal, "WMO406", kT1, "cak");
  iwmo::proto::HandlerResult answered;
  answered.set_message_id(retour);
  *answered.add_eb_answers() = answer("EB1-1", 11, false, {"9103", "9071"});
  *answered.add_eb_answers() = answer("EB9-9", 12, false, {"9103"});  // another message's: names nothing
  iwmo::test::commitOk(f.journal, answered, kT1);

  const auto rejected = f.records("rejected");
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].record.start_nummer() == 11);
  CHECK(rejected[0].retour_codes == "9103,9071");
  CHECK(rejected[0].explanation == "9103 (explained)");
  CHECK(rejected[0].retour_message_id == retour);
  REQUIRE(rejected[0].answered_at.has_value());
  CHECK(*rejected[0].answered_at == kT1);
  const auto pending = f.records("pending");
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].record.start_nummer() == 12);
  CHECK(f.state().periods(0).last_answer() == "rejected");
  const auto sent = f.sentIn("WMO405", "EB1-1");
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].state() == "rejected");  // in the order they were sent
  CHECK(sent[1].state() == "pending");
  const auto counts = f.counts();
  CHECK(counts.records.at("WMO405").at("rejected") == 1);
  CHECK(counts.records.at("WMO405").at("pending") == 1);
}

TEMPLATE_TEST_CASE("eb store: the period's last answer is the answer to its last identificatie", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(first, 11, "EB1-1"), kT0);
  const std::uint64_t accepted = iwmo::test::journalMessage(f.journal, "WMO406", kT0, "cak");
  iwmo::proto::HandlerResult ok;
  ok.set_message_id(accepted);
  *ok.add_eb_answers() = answer("EB1-1", 11, true);
  iwmo::test::commitOk(f.journal, ok, kT0);
  CHECK(f.state().periods(0).last_answer() == "accepted");

  // A change (status 2) of the same period in a new message: pending again until answered.
  const std::uint64_t change = iwmo::test::journalMessage(f.journal, "WMO307", kT1);
  auto result = startResult(change, 11, "EB3-1");
  result.mutable_eb_sent(0)->mutable_record()->set_status_aanlevering("2");
  iwmo::test::commitOk(f.journal, result, kT1);
  CHECK(f.state().periods(0).last_answer() == "pending");
  CHECK(f.records("accepted").size() == 1);
  CHECK(f.records("pending").size() == 1);
}

TEMPLATE_TEST_CASE("eb store: a record is kept once per key, from the decision that sent it first", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(first, 11, "EB1-1"), kT0);
  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO305", kT1);
  iwmo::test::commitOk(f.journal, startResult(second, 11, "EB1-1"), kT1);
  auto rows = f.records();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].message_id == first);
  CHECK(rows[0].sent_at == kT0);

  // Another Afzender, message type or start number is another record.
  const std::uint64_t third = iwmo::test::journalMessage(f.journal, "WMO305", kT1);
  auto other = startResult(third, 12, "EB1-1");
  *other.add_eb_sent() = sentRecord(11, "EB1-1", "WMO407");
  *other.add_eb_sent() = sentRecord(11, "EB1-1");
  other.mutable_eb_sent(2)->set_afzender("0606");
  iwmo::test::commitOk(f.journal, other, kT1);
  rows = f.records();
  REQUIRE(rows.size() == 4);
  CHECK(rows[1].record.start_nummer() == 12);
  CHECK(rows[2].message_type == "WMO407");
  CHECK(rows[3].afzender == "0606");
}

TEMPLATE_TEST_CASE("eb store: operator items are listed oldest first and closed once", "[journal][ieb]", SqliteBackend,
                   MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::proto::HandlerResult held;
  held.set_message_id(first);
  auto* item = held.add_eb_attention();
  item->set_kind("held");
  item->set_bsn(kBsn);
  item->set_rule("EB-WINDOW-FUTURE");
  item->set_summary("start 2027-03-01 is more than a month ahead");
  iwmo::test::commitOk(f.journal, held, kT0);
  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO406", kT1, "cak");
  iwmo::proto::HandlerResult rejected;
  rejected.set_message_id(second);
  item = rejected.add_eb_attention();
  item->set_kind("rejected");
  item->set_bsn(kBsn);
  item->set_rule("EB-CAK-REJECTED");
  item->set_summary("9103");
  item = rejected.add_eb_attention();
  item->set_kind("unmatched");
  item->set_rule("EB-RETOUR-UNKNOWN");
  item->set_summary("echoes period 99");
  iwmo::test::commitOk(f.journal, rejected, kT1);

  auto open = f.attention(false);
  REQUIRE(open.size() == 3);
  CHECK(open[0].message_id == first);
  CHECK(open[0].at == kT0);
  CHECK(open[0].kind == "held");
  CHECK(open[0].rule == "EB-WINDOW-FUTURE");
  CHECK(open[0].summary == "start 2027-03-01 is more than a month ahead");
  CHECK(open[0].state == "open");
  CHECK(open[1].kind == "rejected");
  CHECK(open[2].kind == "unmatched");
  CHECK(open[2].bsn.empty());
  CHECK(open[0].id < open[1].id);
  CHECK(open[1].id < open[2].id);
  CHECK(f.counts().attention_open == 3);

  auto closed = f.eb.resolveAttention(open[1].id, "phoned the CAK", kT1);
  REQUIRE(closed);
  CHECK(*closed);
  closed = f.eb.resolveAttention(open[1].id, "again", kT1);
  REQUIRE(closed);
  CHECK_FALSE(*closed);
  closed = f.eb.resolveAttention(open[2].id + 100, "no such item", kT1);
  REQUIRE(closed);
  CHECK_FALSE(*closed);

  const auto still_open = f.attention(false);
  REQUIRE(still_open.size() == 2);
  CHECK(still_open[0].id == open[0].id);
  CHECK(still_open[1].id == open[2].id);
  const auto all = f.attention(true);
  REQUIRE(all.size() == 3);
  CHECK(all[1].state == "done");
  CHECK(all[1].note == "phoned the CAK");
  CHECK(f.counts().attention_open == 2);
}

TEMPLATE_TEST_CASE("eb store: a resolved period closes its own open items in the same commit, no others",
                   "[journal][ieb]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::proto::HandlerResult held;
  held.set_message_id(first);
  for (const std::uint64_t start_nummer : {std::uint64_t{11}, std::uint64_t{12}}) {
    auto* item = held.add_eb_attention();
    item->set_kind("held");
    item->set_bsn(kBsn);
    item->set_rule("EB-BW-RESPONSIBLE-UNKNOWN");
    item->set_summary("period " + std::to_string(start_nummer) + " waits for the review");
    item->set_start_nummer(start_nummer);
  }
  auto* unrelated = held.add_eb_attention();  // another client's period with the same number
  unrelated->set_kind("manual");
  unrelated->set_bsn("999993653");
  unrelated->set_rule("EB-WINDOW-2020");
  unrelated->set_summary("start before 2020");
  unrelated->set_start_nummer(11);
  iwmo::test::commitOk(f.journal, held, kT0);
  REQUIRE(f.attention(false).size() == 3);
  CHECK(f.attention(false)[0].start_nummer == 11);

  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO305", kT1);
  iwmo::proto::HandlerResult sent;
  sent.set_message_id(second);
  auto* resolved = sent.add_eb_resolved();
  resolved->set_bsn(kBsn);
  resolved->set_start_nummer(11);
  resolved->set_how("sent with StatusAanlevering 1: 2026-03-01 .. open");
  iwmo::test::commitOk(f.journal, sent, kT1);

  const auto open = f.attention(false);
  REQUIRE(open.size() == 2);
  CHECK(open[0].start_nummer == 12);
  CHECK(open[1].bsn == "999993653");
  const auto all = f.attention(true);
  REQUIRE(all.size() == 3);
  CHECK(all[0].state == "done");
  CHECK(all[0].note == "closed by message #" + std::to_string(second) +
                           ": the period was sent with StatusAanlevering 1: 2026-03-01 .. open");
  CHECK(f.counts().attention_open == 2);
}

TEMPLATE_TEST_CASE("eb store: a failed commit leaves no state, record or operator item behind", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  // An envelope sent under a referentienummer ...
  const std::uint64_t earlier = iwmo::test::journalMessage(f.journal, "WMO301", kT0, "backoffice");
  iwmo::proto::HandlerResult wrapped;
  wrapped.set_message_id(earlier);
  auto* out = wrapped.add_outgoing();
  out->set_peer("ggk");
  out->set_file_name("earlier.xml");
  out->set_payload("<Di01/>");
  out->mutable_ggk()->set_referentienummer("5a3c1e52-2f0c-4a55-8f43-3b1d6c0e9a11");
  out->mutable_ggk()->set_kind("Di01");
  iwmo::test::commitOk(f.journal, wrapped, kT0);

  // ... then a result with every eigen-bijdrage effect whose envelope reuses it (CC08): the GGk
  // store refuses it, so the whole commit fails.
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT1);
  auto result = startResult(id, 11, "EB2-1");
  auto* attention = result.add_eb_attention();
  attention->set_kind("manual");
  attention->set_bsn(kBsn);
  attention->set_rule("EB-DELETE-AFTER-STOP");
  attention->set_summary("a person must decide");
  *result.add_eb_answers() = answer("EB2-1", 11, true);
  *result.add_outgoing() = wrapped.outgoing(0);
  result.mutable_outgoing(0)->set_file_name("again.xml");
  const auto committed = iwmo::test::commit(f.journal, result, kT1);
  REQUIRE_FALSE(committed);
  CHECK(committed.status().code() == iwmo::StatusCode::kInternal);

  const auto state = f.state();
  CHECK(state.periods_size() == 0);
  CHECK(state.provisions_size() == 0);
  CHECK(f.records().empty());
  CHECK(f.sentIn("WMO405", "EB2-1").empty());
  CHECK(f.attention(true).empty());
  const auto counts = f.counts();
  CHECK(counts.clients == 0);
  CHECK(counts.records.empty());
  // The message is still pending: its work is redone.
  CHECK(iwmo::test::pendingIds(f.journal) == std::vector<std::uint64_t>{id});

  // Without the reused envelope the same result commits.
  result.clear_outgoing();
  iwmo::test::commitOk(f.journal, result, kT1);
  CHECK(f.state().periods_size() == 1);
  CHECK(f.records("accepted").size() == 1);
  CHECK(f.attention(false).size() == 1);
}

TEMPLATE_TEST_CASE("eb store: an operator item of a kind the store does not know fails the commit", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  auto result = startResult(id, 11, "EB1-1");
  auto* attention = result.add_eb_attention();
  attention->set_kind("later");  // eb_store.h: held, manual, rejected or unmatched
  attention->set_rule("EB-X");
  attention->set_summary("x");
  const auto committed = iwmo::test::commit(f.journal, result, kT0);
  REQUIRE_FALSE(committed);
  CHECK(committed.status().code() == iwmo::StatusCode::kInternal);
  CHECK(f.state().periods_size() == 0);
  CHECK(f.records().empty());
  CHECK(f.attention(true).empty());
}

TEMPLATE_TEST_CASE("eb store: overdue counts pending records sent before the given time", "[journal][ieb]",
                   SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const std::uint64_t first = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(first, 11, "EB1-1"), kT0);
  const std::uint64_t second = iwmo::test::journalMessage(f.journal, "WMO305", kT1);
  auto later = startResult(second, 21, "EB2-1");
  *later.add_eb_sent() = sentRecord(22, "EB2-1");
  iwmo::test::commitOk(f.journal, later, kT1);
  const std::uint64_t retour = iwmo::test::journalMessage(f.journal, "WMO406", kT1, "cak");
  iwmo::proto::HandlerResult answered;
  answered.set_message_id(retour);
  *answered.add_eb_answers() = answer("EB2-1", 22, true);
  iwmo::test::commitOk(f.journal, answered, kT1);

  CHECK(f.counts().overdue == 0);             // nothing before the epoch
  CHECK(f.counts(kT0).overdue == 0);          // strictly before
  CHECK(f.counts(kT0.plusMillis(1)).overdue == 1);
  CHECK(f.counts(kT1.plusMillis(1)).overdue == 2);  // the answered one is not overdue
}

TEMPLATE_TEST_CASE("eb store: imported states are stored whole, and read back as imported for a replay",
                   "[journal][ieb][import]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  iwmo::proto::EbRecord cak;
  cak.set_bsn(kBsn);
  cak.set_kind("AT");
  cak.set_status_aanlevering("1");
  cak.set_start_nummer(7001);
  cak.set_startdatum("2025-03-01");
  iwmo::proto::EbClientState state;
  state.set_looked_up(true);
  state.set_bsn(kBsn);
  auto& period = *state.add_periods();
  period.set_kind("AT");
  period.set_afzender("0599");
  period.set_start_nummer(7001);
  period.set_startdatum("2025-03-01");
  period.set_sent(true);
  *period.mutable_last_sent() = cak;
  period.set_last_answer("accepted");
  *period.mutable_imported_as() = cak;
  REQUIRE(f.eb.storeImportedStates({{kBsn, state}}, kT0).isOk());
  const auto read = f.state();
  REQUIRE(read.periods_size() == 1);
  CHECK(read.periods(0).last_answer() == "accepted");  // no record of the gateway's: the imported answer stays
  CHECK(read.periods(0).has_imported_as());

  // The gateway then changes the period and adds one of its own: a replay starts from the import only.
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(id, 11, "EB1-1"), kT0);
  auto imported = f.eb.importedPeriods();
  REQUIRE(imported);
  CHECK(imported->empty());  // startResult replaced the state whole, with no imported period left
  auto changed = read;
  changed.mutable_periods(0)->set_stopdatum("2026-11-30");
  changed.mutable_periods(0)->mutable_last_sent()->set_stopdatum("2026-11-30");
  changed.mutable_periods(0)->set_last_identificatie("EB9-1");
  changed.add_periods()->set_start_nummer(21);
  REQUIRE(f.eb.storeImportedStates({{kBsn, changed}}, kT0).isOk());
  imported = f.eb.importedPeriods();
  REQUIRE(imported);
  REQUIRE(imported->size() == 1);
  const auto& kept = imported->at(kBsn);
  REQUIRE(kept.periods_size() == 1);
  CHECK(kept.periods(0).start_nummer() == 7001);
  CHECK(kept.periods(0).stopdatum().empty());
  CHECK(kept.periods(0).last_sent().stopdatum().empty());
  CHECK(kept.periods(0).last_identificatie().empty());
  CHECK(kept.periods(0).last_answer() == "accepted");
}

TEMPLATE_TEST_CASE("eb store: the journal keeps its first start number, hands it out with every state, and knows "
                   "the highest number sent",
                   "[journal][ieb]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  auto first = f.eb.firstStartNummer();
  REQUIRE(first);
  CHECK_FALSE(*first);
  CHECK(f.state().first_start_nummer() == 0);  // 0: the handler's default
  REQUIRE(f.eb.setFirstStartNummer(5001).isOk());
  first = f.eb.firstStartNummer();
  REQUIRE(first);
  CHECK(*first == std::optional<std::uint64_t>(5001));
  CHECK(f.state().first_start_nummer() == 5001);
  auto highest = f.eb.highestStartNummerSent();
  REQUIRE(highest);
  CHECK(*highest == 0);
  const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
  iwmo::test::commitOk(f.journal, startResult(id, 5011, "EB1-1"), kT0);
  highest = f.eb.highestStartNummerSent();
  REQUIRE(highest);
  CHECK(*highest == 5011);
}

TEMPLATE_TEST_CASE("eb store: the clients whose review day has come, oldest day first (the eigen-bijdrage tick)",
                   "[journal][ieb][tick]", SqliteBackend, MemoryBackend) {
  Fixture<TestType> f;
  const auto commitState = [&](const std::string& bsn, const std::string& review_on) {
    const std::uint64_t id = iwmo::test::journalMessage(f.journal, "WMO305", kT0);
    iwmo::proto::HandlerResult result = startResult(id, id * 10 + 1, "EB" + std::to_string(id) + "-1");
    result.mutable_eb_state()->set_bsn(bsn);
    result.mutable_eb_state()->set_review_on(review_on);
    result.clear_eb_sent();
    iwmo::test::commitOk(f.journal, result, kT0);
  };
  commitState("999948714", "2026-12-01");
  commitState("999990007", "2026-11-15");
  commitState("999900018", "");  // nothing waits
  auto due = f.eb.clientsToReview(*iwmo::Date::parse("2026-12-01"), 10);
  REQUIRE(due);
  CHECK(*due == std::vector<std::string>{"999990007", "999948714"});
  due = f.eb.clientsToReview(*iwmo::Date::parse("2026-11-30"), 10);
  REQUIRE(due);
  CHECK(*due == std::vector<std::string>{"999990007"});
  due = f.eb.clientsToReview(*iwmo::Date::parse("2026-12-31"), 1);
  REQUIRE(due);
  CHECK(due->size() == 1);
  // A later decision without a review day takes the client off the list.
  commitState("999990007", "");
  due = f.eb.clientsToReview(*iwmo::Date::parse("2026-12-31"), 10);
  REQUIRE(due);
  CHECK(*due == std::vector<std::string>{"999948714"});
}
