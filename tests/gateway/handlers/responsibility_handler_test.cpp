// ResponsibilityHandler on real messages (the demo's BW toewijzing, start and an invented stop),
// validated by the project's schemas, with a client context as the dispatcher attaches it.
#include "gateway/handlers/responsibility_handler.h"

#include <catch2/catch.hpp>

#include "gateway/handlers/routing_handler.h"
#include "support/test_support.h"

namespace {

using iwmo::handlers::HandlerChain;
using iwmo::handlers::ResponsibilityHandler;
using iwmo::handlers::RoutingHandler;

std::shared_ptr<const iwmo::rules::GemeenteTable> table() {
  static const auto loaded = [] {
    auto parsed = iwmo::rules::GemeenteTable::parse(
        iwmo::test::readFile(iwmo::test::sourceDir() / "config/gemeenten.csv"), "config/gemeenten.csv");
    REQUIRE(parsed);
    return std::make_shared<const iwmo::rules::GemeenteTable>(std::move(*parsed));
  }();
  return loaded;
}

iwmo::proto::WorkItem item(const std::string& demo_file, const std::string& peer) {
  iwmo::proto::WorkItem work;
  work.set_message_id(7);
  work.set_peer(peer);
  *work.mutable_envelope() = iwmo::test::validateWithProjectSchemas(
      iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages/valid" / demo_file));
  REQUIRE(work.envelope().verdict().valid());
  return work;
}

// Schiedam until 2026-03-01, then a GGZ clinic in Rotterdam: under regime B, Schiedam (R6).
void attachClinicContext(iwmo::proto::WorkItem& work) {
  auto* context = work.mutable_context();
  context->set_looked_up(true);
  auto* before = context->add_brp();
  before->set_gemeente("0606");
  before->set_begin("2015-01-01");
  before->set_end("2026-03-01");
  before->set_kind("woonadres");
  before->set_address("SCH-1");
  auto* clinic = context->add_brp();
  clinic->set_gemeente("0599");
  clinic->set_begin("2026-03-01");
  clinic->set_kind("woonadres");
  clinic->set_address("ROT-GGZ");
  auto* inst = context->add_institutions();
  inst->set_address("ROT-GGZ");
  inst->set_type("ggz-clinic");
  inst->set_from("1990-01-01");
}

HandlerChain chain(std::optional<iwmo::Date> regime_b,
                   std::vector<iwmo::rules::BwProduct> bw_products = {{"15", ""}}) {
  iwmo::rules::ResponsibilityParams params;
  params.regime_b_effective = regime_b;
  std::vector<std::unique_ptr<const iwmo::handlers::Handler>> handlers;
  handlers.push_back(std::make_unique<RoutingHandler>(iwmo::rules::RoutingParams{{"0599"}}));
  handlers.push_back(std::make_unique<ResponsibilityHandler>(params, std::move(bw_products), table()));
  return HandlerChain(std::move(handlers));
}

const iwmo::proto::Decision* responsibilityDecision(const iwmo::proto::HandlerResult& result) {
  for (const auto& d : result.decisions()) {
    if (d.handler() == "responsibility") return &d;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("responsibility handler: regime A confirms the addressed municipality, no review", "[handlers][responsibility]") {
  auto work = item("15-WMO301-toewijzing-beschermd-wonen-kartosen.xml", "backoffice");
  attachClinicContext(work);
  const auto result = chain(std::nullopt).run(work);
  CHECK(result.disposition() == "routed");
  const auto* decision = responsibilityDecision(result);
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "confirmed");
  CHECK(decision->rule_ids(0) == "A-aanmeldgemeente");
  CHECK(result.reviews_size() == 0);
  CHECK(result.episode_updates_size() == 0);  // a toewijzing is not delivery
}

TEST_CASE("responsibility handler: regime B gives another municipality: review, delivered unchanged", "[handlers][responsibility]") {
  auto work = item("15-WMO301-toewijzing-beschermd-wonen-kartosen.xml", "backoffice");
  attachClinicContext(work);
  const auto result = chain(iwmo::Date::fromYmd(2025, 1, 1)).run(work);
  CHECK(result.disposition() == "routed");
  REQUIRE(result.outgoing_size() == 1);
  CHECK(result.outgoing(0).peer() == "ggk");
  CHECK(result.outgoing(0).payload() == work.envelope().payload());
  const auto* decision = responsibilityDecision(result);
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "review");
  CHECK(decision->rule_ids(0) == "B-institution");
  CHECK_THAT(decision->summary(), Catch::Contains("0606 Schiedam") && Catch::Contains("addressed to 0599 Rotterdam"));
  REQUIRE(result.reviews_size() == 1);
  CHECK(result.reviews(0).addressed() == "0599");
  CHECK(result.reviews(0).responsible() == "0606");
}

TEST_CASE("responsibility handler: WMO305 starts and WMO307 ends a BW episode", "[handlers][responsibility]") {
  auto start = item("17-WMO305-start-beschermd-wonen-kartosen.xml", "ggk");
  const auto started = chain(std::nullopt).run(start);
  REQUIRE(started.episode_updates_size() == 1);
  CHECK(started.episode_updates(0).bsn() == "999948714");
  CHECK(started.episode_updates(0).gemeente() == "0599");
  CHECK(started.episode_updates(0).toewijzing_nummer() == 2600401);
  CHECK(started.episode_updates(0).begin() == "2026-05-01");
  CHECK(started.episode_updates(0).end().empty());
  CHECK(started.episode_updates(0).kind() == iwmo::proto::EpisodeUpdate::START);
  // Without a client context nothing is decided: a person must (review), the message still goes.
  const auto* decision = responsibilityDecision(started);
  REQUIRE(decision != nullptr);
  CHECK(decision->outcome() == "review");
  CHECK(decision->rule_ids(0) == "RESPONSIBILITY-NO-CONTEXT");
  CHECK(started.reviews_size() == 1);
  CHECK(started.disposition() == "routed");

  // A region that counts this begeleiding product as BW: its stop ends the episode (last day).
  auto stop = item("25-WMO307-stop-begeleiding-oud-bakker.xml", "ggk");
  stop.mutable_context()->set_looked_up(true);
  const auto& product = stop.envelope().summary().products(0);
  const auto stopped = chain(std::nullopt, {{product.categorie(), product.code()}}).run(stop);
  REQUIRE(stopped.episode_updates_size() >= 1);
  CHECK(stopped.episode_updates(0).toewijzing_nummer() == product.toewijzing_nummer());
  CHECK(stopped.episode_updates(0).end() == product.einddatum());
  CHECK(stopped.episode_updates(0).kind() == iwmo::proto::EpisodeUpdate::STOP);
  CHECK_FALSE(stopped.episode_updates(0).end().empty());
  // The same product is not BW under the default mapping: no episode, no decision.
  const auto plain = chain(std::nullopt).run(stop);
  CHECK(plain.episode_updates_size() == 0);
  CHECK(responsibilityDecision(plain) == nullptr);
}

TEST_CASE("responsibility handler: not BW, invalid or duplicate messages get no responsibility decision", "[handlers][responsibility]") {
  auto hh = item("01-WMO301-toewijzing-hh-de-graaf.xml", "backoffice");  // productcategorie 01
  CHECK(responsibilityDecision(chain(std::nullopt).run(hh)) == nullptr);

  auto duplicate = item("15-WMO301-toewijzing-beschermd-wonen-kartosen.xml", "backoffice");
  duplicate.set_duplicate_of(3);
  duplicate.set_duplicate_reason("same content as #3");
  const auto rejected = chain(std::nullopt).run(duplicate);
  CHECK(rejected.disposition() == "rejected");
  CHECK(responsibilityDecision(rejected) == nullptr);
  CHECK(rejected.episode_updates_size() == 0);

  // From the wrong side (a gemeente's message arriving from the GGk): rejected, nothing decided.
  auto wrong_side = item("15-WMO301-toewijzing-beschermd-wonen-kartosen.xml", "ggk");
  const auto refused = chain(std::nullopt).run(wrong_side);
  CHECK(refused.disposition() == "rejected");
  CHECK(responsibilityDecision(refused) == nullptr);
}
