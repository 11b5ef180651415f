// Shared helpers for the tests: where things are, reading files, building adapters.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/xml/schema_set.h"

namespace iwmo::test {

std::filesystem::path sourceDir();
// The project's own iWmo schema set.
std::filesystem::path projectSchemaDir();
// ../shared/reference, or nullopt (with a clear WARN in the test log) when it is absent.
std::optional<std::filesystem::path> referenceDir();

std::string readFile(const std::filesystem::path& path);
void writeFile(const std::filesystem::path& path, const std::string& bytes);

// A schema set loaded once per directory for the whole test run (compiling grammars is slow).
std::shared_ptr<const adapters::xml::SchemaSet> schemaSet(const std::filesystem::path& dir);
std::unique_ptr<adapters::iwmo::IwmoAdapter> adapterFor(const std::filesystem::path& schema_dir,
                                                        adapters::xml::ParseLimits limits = {});

// Drops the cached schema sets and adapters; called by the test main before Xerces terminates.
void releaseCaches();

// The project's whole schema set, iWmo 3.2 and the (provisional) iEb 4.0 schemas, as the
// daemon loads it (Config::schemaDirs()); loaded once for the run.
std::shared_ptr<const adapters::xml::SchemaSet> projectSchemaSet();
// Validates `bytes` with the project's schemas (iWmo and iEb) and returns the envelope.
proto::Envelope validateWithProjectSchemas(const std::string& bytes);
// The codes of all findings, in order.
std::vector<std::string> findingCodes(const proto::Envelope& envelope);

// A fresh empty directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a command line with /bin/sh; returns its exit status and captures stdout and stderr.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult runCommand(const std::string& command_line);
std::string shellQuote(const std::string& text);

}  // namespace iwmo::test

namespace iwmo::test {

// A small, valid WMO305 of our own (not an official example), used where a test needs one
// well-formed, schema-valid, rule-clean message regardless of the reference material.
extern const char* const kValidWmo305;

}  // namespace iwmo::test

namespace iwmo::test {

// `text` with the first occurrence of `from` replaced by `to`; FAILs when `from` is absent.
std::string replaceFirst(std::string text, const std::string& from, const std::string& to);

}  // namespace iwmo::test
