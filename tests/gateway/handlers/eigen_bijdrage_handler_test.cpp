// EigenBijdrageHandler (gateway/handlers/eigen_bijdrage_handler.h) in the daemon's chain, on real
// iWmo messages (tests/support/iwmo_messages.h) validated by the real adapter, with the client's
// state attached by the real Preparer from a MemoryJournal and the real iEb writer (gateway/cli
// wiring: adapters/ieb, validated against the project's schemas). StUF-GGk envelopes are off, so
// the WMO405 in the outbox is the bare iEb message. Each result is committed into the journal
// and what it changed is read back through the EbStore: the state the next message is prepared
// with is the one this commit wrote.
#include "gateway/handlers/eigen_bijdrage_handler.h"

#include <catch2/catch.hpp>

#include "adapters/ieb/eb001.h"
#include "adapters/ieb/ieb_writer.h"
#include "support/handler_harness.h"
#include "support/iwmo_messages.h"
#include "support/test_support.h"

namespace {

using iwmo::test::HandlerHarness;
using iwmo::test::MessageHeader;
using iwmo::test::noonOf;
using iwmo::test::ProductLine;

const std::string kBsn = "999948714";

iwmo::config::Config configWith(iwmo::rules::EbStartAt start_at) {
  iwmo::config::Config config = iwmo::test::defaultConfig();
  config.ggk_envelope.envelopes = false;
  config.eigen_bijdrage.params.default_start_at = start_at;
  return config;
}

HandlerHarness harness(iwmo::rules::EbStartAt start_at) {
  return HandlerHarness(iwmo::test::daemonChain(configWith(start_at)));
}

MessageHeader header(const std::string& identificatie, const std::string& dagtekening) {
  MessageHeader h;
  h.identificatie = identificatie;
  h.dagtekening = dagtekening;
  return h;
}

ProductLine line(const std::string& ingangsdatum, const std::string& einddatum = "",
                 const std::string& begindatum = "") {
  ProductLine l;
  l.toewijzing_nummer = 100;
  l.categorie = "02";
  l.code = "02A01";
  l.ingangsdatum = ingangsdatum;
  l.einddatum = einddatum;
  l.begindatum = begindatum;
  return l;
}

const iwmo::proto::Decision* decisionOf(const iwmo::proto::HandlerResult& result, const std::string& handler) {
  for (const auto& decision : result.decisions()) {
    if (decision.handler() == handler) return &decision;
  }
  return nullptr;
}

bool hasRule(const iwmo::proto::Decision& decision, const std::string& rule) {
  return std::find(decision.rule_ids().begin(), decision.rule_ids().end(), rule) != decision.rule_ids().end();
}

std::vector<const iwmo::proto::Outgoing*> toCak(const iwmo::proto::HandlerResult& result) {
  std::vector<const iwmo::proto::Outgoing*> out;
  for (const auto& o : result.outgoing()) {
    if (o.peer() == "cak") out.push_back(&o);
  }
  return out;
}

// The iEb message as the CAK reads it: valid against the project's iEb schemas, its summary.
iwmo::proto::MessageSummary readIeb(const std::string& payload) {
  const auto envelope = iwmo::test::validateWithProjectSchemas(payload);
  INFO(payload);
  REQUIRE(envelope.verdict().valid());
  return envelope.summary();
}

iwmo::proto::EbClientState storedState(HandlerHarness& h) {
  auto state = h.journal().eb().clientState(kBsn);
  INFO(state.status().toString());
  REQUIRE(state);
  return *state;
}

// The WMO406 the CAK answers `heen` (a WMO405 as written by the gateway) with: header only when
// `code` is empty, else the client's period rejected with `code`.
std::string wmo406(const std::string& heen, const std::string& code) {
  const auto summary = readIeb(heen);
  std::vector<iwmo::adapters::ieb::RetourClient> clients;
  if (!code.empty()) {
    for (const auto& record : summary.eb_records()) {
      iwmo::adapters::ieb::RetourClient& client = clients.emplace_back();
      client.record = record;
      client.client_codes = {"0200"};
      client.period_codes = {code};
    }
  }
  return iwmo::adapters::ieb::writeRetour(summary, "CAK-R1", iwmo::Date::fromYmd(2026, 2, 23), {}, clients);
}

}  // namespace

