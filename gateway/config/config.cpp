#include "gateway/config/config.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <map>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace iwmo::config {
namespace {

namespace fs = std::filesystem;

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

// Typed access to one table: every read checks the type and names the full key in errors;
// known() reports keys nobody asked for as unknown (spelling mistakes must not pass silently).
class Section {
 public:
  Section(const toml::table* table, std::string name, const fs::path& base_dir, Problems& problems)
      : table_(table), name_(std::move(name)), base_dir_(base_dir), problems_(problems) {}

  bool present() const { return table_ != nullptr; }
  const toml::table* table() const { return table_; }
  std::string key(std::string_view k) const { return name_ + "." + std::string(k); }

  void known(const std::set<std::string_view>& keys) const {
    if (table_ == nullptr) return;
    for (const auto& [k, node] : *table_) {
      if (keys.count(k.str()) != 0) continue;
      std::string list;
      for (auto known_key : keys) list += (list.empty() ? "" : ", ") + std::string(known_key);
      problems_.add(node.source(), key(k.str()),
                    "unknown key; known keys in [" + name_ + "]: " + list + " (check the spelling)");
    }
  }

  const toml::node* node(std::string_view k) const {
    return table_ == nullptr ? nullptr : table_->get(k);
  }

  void readString(std::string_view k, std::string& out, std::string_view example) const {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    if (const auto value = n->value<std::string>(); n->is_string() && value) {
      out = *value;
    } else {
      problems_.add(n->source(), key(k), "must be a string in quotes, e.g. " + std::string(example));
    }
  }

  void readPath(std::string_view k, fs::path& out) const {
    std::string text;
    const toml::node* n = node(k);
    if (n == nullptr) return;
    readString(k, text, "\"var/journal\"");
    if (!n->is_string()) return;
    if (text.empty()) {
      problems_.add(n->source(), key(k), "must not be empty; give a directory or file path");
      return;
    }
    out = resolve(text);
  }

  // An endpoint for ZeroMQ: tcp://HOST:PORT or ipc://PATH (a relative PATH is resolved) or
  // inproc://NAME; empty allowed when `optional`.
  void readEndpoint(std::string_view k, std::string& out) const {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    std::string text;
    readString(k, text, "\"tcp://127.0.0.1:5580\"");
    if (!n->is_string()) return;
    if (text.empty()) {
      out.clear();
      return;
    }
    auto endpoint = normaliseEndpoint(text);
    if (!endpoint) {
      problems_.add(n->source(), key(k), endpoint.status().message());
      return;
    }
    out = *endpoint;
  }

  void readEndpoints(std::string_view k, std::vector<std::string>& out) const {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    const toml::array* list = n->as_array();
    if (list == nullptr) {
      problems_.add(n->source(), key(k), "must be a list of endpoints, e.g. [\"ipc://var/bus.sock\"]");
      return;
    }
    out.clear();
    for (const auto& item : *list) {
      const auto text = item.value<std::string>();
      if (!item.is_string() || !text) {
        problems_.add(item.source(), key(k), "each entry must be an endpoint string in quotes");
        continue;
      }
      auto endpoint = normaliseEndpoint(*text);
      if (!endpoint) {
        problems_.add(item.source(), key(k), endpoint.status().message());
      } else {
        out.push_back(*endpoint);
      }
    }
  }

  template <typename T>
  void readNumber(std::string_view k, T& out, std::int64_t min, std::int64_t max) const {
    const toml::node* n = node(k);
    if (n == nullptr) return;
    const auto value = n->value<std::int64_t>();
    if (!n->is_integer() || !value) {
      problems_.add(n->source(), key(k), "must be a whole number, e.g. " + std::to_string(out));
      return;
    }
    if (*value < min || *value > max) {
      problems_.add(n->source(), key(k),
                    "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                        ", found " + std::to_string(*value));
      return;
    }
    out = static_cast<T>(*value);
  }

  fs::path resolve(const std::string& text) const {
    const fs::path path(text);
    return path.is_absolute() ? path : (base_dir_ / path).lexically_normal();
  }

 private:
  Result<std::string> normaliseEndpoint(const std::string& text) const {
    if (text.rfind("ipc://", 0) == 0) {
      const std::string rest = text.substr(6);
      if (rest.empty()) return Status::invalid("ipc:// needs a socket path, e.g. ipc://var/bus.sock");
      return "ipc://" + resolve(rest).string();
    }
    if (text.rfind("tcp://", 0) == 0) {
      const std::string rest = text.substr(6);
      const auto colon = rest.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 >= rest.size() ||
          rest.find_first_not_of("0123456789*", colon + 1) != std::string::npos) {
        return Status::invalid("a tcp endpoint is tcp://HOST:PORT, e.g. tcp://127.0.0.1:5580; found \"" +
                               text + "\"");
      }
      return text;
    }
    if (text.rfind("inproc://", 0) == 0 && text.size() > 9) return text;
    return Status::invalid("\"" + text +
                           "\" is not a ZeroMQ endpoint; use tcp://HOST:PORT or ipc://PATH");
  }

