// The EB001 codes the gateway explains to operators agree with the published list
// (../shared/reference/ieb/eb001-retourcodes.tsv); the ones inferred from the list's pattern are
// marked so. And the provisional iEb schemas say they are provisional.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "adapters/ieb/eb001.h"
#include "adapters/ieb/ieb_writer.h"
#include "support/test_support.h"

TEST_CASE("EB001: every code of the reference list is known with its text", "[ieb]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;  // referenceDir() has warned
  std::istringstream lines(iwmo::test::readFile(*reference / "ieb/eb001-retourcodes.tsv"));
  std::string line;
  std::getline(lines, line);  // header
  std::size_t seen = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const auto tab = line.find('\t');
    const auto tab2 = line.find('\t', tab + 1);
    const std::string code = line.substr(0, tab);
    const std::string text = line.substr(tab + 1, tab2 - tab - 1);
    INFO(code);
    const auto* entry = iwmo::adapters::ieb::eb001(code);
    REQUIRE(entry != nullptr);
    CHECK(std::string(entry->omschrijving) == text);
    CHECK_FALSE(entry->by_pattern);
    ++seen;
  }
  CHECK(seen + 3 == iwmo::adapters::ieb::allEb001Codes().size());  // + 9112, 9113, 9400 by pattern
  for (const auto& entry : iwmo::adapters::ieb::allEb001Codes()) {
    if (entry.by_pattern) CHECK(std::string(entry.code).substr(0, 1) == "9");
  }
  CHECK(iwmo::adapters::ieb::describeEb001("XXXX") == "XXXX (not in EB001)");
}

TEST_CASE("iEb schemas: marked provisional, and every written message validates", "[ieb]") {
  for (const char* file : {"basisschema.xsd", "WMO405.xsd", "WMO406.xsd", "WMO407.xsd", "WMO408.xsd"}) {
    INFO(file);
    const std::string text = iwmo::test::readFile(iwmo::test::sourceDir() / "schemas/ieb" / file);
    CHECK_THAT(text, Catch::Contains("PROVISIONAL"));
    CHECK_THAT(text, Catch::Contains("<ieb:status>provisional</ieb:status>"));
  }
  iwmo::proto::EbRecord at;
  at.set_bsn("999948714");
  at.set_kind("AT");
  at.set_status_aanlevering("2");
  at.set_start_nummer(4711);
  at.set_startdatum("2026-03-01");
  at.set_stopdatum("2026-06-30");
  at.set_has_kostprijs(true);
  at.set_kostprijs_bedrag(57000);
  at.set_kostprijs_startdatum("2026-03-01");
  const std::string wmo405 = iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "EB1-1", *iwmo::Date::parse("2026-07-01")}, {at});
  const auto envelope = iwmo::test::validateWithProjectSchemas(wmo405);
  INFO(wmo405);
  REQUIRE(envelope.verdict().valid());
  REQUIRE(envelope.summary().message_type() == "WMO405");
  REQUIRE(envelope.summary().eb_records_size() == 1);
  const auto& read = envelope.summary().eb_records(0);
  CHECK(read.start_nummer() == 4711);
  CHECK(read.stopdatum() == "2026-06-30");
  CHECK(read.kostprijs_bedrag() == 57000);
  CHECK(envelope.summary().routing().physical_receiver() == "CAK");

  // A retour with a rejected client.
  iwmo::adapters::ieb::RetourClient client;
  client.record = at;
  client.client_codes = {"0200"};
  client.period_codes = {"9103"};
  const std::string wmo406 = iwmo::adapters::ieb::writeRetour(envelope.summary(), "CAK7", *iwmo::Date::parse("2026-07-02"), {}, {client});
  const auto retour = iwmo::test::validateWithProjectSchemas(wmo406);
  INFO(wmo406);
  REQUIRE(retour.verdict().valid());
  CHECK(retour.summary().message_type() == "WMO406");
  CHECK(retour.summary().routing().sent_by() == "cak");
  CHECK(retour.summary().header().identificatie() == "EB1-1");  // the heen header, unchanged (IV028)
  REQUIRE(retour.summary().eb_records_size() == 1);
  CHECK(retour.summary().eb_records(0).retour_codes(0) == "9103");

  // CS332 (level 2): no period date before 2020.
  at.set_startdatum("2019-12-01");
  const auto old = iwmo::test::validateWithProjectSchemas(
      iwmo::adapters::ieb::writeHeen("WMO405", {"0599", "EB1-2", *iwmo::Date::parse("2020-01-05")}, {at}));
  CHECK(old.verdict().level() == 2);
  CHECK(iwmo::test::findingCodes(old) == std::vector<std::string>{"CS332"});
}
