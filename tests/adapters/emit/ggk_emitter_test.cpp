// The GGk emitter: Di01 / Du01 around a payload and Fo01 StUF055 written and validated with our
// StUF-GGk schemas (schemas/stuf-ggk) and read back by our reader; technical retours validated
// with the project's iWmo schemas; replay's referentienummers derived from the input.
#include "adapters/emit/ggk_emitter.h"

#include <catch2/catch.hpp>

#include "adapters/stuf/uuid.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

using iwmo::Timestamp;
using iwmo::adapters::emit::derivedReferentienummer;
using iwmo::adapters::emit::GgkEmitterParams;
using iwmo::handlers::GgkEmitter;

namespace {

// 2026-01-05T08:30:00.250Z
const Timestamp kMoment{1767601800250000};

GgkEmitter projectEmitter(bool deterministic) {
  GgkEmitterParams params;
  params.default_organisatie = "0599";
  params.applicatie = "iwmo-gateway";
  params.applicatie_versie = "0001";
  params.applicatie_subversie = "0000";
  params.functie_versie = "0003";
  params.functie_subversie = "0002";
  params.ieb_functie_versie = "0004";
  params.ieb_functie_subversie = "0000";
  params.deterministic_references = deterministic;
  params.pseudonymise = [](std::string_view) { return std::string("[BSN]"); };
  return iwmo::adapters::emit::makeGgkEmitter(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()),
                                              iwmo::test::projectSchemaSet(), params);
}

iwmo::handlers::GgkWrapRequest heenFor(const std::string& ontvanger, int index) {
  iwmo::handlers::GgkWrapRequest request;
  request.zender = "0599";
  request.ontvanger = ontvanger;
  request.functie = "WMO305";
  request.payload = iwmo::test::kValidWmo305;
  request.message_id = 42;
  request.index = index;
  request.at = kMoment;
  return request;
}

iwmo::handlers::GgkFo01Request fo01About(const std::string& referentienummer) {
  iwmo::handlers::GgkFo01Request request;
  request.failed.set_kind("Di01");
  request.failed.set_referentienummer(referentienummer);
  request.failed.set_zender_organisatie("12345678");
  request.failed.set_zender_applicatie("zorgsysteem");
  request.failed.set_functie("WMO305");
  request.failed.set_applicatie_versie("0001");
  request.failed.set_applicatie_subversie("0000");
  request.zender = "0599";
  request.detail = "cvc-complex-type.2.4.a at /Bericht/Client";
  request.message_id = 7;
  request.at = kMoment;
  return request;
}

}  // namespace

TEST_CASE("GGk emitter: a Di01 validates and carries the payload to the organisatie asked for", "[emit][ggk]") {
  auto written = projectEmitter(false).wrap(heenFor("12345678", 0));
  REQUIRE(written);
  CHECK(iwmo::adapters::stuf::isUuidV4(written->referentienummer));
  CHECK(written->tijdstip.rfind("2026010509300025", 0) == 0);  // CET: UTC + 1 hour
  const auto read = iwmo::test::readGgkDocument(written->bytes);
  CHECK(read.kind == "Di01");
  CHECK(read.referentienummer == written->referentienummer);
  CHECK(read.zender == "0599");
  CHECK(read.ontvanger == "12345678");
  CHECK(read.functie == "WMO305");
  CHECK(read.payload == iwmo::test::kValidWmo305);
}

TEST_CASE("GGk emitter: a Du01 names the Di01 it answers", "[emit][ggk]") {
  auto request = heenFor("12345678", 0);
  request.retour = true;
  request.cross_refnummer = "0b9f5f2e-8c1d-4e6a-9b2f-3d4c5e6f7a81";
  auto written = projectEmitter(false).wrap(request);
  REQUIRE(written);
  const auto read = iwmo::test::readGgkDocument(written->bytes);
  CHECK(read.kind == "Du01");
  CHECK(read.cross_refnummer == "0b9f5f2e-8c1d-4e6a-9b2f-3d4c5e6f7a81");
}

TEST_CASE("GGk emitter: a Fo01 StUF055 names the refused referentienummer", "[emit][ggk]") {
  const std::string refused = "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e";
  auto written = projectEmitter(false).fo01(fo01About(refused));
  REQUIRE(written);
  const auto read = iwmo::test::readGgkDocument(written->bytes);
  CHECK(read.kind == "Fo01");
  CHECK(read.cross_refnummer == refused);
  CHECK(read.zender == "0599");
  CHECK(read.ontvanger == "12345678");
  CHECK(read.fo01_code == "StUF055");
  CHECK(read.referentienummer == written->referentienummer);
  CHECK(read.referentienummer != refused);
}

TEST_CASE("GGk emitter: a technical retour with 0001 validates as the heen message's retour", "[emit][ggk]") {
  iwmo::handlers::GgkRetourRequest request;
  request.heen_payload = iwmo::test::kValidWmo305;
  request.identificatie_retour = "GW0000000042";
  request.at = kMoment;
  request.header_codes = {"0001"};
  auto xml = projectEmitter(false).retour(request);
  REQUIRE(xml);
  const auto envelope = iwmo::test::validateWithProjectSchemas(*xml);
  INFO(*xml);
  CHECK(envelope.verdict().valid());
  CHECK(envelope.summary().message_type() == "WMO306");
  CHECK_THAT(*xml, Catch::Contains("GW0000000042"));
  CHECK_THAT(*xml, Catch::Contains("0001"));
}

TEST_CASE("GGk emitter: replay's referentienummers are stable for the same input and differ for another index",
          "[emit][ggk]") {
  const GgkEmitter emitter = projectEmitter(true);
  auto first = emitter.wrap(heenFor("12345678", 0));
  auto again = emitter.wrap(heenFor("12345678", 0));
  auto other = emitter.wrap(heenFor("12345678", 1));
  REQUIRE(first);
  REQUIRE(again);
  REQUIRE(other);
  CHECK(iwmo::adapters::stuf::isUuidV4(first->referentienummer));
  CHECK(first->referentienummer == again->referentienummer);
  CHECK(first->bytes == again->bytes);
  CHECK(first->referentienummer != other->referentienummer);
  // A second emitter (a second replay of the same batch) gives the same numbers.
  auto second_run = projectEmitter(true).wrap(heenFor("12345678", 0));
  REQUIRE(second_run);
  CHECK(second_run->referentienummer == first->referentienummer);
}

TEST_CASE("derivedReferentienummer: a UUID v4, stable per seed, message and index", "[emit][ggk]") {
  const std::string a = derivedReferentienummer("seed", 1, 0);
  CHECK(iwmo::adapters::stuf::isUuidV4(a));
  CHECK(a == derivedReferentienummer("seed", 1, 0));
  CHECK(a != derivedReferentienummer("seed", 1, 1));
  CHECK(a != derivedReferentienummer("seed", 2, 0));
  CHECK(a != derivedReferentienummer("other seed", 1, 0));
}
