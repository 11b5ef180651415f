// The technical retour of IV028 (adapters/iwmo/retour_writer.h) on each of the six heen types:
// header only (level 2), the body echoed with 0200 everywhere, and one class with its own code.
// Every retour is validated against schemas/iwmo-3.2 and read back, with the XmlTree and with
// IwmoAdapter, against the heen it answers. The heens are our builders (301/305/307) and the
// official examples (read from ../shared at test time, skipped with a WARN when absent).
#include "adapters/iwmo/retour_writer.h"

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>

#include "adapters/iwmo/message_types.h"
#include "adapters/xml/validating_parser.h"
#include "support/iwmo_messages.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using iwmo::StatusCode;
using iwmo::adapters::iwmo::retourClassesOf;
using iwmo::adapters::iwmo::TechnicalRetourRequest;
using iwmo::adapters::iwmo::writeTechnicalRetour;
using iwmo::adapters::xml::ParseOutcome;
using iwmo::adapters::xml::ValidatingParser;
using iwmo::adapters::xml::XmlElement;
using iwmo::adapters::xml::XmlTree;
using Codes = std::vector<std::string>;

struct Heen {
  std::string label;  // "builder WMO305", "example WMO315"
  std::string type;   // "WMO305"
  std::string bytes;
};

iwmo::test::ProductLine line(std::uint64_t nummer, std::string code, std::string ingang,
                             std::string eind, std::string begin) {
  iwmo::test::ProductLine l;
  l.toewijzing_nummer = nummer;
  l.code = std::move(code);
  l.ingangsdatum = std::move(ingang);
  l.einddatum = std::move(eind);
  l.begindatum = std::move(begin);
  return l;
}

iwmo::test::MessageHeader header(std::string identificatie, std::string dagtekening) {
  iwmo::test::MessageHeader h;
  h.identificatie = std::move(identificatie);
  h.dagtekening = std::move(dagtekening);
  return h;
}

Heen builtWmo305() {
  return {"builder WMO305", "WMO305",
          iwmo::test::wmo305(header("ST-77", "2026-03-05"),
                             {line(100, "02A01", "2026-03-01", "", "2026-03-02"),
                              line(101, "02A02", "2026-03-01", "", "2026-03-03")})};
}

// Our builders' messages and, when the reference material is there, the official examples.
std::vector<Heen> heenMessages() {
  std::vector<Heen> out = {
      {"builder WMO301", "WMO301",
       iwmo::test::wmo301(header("TW-77", "2026-02-20"),
                          {line(100, "02A01", "2026-03-01", "2026-12-31", ""),
                           line(101, "02A02", "2026-03-01", "2026-12-31", "")})},
      builtWmo305(),
      {"builder WMO307", "WMO307",
       iwmo::test::wmo307(header("SP-77", "2026-07-02"),
                          {line(100, "02A01", "2026-03-01", "2026-06-30", "2026-03-02"),
                           line(101, "02A02", "2026-03-01", "2026-06-30", "2026-03-03")})},
  };
  if (const auto reference = iwmo::test::referenceDir()) {
    for (const char* type : {"WMO301", "WMO305", "WMO307", "WMO315", "WMO317", "WMO319"}) {
      out.push_back(
          {std::string("example ") + type, type,
           iwmo::test::readFile(*reference / "iwmo-3.2/examples" / (std::string(type) + ".xml"))});
    }
  }
  return out;
}

std::unique_ptr<ValidatingParser> projectParser() {
  auto parser = ValidatingParser::create(iwmo::test::schemaSet(iwmo::test::projectSchemaDir()));
  REQUIRE(parser);
  return std::move(*parser);
}

// Parses `bytes` with the project schemas; FAILs with every problem when it does not validate.
XmlTree parsed(ValidatingParser& parser, const std::string& bytes) {
  ParseOutcome outcome;
  parser.parse(bytes, outcome);
  for (const auto& problem : outcome.problems) {
    UNSCOPED_INFO(problem.line << ":" << problem.column << " " << problem.code << " "
                               << problem.path << " " << problem.message);
  }
  REQUIRE(outcome.ok());
  return std::move(outcome.tree);
}

std::string retourTypeOf(const std::string& heen_type) {
  return std::string(iwmo::adapters::iwmo::messageTypeByName(heen_type)->pair);
}

