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
#include <xercesc/util/regx/RangeToken.hpp>
#include <xercesc/util/regx/RegularExpression.hpp>
#include <xercesc/util/regx/Token.hpp>
#include <xercesc/validators/common/Grammar.hpp>
#include <xercesc/validators/datatype/DatatypeValidatorFactory.hpp>
#include <xercesc/validators/datatype/ListDatatypeValidator.hpp>
#include <xercesc/validators/datatype/UnionDatatypeValidator.hpp>
#include <xercesc/validators/schema/ComplexTypeInfo.hpp>
#include <xercesc/validators/schema/SchemaAttDef.hpp>
#include <xercesc/validators/schema/SchemaElementDecl.hpp>
#include <xercesc/validators/schema/SchemaGrammar.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <unordered_set>

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

// Xerces builds some parts of a compiled schema lazily, on first use: the character map of each
// RangeToken of a pattern facet (RangeToken::createMap, at its first match) and a complex type's
// formatted content model (in its first content error). Two validators sharing the pool can get
// there at once: seen here as a valid UUID refused by its pattern facet, and as an abort on
// `Assertion !fMap failed` in RangeToken::doCreateMap. So every such part is built here, in one
// thread, before the pool is shared. The token tree of a RegularExpression is protected; a
// member pointer named through a derived class reaches it without changing the object.
struct RegexInternals : xercesc::RegularExpression {
  static const xercesc::Token* tree(const xercesc::RegularExpression& regex) {
    return regex.*(&RegexInternals::fTokenTree);
  }
  static xercesc::RangeToken* firstChar(const xercesc::RegularExpression& regex) {
    return regex.*(&RegexInternals::fFirstChar);
  }
  static xercesc::RangeToken* wordRange() { return RegexInternals::fWordRange; }
};

struct DatatypeInternals : xercesc::DatatypeValidator {
  static xercesc::RegularExpression* regex(const xercesc::DatatypeValidator& dv) {
    return (dv.*(&DatatypeInternals::getRegex))();
  }
};

class SharingPreparer {
 public:
  void grammar(xercesc::SchemaGrammar& grammar) {
    if (xercesc::DatatypeValidatorFactory* factory = grammar.getDatatypeRegistry()) {
      registry(factory->getUserDefinedRegistry());
    }
    if (xercesc::RefHashTableOf<xercesc::ComplexTypeInfo>* types = grammar.getComplexTypeRegistry()) {
      xercesc::RefHashTableOfEnumerator<xercesc::ComplexTypeInfo> each(types, false);
      while (each.hasMoreElements()) complexType(&each.nextElement());
    }
    xercesc::RefHash3KeysIdPoolEnumerator<xercesc::SchemaElementDecl> elements = grammar.getElemEnumerator();
    while (elements.hasMoreElements()) {
      xercesc::SchemaElementDecl& element = elements.nextElement();
      validator(element.getDatatypeValidator());
      complexType(element.getComplexTypeInfo());
    }
  }

  void registry(xercesc::DVHashTable* table) {
    if (table == nullptr) return;
    xercesc::RefHashTableOfEnumerator<xercesc::DatatypeValidator> each(table, false);
    while (each.hasMoreElements()) validator(&each.nextElement());
  }

 private:
  void validator(xercesc::DatatypeValidator* dv) {
    for (; dv != nullptr && seen_validators_.insert(dv).second; dv = dv->getBaseValidator()) {
      if (xercesc::RegularExpression* regex = DatatypeInternals::regex(*dv)) expression(*regex);
      if (dv->getType() == xercesc::DatatypeValidator::List) {
        validator(static_cast<xercesc::ListDatatypeValidator*>(dv)->getItemTypeDTV());
      } else if (dv->getType() == xercesc::DatatypeValidator::Union) {
        if (auto* members = static_cast<xercesc::UnionDatatypeValidator*>(dv)->getMemberTypeValidators()) {
          for (XMLSize_t i = 0; i < members->size(); ++i) validator(members->elementAt(i));
        }
      }
    }
  }

  void complexType(xercesc::ComplexTypeInfo* type) {
    if (type == nullptr || !seen_types_.insert(type).second) return;
    // Built already by full schema checking at load (UPA); asked here so it stays so if that
    // setting ever changes.
    (void)type->getContentModel();
    (void)type->getFormattedContentModel();
    validator(type->getDatatypeValidator());
    if (type->hasAttDefs()) {
      xercesc::XMLAttDefList& attributes = type->getAttDefList();
      for (XMLSize_t i = 0; i < attributes.getAttDefCount(); ++i) {
        validator(static_cast<xercesc::SchemaAttDef&>(attributes.getAttDef(i)).getDatatypeValidator());
      }
    }
    for (XMLSize_t i = 0; i < type->elementCount(); ++i) {
      xercesc::SchemaElementDecl* element = type->elementAt(i);
      validator(element->getDatatypeValidator());
      complexType(element->getComplexTypeInfo());
    }
  }

  void expression(const xercesc::RegularExpression& regex) {
    token(RegexInternals::tree(regex));
    range(RegexInternals::firstChar(regex));
    range(RegexInternals::wordRange());
  }

  void token(const xercesc::Token* tok) {
    if (tok == nullptr || !seen_tokens_.insert(tok).second) return;
    if (tok->getTokenType() == xercesc::Token::T_RANGE || tok->getTokenType() == xercesc::Token::T_NRANGE) {
      range(const_cast<xercesc::RangeToken*>(static_cast<const xercesc::RangeToken*>(tok)));
    }
    for (XMLSize_t i = 0; i < tok->size(); ++i) token(tok->getChild(i));
  }

  static void range(xercesc::RangeToken* tok) {
    if (tok != nullptr) tok->createMap();
  }

  std::unordered_set<const void*> seen_validators_;
  std::unordered_set<const void*> seen_types_;
  std::unordered_set<const void*> seen_tokens_;
};

// Serialises the preparation (it also touches the built-in types every pool shares).
std::mutex g_prepare_mutex;

void prepareForSharing(xercesc::XMLGrammarPool& pool) {
  std::lock_guard lock(g_prepare_mutex);
  SharingPreparer preparer;
  preparer.registry(xercesc::DatatypeValidatorFactory::getBuiltInRegistry());
  xercesc::RefHashTableOfEnumerator<xercesc::Grammar> grammars = pool.getGrammarEnumerator();
  while (grammars.hasMoreElements()) {
    xercesc::Grammar& grammar = grammars.nextElement();
    if (grammar.getGrammarType() == xercesc::Grammar::SchemaGrammarType) {
      preparer.grammar(static_cast<xercesc::SchemaGrammar&>(grammar));
    }
  }
}

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
  try {
    prepareForSharing(*set->pool_);
  } catch (const xercesc::OutOfMemoryException&) {
    return Status::failedPrecondition("schema set " + directory + ": out of memory while preparing the schemas");
  } catch (const xercesc::XMLException& e) {
    return Status::failedPrecondition("schema set " + directory + " cannot be prepared: " + toUtf8(e.getMessage()));
  }
  set->pool_->lockPool();
  return std::shared_ptr<const SchemaSet>(std::move(set));
}

}  // namespace iwmo::adapters::xml
