// Fo01: building a StUF055 answer to a refused envelope, reading inbound Fo01s with every code of
// the published lists (codes are opaque), and our small code table against the official list.
#include <catch2/catch.hpp>

#include <sstream>

#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/envelope_writer.h"
#include "adapters/stuf/fo01_codes.h"
#include "adapters/stuf/uuid.h"
#include "adapters/xml/validating_parser.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace stuf = iwmo::adapters::stuf;

namespace {

std::unique_ptr<stuf::EnvelopeWriter> makeWriter() {
  auto writer = stuf::EnvelopeWriter::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()));
  REQUIRE(writer);
  return std::move(*writer);
}

std::unique_ptr<stuf::EnvelopeReader> makeReader() {
  auto reader = stuf::EnvelopeReader::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()));
  REQUIRE(reader);
  return std::move(*reader);
}

stuf::StufSystem us() {
  stuf::StufSystem system;
  system.organisatie = "0599";
  system.applicatie = "iwmo-gateway";
  return system;
}

// A provider's Di01 as it arrived (its payload failed the iWmo XSD further on).
stuf::GgkEnvelope failedEnvelope() {
  stuf::GgkEnvelope envelope;
  envelope.kind = stuf::BerichtKind::Di01;
  envelope.zender.organisatie = "12345678";
  envelope.zender.applicatie = "Zorgsysteem";
  envelope.ontvanger.organisatie = "0599";
  envelope.ontvanger.applicatie = "GGk";
  envelope.referentienummer = "0f8fad5b-d9cb-469f-a165-70867728950e";
  envelope.functie = "WMO305";
  envelope.applicatie_versie = "0002";
  envelope.applicatie_subversie = "0001";
  return envelope;
}

// Rows of a TSV file with a header line.
std::vector<std::vector<std::string>> readTsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
      const std::size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

}  // namespace

TEST_CASE("StUF055: a Fo01 answering an envelope carries its crossRefnummer, code and "
          "description, and reads back",
          "[stuf]") {
  auto writer = makeWriter();
  const auto failed = failedEnvelope();
  auto request = stuf::fo01Answering(
      failed, us(), stuf::Fo01Code::StUF055,
      "/Bericht/Client/Bsn: value '12345678' does not match the pattern", iwmo::Timestamp{0}, 60);
  auto written = writer->fo01(request);
  REQUIRE(written);
  CHECK(stuf::isUuidV4(written->referentienummer));
  auto fo01 = makeReader()->readFo01(written->bytes);
  REQUIRE(fo01);
  CHECK(fo01->zender.organisatie == "0599");
  CHECK(fo01->ontvanger.organisatie == "12345678");
  CHECK(fo01->ontvanger.applicatie == "Zorgsysteem");
  CHECK(fo01->referentienummer == written->referentienummer);
  CHECK(fo01->cross_refnummer == failed.referentienummer);
  CHECK(fo01->tijdstip_bericht == "19700101010000000");
  CHECK(fo01->code == "StUF055");
  CHECK(fo01->plek == "client");
  CHECK(fo01->omschrijving ==
        "Berichtbody is niet conform schema in sectormodel: /Bericht/Client/Bsn: value "
        "'12345678' does not match the pattern");
  CHECK(fo01->details == "WMO305-00020001");
  CHECK_FALSE(fo01->has_details_xml);
}

TEST_CASE("a Fo01 we write validates against the official StUF 03.01 schema",
          "[stuf][reference]") {
  const auto official = iwmo::test::officialStufSchemaDir();
  if (!official) return;
  auto writer = makeWriter();
  auto request = stuf::fo01Answering(failedEnvelope(), us(), stuf::Fo01Code::StUF055,
                                     "a < b & c > d", iwmo::Timestamp{0}, 0);
  request.details_xml = "<Origineel xmlns=\"urn:x\"><a>1</a></Origineel>";
  auto written = writer->fo01(request);
  REQUIRE(written);
  auto parser = iwmo::adapters::xml::ValidatingParser::create(iwmo::test::schemaSet(*official));
  REQUIRE(parser);
  iwmo::adapters::xml::ParseOutcome outcome;
  (*parser)->parse(written->bytes, outcome);
  for (const auto& p : outcome.problems) UNSCOPED_INFO(p.path << ": " << p.message);
  CHECK(outcome.ok());
  auto fo01 = makeReader()->readFo01(written->bytes);
  REQUIRE(fo01);
  CHECK(fo01->has_details_xml);
  CHECK_THAT(fo01->omschrijving, Catch::EndsWith(": a < b & c > d"));
}

