// EnvelopeReader: unwrapping the official StUF-GGk examples, and a clear refusal (element and
// rule) for every way an envelope or its payload breaks the rules.
#include "adapters/stuf/envelope_reader.h"

#include <catch2/catch.hpp>

#include "adapters/stuf/base64.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

using iwmo::adapters::stuf::BerichtKind;
using iwmo::adapters::stuf::EnvelopeProblem;
using iwmo::adapters::stuf::EnvelopeReader;
using iwmo::adapters::stuf::PayloadKind;
using iwmo::adapters::stuf::ReaderLimits;
using iwmo::adapters::stuf::ReadOutcome;

namespace {

std::unique_ptr<EnvelopeReader> makeReader(ReaderLimits limits = {}) {
  auto reader = EnvelopeReader::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()), limits);
  REQUIRE(reader);
  return std::move(*reader);
}

// A Di01 of our own (independent of the reference material) carrying `payload_base64`.
std::string di01(const std::string& payload_base64,
                 const std::string& referentienummer = "0f8fad5b-d9cb-469f-a165-70867728950e") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<GGK:envelopHeenbericht-ggk_Di01 xmlns:StUF="http://www.egem.nl/StUF/StUF0301" xmlns:GGK="http://www.stufstandaarden.nl/koppelvlak/ggk0210">
  <GGK:stuurgegevens>
    <StUF:berichtcode>Di01</StUF:berichtcode>
    <StUF:zender><StUF:organisatie>12345678</StUF:organisatie><StUF:applicatie>Zorgsysteem</StUF:applicatie></StUF:zender>
    <StUF:ontvanger><StUF:organisatie>0599</StUF:organisatie><StUF:applicatie>GGk</StUF:applicatie></StUF:ontvanger>
    <StUF:referentienummer>)" + referentienummer + R"(</StUF:referentienummer>
    <StUF:tijdstipBericht>20260105093000123</StUF:tijdstipBericht>
    <StUF:functie>WMO305</StUF:functie>
  </GGK:stuurgegevens>
  <GGK:parameters>
    <GGK:applicatieVersie>0002</GGK:applicatieVersie>
    <GGK:applicatieSubversie>0001</GGK:applicatieSubversie>
    <GGK:functieVersie>0003</GGK:functieVersie>
    <GGK:functieSubversie>0002</GGK:functieSubversie>
    <GGK:bericht><GGK:xmlBestand>)" + payload_base64 + R"(</GGK:xmlBestand></GGK:bericht>
  </GGK:parameters>
</GGK:envelopHeenbericht-ggk_Di01>
)";
}

const ReadOutcome& read(EnvelopeReader& reader, const std::string& bytes, ReadOutcome& outcome) {
  reader.read(bytes, outcome);
  for (const auto& p : outcome.problems) {
    UNSCOPED_INFO(p.rule << " " << p.element << " " << p.message);
  }
  return outcome;
}

}  // namespace

TEST_CASE("the official Di01 example unwraps to its stuurgegevens and its decoded payload",
          "[stuf][reference]") {
  if (!iwmo::test::stufReferenceDir()) return;
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, iwmo::test::stufExample("envelopHeenbericht-ggk_Di01_v21-xml.xml"), in);
  REQUIRE(in.ok());
  CHECK(in.status().isOk());
  REQUIRE(in.kind == BerichtKind::Di01);
  const auto& e = in.envelope;
  CHECK(e.kind == BerichtKind::Di01);
  CHECK(e.zender.organisatie == "0548");
  CHECK(e.zender.applicatie == "Wmo Applicatie");
  CHECK(e.ontvanger.organisatie == "01023456");
  CHECK(e.ontvanger.applicatie == "GGk");
  CHECK(e.referentienummer == "9c0f7b90-5c69-41e5-a837-0800200c9a66");
  CHECK(e.tijdstip_bericht == "20160421132514");
  CHECK(e.cross_refnummer.empty());
  CHECK(e.functie == "WMO301");
  CHECK(e.applicatie_versie == "0004");
  CHECK(e.applicatie_subversie == "0003");
  CHECK(e.functie_versie == "0002");
  CHECK(e.functie_subversie == "0002");
  CHECK(e.payload_kind == PayloadKind::Xml);
  CHECK(e.payload == "Hier staat een iWmo/iJw-heenbericht.");
}

