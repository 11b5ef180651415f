#include "support/stuf_support.h"

#include <catch2/catch.hpp>

#include "adapters/stuf/envelope_reader.h"
#include "adapters/stuf/envelope_writer.h"
#include "support/test_support.h"

namespace iwmo::test {

namespace fs = std::filesystem;

fs::path stufSchemaDir() { return sourceDir() / "schemas" / "stuf-ggk"; }

std::optional<fs::path> stufReferenceDir() {
  const fs::path dir = fs::path(IWMO_REFERENCE_DIR) / "stuf-iwmo";
  if (fs::is_directory(dir / "ggk0210-2.1.04v3")) return dir;
  WARN("StUF-GGk reference material not found at " << dir.string()
       << ": the tests that compare against the official StUF-GGk files are SKIPPED. "
          "Check out shared/ beside the repository (or set -DIWMO_REFERENCE_DIR=...).");
  return std::nullopt;
}

std::optional<fs::path> officialStufSchemaDir() {
  const auto reference = stufReferenceDir();
  if (!reference) return std::nullopt;
  static TempDir dir;  // lives until the end of the run
  static bool prepared = false;
  if (!prepared) {
    const fs::path release = *reference / "ggk0210-2.1.04v3";
    const fs::path messages = release / "ggk0210" / "ggkberichten";
    writeFile(dir.path() / "ggk0210_msg_ggkberichten.xsd",
              readFile(messages / "ggk0210_msg_ggkberichten.xsd"));
    const std::string stuf_part = readFile(messages / "ggk0210_stuf0301_msg_ggkberichten.xsd");
    writeFile(dir.path() / "ggk0210_stuf0301_msg_ggkberichten.xsd",
              replaceFirst(stuf_part, "schemaLocation=\"../../0301/stuf0301.xsd\"",
                           "schemaLocation=\"stuf0301.xsd.inc\""));
    writeFile(dir.path() / "stuf0301.xsd.inc", readFile(release / "0301" / "stuf0301.xsd"));
    prepared = true;
  }
  return dir.path();
}

std::string stufExample(const std::string& name) {
  const auto reference = stufReferenceDir();
  if (!reference) FAIL("no StUF-GGk reference material");
  return readFile(*reference / "ggk0210-2.1.04v3" / "voorbeeldberichten" / name);
}

namespace {

std::shared_ptr<const adapters::xml::SchemaSet> ourStufSchemas() {
  return schemaSet(stufSchemaDir());  // cached; released before Xerces terminates
}

std::string wrap(bool retour, const std::string& payload, const std::string& functie, const std::string& zender,
                 const std::string& ontvanger, const std::string& referentienummer,
                 const std::string& cross_refnummer) {
  auto writer = adapters::stuf::EnvelopeWriter::create(ourStufSchemas());
  REQUIRE(writer.hasValue());
  adapters::stuf::WrapRequest request;
  request.zender.organisatie = zender;
  request.zender.applicatie = "ZorgSysteemTest";
  request.ontvanger_organisatie = ontvanger;
  request.functie = functie;
  request.applicatie_versie = "0002";
  request.applicatie_subversie = "0010";
  request.functie_versie = "0003";
  request.functie_subversie = "0002";
  request.tijdstip = Timestamp::fromSeconds(1767600000);
  request.utc_offset_minutes = 60;
  request.referentienummer = referentienummer;
  auto written = retour ? (*writer)->wrapRetour(request, cross_refnummer, payload) : (*writer)->wrapHeen(request, payload);
  INFO(written.status().message());
  REQUIRE(written.hasValue());
  return written->bytes;
}

}  // namespace

ReadDocument readGgkDocument(const std::string& bytes) {
  auto reader = adapters::stuf::EnvelopeReader::create(ourStufSchemas());
  REQUIRE(reader.hasValue());
  adapters::stuf::ReadOutcome outcome;
  (*reader)->read(bytes, outcome);
  INFO(outcome.status().message() << "\n" << bytes.substr(0, 2000));
  REQUIRE(outcome.ok());
  ReadDocument out;
  out.kind = std::string(adapters::stuf::berichtKindName(outcome.kind));
  if (outcome.kind == adapters::stuf::BerichtKind::Fo01) {
    out.referentienummer = outcome.fo01.referentienummer;
    out.cross_refnummer = outcome.fo01.cross_refnummer;
    out.zender = outcome.fo01.zender.organisatie;
    out.ontvanger = outcome.fo01.ontvanger.organisatie;
    out.functie = "Fo01";
    out.fo01_code = outcome.fo01.code;
    out.fo01_omschrijving = outcome.fo01.omschrijving;
    return out;
  }
  out.referentienummer = outcome.envelope.referentienummer;
  out.cross_refnummer = outcome.envelope.cross_refnummer;
  out.zender = outcome.envelope.zender.organisatie;
  out.ontvanger = outcome.envelope.ontvanger.organisatie;
  out.functie = outcome.envelope.functie;
  out.payload = outcome.envelope.payload;
  return out;
}

std::string wrapDi01(const std::string& payload, const std::string& functie, const std::string& zender,
                     const std::string& ontvanger, const std::string& referentienummer) {
  return wrap(false, payload, functie, zender, ontvanger, referentienummer, "");
}

std::string wrapDu01(const std::string& payload, const std::string& functie, const std::string& zender,
                     const std::string& ontvanger, const std::string& referentienummer,
                     const std::string& cross_refnummer) {
  return wrap(true, payload, functie, zender, ontvanger, referentienummer, cross_refnummer);
}

std::string chainFo01(const std::string& zender, const std::string& ontvanger, const std::string& cross_refnummer,
                      const std::string& referentienummer, const std::string& detail) {
  auto writer = adapters::stuf::EnvelopeWriter::create(ourStufSchemas());
  REQUIRE(writer.hasValue());
  adapters::stuf::Fo01Request request;
  request.zender.organisatie = zender;
  request.zender.applicatie = "GGkKetenTest";
  request.ontvanger.organisatie = ontvanger;
  request.ontvanger.applicatie = "iwmo-gateway";
  request.cross_refnummer = cross_refnummer;
  request.detail = detail;
  request.details = "WMO405-00040000";
  request.tijdstip = Timestamp::fromSeconds(1767600000);
  request.utc_offset_minutes = 60;
  request.referentienummer = referentienummer;
  auto written = (*writer)->fo01(request);
  INFO(written.status().message());
  REQUIRE(written.hasValue());
  return written->bytes;
}

}  // namespace iwmo::test
