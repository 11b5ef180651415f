#include "adapters/iwmo/iwmo_adapter.h"

#include <charconv>
#include <string>

#include "adapters/iwmo/extract.h"
#include "adapters/xml/input_checks.h"
#include "adapters/iwmo/message_types.h"
#include "adapters/iwmo/rules/message_rules.h"
#include "gateway/base/sha256.h"

namespace iwmo::adapters::iwmo {
namespace {

using adapters::xml::XmlProblem;
using adapters::xml::XmlTree;

constexpr const char* kTypeCode = "TYPE";

proto::Finding& addFinding(proto::Envelope& envelope, std::uint32_t level, std::string code,
                           std::string message) {
  proto::Finding& finding = *envelope.mutable_verdict()->add_findings();
  finding.set_level(level);
  finding.set_code(std::move(code));
  finding.set_message(std::move(message));
  return finding;
}

std::string knownNamespacesHint() {
  return "expected the root element Bericht in http://www.istandaarden.nl/iwmo/3_2/wmoNNN/schema for one of " +
         std::string(kIwmoTypesText) + ", or in http://www.istandaarden.nl/ieb/4_0/wmoNNN/schema for one of " +
         std::string(kIebTypesText);
}

// What to tell about a root in a namespace none of our schemas declares: the standard and release
// when it is another iStandaard's ("an iJw 3.2 message: iJw 3.2 is not supported ..."), else the
// namespaces we expect.
std::string foreignNamespaceHint(std::string_view ns) {
  const std::optional<std::string> release = foreignRelease(ns);
  if (!release) return knownNamespacesHint();
  if (*release == "StUF-GGk") {
    return "this is a StUF-GGk document, not a bare message: an envelope is read as one only when "
           "its root is a Di01, Du01 or Fo01 (this gateway handles StUF-GGk 2.1.04 around " +
           supportedReleases() + ")";
  }
  return "this is an " + *release + " message; " + *release + " is not supported: this gateway handles " +
         supportedReleases();
}

// Level 1 type checks: the root is an iWmo message, and BerichtCode agrees with the namespace.
const MessageType* detectType(const XmlTree& tree, proto::Envelope& envelope) {
  if (tree.empty()) return nullptr;
  const MessageType* type = messageTypeByNamespace(tree.rootNamespace());
  const auto& root = tree.root();
  if (type == nullptr || root.name != "Bericht") {
    proto::Finding& finding = addFinding(
        envelope, 1, kTypeCode,
        "unknown message type: root element <" + root.name + "> in namespace '" +
            tree.rootNamespace() + "' is not an iWmo 3.2 or iEb message; " +
            foreignNamespaceHint(tree.rootNamespace()));
    finding.set_line(root.line);
    finding.set_column(root.column);
    finding.set_path("/" + root.name);
    return nullptr;
  }
  const adapters::xml::XmlElement* code = tree.find(root, "Header/BerichtCode");
  if (code != nullptr) {
    std::uint32_t value = 0;
    const auto [end, error] =
        std::from_chars(code->text.data(), code->text.data() + code->text.size(), value);
    const MessageType* by_code =
        (error == std::errc() && end == code->text.data() + code->text.size())
            ? messageTypeByCode(value)
            : nullptr;
    if (by_code != type) {
      proto::Finding& finding = addFinding(
          envelope, 1, kTypeCode,
          "inconsistent message type: the root namespace says " + std::string(type->name) +
              " (BerichtCode " + std::to_string(type->bericht_code) + ") but Header/BerichtCode is '" +
              code->text + "'" +
              (by_code != nullptr ? " (" + std::string(by_code->name) + ")" : std::string()) +
              "; namespace and BerichtCode must name the same message");
      finding.set_line(code->line);
      finding.set_column(code->column);
      finding.set_path(tree.pathOf(*code));
    }
  }
  return type;
}

}  // namespace

Result<std::unique_ptr<IwmoAdapter>> IwmoAdapter::create(
    std::shared_ptr<const adapters::xml::SchemaSet> schemas, adapters::xml::ParseLimits limits,
    BsnPseudonymiser pseudonymise) {
  auto parser = adapters::xml::ValidatingParser::create(std::move(schemas), limits);
  if (!parser) return parser.status();
  return std::unique_ptr<IwmoAdapter>(new IwmoAdapter(std::move(*parser), std::move(pseudonymise)));
}

void IwmoAdapter::hideBsnsInFindings(proto::Envelope& envelope) const {
  if (!pseudonymise_ || envelope.verdict().findings_size() == 0) return;
  // Every Bsn as written, valid or not, wherever it stands (Client, Prestatie, iEb records).
  std::vector<std::string> bsns;
  const XmlTree& tree = outcome_.tree;
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const adapters::xml::XmlElement& element = tree.at(static_cast<std::int32_t>(i));
    if (element.name == "Bsn" && !element.text.empty()) bsns.push_back(element.text);
  }
  for (proto::Finding& finding : *envelope.mutable_verdict()->mutable_findings()) {
    finding.set_message(hideBsns(finding.message(), bsns, pseudonymise_));
  }
}

