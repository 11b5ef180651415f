// The eigen-bijdrage forwarding rules (issue 4) as pure functions: exemptions, the 18th
// birthday, the kostprijs cap, per-person periods (overlap, gap), the CAK's date windows, the
// sequencing rules (no delete after a stop, a new period after a delete, no resend of a
// rejected record), go-live, and the WMO407 Afzender.
#include <algorithm>
#include <catch2/catch.hpp>

#include "gateway/rules/eigen_bijdrage.h"

using iwmo::Date;
using namespace iwmo::rules;

namespace {

Date d(const char* text) { return *Date::parse(text); }

EbParams params() {
  EbParams p;
  p.own_gemeente = {"0599"};
  EbPolicy rolstoel;
  rolstoel.categorie = "11";
  rolstoel.exempt = true;
  p.policies.push_back(rolstoel);
  return p;
}

EbEvent event(const char* type, std::uint64_t id, const char* dagtekening, std::vector<EbLine> lines) {
  EbEvent e;
  e.message_type = type;
  e.message_id = id;
  e.dagtekening = d(dagtekening);
  e.gemeente = "0599";
  e.lines = std::move(lines);
  return e;
}

EbLine start(std::uint64_t nummer, const char* categorie, const char* begin) {
  EbLine l;
  l.toewijzing_nummer = nummer;
  l.categorie = categorie;
  l.begindatum = d(begin);
  l.ingangsdatum = d(begin);
  l.status_aanlevering = "1";
  return l;
}

EbLine stop(std::uint64_t nummer, const char* categorie, const char* begin, const char* end) {
  EbLine l = start(nummer, categorie, begin);
  l.einddatum = d(end);
  return l;
}

// A WMO301 ToegewezenProduct line.
EbLine toewijzingLine(std::uint64_t nummer, const char* categorie, const char* ingang, const char* eind = nullptr) {
  EbLine l;
  l.toewijzing_nummer = nummer;
  l.categorie = categorie;
  l.ingangsdatum = d(ingang);
  if (eind != nullptr) l.einddatum = d(eind);
  return l;
}

// params() with a policy that starts the eigen bijdrage at the toewijzing for `categorie`.
EbParams atToewijzing(const char* categorie) {
  EbParams p = params();
  EbPolicy policy;
  policy.categorie = categorie;
  policy.start_at = EbStartAt::kToewijzing;
  p.policies.push_back(policy);
  return p;
}

bool hasRule(const EbDecision& decision, const std::string& rule) {
  return std::find(decision.rule_ids.begin(), decision.rule_ids.end(), rule) != decision.rule_ids.end();
}

}  // namespace

TEST_CASE("eigen bijdrage: a rolstoel is exempt, a woonvoorziening for a minor is not", "[rules][ieb]") {
  EbClient client;
  client.bsn = "999948714";
  auto decided = decideEigenBijdrage(client, event("WMO305", 1, "2026-03-05", {start(1, "11", "2026-03-01")}), params());
  CHECK(decided.records.empty());
  CHECK(hasRule(decided, "EB-EXEMPT-CATEGORIE"));

  EbEvent minor = event("WMO305", 2, "2026-03-05", {start(2, "02", "2026-03-01"), start(3, "13", "2026-03-03")});
  minor.geboortedatum = d("2012-01-01");
  decided = decideEigenBijdrage(client, minor, params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.startdatum == d("2026-03-03"));  // only the woonvoorziening
  CHECK(hasRule(decided, "EB-EXEMPT-UNDER-18"));
}

TEST_CASE("eigen bijdrage: a client who turns 18 during a provision is liable from the birthday", "[rules][ieb]") {
  EbClient client;
  EbEvent e = event("WMO305", 1, "2026-03-05", {start(1, "02", "2026-02-01")});
  e.geboortedatum = d("2008-02-20");
  const auto decided = decideEigenBijdrage(client, e, params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.startdatum == d("2026-02-20"));
}