TEST_CASE("a long description is cut to the 200 characters of Foutomschrijving", "[stuf]") {
  auto writer = makeWriter();
  std::string detail;
  for (int i = 0; i < 40; ++i) detail += "één fout; ";
  auto written = writer->fo01(stuf::fo01Answering(failedEnvelope(), us(), stuf::Fo01Code::StUF055,
                                                  detail, iwmo::Timestamp{0}, 0));
  REQUIRE(written);
  auto fo01 = makeReader()->readFo01(written->bytes);
  REQUIRE(fo01);
  CHECK_THAT(fo01->omschrijving, Catch::EndsWith("..."));
  CHECK_THAT(fo01->omschrijving, Catch::StartsWith("Berichtbody is niet conform schema"));
  std::size_t characters = 0;
  for (char c : fo01->omschrijving) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  CHECK(characters == 200);
}

TEST_CASE("a Fo01 without whom to answer is refused", "[stuf]") {
  auto writer = makeWriter();
  auto request = stuf::fo01Answering(failedEnvelope(), us(), stuf::Fo01Code::StUF055, "",
                                     iwmo::Timestamp{0}, 0);
  request.cross_refnummer.clear();
  auto written = writer->fo01(request);
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("crossRefnummer"));
  request = stuf::fo01Answering(failedEnvelope(), us(), stuf::Fo01Code::StUF055, "",
                                iwmo::Timestamp{0}, 0);
  request.ontvanger.applicatie = "";
  written = writer->fo01(request);
  REQUIRE_FALSE(written);
  CHECK_THAT(written.status().message(), Catch::StartsWith("ontvanger.applicatie"));
  request = stuf::fo01Answering(failedEnvelope(), us(), stuf::Fo01Code::StUF055, "",
                                iwmo::Timestamp{0}, 0);
  request.details_xml = "<unclosed>";
  written = writer->fo01(request);
  REQUIRE_FALSE(written);
  CHECK(written.status().code() == iwmo::StatusCode::kInvalid);
}

TEST_CASE("our Fo01 code table says what the official ISD-keten list says for StUF055",
          "[stuf][reference]") {
  const auto reference = iwmo::test::stufReferenceDir();
  if (!reference) return;
  const auto rows = readTsv(iwmo::test::readFile(*reference / "fo01-foutcodes-isd-keten-2018.tsv"));
  const auto& info = stuf::fo01CodeInfo(stuf::Fo01Code::StUF055);
  bool found = false;
  for (const auto& row : rows) {
    REQUIRE(row.size() >= 3);  // sender, code, description_nl, note
    if (row[0] == "Gemeente" && row[1] == info.code) {
      CHECK(row[2] == info.omschrijving);
      found = true;
    }
  }
  CHECK(found);
}

TEST_CASE("inbound Fo01s with every published code are read with code and omschrijving intact",
          "[stuf][reference]") {
  const auto reference = iwmo::test::stufReferenceDir();
  if (!reference) return;
  auto reader = makeReader();
  const std::string templ = iwmo::test::stufExample("Fo01.xml");
  int seen = 0;
  // Column of the code and of the description in each list.
  const struct {
    const char* file;
    std::size_t code;
    std::size_t description;
  } lists[] = {{"fo01-foutcodes-isd-keten-2018.tsv", 1, 2},
               {"fo01-foutcodes-bidn-2025.tsv", 0, 1},
               {"vecozo-brs-foutcodes.tsv", 0, 1}};
  for (const auto& list : lists) {
    for (const auto& row : readTsv(iwmo::test::readFile(*reference / list.file))) {
      const std::string& code = row.at(list.code);
      const std::string omschrijving = row.at(list.description).substr(0, 200);
      INFO(list.file << " " << code);
      std::string bytes = iwmo::test::replaceFirst(templ, ">IB210<", ">" + code + "<");
      bytes = iwmo::test::replaceFirst(bytes, ">Ontvangende organisatie onbekend. Organisatie 99999<",
                                       ">" + omschrijving + "<");
      auto fo01 = reader->readFo01(bytes);
      REQUIRE(fo01);
      CHECK(fo01->code == code);
      CHECK(fo01->omschrijving == omschrijving);
      CHECK(fo01->cross_refnummer == "9c0f7b90-5c69-11e5-a837-0800200c9a66");
      ++seen;
    }
  }
  CHECK(seen == 25 + 28 + 20);
}
