// RoutingHandler (gateway/handlers/routing_handler.h) on real messages (demo/messages, and the
// builders of tests/support/iwmo_messages.h) validated by the real adapter and journaled in a
// MemoryJournal: where a valid message goes, and how a refused one is refused (its payload and a
// report naming the rule in the rejected area). Then in the daemon's chain (the GGk handler
// after it, the Preparer attaching the GgkLink): a TR056 duplicate from the GGk is refused and
// answered with retour 9056 in a Du01 (DESIGN §3 level 3), a redelivery of the same content is
// not answered twice, and a back-office retour is refused unless its heen message was received.
// Results are committed and read back (outbox, GgkStore).
#include "gateway/handlers/routing_handler.h"

#include <catch2/catch.hpp>

#include "support/handler_harness.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace {

using iwmo::test::HandlerHarness;

const iwmo::Timestamp kAt = iwmo::Timestamp::fromSeconds(1772712000);  // 2026-03-05T12:00:00Z

std::string demo(const std::string& name) {
  return iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages" / name);
}

HandlerHarness routingOnly() {
  std::vector<std::unique_ptr<const iwmo::handlers::Handler>> handlers;
  handlers.push_back(std::make_unique<iwmo::handlers::RoutingHandler>(iwmo::rules::RoutingParams{{"0599"}}));
  return HandlerHarness(std::make_unique<const iwmo::handlers::HandlerChain>(std::move(handlers)));
}

const iwmo::proto::Decision& routingDecision(const iwmo::proto::HandlerResult& result) {
  for (const auto& decision : result.decisions()) {
    if (decision.handler() == "routing") return decision;
  }
  FAIL("no routing decision");
  return result.decisions(0);
}

const iwmo::proto::Decision* decisionOf(const iwmo::proto::HandlerResult& result, const std::string& handler) {
  for (const auto& decision : result.decisions()) {
    if (decision.handler() == handler) return &decision;
  }
  return nullptr;
}

// A refused message: disposition rejected; its payload and a report naming `rule` in the
// rejected area, nothing anywhere else.
void checkRefused(const iwmo::proto::HandlerResult& result, const iwmo::proto::WorkItem& item, const std::string& rule) {
  CHECK(result.disposition() == "rejected");
  const auto& decision = routingDecision(result);
  CHECK(decision.outcome() == "rejected");
  REQUIRE(decision.rule_ids_size() == 1);
  CHECK(decision.rule_ids(0) == rule);
  CHECK_FALSE(decision.summary().empty());
  REQUIRE(result.outgoing_size() == 2);
  CHECK(result.outgoing(0).peer() == "rejected");
  CHECK(result.outgoing(0).payload() == item.envelope().payload());
  CHECK(result.outgoing(1).peer() == "rejected");
  CHECK(result.outgoing(1).message_type() == "REPORT");
  CHECK_THAT(result.outgoing(1).file_name(), Catch::EndsWith(".report.txt"));
  CHECK_THAT(result.outgoing(1).payload(), Catch::Contains(rule + ": " + decision.summary()));
}

}  // namespace

TEST_CASE("routing handler: a WMO301 from the back office goes to the GGk, for the aanbieder of its header",
          "[handlers][routing]") {
  HandlerHarness h = routingOnly();
  const auto received = h.receive(demo("valid/01-WMO301-toewijzing-hh-de-graaf.xml"), "backoffice", kAt);
  const auto item = h.prepared(received.id);
  REQUIRE(item.envelope().verdict().valid());
  const auto result = h.run(item);
  CHECK(result.disposition() == "routed");
  const auto& decision = routingDecision(result);
  CHECK(decision.outcome() == "routed");
  CHECK(decision.rule_ids(0) == "ROUTE-PASS-THROUGH");
  CHECK_THAT(decision.summary(), Catch::Contains("gemeente 0599") && Catch::Contains("aanbieder 65656055"));
  REQUIRE(result.outgoing_size() == 1);
  const auto& out = result.outgoing(0);
  CHECK(out.peer() == "ggk");
  CHECK(out.receiver() == "65656055");
  CHECK(out.message_type() == "WMO301");
  CHECK(out.payload() == item.envelope().payload());
  CHECK(out.file_name() == iwmo::handlers::fileStem(item) + ".xml");

  h.commit(result, kAt);
  const auto outbox = h.journal().queue().dueOutbox(kAt, 10);
  REQUIRE(outbox);
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].peer == "ggk");
  CHECK((*outbox)[0].message_id == received.id);
  CHECK((*outbox)[0].receiver == "65656055");
  const auto story = h.journal().queue().story(received.id);
  REQUIRE(story);
  CHECK(story->message.disposition == "routed");
  REQUIRE(story->decisions.size() == 1);
  CHECK(story->decisions[0].decision.rule_ids(0) == "ROUTE-PASS-THROUGH");
}

