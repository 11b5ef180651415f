// ValidatingParser: one streaming pass over a message that (1) refuses hostile or malformed
// input, (2) validates it against a SchemaSet with Xerces-C SAX2, and (3) captures its elements
// in an XmlTree for the standard adapters' rules and extraction (DESIGN §5.1 step 2).
//
// Security (non-negotiable 4): input over the size limit, with a BOM, not UTF-8, or declaring
// another encoding is refused before parsing; elements nested deeper than max_element_depth end
// the parse at the first one too deep; a DOCTYPE stops the parse at the declaration (no
// DTD, no internal subset, so no entity expansion and no XXE); external entities and schema
// locations named in the document are never resolved; grammars come only from the locked pool.
//
// Thread-safety: one parser per thread (it owns a Xerces reader); the SchemaSet it shares is
// immutable. parse() never throws: every failure becomes an XmlProblem.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "adapters/xml/schema_set.h"
#include "adapters/xml/xml_problem.h"
#include "adapters/xml/xml_tree.h"
#include "gateway/base/result.h"

namespace iwmo::adapters::xml {

struct ParseLimits {
  static constexpr std::size_t kDefaultMaxInputBytes = 25u * 1024u * 1024u;  // GGk: 25 MB
  std::size_t max_input_bytes = kDefaultMaxInputBytes;
  std::size_t max_problems = 50;  // further problems are counted as `truncated`
  // Elements nested deeper than this end the parse at once with a problem (issue 16: Xerces
  // spends time quadratic in the depth, 100 000 levels took 9 s). An iWmo message nests about 8
  // levels, a StUF-GGk envelope about 6.
  static constexpr std::size_t kDefaultMaxElementDepth = 64;
  std::size_t max_element_depth = kDefaultMaxElementDepth;
};

struct ParseOutcome {
  XmlTree tree;  // complete when ok(); as far as the parser got otherwise
  std::vector<XmlProblem> problems;
  bool truncated = false;  // more problems than ParseLimits::max_problems
  bool ok() const { return problems.empty(); }
};

class ValidatingParser {
 public:
  // Errors: kInternal when Xerces cannot create a reader.
  static Result<std::unique_ptr<ValidatingParser>> create(std::shared_ptr<const SchemaSet> schemas,
                                                          ParseLimits limits = {});
  ~ValidatingParser();
  ValidatingParser(const ValidatingParser&) = delete;
  ValidatingParser& operator=(const ValidatingParser&) = delete;

  // Checks, validates and captures `bytes`. `outcome` is overwritten (its buffers are reused).
  void parse(std::string_view bytes, ParseOutcome& outcome);

  const SchemaSet& schemas() const;
  const ParseLimits& limits() const;

 private:
  struct Impl;
  explicit ValidatingParser(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iwmo::adapters::xml
