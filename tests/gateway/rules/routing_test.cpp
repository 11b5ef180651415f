// Pass-through routing (gateway/rules/routing.h): one case per rule id.
#include "gateway/rules/routing.h"

#include <catch2/catch.hpp>

using iwmo::rules::decideRoute;
using iwmo::rules::RoutingFacts;
using iwmo::rules::RoutingParams;

namespace {

RoutingFacts validStart() {
  RoutingFacts facts;
  facts.from_peer = iwmo::Peer::kGgk;
  facts.message_type = "WMO305";
  facts.valid = true;
  facts.sent_by = "aanbieder";
  facts.gemeente = "0599";
  facts.aanbieder = "65656055";
  return facts;
}

const RoutingParams kParams{{"0599", "0606"}};

}  // namespace

TEST_CASE("ROUTE-PASS-THROUGH: a provider's valid message goes to the back office", "[rules]") {
  const auto decision = decideRoute(validStart(), kParams);
  CHECK(decision.routed);
  CHECK(decision.rule_id == "ROUTE-PASS-THROUGH");
  CHECK(decision.to_peer == iwmo::Peer::kBackoffice);
  CHECK(decision.receiver == "0599");
  CHECK_FALSE(decision.trail.empty());
}

TEST_CASE("ROUTE-PASS-THROUGH: the gemeente's valid message goes to the GGk for the aanbieder", "[rules]") {
  RoutingFacts facts = validStart();
  facts.from_peer = iwmo::Peer::kBackoffice;
  facts.message_type = "WMO301";
  facts.sent_by = "gemeente";
  const auto decision = decideRoute(facts, kParams);
  CHECK(decision.routed);
  CHECK(decision.to_peer == iwmo::Peer::kGgk);
  CHECK(decision.receiver == "65656055");
}

TEST_CASE("REJECT-LEVEL-1 and REJECT-LEVEL-2 follow the verdict's level", "[rules]") {
  RoutingFacts facts = validStart();
  facts.valid = false;
  facts.level = 1;
  facts.codes = {"XSD", "XSD"};
  auto decision = decideRoute(facts, kParams);
  CHECK_FALSE(decision.routed);
  CHECK(decision.to_peer == iwmo::Peer::kRejected);
  CHECK(decision.rule_id == "REJECT-LEVEL-1");
  CHECK(decision.summary.find("(XSD)") != std::string::npos);  // each code once
  facts.level = 2;
  facts.codes = {"CS002"};
  decision = decideRoute(facts, kParams);
  CHECK(decision.rule_id == "REJECT-LEVEL-2");
}

TEST_CASE("REJECT-DUPLICATE wins over everything else", "[rules]") {
  RoutingFacts facts = validStart();
  facts.duplicate_of = 12;
  facts.duplicate_reason = "same content as #12";
  const auto decision = decideRoute(facts, kParams);
  CHECK(decision.rule_id == "REJECT-DUPLICATE");
  CHECK(decision.summary.find("#12") != std::string::npos);
}

TEST_CASE("REJECT-DIRECTION: a provider's message from the back office", "[rules]") {
  RoutingFacts facts = validStart();
  facts.from_peer = iwmo::Peer::kBackoffice;
  const auto decision = decideRoute(facts, kParams);
  CHECK(decision.rule_id == "REJECT-DIRECTION");
  CHECK_FALSE(decision.routed);
}

TEST_CASE("REJECT-NOT-OWN-GEMEENTE: a municipality this gateway does not serve", "[rules]") {
  RoutingFacts facts = validStart();
  facts.gemeente = "0363";
  const auto decision = decideRoute(facts, kParams);
  CHECK(decision.rule_id == "REJECT-NOT-OWN-GEMEENTE");
  CHECK(decision.summary.find("0599, 0606") != std::string::npos);
  facts.gemeente = "0606";
  CHECK(decideRoute(facts, kParams).routed);
}

