#include "adapters/xml/schema_set.h"

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/XMLGrammarPoolImpl.hpp>
#include <xercesc/framework/XMLSchemaDescription.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include <algorithm>
#include <optional>

#include "adapters/xml/local_resolver.h"
#include "adapters/xml/xml_text.h"

namespace iwmo::adapters::xml {
namespace {

using xercesc::XMLUni;

// Collects every problem Xerces reports while compiling schemas, as "file:line:column: message".
class SchemaErrorCollector : public xercesc::DefaultHandler {
 public:
  void warning(const xercesc::SAXParseException&) override {}
  void error(const xercesc::SAXParseException& e) override { add(e); }
  void fatalError(const xercesc::SAXParseException& e) override { add(e); }
  const std::vector<std::string>& problems() const { return problems_; }
  void note(std::string problem) { problems_.push_back(std::move(problem)); }

 private:
  void add(const xercesc::SAXParseException& e) {
    problems_.push_back(toUtf8(e.getSystemId()) + ":" + std::to_string(e.getLineNumber()) + ":" +
                        std::to_string(e.getColumnNumber()) + ": " + toUtf8(e.getMessage()));
  }
  std::vector<std::string> problems_;
};

// Reads the root element of a schema file and stops: is it xs:schema, and which targetNamespace?
class RootPeek : public xercesc::DefaultHandler {
 public:
  struct Stop {};
  void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh*,
                    const xercesc::Attributes& attributes) override {
    is_schema = toUtf8(uri) == "http://www.w3.org/2001/XMLSchema" && toUtf8(localname) == "schema";
    const XMLCh* tns = attributes.getValue(u"targetNamespace");
    if (tns != nullptr) target_namespace = toUtf8(tns);
    throw Stop{};
  }
  void fatalError(const xercesc::SAXParseException& e) override {
    error_text = std::to_string(e.getLineNumber()) + ":" + std::to_string(e.getColumnNumber()) +
                 ": " + toUtf8(e.getMessage());
  }
  bool is_schema = false;
  std::optional<std::string> target_namespace;
  std::string error_text;
};

void setSecureFeatures(xercesc::SAX2XMLReaderImpl& reader) {
  reader.setFeature(XMLUni::fgSAX2CoreNameSpaces, true);
  reader.setFeature(XMLUni::fgXercesLoadExternalDTD, false);
  reader.setFeature(XMLUni::fgXercesDisableDefaultEntityResolution, true);
  reader.setFeature(XMLUni::fgXercesSkipDTDValidation, true);
}

}  // namespace

void SchemaSet::PoolDeleter::operator()(xercesc::XMLGrammarPool* pool) const noexcept {
  delete pool;
}

SchemaSet::~SchemaSet() = default;

Result<std::shared_ptr<const SchemaSet>> SchemaSet::load(const std::filesystem::path& directory) {
  return load(std::vector<std::filesystem::path>{directory});
}