TEST_CASE("the official Du01 example carries the Di01's referentienummer as crossRefnummer",
          "[stuf][reference]") {
  if (!iwmo::test::stufReferenceDir()) return;
  auto reader = makeReader();
  auto heen = reader->unwrap(iwmo::test::stufExample("envelopHeenbericht-ggk_Di01_v21-xml.xml"));
  auto retour = reader->unwrap(iwmo::test::stufExample("envelopRetourbericht-ggk_Du01-v21.xml"));
  REQUIRE(heen);
  REQUIRE(retour);
  CHECK(retour->kind == BerichtKind::Du01);
  CHECK(retour->cross_refnummer == heen->referentienummer);
  CHECK(retour->referentienummer == "b6e9f182-bc44-4f27-9863-9a5ccc1e1cf0");
  CHECK(retour->functie == "WMO302");
  CHECK(retour->zender.organisatie == "01023456");
  CHECK(retour->ontvanger.organisatie == "0484");
  CHECK(retour->payload == "Hier staat een iWmo/iJw-retourbericht.");
}

TEST_CASE("the official tekstBestand example unwraps as a text payload", "[stuf][reference]") {
  if (!iwmo::test::stufReferenceDir()) return;
  auto reader = makeReader();
  auto envelope =
      reader->unwrap(iwmo::test::stufExample("envelopHeenbericht-ggk_Di01_v21-tekst.xml"));
  REQUIRE(envelope);
  CHECK(envelope->payload_kind == PayloadKind::Text);
  CHECK(envelope->ontvanger.organisatie == "CBS");
  CHECK(envelope->functie == "Dummy");
  CHECK(envelope->payload == "Hier staat een dummy-tekstbericht.");
}

TEST_CASE("the official Fo01 example is read as a Fo01 with its code and crossRefnummer",
          "[stuf][reference]") {
  if (!iwmo::test::stufReferenceDir()) return;
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, iwmo::test::stufExample("Fo01.xml"), in);
  REQUIRE(in.ok());
  REQUIRE(in.kind == BerichtKind::Fo01);
  CHECK(in.fo01.zender.organisatie == "IB");
  CHECK(in.fo01.zender.applicatie == "GGK");
  CHECK(in.fo01.ontvanger.organisatie == "54540051");
  CHECK(in.fo01.ontvanger.administratie == "test");
  CHECK(in.fo01.ontvanger.gebruiker == "gebruiker1");
  CHECK(in.fo01.referentienummer == "78002f23-5bc5-4e3e-96ad-1d209d32a5d5");
  CHECK(in.fo01.cross_refnummer == "9c0f7b90-5c69-11e5-a837-0800200c9a66");
  CHECK(in.fo01.code == "IB210");
  CHECK(in.fo01.plek == "client");
  CHECK(in.fo01.omschrijving == "Ontvangende organisatie onbekend. Organisatie 99999");
  CHECK(in.fo01.details == "JW315-00010004");
  CHECK(in.fo01.has_details_xml);
  // unwrap() is for envelopes; readFo01() for errors.
  auto as_envelope = reader->unwrap(iwmo::test::stufExample("Fo01.xml"));
  REQUIRE_FALSE(as_envelope);
  CHECK_THAT(as_envelope.status().message(), Catch::Contains("got a StUF Fo01 (code IB210"));
  CHECK(reader->readFo01(iwmo::test::stufExample("Fo01.xml")));
}

