// The CAK simulator's level 3 checks as pure functions (simulators/cak/cak_checks.h): each EB001
// code from a record and what the CAK already holds, without files or SQLite; what an accepted
// record leaves in the state; the header codes.
#include "simulators/cak/cak_checks.h"

#include <catch2/catch.hpp>

#include "support/iwmo_messages.h"

using iwmo::Date;
using iwmo::proto::EbRecord;
using iwmo::simulators::cak::checkHeader;
using iwmo::simulators::cak::checkRecord;
using iwmo::simulators::cak::overlaps;
using iwmo::simulators::cak::PeriodHistory;
using iwmo::simulators::cak::StoredPeriod;
using iwmo::test::ebRecord;

namespace {

const Date kDagtekening = Date::fromYmd(2026, 3, 5);

PeriodHistory holding(const EbRecord& stored, bool deleted = false) {
  PeriodHistory history;
  history.current = StoredPeriod{stored, deleted};
  return history;
}

PeriodHistory withOtherBw(const EbRecord& other) {
  PeriodHistory history;
  history.other_live_bw.push_back(other);
  return history;
}

struct Row {
  const char* name;
  EbRecord r;
  PeriodHistory history;
  const char* expected;  // "" = accepted
};

}  // namespace

TEST_CASE("CAK checks: each deliberately wrong record gets its EB001 code", "[cak]") {
  const EbRecord at1 = ebRecord("AT", "1", 1, "2026-03-01");
  const EbRecord at1_stopped = ebRecord("AT", "1", 1, "2026-03-01", "2026-03-31");
  const EbRecord bw10 = ebRecord("BW", "1", 10, "2026-03-01");
  const std::vector<Row> rows = {
      {"new, nothing held", at1, {}, ""},
      {"9102: new with an existing key", at1, holding(at1), "9102"},
      {"9102: new with the key of a deleted period", at1, holding(at1, true), "9102"},
      {"9112: initial start more than 12 months back", ebRecord("AT", "1", 4, "2025-03-04"), {}, "9112"},
      {"9113: start more than 1 month ahead", ebRecord("AT", "1", 5, "2026-04-06"), {}, "9113"},
      {"9113: stop more than 1 month ahead", ebRecord("AT", "1", 5, "2026-03-01", "2026-04-06"), {}, "9113"},
      {"9328: new with its stop before its start", ebRecord("AT", "1", 6, "2026-03-01", "2026-02-28"), {}, "9328"},
      {"9328: change with its stop before its start", ebRecord("AT", "2", 1, "2026-03-01", "2026-02-01"), holding(at1),
       "9328"},
      {"9103: change without a first", ebRecord("AT", "2", 2, "2026-03-01"), {}, "9103"},
      {"9104: change after a delete", ebRecord("AT", "2", 1, "2026-03-01"), holding(at1, true), "9104"},
      {"9330: a stop for a deleted start", ebRecord("AT", "2", 1, "2026-03-01", "2026-03-31"), holding(at1, true),
       "9330"},
      {"9393: AT start changed to more than 36 months back", ebRecord("AT", "2", 1, "2023-03-04"), holding(at1), "9393"},
      {"9395: BW start changed to more than 36 months back", ebRecord("BW", "2", 10, "2023-03-04"), holding(bw10),
       "9395"},
      {"9114: stop changed to more than 36 months back",
       ebRecord("AT", "2", 1, "2023-03-01", "2023-03-04"), holding(ebRecord("AT", "1", 1, "2023-03-01")), "9114"},
      {"change accepted", ebRecord("AT", "2", 1, "2026-03-01", "2026-03-31"), holding(at1), ""},
      {"9063: delete without an earlier record", ebRecord("AT", "3", 9, "2026-03-01"), {}, "9063"},
      {"9063: delete of a deleted period", ebRecord("AT", "3", 1, "2026-03-01"), holding(at1, true), "9063"},
      {"9071: delete after a stop", ebRecord("AT", "3", 1, "2026-03-01", "2026-03-31"), holding(at1_stopped), "9071"},
      {"9329: delete with other values", ebRecord("AT", "3", 1, "2026-03-02"), holding(at1), "9329"},
      {"delete accepted", ebRecord("AT", "3", 1, "2026-03-01"), holding(at1), ""},
      {"9400: new BW overlapping a live one", ebRecord("BW", "1", 11, "2026-04-01"), withOtherBw(bw10), "9400"},
      {"9400: changed BW overlapping a live one", ebRecord("BW", "2", 11, "2026-03-31"),
       [&] {
         PeriodHistory h = withOtherBw(ebRecord("BW", "1", 10, "2026-03-01", "2026-03-31"));
         h.current = StoredPeriod{ebRecord("BW", "1", 11, "2026-04-01"), false};
         return h;
       }(),
       "9400"},
      {"new BW after the other one stopped", ebRecord("BW", "1", 11, "2026-04-01"),
       withOtherBw(ebRecord("BW", "1", 10, "2026-03-01", "2026-03-31")), ""},
      {"AT periods may overlap", ebRecord("AT", "1", 2, "2026-03-01"), withOtherBw(bw10), ""},
      {"0001: no start date", ebRecord("AT", "1", 1, ""), {}, "0001"},
  };
  for (const Row& row : rows) {
    DYNAMIC_SECTION(row.name) {
      const auto checked = checkRecord(row.r, row.history, kDagtekening);
      CHECK(checked.code == row.expected);
      CHECK(checked.apply.has_value() == checked.code.empty());
    }
  }
}

