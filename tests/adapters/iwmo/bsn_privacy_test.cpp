// Issue 16 (non-negotiable 5): the findings of a message carry no BSN in clear, whichever check
// quotes it (a rule's text, a TR101 key, a value Xerces repeats), when the adapter is given the
// pseudonymiser the daemon uses. The rejected copy of the message itself keeps it.
#include <catch2/catch.hpp>

#include "adapters/iwmo/iwmo_adapter.h"
#include "support/test_support.h"

namespace {

using iwmo::test::replaceFirst;

iwmo::proto::Envelope validateHidden(const std::string& xml) {
  auto adapter = iwmo::adapters::iwmo::IwmoAdapter::create(
      iwmo::test::schemaSet(iwmo::test::projectSchemaDir()), {},
      [](std::string_view bsn) { return "h:pseudonym-of-" + std::string(bsn.size(), '#'); });
  REQUIRE(adapter);
  iwmo::proto::Envelope envelope;
  (*adapter)->validate(xml, "test", envelope);
  return envelope;
}

std::string allFindings(const iwmo::proto::Envelope& envelope) {
  std::string text;
  for (const auto& finding : envelope.verdict().findings()) text += finding.code() + ": " + finding.message() + "\n";
  return text;
}

}  // namespace

TEST_CASE("issue 16: CS002 names the BSN by its pseudonym", "[iwmo][privacy][issue16]") {
  const std::string xml = replaceFirst(iwmo::test::kValidWmo305, ">999900018<", ">123456789<");
  const auto envelope = validateHidden(xml);
  const std::string findings = allFindings(envelope);
  INFO(findings);
  CHECK_THAT(findings, Catch::Contains("CS002") && Catch::Contains("h:pseudonym-of-#########"));
  CHECK_THAT(findings, !Catch::Contains("123456789"));
  CHECK(envelope.payload().find("123456789") != std::string::npos);  // the message itself keeps it
}

TEST_CASE("issue 16: a schema error on the Bsn value quotes no BSN", "[iwmo][privacy][issue16]") {
  const std::string xml = replaceFirst(iwmo::test::kValidWmo305, ">999900018<", ">12345678<");
  const auto envelope = validateHidden(xml);
  const std::string findings = allFindings(envelope);
  INFO(findings);
  CHECK(envelope.verdict().level() == 1);
  CHECK_THAT(findings, Catch::Contains("XSD"));
  CHECK_THAT(findings, !Catch::Contains("12345678"));
}

TEST_CASE("issue 16: TR101 on a repeated Client names its key by pseudonym", "[iwmo][privacy][issue16]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  std::string wmo323 = iwmo::test::readFile(*reference / "iwmo-3.2/examples/WMO323.xml");
  // The second Client gets the first one's Bsn: "Client with key (Bsn=...) occurs more than once".
  wmo323 = replaceFirst(wmo323, "<wmo323:Bsn>999900018</wmo323:Bsn>", "<wmo323:Bsn>999900006</wmo323:Bsn>");
  const auto envelope = validateHidden(wmo323);
  const std::string findings = allFindings(envelope);
  INFO(findings);
  CHECK_THAT(findings, Catch::Contains("TR101") && Catch::Contains("Bsn=h:pseudonym-of-#########"));
  CHECK_THAT(findings, !Catch::Contains("999900006"));
}

TEST_CASE("issue 16: without a pseudonymiser the adapter leaves finding texts as written", "[iwmo][privacy][issue16]") {
  const std::string xml = replaceFirst(iwmo::test::kValidWmo305, ">999900018<", ">123456789<");
  const auto envelope = iwmo::test::validateWithProjectSchemas(xml);
  CHECK_THAT(allFindings(envelope), Catch::Contains("123456789"));
}
