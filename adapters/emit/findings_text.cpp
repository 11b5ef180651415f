#include "adapters/emit/findings_text.h"

namespace iwmo::adapters::emit {

std::string findingsText(const proto::Verdict& verdict) {
  std::string text;
  for (const auto& f : verdict.findings()) {
    text += (text.empty() ? "" : "; ") + f.code() + " at " + f.path() + ": " + f.message();
  }
  return text;
}

}  // namespace iwmo::adapters::emit