  const toml::table* table_;
  std::string name_;
  const fs::path& base_dir_;
  Problems& problems_;
};

bool isCbsCode(std::string_view text) {
  return text.size() == 4 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

void readPeer(const toml::table& root, const std::string& name, const fs::path& base_dir,
              Problems& problems, Peer& peer) {
  peer.name = name;
  const toml::table* peers = root["peers"].as_table();
  const toml::table* table = peers == nullptr ? nullptr : (*peers)[name].as_table();
  Section section(table, "peers." + name, base_dir, problems);
  section.known({"receive_dir", "deliver_dir", "submit_endpoint"});
  section.readPath("receive_dir", peer.receive_dir);
  section.readPath("deliver_dir", peer.deliver_dir);
  section.readEndpoint("submit_endpoint", peer.submit_endpoint);
}

// Each peer's receive_dir is its own, and none is a directory the gateway writes into: a shared
// one would read one peer's messages as another's, a deliver_dir read back would loop (issue 16).
void checkDirectoriesApart(const toml::table& root, const Config& config, Problems& problems) {
  struct Place {
    std::string key;  // "peers.ggk.receive_dir"
    fs::path dir;
    bool receive = false;
  };
  std::vector<Place> places;
  for (const Peer* peer : {&config.backoffice, &config.ggk, &config.cak}) {
    places.push_back({"peers." + peer->name + ".receive_dir", peer->receive_dir.lexically_normal(), true});
    places.push_back({"peers." + peer->name + ".deliver_dir", peer->deliver_dir.lexically_normal(), false});
  }
  places.push_back({"rejected.dir", config.rejected_dir.lexically_normal(), false});
  const auto sourceOf = [&](const std::string& key) {
    toml::node_view<const toml::node> node(static_cast<const toml::node&>(root));
    for (std::size_t from = 0; from <= key.size();) {
      const std::size_t dot = std::min(key.find('.', from), key.size());
      node = node[key.substr(from, dot - from)];
      from = dot + 1;
    }
    return node.node() != nullptr ? node.node()->source() : toml::source_region{};
  };
  for (std::size_t i = 0; i < places.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (!places[i].receive && !places[j].receive) continue;
      if (places[i].dir != places[j].dir) continue;
      const Place& later = places[i];
      const Place& earlier = places[j];
      const std::string why =
          later.receive && earlier.receive
              ? "each peer needs a receive directory of its own, or one peer's messages are read as the other's"
              : "the gateway would pick up what it delivers there, again and again";
      problems.add(sourceOf(later.key), later.key,
                   "is the same directory as " + earlier.key + " (" + later.dir.string() + "): " + why +
                       "; give it a directory of its own");
    }
  }
}

}  // namespace

std::vector<rules::EbPolicy> defaultEbPolicies() {
  std::vector<rules::EbPolicy> policies;
  for (const char* categorie : {"11", "16", "17", "18"}) {
    rules::EbPolicy policy;
    policy.categorie = categorie;
    policy.exempt = true;
    policies.push_back(policy);
  }
  return policies;
}

