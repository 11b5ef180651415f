#include "adapters/stuf/envelope_reader.h"

#include <utility>

#include "adapters/stuf/base64.h"
#include "adapters/stuf/payload_checks.h"

namespace iwmo::adapters::stuf {
namespace {

using adapters::xml::XmlElement;
using adapters::xml::XmlProblem;
using adapters::xml::XmlTree;

std::string text(const XmlTree& tree, const XmlElement& from, std::string_view path) {
  return std::string(tree.textAt(from, path));
}

void readSystem(const XmlTree& tree, const XmlElement* system, StufSystem& out) {
  if (system == nullptr) return;
  out.organisatie = text(tree, *system, "organisatie");
  out.applicatie = text(tree, *system, "applicatie");
  out.administratie = text(tree, *system, "administratie");
  out.gebruiker = text(tree, *system, "gebruiker");
}

// The stuurgegevens and parameters of a Di01/Du01, without the payload.
void readEnvelopeFields(const XmlTree& tree, GgkEnvelope& out) {
  const XmlElement& root = tree.root();
  if (const XmlElement* stuur = tree.child(root, "stuurgegevens")) {
    readSystem(tree, tree.child(*stuur, "zender"), out.zender);
    readSystem(tree, tree.child(*stuur, "ontvanger"), out.ontvanger);
    out.referentienummer = text(tree, *stuur, "referentienummer");
    out.tijdstip_bericht = text(tree, *stuur, "tijdstipBericht");
    out.cross_refnummer = text(tree, *stuur, "crossRefnummer");
    out.functie = text(tree, *stuur, "functie");
  }
  if (const XmlElement* parameters = tree.child(root, "parameters")) {
    out.applicatie_versie = text(tree, *parameters, "applicatieVersie");
    out.applicatie_subversie = text(tree, *parameters, "applicatieSubversie");
    out.functie_versie = text(tree, *parameters, "functieVersie");
    out.functie_subversie = text(tree, *parameters, "functieSubversie");
  }
}

void readFo01Fields(const XmlTree& tree, Fo01Bericht& out) {
  const XmlElement& root = tree.root();
  if (const XmlElement* stuur = tree.child(root, "stuurgegevens")) {
    readSystem(tree, tree.child(*stuur, "zender"), out.zender);
    readSystem(tree, tree.child(*stuur, "ontvanger"), out.ontvanger);
    out.referentienummer = text(tree, *stuur, "referentienummer");
    out.tijdstip_bericht = text(tree, *stuur, "tijdstipBericht");
    out.cross_refnummer = text(tree, *stuur, "crossRefnummer");
  }
  if (const XmlElement* body = tree.child(root, "body")) {
    out.code = text(tree, *body, "code");
    out.plek = text(tree, *body, "plek");
    out.omschrijving = text(tree, *body, "omschrijving");
    out.details = text(tree, *body, "details");
    out.has_details_xml = tree.child(*body, "detailsXML") != nullptr;
  }
}

BerichtKind kindOf(const XmlTree& tree) {
  if (tree.empty()) return BerichtKind::Unknown;
  const std::string& name = tree.root().name;
  if (tree.rootNamespace() == kGgkNamespace) {
    if (name == kDi01Element) return BerichtKind::Di01;
    if (name == kDu01Element) return BerichtKind::Du01;
  } else if (tree.rootNamespace() == kStufNamespace && name == kFo01Element) {
    return BerichtKind::Fo01;
  }
  return BerichtKind::Unknown;
}

std::string whatIsRead(BerichtKind kind) {
  switch (kind) {
    case BerichtKind::Di01:
      return "Di01 envelope";
    case BerichtKind::Du01:
      return "Du01 envelope";
    case BerichtKind::Fo01:
      return "Fo01";
    case BerichtKind::Unknown:
      break;
  }
  return "StUF-GGk document";
}

}  // namespace

Status ReadOutcome::status() const {
  if (problems.empty()) return Status::ok();
  const EnvelopeProblem& first = problems.front();
  std::string message = whatIsRead(kind) + " refused: ";
  if (!first.element.empty()) message += first.element + ": ";
  message += first.rule + ": " + first.message;
  if (first.line != 0) {
    message += " (line " + std::to_string(first.line) + ", column " + std::to_string(first.column) + ")";
  }
  if (problems.size() > 1 || truncated) {
    message += "; and " + std::to_string(problems.size() - 1) + (truncated ? "+" : "") +
               " more problem(s)";
  }
  return Status::invalid(std::move(message));
}

EnvelopeReader::EnvelopeReader(std::unique_ptr<adapters::xml::ValidatingParser> parser,
                               ReaderLimits limits)
    : parser_(std::move(parser)), limits_(limits) {}
EnvelopeReader::~EnvelopeReader() = default;

Result<std::unique_ptr<EnvelopeReader>> EnvelopeReader::create(
    std::shared_ptr<const adapters::xml::SchemaSet> schemas, ReaderLimits limits) {
  for (std::string_view ns : {kStufNamespace, kGgkNamespace}) {
    if (!schemas->hasNamespace(std::string(ns))) {
      return Status::failedPrecondition(
          "schema set " + schemas->directory().string() + " has no schema for namespace " +
          std::string(ns) + "; point the StUF-GGk schema directory at schemas/stuf-ggk");
    }
  }
  adapters::xml::ParseLimits parse_limits;
  parse_limits.max_input_bytes = limits.max_envelope_bytes;
  parse_limits.max_problems = limits.max_problems;
  parse_limits.max_element_depth = limits.max_element_depth;
  auto parser = adapters::xml::ValidatingParser::create(std::move(schemas), parse_limits);
  if (!parser) return parser.status();
  return std::unique_ptr<EnvelopeReader>(new EnvelopeReader(std::move(*parser), limits));
}

void EnvelopeReader::read(std::string_view bytes, ReadOutcome& outcome) {
  outcome = ReadOutcome{};
  // [SPEC4] p.16 (Di01), p.19 (Du01): at most 25 MB for the whole envelope, base64 included.
  // The GGk answers a larger one with IB007 (VECOZO: CC03); we refuse it before parsing.
  if (bytes.size() > limits_.max_envelope_bytes) {
    EnvelopeProblem problem;
    problem.rule = EnvelopeProblem::kSize;
    problem.message = "the document is " + std::to_string(bytes.size()) +
                      " bytes; the limit is " + std::to_string(limits_.max_envelope_bytes) +
                      " bytes for the whole envelope, base64 payload included (StUF-GGk 2.1.04: "
                      "25 MB); the sender must split the delivery";
    outcome.problems.push_back(std::move(problem));
    return;
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);

  parser_->parse(bytes, parse_);
  const XmlTree& tree = parse_.tree;
  outcome.kind = kindOf(tree);
  outcome.truncated = parse_.truncated;
  for (XmlProblem& p : parse_.problems) {
    EnvelopeProblem problem;
    problem.element = std::move(p.path);
    problem.rule = (p.code == XmlProblem::kXsd || p.code == XmlProblem::kSchema)
                       ? EnvelopeProblem::kXsd
                       : EnvelopeProblem::kXml;
    problem.message = std::move(p.message);
    problem.line = p.line;
    problem.column = p.column;
    outcome.problems.push_back(std::move(problem));
  }

  // Read what can be read, also from a refused document: whom to answer, about which envelope.
  if (outcome.kind == BerichtKind::Di01 || outcome.kind == BerichtKind::Du01) {
    outcome.envelope.kind = outcome.kind;
    readEnvelopeFields(tree, outcome.envelope);
  } else if (outcome.kind == BerichtKind::Fo01) {
    readFo01Fields(tree, outcome.fo01);
  }
  if (!outcome.problems.empty()) return;

  if (outcome.kind == BerichtKind::Unknown) {
    EnvelopeProblem problem;
    problem.element = tree.empty() ? "" : "/" + tree.root().name;
    problem.rule = EnvelopeProblem::kRoot;
    problem.message = "the root element <" + (tree.empty() ? std::string() : tree.root().name) +
                      "> in namespace '" + tree.rootNamespace() +
                      "' is not a StUF-GGk envelope; expected " + std::string(kDi01Element) +
                      " or " + std::string(kDu01Element) + " in " + std::string(kGgkNamespace) +
                      ", or " + std::string(kFo01Element) + " in " + std::string(kStufNamespace);
    outcome.problems.push_back(std::move(problem));
    return;
  }
  if (outcome.kind == BerichtKind::Fo01) return;

  // The payload: exactly one of xmlBestand / tekstBestand (the schema's choice).
  const XmlElement* bericht = tree.find(tree.root(), "parameters/bericht");
  const XmlElement* file = bericht == nullptr ? nullptr : tree.child(*bericht, "xmlBestand");
  outcome.envelope.payload_kind = PayloadKind::Xml;
  if (file == nullptr && bericht != nullptr) {
    file = tree.child(*bericht, "tekstBestand");
    outcome.envelope.payload_kind = PayloadKind::Text;
  }
  if (file == nullptr) {  // cannot happen with a schema set that has the official structure
    EnvelopeProblem problem;
    problem.element = "/" + tree.root().name + "/parameters/bericht";
    problem.rule = EnvelopeProblem::kXsd;
    problem.message = "no xmlBestand or tekstBestand; the envelope carries no payload";
    outcome.problems.push_back(std::move(problem));
    outcome.envelope.payload_kind = PayloadKind::None;
    return;
  }
  const std::string element = tree.pathOf(*file);
  // [SPEC4] §2.2 p.8: the payload travels base64 inside the envelope (not MTOM, not CDATA).
  Result<std::string> decoded = base64Decode(file->text);
  if (!decoded) {
    EnvelopeProblem problem;
    problem.element = element;
    problem.rule = EnvelopeProblem::kBase64;
    problem.message = decoded.status().message();
    problem.line = file->line;
    problem.column = file->column;
    outcome.problems.push_back(std::move(problem));
    outcome.envelope.payload_kind = PayloadKind::None;
    return;
  }
  // [SPEC4] §2.2 p.8: UTF-8 without BOM. A tekstBestand (CSV, PDF ...) is any file: not checked.
  if (outcome.envelope.payload_kind == PayloadKind::Xml) {
    if (auto problem = checkXmlPayload(*decoded, element)) {
      problem->line = file->line;
      problem->column = file->column;
      outcome.problems.push_back(std::move(*problem));
      outcome.envelope.payload_kind = PayloadKind::None;
      return;
    }
  }
  outcome.envelope.payload = std::move(*decoded);
}

Result<GgkEnvelope> EnvelopeReader::unwrap(std::string_view bytes) {
  ReadOutcome outcome;
  read(bytes, outcome);
  if (!outcome.ok()) return outcome.status();
  if (outcome.kind == BerichtKind::Fo01) {
    return Status::invalid("expected a Di01 or Du01 envelope, got a StUF Fo01 (code " +
                           outcome.fo01.code + ", crossRefnummer " + outcome.fo01.cross_refnummer +
                           ")");
  }
  return std::move(outcome.envelope);
}

Result<Fo01Bericht> EnvelopeReader::readFo01(std::string_view bytes) {
  ReadOutcome outcome;
  read(bytes, outcome);
  if (!outcome.ok()) return outcome.status();
  if (outcome.kind != BerichtKind::Fo01) {
    return Status::invalid("expected a StUF Fo01, got a " + std::string(berichtKindName(outcome.kind)) +
                           " envelope (referentienummer " + outcome.envelope.referentienummer + ")");
  }
  return std::move(outcome.fo01);
}

}  // namespace iwmo::adapters::stuf