TEST_CASE("routing of StUF-GGk documents: the envelope's ontvanger, refused envelopes, Fo01, unknown heen",
          "[rules][ggk]") {
  SECTION("a Di01 addressed to a municipality we do not serve is refused, whatever the header says") {
    auto facts = validStart();
    facts.envelope_kind = "Di01";
    facts.envelope_ontvanger = "0363";
    const auto decision = decideRoute(facts, kParams);
    CHECK_FALSE(decision.routed);
    CHECK(decision.rule_id == "REJECT-NOT-OWN-GEMEENTE");
    CHECK_THAT(decision.summary, Catch::Contains("envelope ontvanger"));
  }
  SECTION("a refused envelope is never forwarded, and gets no Fo01") {
    auto facts = validStart();
    facts.envelope_kind = "refused";
    facts.valid = false;
    facts.level = 1;
    facts.codes = {"PAYLOAD-BASE64"};
    const auto decision = decideRoute(facts, kParams);
    CHECK(decision.rule_id == "REJECT-ENVELOPE");
    CHECK(decision.to_peer == iwmo::Peer::kRejected);
    CHECK_THAT(decision.summary, Catch::Contains("PAYLOAD-BASE64"));
  }
  SECTION("a Fo01 is consumed (matched by the GGk handler)") {
    RoutingFacts facts;
    facts.from_peer = iwmo::Peer::kGgk;
    facts.message_type = "Fo01";
    facts.valid = true;
    facts.envelope_kind = "Fo01";
    facts.envelope_zender = "IB";
    const auto decision = decideRoute(facts, kParams);
    CHECK(decision.routed);
    CHECK(decision.rule_id == "ROUTE-GGK-FO01");
    CHECK(decision.to_peer == iwmo::Peer::kNone);
  }
  SECTION("a Du01 whose crossRefnummer names nothing we sent") {
    auto facts = validStart();
    facts.message_type = "WMO302";
    facts.is_retour = true;
    facts.envelope_kind = "Du01";
    facts.envelope_ontvanger = "0599";
    facts.heen_checked = true;
    facts.heen_known = false;
    const auto decision = decideRoute(facts, kParams);
    CHECK(decision.rule_id == "REJECT-UNKNOWN-HEEN");
    CHECK_THAT(decision.summary, Catch::Contains("never sent"));
    facts.heen_known = true;
    CHECK(decideRoute(facts, kParams).rule_id == "ROUTE-PASS-THROUGH");
    facts.heen_checked = false;  // the lookup failed: not refused on a guess
    CHECK(decideRoute(facts, kParams).rule_id == "ROUTE-PASS-THROUGH");
  }
  SECTION("a Du01 from the CAK whose crossRefnummer names no Di01 we sent it") {
    RoutingFacts facts;
    facts.from_peer = iwmo::Peer::kCak;
    facts.message_type = "WMO406";
    facts.valid = true;
    facts.is_retour = true;
    facts.sent_by = "cak";
    facts.gemeente = "0599";
    facts.envelope_kind = "Du01";
    facts.envelope_zender = "CAK";
    facts.envelope_ontvanger = "0599";
    facts.heen_checked = true;
    const auto decision = decideRoute(facts, kParams);
    CHECK(decision.rule_id == "REJECT-UNKNOWN-HEEN");
    CHECK_THAT(decision.summary, Catch::Contains("crossRefnummer is unknown"));
    facts.heen_known = true;
    CHECK(decideRoute(facts, kParams).rule_id == "ROUTE-IEB-RETOUR");
  }
  SECTION("a back-office retour whose heen message the gateway never received") {
    RoutingFacts facts;
    facts.from_peer = iwmo::Peer::kBackoffice;
    facts.message_type = "WMO306";
    facts.valid = true;
    facts.is_retour = true;
    facts.sent_by = "gemeente";
    facts.gemeente = "0599";
    facts.aanbieder = "65656055";
    facts.heen_checked = true;
    const auto decision = decideRoute(facts, kParams);
    CHECK(decision.rule_id == "REJECT-UNKNOWN-HEEN");
    CHECK_THAT(decision.summary, Catch::Contains("never received"));
  }
}
