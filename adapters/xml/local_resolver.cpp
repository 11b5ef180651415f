#include "adapters/xml/local_resolver.h"

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>

#include "adapters/xml/xml_text.h"

namespace iwmo::adapters::xml {

xercesc::InputSource* LocalSchemaResolver::resolveEntity(xercesc::XMLResourceIdentifier* resource) {
  if (resource == nullptr) return nullptr;
  std::filesystem::path file;
  switch (resource->getResourceIdentifierType()) {
    case xercesc::XMLResourceIdentifier::SchemaImport:
    case xercesc::XMLResourceIdentifier::SchemaGrammar: {
      const auto found = files_.find(toUtf8(resource->getNameSpace()));
      if (found == files_.end()) return nullptr;
      file = found->second;
      break;
    }
    case xercesc::XMLResourceIdentifier::SchemaInclude:
    case xercesc::XMLResourceIdentifier::SchemaRedefine: {
      // Only a plain file name inside a schema directory; no paths, no URLs.
      const std::filesystem::path requested(toUtf8(resource->getSystemId()));
      const std::filesystem::path name = requested.filename();
      if (name.empty() || name != requested) return nullptr;
      for (const auto& directory : directories_) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(directory / name, ec)) {
          file = directory / name;
          break;
        }
      }
      if (file.empty()) return nullptr;
      break;
    }
    default:
      return nullptr;  // external entities, DTDs, anything else: refused
  }
  const std::u16string path = toUtf16(file.string());
  return new xercesc::LocalFileInputSource(path.c_str());
}

}  // namespace iwmo::adapters::xml
