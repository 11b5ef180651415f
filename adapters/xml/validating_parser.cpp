#include "adapters/xml/validating_parser.h"

#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/validators/DTD/DTDElementDecl.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/Attributes.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/xml/content_model.h"
#include "adapters/xml/input_checks.h"
#include "adapters/xml/local_resolver.h"
#include "adapters/xml/xml_text.h"

namespace iwmo::adapters::xml {
namespace {

using xercesc::XMLUni;

// Thrown by the handler to end a parse early; caught in ValidatingParser::parse.
struct StopParsing {};

std::uint32_t clampLine(XMLFileLoc value) {
  return value > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(value);
}

// Makes Xerces' wording actionable where we know the usual cause.
std::string explainXercesMessage(std::string message) {
  if (message.find("no declaration found for element") != std::string::npos) {
    message += " (the element is not allowed here, or its namespace is wrong)";
  }
  return message;
}

// Receives every SAX event of one parse: builds the tree, collects problems.
class CaptureHandler : public xercesc::DefaultHandler {
 public:
  // `schemas` nullptr: no validation, any root namespace is accepted (readUnvalidated).
  CaptureHandler(const SchemaSet* schemas, const ParseLimits& limits)
      : schemas_(schemas), limits_(limits) {}

  void reset(ParseOutcome& outcome) {
    outcome_ = &outcome;
    outcome.tree.clear();
    outcome.problems.clear();
    outcome.truncated = false;
    stack_.clear();
    sibling_counts_.clear();
    root_uri_.clear();
    pending_.clear();
    locator_ = nullptr;
  }

  // ContentHandler
  void setDocumentLocator(const xercesc::Locator* locator) override { locator_ = locator; }

  void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* qname,
                    const xercesc::Attributes&) override {
    if (stack_.size() >= limits_.max_element_depth) {
      addProblem(XmlProblem::kInput,
                 "elements are nested more than " + std::to_string(limits_.max_element_depth) +
                     " levels deep (limits.max_element_depth); an iWmo message nests about 8 "
                     "levels, so this is no iWmo message: the rest was not read",
                 /*at_current=*/false);  // a path 64 elements long helps nobody
      throw StopParsing{};
    }
    XmlTree& tree = outcome_->tree;
    const std::int32_t parent = stack_.empty() ? XmlElement::kNone : stack_.back();
    if (parent == XmlElement::kNone) {
      std::string ns = toUtf8(uri);
      if (schemas_ != nullptr && !schemas_->hasNamespace(ns)) {
        // Xerces' own complaints about the undeclared root are noise next to this one.
        pending_.clear();
        // No local path: the text can reach the sender (a Fo01's omschrijving).
        addProblem(XmlProblem::kSchema,
                   "root element <" + toUtf8(qname) + "> is in namespace '" + ns +
                       "', which none of the gateway's schemas declares",
                   /*at_current=*/false);
        tree.setRootNamespace(std::move(ns));  // for the caller to name the standard
        throw StopParsing{};
      }
      tree.setRootNamespace(std::move(ns));
      root_uri_ = uri == nullptr ? u"" : uri;
      for (XmlProblem& problem : pending_) push(std::move(problem));
      pending_.clear();
    } else {
      // Mixed content does not occur in the iStandaarden: drop indentation before a first child.
      XmlElement& p = tree.at(parent);
      if (p.first_child == XmlElement::kNone) p.text.clear();
    }
    name_buffer_.clear();
    appendUtf8(name_buffer_, localname, xercesc::XMLString::stringLen(localname));
    const std::uint32_t occurrence = countSibling(name_buffer_);
    const std::int32_t index = tree.addElement(
        parent, name_buffer_, locator_ ? clampLine(locator_->getLineNumber()) : 0,
        locator_ ? clampLine(locator_->getColumnNumber()) : 0, occurrence);
    if (parent != XmlElement::kNone) {
      tree.at(index).in_root_namespace =
          std::u16string_view(uri == nullptr ? u"" : uri) == root_uri_;
    }
    stack_.push_back(index);
    sibling_counts_.emplace_back();
  }

  void endElement(const XMLCh*, const XMLCh*, const XMLCh*) override {
    if (!stack_.empty()) stack_.pop_back();
    if (!sibling_counts_.empty()) sibling_counts_.pop_back();
  }

  void characters(const XMLCh* chars, const XMLSize_t length) override {
    if (stack_.empty()) return;
    XmlElement& current = outcome_->tree.at(stack_.back());
    if (current.first_child != XmlElement::kNone) return;  // whitespace between children
    appendUtf8(current.text, chars, length);
  }

  // A DOCTYPE is refused at the declaration, before any internal subset (and so any entity
  // declaration) is read: our billion-laughs and XXE defence. Called by SecureReader for every
  // DOCTYPE; startDTD below is a second line should the reader ever be swapped.
  [[noreturn]] void refuseDoctype(const std::string& name) {
    addProblem(XmlProblem::kXml,
               "DOCTYPE declaration <!DOCTYPE " + name +
                   " ...> is not allowed: iWmo messages use no DTDs or entities (protection "
                   "against entity expansion and external entities); remove the DOCTYPE",
               false);
    throw StopParsing{};
  }
  void startDTD(const XMLCh* name, const XMLCh*, const XMLCh*) override {
    refuseDoctype(toUtf8(name));
  }