TEST_CASE("routing handler: a WMO305 from the GGk goes to the back office of its municipality", "[handlers][routing]") {
  HandlerHarness h = routingOnly();
  const auto result = h.process(demo("valid/05-WMO305-start-hh-corrected.xml"), "ggk", kAt);
  CHECK(routingDecision(result).rule_ids(0) == "ROUTE-PASS-THROUGH");
  REQUIRE(result.outgoing_size() == 1);
  CHECK(result.outgoing(0).peer() == "backoffice");
  CHECK(result.outgoing(0).receiver() == "0599");
}

TEST_CASE("routing handler: a message from the wrong side is refused with REJECT-DIRECTION", "[handlers][routing]") {
  HandlerHarness h = routingOnly();
  const auto received = h.receive(demo("valid/01-WMO301-toewijzing-hh-de-graaf.xml"), "ggk", kAt);
  const auto item = h.prepared(received.id);
  const auto result = h.run(item);
  checkRefused(result, item, "REJECT-DIRECTION");
  CHECK_THAT(routingDecision(result).summary(), Catch::Contains("arrived from ggk") && Catch::Contains("gemeente"));
  h.commit(result, kAt);
  const auto story = h.journal().queue().story(received.id);
  REQUIRE(story);
  CHECK(story->message.disposition == "rejected");
  REQUIRE(story->outgoing.size() == 2);
  CHECK(story->outgoing[0].first.peer == "rejected");
}

TEST_CASE("routing handler: a message for a municipality the gateway does not serve is refused", "[handlers][routing]") {
  HandlerHarness h = routingOnly();
  iwmo::test::MessageHeader header;
  header.identificatie = "TW-1";
  header.dagtekening = "2026-02-20";
  header.gemeente = "0363";
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 100;
  line.ingangsdatum = "2026-03-01";
  const auto received = h.receive(iwmo::test::wmo301(header, {line}), "backoffice", kAt);
  const auto item = h.prepared(received.id);
  REQUIRE(item.envelope().verdict().valid());
  const auto result = h.run(item);
  checkRefused(result, item, "REJECT-NOT-OWN-GEMEENTE");
  CHECK_THAT(routingDecision(result).summary(), Catch::Contains("0363") && Catch::Contains("0599"));
}

TEST_CASE("routing handler: a message that is no known iWmo message, or breaks a rule, is refused by its level",
          "[handlers][routing]") {
  HandlerHarness h = routingOnly();
  auto received = h.receive(demo("invalid/unknown-message-type.xml"), "backoffice", kAt);
  auto item = h.prepared(received.id);
  REQUIRE_FALSE(item.envelope().verdict().valid());
  auto result = h.run(item);
  checkRefused(result, item, "REJECT-LEVEL-1");
  CHECK_THAT(result.outgoing(1).payload(), Catch::Contains("findings (level 1)"));
  CHECK(result.outgoing(1).file_name() == "000000001-UNKNOWN.report.txt");

  received = h.receive(demo("invalid/WMO305-bsn-elfproef.xml"), "ggk", kAt);
  item = h.prepared(received.id);
  REQUIRE(item.envelope().verdict().level() == 2);
  result = h.run(item);
  checkRefused(result, item, "REJECT-LEVEL-2");
}

