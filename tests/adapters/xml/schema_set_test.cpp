// SchemaSet: loading a directory of XSDs at run time (drop-in replacement without a rebuild),
// resolving imports only from that directory, and clear errors for broken sets.
#include "adapters/xml/schema_set.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/xml/validating_parser.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::adapters::xml::ParseOutcome;
using iwmo::adapters::xml::SchemaSet;
using iwmo::adapters::xml::ValidatingParser;

namespace {

ParseOutcome parseWith(const std::shared_ptr<const SchemaSet>& schemas, const std::string& bytes) {
  auto parser = ValidatingParser::create(schemas);
  REQUIRE(parser);
  ParseOutcome outcome;
  (*parser)->parse(bytes, outcome);
  return outcome;
}

const char* const kMinimalSchema = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:a"
           xmlns:a="urn:test:a" elementFormDefault="qualified">
  <xs:element name="Root" type="xs:string"/>
</xs:schema>
)";

}  // namespace

TEST_CASE("the project's schema set declares the basisschema and all 14 iWmo 3.2 messages",
          "[xml][schemas]") {
  const auto schemas = iwmo::test::schemaSet(iwmo::test::projectSchemaDir());
  CHECK(schemas->files().size() == 15);
  CHECK(schemas->hasNamespace("http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"));
  for (const char* code : {"301", "302", "305", "306", "307", "308", "315", "316", "317", "318",
                           "319", "320", "323", "325"}) {
    CHECK(schemas->hasNamespace(std::string("http://www.istandaarden.nl/iwmo/3_2/wmo") + code +
                                "/schema"));
  }
}

TEST_CASE("a missing schema directory is reported with the config key to fix", "[xml][schemas]") {
  auto loaded = SchemaSet::load("/nonexistent/iwmo-schemas");
  REQUIRE_FALSE(loaded);
  CHECK(loaded.status().code() == iwmo::StatusCode::kNotFound);
  CHECK_THAT(loaded.status().message(), Catch::Contains("/nonexistent/iwmo-schemas does not exist"));
  CHECK_THAT(loaded.status().message(), Catch::Contains("[schemas]"));
}

TEST_CASE("a broken schema is reported with its file and line", "[xml][schemas]") {
  iwmo::test::TempDir dir;
  iwmo::test::writeFile(dir.path() / "good.xsd", kMinimalSchema);
  std::string broken = kMinimalSchema;
  broken.replace(broken.find("urn:test:a\"\n"), 10, "urn:test:b");
  broken.replace(broken.find("type=\"xs:string\""), 16, "type=\"a:Missing\"");
  iwmo::test::writeFile(dir.path() / "broken.xsd", broken);
  auto loaded = SchemaSet::load(dir.path());
  REQUIRE_FALSE(loaded);
  CHECK(loaded.status().code() == iwmo::StatusCode::kFailedPrecondition);
  CHECK_THAT(loaded.status().message(), Catch::Contains("broken.xsd:"));
}

TEST_CASE("two files claiming one namespace are refused", "[xml][schemas]") {
  iwmo::test::TempDir dir;
  iwmo::test::writeFile(dir.path() / "one.xsd", kMinimalSchema);
  iwmo::test::writeFile(dir.path() / "two.xsd", kMinimalSchema);
  auto loaded = SchemaSet::load(dir.path());
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.status().message(), Catch::Contains("keep one file per namespace"));
}

TEST_CASE("an import of a namespace outside the directory fails instead of fetching it",
          "[xml][schemas][security]") {
  iwmo::test::TempDir dir;
  iwmo::test::writeFile(dir.path() / "importer.xsd", R"(<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:i"
           xmlns:o="urn:test:other">
  <xs:import namespace="urn:test:other" schemaLocation="http://127.0.0.1:9/other.xsd"/>
  <xs:element name="Root" type="o:Thing"/>
</xs:schema>
)");
  auto loaded = SchemaSet::load(dir.path());
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.status().message(), Catch::Contains("importer.xsd"));
}

