// GemeenteTable (gateway/rules/gemeente_table.h): config/gemeenten.csv agrees with the CBS
// reference data, and normalise() follows herindelingen transitively, stops at splits and knows
// unknown codes.
#include "gateway/rules/gemeente_table.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/base/csv.h"
#include "support/test_support.h"

using iwmo::Date;
using iwmo::rules::GemeenteRecord;
using iwmo::rules::GemeenteTable;
using iwmo::rules::NormalisedCode;
using Kind = iwmo::rules::NormalisedCode::Kind;

namespace {

const char* const kTableFile = IWMO_SOURCE_DIR "/config/gemeenten.csv";
// The RNI pseudo-code (BRP: registered abroad). Not a municipality in the CBS data; the project
// may list it in its own table, so the comparisons with the reference allow it and nothing else.
const char* const kRni = "1999";

Date day(const std::string& text) {
  const auto parsed = Date::parse(text);
  INFO("date " << text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

const GemeenteTable& projectTable() {
  static const GemeenteTable* table = [] {
    auto parsed = GemeenteTable::parse(iwmo::test::readFile(kTableFile), kTableFile);
    INFO(parsed.status().message());
    REQUIRE(parsed);
    return new GemeenteTable(std::move(*parsed));
  }();
  return *table;
}

// The codes in our own file, in file order (the table has no iteration of its own).
std::vector<std::string> projectCodes() {
  const auto csv = iwmo::CsvTable::parse(iwmo::test::readFile(kTableFile), kTableFile);
  REQUIRE(csv);
  const auto col = csv->column("code");
  REQUIRE(col.has_value());
  std::vector<std::string> codes;
  for (const auto& row : csv->rows()) codes.push_back(row.fields[*col]);
  return codes;
}

struct Tsv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    INFO("column " << name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  }
};

std::vector<std::string> splitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

// A reference TSV: '#' lines are comments, the first other line is the header.
Tsv readTsv(const std::filesystem::path& path) {
  INFO("reading " << path.string());
  REQUIRE(std::filesystem::exists(path));
  Tsv tsv;
  std::istringstream in(iwmo::test::readFile(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto fields = splitTabs(line);
    if (tsv.header.empty()) {
      tsv.header = std::move(fields);
    } else {
      fields.resize(std::max(fields.size(), tsv.header.size()));
      tsv.rows.push_back(std::move(fields));
    }
  }
  REQUIRE_FALSE(tsv.header.empty());
  return tsv;
}

std::vector<std::string> splitWords(const std::string& text, char separator) {
  std::vector<std::string> words;
  std::string word;
  std::istringstream in(text);
  while (std::getline(in, word, separator)) {
    const auto first = word.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    const auto last = word.find_last_not_of(' ');
    words.push_back(word.substr(first, last - first + 1));
  }
  return words;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

bool validOn(const GemeenteRecord& record, Date date) {
  return record.valid_from <= date && (!record.valid_until || date < *record.valid_until);
}

// A small hand-written table in the format of config/gemeenten.csv.
std::string smallTable(const std::string& rows) {
  return "# test table\ncode,name,valid_from,valid_until,successors\n" + rows;
}

}  // namespace

// --- (a) config/gemeenten.csv against the reference ----------------------------------------------

TEST_CASE("config/gemeenten.csv parses", "[gemeenten]") {
  const GemeenteTable& table = projectTable();
  // Every code of the file, plus the RNI (1999), which the table always knows.
  const auto codes = projectCodes();
  CHECK(table.size() == codes.size() + (std::count(codes.begin(), codes.end(), "1999") ? 0u : 1u));
  CHECK(table.find("1999") != nullptr);
  CHECK(table.size() > 700);
  const auto* amsterdam = table.find("0363");
  REQUIRE(amsterdam != nullptr);
  CHECK(amsterdam->name == "Amsterdam");
  CHECK_FALSE(amsterdam->valid_until.has_value());
  CHECK(table.label("0363") == "0363 Amsterdam");
  CHECK(table.label("9999") == "9999");
  CHECK(table.find("9999") == nullptr);
}

TEST_CASE("config/gemeenten.csv has every CBS code 1990-2025 with its begin and end", "[gemeenten]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) {
    WARN("reference material absent: gemeenten.csv not compared with gemeenten_cbs_codes_1990_2025.tsv");
    return;
  }
  const Tsv tsv = readTsv(*reference / "regions" / "gemeenten_cbs_codes_1990_2025.tsv");
  const auto c_code = tsv.column("gemeentecode");
  const auto c_begin = tsv.column("begindatum");
  const auto c_end = tsv.column("einddatum");
  const auto c_last = tsv.column("jaar_last_listed");
  const auto c_name = tsv.column("naam");

  struct Expected {
    Date from = Date::fromYmd(9999, 12, 31);
    std::optional<Date> until;
    bool open = false;
    std::string latest_name;
    int latest_year = 0;
  };
  std::map<std::string, Expected> expected;
  for (const auto& row : tsv.rows) {
    Expected& e = expected[row[c_code]];
    e.from = std::min(e.from, day(row[c_begin]));
    if (row[c_end].empty()) {
      e.open = true;
    } else {
      const Date end = day(row[c_end]);
      if (!e.until || *e.until < end) e.until = end;
    }
    const int year = std::stoi(row[c_last]);
    if (year >= e.latest_year) {
      e.latest_year = year;
      e.latest_name = row[c_name];
    }
  }
  REQUIRE(expected.size() > 700);

  const GemeenteTable& table = projectTable();
  for (const auto& [code, e] : expected) {
    INFO("code " << code);
    const GemeenteRecord* record = table.find(code);
    REQUIRE(record != nullptr);
    CHECK(record->valid_from == e.from);
    if (e.open) {
      CHECK_FALSE(record->valid_until.has_value());
    } else {
      REQUIRE(record->valid_until.has_value());
      CHECK(*record->valid_until == *e.until);
    }
    CHECK(record->name == e.latest_name);
  }

  // Nothing invented: our table holds no code the reference does not (the RNI aside).
  std::set<std::string> extra;
  for (const auto& code : projectCodes()) {
    if (!expected.count(code)) extra.insert(code);
  }
  extra.erase(kRni);
  CHECK(extra.empty());
  CHECK(table.size() == expected.size() + (table.find(kRni) ? 1u : 0u));
}

TEST_CASE("config/gemeenten.csv has every herindeling 2013-2025 as successors on the right day", "[gemeenten]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) {
    WARN("reference material absent: gemeenten.csv not compared with herindelingen_2013_2025.tsv");
    return;
  }
  const Tsv tsv = readTsv(*reference / "regions" / "herindelingen_2013_2025.tsv");
  const auto c_date = tsv.column("ingangsdatum");
  const auto c_old = tsv.column("oude_code");
  const auto c_new = tsv.column("nieuwe_code");
  REQUIRE(tsv.rows.size() >= 90);

  const GemeenteTable& table = projectTable();
  std::set<std::string> mapped;
  std::size_t splits = 0;
  for (const auto& row : tsv.rows) {
    const std::string& old_code = row[c_old];
    INFO("herindeling of " << old_code << " on " << row[c_date] << " -> " << row[c_new]);
    CHECK(mapped.insert(old_code).second);  // one row per old code
    const GemeenteRecord* record = table.find(old_code);
    REQUIRE(record != nullptr);
    REQUIRE(record->valid_until.has_value());
    CHECK(*record->valid_until == day(row[c_date]));
    const auto successors = splitWords(row[c_new], '|');
    REQUIRE_FALSE(successors.empty());
    if (successors.size() > 1) ++splits;
    CHECK(sorted(record->successors) == sorted(successors));
    for (const auto& successor : successors) CHECK(table.find(successor) != nullptr);
  }
  CHECK(splits == 5);  // Boarnsterhim, Maasdonk, Littenseradiel, Winsum, Haaren

  // And the other way round: every code of ours with successors, and every code that ended on or
  // after 2013-01-01, comes from that file.
  for (const auto& code : projectCodes()) {
    const GemeenteRecord* record = table.find(code);
    REQUIRE(record != nullptr);
    INFO("code " << code);
    if (!record->successors.empty()) CHECK(mapped.count(code) == 1);
    if (record->valid_until && *record->valid_until >= Date::fromYmd(2013, 1, 1)) CHECK(mapped.count(code) == 1);
  }
}

TEST_CASE("config/gemeenten.csv: exactly the 342 municipalities of 2025 are valid on 2025-06-01", "[gemeenten]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) {
    WARN("reference material absent: gemeenten.csv not compared with gemeenten_2025.tsv");
    return;
  }
  const Tsv tsv = readTsv(*reference / "regions" / "gemeenten_2025.tsv");
  const auto c_code = tsv.column("gemeentecode");
  std::set<std::string> expected;
  for (const auto& row : tsv.rows) expected.insert(row[c_code]);
  REQUIRE(expected.size() == 342);