  // ErrorHandler
  void warning(const xercesc::SAXParseException&) override {}
  void error(const xercesc::SAXParseException& e) override { addFromException(XmlProblem::kXsd, e); }
  void fatalError(const xercesc::SAXParseException& e) override {
    addFromException(XmlProblem::kXml, e);
  }

 private:
  std::uint32_t countSibling(const std::string& name) {
    if (sibling_counts_.empty()) return 1;
    auto& counts = sibling_counts_.back();
    for (auto& [seen, count] : counts) {
      if (seen == name) return ++count;
    }
    counts.emplace_back(name, 1u);
    return 1;
  }

  void addFromException(const char* code, const xercesc::SAXParseException& e) {
    XmlProblem problem;
    problem.code = code;
    problem.line = clampLine(e.getLineNumber());
    problem.column = clampLine(e.getColumnNumber());
    problem.path = stack_.empty() ? "" : outcome_->tree.pathOf(stack_.back());
    problem.message = explainXercesMessage(toUtf8(e.getMessage()));
    // A content-model error: name the element missing or misplaced, where the gap is.
    if (code == XmlProblem::kXsd && !stack_.empty()) {
      if (auto precise = explainContentModel(outcome_->tree, stack_.back(), problem.message)) {
        problem.message = std::move(precise->message);
        if (precise->line != 0) {
          problem.line = precise->line;
          problem.column = precise->column;
        }
      }
    }
    // Validation errors before the root element is known wait for its namespace check.
    if (code == XmlProblem::kXsd && outcome_->tree.empty()) {
      pending_.push_back(std::move(problem));
      return;
    }
    push(std::move(problem));
  }

  void addProblem(const char* code, std::string message, bool at_current) {
    XmlProblem problem;
    problem.code = code;
    if (locator_ != nullptr) {
      problem.line = clampLine(locator_->getLineNumber());
      problem.column = clampLine(locator_->getColumnNumber());
    }
    if (at_current && !stack_.empty()) problem.path = outcome_->tree.pathOf(stack_.back());
    problem.message = std::move(message);
    push(std::move(problem));
  }

  void push(XmlProblem problem) {
    if (outcome_->problems.size() >= limits_.max_problems) {
      outcome_->truncated = true;
      throw StopParsing{};
    }
    outcome_->problems.push_back(std::move(problem));
  }

  const SchemaSet* schemas_;
  const ParseLimits& limits_;
  ParseOutcome* outcome_ = nullptr;
  const xercesc::Locator* locator_ = nullptr;
  std::vector<std::int32_t> stack_;
  std::vector<std::vector<std::pair<std::string, std::uint32_t>>> sibling_counts_;
  std::string name_buffer_;
  std::u16string root_uri_;  // the root element's namespace, as Xerces reports it
  std::vector<XmlProblem> pending_;
};

// The SAX2 reader with one change: every DOCTYPE ends the parse. SAX2's LexicalHandler::startDTD
// is only called for a DOCTYPE with an internal or external subset, so a bare <!DOCTYPE x> would
// pass unnoticed; the scanner's DocTypeHandler::doctypeDecl sees them all.
class SecureReader : public xercesc::SAX2XMLReaderImpl {
 public:
  SecureReader(xercesc::XMLGrammarPool* pool, CaptureHandler& handler)
      : xercesc::SAX2XMLReaderImpl(xercesc::XMLPlatformUtils::fgMemoryManager, pool),
        handler_(handler) {}

  void doctypeDecl(const xercesc::DTDElementDecl& element, const XMLCh*, const XMLCh*, const bool,
                   const bool) override {
    handler_.refuseDoctype(toUtf8(element.getFullName()));
  }

