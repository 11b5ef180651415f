// The responsibility case format (DESIGN §4.1): reading a case, rendering a decision, comparing
// it with the case's "expect".
#include "gateway/cases/responsibility_case.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace iwmo::cases {
namespace {

using nlohmann::json;

// A field of the case, with the path named in every error.
class Reader {
 public:
  Reader(const std::string& file) : file_(file) {}

  Status error(const std::string& path, const std::string& what) const {
    return Status::invalid(file_ + ": " + path + ": " + what);
  }

  Result<std::string> string(const json& object, const std::string& key, const std::string& path) const {
    if (!object.contains(key)) return error(path + key, "missing");
    if (!object[key].is_string()) return error(path + key, "must be a string in quotes");
    return object[key].get<std::string>();
  }

  Result<std::string> gemeente(const json& object, const std::string& key, const std::string& path) const {
    auto text = string(object, key, path);
    if (!text) return text.status();
    if (text->size() != 4 || text->find_first_not_of("0123456789") != std::string::npos) {
      return error(path + key, "\"" + *text + "\" is not a four-digit CBS gemeentecode");
    }
    return text;
  }

  Result<Date> date(const json& object, const std::string& key, const std::string& path) const {
    auto text = string(object, key, path);
    if (!text) return text.status();
    const auto parsed = Date::parse(*text);
    if (!parsed) return error(path + key, "\"" + *text + "\" is not a date (YYYY-MM-DD)");
    return *parsed;
  }

  // A date or null (an open end); absent counts as null.
  Result<std::optional<Date>> optionalDate(const json& object, const std::string& key, const std::string& path) const {
    if (!object.contains(key) || object[key].is_null()) return std::optional<Date>();
    auto parsed = date(object, key, path);
    if (!parsed) return parsed.status();
    return std::optional<Date>(*parsed);
  }

