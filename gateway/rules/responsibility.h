// Responsibility for Beschermd Wonen (issue 5; DESIGN §4; reference/responsibility/rules.md):
// which municipality is responsible for a client's BW on a reference date, under regime A (current
// law, Wmo 2015 art. 1.2.1 b: the municipality the client turns to) or regime B (the
// woonplaatsbeginsel of bill 36 288, not in force; its date and parameters are configuration).
// Pure: inputs and parameters in, a decision with a stable rule id, flags and a trail out.
//
// Rule ids:
//   NOT-BW                    the product is not BW: the municipality of the woonadres (R12.1)
//   A-aanmeldgemeente         regime A: the aanmeldgemeente (R1)
//   A-centrumgemeente-mandate regime A: the aanmeldgemeente is a member of a region that mandated
//                             its centrumgemeente, which is then responsible (R1.1)
//   B-transition              regime B, a BW episode that began before the regime runs on D (R10)
//   B-ongoing                 regime B, a BW episode that began under regime B runs on D (continuity)
//   B-return-12m              BW ended less than twelve months before D: its last provider (R5)
//   B-woonadres               the municipality of the BRP woonadres on D (R3)
//   B-institution             woonadres at a designated institution: the woonadres before the
//                             (chain of) stay(s), unless that began more than 5 years ago (R6, R7)
//   B-no-woonadres            no woonadres (briefadres, RNI, none): where the client last lived,
//                             within 5 years (R8.1)
//   B-vangnet                 none of the above gives one: the aanmeldgemeente, flagged REVIEW (R9)
// Flags: REVIEW (only a person can confirm it), MANUAL_SPLIT (a split municipality and no
// address mapping: `gemeente` is empty), DISPUTE_POSSIBLE (the client's statement departs from
// the BRP, R4).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/base/date.h"
#include "gateway/base/result.h"
#include "gateway/rules/gemeente_table.h"

namespace iwmo::rules {

// One period of the BRP verblijfplaatshistorie. `end` is exclusive: the first day of the next
// period (nullopt = still current). Gemeente 1999 is the RNI (no Dutch address).
struct BrpPeriod {
  enum class Kind { kWoonadres, kBriefadres };
  std::string gemeente;
  Date begin = Date::fromYmd(1970, 1, 1);
  std::optional<Date> end;
  Kind kind = Kind::kWoonadres;
  std::string address;  // address id (BAG or the register's own); may be empty
};

// The institution register: an address and its type, valid from `from` to `to` (both days
// included; nullopt = still valid).
struct Institution {
  std::string address;
  std::string type;  // e.g. "ggz-clinic", "wlz", "prison", "bw-accommodation"
  Date from = Date::fromYmd(1970, 1, 1);
  std::optional<Date> to;
};

// A BW episode: who provided BW from `begin` to `end` (its last day; nullopt = still running).
struct BwEpisode {
  std::string gemeente;
  Date begin = Date::fromYmd(1970, 1, 1);
  std::optional<Date> end;
  // Learnt from a message whose own responsibility is still in review: a decision resting on it
  // is flagged REVIEW (it would otherwise confirm itself).
  bool under_review = false;
};

struct Region {
  std::string centrumgemeente;
  std::vector<std::string> members;  // usually includes the centrumgemeente itself
  bool mandate = true;               // members mandated the centrumgemeente to execute BW
};

// A product that counts as BW (DESIGN §4: regional policy; R12). An empty `code` means the
// whole productcategorie.
struct BwProduct {
  std::string categorie;
  std::string code;
};
bool isBwProduct(const std::vector<BwProduct>& mapping, const std::string& categorie, const std::string& code);

struct ResponsibilityParams {
  enum class After5Years { kVangnet, kCurrentAddress };
  enum class Vangnet { kAanmeldgemeente, kCentrumgemeente };
  std::optional<Date> regime_b_effective;  // nullopt: regime B is not in force (today's law)
  int months_return = 12;                  // R5 "minder dan twaalf maanden"
  int years_institution = 5;               // R7 / R8.1 "langer dan 5 jaar"
  After5Years after_5_years = After5Years::kVangnet;  // R7.2 reading (ii), the default
  std::set<std::string> designated_institution_types = {"ggz-clinic", "wlz", "prison"};
  bool transition_existing_clients = true;       // R10
  bool transition_includes_herindicatie = true;  // R10.1: a gapless next episode continues it
  Vangnet vangnet = Vangnet::kAanmeldgemeente;   // R9.1
  std::vector<Region> regions;
  std::map<std::string, std::string> split_addresses;  // address id -> code of its part (P1)
};

struct ResponsibilityInput {
  Date report_date = Date::fromYmd(1970, 1, 1);  // the melding (§2 inputs, D)
  std::string aanmeldgemeente;                   // A
  std::vector<BrpPeriod> brp;                    // H
  std::vector<Institution> institutions;         // I
  std::vector<BwEpisode> episodes;               // E
  std::optional<bool> product_is_bw;             // nullopt: a BW question without a product
  std::string product;                           // for the trail, e.g. "15 / 15A01"
  // R4: the client's own account, replacing the BRP from its earliest begin.
  std::optional<std::vector<BrpPeriod>> claimed_periods;
};

struct ResponsibilityDecision {
  std::optional<std::string> gemeente;  // empty only with MANUAL_SPLIT or an unmapped code
  std::string rule;
  char regime = 'A';
  std::vector<std::string> flags;  // sorted
  std::vector<std::string> trail;
};

// Errors: kInvalid when an input names a municipality code that never existed, or a period ends
// before it begins (the message names the field).
Result<ResponsibilityDecision> decideResponsibility(const ResponsibilityInput& input,
                                                    const ResponsibilityParams& params,
                                                    const GemeenteTable& gemeenten);

}  // namespace iwmo::rules