bool isClass(const XmlElement& element, const std::string& retour_type) {
  const auto classes = retourClassesOf(retour_type);
  return element.in_root_namespace &&
         std::find(classes.begin(), classes.end(), element.name) != classes.end();
}

// Paths of the class elements of `tree`, in document order.
std::vector<std::string> classPaths(const XmlTree& tree, const std::string& retour_type) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const XmlElement& element = tree.at(static_cast<std::int32_t>(i));
    if (isClass(element, retour_type)) out.push_back(tree.pathOf(element));
  }
  return out;
}

Codes codesIn(const XmlTree& tree, const XmlElement& element) {
  Codes out;
  if (const XmlElement* codes = tree.child(element, "RetourCodes")) {
    for (const XmlElement* code : tree.children(*codes, "RetourCode")) out.push_back(code->text);
  }
  return out;
}

bool addedByRetour(const XmlElement& element) {
  static const std::set<std::string> kAdded = {"RetourCodes", "IdentificatieRetour",
                                               "DagtekeningRetour", "XsdVersieRetour"};
  return element.in_root_namespace && kAdded.count(element.name) != 0;
}

// The retour holds the heen element for element (name, namespace, text; BerichtCode aside),
// plus only what the retour adds. Reports the first difference.
void checkEchoes(const XmlTree& heen, const XmlElement& h, const XmlTree& retour,
                 const XmlElement& r) {
  INFO(heen.pathOf(h));
  REQUIRE(h.name == r.name);
  CHECK(h.in_root_namespace == r.in_root_namespace);
  if (h.name != "BerichtCode") CHECK(h.text == r.text);
  std::vector<const XmlElement*> kept;
  for (const XmlElement* child : retour.children(r)) {
    if (!addedByRetour(*child)) kept.push_back(child);
  }
  const auto heen_children = heen.children(h);
  REQUIRE(heen_children.size() == kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i)
    checkEchoes(heen, *heen_children[i], retour, *kept[i]);
}

// What every retour must say about its heen, whatever the codes: type, header copied (IV028),
// the retour's own header fields.
void checkRetourHeader(const Heen& heen, const std::string& bytes,
                       const TechnicalRetourRequest& request) {
  const iwmo::proto::Envelope heen_envelope = iwmo::test::validateWithProjectSchemas(heen.bytes);
  const iwmo::proto::Envelope envelope = iwmo::test::validateWithProjectSchemas(bytes);
  for (const auto& finding : envelope.verdict().findings()) {
    UNSCOPED_INFO(finding.level() << " " << finding.code() << " " << finding.path() << " "
                                  << finding.message());
  }
  CHECK(envelope.verdict().valid());
  const auto& h = envelope.summary().header();
  const auto& heen_h = heen_envelope.summary().header();
  CHECK(envelope.summary().message_type() == retourTypeOf(heen.type));
  CHECK(h.bericht_code() ==
        iwmo::adapters::iwmo::messageTypeByName(retourTypeOf(heen.type))->bericht_code);
  CHECK(h.bericht_versie() == heen_h.bericht_versie());
  CHECK(h.bericht_subversie() == heen_h.bericht_subversie());
  CHECK(h.afzender() == heen_h.afzender());
  CHECK(h.ontvanger() == heen_h.ontvanger());
  CHECK(h.identificatie() == heen_h.identificatie());
  CHECK(h.dagtekening() == heen_h.dagtekening());
  CHECK(h.basisschema_xsd_versie() == heen_h.basisschema_xsd_versie());
  CHECK(h.bericht_xsd_versie() == heen_h.bericht_xsd_versie());
  CHECK(h.identificatie_retour() == request.identificatie_retour);
  CHECK(h.dagtekening_retour() == request.dagtekening_retour.toString());
  CHECK(Codes(h.retour_codes().begin(), h.retour_codes().end()) == request.header_codes);
  CHECK(envelope.summary().routing().is_retour());
  CHECK(envelope.summary().routing().own_identificatie() == request.identificatie_retour);
  CHECK(bytes.find("XsltVersie") == std::string::npos);
}

TechnicalRetourRequest request(Codes header_codes, bool echo_body) {
  TechnicalRetourRequest r;
  r.identificatie_retour = "R-000000042";
  r.dagtekening_retour = iwmo::Date::fromYmd(2026, 3, 9);
  r.header_codes = std::move(header_codes);
  r.echo_body = echo_body;
  return r;
}

