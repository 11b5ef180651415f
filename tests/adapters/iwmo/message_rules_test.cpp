// Single-message rules (level 2, retourcode 0001), each named after its rule code.
#include "adapters/iwmo/rules/message_rules.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

using iwmo::test::kValidWmo305;
using iwmo::test::replaceFirst;

namespace {

const iwmo::proto::Finding& onlyFinding(const iwmo::proto::Envelope& envelope) {
  INFO(envelope.verdict().DebugString());
  REQUIRE(envelope.verdict().findings_size() == 1);
  return envelope.verdict().findings(0);
}

void requireRule(const std::string& xml, const std::string& code, const std::string& path_part) {
  const auto envelope = iwmo::test::validateWithProjectSchemas(xml);
  CHECK_FALSE(envelope.verdict().valid());
  CHECK(envelope.verdict().level() == 2);
  const auto& finding = onlyFinding(envelope);
  CHECK(finding.code() == code);
  CHECK(finding.retourcode() == "0001");
  CHECK(finding.level() == 2);
  CHECK_THAT(finding.path(), Catch::Contains(path_part));
  CHECK(finding.line() > 0);
}

const std::string kStartProduct = R"(<wmo305:StartProduct>
        <wmo305:ToewijzingNummer>700001</wmo305:ToewijzingNummer>
        <wmo305:Product>
          <iwmo:Categorie>02</iwmo:Categorie>
          <iwmo:Code>02A01</iwmo:Code>
        </wmo305:Product>
        <wmo305:ToewijzingIngangsdatum>2026-02-01</wmo305:ToewijzingIngangsdatum>
        <wmo305:Begindatum>2026-02-03</wmo305:Begindatum>
        <wmo305:StatusAanlevering>1</wmo305:StatusAanlevering>
      </wmo305:StartProduct>)";

}  // namespace

TEST_CASE("the valid fixture passes every rule", "[iwmo][rules]") {
  const auto envelope = iwmo::test::validateWithProjectSchemas(kValidWmo305);
  INFO(envelope.verdict().DebugString());
  CHECK(envelope.verdict().valid());
  CHECK(envelope.verdict().level() == 0);
}

TEST_CASE("CS002: a Bsn failing the elfproef is a level-2 violation", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "999900018", "999900017"), "CS002", "/Bericht/Client/Bsn");
}

TEST_CASE("CS058: StatusAanlevering 2 is not allowed in a start", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "<wmo305:StatusAanlevering>1<", "<wmo305:StatusAanlevering>2<"),
              "CS058", "StartProduct/StatusAanlevering");
}

TEST_CASE("TR101: the same StartProduct twice is a duplicate line", "[iwmo][rules]") {
  const std::string twice = replaceFirst(kValidWmo305, kStartProduct, kStartProduct + "\n" + kStartProduct);
  requireRule(twice, "TR101", "StartProduct[2]");
  const auto envelope = iwmo::test::validateWithProjectSchemas(twice);
  CHECK_THAT(envelope.verdict().findings(0).message(), Catch::Contains("ToewijzingNummer=700001"));
}

TEST_CASE("TR101: two StartProducts differing in Begindatum are distinct", "[iwmo][rules]") {
  const std::string other = replaceFirst(kStartProduct, "2026-02-03", "2026-02-04");
  const auto envelope = iwmo::test::validateWithProjectSchemas(
      replaceFirst(kValidWmo305, kStartProduct, kStartProduct + "\n" + other));
  CHECK(envelope.verdict().valid());
}

TEST_CASE("TR134: a start after the Dagtekening is impossible", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "<wmo305:Begindatum>2026-02-03", "<wmo305:Begindatum>2026-03-03"),
              "TR134", "StartProduct/Begindatum");
}

TEST_CASE("TR134: a Geboortedatum after the Dagtekening is impossible", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "1950-06-01", "2026-03-03"), "TR134", "Client/Geboortedatum");
}

TEST_CASE("TR002: a Geboortedatum more than 120 years back needs the unknown-date code", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "1950-06-01", "1906-03-01"), "TR002", "Geboortedatum");
  // Exactly 120 years before the Dagtekening (2026-03-02) is allowed.
  CHECK(iwmo::test::validateWithProjectSchemas(replaceFirst(kValidWmo305, "1950-06-01", "1906-03-02"))
            .verdict()
            .valid());
  // The "unknown" date 1900-01-01 with DatumGebruik 3 is allowed.
  CHECK(iwmo::test::validateWithProjectSchemas(
            replaceFirst(kValidWmo305, "<iwmo:Datum>1950-06-01</iwmo:Datum>",
                         "<iwmo:Datum>1900-01-01</iwmo:Datum><iwmo:DatumGebruik>3</iwmo:DatumGebruik>"))
            .verdict()
            .valid());
}

TEST_CASE("CS139: DatumGebruik 3 requires Datum 1900-01-01", "[iwmo][rules]") {
  requireRule(replaceFirst(kValidWmo305, "<iwmo:Datum>1950-06-01</iwmo:Datum>",
                           "<iwmo:Datum>1950-06-01</iwmo:Datum><iwmo:DatumGebruik>3</iwmo:DatumGebruik>"),
              "CS139", "Geboortedatum");
}

TEST_CASE("level 2 is not checked when level 1 fails", "[iwmo][rules]") {
  // A bad BSN together with a schema error: only the level-1 finding is reported.
  const std::string xml = replaceFirst(replaceFirst(kValidWmo305, "999900018", "999900017"),
                                       "<wmo305:Geslacht>2<", "<wmo305:Geslacht>7<");
  const auto envelope = iwmo::test::validateWithProjectSchemas(xml);
  CHECK(envelope.verdict().level() == 1);
  for (const auto& finding : envelope.verdict().findings()) CHECK(finding.level() == 1);
}