  const GemeenteTable& table = projectTable();
  const Date on = Date::fromYmd(2025, 6, 1);
  std::set<std::string> valid;
  for (const auto& code : projectCodes()) {
    if (code == kRni) continue;
    const GemeenteRecord* record = table.find(code);
    REQUIRE(record != nullptr);
    if (validOn(*record, on)) valid.insert(code);
  }
  CHECK(valid == expected);
  for (const auto& code : expected) {
    INFO("code " << code);
    const auto n = table.normalise(code, on);
    CHECK(n.kind == Kind::kValid);
    CHECK(n.code == code);
    CHECK(n.trail.empty());
  }
}

// --- (b) normalise ----------------------------------------------------------------------------------

TEST_CASE("normalise: Weesp becomes Amsterdam on 2022-03-24, not before", "[gemeenten]") {
  const GemeenteTable& table = projectTable();
  const auto before = table.normalise("0457", Date::fromYmd(2022, 3, 23));
  CHECK(before.kind == Kind::kValid);
  CHECK(before.code == "0457");
  CHECK(before.trail.empty());

  const auto on = table.normalise("0457", Date::fromYmd(2022, 3, 24));
  CHECK(on.kind == Kind::kValid);
  CHECK(on.code == "0363");
  REQUIRE(on.trail.size() == 1);
  CHECK_THAT(on.trail[0], Catch::Contains("0457") && Catch::Contains("0363") && Catch::Contains("2022-03-24"));

  // Amsterdam itself stays Amsterdam.
  const auto amsterdam = table.normalise("0363", Date::fromYmd(2022, 3, 24));
  CHECK(amsterdam.kind == Kind::kValid);
  CHECK(amsterdam.code == "0363");
}