TEST_CASE("eigen-bijdrage handler: a WMO301 for a new client (start at toewijzing) sends a WMO405 with a status-1 "
          "record, and the commit stores the period",
          "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kToewijzing);
  const auto received = h.receive(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01", "2026-12-31")}),
                                  "backoffice", noonOf("2026-02-20"));
  const auto item = h.prepared(received.id);
  REQUIRE(item.eb_state().looked_up());  // attached, empty: a client never seen
  CHECK(item.eb_state().periods_size() == 0);
  const auto result = h.run(item);

  const auto* decision = decisionOf(result, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "sent");
  CHECK(hasRule(*decision, "EB-AT-START"));
  const auto cak = toCak(result);
  REQUIRE(cak.size() == 1);
  const std::string identificatie = "EB" + std::to_string(received.id) + "-1";
  CHECK(cak[0]->message_type() == "WMO405");
  CHECK(cak[0]->receiver() == "CAK");
  CHECK(cak[0]->sender() == "0599");
  CHECK(cak[0]->identificatie() == identificatie);
  const auto wmo405 = readIeb(cak[0]->payload());
  CHECK(wmo405.message_type() == "WMO405");
  CHECK(wmo405.header().afzender() == "0599");
  CHECK(wmo405.header().identificatie() == identificatie);
  CHECK(wmo405.header().dagtekening() == "2026-02-20");  // the day of receipt
  REQUIRE(wmo405.eb_records_size() == 1);
  const auto& record = wmo405.eb_records(0);
  CHECK(record.bsn() == kBsn);
  CHECK(record.status_aanlevering() == "1");
  CHECK(record.start_nummer() == received.id * 10 + 1);
  CHECK(record.startdatum() == "2026-03-01");
  // The WMO301 itself still goes to the provider.
  REQUIRE(result.outgoing_size() == 2);
  CHECK(result.outgoing(0).peer() == "ggk");
  CHECK(result.outgoing(0).payload() == item.envelope().payload());

  // What the commit would write ...
  REQUIRE(result.eb_state().periods_size() == 1);
  const auto& period = result.eb_state().periods(0);
  CHECK(period.kind() == "AT");
  CHECK(period.afzender() == "0599");
  CHECK(period.start_nummer() == record.start_nummer());
  CHECK(period.last_identificatie() == identificatie);
  REQUIRE(result.eb_sent_size() == 1);
  // ... is what the store reads back once it is committed.
  h.commit(result, noonOf("2026-02-20"));
  const auto stored = storedState(h);
  REQUIRE(stored.periods_size() == 1);
  CHECK(stored.periods(0).start_nummer() == record.start_nummer());
  CHECK(stored.periods(0).startdatum() == "2026-03-01");
  CHECK(stored.periods(0).last_sent().status_aanlevering() == "1");
  CHECK(stored.periods(0).last_answer() == "pending");
  REQUIRE(stored.provisions_size() == 1);
  CHECK(stored.provisions(0).toewijzing_nummer() == 100);
  const auto sent = h.journal().eb().sentIn("WMO405", identificatie);
  REQUIRE(sent);
  REQUIRE(sent->size() == 1);
  CHECK((*sent)[0].message_id() == received.id);
  CHECK((*sent)[0].record().start_nummer() == record.start_nummer());
  const auto outbox = h.journal().queue().dueOutbox(noonOf("2026-02-20"), 10);
  REQUIRE(outbox);
  REQUIRE(outbox->size() == 2);
  CHECK((*outbox)[1].peer == "cak");
  CHECK((*outbox)[1].payload == cak[0]->payload());
}

