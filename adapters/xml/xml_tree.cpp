#include "adapters/xml/xml_tree.h"

namespace iwmo::adapters::xml {

const XmlElement* XmlTree::child(const XmlElement& parent, std::string_view name) const {
  for (std::int32_t i = parent.first_child; i != XmlElement::kNone; i = at(i).next_sibling) {
    if (at(i).name == name) return &at(i);
  }
  return nullptr;
}

const XmlElement* XmlTree::find(const XmlElement& from, std::string_view path) const {
  const XmlElement* current = &from;
  while (current != nullptr && !path.empty()) {
    const std::size_t slash = path.find('/');
    current = child(*current, path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return current;
}

std::string_view XmlTree::textAt(const XmlElement& from, std::string_view path) const {
  const XmlElement* found = find(from, path);
  return found == nullptr ? std::string_view{} : std::string_view{found->text};
}

std::vector<const XmlElement*> XmlTree::children(const XmlElement& parent,
                                                 std::string_view name) const {
  std::vector<const XmlElement*> out;
  for (std::int32_t i = parent.first_child; i != XmlElement::kNone; i = at(i).next_sibling) {
    if (name.empty() || at(i).name == name) out.push_back(&at(i));
  }
  return out;
}

const XmlElement* XmlTree::parentOf(const XmlElement& element) const {
  return element.parent == XmlElement::kNone ? nullptr : &at(element.parent);
}

std::string XmlTree::pathOf(const XmlElement& element) const { return pathOf(indexOf(element)); }

std::string XmlTree::pathOf(std::int32_t index) const {
  if (index == XmlElement::kNone) return "/";
  std::vector<std::int32_t> chain;
  for (std::int32_t i = index; i != XmlElement::kNone; i = at(i).parent) chain.push_back(i);
  std::string path;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const XmlElement& e = at(*it);
    path += '/';
    path += e.name;
    if (e.occurrence > 1) {
      path += '[';
      path += std::to_string(e.occurrence);
      path += ']';
    }
  }
  return path;
}

void XmlTree::clear() {
  elements_.clear();
  root_namespace_.clear();
}

std::int32_t XmlTree::addElement(std::int32_t parent, std::string name, std::uint32_t line,
                                 std::uint32_t column, std::uint32_t occurrence) {
  const auto index = static_cast<std::int32_t>(elements_.size());
  XmlElement& e = elements_.emplace_back();
  e.name = std::move(name);
  e.line = line;
  e.column = column;
  e.occurrence = occurrence;
  e.parent = parent;
  if (parent != XmlElement::kNone) {
    XmlElement& p = at(parent);
    if (p.last_child == XmlElement::kNone) {
      p.first_child = index;
    } else {
      at(p.last_child).next_sibling = index;
    }
    p.last_child = index;
  }
  return index;
}

}  // namespace iwmo::adapters::xml
