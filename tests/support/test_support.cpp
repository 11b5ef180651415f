#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

namespace iwmo::test {

namespace fs = std::filesystem;

fs::path sourceDir() { return IWMO_SOURCE_DIR; }
fs::path projectSchemaDir() { return sourceDir() / "schemas" / "iwmo-3.2"; }

std::optional<fs::path> referenceDir() {
  const fs::path dir = IWMO_REFERENCE_DIR;
  if (fs::is_directory(dir / "iwmo-3.2")) return dir;
  WARN("reference material not found at " << dir.string()
       << ": the tests that compare against the official iWmo 3.2 files are SKIPPED. "
          "Check out shared/ beside the repository (or set -DIWMO_REFERENCE_DIR=...).");
  return std::nullopt;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out) FAIL("cannot write " << path.string());
}

namespace {

// Objects cached for the whole run; released by releaseCaches() before Xerces terminates.
struct Caches {
  std::map<std::string, std::shared_ptr<const adapters::xml::SchemaSet>> schema_sets;
  std::shared_ptr<const adapters::xml::SchemaSet> project_schemas;
  std::unique_ptr<adapters::iwmo::IwmoAdapter> project_adapter;
};

Caches& caches() {
  static Caches instance;
  return instance;
}

}  // namespace

void releaseCaches() {
  caches().project_adapter.reset();
  caches().project_schemas.reset();
  caches().schema_sets.clear();
}

std::shared_ptr<const adapters::xml::SchemaSet> schemaSet(const fs::path& dir) {
  auto& slot = caches().schema_sets[dir.string()];
  if (!slot) {
    auto loaded = adapters::xml::SchemaSet::load(dir);
    if (!loaded) FAIL("schema set " << dir.string() << ": " << loaded.status().toString());
    slot = *loaded;
  }
  return slot;
}

std::unique_ptr<adapters::iwmo::IwmoAdapter> adapterFor(const fs::path& schema_dir,
                                                        adapters::xml::ParseLimits limits) {
  auto adapter = adapters::iwmo::IwmoAdapter::create(schemaSet(schema_dir), limits);
  if (!adapter) FAIL(adapter.status().toString());
  return std::move(*adapter);
}

std::shared_ptr<const adapters::xml::SchemaSet> projectSchemaSet() {
  auto& schemas = caches().project_schemas;
  if (!schemas) {
    auto loaded = adapters::xml::SchemaSet::load(
        std::vector<fs::path>{projectSchemaDir(), sourceDir() / "schemas/ieb"});
    if (!loaded) FAIL("project schema set: " << loaded.status().toString());
    schemas = std::move(*loaded);
  }
  return schemas;
}

proto::Envelope validateWithProjectSchemas(const std::string& bytes) {
  auto& adapter = caches().project_adapter;
  if (!adapter) {
    auto created = adapters::iwmo::IwmoAdapter::create(projectSchemaSet());
    if (!created) FAIL(created.status().toString());
    adapter = std::move(*created);
  }
  proto::Envelope envelope;
  adapter->validate(bytes, "test", envelope);
  return envelope;
}

std::vector<std::string> findingCodes(const proto::Envelope& envelope) {
  std::vector<std::string> codes;
  for (const auto& finding : envelope.verdict().findings()) codes.push_back(finding.code());
  return codes;
}

TempDir::TempDir() {
  static std::mt19937_64 random{std::random_device{}()};
  path_ = fs::temp_directory_path() / ("iwmo-test-" + std::to_string(getpid()) + "-" +
                                       std::to_string(random()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult runCommand(const std::string& command_line) {
  TempDir dir;
  const fs::path out = dir.path() / "stdout";
  const fs::path err = dir.path() / "stderr";
  const std::string full = "(" + command_line + ") >" + shellQuote(out.string()) + " 2>" +
                           shellQuote(err.string()) + " </dev/null";
  const int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = readFile(out);
  result.err = readFile(err);
  return result;
}

}  // namespace iwmo::test

namespace iwmo::test {

const char* const kValidWmo305 = R"(<?xml version="1.0" encoding="UTF-8"?>
<wmo305:Bericht xmlns:wmo305="http://www.istandaarden.nl/iwmo/3_2/wmo305/schema" xmlns:iwmo="http://www.istandaarden.nl/iwmo/3_2/basisschema/schema">
  <wmo305:Header>
    <wmo305:BerichtCode>418</wmo305:BerichtCode>
    <wmo305:BerichtVersie>3</wmo305:BerichtVersie>
    <wmo305:BerichtSubversie>2</wmo305:BerichtSubversie>
    <wmo305:Afzender>42420001</wmo305:Afzender>
    <wmo305:Ontvanger>0599</wmo305:Ontvanger>
    <wmo305:BerichtIdentificatie>
      <iwmo:Identificatie>T305-0001</iwmo:Identificatie>
      <iwmo:Dagtekening>2026-03-02</iwmo:Dagtekening>
    </wmo305:BerichtIdentificatie>
    <wmo305:XsdVersie>
      <iwmo:BasisschemaXsdVersie>1.0.0</iwmo:BasisschemaXsdVersie>
      <iwmo:BerichtXsdVersie>1.0.0</iwmo:BerichtXsdVersie>
    </wmo305:XsdVersie>
  </wmo305:Header>
  <wmo305:Client>
    <wmo305:Bsn>999900018</wmo305:Bsn>
    <wmo305:Geboortedatum>
      <iwmo:Datum>1950-06-01</iwmo:Datum>
    </wmo305:Geboortedatum>
    <wmo305:Geslacht>2</wmo305:Geslacht>
    <wmo305:Naam>
      <iwmo:Geslachtsnaam>
        <iwmo:Achternaam>Jansen</iwmo:Achternaam>
      </iwmo:Geslachtsnaam>
      <iwmo:Voorletters>M</iwmo:Voorletters>
    </wmo305:Naam>
    <wmo305:StartProducten>
      <wmo305:StartProduct>
        <wmo305:ToewijzingNummer>700001</wmo305:ToewijzingNummer>
        <wmo305:Product>
          <iwmo:Categorie>02</iwmo:Categorie>
          <iwmo:Code>02A01</iwmo:Code>
        </wmo305:Product>
        <wmo305:ToewijzingIngangsdatum>2026-02-01</wmo305:ToewijzingIngangsdatum>
        <wmo305:Begindatum>2026-02-03</wmo305:Begindatum>
        <wmo305:StatusAanlevering>1</wmo305:StatusAanlevering>
      </wmo305:StartProduct>
    </wmo305:StartProducten>
  </wmo305:Client>
</wmo305:Bericht>
)";

}  // namespace iwmo::test

namespace iwmo::test {

std::string replaceFirst(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) FAIL("test fixture lacks '" << from << "'");
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace iwmo::test