TEST_CASE("eigen-bijdrage handler: at delivery, the WMO305 starts the period (status 1) and the WMO307's Einddatum "
          "is a status-2 change of the stored record",
          "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kDelivery);
  // The toewijzing alone sends nothing yet, but its provision is kept.
  const auto toewijzing = h.process(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}),
                                    "backoffice", noonOf("2026-02-20"));
  CHECK(toCak(toewijzing).empty());
  const auto* waiting = decisionOf(toewijzing, "eigen-bijdrage");
  REQUIRE(waiting != nullptr);
  CHECK(hasRule(*waiting, "EB-WAITING-DELIVERY"));
  REQUIRE(storedState(h).provisions_size() == 1);
  CHECK(storedState(h).periods_size() == 0);

  const auto start = h.process(iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line("2026-03-01", "", "2026-03-02")}),
                               "ggk", noonOf("2026-03-05"));
  auto cak = toCak(start);
  REQUIRE(cak.size() == 1);
  const auto started = readIeb(cak[0]->payload());
  REQUIRE(started.eb_records_size() == 1);
  CHECK(started.eb_records(0).status_aanlevering() == "1");
  CHECK(started.eb_records(0).startdatum() == "2026-03-02");
  CHECK(started.eb_records(0).stopdatum().empty());
  const std::uint64_t start_nummer = started.eb_records(0).start_nummer();

  // The stop is prepared with the state the start's commit wrote.
  const auto stop_received =
      h.receive(iwmo::test::wmo307(header("SP-1", "2026-07-02"), {line("2026-03-01", "2026-06-30", "2026-03-02")}), "ggk",
                noonOf("2026-07-02"));
  const auto stop_item = h.prepared(stop_received.id);
  REQUIRE(stop_item.eb_state().periods_size() == 1);
  CHECK(stop_item.eb_state().periods(0).start_nummer() == start_nummer);
  CHECK(stop_item.eb_state().periods(0).last_sent().status_aanlevering() == "1");
  CHECK(stop_item.eb_state().periods(0).last_answer() == "pending");
  const auto stop = h.run(stop_item);
  const auto* decision = decisionOf(stop, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(hasRule(*decision, "EB-AT-CHANGE"));
  cak = toCak(stop);
  REQUIRE(cak.size() == 1);
  const auto changed = readIeb(cak[0]->payload());
  REQUIRE(changed.eb_records_size() == 1);
  CHECK(changed.eb_records(0).status_aanlevering() == "2");
  CHECK(changed.eb_records(0).start_nummer() == start_nummer);  // the same period, the whole record
  CHECK(changed.eb_records(0).startdatum() == "2026-03-02");
  CHECK(changed.eb_records(0).stopdatum() == "2026-06-30");

  h.commit(stop, noonOf("2026-07-02"));
  const auto stored = storedState(h);
  REQUIRE(stored.periods_size() == 1);
  CHECK(stored.periods(0).stopdatum() == "2026-06-30");
  CHECK(stored.periods(0).last_sent().status_aanlevering() == "2");
  CHECK(stored.periods(0).last_identificatie() == "EB" + std::to_string(stop_received.id) + "-1");
  const auto records = h.journal().eb().records("");
  REQUIRE(records);
  REQUIRE(records->size() == 2);
  CHECK((*records)[0].record.status_aanlevering() == "1");
  CHECK((*records)[1].record.status_aanlevering() == "2");
  CHECK((*records)[1].record.start_nummer() == start_nummer);
}

TEST_CASE("eigen-bijdrage handler: a CAK WMO406 with an EB001 error code rejects the record and queues an operator "
          "item naming the code",
          "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kToewijzing);
  const auto sent = h.process(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}), "backoffice",
                              noonOf("2026-02-20"));
  const auto cak = toCak(sent);
  REQUIRE(cak.size() == 1);
  const std::string identificatie = cak[0]->identificatie();

  const auto received = h.receive(wmo406(cak[0]->payload(), "9112"), "cak", noonOf("2026-02-23"));
  const auto item = h.prepared(received.id);
  REQUIRE(item.envelope().verdict().valid());
  CHECK(item.envelope().summary().message_type() == "WMO406");
  // The Preparer attached the records of the WMO405 it answers.
  REQUIRE(item.eb_sent_looked_up());
  REQUIRE(item.eb_sent_size() == 1);
  CHECK(item.eb_sent(0).identificatie() == identificatie);
  const auto result = h.run(item);

  const auto* routing = decisionOf(result, "routing");
  REQUIRE(routing != nullptr);
  CHECK(routing->rule_ids(0) == "ROUTE-IEB-RETOUR");
  CHECK(result.outgoing_size() == 0);  // consumed, not forwarded
  const auto* decision = decisionOf(result, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "rejected-by-cak");
  CHECK(hasRule(*decision, "EB-RETOUR-REJECTED"));
  REQUIRE(result.eb_answers_size() == 1);
  CHECK_FALSE(result.eb_answers(0).accepted());
  CHECK(result.eb_answers(0).identificatie() == identificatie);
  REQUIRE(result.eb_attention_size() == 1);
  CHECK(result.eb_attention(0).kind() == "rejected");
  CHECK(result.eb_attention(0).rule() == "EB-CAK-REJECTED");
  CHECK_THAT(result.eb_attention(0).summary(), Catch::Contains("9112") &&
                                                   Catch::Contains(iwmo::adapters::ieb::describeEb001("9112")));

  h.commit(result, noonOf("2026-02-23"));
  const auto rejected = h.journal().eb().records("rejected");
  REQUIRE(rejected);
  REQUIRE(rejected->size() == 1);
  CHECK((*rejected)[0].retour_codes == "9112");
  CHECK((*rejected)[0].retour_message_id == received.id);
  const auto attention = h.journal().eb().attention(false);
  REQUIRE(attention);
  REQUIRE(attention->size() == 1);
  CHECK((*attention)[0].kind == "rejected");
  CHECK((*attention)[0].message_id == received.id);
  CHECK_THAT((*attention)[0].summary, Catch::Contains("9112"));
  CHECK(storedState(h).periods(0).last_answer() == "rejected");
}