 private:
  CaptureHandler& handler_;
};

// Checks the input, then parses `bytes` with `reader` (whose handler was reset to `outcome`).
void runParse(SecureReader& reader, std::string_view bytes, const ParseLimits& limits,
              ParseOutcome& outcome) {
  if (auto problem = checkInput(bytes, limits.max_input_bytes)) {
    outcome.problems.push_back(std::move(*problem));
    return;
  }
  const auto fail = [&](std::string message) {
    XmlProblem problem;
    problem.code = XmlProblem::kXml;
    problem.message = std::move(message);
    outcome.problems.push_back(std::move(problem));
  };
  try {
    xercesc::MemBufInputSource source(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(),
                                      u"message", /*adoptBuffer=*/false);
    source.setEncoding(u"UTF-8");
    reader.parse(source);
  } catch (const StopParsing&) {
  } catch (const xercesc::SAXParseException&) {
    // Already reported through fatalError().
    if (outcome.problems.empty()) fail("the XML parser stopped without a reason");
  } catch (const xercesc::OutOfMemoryException&) {
    fail("out of memory while parsing; the message is too large or too deeply nested");
  } catch (const xercesc::XMLException& e) {
    fail(toUtf8(e.getMessage()));
  } catch (const xercesc::SAXException& e) {
    fail(toUtf8(e.getMessage()));
  }
  if (outcome.problems.empty() && outcome.tree.empty()) fail("no root element");
}

// The reader features both kinds of parse share: namespaces on, nothing loaded from outside,
// no entity expansion.
void configureSecure(xercesc::SAX2XMLReaderImpl& r, xercesc::SecurityManager& security,
                     CaptureHandler& handler) {
  r.setFeature(XMLUni::fgSAX2CoreNameSpaces, true);
  r.setFeature(XMLUni::fgSAX2CoreNameSpacePrefixes, false);
  r.setFeature(XMLUni::fgXercesLoadSchema, false);  // ignore xsi:schemaLocation hints
  r.setFeature(XMLUni::fgXercesLoadExternalDTD, false);
  r.setFeature(XMLUni::fgXercesSkipDTDValidation, true);
  r.setFeature(XMLUni::fgXercesDisableDefaultEntityResolution, true);
  security.setEntityExpansionLimit(0);
  r.setProperty(XMLUni::fgXercesSecurityManager, &security);
  r.setContentHandler(&handler);
  r.setErrorHandler(&handler);
  r.setLexicalHandler(&handler);
}

}  // namespace

Result<XmlTree> readUnvalidated(std::string_view bytes) {
  const ParseLimits limits;
  ParseOutcome outcome;
  CaptureHandler handler(nullptr, limits);
  handler.reset(outcome);
  try {
    xercesc::SecurityManager security;
    SecureReader reader(nullptr, handler);
    configureSecure(reader, security, handler);
    reader.setFeature(XMLUni::fgSAX2CoreValidation, false);
    reader.setFeature(XMLUni::fgXercesSchema, false);
    runParse(reader, bytes, limits, outcome);
  } catch (const xercesc::XMLException& e) {
    return Status::internal("cannot create the Xerces SAX2 reader: " + toUtf8(e.getMessage()));
  } catch (const xercesc::SAXException& e) {
    return Status::internal("cannot configure the Xerces SAX2 reader: " + toUtf8(e.getMessage()));
  }
  if (!outcome.ok()) {
    const XmlProblem& first = outcome.problems.front();
    return Status::invalid(std::to_string(first.line) + ":" + std::to_string(first.column) + ": " +
                           first.message);
  }
  return std::move(outcome.tree);
}

struct ValidatingParser::Impl {
  Impl(std::shared_ptr<const SchemaSet> schema_set, ParseLimits parse_limits)
      : schemas(std::move(schema_set)),
        limits(parse_limits),
        resolver(schemas->files(), schemas->directories()),
        handler(schemas.get(), limits) {}

  std::shared_ptr<const SchemaSet> schemas;
  ParseLimits limits;
  LocalSchemaResolver resolver;
  CaptureHandler handler;
  xercesc::SecurityManager security;
  std::unique_ptr<SecureReader> reader;
};

ValidatingParser::ValidatingParser(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ValidatingParser::~ValidatingParser() = default;

const SchemaSet& ValidatingParser::schemas() const { return *impl_->schemas; }
const ParseLimits& ValidatingParser::limits() const { return impl_->limits; }

Result<std::unique_ptr<ValidatingParser>> ValidatingParser::create(
    std::shared_ptr<const SchemaSet> schemas, ParseLimits limits) {
  auto impl = std::make_unique<Impl>(std::move(schemas), limits);
  try {
    impl->reader = std::make_unique<SecureReader>(impl->schemas->pool(), impl->handler);
    xercesc::SAX2XMLReaderImpl& r = *impl->reader;
    configureSecure(r, impl->security, impl->handler);
    r.setFeature(XMLUni::fgSAX2CoreValidation, true);
    r.setFeature(XMLUni::fgXercesDynamic, false);  // always validate
    r.setFeature(XMLUni::fgXercesSchema, true);
    r.setFeature(XMLUni::fgXercesSchemaFullChecking, false);  // done once at load
    r.setFeature(XMLUni::fgXercesIdentityConstraintChecking, true);
    r.setFeature(XMLUni::fgXercesUseCachedGrammarInParse, true);
    r.setFeature(XMLUni::fgXercesCacheGrammarFromParse, false);  // the pool is locked
    r.setFeature(XMLUni::fgXercesValidationErrorAsFatal, false);  // report all problems
    r.setXMLEntityResolver(&impl->resolver);
  } catch (const xercesc::XMLException& e) {
    return Status::internal("cannot create the Xerces SAX2 reader: " + toUtf8(e.getMessage()));
  } catch (const xercesc::SAXException& e) {
    return Status::internal("cannot configure the Xerces SAX2 reader: " + toUtf8(e.getMessage()));
  }
  return std::unique_ptr<ValidatingParser>(new ValidatingParser(std::move(impl)));
}

void ValidatingParser::parse(std::string_view bytes, ParseOutcome& outcome) {
  impl_->handler.reset(outcome);
  runParse(*impl_->reader, bytes, impl_->limits, outcome);
}

}  // namespace iwmo::adapters::xml
