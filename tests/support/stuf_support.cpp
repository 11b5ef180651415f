#include "support/stuf_support.h"

#include <catch2/catch.hpp>

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

}  // namespace iwmo::test