std::string written(const std::string& heen, const TechnicalRetourRequest& request) {
  auto retour = writeTechnicalRetour(heen, request);
  INFO(retour.status().toString());
  REQUIRE(retour);
  return *retour;
}

// The complexTypes of an XSD (by name) whose sequence holds a RetourCodes element, and each
// element declaration's name with its type (local part), read from our schema's text.
struct XsdClasses {
  std::set<std::string> class_types;
  std::multimap<std::string, std::string> element_types;
};

XsdClasses readXsd(const std::string& xsd) {
  XsdClasses out;
  const std::regex type_re("<xs:complexType name=\"(\\w+)\">");
  for (auto it = std::sregex_iterator(xsd.begin(), xsd.end(), type_re);
       it != std::sregex_iterator(); ++it) {
    const auto start = static_cast<std::size_t>(it->position());
    const std::string block = xsd.substr(start, xsd.find("</xs:complexType>", start) - start);
    if (block.find("<xs:element name=\"RetourCodes\"") != std::string::npos) {
      out.class_types.insert((*it)[1]);
    }
  }
  const std::regex element_re("<xs:element name=\"(\\w+)\" type=\"\\w+:(\\w+)\"");
  for (auto it = std::sregex_iterator(xsd.begin(), xsd.end(), element_re);
       it != std::sregex_iterator(); ++it) {
    out.element_types.emplace((*it)[1], (*it)[2]);
  }
  return out;
}

}  // namespace

TEST_CASE("the class table names exactly the elements the retour XSDs give RetourCodes",
          "[retour]") {
  for (const auto& type : iwmo::adapters::iwmo::allMessageTypes()) {
    if (!type.is_retour) {
      CHECK(retourClassesOf(type.name).empty());
      continue;
    }
    const std::string name(type.name);
    INFO(name);
    const XsdClasses xsd =
        readXsd(iwmo::test::readFile(iwmo::test::projectSchemaDir() / (name + ".xsd")));
    CHECK(xsd.class_types.count("Header") == 1);  // its RetourCodes are written apart
    std::set<std::string> from_xsd;
    for (const auto& [element, element_type] : xsd.element_types) {
      if (element != "Header" && xsd.class_types.count(element_type) != 0) from_xsd.insert(element);
    }
    // A name is a class everywhere or nowhere in one message (the writer goes by name).
    for (const auto& [element, element_type] : xsd.element_types) {
      if (element == "Header") continue;
      INFO(element);
      CHECK((from_xsd.count(element) != 0) == (xsd.class_types.count(element_type) != 0));
    }
    const auto table = retourClassesOf(name);
    CHECK(std::set<std::string>(table.begin(), table.end()) == from_xsd);
    CHECK(table.size() == from_xsd.size());  // no duplicates
  }
}

TEST_CASE("XsdVersieRetour is the appinfo version of every retour schema", "[retour]") {
  const std::regex bericht_re("<iwmo:BerichtXsdVersie>([^<]+)</iwmo:BerichtXsdVersie>");
  const std::regex basis_re("<iwmo:BasisschemaXsdVersie>([^<]+)</iwmo:BasisschemaXsdVersie>");
  for (const auto& type : iwmo::adapters::iwmo::allMessageTypes()) {
    if (!type.is_retour) continue;
    const std::string name(type.name);
    INFO(name);
    const std::string xsd = iwmo::test::readFile(iwmo::test::projectSchemaDir() / (name + ".xsd"));
    const std::string appinfo = xsd.substr(0, xsd.find("</xs:appinfo>"));
    std::smatch match;
    REQUIRE(std::regex_search(appinfo, match, bericht_re));
    CHECK(match[1] == std::string(iwmo::adapters::iwmo::kRetourBerichtXsdVersie));
    REQUIRE(std::regex_search(appinfo, match, basis_re));
    CHECK(match[1] == std::string(iwmo::adapters::iwmo::kRetourBasisschemaXsdVersie));
  }
}