TEST_CASE("normalise follows herindelingen transitively", "[gemeenten]") {
  const GemeenteTable& table = projectTable();
  SECTION("0241 Groesbeek -> 1945 Berg en Dal on 2016-01-01") {
    CHECK(table.normalise("0241", Date::fromYmd(2015, 12, 31)).code == "0241");
    const auto n = table.normalise("0241", Date::fromYmd(2016, 1, 1));
    CHECK(n.kind == Kind::kValid);
    CHECK(n.code == "1945");
  }
  SECTION("0265 Millingen aan de Rijn -> 0241 Groesbeek (2015) -> 1945 Berg en Dal (2016)") {
    CHECK(table.normalise("0265", Date::fromYmd(2014, 12, 31)).code == "0265");
    const auto mid = table.normalise("0265", Date::fromYmd(2015, 6, 1));
    CHECK(mid.kind == Kind::kValid);
    CHECK(mid.code == "0241");
    CHECK(mid.trail.size() == 1);
    const auto n = table.normalise("0265", Date::fromYmd(2024, 1, 1));
    CHECK(n.kind == Kind::kValid);
    CHECK(n.code == "1945");
    REQUIRE(n.trail.size() == 2);
    CHECK_THAT(n.trail[0], Catch::Contains("0265") && Catch::Contains("0241"));
    CHECK_THAT(n.trail[1], Catch::Contains("0241") && Catch::Contains("1945"));
  }
  SECTION("0571 Nieuw-Lekkerland -> 1927 Molenwaard (2013) -> 1978 Molenlanden (2019)") {
    CHECK(table.normalise("1927", Date::fromYmd(2019, 1, 1)).code == "1978");
    CHECK(table.normalise("0571", Date::fromYmd(2018, 12, 31)).code == "1927");
    const auto n = table.normalise("0571", Date::fromYmd(2019, 1, 1));
    CHECK(n.kind == Kind::kValid);
    CHECK(n.code == "1978");
    CHECK(n.trail.size() == 2);
  }
  SECTION("0051 Skasterlan -> 1921 De Friese Meren (2014) -> 1940 De Fryske Marren (2015-07-01)") {
    CHECK(table.normalise("0051", Date::fromYmd(2015, 6, 30)).code == "1921");
    const auto n = table.normalise("0051", Date::fromYmd(2015, 7, 1));
    CHECK(n.kind == Kind::kValid);
    CHECK(n.code == "1940");
  }
}