namespace {

std::optional<Date> readDate(const Section& section, Problems& problems, std::string_view key) {
  const toml::node* n = section.node(key);
  if (n == nullptr) return std::nullopt;
  const auto text = n->value<std::string>();
  const auto date = text ? Date::parse(*text) : std::nullopt;
  if (!n->is_string() || !date) {
    problems.add(n->source(), section.key(key), "must be a date in quotes, YYYY-MM-DD, e.g. \"2023-01-01\"");
    return std::nullopt;
  }
  return date;
}

void readEigenBijdrage(const toml::table& root, const fs::path& base_dir, Problems& problems,
                       EigenBijdrageConfig& out) {
  Section section(root["eigen_bijdrage"].as_table(), "eigen_bijdrage", base_dir, problems);
  section.known({"enabled", "start_at", "minors_liable_categories", "at_go_live", "bw_go_live",
                 "retour_timeout_hours", "restart_gap_days", "first_start_nummer", "tick_interval_s", "policies"});
  rules::EbParams& params = out.params;
  if (const toml::node* n = section.node("enabled")) {
    if (!n->is_boolean()) {
      problems.add(n->source(), section.key("enabled"), "must be true or false (without quotes)");
    } else {
      out.enabled = *n->value<bool>();
    }
  }
  const auto startAt = [&](const toml::node* n, const std::string& key, rules::EbStartAt& value) {
    const auto text = n->value<std::string>();
    if (!n->is_string() || !text || (*text != "toewijzing" && *text != "delivery")) {
      problems.add(n->source(), key,
                   "must be \"toewijzing\" (from the WMO301 Ingangsdatum) or \"delivery\" (from the WMO305 "
                   "Begindatum)");
      return;
    }
    value = *text == "toewijzing" ? rules::EbStartAt::kToewijzing : rules::EbStartAt::kDelivery;
  };
  if (const toml::node* n = section.node("start_at")) startAt(n, section.key("start_at"), params.default_start_at);
  const auto categorie = [&](const toml::node& item, const std::string& key) -> std::optional<std::string> {
    const auto text = item.value<std::string>();
    if (!item.is_string() || !text || text->size() != 2 || text->find_first_not_of("0123456789") != std::string::npos) {
      problems.add(item.source(), key, "must be a 2-digit productcategorie in quotes (WMO020), e.g. \"13\"");
      return std::nullopt;
    }
    return *text;
  };
  if (const toml::node* n = section.node("minors_liable_categories")) {
    const toml::array* list = n->as_array();
    if (list == nullptr) {
      problems.add(n->source(), section.key("minors_liable_categories"),
                   "must be a list of productcategorieën, e.g. [\"13\"] (woningaanpassingen)");
    } else {
      params.minors_liable_categories.clear();
      for (const auto& item : *list) {
        if (auto c = categorie(item, section.key("minors_liable_categories"))) params.minors_liable_categories.push_back(*c);
      }
    }
  }
  params.at_go_live = readDate(section, problems, "at_go_live");
  params.bw_go_live = readDate(section, problems, "bw_go_live");
  section.readNumber("retour_timeout_hours", out.retour_timeout_hours, 1, 24 * 365);
  section.readNumber("restart_gap_days", params.restart_gap_days, 0, 366);
  section.readNumber("tick_interval_s", out.tick_interval_s, 10, 24 * 3600);
  if (section.node("first_start_nummer") != nullptr) {
    std::uint64_t first = 1;
    section.readNumber("first_start_nummer", first, 1, 999'999'999);  // LDT_Nummer
    out.first_start_nummer = first;
  }
  if (const toml::node* n = section.node("policies")) {
    const toml::array* list = n->as_array();
    if (list == nullptr) {
      problems.add(n->source(), section.key("policies"),
                   "must be a list of tables, e.g. [ { categorie = \"11\", exempt = true } ]");
      return;
    }
    params.policies.clear();  // the list replaces the defaults
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& item : *list) {
      const toml::table* table = item.as_table();
      const std::string key = section.key("policies");
      if (table == nullptr) {
        problems.add(item.source(), key, "each policy must be a table, e.g. { categorie = \"13\", start_at = \"toewijzing\" }");
        continue;
      }
      rules::EbPolicy policy;
      policy.start_at = params.default_start_at;
      bool ok = true;
      for (const auto& [k, v] : *table) {
        const std::string name(k.str());
        if (name == "categorie") {
          if (auto c = categorie(v, key + ".categorie")) policy.categorie = *c; else ok = false;
        } else if (name == "code") {
          const auto text = v.value<std::string>();
          if (!v.is_string() || !text || text->empty()) {
            problems.add(v.source(), key + ".code", "must be a product code in quotes, e.g. \"13A01\"");
            ok = false;
          } else {
            policy.code = *text;
          }
        } else if (name == "start_at") {
          startAt(&v, key + ".start_at", policy.start_at);
        } else if (name == "exempt" || name == "capped") {
          if (!v.is_boolean()) {
            problems.add(v.source(), key + "." + name, "must be true or false (without quotes)");
            ok = false;
          } else {
            (name == "exempt" ? policy.exempt : policy.capped) = *v.value<bool>();
          }
        } else if (name == "kostprijs") {
          const auto amount = v.value<std::int64_t>();
          if (!v.is_integer() || !amount || *amount <= 0 || *amount > 99999999) {
            problems.add(v.source(), key + ".kostprijs",
                         "must be the kostprijs in eurocent as a whole number, e.g. 57000 for EUR 570");
            ok = false;
          } else {
            policy.kostprijs = static_cast<std::uint64_t>(*amount);
          }
        } else {
          problems.add(v.source(), key + "." + name,
                       "unknown key; a policy has categorie, code, start_at, exempt, capped and kostprijs");
          ok = false;
        }
      }
      if (ok && policy.categorie.empty()) {
        problems.add(item.source(), key, "a policy needs categorie = \"NN\" (WMO020)");
        ok = false;
      }
      if (ok && !seen.emplace(policy.categorie, policy.code).second) {
        problems.add(item.source(), key,
                     "categorie " + policy.categorie + (policy.code.empty() ? "" : " code " + policy.code) +
                         " has two policies; keep one");
        ok = false;
      }
      if (ok) params.policies.push_back(policy);
    }
  }
}

bool isDigits(const std::string& text, std::size_t n) {
  return text.size() == n && text.find_first_not_of("0123456789") == std::string::npos;
}

void readHostPort(const Section& section, std::string_view key, std::string& out, Problems& problems) {
  section.readString(key, out, "\"127.0.0.1:8443\"");
  const toml::node* n = section.node(key);
  if (n == nullptr || !n->is_string()) return;
  const auto colon = out.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == out.size() ||
      out.find_first_not_of("0123456789", colon + 1) != std::string::npos || out.size() - colon - 1 > 5 ||
      std::stoi(out.substr(colon + 1)) < 1 || std::stoi(out.substr(colon + 1)) > 65535) {
    problems.add(n->source(), section.key(key), "must be HOST:PORT with a port from 1 to 65535, e.g. \"127.0.0.1:8443\"");
  }
}

