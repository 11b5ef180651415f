// decideResponsibility (gateway/rules/responsibility.h): every rule id and the boundaries of
// rules.md §2 (reference/responsibility), with the project's real municipality table.
#include "gateway/rules/responsibility.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/test_support.h"

using iwmo::Date;
using iwmo::rules::BrpPeriod;
using iwmo::rules::BwEpisode;
using iwmo::rules::decideResponsibility;
using iwmo::rules::GemeenteTable;
using iwmo::rules::Institution;
using iwmo::rules::Region;
using iwmo::rules::ResponsibilityDecision;
using iwmo::rules::ResponsibilityInput;
using iwmo::rules::ResponsibilityParams;

namespace {

using Flags = std::vector<std::string>;
using Trail = std::vector<std::string>;

const Date kRegimeB = Date::fromYmd(2027, 1, 1);  // the hypothetical T of rules.md §3

const GemeenteTable& gemeenten() {
  static const GemeenteTable* table = [] {
    const char* file = IWMO_SOURCE_DIR "/config/gemeenten.csv";
    auto parsed = GemeenteTable::parse(iwmo::test::readFile(file), file);
    INFO(parsed.status().message());
    REQUIRE(parsed);
    return new GemeenteTable(std::move(*parsed));
  }();
  return *table;
}

Date day(const char* text) {
  const auto parsed = Date::parse(text);
  INFO("date " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

std::optional<Date> until(const char* text) {
  if (text == nullptr) return std::nullopt;
  return day(text);
}

BrpPeriod woonadres(const char* gemeente, const char* begin, const char* end, const char* address = "") {
  BrpPeriod p;
  p.gemeente = gemeente;
  p.begin = day(begin);
  p.end = until(end);
  p.kind = BrpPeriod::Kind::kWoonadres;
  p.address = address;
  return p;
}

BrpPeriod briefadres(const char* gemeente, const char* begin, const char* end, const char* address = "") {
  BrpPeriod p = woonadres(gemeente, begin, end, address);
  p.kind = BrpPeriod::Kind::kBriefadres;
  return p;
}

Institution institution(const char* address, const char* type, const char* from = "1990-01-01",
                        const char* to = nullptr) {
  Institution i;
  i.address = address;
  i.type = type;
  i.from = day(from);
  i.to = until(to);
  return i;
}

BwEpisode episode(const char* gemeente, const char* begin, const char* end) {
  BwEpisode e;
  e.gemeente = gemeente;
  e.begin = day(begin);
  e.end = until(end);
  return e;
}

ResponsibilityParams regimeBParams() {
  ResponsibilityParams params;
  params.regime_b_effective = kRegimeB;
  return params;
}

ResponsibilityInput input(const char* report_date, const char* aanmeldgemeente) {
  ResponsibilityInput in;
  in.report_date = day(report_date);
  in.aanmeldgemeente = aanmeldgemeente;
  return in;
}

ResponsibilityDecision decide(const ResponsibilityInput& in, const ResponsibilityParams& params) {
  auto decision = decideResponsibility(in, params, gemeenten());
  INFO("status: " << decision.status().message());
  REQUIRE(decision);
  const ResponsibilityDecision& d = *decision;
  INFO("rule " << d.rule);
  CHECK_FALSE(d.trail.empty());
  CHECK(std::is_sorted(d.flags.begin(), d.flags.end()));
  return d;
}

// Whether any line of the trail contains `text`.
bool mentions(const Trail& trail, const std::string& text) {
  return std::any_of(trail.begin(), trail.end(), [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

std::string joined(const Trail& trail) {
  std::string text;
  for (const auto& line : trail) text += line + "\n";
  return text;
}

// A Kampen resident since 2018 who reports at Zwolle (rules.md case 4).
ResponsibilityInput kampenResident(const char* report_date) {
  ResponsibilityInput in = input(report_date, "0193");
  in.brp = {woonadres("0166", "2018-01-01", nullptr, "KAM-1")};
  return in;
}

}  // namespace

// --- regime selection -------------------------------------------------------------------------------

TEST_CASE("regime B starts on regime_b_effective, the day before is regime A", "[responsibility]") {
  const auto on = decide(kampenResident("2027-01-01"), regimeBParams());
  CHECK(on.regime == 'B');
  CHECK(on.rule == "B-woonadres");
  CHECK(on.gemeente == std::optional<std::string>("0166"));

  const auto before = decide(kampenResident("2026-12-31"), regimeBParams());
  CHECK(before.regime == 'A');
  CHECK(before.rule == "A-aanmeldgemeente");
  CHECK(before.gemeente == std::optional<std::string>("0193"));
  CHECK(before.flags.empty());
  CHECK(mentions(before.trail, "R1:"));
}

TEST_CASE("without regime_b_effective every date is regime A", "[responsibility]") {
  const ResponsibilityParams params;  // today's law
  const auto d = decide(kampenResident("2040-06-01"), params);
  CHECK(d.regime == 'A');
  CHECK(d.rule == "A-aanmeldgemeente");
  CHECK(d.gemeente == std::optional<std::string>("0193"));
}

// --- NOT-BW -----------------------------------------------------------------------------------------

TEST_CASE("NOT-BW: a product that is not BW goes to the municipality of the woonadres", "[responsibility]") {
  for (const char* report : {"2025-05-01", "2027-05-01"}) {  // regime A and B alike
    INFO("report date " << report);
    ResponsibilityInput in = input(report, "0193");
    in.brp = {woonadres("0114", "2015-01-01", nullptr, "EMM-1")};
    in.product_is_bw = false;
    in.product = "07 / 07A01";
    const auto d = decide(in, regimeBParams());
    CHECK(d.rule == "NOT-BW");
    CHECK(d.gemeente == std::optional<std::string>("0114"));
    CHECK(d.flags.empty());
    CHECK(mentions(d.trail, "R12.1"));
  }
  SECTION("product_is_bw = true is decided by the BW rules") {
    ResponsibilityInput in = kampenResident("2027-05-01");
    in.product_is_bw = true;
    const auto d = decide(in, regimeBParams());
    CHECK(d.rule == "B-woonadres");
    CHECK(d.gemeente == std::optional<std::string>("0166"));
  }
  SECTION("no woonadres: the aanmeldgemeente, for review") {
    ResponsibilityInput in = input("2027-05-01", "0193");
    in.brp = {briefadres("0193", "2020-01-01", nullptr)};
    in.product_is_bw = false;
    const auto d = decide(in, regimeBParams());
    CHECK(d.rule == "NOT-BW");
    CHECK(d.gemeente == std::optional<std::string>("0193"));
    CHECK(d.flags == Flags{"REVIEW"});
  }
}

// --- regime A ---------------------------------------------------------------------------------------

TEST_CASE("A-centrumgemeente-mandate: a mandated member's melding goes to its centrumgemeente", "[responsibility]") {
  ResponsibilityParams params = regimeBParams();
  params.regions = {Region{"0114", {"0114", "0109", "0106"}, true}};
  ResponsibilityInput in = input("2025-05-01", "0109");
  in.brp = {woonadres("0109", "2010-01-01", nullptr)};

  const auto mandated = decide(in, params);
  CHECK(mandated.regime == 'A');
  CHECK(mandated.rule == "A-centrumgemeente-mandate");
  CHECK(mandated.gemeente == std::optional<std::string>("0114"));
  CHECK(mentions(mandated.trail, "R1.1"));

  params.regions[0].mandate = false;
  const auto unmandated = decide(in, params);
  CHECK(unmandated.rule == "A-aanmeldgemeente");
  CHECK(unmandated.gemeente == std::optional<std::string>("0109"));

  // The centrumgemeente itself is simply the aanmeldgemeente (case 1).
  params.regions[0].mandate = true;
  in.aanmeldgemeente = "0114";
  const auto centrum = decide(in, params);
  CHECK(centrum.rule == "A-aanmeldgemeente");
  CHECK(centrum.gemeente == std::optional<std::string>("0114"));

  // A municipality outside every region.
  in.aanmeldgemeente = "0344";
  const auto outside = decide(in, params);
  CHECK(outside.rule == "A-aanmeldgemeente");
  CHECK(outside.gemeente == std::optional<std::string>("0344"));
}

// --- regime B, step 1: running BW -------------------------------------------------------------------

TEST_CASE("B-transition: BW that began before regime B keeps its provider", "[responsibility]") {
  ResponsibilityInput in = input("2027-06-01", "0109");
  in.brp = {woonadres("0109", "2010-01-01", nullptr)};
  in.episodes = {episode("0114", "2024-05-01", "2027-12-31")};
  ResponsibilityParams params = regimeBParams();

  const auto d = decide(in, params);
  CHECK(d.regime == 'B');
  CHECK(d.rule == "B-transition");
  CHECK(d.gemeente == std::optional<std::string>("0114"));
  CHECK(mentions(d.trail, "R10"));

  SECTION("the episode's last day still counts as running") {
    in.report_date = day("2027-12-31");
    const auto last_day = decide(in, params);
    CHECK(last_day.rule == "B-transition");
    CHECK(last_day.gemeente == std::optional<std::string>("0114"));
  }
  SECTION("transition_existing_clients = false: B-ongoing instead") {
    params.transition_existing_clients = false;
    const auto ongoing = decide(in, params);
    CHECK(ongoing.rule == "B-ongoing");
    CHECK(ongoing.gemeente == std::optional<std::string>("0114"));
  }
}

TEST_CASE("B-ongoing: BW that began under regime B keeps its provider", "[responsibility]") {
  // Case 19: BW from Deventer since 2027-05; the client now lives in Apeldoorn.
  ResponsibilityInput in = input("2027-11-15", "0200");
  in.brp = {woonadres("0150", "2015-01-01", "2027-10-01"), woonadres("0200", "2027-10-01", nullptr)};
  in.episodes = {episode("0150", "2027-05-01", nullptr)};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-ongoing");
  CHECK(d.gemeente == std::optional<std::string>("0150"));
  CHECK(mentions(d.trail, "step 1"));
}

TEST_CASE("herindicatie: a gapless next episode of the same provider continues the transition", "[responsibility]") {
  ResponsibilityInput in = input("2028-03-01", "0109");
  in.brp = {woonadres("0109", "2010-01-01", nullptr)};
  in.episodes = {episode("0114", "2024-05-01", "2027-12-31"), episode("0114", "2028-01-01", nullptr)};
  ResponsibilityParams params = regimeBParams();

  const auto d = decide(in, params);
  CHECK(d.rule == "B-transition");
  CHECK(d.gemeente == std::optional<std::string>("0114"));
  CHECK(mentions(d.trail, "R10.1"));

  SECTION("transition_includes_herindicatie = false: the new episode is B-ongoing") {
    params.transition_includes_herindicatie = false;
    const auto ongoing = decide(in, params);
    CHECK(ongoing.rule == "B-ongoing");
    CHECK(ongoing.gemeente == std::optional<std::string>("0114"));
  }
  SECTION("a gap of one day breaks the chain") {
    in.episodes[1].begin = day("2028-01-02");
    const auto gap = decide(in, params);
    CHECK(gap.rule == "B-ongoing");
  }
  SECTION("another provider does not continue the chain") {
    in.episodes[1].gemeente = "0109";
    const auto other = decide(in, params);
    CHECK(other.rule == "B-ongoing");
    CHECK(other.gemeente == std::optional<std::string>("0109"));
  }
}

// --- regime B, step 2: R5 ---------------------------------------------------------------------------

TEST_CASE("B-return-12m: less than twelve months after the last BW ended", "[responsibility]") {
  // Case 7: BW by Deventer ended 2027-01-15 (its last day); woonadres now Zwolle.
  ResponsibilityInput in = input("2028-01-14", "0193");
  in.brp = {woonadres("0150", "2015-01-01", "2027-02-01"), woonadres("0193", "2027-02-01", nullptr)};
  in.episodes = {episode("0150", "2025-01-01", "2027-01-15")};
  REQUIRE(in.episodes[0].end->plusMonths(12) == day("2028-01-15"));

  const auto one_day_before = decide(in, regimeBParams());
  CHECK(one_day_before.rule == "B-return-12m");
  CHECK(one_day_before.gemeente == std::optional<std::string>("0150"));
  CHECK(mentions(one_day_before.trail, "R5"));

  in.report_date = day("2028-01-15");  // exactly end + 12 months: "minder dan" is not met
  const auto exactly = decide(in, regimeBParams());
  CHECK(exactly.rule == "B-woonadres");
  CHECK(exactly.gemeente == std::optional<std::string>("0193"));
  CHECK(mentions(exactly.trail, "R5"));

  in.report_date = day("2027-01-16");  // the day after the last day of BW
  const auto next_day = decide(in, regimeBParams());
  CHECK(next_day.rule == "B-return-12m");
  CHECK(next_day.gemeente == std::optional<std::string>("0150"));
}

TEST_CASE("B-return-12m: the last episode decides, also when it was provided under regime A", "[responsibility]") {
  ResponsibilityInput in = input("2027-06-01", "0193");
  in.brp = {woonadres("0193", "2020-01-01", nullptr)};
  in.episodes = {episode("0150", "2024-01-01", "2026-06-30"), episode("0200", "2026-07-01", "2026-12-01")};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-return-12m");
  CHECK(d.gemeente == std::optional<std::string>("0200"));

  ResponsibilityParams six_months = regimeBParams();
  six_months.months_return = 6;
  const auto shorter = decide(in, six_months);
  CHECK(shorter.rule == "B-woonadres");
  CHECK(shorter.gemeente == std::optional<std::string>("0193"));
}

// --- regime B, step 3: the BRP ----------------------------------------------------------------------

TEST_CASE("B-woonadres: the municipality of the woonadres on D", "[responsibility]") {
  ResponsibilityInput in = kampenResident("2027-03-01");
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-woonadres");
  CHECK(d.gemeente == std::optional<std::string>("0166"));
  CHECK(d.flags.empty());
  CHECK(mentions(d.trail, "R3"));

  SECTION("a registered institution of a type that is not designated is an ordinary woonadres") {
    in.brp = {woonadres("0203", "2010-01-01", "2025-01-01"), woonadres("0228", "2025-01-01", nullptr, "EDE-BW")};
    in.institutions = {institution("EDE-BW", "bw-accommodation")};
    const auto ordinary = decide(in, regimeBParams());
    CHECK(ordinary.rule == "B-woonadres");
    CHECK(ordinary.gemeente == std::optional<std::string>("0228"));
    CHECK(mentions(ordinary.trail, "not a designated institution type"));
  }
}

namespace {

// Case 21: Tilburg until the stay at a PI in Vught began on 2022-04-01; reports at Utrecht.
ResponsibilityInput prisonStay(const char* report_date) {
  ResponsibilityInput in = input(report_date, "0344");
  in.brp = {woonadres("0855", "2012-01-01", "2022-04-01", "TIL-1"),
            woonadres("0865", "2022-04-01", nullptr, "VUG-PI")};
  in.institutions = {institution("VUG-PI", "prison")};
  return in;
}

}  // namespace

TEST_CASE("B-institution: the woonadres before a designated stay", "[responsibility]") {
  // Case 8: a GGZ clinic in Zeist since 2025-02-01, Amersfoort before.
  ResponsibilityInput in = input("2027-04-01", "0344");
  in.brp = {woonadres("0307", "2010-01-01", "2025-02-01", "A1"), woonadres("0355", "2025-02-01", nullptr, "A2")};
  in.institutions = {institution("A2", "ggz-clinic", "2000-01-01")};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-institution");
  CHECK(d.gemeente == std::optional<std::string>("0307"));
  CHECK(d.flags.empty());
  CHECK(mentions(d.trail, "R6"));

  SECTION("the type must be designated") {
    ResponsibilityParams params = regimeBParams();
    params.designated_institution_types = {"prison"};
    const auto not_designated = decide(in, params);
    CHECK(not_designated.rule == "B-woonadres");
    CHECK(not_designated.gemeente == std::optional<std::string>("0355"));
  }
  SECTION("the register must cover D") {
    in.institutions[0].to = day("2026-12-31");
    const auto expired = decide(in, regimeBParams());
    CHECK(expired.rule == "B-woonadres");
    CHECK(expired.gemeente == std::optional<std::string>("0355"));
  }
}

TEST_CASE("B-institution: exactly 5 years after the stay began still counts, a day later the vangnet",
          "[responsibility]") {
  REQUIRE(day("2022-04-01").plusYears(5) == day("2027-04-01"));
  const auto exactly = decide(prisonStay("2027-04-01"), regimeBParams());
  CHECK(exactly.rule == "B-institution");
  CHECK(exactly.gemeente == std::optional<std::string>("0855"));
  CHECK(exactly.flags.empty());

  const auto later = decide(prisonStay("2027-04-02"), regimeBParams());
  CHECK(later.rule == "B-vangnet");
  CHECK(later.gemeente == std::optional<std::string>("0344"));
  CHECK(later.flags == Flags{"REVIEW"});
  CHECK(mentions(later.trail, "R7.2"));
  CHECK(mentions(later.trail, "R9"));

  ResponsibilityParams current_address = regimeBParams();
  current_address.after_5_years = ResponsibilityParams::After5Years::kCurrentAddress;
  const auto reading_i = decide(prisonStay("2027-04-02"), current_address);
  CHECK(reading_i.rule == "B-woonadres");
  CHECK(reading_i.gemeente == std::optional<std::string>("0865"));
  CHECK(reading_i.flags.empty());
  // Within the 5 years the parameter changes nothing.
  CHECK(decide(prisonStay("2027-04-01"), current_address).rule == "B-institution");

  ResponsibilityParams three_years = regimeBParams();
  three_years.regime_b_effective = Date::fromYmd(2024, 1, 1);
  three_years.years_institution = 3;
  CHECK(decide(prisonStay("2025-04-01"), three_years).rule == "B-institution");
  CHECK(decide(prisonStay("2025-04-02"), three_years).rule == "B-vangnet");
}

TEST_CASE("B-institution: a chain of designated stays counts as one", "[responsibility]") {
  // Case 10: Wlz in Ede, then a GGZ clinic in Arnhem; Barneveld before.
  ResponsibilityInput in = input("2027-06-01", "0202");
  in.brp = {woonadres("0203", "2010-01-01", "2023-03-01", "BAR-1"),
            woonadres("0228", "2023-03-01", "2025-06-01", "EDE-WLZ"),
            woonadres("0202", "2025-06-01", nullptr, "ARN-GGZ")};
  in.institutions = {institution("EDE-WLZ", "wlz"), institution("ARN-GGZ", "ggz-clinic")};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-institution");
  CHECK(d.gemeente == std::optional<std::string>("0203"));
  CHECK(mentions(d.trail, "chain"));

  SECTION("the 5 years run from the start of the chain, not of the last stay") {
    in.brp[0].end = day("2022-05-01");
    in.brp[1].begin = day("2022-05-01");
    const auto over = decide(in, regimeBParams());
    CHECK(over.rule == "B-vangnet");
    CHECK(over.gemeente == std::optional<std::string>("0202"));
    CHECK(over.flags == Flags{"REVIEW"});
  }
}

TEST_CASE("B-institution: a briefadres at a designated institution counts as the stay (R6.3)", "[responsibility]") {
  ResponsibilityInput in = input("2027-06-01", "0344");
  in.brp = {woonadres("0855", "2012-01-01", "2024-01-01", "TIL-1"),
            briefadres("0865", "2024-01-01", nullptr, "VUG-PI")};
  in.institutions = {institution("VUG-PI", "prison")};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-institution");
  CHECK(d.gemeente == std::optional<std::string>("0855"));
  CHECK(mentions(d.trail, "R6.3"));
}

TEST_CASE("B-no-woonadres: where the client last lived, within 5 years", "[responsibility]") {
  // Case 11: briefadres Den Haag since 2026-01; Delft until then.
  ResponsibilityInput in = input("2027-02-01", "0518");
  in.brp = {woonadres("0503", "2015-01-01", "2026-01-01", "DEL-1"), briefadres("0518", "2026-01-01", nullptr)};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-no-woonadres");
  CHECK(d.gemeente == std::optional<std::string>("0503"));
  CHECK(d.flags.empty());
  CHECK(mentions(d.trail, "R8.1"));

  SECTION("no BRP period covers D") {
    in.brp = {woonadres("0503", "2015-01-01", "2026-01-01", "DEL-1")};
    const auto none = decide(in, regimeBParams());
    CHECK(none.rule == "B-no-woonadres");
    CHECK(none.gemeente == std::optional<std::string>("0503"));
  }
}

TEST_CASE("B-no-woonadres: the 5-year limit counts from the end of the last woonadres", "[responsibility]") {
  // The BRP end is exclusive: the woonadres in Rotterdam ended (was left) on 2022-03-01.
  ResponsibilityInput in = input("2027-03-01", "0363");
  in.brp = {woonadres("0599", "2010-01-01", "2022-03-01", "ROT-1"), briefadres("0363", "2022-03-01", nullptr)};
  const auto exactly = decide(in, regimeBParams());
  CHECK(exactly.rule == "B-no-woonadres");
  CHECK(exactly.gemeente == std::optional<std::string>("0599"));

  in.report_date = day("2027-03-02");
  const auto later = decide(in, regimeBParams());
  CHECK(later.rule == "B-vangnet");
  CHECK(later.gemeente == std::optional<std::string>("0363"));
  CHECK(later.flags == Flags{"REVIEW"});
}

TEST_CASE("RNI (1999) as the current registration is no woonadres", "[responsibility]") {
  SECTION("last woonadres within 5 years") {
    ResponsibilityInput in = input("2027-03-01", "0014");
    in.brp = {woonadres("0599", "2010-01-01", "2024-01-01"), woonadres("1999", "2024-01-01", nullptr)};
    auto decision = decideResponsibility(in, regimeBParams(), gemeenten());
    INFO("status: " << decision.status().message());
    REQUIRE(decision);
    CHECK(decision->rule == "B-no-woonadres");
    CHECK(decision->gemeente == std::optional<std::string>("0599"));
    CHECK(mentions(decision->trail, "RNI"));
  }
  SECTION("case 13: RNI since 2015, the vangnet") {
    ResponsibilityInput in = input("2027-03-01", "0014");
    in.brp = {woonadres("0599", "2005-01-01", "2015-01-01"), woonadres("1999", "2015-01-01", nullptr)};
    auto decision = decideResponsibility(in, regimeBParams(), gemeenten());
    INFO("status: " << decision.status().message());
    REQUIRE(decision);
    CHECK(decision->rule == "B-vangnet");
    CHECK(decision->gemeente == std::optional<std::string>("0014"));
    CHECK(decision->flags == Flags{"REVIEW"});
  }
}

TEST_CASE("B-vangnet: an empty BRP history under regime B", "[responsibility]") {
  ResponsibilityInput in = input("2027-03-01", "0014");
  const auto d = decide(in, regimeBParams());
  CHECK(d.regime == 'B');
  CHECK(d.rule == "B-vangnet");
  CHECK(d.gemeente == std::optional<std::string>("0014"));
  CHECK(d.flags == Flags{"REVIEW"});
  CHECK(mentions(d.trail, "R9"));

  SECTION("vangnet = centrumgemeente") {
    ResponsibilityParams params = regimeBParams();
    params.vangnet = ResponsibilityParams::Vangnet::kCentrumgemeente;
    params.regions = {Region{"0014", {"0014", "1966", "1969"}, true}};
    in.aanmeldgemeente = "1969";
    const auto centrum = decide(in, params);
    CHECK(centrum.rule == "B-vangnet");
    CHECK(centrum.gemeente == std::optional<std::string>("0014"));
    CHECK(centrum.flags == Flags{"REVIEW"});
  }
}

// --- P1: municipality codes over time ---------------------------------------------------------------

TEST_CASE("P1: a herindeling inside the BRP history is followed transitively", "[responsibility]") {
  // Millingen aan de Rijn (0265) -> Groesbeek (0241, 2015) -> Berg en Dal (1945, 2016).
  ResponsibilityInput in = input("2027-04-01", "0268");
  in.brp = {woonadres("0265", "2005-01-01", "2024-08-01", "MIL-1"),
            woonadres("0268", "2024-08-01", nullptr, "NIJ-GGZ")};
  in.institutions = {institution("NIJ-GGZ", "ggz-clinic")};
  const auto d = decide(in, regimeBParams());
  CHECK(d.rule == "B-institution");
  CHECK(d.gemeente == std::optional<std::string>("1945"));
  CHECK(mentions(d.trail, "P1"));
  CHECK(mentions(d.trail, "0241"));

  SECTION("case 16: Weesp 0457 -> Amsterdam 0363") {
    in.brp[0].gemeente = "0457";
    const auto weesp = decide(in, regimeBParams());
    CHECK(weesp.rule == "B-institution");
    CHECK(weesp.gemeente == std::optional<std::string>("0363"));
  }
  SECTION("an old aanmeldgemeente code is normalised too") {
    in.brp = {};
    in.aanmeldgemeente = "1927";  // Molenwaard -> Molenlanden (1978)
    const auto vangnet = decide(in, regimeBParams());
    CHECK(vangnet.rule == "B-vangnet");
    CHECK(vangnet.gemeente == std::optional<std::string>("1978"));
  }
}

TEST_CASE("P1: a split municipality before the stay gives no gemeente and MANUAL_SPLIT", "[responsibility]") {
  // Case 17: Haaren (0788), split on 2021-01-01; a GGZ clinic in Tilburg since 2019-06-01.
  ResponsibilityParams params;
  params.regime_b_effective = Date::fromYmd(2023, 1, 1);
  ResponsibilityInput in = input("2023-06-01", "0855");
  in.brp = {woonadres("0788", "2010-01-01", "2019-06-01", "HAA-1"),
            woonadres("0855", "2019-06-01", nullptr, "TIL-GGZ")};
  in.institutions = {institution("TIL-GGZ", "ggz-clinic")};
  const auto d = decide(in, params);
  CHECK(d.rule == "B-institution");
  CHECK_FALSE(d.gemeente.has_value());
  CHECK(d.flags == Flags{"MANUAL_SPLIT"});
  CHECK(mentions(d.trail, "MANUAL_SPLIT"));

  params.split_addresses = {{"HAA-1", "0855"}};
  const auto mapped = decide(in, params);
  CHECK(mapped.rule == "B-institution");
  CHECK(mapped.gemeente == std::optional<std::string>("0855"));
  CHECK(mapped.flags.empty());
}

// --- R4: the client's statement ---------------------------------------------------------------------

TEST_CASE("R4: a client statement that departs from the BRP can change the outcome: DISPUTE_POSSIBLE",
          "[responsibility]") {
  // Case 23: BRP woonadres Zwolle; the client states a GGZ clinic in Zwolle for 2 years, Kampen before.
  ResponsibilityInput in = input("2027-04-01", "0193");
  in.brp = {woonadres("0193", "2020-01-01", nullptr, "ZWO-1")};
  in.institutions = {institution("ZWO-GGZ", "ggz-clinic")};

  const auto brp_only = decide(in, regimeBParams());
  CHECK(brp_only.rule == "B-woonadres");
  CHECK(brp_only.gemeente == std::optional<std::string>("0193"));
  CHECK(brp_only.flags.empty());

  in.claimed_periods = std::vector<BrpPeriod>{woonadres("0166", "2020-01-01", "2025-03-01", "KAM-1"),
                                              woonadres("0193", "2025-03-01", nullptr, "ZWO-GGZ")};
  const auto claimed = decide(in, regimeBParams());
  CHECK(claimed.rule == "B-institution");
  CHECK(claimed.gemeente == std::optional<std::string>("0166"));
  CHECK(claimed.flags == Flags{"DISPUTE_POSSIBLE"});
  CHECK(mentions(claimed.trail, "R4"));

  SECTION("a statement that says what the BRP says is no dispute") {
    in.claimed_periods = in.brp;
    const auto same = decide(in, regimeBParams());
    CHECK(same.rule == "B-woonadres");
    CHECK(same.gemeente == std::optional<std::string>("0193"));
    CHECK(same.flags.empty());
  }

  SECTION("under regime A the statement plays no part: no DISPUTE_POSSIBLE") {
    ResponsibilityParams regime_a;  // regime B not in force
    const auto a = decide(in, regime_a);
    CHECK(a.rule == "A-aanmeldgemeente");
    CHECK(a.gemeente == std::optional<std::string>("0193"));
    CHECK(a.flags.empty());
  }
}

// --- input errors -----------------------------------------------------------------------------------

TEST_CASE("a municipality code that never existed is an error naming the field", "[responsibility]") {
  const auto refused = [](const ResponsibilityInput& in) {
    auto decision = decideResponsibility(in, regimeBParams(), gemeenten());
    REQUIRE_FALSE(decision);
    CHECK(decision.status().code() == iwmo::StatusCode::kInvalid);
    return decision.status().message();
  };
  SECTION("aanmeldgemeente") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.aanmeldgemeente = "9999";
    const auto message = refused(in);
    CHECK_THAT(message, Catch::Contains("aanmeldgemeente") && Catch::Contains("9999"));
  }
  SECTION("a BRP period") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.brp.push_back(woonadres("0000", "2000-01-01", "2018-01-01"));
    const auto message = refused(in);
    CHECK_THAT(message, Catch::Contains("brp[1].gemeente") && Catch::Contains("0000"));
  }
  SECTION("a BW episode") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.episodes = {episode("9998", "2025-01-01", "2025-06-30")};
    const auto message = refused(in);
    CHECK_THAT(message, Catch::Contains("bw_episodes[0].gemeente") && Catch::Contains("9998"));
  }
  SECTION("a claimed period") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.claimed_periods = std::vector<BrpPeriod>{woonadres("9997", "2020-01-01", nullptr)};
    const auto message = refused(in);
    CHECK_THAT(message, Catch::Contains("claimed_periods[0].gemeente") && Catch::Contains("9997"));
  }
  SECTION("also under regime A") {
    ResponsibilityInput in = kampenResident("2025-03-01");
    in.aanmeldgemeente = "9999";
    CHECK_THAT(refused(in), Catch::Contains("aanmeldgemeente"));
  }
}

TEST_CASE("a period that ends before it begins is an error naming the field", "[responsibility]") {
  SECTION("BRP") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.brp.push_back(woonadres("0193", "2017-01-01", "2016-12-31"));
    auto decision = decideResponsibility(in, regimeBParams(), gemeenten());
    REQUIRE_FALSE(decision);
    CHECK(decision.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(decision.status().message(), Catch::Contains("brp[1]") && Catch::Contains("2016-12-31"));
  }
  SECTION("BW episode") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.episodes = {episode("0193", "2026-01-01", "2025-12-31")};
    auto decision = decideResponsibility(in, regimeBParams(), gemeenten());
    REQUIRE_FALSE(decision);
    CHECK_THAT(decision.status().message(), Catch::Contains("bw_episodes[0]") && Catch::Contains("before"));
  }
  SECTION("a one-day BW episode (end == begin) is fine") {
    ResponsibilityInput in = kampenResident("2027-03-01");
    in.episodes = {episode("0150", "2027-02-01", "2027-02-01")};
    const auto d = decide(in, regimeBParams());
    CHECK(d.rule == "B-return-12m");
    CHECK(d.gemeente == std::optional<std::string>("0150"));
  }
}

TEST_CASE("every decision's trail names the reference date and the regime", "[responsibility]") {
  const auto d = decide(kampenResident("2027-03-01"), regimeBParams());
  INFO(joined(d.trail));
  CHECK(mentions(d.trail, "2027-03-01"));
  CHECK(mentions(d.trail, "regime B"));
  CHECK(mentions(d.trail, "0166"));
}

TEST_CASE("an episode learnt from a message still under review makes the decision REVIEW", "[responsibility]") {
  ResponsibilityInput in = input("2027-06-01", "0193");
  in.brp = {woonadres("0193", "2020-01-01", nullptr, "ZWO-1")};
  iwmo::rules::BwEpisode episode{"0150", Date::fromYmd(2027, 3, 1), std::nullopt, true};
  in.episodes = {episode};
  const auto doubtful = decide(in, regimeBParams());
  CHECK(doubtful.rule == "B-ongoing");
  CHECK(doubtful.gemeente == std::optional<std::string>("0150"));
  CHECK(doubtful.flags == Flags{"REVIEW"});
  in.episodes[0].under_review = false;
  CHECK(decide(in, regimeBParams()).flags.empty());
}
