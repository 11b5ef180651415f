// Config: the gateway's configuration (DESIGN §5.3), read from TOML with toml++.
// The embedded default (config/default.toml, compiled in) runs everything with no edits.
// Every error names the file, the key, the line and the fix (non-negotiable 4).
// Thread-safety: a loaded Config is an immutable value.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo::config {

struct Config {
  std::string origin;  // the file it came from, or "embedded default"
  std::vector<std::string> own_gemeente;
  std::filesystem::path iwmo_schema_dir;
  std::size_t max_message_bytes = 25u * 1024u * 1024u;
  std::size_t max_findings_per_message = 50;
};

// The embedded default, with relative paths resolved against `data_dir`.
Result<Config> loadDefaultConfig(const std::filesystem::path& data_dir);
// A config file; relative paths resolve against the file's directory.
// Errors: kNotFound (no such file), kInvalid (syntax, unknown key, wrong type or value), each
// message "FILE:LINE: key: problem; fix".
Result<Config> loadConfigFile(const std::filesystem::path& file);
// Parses TOML text; `origin` names it in errors, `base_dir` resolves relative paths.
Result<Config> parseConfig(std::string_view toml_text, const std::string& origin,
                           const std::filesystem::path& base_dir);

// The text of config/default.toml as compiled in.
std::string_view embeddedDefaultConfig();

}  // namespace iwmo::config
