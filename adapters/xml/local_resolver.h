// LocalSchemaResolver: the only entity resolver adapters/xml installs. It answers schema imports
// by namespace and schema includes by file name, and only with files of the SchemaSet's
// directories (an include is looked up in each directory in order).
// Everything else (external entities, DTDs, unknown namespaces, any URL) gets no input source;
// with Xerces' default entity resolution disabled that is a hard error, never a fetch.
// Thread-safety: immutable after construction.
#pragma once

#include <xercesc/util/XMLEntityResolver.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace iwmo::adapters::xml {

class LocalSchemaResolver : public xercesc::XMLEntityResolver {
 public:
  // Borrows `files` (namespace → file) and `directories`; both must outlive the resolver.
  LocalSchemaResolver(const std::map<std::string, std::filesystem::path>& files,
                      const std::vector<std::filesystem::path>& directories)
      : files_(files), directories_(directories) {}

  xercesc::InputSource* resolveEntity(xercesc::XMLResourceIdentifier* resource) override;

 private:
  const std::map<std::string, std::filesystem::path>& files_;
  const std::vector<std::filesystem::path>& directories_;
};

}  // namespace iwmo::adapters::xml
