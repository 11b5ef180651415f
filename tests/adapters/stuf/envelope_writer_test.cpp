// EnvelopeWriter: Di01 and Du01 around a payload, validated by our schemas and by the official
// ones, read back by EnvelopeReader; refusals name the field and the rule.
#include "adapters/stuf/envelope_writer.h"

#include <catch2/catch.hpp>

#include <set>

#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/uuid.h"
#include "adapters/xml/validating_parser.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

using iwmo::Timestamp;
using iwmo::adapters::stuf::BerichtKind;
using iwmo::adapters::stuf::EnvelopeReader;
using iwmo::adapters::stuf::EnvelopeWriter;
using iwmo::adapters::stuf::WrapRequest;
using iwmo::adapters::stuf::WriterLimits;

namespace {

std::unique_ptr<EnvelopeWriter> makeWriter(WriterLimits limits = {}) {
  auto writer = EnvelopeWriter::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()), limits);
  REQUIRE(writer);
  return std::move(*writer);
}

std::unique_ptr<EnvelopeReader> makeReader() {
  auto reader = EnvelopeReader::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()));
  REQUIRE(reader);
  return std::move(*reader);
}

// 2026-01-05T08:30:00.250Z
const Timestamp kMoment{1767601800250000};

WrapRequest heenRequest() {
  WrapRequest request;
  request.zender.organisatie = "0599";
  request.zender.applicatie = "iwmo-gateway";
  request.ontvanger_organisatie = "12345678";
  request.functie = "WMO301";
  request.applicatie_versie = "0001";
  request.applicatie_subversie = "0000";
  request.functie_versie = "0003";
  request.functie_subversie = "0002";
  request.tijdstip = kMoment;
  request.utc_offset_minutes = 60;  // CET
  return request;
}

// Validates with the official StUF-GGk files (when the reference is there).
void checkAgainstOfficial(const std::string& bytes) {
  const auto official = iwmo::test::officialStufSchemaDir();
  if (!official) return;
  auto parser = iwmo::adapters::xml::ValidatingParser::create(iwmo::test::schemaSet(*official));
  REQUIRE(parser);
  iwmo::adapters::xml::ParseOutcome outcome;
  (*parser)->parse(bytes, outcome);
  for (const auto& p : outcome.problems) UNSCOPED_INFO(p.path << ": " << p.message);
  CHECK(outcome.ok());
}

}  // namespace

TEST_CASE("wrapHeen builds a Di01 that our reader unwraps to the same fields and payload",
          "[stuf]") {
  auto writer = makeWriter();
  const std::string payload = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bericht>Ĳsselmonde &amp; één</Bericht>";
  auto written = writer->wrapHeen(heenRequest(), payload);
  REQUIRE(written);
  CHECK(iwmo::adapters::stuf::isUuidV4(written->referentienummer));
  auto envelope = makeReader()->unwrap(written->bytes);
  REQUIRE(envelope);
  CHECK(envelope->kind == BerichtKind::Di01);
  CHECK(envelope->referentienummer == written->referentienummer);
  CHECK(envelope->zender.organisatie == "0599");
  CHECK(envelope->zender.applicatie == "iwmo-gateway");
  CHECK(envelope->ontvanger.organisatie == "12345678");
  CHECK(envelope->ontvanger.applicatie == "GGk");
  CHECK(envelope->functie == "WMO301");
  CHECK(envelope->tijdstip_bericht == "20260105093000250");
  CHECK(envelope->cross_refnummer.empty());
  CHECK(envelope->applicatie_versie == "0001");
  CHECK(envelope->functie_subversie == "0002");
  CHECK(envelope->payload == payload);
  CHECK(written->bytes.find("\xEF\xBB\xBF") == std::string::npos);
}

TEST_CASE("envelopes we write validate against the official StUF-GGk schemas",
          "[stuf][reference]") {
  auto writer = makeWriter();
  auto heen = writer->wrapHeen(heenRequest(), "<a/>");
  REQUIRE(heen);
  checkAgainstOfficial(heen->bytes);
  WrapRequest retour = heenRequest();
  retour.zender.organisatie = "0599";
  retour.ontvanger_organisatie = "CAK";
  retour.functie = "WMO306";
  retour.zender.administratie = "Wmo";
  auto du01 = writer->wrapRetour(retour, heen->referentienummer, "<b/>");
  REQUIRE(du01);
  checkAgainstOfficial(du01->bytes);
}