  Result<int> integer(const json& object, const std::string& key, const std::string& path, int min, int max) const {
    if (!object[key].is_number_integer()) return error(path + key, "must be a whole number");
    const auto value = object[key].get<long long>();
    if (value < min || value > max) {
      return error(path + key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return static_cast<int>(value);
  }

 private:
  std::string file_;
};

std::string lowered(std::string text) {
  for (char& c : text) c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Result<std::vector<rules::BrpPeriod>> readPeriods(const Reader& r, const json& list, const std::string& path) {
  if (!list.is_array()) return r.error(path, "must be a list of periods");
  std::vector<rules::BrpPeriod> periods;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "].";
    const json& item = list[i];
    if (!item.is_object()) return r.error(at, "must be an object");
    rules::BrpPeriod period;
    auto gemeente = r.gemeente(item, "gemeente", at);
    if (!gemeente) return gemeente.status();
    period.gemeente = *gemeente;
    auto begin = r.date(item, "begin", at);
    if (!begin) return begin.status();
    period.begin = *begin;
    auto end = r.optionalDate(item, "end", at);
    if (!end) return end.status();
    period.end = *end;
    const std::string kind = item.contains("kind") && item["kind"].is_string() ? lowered(item["kind"].get<std::string>()) : "woonadres";
    if (kind == "woonadres" || kind == "w") {
      period.kind = rules::BrpPeriod::Kind::kWoonadres;
    } else if (kind == "briefadres" || kind == "b") {
      period.kind = rules::BrpPeriod::Kind::kBriefadres;
    } else {
      return r.error(at + "kind", "must be \"woonadres\" or \"briefadres\"");
    }
    if (item.contains("address") && item["address"].is_string()) period.address = item["address"].get<std::string>();
    periods.push_back(std::move(period));
  }
  return periods;
}

Status readConfig(const Reader& r, const json& config, rules::ResponsibilityParams& params,
                  std::vector<std::string>& warnings) {
  if (!config.is_object()) return r.error("config", "must be an object");
  for (const auto& [key, value] : config.items()) {
    const std::string at = "config.";
    if (key == "regime_b_effective") {
      auto date = r.optionalDate(config, key, at);
      if (!date) return date.status();
      params.regime_b_effective = *date;
    } else if (key == "months_return") {
      auto n = r.integer(config, key, at, 1, 120);
      if (!n) return n.status();
      params.months_return = *n;
    } else if (key == "years_institution") {
      auto n = r.integer(config, key, at, 1, 50);
      if (!n) return n.status();
      params.years_institution = *n;
    } else if (key == "after_5_years") {
      const std::string v = value.is_string() ? lowered(value.get<std::string>()) : "";
      if (v == "vangnet") {
        params.after_5_years = rules::ResponsibilityParams::After5Years::kVangnet;
      } else if (v == "current_address" || v == "woonadres" || v == "current_woonadres") {
        params.after_5_years = rules::ResponsibilityParams::After5Years::kCurrentAddress;
      } else {
        return r.error(at + key, "must be \"vangnet\" or \"current_address\"");
      }
    } else if (key == "vangnet") {
      const std::string v = value.is_string() ? lowered(value.get<std::string>()) : "";
      if (v == "aanmeldgemeente" || v == "aanmeld") {
        params.vangnet = rules::ResponsibilityParams::Vangnet::kAanmeldgemeente;
      } else if (v == "centrumgemeente") {
        params.vangnet = rules::ResponsibilityParams::Vangnet::kCentrumgemeente;
      } else {
        return r.error(at + key, "must be \"aanmeldgemeente\" or \"centrumgemeente\"");
      }
    } else if (key == "designated_institution_types") {
      if (!value.is_array()) return r.error(at + key, "must be a list of institution types");
      params.designated_institution_types.clear();
      for (const auto& type : value) {
        if (!type.is_string()) return r.error(at + key, "each entry must be a string");
        params.designated_institution_types.insert(type.get<std::string>());
      }
    } else if (key == "transition_existing_clients" || key == "transition_includes_herindicatie") {
      if (!value.is_boolean()) return r.error(at + key, "must be true or false");
      (key == "transition_existing_clients" ? params.transition_existing_clients
                                            : params.transition_includes_herindicatie) = value.get<bool>();
    } else if (key == "split_addresses") {
      if (!value.is_object()) return r.error(at + key, "must be an object of address id -> CBS code");
      for (const auto& [address, code] : value.items()) {
        auto text = r.gemeente(value, address, at + key + ".");
        if (!text) return text.status();
        params.split_addresses[address] = *text;
      }
    } else if (key == "regions") {
      if (!value.is_array()) return r.error(at + key, "must be a list of regions");
      params.regions.clear();
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string rat = at + "regions[" + std::to_string(i) + "].";
        const json& item = value[i];
        if (!item.is_object()) return r.error(rat, "must be an object");
        rules::Region region;
        auto centrum = r.gemeente(item, "centrumgemeente", rat);
        if (!centrum) return centrum.status();
        region.centrumgemeente = *centrum;
        if (item.contains("members")) {
          if (!item["members"].is_array()) return r.error(rat + "members", "must be a list of CBS codes");
          for (std::size_t m = 0; m < item["members"].size(); ++m) {
            const json& member = item["members"][m];
            const std::string code = member.is_string() ? member.get<std::string>() : "";
            if (code.size() != 4 || code.find_first_not_of("0123456789") != std::string::npos) {
              return r.error(rat + "members[" + std::to_string(m) + "]", "must be a four-digit CBS code in quotes");
            }
            region.members.push_back(code);
          }
        }
        if (item.contains("mandate")) {
          if (!item["mandate"].is_boolean()) return r.error(rat + "mandate", "must be true or false");
          region.mandate = item["mandate"].get<bool>();
        }
        params.regions.push_back(std::move(region));
      }
    } else {
      warnings.push_back("config." + key + " is not a parameter this gateway knows; ignored");
    }
  }
  return Status::ok();
}

}  // namespace

Result<ResponsibilityCase> parseResponsibilityCase(std::string_view json_text, const std::string& file,
                                                   const rules::ResponsibilityParams& defaults,
                                                   const std::vector<config::BwProduct>& bw_products) {
  const Reader r(file);
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return Status::invalid(file + ": not valid JSON: " + e.what());
  }
  if (!root.is_object()) return r.error("(top)", "a case is a JSON object (DESIGN §4.1)");
  ResponsibilityCase c;
  c.params = defaults;
  c.id = root.contains("id") && root["id"].is_string() ? root["id"].get<std::string>() : file;
  if (root.contains("config")) {
    if (Status s = readConfig(r, root["config"], c.params, c.warnings); !s.isOk()) return s;
  }
  auto report = r.date(root, "report_date", "");
  if (!report) return report.status();
  c.input.report_date = *report;
  auto aanmeld = r.gemeente(root, "aanmeldgemeente", "");
  if (!aanmeld) return aanmeld.status();
  c.input.aanmeldgemeente = *aanmeld;
  if (root.contains("brp")) {
    auto brp = readPeriods(r, root["brp"], "brp");
    if (!brp) return brp.status();
    c.input.brp = std::move(*brp);
  }
  if (root.contains("institutions")) {
    const json& list = root["institutions"];
    if (!list.is_array()) return r.error("institutions", "must be a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = "institutions[" + std::to_string(i) + "].";
      rules::Institution inst;
      auto address = r.string(list[i], "address", at);
      if (!address) return address.status();
      inst.address = *address;
      auto type = r.string(list[i], "type", at);
      if (!type) return type.status();
      inst.type = *type;
      if (list[i].contains("from") && !list[i]["from"].is_null()) {
        auto from = r.date(list[i], "from", at);
        if (!from) return from.status();
        inst.from = *from;
      } else {
        inst.from = Date::fromYmd(1, 1, 1);
      }
      auto to = r.optionalDate(list[i], "to", at);
      if (!to) return to.status();
      inst.to = *to;
      c.input.institutions.push_back(std::move(inst));
    }
  }
  if (root.contains("bw_episodes")) {
    const json& list = root["bw_episodes"];
    if (!list.is_array()) return r.error("bw_episodes", "must be a list");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = "bw_episodes[" + std::to_string(i) + "].";
      rules::BwEpisode episode;
      // "gemeente" (DESIGN §4.1); "provider_gem" as rules.md §2 calls it.
      auto gemeente = r.gemeente(list[i], list[i].contains("gemeente") ? "gemeente" : "provider_gem", at);
      if (!gemeente) return gemeente.status();
      episode.gemeente = *gemeente;
      auto begin = r.date(list[i], "begin", at);
      if (!begin) return begin.status();
      episode.begin = *begin;
      auto end = r.optionalDate(list[i], "end", at);
      if (!end) return end.status();
      episode.end = *end;
      c.input.episodes.push_back(std::move(episode));
    }
  }
  if (root.contains("product") && !root["product"].is_null()) {
    const json& product = root["product"];
    if (!product.is_object()) return r.error("product", "must be an object {\"categorie\",\"code\",\"bw\"}");
    const std::string categorie = product.value("categorie", "");
    const std::string code = product.value("code", "");
    c.input.product = categorie + (code.empty() ? "" : " / " + code);
    if (product.contains("bw")) {
      if (!product["bw"].is_boolean()) return r.error("product.bw", "must be true or false");
      c.input.product_is_bw = product["bw"].get<bool>();
    } else {
      c.input.product_is_bw = rules::isBwProduct(bw_products, categorie, code);
    }
  }
  if (root.contains("client_statement") && !root["client_statement"].is_null()) {
    const json& statement = root["client_statement"];
    if (!statement.is_object() || !statement.contains("claimed_periods")) {
      return r.error("client_statement", "must be {\"claimed_periods\": [...]} in the shape of brp");
    }
    auto claimed = readPeriods(r, statement["claimed_periods"], "client_statement.claimed_periods");
    if (!claimed) return claimed.status();
    c.input.claimed_periods = std::move(*claimed);
  }
  if (root.contains("expect")) {
    if (!root["expect"].is_object()) return r.error("expect", "must be an object {\"gemeente\",\"rule\",\"flags\"}");
    c.expect = root["expect"];
  }
  return c;
}