void IwmoAdapter::validate(std::string_view payload, std::string_view source,
                           proto::Envelope& envelope) {
  envelope.Clear();
  envelope.set_source(std::string(source));
  envelope.set_payload(std::string(payload));
  envelope.set_payload_sha256(sha256Hex(payload));
  envelope.set_payload_size(payload.size());

  parser_->parse(payload, outcome_);
  const XmlTree& tree = outcome_.tree;

  bool unknown_namespace = false;
  for (const XmlProblem& problem : outcome_.problems) {
    if (problem.code == XmlProblem::kSchema) {
      unknown_namespace = true;
      proto::Finding& finding =
          addFinding(envelope, 1, kTypeCode,
                     "unknown message type: " + problem.message + "; " + foreignNamespaceHint(tree.rootNamespace()));
      finding.set_path(problem.path);
      finding.set_line(problem.line);
      finding.set_column(problem.column);
      continue;
    }
    proto::Finding& finding = addFinding(envelope, 1, problem.code, problem.message);
    finding.set_line(problem.line);
    finding.set_column(problem.column);
    finding.set_path(problem.path);
  }
  const MessageType* type = unknown_namespace ? nullptr : detectType(tree, envelope);
  if (type != nullptr) envelope.set_standard(std::string(type->standard));
  extractSummary(type, tree, *envelope.mutable_summary());

  proto::Verdict& verdict = *envelope.mutable_verdict();
  verdict.set_findings_truncated(outcome_.truncated);
  if (verdict.findings_size() > 0 || type == nullptr) {
    verdict.set_valid(false);
    verdict.set_level(1);
    hideBsnsInFindings(envelope);
    return;
  }
  for (const RuleViolation& violation : checkMessageRules(*type, tree)) {
    proto::Finding& finding = addFinding(envelope, 2, violation.code, violation.message);
    finding.set_retourcode(std::string(kLevel2Retourcode));
    finding.set_line(violation.element->line);
    finding.set_column(violation.element->column);
    finding.set_path(tree.pathOf(*violation.element));
  }
  verdict.set_valid(verdict.findings_size() == 0);
  verdict.set_level(verdict.valid() ? 0 : 2);
  hideBsnsInFindings(envelope);
}

void IwmoAdapter::refuseOversize(std::uint64_t size, std::string_view sha256, std::string_view source,
                                 proto::Envelope& envelope) {
  envelope.Clear();
  envelope.set_source(std::string(source));
  envelope.set_payload_size(size);
  envelope.set_payload_sha256(std::string(sha256));
  const XmlProblem problem = adapters::xml::oversizeProblem(size, parser_->limits().max_input_bytes);
  addFinding(envelope, 1, problem.code, problem.message);
  envelope.mutable_verdict()->set_valid(false);
  envelope.mutable_verdict()->set_level(1);
}

}  // namespace iwmo::adapters::iwmo
