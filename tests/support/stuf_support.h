// Test helpers for adapters/stuf: where our StUF-GGk schemas, the official ones and the official
// example messages are.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace iwmo::test {

// The project's own StUF-GGk schema set (schemas/stuf-ggk).
std::filesystem::path stufSchemaDir();

// ../shared/reference/stuf-iwmo, or nullopt (with a WARN) when absent.
std::optional<std::filesystem::path> stufReferenceDir();

// A directory SchemaSet can load holding the official StUF-GGk 2.1.04 schemas, or nullopt when
// the reference is absent. SchemaSet resolves includes only by plain file name inside its
// directory and keeps one file per namespace; the official files include
// "../../0301/stuf0301.xsd" from a second file of the same StUF namespace. So the test copies:
//   ggk0210_msg_ggkberichten.xsd               unchanged,
//   ggk0210_stuf0301_msg_ggkberichten.xsd      with only that include's schemaLocation changed
//                                              to "stuf0301.xsd.inc",
//   0301/stuf0301.xsd -> stuf0301.xsd.inc      unchanged (not *.xsd, so not a second StUF entry),
// into one temporary directory that lives for the whole run. Nothing else is altered, and
// SchemaSet's rules (no paths, no URLs, no network) stay as they are.
std::optional<std::filesystem::path> officialStufSchemaDir();

// ../shared/reference/stuf-iwmo/ggk0210-2.1.04v3/voorbeeldberichten/<name>, read; FAILs when absent.
std::string stufExample(const std::string& name);

// A GGk document as the gateway's own reader sees it (our schemas/stuf-ggk): FAILs the test when
// `bytes` is not a valid Di01, Du01 or Fo01.
struct ReadDocument {
  std::string kind;              // "Di01", "Du01", "Fo01"
  std::string referentienummer;
  std::string cross_refnummer;
  std::string zender;            // organisatie
  std::string ontvanger;
  std::string functie;           // "Fo01" for a Fo01
  std::string payload;           // Di01 / Du01: the decoded message
  std::string fo01_code;
  std::string fo01_omschrijving;
};
ReadDocument readGgkDocument(const std::string& bytes);

// A Di01 around `payload` from `zender` (an AGB code) to `ontvanger` (a CBS code), with
// `referentienummer` (a UUID v4), written by our EnvelopeWriter (validated).
std::string wrapDi01(const std::string& payload, const std::string& functie, const std::string& zender,
                     const std::string& ontvanger, const std::string& referentienummer);
// The same as a Du01 answering `cross_refnummer`.
std::string wrapDu01(const std::string& payload, const std::string& functie, const std::string& zender,
                     const std::string& ontvanger, const std::string& referentienummer,
                     const std::string& cross_refnummer);

// A Fo01 StUF055 from `zender` (the chain, e.g. "CAK") to `ontvanger` about the document
// `cross_refnummer`, written by our EnvelopeWriter (validated).
std::string chainFo01(const std::string& zender, const std::string& ontvanger, const std::string& cross_refnummer,
                      const std::string& referentienummer, const std::string& detail);

}  // namespace iwmo::test
