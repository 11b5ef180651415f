// Our own schema set accepts every official iWmo 3.2 example, and the adapter detects each type.
#include <catch2/catch.hpp>

#include "adapters/iwmo/message_types.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

TEST_CASE("every official iWmo 3.2 example validates with our schemas and rules",
          "[iwmo][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  int seen = 0;
  for (const auto& entry : fs::directory_iterator(*reference / "iwmo-3.2/examples")) {
    const std::string name = entry.path().stem().string();  // "WMO301"
    INFO(entry.path().string());
    const auto envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::readFile(entry.path()));
    for (const auto& finding : envelope.verdict().findings()) {
      UNSCOPED_INFO(finding.line() << ":" << finding.column() << " " << finding.code() << " "
                                   << finding.path() << " " << finding.message());
    }
    CHECK(envelope.verdict().valid());
    CHECK(envelope.summary().message_type() == name);
    CHECK(envelope.summary().header().bericht_code() ==
          iwmo::adapters::iwmo::messageTypeByName(name)->bericht_code);
    CHECK(envelope.payload_sha256().size() == 64);
    ++seen;
  }
  CHECK(seen == 7);
}

TEST_CASE("our schema set covers every namespace of the official one", "[iwmo][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  const auto official = iwmo::test::schemaSet(*reference / "iwmo-3.2/xsd");
  const auto ours = iwmo::test::schemaSet(iwmo::test::projectSchemaDir());
  for (const auto& [ns, file] : official->files()) {
    INFO(ns);
    CHECK(ours->hasNamespace(ns));
  }
}

TEST_CASE("the message type table agrees with the COD002 codelist", "[iwmo][reference]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  const std::string tsv =
      iwmo::test::readFile(*reference / "iwmo-3.2/codelists/message-types.tsv");
  int rows = 0;
  for (const auto& type : iwmo::adapters::iwmo::allMessageTypes()) {
    const std::string row_start = std::string(type.name) + "\t" + std::to_string(type.bericht_code) +
                                  "\t" + (type.is_retour ? "retourbericht" : "heenbericht");
    INFO(row_start);
    CHECK(tsv.find(row_start) != std::string::npos);
    ++rows;
  }
  CHECK(rows == 14);
}
