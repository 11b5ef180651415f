#include "gateway/config/config.h"

#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace iwmo::config {
namespace {

// Collects problems as "origin:line: key: message".
class Problems {
 public:
  explicit Problems(const std::string& origin) : origin_(origin) {}
  void add(const toml::source_region& where, std::string_view key, const std::string& message) {
    std::string line = origin_;
    if (where.begin.line > 0) line += ":" + std::to_string(where.begin.line);
    line += ": ";
    line += key;
    line += ": ";
    line += message;
    lines_.push_back(std::move(line));
  }
  bool empty() const { return lines_.empty(); }
  Status status() const {
    std::string joined = "configuration " + origin_ + " is not valid:";
    for (const auto& line : lines_) joined += "\n  " + line;
    return Status::invalid(joined);
  }

 private:
  const std::string& origin_;
  std::vector<std::string> lines_;
};

void checkKnownKeys(const toml::table& table, std::string_view section,
                    const std::set<std::string_view>& known, Problems& problems) {
  for (const auto& [key, node] : table) {
    if (known.count(key.str()) == 0) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      const std::string full = section.empty() ? std::string(key.str())
                                               : std::string(section) + "." + std::string(key.str());
      problems.add(node.source(), full,
                   "unknown key; " + (section.empty() ? std::string("known sections: ")
                                                      : "known keys in [" + std::string(section) + "]: ") +
                       list + " (check the spelling)");
    }
  }
}

std::size_t readPositive(const toml::table& section, std::string_view name, std::string_view full,
                         std::size_t fallback, std::int64_t max, Problems& problems) {
  const toml::node* node = section.get(name);
  if (node == nullptr) return fallback;
  const auto value = node->value<std::int64_t>();
  if (!node->is_integer() || !value) {
    problems.add(node->source(), full, "must be a whole number, e.g. " + std::to_string(fallback));
    return fallback;
  }
  if (*value < 1 || *value > max) {
    problems.add(node->source(), full,
                 "must be between 1 and " + std::to_string(max) + ", found " + std::to_string(*value));
    return fallback;
  }
  return static_cast<std::size_t>(*value);
}

}  // namespace

Result<Config> parseConfig(std::string_view toml_text, const std::string& origin,
                           const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    return Status::invalid("configuration " + origin + ":" +
                           std::to_string(e.source().begin.line) + ":" +
                           std::to_string(e.source().begin.column) +
                           ": not valid TOML: " + std::string(e.description()));
  }
  Config config;
  config.origin = origin;
  Problems problems(origin);
  checkKnownKeys(root, "", {"gateway", "schemas", "limits"}, problems);

  if (const toml::table* gateway = root["gateway"].as_table()) {
    checkKnownKeys(*gateway, "gateway", {"own_gemeente"}, problems);
    if (const toml::node* own = gateway->get("own_gemeente")) {
      const toml::array* codes = own->as_array();
      if (codes == nullptr || codes->empty()) {
        problems.add(own->source(), "gateway.own_gemeente",
                     "must be a list of 4-digit CBS codes, e.g. [\"0599\"]");
      } else {
        for (const auto& code : *codes) {
          const auto text = code.value<std::string>();
          if (!text || text->size() != 4 ||
              text->find_first_not_of("0123456789") != std::string::npos) {
            problems.add(code.source(), "gateway.own_gemeente",
                         "each entry must be a 4-digit CBS gemeentecode in quotes, e.g. \"0599\"");
          } else {
            config.own_gemeente.push_back(*text);
          }
        }
      }
    }
  }
  if (config.own_gemeente.empty() && problems.empty()) {
    problems.add({}, "gateway.own_gemeente",
                 "missing; set the CBS code of your municipality, e.g. own_gemeente = [\"0599\"]");
  }

  if (const toml::table* schemas = root["schemas"].as_table()) {
    checkKnownKeys(*schemas, "schemas", {"iwmo"}, problems);
    if (const toml::node* dir = schemas->get("iwmo")) {
      const auto text = dir->value<std::string>();
      if (!text || text->empty()) {
        problems.add(dir->source(), "schemas.iwmo",
                     "must be the path of the iWmo 3.2 schema directory in quotes");
      } else {
        const std::filesystem::path path(*text);
        config.iwmo_schema_dir = path.is_absolute() ? path : base_dir / path;
      }
    }
  }
  if (config.iwmo_schema_dir.empty() && problems.empty()) {
    problems.add({}, "schemas.iwmo", "missing; set it to the iWmo 3.2 schema directory");
  }

  if (const toml::table* limits = root["limits"].as_table()) {
    checkKnownKeys(*limits, "limits", {"max_message_bytes", "max_findings_per_message"}, problems);
    config.max_message_bytes = readPositive(*limits, "max_message_bytes", "limits.max_message_bytes",
                                            config.max_message_bytes, 1LL << 31, problems);
    config.max_findings_per_message =
        readPositive(*limits, "max_findings_per_message", "limits.max_findings_per_message",
                     config.max_findings_per_message, 100000, problems);
  }
  if (!problems.empty()) return problems.status();
  return config;
}

Result<Config> loadDefaultConfig(const std::filesystem::path& data_dir) {
  return parseConfig(embeddedDefaultConfig(), "embedded default config (config/default.toml)",
                     data_dir);
}

Result<Config> loadConfigFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::notFound("configuration file " + file.string() +
                            " cannot be opened; check the path given to --config");
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::filesystem::path base =
      file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  return parseConfig(text.str(), file.string(), base);
}

}  // namespace iwmo::config
