// The bundled demo batch (demo/README.md) gets exactly the verdicts it documents: every file in
// valid/ is valid, every file in invalid/ is refused with its one rule.
#include <catch2/catch.hpp>
#include <map>

#include "support/test_support.h"

namespace fs = std::filesystem;

TEST_CASE("every message in demo/messages/valid is valid", "[demo]") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(iwmo::test::sourceDir() / "demo/messages/valid")) {
    INFO(entry.path().filename().string());
    const auto envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::readFile(entry.path()));
    for (const auto& f : envelope.verdict().findings()) UNSCOPED_INFO(f.code() << " " << f.message());
    CHECK(envelope.verdict().valid());
    ++count;
  }
  CHECK(count >= 14);
}

TEST_CASE("every message in demo/messages/invalid is refused with its documented rule", "[demo]") {
  const std::map<std::string, std::pair<std::string, unsigned>> expected = {
      {"WMO301-duplicate-toewijzingnummer.xml", {"TR101", 2}},
      {"WMO301-impossible-date.xml", {"XSD", 1}},
      {"WMO305-bsn-elfproef.xml", {"CS002", 2}},
      {"WMO305-not-well-formed.xml", {"XML", 1}},
      {"WMO305-schema-bad-berichtcode.xml", {"XSD", 1}},
      {"WMO307-einddatum-before-begindatum.xml", {"TR018", 2}},
      {"WMO319-afwijzing-zonder-reden.xml", {"CD085", 2}},
      {"WMO323-totaal-mismatch.xml", {"TR358", 2}},
      {"WMO325-toegekend-mismatch.xml", {"TR342", 2}},
      {"unknown-message-type.xml", {"TYPE", 1}},
  };
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(iwmo::test::sourceDir() / "demo/messages/invalid")) {
    const std::string name = entry.path().filename().string();
    INFO(name);
    const auto it = expected.find(name);
    REQUIRE(it != expected.end());  // a new demo file needs its expected verdict here
    const auto envelope = iwmo::test::validateWithProjectSchemas(iwmo::test::readFile(entry.path()));
    CHECK_FALSE(envelope.verdict().valid());
    CHECK(envelope.verdict().level() == it->second.second);
    REQUIRE(envelope.verdict().findings_size() >= 1);
    CHECK(envelope.verdict().findings(0).code() == it->second.first);
    ++seen;
  }
  CHECK(seen == expected.size());
}