TEST_CASE("an envelope of our own unwraps, with line-broken base64 and a BOM before the envelope",
          "[stuf]") {
  auto reader = makeReader();
  const std::string payload = "<Bericht>één</Bericht>";
  std::string encoded = iwmo::adapters::stuf::base64Encode(payload);
  encoded.insert(8, "\r\n        ");
  auto envelope = reader->unwrap("\xEF\xBB\xBF" + di01(encoded));
  REQUIRE(envelope);
  CHECK(envelope->payload == payload);
  CHECK(envelope->zender.organisatie == "12345678");
  CHECK(envelope->tijdstip_bericht == "20260105093000123");
}

TEST_CASE("ENV-SIZE: an envelope over the limit is refused before it is parsed", "[stuf]") {
  ReaderLimits limits;
  limits.max_envelope_bytes = 2000;
  auto reader = makeReader(limits);
  const std::string big = di01(iwmo::adapters::stuf::base64Encode(std::string(1500, 'a')));
  ReadOutcome in;
  read(*reader, big, in);
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kSize);
  CHECK_THAT(in.problems[0].message, Catch::Contains("limit is 2000 bytes"));
  CHECK(in.kind == BerichtKind::Unknown);
  // Just under the limit it is read.
  ReaderLimits roomy;
  roomy.max_envelope_bytes = big.size();
  auto roomy_reader = makeReader(roomy);
  CHECK(roomy_reader->unwrap(big));
}

TEST_CASE("the default envelope limit is the GGk's 25 MB", "[stuf]") {
  CHECK(ReaderLimits{}.max_envelope_bytes == 25u * 1024u * 1024u);
}

TEST_CASE("ENV-XSD: a referentienummer that is no UUID v4 is refused naming the element, and the "
          "fields still read say whom to answer",
          "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, di01("PEE+PC9BPg==", "0f8fad5b-d9cb-169f-a165-70867728950e"), in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.kind == BerichtKind::Di01);
  CHECK(in.problems[0].rule == EnvelopeProblem::kXsd);
  CHECK(in.problems[0].element ==
        "/envelopHeenbericht-ggk_Di01/stuurgegevens/referentienummer");
  CHECK(in.problems[0].line == 7);
  CHECK(in.envelope.referentienummer == "0f8fad5b-d9cb-169f-a165-70867728950e");
  CHECK(in.envelope.zender.organisatie == "12345678");
  CHECK(in.envelope.payload.empty());
  const auto status = in.status();
  CHECK(status.code() == iwmo::StatusCode::kInvalid);
  CHECK_THAT(status.message(), Catch::StartsWith("Di01 envelope refused: "
                                                 "/envelopHeenbericht-ggk_Di01/stuurgegevens/"
                                                 "referentienummer: ENV-XSD: "));
}

TEST_CASE("PAYLOAD-BOM: a payload with a byte-order mark is refused", "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, di01(iwmo::adapters::stuf::base64Encode("\xEF\xBB\xBF<a/>")), in);
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kBom);
  CHECK(in.problems[0].element ==
        "/envelopHeenbericht-ggk_Di01/parameters/bericht/xmlBestand");
  CHECK_THAT(in.problems[0].message, Catch::Contains("UTF-8 byte-order mark"));
  read(*reader, di01(iwmo::adapters::stuf::base64Encode(std::string("\xFF\xFE<\0a\0/\0>\0", 10))),
       in);
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kBom);
  CHECK(in.envelope.payload.empty());
}

TEST_CASE("PAYLOAD-UTF8: a payload that is not UTF-8 is refused with its offset", "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, di01(iwmo::adapters::stuf::base64Encode("<a>caf\xE9</a>")), in);  // Latin-1 é
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kUtf8);
  CHECK_THAT(in.problems[0].message, Catch::Contains("byte 0xE9 at payload offset 6"));
  // Overlong encoding and an encoded surrogate are not UTF-8 either.
  read(*reader, di01(iwmo::adapters::stuf::base64Encode("<a>\xC0\xAF</a>")), in);
  CHECK(in.problems.at(0).rule == EnvelopeProblem::kUtf8);
  read(*reader, di01(iwmo::adapters::stuf::base64Encode("<a>\xED\xA0\x80</a>")), in);
  CHECK(in.problems.at(0).rule == EnvelopeProblem::kUtf8);
}