TEST_CASE("IV028 level 2: the retour of every heen type is its header with 0001", "[retour]") {
  auto parser = projectParser();
  for (const Heen& heen : heenMessages()) {
    DYNAMIC_SECTION(heen.label) {
      const auto r = request({"0001"}, false);
      const std::string bytes = written(heen.bytes, r);
      const XmlTree tree = parsed(*parser, bytes);
      CHECK(tree.rootNamespace() ==
            std::string(iwmo::adapters::iwmo::messageTypeByName(retourTypeOf(heen.type))->ns));
      REQUIRE(tree.children(tree.root()).size() == 1);  // the Header only
      CHECK(tree.textAt(tree.root(), "Header/XsdVersieRetour/BasisschemaXsdVersie") == "1.0.0");
      CHECK(tree.textAt(tree.root(), "Header/XsdVersieRetour/BerichtXsdVersie") == "1.0.0");
      const XmlTree heen_tree = parsed(*parser, heen.bytes);
      checkEchoes(heen_tree, *heen_tree.child(heen_tree.root(), "Header"), tree,
                  *tree.child(tree.root(), "Header"));
      checkRetourHeader(heen, bytes, r);
      // Deterministic: the same request gives the same bytes.
      CHECK(written(heen.bytes, r) == bytes);
    }
  }
}

TEST_CASE("TR056 retour: the body echoed, 9056 on the header, 0200 on every class", "[retour]") {
  auto parser = projectParser();
  for (const Heen& heen : heenMessages()) {
    DYNAMIC_SECTION(heen.label) {
      const std::string retour_type = retourTypeOf(heen.type);
      const auto r = request({"9056"}, true);
      const std::string bytes = written(heen.bytes, r);
      const XmlTree tree = parsed(*parser, bytes);
      const XmlTree heen_tree = parsed(*parser, heen.bytes);
      checkEchoes(heen_tree, heen_tree.root(), tree, tree.root());
      const auto paths = classPaths(heen_tree, retour_type);
      CHECK(classPaths(tree, retour_type) == paths);
      CHECK_FALSE(paths.empty());
      for (std::size_t i = 0; i < tree.size(); ++i) {
        const XmlElement& element = tree.at(static_cast<std::int32_t>(i));
        if (element.name == "Header" || element.parent == XmlElement::kNone) continue;
        INFO(tree.pathOf(element));
        if (isClass(element, retour_type)) {
          CHECK(codesIn(tree, element) == Codes{"0200"});
          CHECK(tree.at(element.last_child).name == "RetourCodes");  // ends the class
        } else if (tree.parentOf(element)->name != "Header") {
          CHECK(tree.child(element, "RetourCodes") == nullptr);  // wrappers and CDTs get none
        }
      }
      checkRetourHeader(heen, bytes, r);
      const auto envelope = iwmo::test::validateWithProjectSchemas(bytes);
      const auto heen_envelope = iwmo::test::validateWithProjectSchemas(heen.bytes);
      CHECK(envelope.summary().client().bsn() == heen_envelope.summary().client().bsn());
      if (heen_envelope.summary().has_client()) {
        const auto& codes = envelope.summary().client().retour_codes();
        CHECK(Codes(codes.begin(), codes.end()) == Codes{"0200"});
      }
      REQUIRE(envelope.summary().products_size() == heen_envelope.summary().products_size());
      for (const auto& product : envelope.summary().products()) {
        CHECK(Codes(product.retour_codes().begin(), product.retour_codes().end()) == Codes{"0200"});
      }
    }
  }
}

TEST_CASE("level 3: one class gets the rule's code, every other class 0200", "[retour]") {
  auto parser = projectParser();
  for (const Heen& heen : heenMessages()) {
    DYNAMIC_SECTION(heen.label) {
      const std::string retour_type = retourTypeOf(heen.type);
      const XmlTree heen_tree = parsed(*parser, heen.bytes);
      const auto paths = classPaths(heen_tree, retour_type);
      REQUIRE_FALSE(paths.empty());
      auto r = request({}, true);
      r.class_codes[paths.back()] = {"9019", "0233"};
      const std::string bytes = written(heen.bytes, r);
      const XmlTree tree = parsed(*parser, bytes);
      checkEchoes(heen_tree, heen_tree.root(), tree, tree.root());
      for (const std::string& path : classPaths(tree, retour_type)) {
        INFO(path);
        const XmlElement* element = nullptr;
        for (std::size_t i = 0; i < tree.size() && element == nullptr; ++i) {
          if (tree.pathOf(static_cast<std::int32_t>(i)) == path) {
            element = &tree.at(static_cast<std::int32_t>(i));
          }
        }
        REQUIRE(element != nullptr);
        CHECK(codesIn(tree, *element) ==
              (path == paths.back() ? Codes{"9019", "0233"} : Codes{"0200"}));
      }
      checkRetourHeader(heen, bytes, r);
      CHECK(tree.child(*tree.child(tree.root(), "Header"), "RetourCodes") == nullptr);
    }
  }
}