TEST_CASE("eigen bijdrage: a minor in beschermd wonen owes nothing until the 18th birthday (no WMO407)",
          "[rules][ieb]") {
  EbClient client;
  EbEvent bw = event("WMO305", 1, "2026-03-05", {start(1, "15", "2026-03-01")});
  bw.bw_responsible = "0599";
  bw.geboortedatum = d("2008-11-20");  // 17 on the start, 18 on 2026-11-20
  auto decided = decideEigenBijdrage(client, bw, params());
  CHECK(decided.records.empty());  // the period would start 2026-11-20: more than a month ahead
  CHECK(hasRule(decided, "EB-EXEMPT-UNDER-18"));
  SECTION("a stay that ends before the birthday sends nothing at all") {
    EbEvent stopped = event("WMO307", 2, "2026-07-02", {stop(1, "15", "2026-03-01", "2026-06-30")});
    stopped.bw_responsible = "0599";
    stopped.geboortedatum = bw.geboortedatum;
    const auto after = decideEigenBijdrage(decided.state, stopped, params());
    CHECK(after.records.empty());
    CHECK(after.attention.empty());  // nothing is held for a period that is not owed
    CHECK(hasRule(after, "EB-EXEMPT-UNDER-18"));
  }
  SECTION("from the birthday on, the BW period starts on it") {
    EbEvent later = event("WMO305", 3, "2026-11-02", {start(1, "15", "2026-03-01")});
    later.bw_responsible = "0599";
    later.geboortedatum = bw.geboortedatum;
    const auto after = decideEigenBijdrage(decided.state, later, params());
    REQUIRE(after.records.size() == 1);
    CHECK(after.records[0].kind == "BW");
    CHECK(after.records[0].values.startdatum == d("2026-11-20"));
  }
}

TEST_CASE("eigen bijdrage: the kostprijs cap applies only when every provision is capped", "[rules][ieb]") {
  EbParams p = params();
  EbPolicy woon;
  woon.categorie = "13";
  woon.kostprijs = 57000;
  p.policies.push_back(woon);
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO305", 1, "2026-03-05", {start(1, "13", "2026-03-01")}), p);
  REQUIRE(decided.records.size() == 1);
  REQUIRE(decided.records[0].values.kostprijs_bedrag);
  CHECK(*decided.records[0].values.kostprijs_bedrag == 57000);
  CHECK(*decided.records[0].values.kostprijs_startdatum == d("2026-03-01"));
  // Huishoudelijke hulp on top: no cap any more, a change without Kostprijs.
  decided = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-10", {start(2, "01", "2026-03-08")}), p);
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 2);
  CHECK_FALSE(decided.records[0].values.kostprijs_bedrag);
}

TEST_CASE("eigen bijdrage: a capped provision's kostprijs is its WMO301 Budget, else the product's tariff",
          "[rules][ieb]") {
  EbParams p = params();
  EbPolicy woon;
  woon.categorie = "13";
  woon.capped = true;
  woon.kostprijs = 57000;  // the tariff, where the toewijzing carries no Budget
  woon.start_at = EbStartAt::kToewijzing;
  p.policies.push_back(woon);
  EbPolicy hulp;
  hulp.categorie = "12";
  hulp.capped = true;  // no tariff: only a Budget caps it
  hulp.start_at = EbStartAt::kToewijzing;
  p.policies.push_back(hulp);
  EbLine traplift = toewijzingLine(1, "13", "2026-03-01", "2026-03-31");
  traplift.budget = 412500;
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO301", 1, "2026-03-05", {traplift}), p);
  REQUIRE(decided.records.size() == 1);
  REQUIRE(decided.records[0].values.kostprijs_bedrag);
  CHECK(*decided.records[0].values.kostprijs_bedrag == 412500);
  CHECK(hasRule(decided, "EB-KOSTPRIJS-BUDGET"));

  SECTION("without a Budget the tariff is the kostprijs") {
    EbLine plain = traplift;
    plain.budget.reset();
    const auto tariff = decideEigenBijdrage(EbClient{}, event("WMO301", 2, "2026-03-05", {plain}), p);
    REQUIRE(tariff.records.size() == 1);
    CHECK(*tariff.records[0].values.kostprijs_bedrag == 57000);
    CHECK(hasRule(tariff, "EB-KOSTPRIJS-TARIEF"));
  }
  SECTION("two capped provisions in one period: the sum of their own amounts") {
    EbLine scootmobiel = toewijzingLine(2, "12", "2026-03-10", "2026-03-31");
    scootmobiel.budget = 150000;
    const auto both = decideEigenBijdrage(decided.state, event("WMO301", 3, "2026-03-12", {scootmobiel}), p);
    REQUIRE(both.records.size() == 1);
    CHECK(both.records[0].values.status == 2);
    CHECK(*both.records[0].values.kostprijs_bedrag == 562500);
    CHECK(*both.records[0].values.kostprijs_startdatum == d("2026-03-01"));
  }
  SECTION("capped without Budget or tariff: no cap, and the trail says why") {
    const auto uncapped =
        decideEigenBijdrage(EbClient{}, event("WMO301", 4, "2026-03-05", {toewijzingLine(3, "12", "2026-03-01")}), p);
    REQUIRE(uncapped.records.size() == 1);
    CHECK_FALSE(uncapped.records[0].values.kostprijs_bedrag);
    CHECK(hasRule(uncapped, "EB-KOSTPRIJS-UNKNOWN"));
  }
}

