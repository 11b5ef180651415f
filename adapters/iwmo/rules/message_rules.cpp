#include "adapters/iwmo/rules/message_rules.h"

#include <charconv>

#include "adapters/iwmo/rules/rule_context.h"

namespace iwmo::adapters::iwmo {

namespace rules {
namespace {

// XML whitespace around a value of a collapsing type (xs:date, xs:integer).
std::string_view trimmed(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

RuleContext::RuleContext(const MessageType& type, const XmlTree& tree,
                         std::vector<RuleViolation>& out)
    : type_(type), tree_(tree), out_(out) {
  dagtekening_ = Date::parse(tree.textAt(tree.root(), "Header/BerichtIdentificatie/Dagtekening"));
}

bool RuleContext::isFamily(std::string_view heen) const {
  return type_.name == heen || (type_.is_retour && type_.pair == heen);
}

void RuleContext::report(std::string_view code, const XmlElement& where, std::string message) {
  out_.push_back(RuleViolation{std::string(code), &where, std::move(message)});
}

std::optional<Date> RuleContext::date(const XmlElement& parent, std::string_view path) const {
  const XmlElement* element = tree_.find(parent, path);
  if (element == nullptr) return std::nullopt;
  return Date::parse(trimmed(element->text));
}

std::optional<std::int64_t> RuleContext::integer(const XmlElement& parent,
                                                 std::string_view path) const {
  const XmlElement* element = tree_.find(parent, path);
  if (element == nullptr) return std::nullopt;
  std::string_view text = trimmed(element->text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::vector<const XmlElement*> RuleContext::all(std::string_view name) const {
  std::vector<const XmlElement*> out;
  for (std::size_t i = 0; i < tree_.size(); ++i) {
    const XmlElement& e = tree_.at(static_cast<std::int32_t>(i));
    if (e.name == name) out.push_back(&e);
  }
  return out;
}

}  // namespace rules

std::vector<RuleViolation> checkMessageRules(const MessageType& type,
                                             const adapters::xml::XmlTree& tree) {
  std::vector<RuleViolation> violations;
  if (tree.empty()) return violations;
  rules::RuleContext context(type, tree, violations);
  rules::checkCommonRules(context);
  rules::checkKeyUniqueness(context);
  rules::checkToewijzingRules(context);
  rules::checkStartStopRules(context);
  rules::checkVerzoekRules(context);
  rules::checkAntwoordRules(context);
  rules::checkDeclaratieRules(context);
  rules::checkIebRules(context);
  return violations;
}

}  // namespace iwmo::adapters::iwmo
