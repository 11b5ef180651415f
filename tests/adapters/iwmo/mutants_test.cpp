// The yardstick of issue 2: on a generated corpus of mutated official examples, our schema set
// gives exactly the verdict the official XSDs give (both checked here with Xerces). Compared is
// the level-1 verdict (XML + schema): the official files have no level-2 rules.
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "adapters/xml/validating_parser.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

struct Leaf {
  std::size_t start;       // of "<prefix:Name>"
  std::size_t end;         // after "</prefix:Name>"
  std::size_t text_start;
  std::size_t text_end;
  std::string prefix;
  std::string name;
};

std::vector<Leaf> findLeaves(const std::string& xml) {
  static const std::regex leaf(R"(<(\w+):(\w+)>([^<]*)</\1:\2>)");
  std::vector<Leaf> leaves;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), leaf); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    Leaf l;
    l.start = static_cast<std::size_t>(m.position(0));
    l.end = l.start + static_cast<std::size_t>(m.length(0));
    l.text_start = static_cast<std::size_t>(m.position(3));
    l.text_end = l.text_start + static_cast<std::size_t>(m.length(3));
    l.prefix = m.str(1);
    l.name = m.str(2);
    leaves.push_back(l);
  }
  return leaves;
}

struct Mutant {
  std::string description;
  std::string xml;
};

std::string replaceText(const std::string& xml, const Leaf& leaf, const std::string& text) {
  return xml.substr(0, leaf.text_start) + text + xml.substr(leaf.text_end);
}

// Values that probe patterns, enumerations, lengths, ranges, dates and whitespace rules.
const std::vector<std::pair<std::string, std::string>> kValues = {
    {"empty", ""},
    {"blank", "   "},
    {"letters", "abc"},
    {"digit", "1"},
    {"two digits", "02"},
    {"nine digits", "999900006"},
    {"negative", "-1"},
    {"plus sign", "+5"},
    {"decimal", "1.5"},
    {"huge number", "9999999999999"},
    {"impossible date", "2025-02-30"},
    {"date with zone", "2025-04-05Z"},
    {"date with offset", "2025-04-05+01:00"},
    {"time with zone", "10:15:00Z"},
    {"padded", " x "},
    {"overlong", std::string(250, 'a')},
    {"accented", "\xC3\xA9"},
};

std::vector<Mutant> mutate(const std::string& xml) {
  std::vector<Mutant> out;
  const std::vector<Leaf> leaves = findLeaves(xml);
  static const std::regex root_prefix("<(\\w+):Bericht[ >]");
  std::smatch root_match;
  std::regex_search(xml, root_match, root_prefix);
  const std::string message_prefix = root_match.str(1);
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const Leaf& leaf = leaves[i];
    const std::string element = xml.substr(leaf.start, leaf.end - leaf.start);
    out.push_back({"delete " + leaf.name, xml.substr(0, leaf.start) + xml.substr(leaf.end)});
    out.push_back({"duplicate " + leaf.name, xml.substr(0, leaf.end) + element + xml.substr(leaf.end)});
    out.push_back({"rename " + leaf.name,
                   xml.substr(0, leaf.start) + "<" + leaf.prefix + ":" + leaf.name + "X>" +
                       xml.substr(leaf.text_start, leaf.text_end - leaf.text_start) + "</" +
                       leaf.prefix + ":" + leaf.name + "X>" + xml.substr(leaf.end)});
    // Reorder with the next leaf when both are siblings (only whitespace between them).
    if (i + 1 < leaves.size()) {
      const Leaf& next = leaves[i + 1];
      const std::string between = xml.substr(leaf.end, next.start - leaf.end);
      if (between.find_first_not_of(" \t\r\n") == std::string::npos) {
        out.push_back({"swap " + leaf.name + " and " + next.name,
                       xml.substr(0, leaf.start) + xml.substr(next.start, next.end - next.start) +
                           between + element + xml.substr(next.end)});
      }
    }
    for (const auto& [label, value] : kValues) {
      out.push_back({leaf.name + " = " + label, replaceText(xml, leaf, value)});
    }
    // Wrong namespace on this one element: swap to the other prefix in the document.
    const std::string other = leaf.prefix == "iwmo" ? message_prefix : "iwmo";
    if (!other.empty()) {
      out.push_back({"namespace of " + leaf.name,
                     xml.substr(0, leaf.start) + "<" + other + ":" + leaf.name + ">" +
                         xml.substr(leaf.text_start, leaf.text_end - leaf.text_start) + "</" +
                         other + ":" + leaf.name + ">" + xml.substr(leaf.end)});
    }
  }
  // Whole-document mutations.
  std::string wrong_root = xml;
  const auto ns = wrong_root.find("/3_2/wmo");
  if (ns != std::string::npos) {
    wrong_root.replace(ns + 8, 3, "399");
    out.push_back({"unknown root namespace", wrong_root});
  }
  for (const char* code : {"414", "418", "420", "444", "480", "482", "484", "485"}) {
    static const std::regex bericht_code("<(\\w+):BerichtCode>\\d+<");
    out.push_back({std::string("BerichtCode ") + code,
                   std::regex_replace(xml, bericht_code, std::string("<$1:BerichtCode>") + code + "<",
                                      std::regex_constants::format_first_only)});
  }
  out.push_back({"truncated", xml.substr(0, xml.size() * 2 / 3)});
  out.push_back({"no XML declaration", xml.substr(xml.find("?>") + 2)});
  return out;
}

}  // namespace

TEST_CASE("our schemas and the official XSDs agree on every mutant of the official examples",
          "[iwmo][reference][mutants]") {
  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  auto ours = iwmo::test::adapterFor(iwmo::test::projectSchemaDir());
  auto official = iwmo::adapters::xml::ValidatingParser::create(
      iwmo::test::schemaSet(*reference / "iwmo-3.2/xsd"));
  REQUIRE(official);

  std::size_t total = 0;
  std::size_t rejected = 0;
  std::set<std::string> distinct;
  iwmo::proto::Envelope envelope;
  iwmo::adapters::xml::ParseOutcome outcome;
  for (const auto& entry : fs::directory_iterator(*reference / "iwmo-3.2/examples")) {
    const std::string example = iwmo::test::readFile(entry.path());
    for (const Mutant& mutant : mutate(example)) {
      if (!distinct.insert(mutant.xml).second) continue;
      ours->validate(mutant.xml, mutant.description, envelope);
      bool ours_level1_ok = true;
      for (const auto& finding : envelope.verdict().findings()) {
        if (finding.level() == 1) ours_level1_ok = false;
      }
      (*official)->parse(mutant.xml, outcome);
      const bool official_ok = outcome.ok();
      ++total;
      if (!official_ok) ++rejected;
      if (ours_level1_ok != official_ok) {
        std::string detail;
        for (const auto& p : outcome.problems) detail += "\n  official: " + p.message;
        for (const auto& f : envelope.verdict().findings()) detail += "\n  ours: " + f.code() + " " + f.message();
        FAIL_CHECK(entry.path().filename().string() << ": " << mutant.description << ": ours "
                   << (ours_level1_ok ? "valid" : "invalid") << ", official "
                   << (official_ok ? "valid" : "invalid") << detail);
      }
    }
  }
  INFO(total << " distinct mutants, " << rejected << " rejected by the official XSDs");
  CHECK(total >= 200);
  // The corpus must exercise both verdicts, or agreement would prove nothing.
  CHECK(rejected > total / 4);
  CHECK(total - rejected > 20);
  WARN("mutant corpus: " << total << " distinct mutants, " << rejected << " rejected, "
                        << total - rejected << " accepted, all verdicts equal");
}