void readTlsFiles(const Section& section, TlsFiles& tls, std::string_view pin_key, Problems& problems) {
  for (const auto& [key, path] : {std::pair<std::string_view, fs::path*>{"certificate", &tls.certificate},
                                  {"private_key", &tls.private_key},
                                  {"ca_bundle", &tls.ca_bundle}}) {
    section.readPath(key, *path);
    if (path->empty()) {
      problems.add(section.table()->source(), section.key(key),
                   "missing; mutual TLS needs it (a PEM file: " +
                       std::string(key == "certificate" ? "our certificate, chain allowed"
                                   : key == "private_key" ? "our private key, mode 0600"
                                                          : "the CA certificates the other end's certificate must chain to") +
                       ")");
    }
  }
  section.readString(pin_key, tls.expected_subject, "\"CN=dk-adapter.example.nl,O=Gemeente\"");
}

void readGgk(const toml::table& root, const fs::path& base_dir, Problems& problems, GgkConfig& out) {
  Section section(root["ggk"].as_table(), "ggk", base_dir, problems);
  section.known({"envelopes", "organisatie", "applicatie", "applicatie_versie", "applicatie_subversie",
                 "functie_versie", "functie_subversie", "ieb_functie_versie", "ieb_functie_subversie",
                 "https_out", "https_in"});
  if (const toml::node* n = section.node("envelopes")) {
    if (!n->is_boolean()) {
      problems.add(n->source(), section.key("envelopes"), "must be true or false (without quotes)");
    } else {
      out.envelopes = *n->value<bool>();
    }
  }
  section.readString("organisatie", out.organisatie, "\"0599\"");
  if (const toml::node* n = section.node("organisatie"); n != nullptr && n->is_string() && !isCbsCode(out.organisatie)) {
    problems.add(n->source(), section.key("organisatie"),
                 "must be the 4-digit CBS gemeentecode the gateway sends as (zender/organisatie), e.g. \"0599\"");
  }
  section.readString("applicatie", out.applicatie, "\"iwmo-gateway\"");
  if (const toml::node* n = section.node("applicatie");
      n != nullptr && n->is_string() && (out.applicatie.size() < 3 || out.applicatie.size() > 50)) {
    problems.add(n->source(), section.key("applicatie"),
                 "must be 3 to 50 characters, the application's name without a version (zender/applicatie)");
  }
  for (const auto& [key, value] : {std::pair<std::string_view, std::string*>{"applicatie_versie", &out.applicatie_versie},
                                   {"applicatie_subversie", &out.applicatie_subversie},
                                   {"functie_versie", &out.functie_versie},
                                   {"functie_subversie", &out.functie_subversie},
                                   {"ieb_functie_versie", &out.ieb_functie_versie},
                                   {"ieb_functie_subversie", &out.ieb_functie_subversie}}) {
    section.readString(key, *value, "\"0001\"");
    if (const toml::node* n = section.node(key); n != nullptr && n->is_string() && !isDigits(*value, 4)) {
      problems.add(n->source(), section.key(key), "must be exactly 4 digits in quotes, e.g. \"0001\"");
    }
  }
  if (const toml::table* table = section.table() ? (*section.table())["https_out"].as_table() : nullptr) {
    Section https(table, "ggk.https_out", base_dir, problems);
    https.known({"url", "certificate", "private_key", "ca_bundle", "expected_server_subject",
                 "connect_timeout_ms", "io_timeout_ms"});
    out.https_out.enabled = true;
    https.readString("url", out.https_out.url, "\"https://dk-adapter.example.nl:8443/ggk/outbound\"");
    if (out.https_out.url.rfind("https://", 0) != 0) {
      problems.add(https.node("url") ? https.node("url")->source() : table->source(), https.key("url"),
                   "must be an https:// URL of the Digikoppeling adapter; plain http is never used");
    }
    readTlsFiles(https, out.https_out.tls, "expected_server_subject", problems);
    https.readNumber("connect_timeout_ms", out.https_out.connect_timeout_ms, 100, 600000);
    https.readNumber("io_timeout_ms", out.https_out.io_timeout_ms, 100, 600000);
  }
  if (const toml::table* table = section.table() ? (*section.table())["https_in"].as_table() : nullptr) {
    Section https(table, "ggk.https_in", base_dir, problems);
    https.known({"listen", "path", "certificate", "private_key", "ca_bundle", "expected_client_subject",
                 "workers", "io_timeout_ms", "ack_timeout_ms"});
    out.https_in.enabled = true;
    readHostPort(https, "listen", out.https_in.listen, problems);
    if (out.https_in.listen.empty() && https.node("listen") == nullptr) {
      problems.add(table->source(), https.key("listen"), "missing; set HOST:PORT, e.g. \"127.0.0.1:8443\"");
    }
    https.readString("path", out.https_in.path, "\"/ggk/inbound\"");
    if (out.https_in.path.empty() || out.https_in.path.front() != '/') {
      problems.add(https.node("path") ? https.node("path")->source() : table->source(), https.key("path"),
                   "must start with '/', e.g. \"/ggk/inbound\"");
    }
    readTlsFiles(https, out.https_in.tls, "expected_client_subject", problems);
    https.readNumber("workers", out.https_in.workers, 1, 64);
    https.readNumber("io_timeout_ms", out.https_in.io_timeout_ms, 100, 600000);
    https.readNumber("ack_timeout_ms", out.https_in.ack_timeout_ms, 100, 600000);
  }
}