TEST_CASE("wrapRetour builds a Du01 whose crossRefnummer is the heen envelope's referentienummer",
          "[stuf]") {
  auto writer = makeWriter();
  auto reader = makeReader();
  auto heen = writer->wrapHeen(heenRequest(), "<heen/>");
  REQUIRE(heen);
  WrapRequest request = heenRequest();
  request.functie = "WMO302";
  auto retour = writer->wrapRetour(request, heen->referentienummer, "<retour/>");
  REQUIRE(retour);
  auto envelope = reader->unwrap(retour->bytes);
  REQUIRE(envelope);
  CHECK(envelope->kind == BerichtKind::Du01);
  CHECK(envelope->cross_refnummer == heen->referentienummer);
  CHECK(envelope->referentienummer != heen->referentienummer);
  CHECK(envelope->payload == "<retour/>");
  // The crossRefnummer must itself be a UUID v4.
  auto bad = writer->wrapRetour(request, "9c0f7b90-5c69-11e5-a837-0800200c9a66", "<retour/>");
  REQUIRE_FALSE(bad);
  CHECK(bad.status().code() == iwmo::StatusCode::kInvalid);
  CHECK_THAT(bad.status().message(), Catch::Contains("crossRefnummer"));
  CHECK_THAT(bad.status().message(), Catch::Contains("IB009"));
}

TEST_CASE("every envelope gets a fresh UUID v4 referentienummer", "[stuf]") {
  auto writer = makeWriter();
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto written = writer->wrapHeen(heenRequest(), "<a/>");
    REQUIRE(written);
    CHECK(iwmo::adapters::stuf::isUuidV4(written->referentienummer));
    seen.insert(written->referentienummer);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("a given referentienummer makes the output byte-for-byte reproducible", "[stuf]") {
  auto writer = makeWriter();
  WrapRequest request = heenRequest();
  request.referentienummer = "0f8fad5b-d9cb-469f-a165-70867728950e";
  auto a = writer->wrapHeen(request, "<a/>");
  auto b = writer->wrapHeen(request, "<a/>");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->bytes == b->bytes);
  CHECK(a->referentienummer == request.referentienummer);
  request.referentienummer = "0F8FAD5B-D9CB-469F-A165-70867728950E";
  auto upper = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(upper);
  CHECK_THAT(upper.status().message(), Catch::Contains("referentienummer"));
}

TEST_CASE("organisatie must be a CBS code, an AGB code or a fixed chain party", "[stuf]") {
  auto writer = makeWriter();
  for (const char* good : {"0599", "12345678", "CAK", "CBS", "SVB"}) {
    WrapRequest request = heenRequest();
    request.ontvanger_organisatie = good;
    INFO(good);
    CHECK(writer->wrapHeen(request, "<a/>"));
  }
  for (const char* bad : {"599", "123456789", "cak", "", "0599 ", "GGk"}) {
    WrapRequest request = heenRequest();
    request.ontvanger_organisatie = bad;
    INFO(bad);
    auto written = writer->wrapHeen(request, "<a/>");
    REQUIRE_FALSE(written);
    CHECK(written.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(written.status().message(), Catch::StartsWith("ontvanger.organisatie"));
  }
  WrapRequest request = heenRequest();
  request.zender.organisatie = "gemeente";
  auto written = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("zender.organisatie"));
}

TEST_CASE("versions, functie and applicatie are checked before anything is written", "[stuf]") {
  auto writer = makeWriter();
  WrapRequest request = heenRequest();
  request.functie_versie = "3";
  auto written = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("functieVersie '3'"));
  request = heenRequest();
  request.functie = "";
  written = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("functie ''"));
  request = heenRequest();
  request.zender.applicatie = "gw";
  written = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("zender.applicatie"));
  request = heenRequest();
  request.zender.gebruiker = std::string(101, 'g');  // only the schema knows this one
  written = writer->wrapHeen(request, "<a/>");
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(),
             Catch::Contains("not valid against the StUF-GGk schemas: "
                             "/envelopHeenbericht-ggk_Di01/stuurgegevens/zender/gebruiker"));
}

TEST_CASE("a payload that is empty, has a BOM or is not UTF-8 is not wrapped", "[stuf]") {
  auto writer = makeWriter();
  for (const std::string& payload :
       {std::string(), std::string("\xEF\xBB\xBF<a/>"), std::string("<a>\xE9</a>")}) {
    auto written = writer->wrapHeen(heenRequest(), payload);
    REQUIRE_FALSE(written);
    CHECK(written.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(written.status().message(), Catch::StartsWith("payload refused: PAYLOAD-"));
  }
}

TEST_CASE("an envelope over the size limit is not returned", "[stuf]") {
  WriterLimits limits;
  limits.max_envelope_bytes = 4096;
  auto writer = makeWriter(limits);
  CHECK(writer->wrapHeen(heenRequest(), std::string(2000, 'a')));
  auto written = writer->wrapHeen(heenRequest(), std::string(3000, 'a'));
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::Contains("over the limit of 4096 bytes"));
}

TEST_CASE("a payload of several megabytes round-trips", "[stuf]") {
  auto writer = makeWriter();
  std::string payload = "<Bericht>";
  while (payload.size() < 5 * 1024 * 1024) payload += "<Regel>Ĳssel € 𝄞 0123456789</Regel>";
  payload += "</Bericht>";
  auto written = writer->wrapHeen(heenRequest(), payload);
  REQUIRE(written);
  auto envelope = makeReader()->unwrap(written->bytes);
  REQUIRE(envelope);
  CHECK(envelope->payload == payload);
}