Result<std::shared_ptr<const SchemaSet>> SchemaSet::load(
    const std::vector<std::filesystem::path>& directories) {
  if (directories.empty()) return Status::invalid("no schema directory given");
  std::vector<std::filesystem::path> xsd_files;
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      return Status::notFound("schema directory " + dir.string() +
                              " does not exist; point the [schemas] section of the config (or "
                              "--schemas) at the folder holding the XSDs, e.g. schemas/iwmo-3.2");
    }
    std::vector<std::filesystem::path> here;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_regular_file() && entry.path().extension() == ".xsd") here.push_back(entry.path());
    }
    if (ec) return Status::unavailable("cannot list " + dir.string() + ": " + ec.message());
    if (here.empty()) {
      return Status::notFound("schema directory " + dir.string() + " holds no *.xsd files");
    }
    std::sort(here.begin(), here.end());
    xsd_files.insert(xsd_files.end(), here.begin(), here.end());
  }
  std::string directory;
  for (const auto& dir : directories) directory += (directory.empty() ? "" : " + ") + dir.string();

  auto set = std::shared_ptr<SchemaSet>(new SchemaSet());
  set->directories_ = directories;
  std::vector<std::string> problems;

  try {
    // 1. Map every targetNamespace to its file.
    {
      auto peeker = std::make_unique<xercesc::SAX2XMLReaderImpl>();
      setSecureFeatures(*peeker);
      peeker->setFeature(XMLUni::fgSAX2CoreValidation, false);
      for (const auto& file : xsd_files) {
        RootPeek peek;
        peeker->setContentHandler(&peek);
        peeker->setErrorHandler(&peek);
        const std::u16string path = toUtf16(file.string());
        try {
          xercesc::LocalFileInputSource source(path.c_str());
          peeker->parse(source);
        } catch (const RootPeek::Stop&) {
        }
        if (!peek.error_text.empty()) {
          problems.push_back(file.string() + ":" + peek.error_text);
        } else if (!peek.is_schema) {
          problems.push_back(file.string() + ": not an XML Schema (root is not xs:schema)");
        } else if (!peek.target_namespace || peek.target_namespace->empty()) {
          problems.push_back(file.string() +
                             ": has no targetNamespace; every schema in the set needs one");
        } else {
          auto [it, inserted] = set->files_.emplace(*peek.target_namespace, file);
          if (!inserted) {
            problems.push_back(file.string() + ": declares namespace " + *peek.target_namespace +
                               " which " + it->second.string() +
                               " already declares; keep one file per namespace");
          }
        }
      }
    }
    if (!problems.empty()) {
      std::string joined;
      for (const auto& p : problems) joined += "\n  " + p;
      return Status::failedPrecondition("schema set " + directory +
                                        " cannot be loaded:" + joined);
    }

    // 2. Compile each grammar into one pool; imports come from the map, never from elsewhere.
    set->pool_.reset(new xercesc::XMLGrammarPoolImpl(xercesc::XMLPlatformUtils::fgMemoryManager));
    auto loader = std::make_unique<xercesc::SAX2XMLReaderImpl>(
        xercesc::XMLPlatformUtils::fgMemoryManager, set->pool_.get());
    setSecureFeatures(*loader);
    loader->setFeature(XMLUni::fgSAX2CoreValidation, true);
    loader->setFeature(XMLUni::fgXercesSchema, true);
    loader->setFeature(XMLUni::fgXercesSchemaFullChecking, true);
    loader->setFeature(XMLUni::fgXercesHandleMultipleImports, true);
    loader->setFeature(XMLUni::fgXercesCacheGrammarFromParse, true);
    LocalSchemaResolver resolver(set->files_, set->directories_);
    loader->setXMLEntityResolver(&resolver);
    SchemaErrorCollector errors;
    loader->setErrorHandler(&errors);
    for (const auto& [ns, file] : set->files_) {
      const std::u16string ns16 = toUtf16(ns);
      std::unique_ptr<xercesc::XMLSchemaDescription> description(
          set->pool_->createSchemaDescription(ns16.c_str()));
      if (set->pool_->retrieveGrammar(description.get()) != nullptr) continue;  // via an import
      const std::u16string path = toUtf16(file.string());
      xercesc::LocalFileInputSource source(path.c_str());
      if (loader->loadGrammar(source, xercesc::Grammar::SchemaGrammarType, true) == nullptr &&
          errors.problems().empty()) {
        errors.note(file.string() + ": Xerces could not compile this schema");
      }
    }
    problems = errors.problems();
  } catch (const xercesc::OutOfMemoryException&) {
    problems.push_back("out of memory while compiling the schemas");
  } catch (const xercesc::XMLException& e) {
    problems.push_back(toUtf8(e.getMessage()));
  } catch (const xercesc::SAXException& e) {
    problems.push_back(toUtf8(e.getMessage()));
  }
  if (!problems.empty()) {
    std::string joined;
    for (const auto& p : problems) joined += "\n  " + p;
    return Status::failedPrecondition("schema set " + directory +
                                      " does not compile:" + joined);
  }
  set->pool_->lockPool();
  return std::shared_ptr<const SchemaSet>(std::move(set));
}

}  // namespace iwmo::adapters::xml