void readResponsibility(const toml::table& root, const fs::path& base_dir, Problems& problems,
                        ResponsibilityConfig& out) {
  Section section(root["responsibility"].as_table(), "responsibility", base_dir, problems);
  section.known({"gemeenten_file", "regime_b_effective", "months_return", "years_institution", "after_5_years",
                 "designated_institution_types", "transition_existing_clients",
                 "transition_includes_herindicatie", "vangnet", "split_addresses", "bw_products"});
  rules::ResponsibilityParams& params = out.params;
  section.readPath("gemeenten_file", out.gemeenten_file);
  if (const toml::node* n = section.node("regime_b_effective")) {
    const auto text = n->value<std::string>();
    if (!n->is_string() || !text) {
      problems.add(n->source(), section.key("regime_b_effective"),
                   "must be a date in quotes, e.g. \"2027-01-01\", or \"\" while regime B is not in force");
    } else if (!text->empty()) {
      const auto date = Date::parse(*text);
      if (!date) {
        problems.add(n->source(), section.key("regime_b_effective"),
                     "\"" + *text + "\" is not a date; write YYYY-MM-DD, e.g. \"2027-01-01\" (or \"\": not in force)");
      } else {
        params.regime_b_effective = *date;
      }
    }
  }
  section.readNumber("months_return", params.months_return, 1, 120);
  section.readNumber("years_institution", params.years_institution, 1, 50);
  const auto readChoice = [&](std::string_view key, const std::vector<std::string>& choices) -> std::string {
    std::string value;
    const toml::node* n = section.node(key);
    if (n == nullptr) return value;
    section.readString(key, value, "\"" + choices.front() + "\"");
    if (!n->is_string()) return {};
    if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
      problems.add(n->source(), section.key(key), "\"" + value + "\" is not one of " + list);
      return {};
    }
    return value;
  };
  if (const std::string v = readChoice("after_5_years", {"vangnet", "current_address"}); !v.empty()) {
    params.after_5_years = v == "vangnet" ? rules::ResponsibilityParams::After5Years::kVangnet
                                          : rules::ResponsibilityParams::After5Years::kCurrentAddress;
  }
  if (const std::string v = readChoice("vangnet", {"aanmeldgemeente", "centrumgemeente"}); !v.empty()) {
    params.vangnet = v == "aanmeldgemeente" ? rules::ResponsibilityParams::Vangnet::kAanmeldgemeente
                                            : rules::ResponsibilityParams::Vangnet::kCentrumgemeente;
  }
  const auto readBool = [&](std::string_view key, bool& value) {
    const toml::node* n = section.node(key);
    if (n == nullptr) return;
    if (!n->is_boolean()) {
      problems.add(n->source(), section.key(key), "must be true or false (without quotes)");
      return;
    }
    value = *n->value<bool>();
  };
  readBool("transition_existing_clients", params.transition_existing_clients);
  readBool("transition_includes_herindicatie", params.transition_includes_herindicatie);
  if (const toml::node* n = section.node("designated_institution_types")) {
    const toml::array* list = n->as_array();
    if (list == nullptr) {
      problems.add(n->source(), section.key("designated_institution_types"),
                   "must be a list of institution types, e.g. [\"ggz-clinic\", \"wlz\", \"prison\"]");
    } else {
      params.designated_institution_types.clear();
      if (list->empty()) {
        problems.add(n->source(), section.key("designated_institution_types"),
                     "is empty, so the institution rule (R6) could never apply; list the types of your "
                     "institution register it covers, e.g. [\"ggz-clinic\", \"wlz\", \"prison\"]");
      }
      for (const auto& item : *list) {
        const auto text = item.value<std::string>();
        if (!item.is_string() || !text || text->empty()) {
          problems.add(item.source(), section.key("designated_institution_types"),
                       "each entry must be an institution type in quotes, as used in `import institutions`");
        } else {
          params.designated_institution_types.insert(*text);
        }
      }
    }
  }
  if (const toml::node* n = section.node("split_addresses")) {
    const toml::table* table = n->as_table();
    if (table == nullptr) {
      problems.add(n->source(), section.key("split_addresses"),
                   "must be a table of address id = \"CBS code\", e.g. split_addresses = { \"HAA-12\" = \"0855\" }");
    } else {
      for (const auto& [address, code] : *table) {
        const auto text = code.value<std::string>();
        if (!code.is_string() || !text || !isCbsCode(*text)) {
          problems.add(code.source(), section.key("split_addresses." + std::string(address.str())),
                       "must be the 4-digit CBS code (in quotes) of the municipality the address went to");
        } else {
          params.split_addresses[std::string(address.str())] = *text;
        }
      }
    }
  }
  if (const toml::node* n = section.node("bw_products")) {
    const toml::array* list = n->as_array();
    const std::string example =
        "bw_products = [ { categorie = \"15\" }, { categorie = \"18\", code = \"18A01\" } ]";
    if (list == nullptr) {
      problems.add(n->source(), section.key("bw_products"), "must be a list of products; e.g. " + example);
    } else {
      out.bw_products.clear();
      if (list->empty()) {
        problems.add(n->source(), section.key("bw_products"),
                     "is empty, so no message would ever count as BW and responsibility would never be "
                     "decided; list at least one product, e.g. " + example);
      }
      for (const auto& item : *list) {
        const toml::table* product = item.as_table();
        const auto categorie = product ? (*product)["categorie"].value<std::string>() : std::nullopt;
        const auto code = product ? (*product)["code"].value<std::string>() : std::nullopt;
        bool ok = product && categorie && categorie->size() == 2 &&
                  categorie->find_first_not_of("0123456789") == std::string::npos &&
                  ((*product)["code"].node() == nullptr || (code && !code->empty()));
        if (ok) {
          for (const auto& [k, v] : *product) {
            if (k.str() != "categorie" && k.str() != "code") ok = false;
          }
        }
        if (!ok) {
          problems.add(item.source(), section.key("bw_products"),
                       "each entry is { categorie = \"NN\" } (two digits, WMO020) with an optional "
                       "code = \"PRODUCTCODE\"; e.g. " + example);
        } else {
          out.bw_products.push_back({*categorie, code ? *code : ""});
        }
      }
    }
  }
}

}  // namespace