TEST_CASE("eigen bijdrage: a restart within restart_gap_days of the stop continues the same period",
          "[rules][ieb]") {
  EbParams p = params();
  p.restart_gap_days = 14;
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO307", 1, "2026-04-02", {stop(1, "02", "2026-02-01", "2026-03-31")}), p);
  REQUIRE(decided.records.size() == 1);
  const auto number = decided.records[0].start_nummer;
  REQUIRE(decided.records[0].values.stopdatum);
  // Ten days later a new provision starts: within the gap, so the stop is withdrawn, not a new period.
  decided = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-04-12", {start(2, "01", "2026-04-10")}), p);
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].start_nummer == number);
  CHECK(decided.records[0].values.status == 2);
  CHECK(decided.records[0].values.startdatum == d("2026-02-01"));
  CHECK_FALSE(decided.records[0].values.stopdatum);
  SECTION("beyond the gap it is a new period") {
    p.restart_gap_days = 5;
    EbClient fresh;
    auto first = decideEigenBijdrage(fresh, event("WMO307", 1, "2026-04-02", {stop(1, "02", "2026-02-01", "2026-03-31")}), p);
    const auto second = decideEigenBijdrage(first.state, event("WMO305", 2, "2026-04-12", {start(2, "01", "2026-04-10")}), p);
    REQUIRE(second.records.size() == 1);
    CHECK(second.records[0].values.status == 1);
    CHECK(second.records[0].start_nummer != number);
  }
}