TEST_CASE("level 3 on a WMO305: the second StartProduct gets 9019", "[retour]") {
  const Heen heen = builtWmo305();
  auto r = request({}, true);
  r.class_codes["/Bericht/Client/StartProducten/StartProduct[2]"] = {"9019"};
  const auto envelope = iwmo::test::validateWithProjectSchemas(written(heen.bytes, r));
  CHECK(envelope.verdict().valid());
  CHECK(envelope.summary().message_type() == "WMO306");
  CHECK(envelope.summary().header().identificatie() == "ST-77");
  CHECK(envelope.summary().header().identificatie_retour() == "R-000000042");
  CHECK(envelope.summary().header().retour_codes().empty());
  const auto& client_codes = envelope.summary().client().retour_codes();
  CHECK(Codes(client_codes.begin(), client_codes.end()) == Codes{"0200"});
  REQUIRE(envelope.summary().products_size() == 2);
  const auto& first = envelope.summary().products(0);
  const auto& second = envelope.summary().products(1);
  CHECK(first.toewijzing_nummer() == 100);
  CHECK(Codes(first.retour_codes().begin(), first.retour_codes().end()) == Codes{"0200"});
  CHECK(second.toewijzing_nummer() == 101);
  CHECK(second.code() == "02A02");
  CHECK(Codes(second.retour_codes().begin(), second.retour_codes().end()) == Codes{"9019"});
}

TEST_CASE("special characters in echoed text survive the retour", "[retour]") {
  auto parser = projectParser();
  const std::string heen = iwmo::test::replaceFirst(
      iwmo::test::wmo301(header("TW-78", "2026-02-20"),
                         {line(100, "02A01", "2026-03-01", "2026-12-31", "")}),
      "      </wmo301:ToegewezenProduct>",
      "        <wmo301:Commentaar>Zorg &amp; &lt;hulp&gt; \"thuis\" 'caf\xC3\xA9' ]]&gt;&#13;\n"
      "regel 2</wmo301:Commentaar>\n      </wmo301:ToegewezenProduct>");
  const std::string expected = "Zorg & <hulp> \"thuis\" 'caf\xC3\xA9' ]]>\r\nregel 2";
  const XmlTree heen_tree = parsed(*parser, heen);
  REQUIRE(heen_tree.textAt(heen_tree.root(),
                           "Client/ToegewezenProducten/ToegewezenProduct/Commentaar") == expected);
  const std::string bytes = written(heen, request({"9056"}, true));
  CHECK(bytes.find("Zorg &amp; &lt;hulp&gt;") != std::string::npos);
  const XmlTree tree = parsed(*parser, bytes);
  CHECK(tree.textAt(tree.root(), "Client/ToegewezenProducten/ToegewezenProduct/Commentaar") ==
        expected);
}

TEST_CASE("a retour, a WMO323 and what is no iWmo message get no technical retour", "[retour]") {
  const std::string wmo306 = written(builtWmo305().bytes, request({"0001"}, false));
  auto again = writeTechnicalRetour(wmo306, request({"0001"}, false));
  REQUIRE_FALSE(again);
  CHECK(again.status().code() == StatusCode::kInvalid);
  CHECK_THAT(again.status().message(),
             Catch::Contains("WMO306 is itself a retour (on WMO305); a retour gets no retour"));

  const std::string heen = builtWmo305().bytes;
  auto broken = writeTechnicalRetour(heen.substr(0, heen.size() / 2), request({"0001"}, false));
  REQUIRE_FALSE(broken);
  CHECK(broken.status().code() == StatusCode::kInvalid);
  CHECK_THAT(broken.status().message(), Catch::Contains("cannot read the heen message"));

  auto doctype = writeTechnicalRetour(
      iwmo::test::replaceFirst(heen, "<wmo305:Bericht",
                               "<!DOCTYPE x [<!ENTITY a \"b\">]>\n<wmo305:Bericht"),
      request({"0001"}, false));
  REQUIRE_FALSE(doctype);
  CHECK_THAT(doctype.status().message(), Catch::Contains("DOCTYPE declaration"));

  auto other = writeTechnicalRetour("<?xml version=\"1.0\"?><Bericht xmlns=\"urn:x\"/>",
                                    request({"0001"}, false));
  REQUIRE_FALSE(other);
  CHECK_THAT(other.status().message(), Catch::Contains("is not an iWmo 3.2 message"));

  const auto reference = iwmo::test::referenceDir();
  if (!reference) return;
  auto declaratie = writeTechnicalRetour(
      iwmo::test::readFile(*reference / "iwmo-3.2/examples/WMO323.xml"), request({"0001"}, false));
  REQUIRE_FALSE(declaratie);
  CHECK(declaratie.status().code() == StatusCode::kInvalid);
  CHECK_THAT(declaratie.status().message(),
             Catch::Contains("WMO323 has no technical retour (it is answered by WMO325)"));
}