TEST_CASE("routing handler: TR056: a reused Identificatie from the GGk is refused and answered with retour 9056 "
          "in a Du01",
          "[handlers][routing][ggk]") {
  HandlerHarness h(iwmo::test::daemonChain(iwmo::test::defaultConfig()));
  iwmo::test::MessageHeader header;
  header.identificatie = "ST-1";
  header.dagtekening = "2026-03-05";
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 100;
  line.ingangsdatum = "2026-03-01";
  line.begindatum = "2026-03-02";
  const std::string first = iwmo::test::wmo305(header, {line});
  line.begindatum = "2026-03-03";  // other content, the same Identificatie
  const std::string second = iwmo::test::wmo305(header, {line});
  const std::string ref1 = "11111111-2222-4333-8444-555555555555";
  const std::string ref2 = "11111111-2222-4333-8444-666666666666";

  const auto original = h.process(iwmo::test::wrapDi01(first, "WMO305", "42420001", "0599", ref1), "ggk", kAt);
  CHECK(routingDecision(original).rule_ids(0) == "ROUTE-PASS-THROUGH");

  const auto received = h.receive(iwmo::test::wrapDi01(second, "WMO305", "42420001", "0599", ref2), "ggk", kAt);
  REQUIRE(received.kind == iwmo::journal::AppendKind::kDuplicate);
  const auto item = h.prepared(received.id);
  REQUIRE(item.envelope().ggk().kind() == "Di01");
  const auto result = h.run(item);
  CHECK(result.disposition() == "rejected");
  CHECK(routingDecision(result).rule_ids(0) == "REJECT-DUPLICATE");
  CHECK_THAT(routingDecision(result).summary(), Catch::Contains("duplicate of message #" + std::to_string(original.message_id())));
  const auto* answer = decisionOf(result, "ggk");
  REQUIRE(answer != nullptr);
  CHECK(answer->rule_ids(0) == "ANSWER-RETOUR-9056");
  // Nothing goes to the back office; the retour goes back in a Du01 answering the Di01 it came in.
  const iwmo::proto::Outgoing* du01 = nullptr;
  for (const auto& out : result.outgoing()) {
    CHECK(out.peer() != "backoffice");
    if (out.peer() == "ggk") du01 = &out;
  }
  REQUIRE(du01 != nullptr);
  CHECK(du01->ggk().kind() == "Du01");
  CHECK(du01->ggk().cross_refnummer() == ref2);
  CHECK(du01->receiver() == "42420001");
  const auto read = iwmo::test::readGgkDocument(du01->payload());
  CHECK(read.kind == "Du01");
  CHECK(read.cross_refnummer == ref2);
  CHECK(read.ontvanger == "42420001");
  const auto retour = iwmo::test::validateWithProjectSchemas(read.payload);
  REQUIRE(retour.verdict().valid());
  CHECK(retour.summary().message_type() == "WMO306");
  CHECK(std::find(retour.summary().header().retour_codes().begin(), retour.summary().header().retour_codes().end(),
                  "9056") != retour.summary().header().retour_codes().end());

  h.commit(result, kAt);
  const auto sent = h.journal().ggk().sent(du01->ggk().referentienummer());
  REQUIRE(sent);
  REQUIRE(sent->has_value());
  CHECK((*sent)->kind() == "Du01");
  CHECK((*sent)->cross_refnummer() == ref2);
  CHECK((*sent)->message_id() == received.id);
}

TEST_CASE("routing handler: the same content again is refused as a duplicate but not answered twice",
          "[handlers][routing][ggk]") {
  HandlerHarness h(iwmo::test::daemonChain(iwmo::test::defaultConfig()));
  const std::string bytes = iwmo::test::wrapDi01(demo("valid/05-WMO305-start-hh-corrected.xml"), "WMO305", "65656055",
                                                 "0599", "11111111-2222-4333-8444-777777777777");
  h.process(bytes, "ggk", kAt);
  // The same bytes from another source (a second download of the file): a duplicate of the same content.
  const auto received = h.receive(bytes, "ggk", kAt.plusMillis(1));
  REQUIRE(received.kind == iwmo::journal::AppendKind::kDuplicate);
  const auto item = h.prepared(received.id);
  REQUIRE(item.duplicate_same_content());
  const auto result = h.run(item);
  CHECK(routingDecision(result).rule_ids(0) == "REJECT-DUPLICATE");
  const auto* answer = decisionOf(result, "ggk");
  REQUIRE(answer != nullptr);
  CHECK(answer->rule_ids(0) == "ANSWER-NONE");
  for (const auto& out : result.outgoing()) CHECK(out.peer() == "rejected");
}

TEST_CASE("routing handler: REJECT-UNKNOWN-HEEN: a back-office retour is refused until its heen message was received",
          "[handlers][routing][ggk]") {
  const std::string retour = demo("valid/06-WMO306-retour-start-hh-approved.xml");
  {
    HandlerHarness h(iwmo::test::daemonChain(iwmo::test::defaultConfig()));
    const auto received = h.receive(retour, "backoffice", kAt);
    const auto item = h.prepared(received.id);
    REQUIRE(item.ggk().looked_up());  // the Preparer looked for the heen message ...
    CHECK_FALSE(item.ggk().heen_found());  // ... and found none
    const auto result = h.run(item);
    checkRefused(result, item, "REJECT-UNKNOWN-HEEN");
  }
  HandlerHarness h(iwmo::test::daemonChain(iwmo::test::defaultConfig()));
  const auto heen = h.process(demo("valid/05-WMO305-start-hh-corrected.xml"), "ggk", kAt);
  REQUIRE(heen.disposition() == "routed");
  const auto received = h.receive(retour, "backoffice", kAt.plusMillis(1));
  const auto item = h.prepared(received.id);
  REQUIRE(item.ggk().heen_found());
  CHECK(item.ggk().heen_message_id() == heen.message_id());
  const auto result = h.run(item);
  CHECK(result.disposition() == "routed");
  CHECK(routingDecision(result).rule_ids(0) == "ROUTE-PASS-THROUGH");
  bool to_ggk = false;
  for (const auto& out : result.outgoing()) {
    if (out.peer() != "ggk") continue;
    to_ggk = true;
    CHECK(out.receiver() == "65656055");
    CHECK(out.payload() == item.envelope().payload());  // the heen arrived bare: the retour leaves bare
  }
  CHECK(to_ggk);
}