TEST_CASE("eigen bijdrage: a gap between provisions gives a second period with its own number", "[rules][ieb]") {
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO307", 1, "2026-04-02", {stop(1, "02", "2026-02-01", "2026-03-31")}), params());
  REQUIRE(decided.records.size() == 1);
  const auto first = decided.records[0].start_nummer;
  decided = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-06-03", {start(2, "01", "2026-06-01")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 1);
  CHECK(decided.records[0].start_nummer != first);
  CHECK(decided.records[0].start_nummer == 21);
  // Adjoining provisions (the next starts the day after) are one period.
  EbClient other;
  decided = decideEigenBijdrage(other, event("WMO307", 3, "2026-04-02", {stop(1, "02", "2026-02-01", "2026-03-31")}), params());
  decided = decideEigenBijdrage(decided.state, event("WMO305", 4, "2026-04-03", {start(2, "01", "2026-04-01")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 2);
  CHECK_FALSE(decided.records[0].values.stopdatum);
}

TEST_CASE("eigen bijdrage: dates outside the CAK's windows are reported, never dropped or sent", "[rules][ieb]") {
  EbClient client;
  SECTION("an initial start more than 12 months back: manual") {
    const auto decided = decideEigenBijdrage(client, event("WMO305", 1, "2026-03-05", {start(1, "02", "2025-02-01")}), params());
    CHECK(decided.records.empty());
    REQUIRE(decided.attention.size() == 1);
    CHECK(decided.attention[0].kind == "manual");
    CHECK(decided.attention[0].rule == "EB-WINDOW-INITIAL-12M");
    REQUIRE(decided.state.periods.size() == 1);  // recorded
    CHECK_FALSE(decided.state.periods[0].held.empty());
    CHECK(decided.attention[0].start_nummer == decided.state.periods[0].start_nummer);
    SECTION("the provider corrects the start into the window: the period goes out, its item resolved") {
      const auto later = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-06", {start(1, "02", "2025-06-01")}), params());
      REQUIRE(later.records.size() == 1);
      REQUIRE(later.resolved.size() == 1);
      CHECK(later.resolved[0].start_nummer == decided.attention[0].start_nummer);
      CHECK(later.resolved[0].how.find("sent with StatusAanlevering 1") == 0);
    }
    SECTION("a later message on a new day keeps the same item open (a tick decides again each day, issue 14)") {
      const auto later = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-09", {start(1, "02", "2025-02-01")}), params());
      CHECK(later.attention.empty());
      CHECK(later.resolved.empty());
      REQUIRE(later.state.periods.size() == 1);
      CHECK(later.state.periods[0].held == decided.state.periods[0].held);
    }
    SECTION("corrected to another start still out of the window: a new item replaces the earlier one") {
      const auto later = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-09", {start(1, "02", "2025-01-15")}), params());
      REQUIRE(later.attention.size() == 1);  // the text names the new start
      REQUIRE(later.resolved.size() == 1);
      CHECK(later.resolved[0].start_nummer == decided.attention[0].start_nummer);
      CHECK(later.resolved[0].how == "replaced by a newer item (EB-WINDOW-INITIAL-12M)");
    }
    SECTION("corrected to a start more than a month ahead: only a wait, so the item is resolved") {
      const auto later = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-06", {start(1, "02", "2026-06-01")}), params());
      CHECK(later.records.empty());
      CHECK(later.attention.empty());
      REQUIRE(later.resolved.size() == 1);
      CHECK(later.resolved[0].how.find("waiting, with nothing for an operator to do (EB-WINDOW-FUTURE") == 0);
    }
  }
  SECTION("a start more than 1 month ahead: held in the state, with no operator item") {
    const EbParams p = atToewijzing("02");
    const EbLine toewijzing = toewijzingLine(1, "02", "2026-06-01");
    const auto decided = decideEigenBijdrage(client, event("WMO301", 1, "2026-03-05", {toewijzing}), p);
    CHECK(decided.records.empty());
    CHECK(decided.attention.empty());  // waiting for a date gives an operator nothing to do
    REQUIRE(decided.waiting.size() == 1);
    CHECK(hasRule(decided, "EB-WINDOW-FUTURE"));
    REQUIRE(decided.state.periods.size() == 1);
    CHECK_FALSE(decided.state.periods[0].held.empty());
    // Once the start is near, the next message for the client sends it; there was no item to close.
    const auto later = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-05-20", {start(1, "02", "2026-06-01")}), p);
    REQUIRE(later.records.size() == 1);
    CHECK(later.records[0].values.startdatum == d("2026-06-01"));
    CHECK(later.resolved.empty());
    CHECK(later.state.periods[0].held.empty());
  }
  SECTION("a stop more than 1 month ahead: the start goes out without it, and no operator item") {
    const EbParams p = atToewijzing("02");
    const EbLine toewijzing = toewijzingLine(1, "02", "2026-03-01", "2026-12-31");
    const auto decided = decideEigenBijdrage(client, event("WMO301", 1, "2026-03-05", {toewijzing}), p);
    REQUIRE(decided.records.size() == 1);
    CHECK_FALSE(decided.records[0].values.stopdatum);
    CHECK(decided.attention.empty());
    CHECK(hasRule(decided, "EB-WINDOW-FUTURE"));
  }
  SECTION("a date before 2020: manual") {
    const auto decided = decideEigenBijdrage(client, event("WMO305", 1, "2020-03-05", {start(1, "02", "2019-12-01")}), params());
    CHECK(decided.records.empty());
    CHECK(hasRule(decided, "EB-WINDOW-2020"));
  }
}

TEST_CASE("eigen bijdrage: no delete after a stop, a new period after a delete", "[rules][ieb]") {
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO307", 1, "2026-04-02", {stop(1, "02", "2026-02-01", "2026-03-31")}), params());
  REQUIRE(decided.records.size() == 1);
  // The provider withdraws both the stop and the start: the stop was sent, so no delete (TR071).
  EbLine withdrawn = start(1, "02", "2026-02-01");
  withdrawn.status_aanlevering = "3";
  auto after = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-04-10", {withdrawn}), params());
  CHECK(after.records.empty());
  REQUIRE(after.attention.size() == 1);
  CHECK(after.attention[0].rule == "EB-DELETE-AFTER-STOP");

  // Without a stop the withdrawal deletes the period; a later start is a new period.
  EbClient other;
  decided = decideEigenBijdrage(other, event("WMO305", 3, "2026-03-05", {start(1, "02", "2026-03-01")}), params());
  after = decideEigenBijdrage(decided.state, event("WMO305", 4, "2026-03-06", {withdrawn}), params());
  REQUIRE(after.records.size() == 1);
  CHECK(after.records[0].values.status == 3);
  CHECK(after.records[0].values.startdatum == d("2026-03-01"));  // repeats the record (TR329)
  const auto again = decideEigenBijdrage(after.state, event("WMO305", 5, "2026-03-09", {start(1, "02", "2026-03-08")}), params());
  REQUIRE(again.records.size() == 1);
  CHECK(again.records[0].values.status == 1);
  CHECK(again.records[0].start_nummer != after.records[0].start_nummer);
}

TEST_CASE("eigen bijdrage: a rejected record is not sent again unchanged", "[rules][ieb]") {
  EbClient client;
  auto decided = decideEigenBijdrage(client, event("WMO305", 1, "2026-03-05", {start(1, "02", "2026-03-01")}), params());
  REQUIRE(decided.records.size() == 1);
  decided.state.periods[0].last_answer = EbAnswer::kRejected;
  auto resent = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-03-06", {start(1, "02", "2026-03-01")}), params());
  CHECK(resent.records.empty());
  CHECK(hasRule(resent, "EB-REJECTED-UNCHANGED"));
  // A corrected start is sent as a new first delivery (the CAK never registered the rejected one).
  resent = decideEigenBijdrage(decided.state, event("WMO305", 3, "2026-03-07", {start(1, "02", "2026-03-02")}), params());
  REQUIRE(resent.records.size() == 1);
  CHECK(resent.records[0].values.status == 1);
}

TEST_CASE("eigen bijdrage: go-live and the WMO407 Afzender", "[rules][ieb]") {
  EbClient client;
  EbParams p = params();
  p.bw_go_live = d("2023-01-01");
  EbEvent bw = event("WMO305", 1, "2022-11-01", {start(1, "15", "2022-10-15")});
  bw.bw_responsible = "0599";
  auto decided = decideEigenBijdrage(client, bw, p);
  CHECK(decided.records.empty());
  CHECK(decided.attention.empty());  // recorded, waiting for the go-live date: nothing to do
  CHECK(hasRule(decided, "EB-BEFORE-GO-LIVE"));
  REQUIRE(decided.waiting.size() == 1);
  // After go-live the recorded period goes out.
  EbEvent later = event("WMO305", 2, "2023-01-05", {start(1, "15", "2022-10-15")});
  later.bw_responsible = "0599";
  decided = decideEigenBijdrage(decided.state, later, p);
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].kind == "BW");
  CHECK(decided.records[0].afzender == "0599");

  SECTION("undecided responsibility: held") {
    EbClient fresh;
    const auto held = decideEigenBijdrage(fresh, event("WMO305", 3, "2026-03-05", {start(5, "15", "2026-03-01")}), p);
    CHECK(held.records.empty());
    CHECK(hasRule(held, "EB-BW-RESPONSIBLE-UNKNOWN"));
    REQUIRE(held.attention.size() == 1);  // the operator closes the review that names the municipality
    CHECK(held.attention[0].kind == "held");
    // The review is closed and the next message knows the municipality: sent, and the item resolved.
    EbEvent decided_later = event("WMO305", 5, "2026-03-09", {start(5, "15", "2026-03-01")});
    decided_later.bw_responsible = "0599";
    const auto sent = decideEigenBijdrage(held.state, decided_later, p);
    REQUIRE(sent.records.size() == 1);
    CHECK(sent.records[0].afzender == "0599");
    REQUIRE(sent.resolved.size() == 1);
    CHECK(sent.resolved[0].start_nummer == held.attention[0].start_nummer);
    CHECK(sent.resolved[0].how.find("replaced by period " + std::to_string(sent.records[0].start_nummer) +
                                    " (Afzender 0599), sent with StatusAanlevering 1") == 0);
  }
  SECTION("another municipality is responsible: not ours to send") {
    EbClient fresh;
    EbEvent other = event("WMO305", 4, "2026-03-05", {start(5, "15", "2026-03-01")});
    other.bw_responsible = "0363";
    const auto held = decideEigenBijdrage(fresh, other, p);
    CHECK(held.records.empty());
    CHECK(hasRule(held, "EB-BW-NOT-OURS"));
    CHECK(held.attention.empty());  // that municipality reports it: nothing for this one's operators
  }
}