nlohmann::ordered_json decisionJson(const rules::ResponsibilityDecision& decision) {
  nlohmann::ordered_json out;
  out["gemeente"] = decision.gemeente ? nlohmann::ordered_json(*decision.gemeente) : nlohmann::ordered_json();
  out["rule"] = decision.rule;
  out["regime"] = std::string(1, decision.regime);
  out["flags"] = decision.flags;
  out["trail"] = decision.trail;
  return out;
}

std::vector<std::string> expectationMismatches(const rules::ResponsibilityDecision& decision, const json& expect) {
  std::vector<std::string> problems;
  const std::string got_gemeente = decision.gemeente ? *decision.gemeente : "null";
  if (expect.contains("gemeente")) {
    const std::string want = expect["gemeente"].is_string() ? expect["gemeente"].get<std::string>() : "null";
    if (want != got_gemeente) problems.push_back("gemeente: expected " + want + ", got " + got_gemeente);
  }
  if (expect.contains("rule") && expect["rule"].is_string() && expect["rule"].get<std::string>() != decision.rule) {
    problems.push_back("rule: expected " + expect["rule"].get<std::string>() + ", got " + decision.rule);
  }
  if (expect.contains("regime") && expect["regime"].is_string() &&
      expect["regime"].get<std::string>() != std::string(1, decision.regime)) {
    problems.push_back("regime: expected " + expect["regime"].get<std::string>() + ", got " + decision.regime);
  }
  if (expect.contains("flags") && expect["flags"].is_array()) {
    std::set<std::string> want;
    for (const auto& f : expect["flags"]) {
      if (f.is_string()) want.insert(f.get<std::string>());
    }
    const std::set<std::string> got(decision.flags.begin(), decision.flags.end());
    if (want != got) {
      const auto list = [](const std::set<std::string>& s) {
        std::string t;
        for (const auto& f : s) t += (t.empty() ? "" : ",") + f;
        return "[" + t + "]";
      };
      problems.push_back("flags: expected " + list(want) + ", got " + list(got));
    }
  }
  return problems;
}

}  // namespace iwmo::cases
