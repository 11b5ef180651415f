// Content-model errors named as an operator fixes them (adapters/xml/content_model.h): the real
// adapter on the project's schemas, with the test message broken in each way.
#include "adapters/xml/content_model.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace {

using iwmo::test::kValidWmo305;
using iwmo::test::replaceFirst;

const iwmo::proto::Finding& onlyFinding(const std::string& message) {
  static iwmo::proto::Envelope envelope;
  envelope = iwmo::test::validateWithProjectSchemas(message);
  REQUIRE_FALSE(envelope.verdict().valid());
  REQUIRE(envelope.verdict().findings_size() >= 1);
  return envelope.verdict().findings(0);
}

}  // namespace

TEST_CASE("a missing element is named, with where it belongs and the line of what follows it", "[xml]") {
  const auto& first = onlyFinding(replaceFirst(kValidWmo305, "<wmo305:Bsn>999900018</wmo305:Bsn>", ""));
  CHECK(first.code() == "XSD");
  CHECK(first.path() == "/Bericht/Client");
  CHECK_THAT(first.message(), Catch::StartsWith("<Client> is missing <Bsn>, which belongs first in <Client>, before "
                                                "<Geboortedatum> (line 20); add it"));
  CHECK(first.line() == 20);  // the Geboortedatum, not the end tag of Client

  const auto& last = onlyFinding(replaceFirst(kValidWmo305, "<iwmo:Dagtekening>2026-03-02</iwmo:Dagtekening>", ""));
  CHECK(last.path() == "/Bericht/Header/BerichtIdentificatie");
  CHECK_THAT(last.message(),
             Catch::StartsWith("<BerichtIdentificatie> is missing <Dagtekening>, which belongs after <Identificatie>, at the end"));
}

TEST_CASE("a misplaced element is named at its own line, with where it belongs", "[xml]") {
  // Geslacht moved before Geboortedatum.
  std::string message = replaceFirst(kValidWmo305, "    <wmo305:Geslacht>2</wmo305:Geslacht>\n", "");
  message = replaceFirst(message, "    <wmo305:Geboortedatum>", "    <wmo305:Geslacht>2</wmo305:Geslacht>\n    <wmo305:Geboortedatum>");
  const auto& finding = onlyFinding(message);
  INFO(finding.message());
  CHECK(finding.path() == "/Bericht/Client");
  CHECK_THAT(finding.message(), Catch::Contains("<Geboortedatum> (line 21) is out of order: it belongs after <Bsn>, "
                                                "before <Geslacht>; move it there"));
}

TEST_CASE("an element that is no part of the model is named with the fix", "[xml]") {
  const auto& finding = onlyFinding(
      replaceFirst(kValidWmo305, "    <wmo305:StartProducten>", "    <wmo305:Telefoon>0612345678</wmo305:Telefoon>\n    <wmo305:StartProducten>"));
  INFO(finding.message());
  CHECK_THAT(finding.message(), Catch::Contains("Telefoon"));  // Xerces: no declaration found
  // And the content model's finding names it too, never the StartProducten after it.
  const auto envelope = iwmo::test::validateWithProjectSchemas(
      replaceFirst(kValidWmo305, "    <wmo305:StartProducten>", "    <wmo305:Telefoon>0612345678</wmo305:Telefoon>\n    <wmo305:StartProducten>"));
  for (const auto& f : envelope.verdict().findings()) {
    INFO(f.message());
    CHECK(f.message().find("<StartProducten> (line") == std::string::npos);
  }
  REQUIRE(envelope.verdict().findings_size() == 2);
  CHECK_THAT(envelope.verdict().findings(1).message(),
             Catch::StartsWith("<Client>: <Telefoon> (line 30) is not part of <Client>"));
}

TEST_CASE("explainContentModel leaves what is not a flat sequence to Xerces", "[xml]") {
  iwmo::adapters::xml::XmlTree tree;
  const auto root = tree.addElement(iwmo::adapters::xml::XmlElement::kNone, "A", 1, 1, 1);
  tree.addElement(root, "C", 2, 1, 1);
  CHECK_FALSE(iwmo::adapters::xml::explainContentModel(tree, root, "missing elements in content model '(B|C)'"));
  CHECK_FALSE(iwmo::adapters::xml::explainContentModel(tree, root, "missing elements in content model '((B,C),D)'"));
  CHECK_FALSE(iwmo::adapters::xml::explainContentModel(tree, root, "some other message"));
  const auto named = iwmo::adapters::xml::explainContentModel(tree, root, "missing elements in content model '(B,C)'");
  REQUIRE(named);
  CHECK(named->message.starts_with("<A> is missing <B>, which belongs first in <A>, before <C> (line 2)"));
  CHECK(named->line == 2);
}

TEST_CASE("explainContentModel blames a repeat or an element out of order, not the particle after it", "[xml]") {
  using iwmo::adapters::xml::explainContentModel;
  using iwmo::adapters::xml::XmlElement;
  using iwmo::adapters::xml::XmlTree;
  {  // (A,B,C) with A A B C: the second A
    XmlTree tree;
    const auto root = tree.addElement(XmlElement::kNone, "R", 1, 1, 1);
    tree.addElement(root, "A", 2, 1, 1);
    tree.addElement(root, "A", 3, 1, 2);
    tree.addElement(root, "B", 4, 1, 1);
    tree.addElement(root, "C", 5, 1, 1);
    const auto found = explainContentModel(tree, root, "element 'A' is not allowed for content model '(A,B,C)'");
    REQUIRE(found);
    CHECK(found->message.starts_with("<R>: <A> (line 3) is out of order or once too often here"));
    CHECK(found->line == 3);
  }
  {  // (A,B?,C,D) with A C B D: the B, which belongs before C
    XmlTree tree;
    const auto root = tree.addElement(XmlElement::kNone, "R", 1, 1, 1);
    tree.addElement(root, "A", 2, 1, 1);
    tree.addElement(root, "C", 3, 1, 1);
    tree.addElement(root, "B", 4, 1, 1);
    tree.addElement(root, "D", 5, 1, 1);
    const auto found = explainContentModel(tree, root, "element 'B' is not allowed for content model '(A,B?,C,D)'");
    REQUIRE(found);
    CHECK(found->message.starts_with("<R>: <B> (line 4) is out of order or once too often here"));
  }
  {  // (A,B?,C) with A: C missing after A (not after the absent B)
    XmlTree tree;
    const auto root = tree.addElement(XmlElement::kNone, "R", 1, 1, 1);
    tree.addElement(root, "A", 2, 1, 1);
    const auto found = explainContentModel(tree, root, "missing elements in content model '(A,B?,C)'");
    REQUIRE(found);
    CHECK(found->message.starts_with("<R> is missing <C>, which belongs after <A>, at the end; add it"));
  }
  {  // an empty element
    XmlTree tree;
    const auto root = tree.addElement(XmlElement::kNone, "R", 1, 1, 1);
    const auto found = explainContentModel(tree, root, "empty content is not valid for content model '(A,B)'");
    REQUIRE(found);
    CHECK(found->message.starts_with("<R> is missing <A>, which belongs first in <R>; add it"));
  }
}