TEST_CASE("eigen-bijdrage handler: a header-only WMO406 accepts every record it answers", "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kToewijzing);
  const auto sent = h.process(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}), "backoffice",
                              noonOf("2026-02-20"));
  REQUIRE(toCak(sent).size() == 1);
  const auto answered = h.process(wmo406(toCak(sent)[0]->payload(), ""), "cak", noonOf("2026-02-23"));
  const auto* decision = decisionOf(answered, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "accepted");
  CHECK(answered.eb_attention_size() == 0);
  const auto accepted = h.journal().eb().records("accepted");
  REQUIRE(accepted);
  CHECK(accepted->size() == 1);
  CHECK(h.journal().eb().records("pending")->empty());
  CHECK(storedState(h).periods(0).last_answer() == "accepted");
}

TEST_CASE("eigen-bijdrage handler: a WMO406 answering a WMO405 the gateway never sent is queued unmatched",
          "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kToewijzing);
  iwmo::proto::EbRecord record;
  record.set_bsn(kBsn);
  record.set_kind("AT");
  record.set_status_aanlevering("1");
  record.set_start_nummer(4711);
  record.set_startdatum("2026-03-01");
  const std::string foreign =
      iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "EB999-1", iwmo::Date::fromYmd(2026, 2, 20)}, {record});
  const auto result = h.process(wmo406(foreign, "9112"), "cak", noonOf("2026-02-23"));
  const auto* decision = decisionOf(result, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "unmatched");
  CHECK(hasRule(*decision, "EB-RETOUR-UNKNOWN"));
  CHECK(result.eb_answers_size() == 0);
  const auto attention = h.journal().eb().attention(false);
  REQUIRE(attention);
  REQUIRE(attention->size() == 1);
  CHECK((*attention)[0].kind == "unmatched");
  CHECK((*attention)[0].rule == "EB-RETOUR-UNKNOWN");
  CHECK_THAT((*attention)[0].summary, Catch::Contains("EB999-1"));
}

TEST_CASE("eigen-bijdrage handler: a duplicate WMO305 gets no state and sends nothing twice", "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kDelivery);
  h.process(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}), "backoffice", noonOf("2026-02-20"));
  const std::string start = iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line("2026-03-01", "", "2026-03-02")});
  REQUIRE(toCak(h.process(start, "ggk", noonOf("2026-03-05"))).size() == 1);

  const auto again = h.receive(start, "ggk", noonOf("2026-03-06"));
  REQUIRE(again.kind == iwmo::journal::AppendKind::kDuplicate);
  const auto item = h.prepared(again.id);
  CHECK_FALSE(item.eb_state().looked_up());  // a duplicate needs no state
  const auto result = h.run(item);
  CHECK(result.disposition() == "rejected");
  CHECK(decisionOf(result, "eigen-bijdrage") == nullptr);
  CHECK(toCak(result).empty());
  CHECK_FALSE(result.has_eb_state());
  h.commit(result, noonOf("2026-03-06"));
  const auto records = h.journal().eb().records("");
  REQUIRE(records);
  CHECK(records->size() == 1);
}

