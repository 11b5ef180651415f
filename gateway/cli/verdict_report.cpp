#include "gateway/cli/verdict_report.h"

#include <nlohmann/json.hpp>

namespace iwmo::cli {
namespace {

const char* paint(bool colour, const char* code) { return colour ? code : ""; }
constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kReset = "\033[0m";

// Whether the envelope came from a StUF-GGk document (pipeline::readGgkDocument fills ggk.kind).
bool fromGgkDocument(const proto::Envelope& envelope) { return envelope.has_ggk() && !envelope.ggk().kind().empty(); }

// The first line of a StUF-GGk document's report: "Di01 envelope valid (functie WMO301,
// referentienummer ..., 0548 -> 01023456)"; "" for a bare message.
std::string envelopeLine(const proto::Envelope& envelope, bool colour) {
  const proto::GgkEnvelopeInfo& ggk = envelope.ggk();
  std::string route;
  if (!ggk.zender_organisatie().empty() || !ggk.ontvanger_organisatie().empty()) {
    route = ", " + (ggk.zender_organisatie().empty() ? std::string("?") : ggk.zender_organisatie()) + " -> " +
            (ggk.ontvanger_organisatie().empty() ? std::string("?") : ggk.ontvanger_organisatie());
  }
  const std::string reference = ggk.referentienummer().empty() ? "" : ", referentienummer " + ggk.referentienummer();
  const std::string valid = std::string(paint(colour, kGreen)) + "valid" + paint(colour, kReset);
  const std::string invalid = std::string(paint(colour, kRed)) + "INVALID" + paint(colour, kReset);
  if (ggk.kind() == "Fo01") {
    return "Fo01 " + (envelope.verdict().valid() ? valid : invalid) + " (error " + ggk.fo01_code() + " about " +
           (ggk.cross_refnummer().empty() ? std::string("an unnamed document") : ggk.cross_refnummer()) + route +
           (ggk.fo01_omschrijving().empty() ? "" : ": " + ggk.fo01_omschrijving()) + ")";
  }
  if (ggk.kind() == "refused") {
    const std::string known = reference + route;  // what could be read of its stuurgegevens
    return "StUF-GGk envelope " + invalid + " (level 1: the sender gets a Fo01 StUF055" +
           (known.empty() ? std::string() : "; " + known.substr(2)) + ")";
  }
  // Di01 / Du01: the envelope passed; what follows is about its payload (and the two together).
  return ggk.kind() + " envelope " + valid + " (functie " + (ggk.functie().empty() ? std::string("?") : ggk.functie()) +
         reference + (ggk.cross_refnummer().empty() ? "" : ", crossRefnummer " + ggk.cross_refnummer()) + route + ")";
}

void appendFindings(const proto::Verdict& verdict, bool colour, std::string& out) {
  for (const proto::Finding& f : verdict.findings()) {
    std::string position = f.line() == 0 ? std::string("-")
                                          : std::to_string(f.line()) + ":" + std::to_string(f.column());
    out += "  " + position + "  " + paint(colour, kBold) + f.code() + paint(colour, kReset);
    if (!f.retourcode().empty()) out += " [" + f.retourcode() + "]";
    if (!f.path().empty()) out += std::string("  ") + paint(colour, kDim) + f.path() + paint(colour, kReset);
    out += "\n      " + f.message() + "\n";
  }
  if (verdict.findings_truncated()) {
    out += "  ... more findings were cut off (limits.max_findings_per_message)\n";
  }
}

}  // namespace

std::string verdictJson(const std::string& file, const proto::Envelope& envelope) {
  const proto::Verdict& verdict = envelope.verdict();
  nlohmann::ordered_json out;
  out["file"] = file;
  const std::string& type = envelope.summary().message_type();
  out["message_type"] = type.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(type);
  out["valid"] = verdict.valid();
  out["level"] = verdict.valid() ? nlohmann::ordered_json(nullptr)
                                 : nlohmann::ordered_json(verdict.level());
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const proto::Finding& f : verdict.findings()) {
    nlohmann::ordered_json e;
    e["line"] = f.line() == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.line());
    e["column"] =
        f.column() == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.column());
    e["path"] = f.path().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.path());
    e["code"] = f.code();
    e["retourcode"] =
        f.retourcode().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.retourcode());
    e["message"] = f.message();
    errors.push_back(std::move(e));
  }
  if (fromGgkDocument(envelope)) {
    const proto::GgkEnvelopeInfo& ggk = envelope.ggk();
    auto text = [](const std::string& value) {
      return value.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(value);
    };
    nlohmann::ordered_json e;
    e["kind"] = ggk.kind();
    e["functie"] = text(ggk.functie());
    e["referentienummer"] = text(ggk.referentienummer());
    e["cross_refnummer"] = text(ggk.cross_refnummer());
    e["zender"] = text(ggk.zender_organisatie());
    e["ontvanger"] = text(ggk.ontvanger_organisatie());
    if (ggk.kind() == "Fo01") {
      e["fo01_code"] = text(ggk.fo01_code());
      e["fo01_omschrijving"] = text(ggk.fo01_omschrijving());
    }
    out["envelope"] = std::move(e);
  }
  out["errors"] = std::move(errors);
  if (verdict.findings_truncated()) out["errors_truncated"] = true;
  // Replace invalid UTF-8 (it can only come from a refused input) instead of throwing.
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string verdictText(const std::string& file, const proto::Envelope& envelope, bool colour) {
  const proto::Verdict& verdict = envelope.verdict();
  const std::string& type = envelope.summary().message_type();
  std::string out = paint(colour, kBold) + file + paint(colour, kReset) + ": ";
  if (fromGgkDocument(envelope)) {
    out += envelopeLine(envelope, colour) + "\n";
    const std::string& kind = envelope.ggk().kind();
    if (kind == "Fo01" || kind == "refused") {
      appendFindings(verdict, colour, out);
      return out;
    }
    out += "  payload: ";  // the findings below: the payload's (its own lines) and ENV-* (both)
  }
  out += type.empty() ? "unknown type" : type;
  if (verdict.valid()) {
    out += std::string(" ") + paint(colour, kGreen) + "valid" + paint(colour, kReset) + "\n";
    return out;
  }
  out += std::string(" ") + paint(colour, kRed) + "INVALID" + paint(colour, kReset);
  out += verdict.level() == 1 ? " (level 1: XML/schema; the sender gets a Fo01 StUF055, no retour)"
                              : " (level 2: single-message rules; retour with 0001)";
  out += "\n";
  appendFindings(verdict, colour, out);
  return out;
}

}  // namespace iwmo::cli
