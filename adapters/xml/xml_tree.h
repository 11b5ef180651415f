// XmlTree: the elements of one message as the validating pass saw them: local name, text, and
// where each element starts. Built by ValidatingParser in the same SAX2 pass that validates, so
// the single-message rules and the Envelope extraction never parse the payload a second time.
// Compact by design (one flat vector, indices instead of pointers): a 25 MB message stays a few
// times its size in memory. Attributes are not kept (the iStandaarden use none); of an element's
// namespace only whether it is the root's is kept (iWmo messages use two: the message's own and
// the basisschema's, for the children of basisschema-typed elements).
// Thread-safety: none; a tree belongs to the thread that parsed it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"

namespace iwmo::adapters::xml {

struct XmlElement {
  static constexpr std::int32_t kNone = -1;
  std::string name;  // local name, e.g. "StartProduct"
  std::string text;  // character data directly inside the element
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint32_t occurrence = 1;  // 1-based index among same-named siblings
  bool in_root_namespace = true;  // the element's namespace is XmlTree::rootNamespace()
  std::int32_t parent = kNone;
  std::int32_t first_child = kNone;
  std::int32_t last_child = kNone;
  std::int32_t next_sibling = kNone;
};

class XmlTree {
 public:
  bool empty() const { return elements_.empty(); }
  // REQUIRES: !empty().
  const XmlElement& root() const { return elements_.front(); }
  const std::string& rootNamespace() const { return root_namespace_; }
  std::size_t size() const { return elements_.size(); }

  // The first child named `name`, or nullptr.
  const XmlElement* child(const XmlElement& parent, std::string_view name) const;
  // Follows a '/'-separated chain of first children ("Client/StartProducten"); nullptr if any
  // step is missing.
  const XmlElement* find(const XmlElement& from, std::string_view path) const;
  // The text at `path` below `from`, or "" when absent.
  std::string_view textAt(const XmlElement& from, std::string_view path) const;
  // All children named `name` (all children when name is empty), in document order.
  std::vector<const XmlElement*> children(const XmlElement& parent,
                                          std::string_view name = {}) const;
  const XmlElement* parentOf(const XmlElement& element) const;
  // "/Bericht/Client/StartProducten/StartProduct[2]/Begindatum" (occurrence 1 is not written).
  std::string pathOf(const XmlElement& element) const;
  // The same for the element with this index (kNone gives "/").
  std::string pathOf(std::int32_t index) const;

  // Building (used by ValidatingParser).
  void clear();
  void setRootNamespace(std::string ns) { root_namespace_ = std::move(ns); }
  // Appends a child of `parent` (kNone for the root) and returns its index.
  std::int32_t addElement(std::int32_t parent, std::string name, std::uint32_t line,
                          std::uint32_t column, std::uint32_t occurrence);
  XmlElement& at(std::int32_t index) { return elements_[static_cast<std::size_t>(index)]; }
  const XmlElement& at(std::int32_t index) const {
    return elements_[static_cast<std::size_t>(index)];
  }
  std::int32_t indexOf(const XmlElement& element) const {
    return static_cast<std::int32_t>(&element - elements_.data());
  }

 private:
  std::vector<XmlElement> elements_;
  std::string root_namespace_;
};

// The tree of `bytes` read without a schema: for a message that was validated before (e.g. a heen
// message read back from the journal to answer it). Refuses what ValidatingParser::parse refuses
// before validating (the input checks with the default size limit, a DOCTYPE, bytes that are not
// well-formed); validates nothing. Defined in validating_parser.cpp, which owns the SAX2 handler.
// Errors: kInvalid with the first problem ("line:column: message").
// REQUIRES: a live XercesPlatform. Thread-safety: any thread (one Xerces reader per call).
Result<XmlTree> readUnvalidated(std::string_view bytes);

}  // namespace iwmo::adapters::xml