TEST_CASE("eigen-bijdrage handler: EB-NO-STATE: without the client's state nothing is sent and a person is asked",
          "[handlers][ieb]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kToewijzing);
  const auto received = h.receive(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}), "backoffice",
                                  noonOf("2026-02-20"));
  auto item = h.prepared(received.id);
  item.clear_eb_state();  // as when the Preparer could not read it
  const auto result = h.run(item);
  const auto* decision = decisionOf(result, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "error");
  CHECK(hasRule(*decision, "EB-NO-STATE"));
  CHECK(toCak(result).empty());
  h.commit(result, noonOf("2026-02-20"));
  CHECK(storedState(h).periods_size() == 0);
  const auto attention = h.journal().eb().attention(false);
  REQUIRE(attention);
  REQUIRE(attention->size() == 1);
  CHECK((*attention)[0].kind == "manual");
  CHECK((*attention)[0].rule == "EB-NO-STATE");
}

TEST_CASE("eigen-bijdrage handler: an iEb message that cannot be written keeps the client's state and leaves the "
          "retry to the next day's tick (issue 14)",
          "[handlers][ieb][tick]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kDelivery);
  const auto received = h.receive(iwmo::test::wmo305(header("ST-1", "2026-03-05"), {line("2026-03-01", "", "2026-03-02")}),
                                  "ggk", noonOf("2026-03-05"));
  const auto item = h.prepared(received.id);
  const iwmo::handlers::EigenBijdrageHandler failing(
      configWith(iwmo::rules::EbStartAt::kDelivery).eigen_bijdrage.params,
      [](const iwmo::handlers::IebMessage&) -> iwmo::Result<std::string> {
        return iwmo::Status::invalid("the test's writer writes nothing");
      },
      [](const std::string& code) { return code; });
  iwmo::proto::HandlerResult result;
  result.set_message_id(item.message_id());
  failing.handle(item, result);
  const auto* decision = decisionOf(result, "eigen-bijdrage");
  REQUIRE(decision != nullptr);
  CHECK(hasRule(*decision, "EB-WRITE-INVALID"));
  CHECK(toCak(result).empty());
  CHECK(result.eb_sent_size() == 0);
  h.commit(result, noonOf("2026-03-05"));
  // The state as it was (no period was sent), due for the tick of the next day.
  CHECK(storedState(h).periods_size() == 0);
  CHECK(storedState(h).review_on() == "2026-03-06");
  auto today = h.journal().eb().clientsToReview(iwmo::Date::fromYmd(2026, 3, 5), 10);
  REQUIRE(today);
  CHECK(today->empty());
  auto due = h.journal().eb().clientsToReview(iwmo::Date::fromYmd(2026, 3, 6), 10);
  REQUIRE(due);
  CHECK(*due == std::vector<std::string>{kBsn});
}

TEST_CASE("eigen-bijdrage handler: a tick for a client with no period left clears the client's review day (issue 14)",
          "[handlers][ieb][tick]") {
  HandlerHarness h = harness(iwmo::rules::EbStartAt::kDelivery);
  // A toewijzing at delivery: a provision, no period.
  h.process(iwmo::test::wmo301(header("TW-1", "2026-02-20"), {line("2026-03-01")}), "backoffice", noonOf("2026-02-20"));
  // The next message of the client, made a tick: prepared with that state.
  const auto received = h.receive(iwmo::test::wmo301(header("TW-2", "2026-02-21"), {line("2026-03-01")}), "backoffice",
                                  noonOf("2026-02-21"));
  auto tick = h.prepared(received.id);
  REQUIRE(tick.eb_state().looked_up());
  REQUIRE(tick.eb_state().periods_size() == 0);
  tick.mutable_eb_state()->set_review_on("2026-02-21");  // as a stale review day would be
  tick.set_peer("");                                      // the gateway's own
  tick.mutable_envelope()->mutable_summary()->set_message_type("EB-TICK");
  tick.mutable_envelope()->mutable_summary()->clear_products();
  const iwmo::handlers::EigenBijdrageHandler handler(
      configWith(iwmo::rules::EbStartAt::kDelivery).eigen_bijdrage.params,
      [](const iwmo::handlers::IebMessage&) -> iwmo::Result<std::string> { return iwmo::Status::invalid("unused"); },
      [](const std::string& code) { return code; });
  REQUIRE(handler.needsState(tick));
  iwmo::proto::HandlerResult result;
  handler.handle(tick, result);
  CHECK(result.decisions_size() == 0);
  CHECK(toCak(result).empty());
  REQUIRE(result.has_eb_state());
  CHECK(result.eb_state().looked_up());
  CHECK(result.eb_state().review_on().empty());
  CHECK(result.eb_state().provisions_size() == 1);  // the state itself unchanged
  CHECK(result.eb_state().first_start_nummer() == 0);
}
