#include "adapters/xml/content_model.h"

#include <vector>

namespace iwmo::adapters::xml {
namespace {

struct Particle {
  std::string name;
  bool required = true;  // no ? or *
  bool repeats = false;  // * or +
};

// "(A,B?,C*,D+)" -> the particles; nullopt for anything but a flat sequence of names.
std::optional<std::vector<Particle>> parseSequence(std::string_view model) {
  if (model.size() < 2 || model.front() != '(' || model.back() != ')') return std::nullopt;
  model = model.substr(1, model.size() - 2);
  std::vector<Particle> particles;
  while (!model.empty()) {
    const std::size_t comma = model.find(',');
    std::string_view token = model.substr(0, comma);
    model = comma == std::string_view::npos ? std::string_view() : model.substr(comma + 1);
    Particle particle;
    if (!token.empty() && (token.back() == '?' || token.back() == '*' || token.back() == '+')) {
      particle.required = token.back() == '+';
      particle.repeats = token.back() != '?';
      token.remove_suffix(1);
    }
    if (token.empty()) return std::nullopt;
    for (char c : token) {
      const bool name_char = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                             c == '-' || c == '.' || c == ':';
      if (!name_char) return std::nullopt;  // a choice, a group, a wildcard
    }
    if (const std::size_t colon = token.find(':'); colon != std::string_view::npos) token = token.substr(colon + 1);
    particle.name = std::string(token);
    particles.push_back(std::move(particle));
  }
  return particles;
}

// The model in a Xerces message: the text between "content model '" and the next "'".
std::optional<std::string_view> modelIn(std::string_view message) {
  constexpr std::string_view kMarker = "content model '";
  const std::size_t at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t start = at + kMarker.size();
  const std::size_t end = message.find('\'', start);
  if (end == std::string_view::npos) return std::nullopt;
  return message.substr(start, end - start);
}

std::string tag(std::string_view name) { return "<" + std::string(name) + ">"; }

std::string lineOf(const XmlElement& element) { return "line " + std::to_string(element.line); }

// The index of the particle named `name`, or npos.
std::size_t particleOf(const std::vector<Particle>& model, std::string_view name) {
  for (std::size_t i = 0; i < model.size(); ++i) {
    if (model[i].name == name) return i;
  }
  return std::string::npos;
}

bool inModel(const std::vector<Particle>& model, std::string_view name) {
  return particleOf(model, name) != std::string::npos;
}

ContentModelFinding outOfPlace(const XmlElement& parent, const XmlElement& child, std::string_view model) {
  ContentModelFinding finding;
  finding.line = child.line;
  finding.column = child.column;
  finding.message = tag(parent.name) + ": " + tag(child.name) + " (" + lineOf(child) +
                    ") is out of order or once too often here; the schema allows " + std::string(model) +
                    ": move or remove it";
  return finding;
}

ContentModelFinding notInModel(const XmlElement& parent, const XmlElement& child, std::string_view model) {
  ContentModelFinding finding;
  finding.line = child.line;
  finding.column = child.column;
  finding.message = tag(parent.name) + ": " + tag(child.name) + " (" + lineOf(child) + ") is not part of " +
                    tag(parent.name) + " (the schema allows " + std::string(model) +
                    "): remove it, or check its spelling";
  return finding;
}

}  // namespace

std::optional<ContentModelFinding> explainContentModel(const XmlTree& tree, std::int32_t element,
                                                       std::string_view xerces_message) {
  if (element == XmlElement::kNone || element >= static_cast<std::int32_t>(tree.size())) return std::nullopt;
  if (xerces_message.find("missing elements in content model") == std::string_view::npos &&
      xerces_message.find("is not allowed for content model") == std::string_view::npos &&
      xerces_message.find("empty content is not valid for content model") == std::string_view::npos) {
    return std::nullopt;
  }
  const auto model_text = modelIn(xerces_message);
  if (!model_text) return std::nullopt;
  const auto model = parseSequence(*model_text);
  if (!model) return std::nullopt;
  const XmlElement& parent = tree.at(element);
  const std::vector<const XmlElement*> children = tree.children(parent);

  std::size_t next = 0;  // the first child not yet matched
  for (std::size_t i = 0; i < model->size(); ++i) {
    const Particle& particle = (*model)[i];
    std::size_t seen = 0;
    while (next < children.size() && children[next]->name == particle.name && (seen == 0 || particle.repeats)) {
      ++next;
      ++seen;
    }
    if (seen > 0 || !particle.required) continue;
    const XmlElement* follows = next < children.size() ? children[next] : nullptr;
    if (follows != nullptr) {
      const std::size_t belongs = particleOf(*model, follows->name);
      if (belongs == std::string::npos) return notInModel(parent, *follows, *model_text);
      // It belongs to a particle already passed: a repeat, or out of order; not this one's fault.
      if (belongs < i) return outOfPlace(parent, *follows, *model_text);
    }
    // `particle` is missing. Is it there, but further on (misplaced)?
    ContentModelFinding finding;
    const XmlElement* later = nullptr;
    for (std::size_t k = next; k < children.size(); ++k) {
      if (children[k]->name == particle.name) {
        later = children[k];
        break;
      }
    }
    // After the last element that is there (an optional one before it may be absent).
    const std::string where = next == 0 ? "first in " + tag(parent.name) : "after " + tag(children[next - 1]->name);
    if (later != nullptr) {
      finding.message = tag(parent.name) + ": " + tag(particle.name) + " (" + lineOf(*later) +
                        ") is out of order: it belongs " + where + (follows ? ", before " + tag(follows->name) : "") +
                        "; move it there (the schema fixes the order " + std::string(*model_text) + ")";
      finding.line = later->line;
      finding.column = later->column;
    } else {
      finding.message = tag(parent.name) + " is missing " + tag(particle.name) + ", which belongs " + where +
                        (follows ? ", before " + tag(follows->name) + " (" + lineOf(*follows) + ")"
                                 : children.empty() ? "" : ", at the end") +
                        "; add it (the schema requires " + std::string(*model_text) + ")";
      if (follows != nullptr) {
        finding.line = follows->line;
        finding.column = follows->column;
      }
    }
    return finding;
  }
  if (next < children.size()) {
    // Every particle matched, and a child is left over: not part of the model, or one too many.
    const XmlElement& extra = *children[next];
    if (!inModel(*model, extra.name)) return notInModel(parent, extra, *model_text);
    return outOfPlace(parent, extra, *model_text);
  }
  return std::nullopt;  // the model matched: Xerces saw something this reading does not
}

}  // namespace iwmo::adapters::xml