TEST_CASE("normalise: a split municipality needs the address", "[gemeenten]") {
  const GemeenteTable& table = projectTable();
  const Date on = Date::fromYmd(2021, 1, 1);
  CHECK(table.normalise("0788", Date::fromYmd(2020, 12, 31)).code == "0788");

  const auto split = table.normalise("0788", on);
  CHECK(split.kind == Kind::kSplit);
  CHECK(split.code.empty());
  CHECK(sorted(split.candidates) == std::vector<std::string>{"0757", "0824", "0855", "0865"});
  REQUIRE_FALSE(split.trail.empty());
  CHECK_THAT(split.trail.back(), Catch::Contains("0788"));

  const std::map<std::string, std::string> addresses = {{"HAA-1", "0855"}};
  const auto mapped = table.normalise("0788", on, addresses, "HAA-1");
  CHECK(mapped.kind == Kind::kValid);
  CHECK(mapped.code == "0855");
  CHECK(mapped.candidates.empty());
  REQUIRE_FALSE(mapped.trail.empty());
  CHECK_THAT(mapped.trail.back(), Catch::Contains("HAA-1"));

  // An address the mapping does not know, or no address, stays a split.
  const auto other = table.normalise("0788", on, addresses, "HAA-2");
  CHECK(other.kind == Kind::kSplit);
  CHECK(other.candidates.size() == 4);
  CHECK(table.normalise("0788", on, addresses).kind == Kind::kSplit);
}

TEST_CASE("normalise: a split part that merged again later is followed on", "[gemeenten]") {
  // 0055 Boarnsterhim was split in 2014; one part went to 1921 De Friese Meren, which became
  // 1940 De Fryske Marren on 2015-07-01.
  const GemeenteTable& table = projectTable();
  const std::map<std::string, std::string> addresses = {{"BOA-1", "1921"}};
  const auto n = table.normalise("0055", Date::fromYmd(2020, 1, 1), addresses, "BOA-1");
  CHECK(n.kind == Kind::kValid);
  CHECK(n.code == "1940");
  CHECK(n.trail.size() == 2);
  const auto early = table.normalise("0055", Date::fromYmd(2014, 6, 1), addresses, "BOA-1");
  CHECK(early.kind == Kind::kValid);
  CHECK(early.code == "1921");
}

TEST_CASE("normalise: unknown and unmapped codes", "[gemeenten]") {
  const GemeenteTable& table = projectTable();
  const auto unknown = table.normalise("9999", Date::fromYmd(2025, 1, 1));
  CHECK(unknown.kind == Kind::kUnknown);
  CHECK(unknown.code.empty());
  REQUIRE_FALSE(unknown.trail.empty());
  CHECK_THAT(unknown.trail[0], Catch::Contains("9999"));
  CHECK(table.normalise("", Date::fromYmd(2025, 1, 1)).kind == Kind::kUnknown);

  // 0006 Beerta ended in 1992, before the herindelingen the table maps.
  CHECK(table.normalise("0006", Date::fromYmd(1991, 12, 31)).kind == Kind::kValid);
  const auto unmapped = table.normalise("0006", Date::fromYmd(2025, 1, 1));
  CHECK(unmapped.kind == Kind::kUnmapped);
  CHECK(unmapped.code.empty());
  CHECK_FALSE(unmapped.trail.empty());
}

// --- parse errors -----------------------------------------------------------------------------------

TEST_CASE("GemeenteTable::parse accepts a small hand-written table", "[gemeenten]") {
  const auto table = GemeenteTable::parse(smallTable("0001,Oud,1990-01-01,2020-01-01,0002\n"
                                                     "0002,Nieuw,2020-01-01,,\n"
                                                     "0003,Deel,1990-01-01,2021-01-01,0002 0004\n"
                                                     "0004,Ander,1990-01-01,,\n"),
                                          "small.csv");
  REQUIRE(table);
  CHECK(table->size() == 5);  // the four rows and the RNI (1999)
  CHECK(table->normalise("0001", Date::fromYmd(2020, 1, 1)).code == "0002");
  CHECK(table->normalise("0003", Date::fromYmd(2021, 1, 1)).kind == Kind::kSplit);
}

