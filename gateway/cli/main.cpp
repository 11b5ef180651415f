// iwmo-gateway: the one binary (DESIGN §5.2). main() wires the concrete types; each command lives
// in its own file. Exit codes: 0 success, 1 the command's negative outcome (e.g. invalid
// messages), 2 usage, configuration or I/O errors.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "adapters/xml/xerces_platform.h"
#include "gateway/cli/validate_command.h"
#include "gateway/config/config.h"

#ifndef IWMO_DATA_DIR
#error "IWMO_DATA_DIR must name the directory holding schemas/ (set by CMake)"
#endif
#ifndef IWMO_VERSION
#define IWMO_VERSION "dev"
#endif

namespace {

constexpr int kExitUsage = 2;

// Where the embedded config's relative paths point: $IWMO_DATA_DIR, else the build's data dir.
std::filesystem::path dataDir() {
  if (const char* env = std::getenv("IWMO_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return IWMO_DATA_DIR;
}

iwmo::Result<iwmo::config::Config> loadConfig(const std::string& config_file) {
  if (config_file.empty()) return iwmo::config::loadDefaultConfig(dataDir());
  return iwmo::config::loadConfigFile(config_file);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"iwmo-gateway: validates, journals and routes iWmo 3.2 and iEb messages between a "
               "municipality's back office and the GGk."};
  app.set_version_flag("--version", std::string("iwmo-gateway ") + IWMO_VERSION);
  app.require_subcommand(1);

  std::string config_file;
  app.add_option("--config", config_file,
                 "TOML configuration file (default: the embedded default configuration)")
      ->check(CLI::ExistingFile);

  iwmo::cli::ValidateOptions validate;
  std::string schema_dir;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate",
      "Validate iWmo 3.2 messages (XML, schema, single-message rules) and print one verdict per "
      "file. Exit 0 if all valid, 1 if any invalid, 2 on usage or I/O errors.");
  validate_cmd->add_option("files", validate.inputs, "Message files, directories (*.xml), or - for stdin")
      ->required();
  validate_cmd->add_flag("--json", validate.json,
                         "One JSON object per file per line: file, message_type, valid, level, errors");
  validate_cmd->add_flag("-q,--quiet", validate.quiet, "Human output: only invalid files and totals");
  validate_cmd->add_option("--schemas", schema_dir,
                           "iWmo schema directory (overrides schemas.iwmo of the config)")
      ->check(CLI::ExistingDirectory);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  iwmo::adapters::xml::XercesPlatform xerces;
  if (!xerces.status().isOk()) {
    std::cerr << "iwmo-gateway: " << xerces.status().message() << "\n";
    return kExitUsage;
  }
  auto config = loadConfig(config_file);
  if (!config) {
    std::cerr << "iwmo-gateway: " << config.status().message() << "\n";
    return kExitUsage;
  }
  if (!schema_dir.empty()) config->iwmo_schema_dir = schema_dir;

  if (validate_cmd->parsed()) return iwmo::cli::runValidate(*config, validate);
  return kExitUsage;
}