TEST_CASE("CAK checks: an accepted record says what the state holds for its key", "[cak]") {
  const EbRecord start = ebRecord("AT", "1", 1, "2026-03-01");
  SECTION("a new or changed period is held as sent") {
    const EbRecord stop = ebRecord("AT", "2", 1, "2026-03-01", "2026-03-31");
    const auto checked = checkRecord(stop, holding(start), kDagtekening);
    REQUIRE(checked.apply);
    CHECK(checked.apply->record.stopdatum() == "2026-03-31");
    CHECK_FALSE(checked.apply->deleted);
  }
  SECTION("a delete keeps the held period, marked deleted") {
    EbRecord held = start;
    held.set_has_kostprijs(true);
    held.set_kostprijs_bedrag(1250);
    EbRecord remove = held;
    remove.set_status_aanlevering("3");
    const auto checked = checkRecord(remove, holding(held), kDagtekening);
    REQUIRE(checked.apply);
    CHECK(checked.apply->deleted);
    CHECK(checked.apply->record.status_aanlevering() == "1");
    CHECK(checked.apply->record.kostprijs_bedrag() == 1250);
  }
}

TEST_CASE("CAK checks: periods overlap when they share a day, a stop is the last day", "[cak]") {
  CHECK(overlaps(ebRecord("BW", "1", 1, "2026-03-01", "2026-03-31"), ebRecord("BW", "1", 2, "2026-03-31")));
  CHECK_FALSE(overlaps(ebRecord("BW", "1", 1, "2026-03-01", "2026-03-31"), ebRecord("BW", "1", 2, "2026-04-01")));
  CHECK(overlaps(ebRecord("BW", "1", 1, "2026-03-01"), ebRecord("BW", "1", 2, "2030-01-01", "2030-02-01")));
  CHECK_FALSE(overlaps(ebRecord("BW", "1", 1, ""), ebRecord("BW", "1", 2, "2026-03-01")));  // no start: no period
}

TEST_CASE("CAK checks: the header's codes (9056, 8848, S300)", "[cak]") {
  auto table = iwmo::rules::GemeenteTable::build(
      {{"0599", "Rotterdam", Date::fromYmd(1970, 1, 1), std::nullopt, {}},
       {"0585", "Binnenmaas", Date::fromYmd(1970, 1, 1), Date::fromYmd(2019, 1, 1), {"1963"}},
       {"1963", "Hoeksche Waard", Date::fromYmd(2019, 1, 1), std::nullopt, {}}});
  REQUIRE(table);
  const Date today = Date::fromYmd(2026, 12, 31);
  using Codes = std::vector<std::string>;
  CHECK(checkHeader("0599", kDagtekening, false, today, *table).empty());
  CHECK(checkHeader("0599", kDagtekening, true, today, *table) == Codes{"9056"});
  CHECK(checkHeader("0599", Date::fromYmd(2027, 1, 10), false, today, *table) == Codes{"8848"});
  CHECK(checkHeader("0001", kDagtekening, false, today, *table) == Codes{"S300"});
  CHECK(checkHeader("0585", kDagtekening, false, today, *table) == Codes{"S300"});  // no longer a gemeente
  CHECK(checkHeader("1963", Date::fromYmd(2018, 6, 1), false, today, *table) == Codes{"S300"});  // not yet
  CHECK(checkHeader("0599", std::nullopt, false, today, *table) == Codes{"S300"});
}