TEST_CASE("PAYLOAD-EMPTY: an empty xmlBestand is refused", "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, di01(""), in);
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kEmpty);
}

TEST_CASE("ENV-XSD: base64 the schema refuses never reaches the decoder", "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, di01("PEE+PC9BPg=*"), in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.problems[0].rule == EnvelopeProblem::kXsd);
  CHECK(in.problems[0].element == "/envelopHeenbericht-ggk_Di01/parameters/bericht/xmlBestand");
}

TEST_CASE("ENV-XML: not well-formed, a DOCTYPE, or an empty file is refused", "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  std::string broken = di01("PEE+PC9BPg==");
  broken.resize(broken.find("</StUF:functie>") + 15);
  read(*reader, broken, in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.problems[0].rule == EnvelopeProblem::kXml);
  CHECK(in.kind == BerichtKind::Di01);  // the root was seen before the document broke off
  CHECK(in.envelope.referentienummer == "0f8fad5b-d9cb-469f-a165-70867728950e");

  const std::string doctype = iwmo::test::replaceFirst(
      di01("PEE+PC9BPg=="), "<GGK:envelopHeenbericht-ggk_Di01 ",
      "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<GGK:envelopHeenbericht-ggk_Di01 ");
  read(*reader, doctype, in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.problems[0].rule == EnvelopeProblem::kXml);
  CHECK_THAT(in.problems[0].message, Catch::Contains("DOCTYPE"));

  read(*reader, "", in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.problems[0].rule == EnvelopeProblem::kXml);
  CHECK(in.kind == BerichtKind::Unknown);
}

TEST_CASE("ENV-XSD: a bare iWmo message without envelope is refused as outside the StUF set",
          "[stuf]") {
  auto reader = makeReader();
  ReadOutcome in;
  read(*reader, iwmo::test::kValidWmo305, in);
  REQUIRE_FALSE(in.ok());
  CHECK(in.kind == BerichtKind::Unknown);
  CHECK(in.problems[0].rule == EnvelopeProblem::kXsd);
  CHECK_THAT(in.status().message(), Catch::StartsWith("StUF-GGk document refused"));
}

TEST_CASE("ENV-ROOT: a schema-valid StUF message that is no Di01, Du01 or Fo01 is refused",
          "[stuf][reference]") {
  // Only a schema set that declares more StUF messages (the official one) lets one through.
  const auto official = iwmo::test::officialStufSchemaDir();
  if (!official) return;
  auto reader = EnvelopeReader::create(iwmo::test::schemaSet(*official));
  REQUIRE(reader);
  std::string fo03 = iwmo::test::stufExample("Fo01.xml");
  fo03 = iwmo::test::replaceFirst(fo03, "<StUF:Fo01Bericht", "<StUF:Fo03Bericht");
  fo03 = iwmo::test::replaceFirst(fo03, "</StUF:Fo01Bericht", "</StUF:Fo03Bericht");
  fo03 = iwmo::test::replaceFirst(fo03, ">Fo01<", ">Fo03<");
  ReadOutcome in;
  (*reader)->read(fo03, in);
  REQUIRE(in.problems.size() == 1);
  CHECK(in.problems[0].rule == EnvelopeProblem::kRoot);
  CHECK(in.problems[0].element == "/Fo03Bericht");
}

TEST_CASE("a reader needs a schema set with the StUF and GGk namespaces", "[stuf]") {
  auto reader = EnvelopeReader::create(iwmo::test::schemaSet(iwmo::test::projectSchemaDir()));
  REQUIRE_FALSE(reader);
  CHECK(reader.status().code() == iwmo::StatusCode::kFailedPrecondition);
  CHECK_THAT(reader.status().message(), Catch::Contains("schemas/stuf-ggk"));
}