TEST_CASE("an inconsistent retour request is refused, naming the mistake", "[retour]") {
  const std::string heen = builtWmo305().bytes;
  const auto refused = [&](const TechnicalRetourRequest& r) {
    auto retour = writeTechnicalRetour(heen, r);
    REQUIRE_FALSE(retour);
    CHECK(retour.status().code() == StatusCode::kInvalid);
    return retour.status().message();
  };
  auto r = request({"0001"}, false);
  r.identificatie_retour = "";
  CHECK_THAT(refused(r), Catch::Contains("1 to 12"));
  r.identificatie_retour = "1234567890123";
  CHECK_THAT(refused(r), Catch::Contains("13 characters"));
  r.identificatie_retour =
      "\xC3\xA9"
      "23456789012";  // 12 characters, 13 bytes
  CHECK(writeTechnicalRetour(heen, r));

  r = request({"0001"}, false);
  r.dagtekening_retour = iwmo::Date::fromDays(0);
  CHECK_THAT(refused(r), Catch::Contains("DagtekeningRetour is not set"));
  CHECK_THAT(refused(TechnicalRetourRequest{}), Catch::Contains("1 to 12"));

  r = request({}, false);
  r.class_codes["/Bericht/Client"] = {"9019"};
  CHECK_THAT(refused(r), Catch::Contains("header-only"));

  r = request({}, true);
  r.class_codes["/Bericht/Client/StartProducten/StartProduct[3]"] = {"9019"};
  CHECK_THAT(refused(r), Catch::Contains("StartProduct[3]', which is no class of this WMO305"));
  r.class_codes = {{"/Bericht/Client/StartProducten", {"9019"}}};  // a list wrapper
  CHECK_THAT(refused(r), Catch::Contains("no class"));
  r.class_codes = {{"/Bericht/Client", {}}};
  CHECK_THAT(refused(r), Catch::Contains("is empty"));
  r.class_codes.clear();
  r.default_class_codes.clear();
  CHECK_THAT(refused(r), Catch::Contains("default_class_codes is empty"));
}

TEST_CASE("both parses mark which elements are in the root namespace", "[retour][xml]") {
  auto parser = projectParser();
  auto unvalidated = iwmo::adapters::xml::readUnvalidated(builtWmo305().bytes);
  REQUIRE(unvalidated);
  const XmlTree validated = parsed(*parser, builtWmo305().bytes);
  REQUIRE(unvalidated->size() == validated.size());
  for (std::size_t i = 0; i < validated.size(); ++i) {
    const auto index = static_cast<std::int32_t>(i);
    INFO(validated.pathOf(index));
    CHECK(unvalidated->pathOf(index) == validated.pathOf(index));
    CHECK(unvalidated->at(index).in_root_namespace == validated.at(index).in_root_namespace);
    CHECK(unvalidated->at(index).text == validated.at(index).text);
  }
  CHECK(unvalidated->rootNamespace() == validated.rootNamespace());
  const XmlTree& tree = validated;
  CHECK(tree.root().in_root_namespace);
  CHECK(tree.find(tree.root(), "Header/BerichtIdentificatie")->in_root_namespace);
  CHECK_FALSE(
      tree.find(tree.root(), "Header/BerichtIdentificatie/Identificatie")->in_root_namespace);
  CHECK(tree.find(tree.root(), "Client/Naam")->in_root_namespace);
  CHECK_FALSE(tree.find(tree.root(), "Client/Naam/Geslachtsnaam/Achternaam")->in_root_namespace);
  CHECK_FALSE(
      tree.find(tree.root(), "Client/StartProducten/StartProduct/Product/Code")->in_root_namespace);
  CHECK(tree.find(tree.root(), "Client/StartProducten/StartProduct/Begindatum")->in_root_namespace);
}