TEST_CASE("GemeenteTable::parse names the problem", "[gemeenten]") {
  const auto refused = [](const std::string& rows) {
    auto table = GemeenteTable::parse(smallTable(rows), "small.csv");
    REQUIRE_FALSE(table);
    CHECK(table.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(table.status().message(), Catch::StartsWith("small.csv"));
    return table.status().message();
  };
  SECTION("duplicate code") {
    const auto message = refused("0001,Een,1990-01-01,,\n0002,Twee,1990-01-01,,\n0001,Weer een,1990-01-01,,\n");
    CHECK_THAT(message, Catch::Contains("0001") && Catch::Contains("twice"));
  }
  SECTION("successor not in the table") {
    const auto message = refused("0001,Een,1990-01-01,2020-01-01,0007\n0002,Twee,1990-01-01,,\n");
    CHECK_THAT(message, Catch::Contains("0001") && Catch::Contains("0007") && Catch::Contains("not in the table"));
  }
  SECTION("a cycle") {
    const auto message = refused("0001,Een,1990-01-01,2020-01-01,0002\n0002,Twee,1990-01-01,2021-01-01,0001\n");
    CHECK_THAT(message, Catch::Contains("cycle"));
  }
  SECTION("a longer cycle") {
    const auto message = refused(
        "0001,Een,1990-01-01,2020-01-01,0002\n0002,Twee,1990-01-01,2021-01-01,0003\n"
        "0003,Drie,1990-01-01,2022-01-01,0001\n0004,Vier,1990-01-01,,\n");
    CHECK_THAT(message, Catch::Contains("cycle"));
  }
  SECTION("a bad date") {
    const auto message = refused("0001,Een,1990-01-01,,\n0002,Twee,1990-02-30,,\n");
    CHECK_THAT(message, Catch::StartsWith("small.csv:4: "));
    CHECK_THAT(message, Catch::Contains("valid_from") && Catch::Contains("1990-02-30"));
  }
  SECTION("a bad valid_until") {
    const auto message = refused("0001,Een,1990-01-01,31-12-2020,\n");
    CHECK_THAT(message, Catch::StartsWith("small.csv:3: "));
    CHECK_THAT(message, Catch::Contains("valid_until"));
  }
  SECTION("a code that is not four digits") {
    const auto message = refused("363,Amsterdam,1990-01-01,,\n");
    CHECK_THAT(message, Catch::StartsWith("small.csv:3: "));
    CHECK_THAT(message, Catch::Contains("'363'"));
  }
  SECTION("successors without valid_until") {
    const auto message = refused("0001,Een,1990-01-01,,0002\n0002,Twee,1990-01-01,,\n");
    CHECK_THAT(message, Catch::StartsWith("small.csv:3: "));
    CHECK_THAT(message, Catch::Contains("valid_until"));
  }
  SECTION("a missing column") {
    auto table = GemeenteTable::parse("code,name,valid_from,valid_until\n0001,Een,1990-01-01,\n", "small.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("small.csv:1: ") && Catch::Contains("successors"));
  }
}

// gemeente_table.h: "Errors: kInvalid naming the line (duplicate code, bad date, unknown
// successor, a cycle)". An operator fixing a 800-line file needs the line for each of them.
TEST_CASE("GemeenteTable::parse names the line of a duplicate code, an unknown successor and a cycle",
          "[gemeenten]") {
  SECTION("duplicate code: the line of the second occurrence") {
    auto table = GemeenteTable::parse(
        smallTable("0001,Een,1990-01-01,,\n0002,Twee,1990-01-01,,\n0001,Weer een,1990-01-01,,\n"), "small.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("small.csv:5: "));
  }
  SECTION("unknown successor: the line that names it") {
    auto table = GemeenteTable::parse(
        smallTable("0002,Twee,1990-01-01,,\n0001,Een,1990-01-01,2020-01-01,0007\n"), "small.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("small.csv:4: "));
  }
  SECTION("a cycle: a line of a code in the cycle") {
    auto table = GemeenteTable::parse(
        smallTable("0009,Los,1990-01-01,,\n0001,Een,1990-01-01,2020-01-01,0002\n0002,Twee,1990-01-01,2021-01-01,0001\n"),
        "small.csv");
    REQUIRE_FALSE(table);
    const std::string message = table.status().message();
    CHECK_THAT(message, Catch::StartsWith("small.csv:4: ") || Catch::StartsWith("small.csv:5: "));
  }
}