namespace {

// A client the CAK already knew on adoption day (`import cak-periods`): one period, accepted.
EbClient importedClient(const char* kind, std::uint64_t start_nummer, const char* startdatum,
                        const char* stopdatum = nullptr) {
  EbRecordValues cak;
  cak.status = 1;
  cak.startdatum = d(startdatum);
  if (stopdatum != nullptr) cak.stopdatum = d(stopdatum);
  EbPeriod period;
  period.kind = kind;
  period.afzender = "0599";
  period.start_nummer = start_nummer;
  period.startdatum = cak.startdatum;
  period.stopdatum = cak.stopdatum;
  period.last_sent = cak;
  period.last_answer = EbAnswer::kAccepted;
  period.imported_as = cak;
  EbClient client;
  client.bsn = "999948714";
  client.periods.push_back(period);
  return client;
}

}  // namespace

TEST_CASE("eigen bijdrage: a provision that overlaps an imported period changes it, never starts another",
          "[rules][ieb][import]") {
  // The CAK has AT period 7001 from 2025-03-01 (provisions the gateway never saw); a new one starts.
  const EbClient client = importedClient("AT", 7001, "2025-03-01");
  auto decided = decideEigenBijdrage(client, event("WMO305", 5, "2026-12-03", {start(40, "02", "2026-12-01")}), params());
  CHECK(decided.records.empty());  // the CAK already has an open period: nothing overlapping goes
  CHECK(hasRule(decided, "EB-IMPORTED"));
  CHECK(hasRule(decided, "EB-NO-CHANGE"));
  REQUIRE(decided.state.periods.size() == 1);
  CHECK(decided.state.periods[0].start_nummer == 7001);
  CHECK(decided.state.periods[0].startdatum == d("2025-03-01"));  // the start stays the CAK's

  // The back office stops an old provision the gateway never saw start: the stop follows it.
  decided = decideEigenBijdrage(client, event("WMO307", 6, "2026-12-03", {stop(41, "02", "2024-06-01", "2026-11-30")}),
                                params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].start_nummer == 7001);
  CHECK(decided.records[0].values.status == 2);
  CHECK(decided.records[0].values.startdatum == d("2025-03-01"));
  CHECK(decided.records[0].values.stopdatum == d("2026-11-30"));
}

