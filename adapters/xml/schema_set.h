// SchemaSet: a directory of XML Schemas loaded once into a locked Xerces grammar pool.
//
// The directory is read at run time, so an operator can drop in the official release without a
// rebuild: every *.xsd is read, its targetNamespace mapped to the file, and each grammar
// compiled into the pool. Imports resolve by namespace through that map and includes by file name
// inside the directory; nothing is ever fetched from a network or from outside the directory.
//
// Thread-safety: immutable after load(); the locked pool may be shared by parsers on any thread.
// Lifetime: REQUIRES a live XercesPlatform for as long as the SchemaSet exists.
#pragma once

#include <xercesc/util/XercesDefs.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/base/result.h"

XERCES_CPP_NAMESPACE_BEGIN
class XMLGrammarPool;
XERCES_CPP_NAMESPACE_END

namespace iwmo::adapters::xml {

class SchemaSet {
 public:
  // Loads every *.xsd in `directory` (not recursive).
  // Errors: kNotFound (no such directory, or no *.xsd in it); kFailedPrecondition (a schema does
  // not compile, two files claim one namespace, a file has no targetNamespace), with every
  // problem as "file:line:column: message".
  static Result<std::shared_ptr<const SchemaSet>> load(const std::filesystem::path& directory);
  // Loads every *.xsd of several directories into one pool (e.g. the iWmo and the iEb set), so
  // one parser validates messages of either standard. Namespaces must be unique across them.
  static Result<std::shared_ptr<const SchemaSet>> load(
      const std::vector<std::filesystem::path>& directories);

  ~SchemaSet();
  SchemaSet(const SchemaSet&) = delete;
  SchemaSet& operator=(const SchemaSet&) = delete;

  const std::filesystem::path& directory() const { return directories_.front(); }
  const std::vector<std::filesystem::path>& directories() const { return directories_; }
  bool hasNamespace(const std::string& ns) const { return files_.count(ns) != 0; }
  // targetNamespace → file, sorted by namespace.
  const std::map<std::string, std::filesystem::path>& files() const { return files_; }
  // The locked pool. Borrowed: valid for the SchemaSet's lifetime.
  xercesc::XMLGrammarPool* pool() const { return pool_.get(); }

 private:
  struct PoolDeleter {
    void operator()(xercesc::XMLGrammarPool* pool) const noexcept;
  };
  SchemaSet() = default;

  std::vector<std::filesystem::path> directories_;
  std::map<std::string, std::filesystem::path> files_;
  std::unique_ptr<xercesc::XMLGrammarPool, PoolDeleter> pool_;
};

}  // namespace iwmo::adapters::xml
