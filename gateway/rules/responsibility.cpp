#include "gateway/rules/responsibility.h"

#include <algorithm>

namespace iwmo::rules {
namespace {

constexpr const char* kRni = "1999";

// A municipality code as the rules see it: normalised to the reference date (P1).
struct Coded {
  std::string original;
  NormalisedCode normalised;
  bool valid() const { return normalised.kind == NormalisedCode::Kind::kValid; }
};

struct Period {
  BrpPeriod brp;
  Coded gemeente;
};

struct Episode {
  BwEpisode episode;
  Coded gemeente;
};

std::string plural(long n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "2 years 2 months" between two dates (whole calendar months, then days when under a month).
std::string span(Date from, Date to) {
  long months = (to.year() - from.year()) * 12L + static_cast<long>(to.month()) - static_cast<long>(from.month());
  if (to.day() < from.day()) --months;
  if (months <= 0) return plural(to.daysSinceEpoch() - from.daysSinceEpoch(), "day", "days");
  std::string text;
  if (months >= 12) text = plural(months / 12, "year", "years");
  if (months % 12 != 0) text += (text.empty() ? "" : " ") + plural(months % 12, "month", "months");
  return text;
}

std::string periodText(const Period& p, const GemeenteTable& table) {
  std::string text = (p.brp.kind == BrpPeriod::Kind::kWoonadres ? "woonadres " : "briefadres ") +
                     table.label(p.gemeente.valid() ? p.gemeente.normalised.code : p.gemeente.original);
  if (!p.brp.address.empty()) text += " at " + p.brp.address;
  text += " from " + p.brp.begin.toString();
  text += p.brp.end ? " to " + p.brp.end->toString() + " (exclusive)" : " (current)";
  return text;
}

class Decider {
 public:
  Decider(const ResponsibilityInput& input, const ResponsibilityParams& params, const GemeenteTable& table)
      : input_(input), params_(params), table_(table), d_(input.report_date) {}

  Result<ResponsibilityDecision> run() {
    decision_.regime = regimeB() ? 'B' : 'A';
    trail("reference date D = " + d_.toString() + "; " +
          (params_.regime_b_effective
               ? "regime B (woonplaatsbeginsel) takes effect on " + params_.regime_b_effective->toString()
               : std::string("regime B (woonplaatsbeginsel) is not in force (no regime_b_effective)")) +
          ": regime " + decision_.regime + " applies");

    auto aanmeld = code(input_.aanmeldgemeente, "aanmeldgemeente");
    if (!aanmeld) return aanmeld.status();
    aanmeld_ = *aanmeld;
    if (Status s = loadHistory(input_.brp, "brp", periods_); !s.isOk()) return s;
    for (std::size_t i = 0; i < input_.episodes.size(); ++i) {
      const BwEpisode& e = input_.episodes[i];
      const std::string where = "bw_episodes[" + std::to_string(i) + "]";
      if (e.end && *e.end < e.begin) return Status::invalid(where + ": end " + e.end->toString() + " is before begin " + e.begin.toString());
      auto c = code(e.gemeente, where + ".gemeente");
      if (!c) return c.status();
      episodes_.push_back({e, *c});
    }

    std::vector<Period> claimed;
    if (input_.claimed_periods) {
      if (Status s = loadHistory(*input_.claimed_periods, "client_statement.claimed_periods", claimed); !s.isOk()) return s;
    }

    if (input_.product_is_bw && !*input_.product_is_bw) return notBw();
    if (!regimeB()) {
      if (input_.claimed_periods) trail("the client's statement plays no part under regime A (R4 is an exception of regime B)");
      return regimeA();
    }
    // R4 belongs to the exceptions of the woonplaatsbeginsel (art. 1.2.1a lid 1): regime B only.
    if (input_.claimed_periods) applyStatement(std::move(claimed));
    return regimeBDecision();
  }

 private:
  bool regimeB() const { return params_.regime_b_effective && d_ >= *params_.regime_b_effective; }

  void trail(std::string line) { decision_.trail.push_back(std::move(line)); }
  void flag(const char* f) {
    if (std::find(decision_.flags.begin(), decision_.flags.end(), f) == decision_.flags.end()) {
      decision_.flags.push_back(f);
    }
  }

  Result<Coded> code(const std::string& text, const std::string& field) {
    Coded c{text, table_.normalise(text, d_)};
    if (c.normalised.kind == NormalisedCode::Kind::kUnknown) {
      return Status::invalid(field + ": '" + text + "' is not a municipality code that ever existed " +
                             "(CBS gemeentecode, four digits; see config/gemeenten.csv)");
    }
    for (const auto& line : c.normalised.trail) trail("P1: " + line);
    return c;
  }

  Result<Coded> periodCode(const BrpPeriod& p, const std::string& field) {
    Coded c{p.gemeente, table_.normalise(p.gemeente, d_, params_.split_addresses, p.address)};
    if (c.normalised.kind == NormalisedCode::Kind::kUnknown) {
      return Status::invalid(field + ": '" + p.gemeente + "' is not a municipality code that ever existed " +
                             "(CBS gemeentecode, four digits; 1999 = RNI)");
    }
    for (const auto& line : c.normalised.trail) trail("P1: " + line);
    return c;
  }

  Status loadHistory(const std::vector<BrpPeriod>& history, const std::string& name, std::vector<Period>& out) {
    for (std::size_t i = 0; i < history.size(); ++i) {
      const BrpPeriod& p = history[i];
      const std::string where = name + "[" + std::to_string(i) + "]";
      if (p.end && *p.end < p.begin) {
        return Status::invalid(where + ": end " + p.end->toString() + " is before begin " + p.begin.toString());
      }
      auto c = periodCode(p, where + ".gemeente");
      if (!c) return c.status();
      out.push_back({p, *c});
    }
    std::stable_sort(out.begin(), out.end(), [](const Period& a, const Period& b) { return a.brp.begin < b.brp.begin; });
    return Status::ok();
  }

  // R4: the client's statement replaces the BRP from its earliest begin; the BRP before that stays.
  void applyStatement(std::vector<Period> claimed) {
    if (claimed.empty()) return;
    const Date from = claimed.front().brp.begin;
    std::vector<Period> merged;
    for (Period p : periods_) {
      if (p.brp.begin >= from) continue;
      if (!p.brp.end || *p.brp.end > from) p.brp.end = from;
      merged.push_back(std::move(p));
    }
    for (auto& p : claimed) merged.push_back(std::move(p));
    const auto same = [](const std::vector<Period>& a, const std::vector<Period>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        const BrpPeriod& x = a[i].brp;
        const BrpPeriod& y = b[i].brp;
        if (x.gemeente != y.gemeente || x.begin != y.begin || x.end != y.end || x.kind != y.kind ||
            x.address != y.address) {
          return false;
        }
      }
      return true;
    };
    trail("R4: the client's own statement replaces the BRP from " + from.toString() +
          " (the exceptions rest on 'feiten en omstandigheden, inlichtingen van de ingezetene daaronder begrepen')");
    if (!same(merged, periods_)) {
      flag("DISPUTE_POSSIBLE");
      trail("the statement departs from the BRP: DISPUTE_POSSIBLE (the other municipality may contest it)");
    }
    periods_ = std::move(merged);
  }

  // The result: `coded`'s code, or no code with the flag that says why.
  ResponsibilityDecision decide(const char* rule, const Coded& coded, const std::string& why) {
    decision_.rule = rule;
    if (coded.valid()) {
      decision_.gemeente = coded.normalised.code;
      trail("→ " + table_.label(coded.normalised.code) + " is responsible: " + why);
    } else if (coded.normalised.kind == NormalisedCode::Kind::kSplit) {
      flag("MANUAL_SPLIT");
      std::string parts;
      for (const auto& c : coded.normalised.candidates) parts += (parts.empty() ? "" : ", ") + table_.label(c);
      trail("→ " + why + ", but " + table_.label(coded.original) + " was split; one of " + parts +
            " is responsible, by the address: MANUAL_SPLIT (add the address to split_addresses to decide it)");
    } else {
      flag("REVIEW");
      trail("→ " + why + ", but " + table_.label(coded.original) +
            " has no known successor on the reference date: REVIEW (add it to the municipality table)");
    }
    std::sort(decision_.flags.begin(), decision_.flags.end());
    return decision_;
  }

  // --- not BW (R12.1) -------------------------------------------------------------------------
  Result<ResponsibilityDecision> notBw() {
    trail("product " + (input_.product.empty() ? std::string("(unnamed)") : input_.product) +
          " is not BW in the region's product mapping (R12.1): ordinary Wmo support, the municipality of residence");
    if (const Period* cur = current(); cur && cur->brp.kind == BrpPeriod::Kind::kWoonadres && !rni(*cur)) {
      trail("BRP on " + d_.toString() + ": " + periodText(*cur, table_));
      return decide("NOT-BW", cur->gemeente, "the municipality of the woonadres; no BW eigen bijdrage via WMO407");
    }
    trail("no Dutch woonadres on " + d_.toString() + ": the aanmeldgemeente, to be checked");
    flag("REVIEW");
    return decide("NOT-BW", aanmeld_, "the aanmeldgemeente (no woonadres on the reference date)");
  }

  // --- regime A (R1, R1.1) --------------------------------------------------------------------
  Result<ResponsibilityDecision> regimeA() {
    trail("R1: Wmo 2015 art. 1.2.1 b: BW is provided by 'het college van de gemeente tot welke hij zich wendt': " +
          table_.label(aanmeld_.normalised.code));
    if (const Region* region = regionOf(aanmeld_.normalised.code);
        region && region->mandate && region->centrumgemeente != aanmeld_.normalised.code) {
      Coded centrum{region->centrumgemeente, table_.normalise(region->centrumgemeente, d_)};
      trail("R1.1: " + table_.label(aanmeld_.normalised.code) + " is a member of the region of centrumgemeente " +
            table_.label(region->centrumgemeente) + ", which executes BW under mandate");
      return decide("A-centrumgemeente-mandate", centrum, "the centrumgemeente, by mandate of the aanmeldgemeente");
    }
    return decide("A-aanmeldgemeente", aanmeld_, "the aanmeldgemeente");
  }

  const Region* regionOf(const std::string& code) const {
    for (const Region& region : params_.regions) {
      for (const auto& member : region.members) {
        if (table_.normalise(member, d_).code == code) return &region;
      }
    }
    return nullptr;
  }

  // --- regime B -------------------------------------------------------------------------------
  Result<ResponsibilityDecision> regimeBDecision() {
    // Step 1: an episode running on D keeps its provider (R10 transition; continuity otherwise).
    const Episode* open = nullptr;
    for (const Episode& e : episodes_) {
      if (e.episode.begin <= d_ && (!e.episode.end || *e.episode.end >= d_)) {
        if (!open || e.episode.begin > open->episode.begin) open = &e;
      }
    }
    if (open) {
      const Date chain_begin = episodeChainBegin(*open);
      trail("step 1: BW by " + table_.label(open->gemeente.normalised.code.empty() ? open->gemeente.original
                                                                                    : open->gemeente.normalised.code) +
            " runs on " + d_.toString() + " (from " + open->episode.begin.toString() +
            (open->episode.end ? " to " + open->episode.end->toString() : std::string(", no end")) + ")");
      doubtful(*open);
      if (params_.transition_existing_clients && chain_begin < *params_.regime_b_effective) {
        if (chain_begin != open->episode.begin) {
          trail("R10.1: it continues without a gap BW that began on " + chain_begin.toString() +
                " (transition_includes_herindicatie)");
        }
        trail("R10: BW began before regime B (" + chain_begin.toString() +
              "): an existing client stays with the municipality that provides it while the indication runs");
        return decide("B-transition", open->gemeente, "the municipality providing the running BW (transition)");
      }
      return decide("B-ongoing", open->gemeente, "the municipality providing the running BW (continuity)");
    }
    trail("step 1: no BW episode runs on " + d_.toString());

    // Step 2 (R5): "minder dan twaalf maanden" since the last BW ended: D < end + 12 months.
    const Episode* last = nullptr;
    for (const Episode& e : episodes_) {
      if (e.episode.end && *e.episode.end < d_ && (!last || *e.episode.end > *last->episode.end)) last = &e;
    }
    if (last) {
      const Date limit = last->episode.end->plusMonths(params_.months_return);
      const std::string ended = "BW by " + table_.label(last->gemeente.valid() ? last->gemeente.normalised.code
                                                                               : last->gemeente.original) +
                                " ended on " + last->episode.end->toString();
      if (d_ < limit) {
        trail("step 2 (R5): " + ended + ", " + span(*last->episode.end, d_) + " before D: less than " +
              plural(params_.months_return, "month", "months") + " (D is before " + limit.toString() + ")");
        noteNewClient(*last);
        doubtful(*last);
        return decide("B-return-12m", last->gemeente, "the municipality that last provided BW ('laatstelijk verstrekt')");
      }
      trail("step 2 (R5): " + ended + "; on " + limit.toString() + " " +
            plural(params_.months_return, "month", "months") + " had passed ('minder dan' is not met)");
    } else {
      trail("step 2 (R5): no earlier BW episode");
    }

    // Step 3: the BRP on D.
    const Period* cur = current();
    if (cur) trail("step 3: BRP on " + d_.toString() + ": " + periodText(*cur, table_));
    if (cur && designated(*cur, d_)) return institution(*cur);
    if (cur && cur->brp.kind == BrpPeriod::Kind::kWoonadres && !rni(*cur)) {
      if (const Institution* inst = institutionAt(cur->brp.address, d_)) {
        trail(cur->brp.address + " is a registered " + inst->type +
              ", not a designated institution type: the woonadres counts");
      }
      return decide("B-woonadres", cur->gemeente, "R3: the municipality 'waar hij zijn woonadres heeft'");
    }
    return noWoonadres(cur);
  }

  void doubtful(const Episode& e) {
    if (!e.episode.under_review) return;
    flag("REVIEW");
    trail("that episode was learnt from a message whose own responsibility is still in the review queue: REVIEW");
  }

  // The begin of the run of gapless episodes of the same provider that ends with `e`.
  Date episodeChainBegin(const Episode& e) const {
    Date begin = e.episode.begin;
    if (!params_.transition_includes_herindicatie) return begin;
    for (bool extended = true; extended;) {
      extended = false;
      for (const Episode& other : episodes_) {
        if (&other == &e || !other.episode.end || other.gemeente.normalised.code != e.gemeente.normalised.code) continue;
        if (other.episode.begin < begin && other.episode.end->plusDays(1) >= begin) {
          begin = other.episode.begin;
          extended = true;
        }
      }
    }
    return begin;
  }

  // R11 is a funding definition, not a responsibility rule; the trail names it when it differs.
  void noteNewClient(const Episode& last) {
    const Region* provider_region = regionOf(last.gemeente.normalised.code);
    const Region* aanmeld_region = regionOf(aanmeld_.normalised.code);
    if (provider_region != aanmeld_region) {
      trail("note (R11): for funding the client may be a 'nieuwe cliënt' of the aanmeldgemeente's region "
            "(365 days, region-bound); that does not change responsibility");
    }
  }

  const Period* current() const {
    const Period* found = nullptr;
    for (const Period& p : periods_) {
      if (p.brp.begin <= d_ && (!p.brp.end || d_ < *p.brp.end)) found = &p;  // sorted: the latest begin wins
    }
    return found;
  }

  static bool rni(const Period& p) { return p.gemeente.original == kRni || p.gemeente.normalised.code == kRni; }

  const Institution* institutionAt(const std::string& address, Date on) const {
    if (address.empty()) return nullptr;
    for (const Institution& inst : input_.institutions) {
      if (inst.address == address && inst.from <= on && (!inst.to || on <= *inst.to)) return &inst;
    }
    return nullptr;
  }

  // A designated stay: a woonadres or a briefadres (R6.3) at a designated institution. For D the
  // register must cover D; for an earlier period, any day of the period.
  bool designated(const Period& p, Date on) const {
    if (p.brp.address.empty()) return false;
    for (const Institution& inst : input_.institutions) {
      if (inst.address != p.brp.address || !params_.designated_institution_types.count(inst.type)) continue;
      if (inst.from <= on && (!inst.to || on <= *inst.to)) return true;
    }
    return false;
  }
  bool designatedDuring(const Period& p) const {
    if (p.brp.address.empty()) return false;
    for (const Institution& inst : input_.institutions) {
      if (inst.address != p.brp.address || !params_.designated_institution_types.count(inst.type)) continue;
      const bool starts_before_end = !p.brp.end || inst.from < *p.brp.end;
      const bool ends_after_begin = !inst.to || *inst.to >= p.brp.begin;
      if (starts_before_end && ends_after_begin) return true;
    }
    return false;
  }

  bool ordinaryWoonadres(const Period& p) const {
    return p.brp.kind == BrpPeriod::Kind::kWoonadres && !rni(p) && !designatedDuring(p);
  }

  // R6 / R7: the woonadres before the (chain of) designated stay(s).
  Result<ResponsibilityDecision> institution(const Period& cur) {
    const Institution* inst = institutionAt(cur.brp.address, d_);
    trail("R6: " + cur.brp.address + " is a designated institution (" + (inst ? inst->type : std::string("?")) +
          (cur.brp.kind == BrpPeriod::Kind::kBriefadres ? "; a briefadres during the stay counts the same, R6.3" : "") + ")");
    // The chain: earlier designated periods that end exactly where the next begins.
    std::size_t first = static_cast<std::size_t>(&cur - periods_.data());
    while (first > 0) {
      const Period& before = periods_[first - 1];
      if (!before.brp.end || *before.brp.end != periods_[first].brp.begin || !designatedDuring(before)) break;
      --first;
    }
    const Date chain_start = periods_[first].brp.begin;
    const std::size_t stays = static_cast<std::size_t>(&cur - periods_.data()) - first + 1;
    trail("R7.1: the designated stay began on " + chain_start.toString() +
          (stays > 1 ? " (a chain of " + std::to_string(stays) + " stays without a gap counts as one)" : "") + ", " +
          span(chain_start, d_) + " before D");
    const Period* before_stay = nullptr;
    for (std::size_t i = 0; i < first; ++i) {
      const Period& p = periods_[i];
      if (ordinaryWoonadres(p) && p.brp.end && *p.brp.end <= chain_start) before_stay = &p;
    }
    const Date limit = chain_start.plusYears(params_.years_institution);
    const bool within = d_ <= limit;  // "tenzij dit langer dan 5 jaar geleden is": exactly 5 years still applies
    if (before_stay && within) {
      trail("woonadres before the stay: " + periodText(*before_stay, table_));
      trail("not more than " + plural(params_.years_institution, "year", "years") + " ('langer dan' is not met until after " +
            limit.toString() + ")");
      return decide("B-institution", before_stay->gemeente, "R6: the municipality of the woonadres directly before the stay");
    }
    if (!before_stay) {
      trail("no woonadres before the stay is known");
    } else {
      trail("woonadres before the stay: " + periodText(*before_stay, table_) + "; but the stay began more than " +
            plural(params_.years_institution, "year", "years") + " ago (after " + limit.toString() + ")");
      if (params_.after_5_years == ResponsibilityParams::After5Years::kCurrentAddress &&
          cur.brp.kind == BrpPeriod::Kind::kWoonadres) {
        trail("R7.2 reading (i), after_5_years = \"current_address\": the general rule R3 applies");
        return decide("B-woonadres", cur.gemeente, "R3: the municipality of the institution's woonadres");
      }
      trail("R7.2 reading (ii), after_5_years = \"vangnet\"");
    }
    return vangnet();
  }

  // R8.1: no woonadres on D: where the client last lived, within the same 5 years.
  Result<ResponsibilityDecision> noWoonadres(const Period* cur) {
    if (!cur) {
      trail("step 3c: no BRP registration covers " + d_.toString());
    } else if (rni(*cur)) {
      trail("step 3c: registered in the RNI (1999): no Dutch woonadres");
    } else {
      trail("step 3c: a briefadres is not a woonadres (R2)");
    }
    const Period* last = nullptr;
    for (const Period& p : periods_) {
      if (ordinaryWoonadres(p) && p.brp.end && *p.brp.end <= d_) last = &p;
    }
    if (!last) {
      trail("R8.1: no earlier woonadres is known");
      return vangnet();
    }
    const Date limit = last->brp.end->plusYears(params_.years_institution);
    trail("R8.1: last woonadres: " + periodText(*last, table_) + ", left " + span(*last->brp.end, d_) + " before D");
    if (d_ <= limit) {
      return decide("B-no-woonadres", last->gemeente, "R8.1: the municipality where the client last lived");
    }
    trail("that is more than " + plural(params_.years_institution, "year", "years") + " ago (after " + limit.toString() + ")");
    return vangnet();
  }

  // R9: the vangnet.
  Result<ResponsibilityDecision> vangnet() {
    flag("REVIEW");
    if (params_.vangnet == ResponsibilityParams::Vangnet::kCentrumgemeente) {
      if (const Region* region = regionOf(aanmeld_.normalised.code)) {
        Coded centrum{region->centrumgemeente, table_.normalise(region->centrumgemeente, d_)};
        trail("R9: the vangnet (vangnet = \"centrumgemeente\"): the centrumgemeente of the aanmeldgemeente's region; "
              "funding from the macrobudget supplement; REVIEW");
        return decide("B-vangnet", centrum, "the vangnet");
      }
    }
    if (params_.vangnet == ResponsibilityParams::Vangnet::kCentrumgemeente) {
      trail("vangnet = \"centrumgemeente\", but the aanmeldgemeente is in no region of the region table");
    }
    trail("R9: the vangnet: the aanmeldgemeente (R9.1); funding from the macrobudget supplement; REVIEW");
    return decide("B-vangnet", aanmeld_, "the vangnet");
  }

  const ResponsibilityInput& input_;
  const ResponsibilityParams& params_;
  const GemeenteTable& table_;
  const Date d_;
  Coded aanmeld_;
  std::vector<Period> periods_;
  std::vector<Episode> episodes_;
  ResponsibilityDecision decision_;
};

}  // namespace

bool isBwProduct(const std::vector<BwProduct>& mapping, const std::string& categorie, const std::string& code) {
  return std::any_of(mapping.begin(), mapping.end(), [&](const BwProduct& p) {
    return p.categorie == categorie && (p.code.empty() || p.code == code);
  });
}

Result<ResponsibilityDecision> decideResponsibility(const ResponsibilityInput& input,
                                                    const ResponsibilityParams& params,
                                                    const GemeenteTable& gemeenten) {
  return Decider(input, params, gemeenten).run();
}

}  // namespace iwmo::rules