TEST_CASE("drop-in: the official iWmo 3.2 XSDs, renamed, load and validate the official examples",
          "[xml][schemas][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  // File names do not matter: namespaces are mapped by targetNamespace.
  iwmo::test::TempDir dir;
  for (const auto& entry : fs::directory_iterator(*reference / "iwmo-3.2/xsd")) {
    fs::copy_file(entry.path(), dir.path() / ("official-" + entry.path().filename().string()));
  }
  auto loaded = SchemaSet::load(dir.path());
  REQUIRE(loaded);
  for (const auto& entry : fs::directory_iterator(*reference / "iwmo-3.2/examples")) {
    INFO(entry.path().string());
    const ParseOutcome outcome = parseWith(*loaded, iwmo::test::readFile(entry.path()));
    CHECK(outcome.ok());
  }
}

TEST_CASE("drop-in: the iJw 3.2 set validates its examples, JW315 and JW318 stay negative",
          "[xml][schemas][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  auto loaded = SchemaSet::load(*reference / "iwmo-3.2/ijw-parallel/xsd");
  REQUIRE(loaded);
  CHECK((*loaded)->files().size() == 15);
  for (const auto& entry : fs::directory_iterator(*reference / "iwmo-3.2/ijw-parallel/examples")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    const ParseOutcome outcome = parseWith(*loaded, iwmo::test::readFile(entry.path()));
    if (name == "JW315.xml") {
      REQUIRE_FALSE(outcome.ok());
      CHECK(outcome.problems[0].code == "XSD");
      CHECK(outcome.problems[0].line == 44);
      CHECK_THAT(outcome.problems[0].message, Catch::Contains("2027-06-31"));
    } else if (name == "JW318.xml") {
      REQUIRE_FALSE(outcome.ok());
      CHECK(outcome.problems[0].line == 33);
      CHECK_THAT(outcome.problems[0].message, Catch::Contains("RetourCode"));
    } else {
      CHECK(outcome.ok());
    }
  }
}

// Xerces builds a pattern facet's character maps at its first match; validators sharing a pool
// used to race there (a valid UUID refused by its pattern, or an abort in RangeToken::doCreateMap).
// SchemaSet::load builds them before the pool is shared. Each round loads a fresh set (fresh
// maps) and lets threads validate the same document at the same moment; every verdict must agree.
TEST_CASE("validators sharing a freshly loaded schema set agree when they first validate at once",
          "[xml][schemas]") {
  iwmo::test::TempDir dir;
  constexpr int kPatterns = 40;
  std::string schema = R"(<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test:p"
           xmlns:p="urn:test:p" elementFormDefault="qualified">
  <xs:element name="Root"><xs:complexType><xs:sequence>
)";
  std::string document = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Root xmlns=\"urn:test:p\">";
  for (int i = 0; i < kPatterns; ++i) {
    const std::string n = std::to_string(i);
    schema += "    <xs:element name=\"U" + n + "\"><xs:simpleType><xs:restriction base=\"xs:string\">"
              "<xs:pattern value=\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|[Q-Z]{" + n +
              "}\"/></xs:restriction></xs:simpleType></xs:element>\n";
    document += "<U" + n + ">6f1c2a3b-0d4e-4f5a-9b6c-7d8e9f0a1b2c</U" + n + ">";
  }
  schema += "  </xs:sequence></xs:complexType></xs:element>\n</xs:schema>\n";
  document += "</Root>\n";
  iwmo::test::writeFile(dir.path() / "patterns.xsd", schema);

  constexpr int kThreads = 8;
  constexpr int kRounds = 60;
  int refused = 0;
  std::mutex first_problem_mutex;
  std::string first_problem;
  for (int round = 0; round < kRounds; ++round) {
    auto loaded = SchemaSet::load(dir.path());
    REQUIRE(loaded);
    std::vector<std::unique_ptr<ValidatingParser>> parsers;
    for (int t = 0; t < kThreads; ++t) {
      auto parser = ValidatingParser::create(*loaded);
      REQUIRE(parser);
      parsers.push_back(std::move(*parser));
    }
    std::atomic<int> ready{0};
    std::atomic<int> round_refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) {
        }
        ParseOutcome outcome;
        parsers[static_cast<std::size_t>(t)]->parse(document, outcome);
        if (!outcome.ok()) {
          round_refused.fetch_add(1);
          std::lock_guard lock(first_problem_mutex);
          if (first_problem.empty()) first_problem = outcome.problems.front().message;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    refused += round_refused.load();
  }
  INFO(first_problem);
  CHECK(refused == 0);
}
