// Technical answers (gateway/rules/technical_answer.h): one case per rule id, and each reason for
// ANSWER-NONE.
#include "gateway/rules/technical_answer.h"

#include <catch2/catch.hpp>

using iwmo::rules::AnswerFacts;
using iwmo::rules::AnswerKind;
using iwmo::rules::decideTechnicalAnswer;

namespace {

AnswerFacts enveloped305() {
  AnswerFacts facts;
  facts.from_peer = iwmo::Peer::kGgk;
  facts.envelope_kind = "Di01";
  facts.message_type = "WMO305";
  facts.has_retour_type = true;
  facts.valid = true;
  facts.routing_rule = "ROUTE-PASS-THROUGH";
  return facts;
}

}  // namespace

TEST_CASE("technical answers: Fo01 StUF055, 0001, 9056", "[rules][ggk]") {
  SECTION("level 1: a Fo01 with StUF055 and the first finding") {
    auto facts = enveloped305();
    facts.valid = false;
    facts.level = 1;
    facts.codes = {"XSD"};
    facts.first_finding = "XSD /Bericht/Client/Bsn: not a number";
    facts.routing_rule = "REJECT-LEVEL-1";
    const auto answer = decideTechnicalAnswer(facts);
    CHECK(answer.kind == AnswerKind::kFo01);
    CHECK(answer.rule_id == "ANSWER-FO01-STUF055");
    CHECK(answer.fo01_detail == facts.first_finding);
  }
  SECTION("level 2: the retour with only the header and 0001") {
    auto facts = enveloped305();
    facts.valid = false;
    facts.level = 2;
    facts.codes = {"CS002"};
    facts.routing_rule = "REJECT-LEVEL-2";
    const auto answer = decideTechnicalAnswer(facts);
    CHECK(answer.kind == AnswerKind::kRetourHeaderOnly);
    CHECK(answer.header_codes == std::vector<std::string>{"0001"});
  }
  SECTION("TR056: a reused Identificatie gets the whole message back with 9056 and 0200") {
    auto facts = enveloped305();
    facts.duplicate_of = 7;
    facts.routing_rule = "REJECT-DUPLICATE";
    const auto answer = decideTechnicalAnswer(facts);
    CHECK(answer.kind == AnswerKind::kRetourEcho);
    CHECK(answer.rule_id == "ANSWER-RETOUR-9056");
    CHECK(answer.header_codes == std::vector<std::string>{"9056"});
    CHECK(answer.class_codes == std::vector<std::string>{"0200"});
  }
}

TEST_CASE("technical answers: when the gateway answers nothing, and why", "[rules][ggk]") {
  const auto none = [](const AnswerFacts& facts) {
    const auto answer = decideTechnicalAnswer(facts);
    CHECK(answer.kind == AnswerKind::kNone);
    CHECK(answer.rule_id == "ANSWER-NONE");
    return answer.summary;
  };
  auto facts = enveloped305();
  CHECK_THAT(none(facts), Catch::Contains("back office"));  // valid: the business retour is theirs

  auto redelivery = enveloped305();
  redelivery.duplicate_of = 7;
  redelivery.duplicate_same_content = true;
  redelivery.routing_rule = "REJECT-DUPLICATE";
  CHECK_THAT(none(redelivery), Catch::Contains("redelivery of message #7"));

  auto bare = enveloped305();
  bare.envelope_kind = "";
  bare.valid = false;
  bare.level = 2;
  bare.routing_rule = "REJECT-LEVEL-2";
  CHECK_THAT(none(bare), Catch::Contains("without an envelope"));

  auto retour = enveloped305();
  retour.message_type = "WMO302";
  retour.is_retour = true;
  retour.has_retour_type = false;
  retour.valid = false;
  retour.level = 2;
  retour.routing_rule = "REJECT-LEVEL-2";
  CHECK_THAT(none(retour), Catch::Contains("retour"));

  auto declaratie = enveloped305();
  declaratie.message_type = "WMO323";
  declaratie.has_retour_type = false;
  declaratie.valid = false;
  declaratie.level = 2;
  declaratie.routing_rule = "REJECT-LEVEL-2";
  CHECK_THAT(none(declaratie), Catch::Contains("no retour"));

  auto refused = enveloped305();
  refused.envelope_kind = "refused";
  refused.valid = false;
  refused.level = 1;
  CHECK_THAT(none(refused), Catch::Contains("envelope was refused"));

  auto backoffice = enveloped305();
  backoffice.from_peer = iwmo::Peer::kBackoffice;
  backoffice.valid = false;
  backoffice.level = 1;
  CHECK_THAT(none(backoffice), Catch::Contains("not from the GGk side"));
}

TEST_CASE("technical answers on the CAK's side: a Fo01 for a broken Du01, nothing for a valid one",
          "[rules][ggk][ieb]") {
  AnswerFacts facts;
  facts.from_peer = iwmo::Peer::kCak;
  facts.envelope_kind = "Du01";
  facts.message_type = "WMO406";
  facts.is_retour = true;
  facts.valid = true;
  facts.routing_rule = "ROUTE-IEB-RETOUR";
  auto answer = decideTechnicalAnswer(facts);
  CHECK(answer.kind == AnswerKind::kNone);
  CHECK_THAT(answer.summary, Catch::Contains("valid retour from the CAK"));

  facts.valid = false;
  facts.level = 1;
  facts.codes = {"XSD"};
  facts.first_finding = "XSD /Bericht/Header/Afzender: not a CBS code";
  facts.routing_rule = "REJECT-LEVEL-1";
  answer = decideTechnicalAnswer(facts);
  CHECK(answer.kind == AnswerKind::kFo01);
  CHECK(answer.rule_id == "ANSWER-FO01-STUF055");

  facts.level = 2;
  facts.routing_rule = "REJECT-LEVEL-2";
  answer = decideTechnicalAnswer(facts);
  CHECK(answer.kind == AnswerKind::kNone);  // no retour on a retour
}