namespace {

// Every top-level key must be a known section.
void checkSections(const toml::table& root, Problems& problems) {
  const std::set<std::string_view> sections = {"gateway", "schemas", "limits", "peers", "rejected",
                                               "bus",     "log",     "delivery", "http", "responsibility",
                                               "eigen_bijdrage", "ggk"};
  for (const auto& [key, node] : root) {
    if (sections.count(key.str()) != 0) continue;
    std::string list;
    for (auto s : sections) list += (list.empty() ? "" : ", ") + std::string(s);
    problems.add(node.source(), key.str(), "unknown key; known sections: " + list + " (check the spelling)");
  }
}

// [gateway]: own_gemeente (required), state_dir.
void readGatewaySection(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  Section gateway(root["gateway"].as_table(), "gateway", base_dir, problems);
  gateway.known({"own_gemeente", "state_dir"});
  if (const toml::node* own = gateway.node("own_gemeente")) {
    const toml::array* codes = own->as_array();
    if (codes == nullptr || codes->empty()) {
      problems.add(own->source(), "gateway.own_gemeente",
                   "must be a list of 4-digit CBS codes, e.g. [\"0599\"]");
    } else {
      for (const auto& code : *codes) {
        const auto text = code.value<std::string>();
        if (!code.is_string() || !text || !isCbsCode(*text)) {
          problems.add(code.source(), "gateway.own_gemeente",
                       "each entry must be a 4-digit CBS gemeentecode in quotes, e.g. \"0599\"");
        } else {
          config.own_gemeente.push_back(*text);
        }
      }
    }
  }
  if (config.own_gemeente.empty() && problems.empty()) {
    problems.add({}, "gateway.own_gemeente",
                 "missing; set the CBS code of your municipality, e.g. own_gemeente = [\"0599\"]");
  }
  config.state_dir = gateway.resolve("var");
  gateway.readPath("state_dir", config.state_dir);

}

// [schemas]: iwmo (required); ieb and ggk default beside it.
void readSchemasSection(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  Section schemas(root["schemas"].as_table(), "schemas", base_dir, problems);
  schemas.known({"iwmo", "ieb", "ggk"});
  if (const toml::node* dir = schemas.node("iwmo")) {
    const auto text = dir->value<std::string>();
    if (!dir->is_string() || !text || text->empty()) {
      problems.add(dir->source(), "schemas.iwmo",
                   "must be the path of the iWmo 3.2 schema directory in quotes");
    } else {
      config.iwmo_schema_dir = schemas.resolve(*text);
    }
  }
  if (config.iwmo_schema_dir.empty() && problems.empty()) {
    problems.add({}, "schemas.iwmo", "missing; set it to the iWmo 3.2 schema directory");
  }
  // Default: the iEb set next to the iWmo one (schemas/ieb beside schemas/iwmo-3.2).
  config.ieb_schema_dir = config.iwmo_schema_dir.parent_path() / "ieb";
  if (const toml::node* dir = schemas.node("ieb")) {
    const auto text = dir->value<std::string>();
    if (!dir->is_string() || !text || text->empty()) {
      problems.add(dir->source(), "schemas.ieb", "must be the path of the iEb schema directory in quotes");
    } else {
      config.ieb_schema_dir = schemas.resolve(*text);
    }
  }

  // Default: the StUF-GGk set next to the iWmo one (schemas/stuf-ggk).
  config.ggk_schema_dir = config.iwmo_schema_dir.parent_path() / "stuf-ggk";
  if (const toml::node* dir = schemas.node("ggk")) {
    const auto text = dir->value<std::string>();
    if (!dir->is_string() || !text || text->empty()) {
      problems.add(dir->source(), "schemas.ggk", "must be the path of the StUF-GGk schema directory in quotes");
    } else {
      config.ggk_schema_dir = schemas.resolve(*text);
    }
  }

}

// [limits].
void readLimitsSection(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  Section limits(root["limits"].as_table(), "limits", base_dir, problems);
  limits.known({"max_message_bytes", "max_findings_per_message", "max_element_depth", "max_submit_frame_bytes"});
  limits.readNumber("max_message_bytes", config.max_message_bytes, 1, 1LL << 31);
  limits.readNumber("max_findings_per_message", config.max_findings_per_message, 1, 100000);
  limits.readNumber("max_element_depth", config.max_element_depth, 16, 100000);
  limits.readNumber("max_submit_frame_bytes", config.max_submit_frame_bytes, 1, 1LL << 40);
  if (config.max_submit_frame_bytes < config.max_message_bytes) {
    const toml::node* n = limits.node("max_submit_frame_bytes");
    problems.add(n != nullptr ? n->source() : toml::source_region{}, "limits.max_submit_frame_bytes",
                 "must be at least limits.max_message_bytes (" + std::to_string(config.max_message_bytes) +
                     "), or a submitted message over that limit would get no answer");
  }

}

// [peers.*] and [rejected]: every directory defaults below state_dir, so a minimal config runs.
void readPeersSection(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  // Peers and directories default to state_dir subdirectories, so a minimal config runs.
  config.backoffice.receive_dir = config.state_dir / "backoffice/outbox";
  config.backoffice.deliver_dir = config.state_dir / "backoffice/inbox";
  config.ggk.receive_dir = config.state_dir / "ggk/download";
  config.ggk.deliver_dir = config.state_dir / "ggk/upload";
  config.cak.receive_dir = config.state_dir / "cak/download";
  config.cak.deliver_dir = config.state_dir / "cak/upload";
  config.rejected_dir = config.state_dir / "rejected";
  config.log.file = config.state_dir / "log/routing.log";
  config.log.hmac_key_file = config.state_dir / "routing-log.key";
  if (const toml::node* peers = root.get("peers")) {
    if (const toml::table* table = peers->as_table()) {
      for (const auto& [key, node] : *table) {
        if (key.str() != "backoffice" && key.str() != "ggk" && key.str() != "cak") {
          problems.add(node.source(), "peers." + std::string(key.str()),
                       "unknown peer; the peers are [peers.backoffice], [peers.ggk] and [peers.cak]");
        }
      }
    }
  }
  readPeer(root, "backoffice", base_dir, problems, config.backoffice);
  readPeer(root, "ggk", base_dir, problems, config.ggk);
  readPeer(root, "cak", base_dir, problems, config.cak);

  Section rejected(root["rejected"].as_table(), "rejected", base_dir, problems);
  rejected.known({"dir"});
  rejected.readPath("dir", config.rejected_dir);
  checkDirectoriesApart(root, config, problems);

}

// [bus]: a tcp endpoint off this host needs CURVE; something must handle messages.
void readBusSection(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  Section bus(root["bus"].as_table(), "bus", base_dir, problems);
  bus.known({"workers", "listen", "curve_secret_key_file", "curve_public_key_file",
             "curve_authorized_keys_file", "heartbeat_ms", "max_in_flight"});
  bus.readNumber("workers", config.bus.workers, 0, 64);
  bus.readEndpoints("listen", config.bus.listen);
  bus.readPath("curve_secret_key_file", config.bus.curve_secret_key_file);
  bus.readPath("curve_public_key_file", config.bus.curve_public_key_file);
  bus.readPath("curve_authorized_keys_file", config.bus.curve_authorized_keys_file);
  bus.readNumber("heartbeat_ms", config.bus.heartbeat_ms, 50, 60000);
  bus.readNumber("max_in_flight", config.bus.max_in_flight, 1, 1000000);
  for (const std::string& endpoint : config.bus.listen) {
    const bool loopback = endpoint.rfind("tcp://127.", 0) == 0 || endpoint.rfind("tcp://localhost:", 0) == 0 ||
                          endpoint.rfind("tcp://[::1]:", 0) == 0;
    if (endpoint.rfind("tcp://", 0) == 0 && !loopback &&
        (config.bus.curve_secret_key_file.empty() || config.bus.curve_authorized_keys_file.empty())) {
      problems.add(bus.node("listen")->source(), "bus.listen",
                   "\"" + endpoint + "\" is reachable from other machines, so it needs CURVE: set "
                   "bus.curve_secret_key_file (the daemon's .key) and "
                   "bus.curve_authorized_keys_file (the workers' .pub lines); make keys with "
                   "`iwmo-gateway keygen NAME`. Or listen on tcp://127.0.0.1 or ipc:// only");
    }
  }
  if (config.bus.workers == 0 && config.bus.listen.empty() && problems.empty()) {
    problems.add(bus.node("workers") ? bus.node("workers")->source() : toml::source_region{},
                 "bus.workers",
                 "0 in-process workers and no bus.listen endpoint: nothing could handle messages; "
                 "set workers >= 1 or add a listen endpoint for `iwmo-gateway worker`");
  }

}

// [log], [delivery], [http].
void readLogDeliveryHttp(toml::table& root, const std::filesystem::path& base_dir, Problems& problems, Config& config) {
  Section log(root["log"].as_table(), "log", base_dir, problems);
  log.known({"file", "max_bytes", "keep", "feed", "hmac_key_file"});
  log.readPath("file", config.log.file);
  log.readNumber("max_bytes", config.log.max_bytes, 4096, 1LL << 40);
  log.readNumber("keep", config.log.keep, 0, 1000);
  log.readEndpoint("feed", config.log.feed);
  log.readPath("hmac_key_file", config.log.hmac_key_file);

  Section delivery(root["delivery"].as_table(), "delivery", base_dir, problems);
  delivery.known({"retry_initial_ms", "retry_max_ms", "unhealthy_after_s"});
  delivery.readNumber("retry_initial_ms", config.delivery.retry_initial_ms, 10, 3600000);
  delivery.readNumber("retry_max_ms", config.delivery.retry_max_ms, 10, 86400000);
  delivery.readNumber("unhealthy_after_s", config.delivery.unhealthy_after_s, 10, 604800);

  Section http(root["http"].as_table(), "http", base_dir, problems);
  http.known({"listen"});
  http.readString("listen", config.http_listen, "\"127.0.0.1:8480\"");
  if (!config.http_listen.empty()) {
    const auto colon = config.http_listen.rfind(':');
    if (colon == std::string::npos || colon == 0 ||
        config.http_listen.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
        colon + 1 == config.http_listen.size()) {
      problems.add(http.node("listen")->source(), "http.listen",
                   "must be HOST:PORT, e.g. \"127.0.0.1:8480\" (or \"\" to switch HTTP off)");
    }
  }

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
  config.base_dir = base_dir;
  Problems problems(origin);
  checkSections(root, problems);
  readGatewaySection(root, base_dir, problems, config);
  readSchemasSection(root, base_dir, problems, config);
  readLimitsSection(root, base_dir, problems, config);
  readPeersSection(root, base_dir, problems, config);
  readBusSection(root, base_dir, problems, config);
  readLogDeliveryHttp(root, base_dir, problems, config);
  readResponsibility(root, base_dir, problems, config.responsibility);
  readEigenBijdrage(root, base_dir, problems, config.eigen_bijdrage);
  readGgk(root, base_dir, problems, config.ggk_envelope);
  config.eigen_bijdrage.params.bw_products = config.responsibility.bw_products;
  config.eigen_bijdrage.params.own_gemeente = config.own_gemeente;

  if (!problems.empty()) return problems.status();
  return config;
}

Status checkDirectoriesWritable(const Config& config) {
  std::vector<std::pair<std::string, fs::path>> places = {{"gateway.state_dir", config.state_dir}};
  for (const Peer* peer : {&config.backoffice, &config.ggk, &config.cak}) {
    places.emplace_back("peers." + peer->name + ".receive_dir", peer->receive_dir);
    places.emplace_back("peers." + peer->name + ".deliver_dir", peer->deliver_dir);
  }
  places.emplace_back("rejected.dir", config.rejected_dir);
  places.emplace_back("log.file", config.log.file.parent_path());
  places.emplace_back("log.hmac_key_file", config.log.hmac_key_file.parent_path());
  const passwd* user = ::getpwuid(::geteuid());
  const std::string who = (user != nullptr ? std::string(user->pw_name) : std::string("uid")) + " (uid " +
                          std::to_string(::geteuid()) + ")";
  // One line per directory that is in the way (one read-only state_dir blocks every default).
  std::vector<std::string> lines;
  std::map<fs::path, std::size_t> line_of;
  for (const auto& [key, dir] : places) {
    if (dir.empty()) continue;
    std::error_code ec;
    const fs::path wanted = fs::absolute(dir, ec).lexically_normal();
    fs::path existing = wanted;
    while (!fs::exists(existing, ec) && existing.has_relative_path()) existing = existing.parent_path();
    if (existing == wanted && !fs::is_directory(existing, ec)) {
      lines.push_back(config.origin + ": " + key + ": " + dir.string() +
                      " exists but is not a directory; point " + key + " at a directory");
      continue;
    }
    if (::access(existing.c_str(), W_OK | X_OK) == 0) continue;
    const std::string cause = std::strerror(errno);
    const std::string needed_by = existing == wanted ? key : key + " (" + dir.string() + ", to be created)";
    if (const auto seen = line_of.find(existing); seen != line_of.end()) {
      lines[seen->second] += ", " + needed_by;
      continue;
    }
    line_of[existing] = lines.size();
    lines.push_back(config.origin + ": " + existing.string() + " is not writable for " + who + " (" + cause +
                    "); make it writable for the user the gateway runs as (chown/chmod), or point these keys "
                    "elsewhere: " + needed_by);
  }
  if (lines.empty()) return Status::ok();
  std::string text;
  for (const std::string& line : lines) text += (text.empty() ? "" : "\n") + line;
  return Status::failedPrecondition(text);
}

Result<Config> loadDefaultConfig(const std::filesystem::path& data_dir) {
  return parseConfig(embeddedDefaultConfig(), "embedded default config (config/default.toml)",
                     data_dir);
}

Result<Config> loadConfigFile(const std::filesystem::path& file, const std::filesystem::path& data_dir) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status::notFound("configuration file " + file.string() +
                            " cannot be opened; check the path given to --config");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::filesystem::path base =
      file.has_parent_path() ? std::filesystem::absolute(file.parent_path())
                             : std::filesystem::current_path();
  if (!data_dir.empty()) {
    std::error_code ec;
    const auto own = std::filesystem::weakly_canonical(std::filesystem::absolute(data_dir) / "config", ec);
    if (!ec && std::filesystem::weakly_canonical(base, ec) == own && !ec) base = std::filesystem::absolute(data_dir);
  }
  return parseConfig(text.str(), file.string(), base);
}

}  // namespace iwmo::config