TEST_CASE("eigen bijdrage: an imported period without a known provision is kept, never deleted",
          "[rules][ieb][import]") {
  EbClient client = importedClient("AT", 7002, "2025-03-01");
  // Only an exempt provision is known: no liable one for the period.
  auto decided = decideEigenBijdrage(client, event("WMO305", 7, "2026-12-03", {start(50, "11", "2026-12-01")}), params());
  CHECK(decided.records.empty());
  CHECK(hasRule(decided, "EB-IMPORTED-KEPT"));
  REQUIRE(decided.state.periods.size() == 1);
  CHECK_FALSE(decided.state.periods[0].deleted);
  // A known provision that was deleted (RedenWijziging 13) after its stop went out: the period
  // returns to the record the CAK had.
  decided = decideEigenBijdrage(client, event("WMO307", 8, "2026-12-03", {stop(51, "02", "2025-06-01", "2026-11-30")}),
                                params());
  REQUIRE(decided.records.size() == 1);
  EbLine deleted = toewijzingLine(51, "02", "2025-06-01", "2026-11-30");
  deleted.reden_wijziging = "13";
  decided = decideEigenBijdrage(decided.state, event("WMO301", 9, "2026-12-04", {deleted}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 2);
  CHECK_FALSE(decided.records[0].values.stopdatum);
  CHECK(hasRule(decided, "EB-IMPORTED-KEPT"));
  CHECK_FALSE(hasRule(decided, "EB-AT-DELETE"));
}

TEST_CASE("eigen bijdrage: an imported period's stop only moves later, a provision after it is a new period",
          "[rules][ieb][import]") {
  // The CAK's period ended 2026-06-30; a known provision inside it ends earlier: no change.
  const EbClient client = importedClient("AT", 91, "2025-03-01", "2026-06-30");
  auto decided = decideEigenBijdrage(client, event("WMO307", 9, "2026-07-02", {stop(60, "02", "2026-01-01", "2026-03-31")}),
                                     params());
  CHECK(decided.records.empty());
  // One that runs past it extends it.
  decided = decideEigenBijdrage(client, event("WMO307", 9, "2026-08-02", {stop(61, "02", "2026-05-01", "2026-07-31")}),
                                params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].start_nummer == 91);
  CHECK(decided.records[0].values.stopdatum == d("2026-07-31"));
  // One that starts months after it is a new period; its number skips the imported 91
  // (message 9's first would be 91).
  decided = decideEigenBijdrage(client, event("WMO305", 9, "2026-12-03", {start(62, "02", "2026-12-01")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 1);
  CHECK(decided.records[0].start_nummer == 92);
  CHECK(decided.records[0].values.startdatum == d("2026-12-01"));
}

TEST_CASE("eigen bijdrage: an imported BW period takes the BW provision that overlaps it", "[rules][ieb][import]") {
  const EbClient client = importedClient("BW", 8001, "2025-09-01");
  EbEvent e = event("WMO305", 12, "2026-12-03", {start(70, "15", "2026-12-01")});
  e.bw_responsible = "0599";
  auto decided = decideEigenBijdrage(client, e, params());
  CHECK(decided.records.empty());  // not a second, overlapping BW period (the CAK refuses those: 9400)
  CHECK(hasRule(decided, "EB-IMPORTED"));
  REQUIRE(decided.state.periods.size() == 1);
  CHECK(decided.state.periods[0].kind == "BW");
}

TEST_CASE("eigen bijdrage: after the stop of an imported open period, a provision after a gap is a new period",
          "[rules][ieb][import]") {
  const EbClient client = importedClient("AT", 7001, "2025-03-01");
  auto decided = decideEigenBijdrage(client, event("WMO307", 6, "2026-12-03", {stop(41, "02", "2024-06-01", "2026-11-30")}),
                                     params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.stopdatum == d("2026-11-30"));
  // Months later a new provision: a period of its own, not 7001 reopened over the gap.
  decided = decideEigenBijdrage(decided.state, event("WMO305", 7, "2027-06-02", {start(42, "02", "2027-06-01")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 1);
  CHECK(decided.records[0].start_nummer != 7001);
  CHECK(decided.records[0].values.startdatum == d("2027-06-01"));
  const auto kept = std::find_if(decided.state.periods.begin(), decided.state.periods.end(),
                                 [](const EbPeriod& p) { return p.start_nummer == 7001; });
  REQUIRE(kept != decided.state.periods.end());
  CHECK(kept->stopdatum == d("2026-11-30"));
}

TEST_CASE("eigen bijdrage: a provision across two imported periods leaves each as the CAK has it",
          "[rules][ieb][import]") {
  // Whatever the order the periods were imported in.
  for (const bool later_first : {false, true}) {
    INFO("later period first: " << later_first);
    EbClient client = importedClient("AT", 7001, "2025-01-01", "2025-12-31");
    const EbClient second = importedClient("AT", 7002, "2026-01-01");
    client.periods.insert(later_first ? client.periods.begin() : client.periods.end(), second.periods[0]);
    auto decided = decideEigenBijdrage(client, event("WMO305", 8, "2026-12-03", {start(43, "02", "2025-06-01")}),
                                       params());
    CHECK(decided.records.empty());  // 7001 is not stretched over 7002 (the CAK would refuse the overlap)
    CHECK(decided.state.periods.size() == 2);
    // The provision stops: the open one takes the stop, the closed one stays.
    decided = decideEigenBijdrage(decided.state,
                                  event("WMO307", 9, "2026-12-03", {stop(43, "02", "2025-06-01", "2026-11-30")}), params());
    REQUIRE(decided.records.size() == 1);
    CHECK(decided.records[0].start_nummer == 7002);
    CHECK(decided.records[0].values.stopdatum == d("2026-11-30"));
  }
}

TEST_CASE("eigen bijdrage: a new start number skips any number of the client, whatever the municipality",
          "[rules][ieb][import]") {
  EbClient client = importedClient("BW", 31, "2025-09-01");
  client.periods[0].afzender = "0363";  // another municipality's period of this client
  auto decided = decideEigenBijdrage(client, event("WMO305", 3, "2026-12-03", {start(44, "02", "2026-12-01")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].start_nummer == 32);  // message 3's first would be 31

  EbParams from_5001 = params();
  from_5001.first_start_nummer = 5001;  // a journal made after another one (issue 14)
  decided = decideEigenBijdrage(EbClient{}, event("WMO305", 1, "2026-12-03", {start(45, "02", "2026-12-01")}), from_5001);
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].start_nummer == 5001);
  decided = decideEigenBijdrage(EbClient{}, event("WMO305", 3, "2026-12-03", {start(45, "02", "2026-12-01")}), from_5001);
  CHECK(decided.records[0].start_nummer == 5021);
}

TEST_CASE("eigen bijdrage: a hold that waits for a date gives the client a review day, and the tick on that day "
          "sends it (issue 14)",
          "[rules][ieb][tick]") {
  // Delivery ends 2026-12-31, more than a month after 2026-03-05: the start goes without the stop.
  auto decided = decideEigenBijdrage(
      EbClient{}, event("WMO307", 2, "2026-03-05", {stop(100, "02", "2026-03-02", "2026-12-31")}), params());
  REQUIRE(decided.records.size() == 1);
  CHECK_FALSE(decided.records[0].values.stopdatum);
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-12-01"));  // on 2026-11-30 a month ahead is 2026-12-30: not yet
  CHECK(decided.attention.empty());

  EbEvent tick = event("EB-TICK", 9, "2026-11-30", {});
  tick.reevaluate = true;
  auto early = decideEigenBijdrage(decided.state, tick, params());  // a day early: still waiting
  CHECK(early.relevant);
  CHECK(early.records.empty());
  REQUIRE(early.review_on);
  CHECK(*early.review_on == d("2026-12-01"));
  tick.dagtekening = d("2026-12-01");
  auto on_time = decideEigenBijdrage(decided.state, tick, params());
  CHECK(hasRule(on_time, "EB-TICK"));
  REQUIRE(on_time.records.size() == 1);
  CHECK(on_time.records[0].values.status == 2);
  CHECK(on_time.records[0].values.stopdatum == d("2026-12-31"));
  CHECK_FALSE(on_time.review_on);  // nothing waits any more

  // A tick for a client without periods decides nothing.
  CHECK_FALSE(decideEigenBijdrage(EbClient{}, tick, params()).relevant);
}

TEST_CASE("eigen bijdrage: the review day of a start far ahead and of go-live, never the day itself",
          "[rules][ieb][tick]") {
  auto decided = decideEigenBijdrage(EbClient{}, event("WMO305", 2, "2026-01-10", {start(100, "02", "2026-03-31")}), params());
  CHECK(decided.records.empty());
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-03-01"));  // 2026-02-28 + 1 month is 2026-03-28: not yet
  EbParams later = params();
  later.at_go_live = d("2026-06-01");
  decided = decideEigenBijdrage(EbClient{}, event("WMO305", 3, "2026-05-20", {start(101, "02", "2026-05-18")}), later);
  CHECK(decided.records.empty());
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-06-01"));
  // A review day is always after the day decided on (a tick never ticks the same day twice).
  later.at_go_live = d("2026-05-20");
  decided = decideEigenBijdrage(EbClient{}, event("WMO305", 4, "2026-05-19", {start(102, "02", "2026-05-18")}), later);
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-05-20"));
}

TEST_CASE("eigen bijdrage: one record per period per day, what changes later that day goes out the next day as one "
          "net change (issue 17)",
          "[rules][ieb][tick]") {
  auto decided = decideEigenBijdrage(EbClient{}, event("WMO305", 1, "2026-03-05", {start(100, "02", "2026-03-02")}), params());
  REQUIRE(decided.records.size() == 1);
  // On 2026-07-02 the provision stops (sent), then a restart the same day would remove the stop again.
  decided = decideEigenBijdrage(decided.state, event("WMO307", 2, "2026-07-02", {stop(100, "02", "2026-03-02", "2026-06-30")}),
                                params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.stopdatum == d("2026-06-30"));
  decided = decideEigenBijdrage(decided.state, event("WMO305", 3, "2026-07-02", {start(101, "02", "2026-07-01")}), params());
  CHECK(decided.records.empty());
  CHECK(hasRule(decided, "EB-SAME-DAY"));
  CHECK(decided.attention.empty());  // waiting for a day, nothing for an operator
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-07-03"));
  // A second change the same day is netted into the same wait.
  decided = decideEigenBijdrage(decided.state, event("WMO305", 4, "2026-07-02", {start(102, "02", "2026-07-01")}), params());
  CHECK(decided.records.empty());
  // The next day's tick sends the net: the period without its stop.
  EbEvent tick = event("EB-TICK", 5, "2026-07-03", {});
  tick.reevaluate = true;
  decided = decideEigenBijdrage(decided.state, tick, params());
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.status == 2);
  CHECK_FALSE(decided.records[0].values.stopdatum);
  CHECK_FALSE(decided.review_on);
}

TEST_CASE("eigen bijdrage: a record the CAK rejected does not hold its correction to the next day (issue 17)",
          "[rules][ieb][tick]") {
  auto decided = decideEigenBijdrage(EbClient{}, event("WMO305", 1, "2026-07-02", {start(100, "02", "2026-07-01")}), params());
  REQUIRE(decided.records.size() == 1);
  // The CAK (or the chain, with a Fo01) refused it: nothing changed there today.
  decided.state.periods[0].last_answer = EbAnswer::kRejected;
  decided = decideEigenBijdrage(decided.state, event("WMO305", 2, "2026-07-02", {start(100, "02", "2026-06-30")}), params());
  CHECK_FALSE(hasRule(decided, "EB-SAME-DAY"));
  REQUIRE(decided.records.size() == 1);
  CHECK(decided.records[0].values.startdatum == d("2026-06-30"));
}

TEST_CASE("eigen bijdrage: a change undone the same day leaves the period waiting for its stop, not for a change "
          "(issue 17)",
          "[rules][ieb][tick]") {
  const EbParams p = atToewijzing("02");
  // The start goes out, the stop (more than a month ahead) waits for its day.
  auto decided = decideEigenBijdrage(EbClient{}, event("WMO301", 1, "2026-03-05", {toewijzingLine(1, "02", "2026-03-01", "2026-12-31")}), p);
  REQUIRE(decided.records.size() == 1);
  CHECK_FALSE(decided.records[0].values.stopdatum);
  // The same day the start moves (held to the next day), then moves back: nothing to send.
  decided = decideEigenBijdrage(decided.state, event("WMO301", 2, "2026-03-05", {toewijzingLine(1, "02", "2026-03-02", "2026-12-31")}), p);
  CHECK(decided.records.empty());
  REQUIRE(decided.state.periods.size() == 1);
  CHECK(decided.state.periods[0].held.starts_with("EB-SAME-DAY:"));
  decided = decideEigenBijdrage(decided.state, event("WMO301", 3, "2026-03-05", {toewijzingLine(1, "02", "2026-03-01", "2026-12-31")}), p);
  CHECK(decided.records.empty());
  CHECK(hasRule(decided, "EB-NO-CHANGE"));
  REQUIRE(decided.state.periods.size() == 1);
  CHECK(decided.state.periods[0].held.starts_with("EB-WINDOW-FUTURE:"));
  REQUIRE(decided.review_on);
  CHECK(*decided.review_on == d("2026-12-01"));  // the first day 2026-12-31 is within a month
}
