// The summary extracted in the validating pass (schemas/proto/envelope.proto).
#include "adapters/iwmo/extract.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

TEST_CASE("a WMO305 yields header, client and start products in the Envelope", "[iwmo][extract]") {
  const auto envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::kValidWmo305);
  REQUIRE(envelope.verdict().valid());
  CHECK(envelope.standard() == "iwmo");
  const auto& summary = envelope.summary();
  CHECK(summary.message_type() == "WMO305");
  CHECK(summary.header().bericht_code() == 418);
  CHECK(summary.header().bericht_versie() == 3);
  CHECK(summary.header().bericht_subversie() == 2);
  CHECK(summary.header().afzender() == "42420001");
  CHECK(summary.header().ontvanger() == "0599");
  CHECK(summary.header().identificatie() == "T305-0001");
  CHECK(summary.header().dagtekening() == "2026-03-02");
  CHECK(summary.header().bericht_xsd_versie() == "1.0.0");
  CHECK(summary.client().bsn() == "999900018");
  CHECK(summary.client().geboortedatum() == "1950-06-01");
  REQUIRE(summary.products_size() == 1);
  const auto& product = summary.products(0);
  CHECK(product.kind() == "StartProduct");
  CHECK(product.has_toewijzing_nummer());
  CHECK(product.toewijzing_nummer() == 700001);
  CHECK(product.categorie() == "02");
  CHECK(product.code() == "02A01");
  CHECK(product.ingangsdatum() == "2026-02-01");
  CHECK(product.begindatum() == "2026-02-03");
  CHECK(product.status_aanlevering() == "1");
  CHECK(envelope.payload() == iwmo::test::kValidWmo305);
  CHECK(envelope.payload_size() == envelope.payload().size());
}

TEST_CASE("a message failing level 1 still yields the header fields that were read", "[iwmo][extract]") {
  const std::string xml =
      iwmo::test::replaceFirst(iwmo::test::kValidWmo305, "<wmo305:Geslacht>2<", "<wmo305:Geslacht>7<");
  const auto envelope = iwmo::test::validateWithProjectSchemas(xml);
  CHECK_FALSE(envelope.verdict().valid());
  CHECK(envelope.summary().message_type() == "WMO305");
  CHECK(envelope.summary().header().afzender() == "42420001");
  CHECK(envelope.summary().header().identificatie() == "T305-0001");
}

TEST_CASE("official examples: products and declaratie lines are extracted", "[iwmo][extract][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  const auto wmo301 = iwmo::test::validateWithProjectSchemas(
      iwmo::test::readFile(*reference / "iwmo-3.2/examples/WMO301.xml"));
  REQUIRE(wmo301.verdict().valid());
  REQUIRE(wmo301.summary().products_size() > 0);
  for (const auto& product : wmo301.summary().products()) {
    CHECK(product.kind() == "ToegewezenProduct");
    CHECK(product.has_toewijzing_nummer());
    CHECK_FALSE(product.ingangsdatum().empty());
  }
  const auto wmo323 = iwmo::test::validateWithProjectSchemas(
      iwmo::test::readFile(*reference / "iwmo-3.2/examples/WMO323.xml"));
  REQUIRE(wmo323.verdict().valid());
  const auto& declaratie = wmo323.summary().declaratie();
  CHECK_FALSE(declaratie.declaratie_nummer().empty());
  REQUIRE(declaratie.prestaties_size() > 0);
  std::uint64_t debit = 0;
  std::uint64_t credit = 0;
  for (const auto& prestatie : declaratie.prestaties()) {
    CHECK(prestatie.bsn().size() == 9);
    (prestatie.debet_credit() == "C" ? credit : debit) += prestatie.ingediend_bedrag();
  }
  // TR358 holds for the official example: the total is the signed sum of the lines.
  CHECK(declaratie.totaal_ingediend_bedrag() == debit - credit);
}
