// Pass-through routing (gateway/rules/routing.h): one case per rule id.
#include "gateway/rules/routing.h"

#include <catch2/catch.hpp>

using iwmo::rules::decideRoute;
using iwmo::rules::RoutingFacts;
using iwmo::rules::RoutingParams;

namespace {

RoutingFacts validStart() {
  RoutingFacts facts;
  facts.from_peer = "ggk";
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
  CHECK(decision.to_peer == "backoffice");
  CHECK(decision.receiver == "0599");
  CHECK_FALSE(decision.trail.empty());
}

TEST_CASE("ROUTE-PASS-THROUGH: the gemeente's valid message goes to the GGk for the aanbieder", "[rules]") {
  RoutingFacts facts = validStart();
  facts.from_peer = "backoffice";
  facts.message_type = "WMO301";
  facts.sent_by = "gemeente";
  const auto decision = decideRoute(facts, kParams);
  CHECK(decision.routed);
  CHECK(decision.to_peer == "ggk");
  CHECK(decision.receiver == "65656055");
}

TEST_CASE("REJECT-LEVEL-1 and REJECT-LEVEL-2 follow the verdict's level", "[rules]") {
  RoutingFacts facts = validStart();
  facts.valid = false;
  facts.level = 1;
  facts.codes = {"XSD", "XSD"};
  auto decision = decideRoute(facts, kParams);
  CHECK_FALSE(decision.routed);
  CHECK(decision.to_peer == "rejected");
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
  facts.from_peer = "backoffice";
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
