#include "adapters/iwmo/retour_writer.h"

#include <algorithm>
#include <array>
#include <set>

#include "adapters/iwmo/message_types.h"
#include "adapters/xml/xml_text.h"
#include "adapters/xml/xml_tree.h"

namespace iwmo::adapters::iwmo {
namespace {

using adapters::xml::XmlElement;
using adapters::xml::XmlTree;

// Per retour type, the complexTypes of its XSD that end with RetourCodes (the Header aside).
// Names are unique per message: WMO302's Contact is the same class under Relatie and under
// Contactgegevens.
constexpr std::array<std::string_view, 4> kWmo302Classes{"Client", "Relatie", "Contact",
                                                         "ToegewezenProduct"};
constexpr std::array<std::string_view, 2> kWmo306Classes{"Client", "StartProduct"};
constexpr std::array<std::string_view, 2> kWmo308Classes{"Client", "StopProduct"};
constexpr std::array<std::string_view, 2> kWmo316Classes{"Client", "AangevraagdProduct"};
constexpr std::array<std::string_view, 5> kWmo318Classes{"Client", "Verzoek", "OngewijzigdProduct",
                                                         "TeWijzigenProduct", "NieuwProduct"};
constexpr std::array<std::string_view, 1> kWmo320Classes{"Antwoord"};

constexpr std::string_view kBasisschemaPrefix = "iwmo";

std::size_t characterCount(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

class RetourBuilder {
 public:
  RetourBuilder(const XmlTree& tree, const MessageType& retour,
                const TechnicalRetourRequest& request)
      : tree_(tree),
        retour_(retour),
        classes_(retourClassesOf(retour.name)),
        request_(request),
        prefix_("wmo" + std::string(retour.name.substr(3))) {}

  Result<std::string> build() {
    const XmlElement& root = tree_.root();
    out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out_ += "<" + prefix_ + ":Bericht xmlns:" + std::string(kBasisschemaPrefix) + "=\"" +
            std::string(kBasisschemaNamespace) + "\" xmlns:" + prefix_ + "=\"" +
            std::string(retour_.ns) + "\">\n";
    for (const XmlElement* child : tree_.children(root)) {
      if (child->name == "Header") {
        header(*child);
      } else if (request_.echo_body) {
        echo(*child, 1);
      }
    }
    out_ += "</" + prefix_ + ":Bericht>\n";
    for (const auto& [path, codes] : request_.class_codes) {
      if (used_paths_.count(path) == 0) {
        return Status::invalid("class_codes names '" + path + "', which is no class of this " +
                               std::string(retour_.pair) + " (its classes in " +
                               std::string(retour_.name) + ": " + classList() + ")");
      }
    }
    return std::move(out_);
  }

 private:
  void indent(int depth) { out_.append(static_cast<std::size_t>(depth) * 2, ' '); }

  std::string qname(const XmlElement& element) const {
    return (element.in_root_namespace ? prefix_ : std::string(kBasisschemaPrefix)) + ":" +
           element.name;
  }

  void open(int depth, std::string_view qualified) {
    indent(depth);
    out_ += "<";
    out_ += qualified;
    out_ += ">\n";
  }

  void close(int depth, std::string_view qualified) {
    indent(depth);
    out_ += "</";
    out_ += qualified;
    out_ += ">\n";
  }

  void leaf(int depth, std::string_view qualified, std::string_view text) {
    indent(depth);
    out_ += "<";
    out_ += qualified;
    out_ += ">";
    adapters::xml::appendEscapedText(out_, text);
    out_ += "</";
    out_ += qualified;
    out_ += ">\n";
  }

  void retourCodes(int depth, const std::vector<std::string>& codes) {
    open(depth, prefix_ + ":RetourCodes");
    for (const std::string& code : codes) leaf(depth + 1, prefix_ + ":RetourCode", code);
    close(depth, prefix_ + ":RetourCodes");
  }

  bool isClass(const XmlElement& element) const {
    return element.in_root_namespace &&
           std::find(classes_.begin(), classes_.end(), element.name) != classes_.end();
  }

  // IV028: the heen header unchanged but for BerichtCode, then the retour's own elements.
  void header(const XmlElement& element) {
    open(1, qname(element));
    for (const XmlElement* child : tree_.children(element)) {
      if (child->name == "BerichtCode" && child->in_root_namespace) {
        leaf(2, qname(*child), std::to_string(retour_.bericht_code));
      } else {
        echo(*child, 2);
      }
    }
    leaf(2, prefix_ + ":IdentificatieRetour", request_.identificatie_retour);
    leaf(2, prefix_ + ":DagtekeningRetour", request_.dagtekening_retour.toString());
    open(2, prefix_ + ":XsdVersieRetour");
    leaf(3, std::string(kBasisschemaPrefix) + ":BasisschemaXsdVersie", kRetourBasisschemaXsdVersie);
    leaf(3, std::string(kBasisschemaPrefix) + ":BerichtXsdVersie", kRetourBerichtXsdVersie);
    close(2, prefix_ + ":XsdVersieRetour");
    if (!request_.header_codes.empty()) retourCodes(2, request_.header_codes);
    close(1, qname(element));
  }

  void echo(const XmlElement& element, int depth) {
    const std::string name = qname(element);
    if (element.first_child == XmlElement::kNone && !isClass(element)) {
      leaf(depth, name, element.text);
      return;
    }
    open(depth, name);
    for (const XmlElement* child : tree_.children(element)) echo(*child, depth + 1);
    if (isClass(element)) retourCodes(depth + 1, codesOf(element));
    close(depth, name);
  }

  const std::vector<std::string>& codesOf(const XmlElement& element) {
    std::string path = tree_.pathOf(element);
    const auto found = request_.class_codes.find(path);
    if (found == request_.class_codes.end()) return request_.default_class_codes;
    used_paths_.insert(std::move(path));
    return found->second;
  }

  std::string classList() const {
    std::string list;
    for (std::string_view name : classes_) {
      if (!list.empty()) list += ", ";
      list += name;
    }
    return list;
  }

  const XmlTree& tree_;
  const MessageType& retour_;
  std::span<const std::string_view> classes_;
  const TechnicalRetourRequest& request_;
  std::string prefix_;  // "wmo306"
  std::string out_;
  std::set<std::string> used_paths_;
};

Status checkRequest(const TechnicalRetourRequest& request) {
  const std::size_t length = characterCount(request.identificatie_retour);
  if (length < 1 || length > 12) {
    return Status::invalid("IdentificatieRetour '" + request.identificatie_retour + "' has " +
                           std::to_string(length) + " characters; it must have 1 to 12 (RS017)");
  }
  if (request.dagtekening_retour == Date::fromDays(0)) {
    return Status::invalid(
        "DagtekeningRetour is not set (the default 1970-01-01 stands for unset)");
  }
  if (!request.echo_body && !request.class_codes.empty()) {
    return Status::invalid(
        "class_codes given for a header-only retour; set echo_body to echo the classes");
  }
  if (request.echo_body && request.default_class_codes.empty()) {
    return Status::invalid(
        "default_class_codes is empty; every echoed class needs at least one RetourCode");
  }
  for (const auto& [path, codes] : request.class_codes) {
    if (codes.empty()) {
      return Status::invalid("class_codes for '" + path +
                             "' is empty; every echoed class needs at least one RetourCode");
    }
  }
  return Status::ok();
}

}  // namespace

std::span<const std::string_view> retourClassesOf(std::string_view retour_type) {
  if (retour_type == "WMO302") return kWmo302Classes;
  if (retour_type == "WMO306") return kWmo306Classes;
  if (retour_type == "WMO308") return kWmo308Classes;
  if (retour_type == "WMO316") return kWmo316Classes;
  if (retour_type == "WMO318") return kWmo318Classes;
  if (retour_type == "WMO320") return kWmo320Classes;
  return {};
}

Result<std::string> writeTechnicalRetour(const XmlTree& heen,
                                         const TechnicalRetourRequest& request) {
  if (heen.empty()) return Status::invalid("the heen message has no root element");
  const MessageType* type = messageTypeByNamespace(heen.rootNamespace());
  if (type == nullptr || heen.root().name != "Bericht") {
    return Status::invalid("<" + heen.root().name + "> in namespace '" + heen.rootNamespace() +
                           "' is not an iWmo 3.2 message");
  }
  if (type->standard != "iwmo") {
    return Status::invalid(std::string(type->name) +
                           " is an iEb message; its retour is written by adapters/ieb");
  }
  if (type->is_retour) {
    return Status::invalid(std::string(type->name) + " is itself a retour (on " +
                           std::string(type->pair) + "); a retour gets no retour (IV028)");
  }
  const MessageType* retour = type->pair.empty() ? nullptr : messageTypeByName(type->pair);
  if (retour == nullptr || retourClassesOf(retour->name).empty()) {
    return Status::invalid(std::string(type->name) + " has no technical retour" +
                           (type->name == "WMO323" ? " (it is answered by WMO325)" : ""));
  }
  IWMO_RETURN_IF_ERROR(checkRequest(request));
  return RetourBuilder(heen, *retour, request).build();
}

Result<std::string> writeTechnicalRetour(std::string_view heen_payload,
                                         const TechnicalRetourRequest& request) {
  auto heen = adapters::xml::readUnvalidated(heen_payload);
  if (!heen) {
    return Status(heen.status().code(), "cannot read the heen message: " + heen.status().message());
  }
  return writeTechnicalRetour(*heen, request);
}

}  // namespace iwmo::adapters::iwmo
