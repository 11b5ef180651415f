#include "gateway/cli/responsible_command.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/cases/responsibility_case.h"
#include "gateway/cli/wiring.h"

namespace iwmo::cli {

int runResponsible(const config::Config& config, const ResponsibleOptions& options) {
  std::ifstream in(options.case_file, std::ios::binary);
  if (!in) {
    std::cerr << "iwmo-gateway responsible: cannot read " << options.case_file.string() << "\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto table = loadGemeenteTable(config);
  if (!table) {
    std::cerr << "iwmo-gateway responsible: " << table.status().message() << "\n";
    return 2;
  }
  auto c = cases::parseResponsibilityCase(text.str(), options.case_file.string(), config.responsibility.params,
                                   config.responsibility.bw_products);
  if (!c) {
    std::cerr << "iwmo-gateway responsible: " << c.status().message() << "\n";
    return 2;
  }
  for (const auto& warning : c->warnings) std::cerr << "iwmo-gateway responsible: " << options.case_file.string() << ": " << warning << "\n";
  auto decision = rules::decideResponsibility(c->input, c->params, *table);
  if (!decision) {
    std::cerr << "iwmo-gateway responsible: " << options.case_file.string() << ": " << decision.status().message() << "\n";
    return 2;
  }
  std::vector<std::string> mismatches;
  if (options.check) {
    if (!c->expect) {
      std::cerr << "iwmo-gateway responsible: --check: " << options.case_file.string() << " has no \"expect\"\n";
      return 2;
    }
    mismatches = cases::expectationMismatches(*decision, *c->expect);
  }
  if (options.json) {
    auto out = cases::decisionJson(*decision);
    if (options.check) {
      out["check"] = mismatches.empty() ? "pass" : "fail";
      out["mismatches"] = mismatches;
    }
    std::cout << out.dump() << "\n";
  } else {
    const std::string who = decision->gemeente ? table->label(*decision->gemeente) : std::string("(manual decision)");
    std::cout << c->id << ": " << who << "  rule " << decision->rule << ", regime " << decision->regime;
    if (!decision->flags.empty()) {
      std::cout << ", flags";
      for (const auto& f : decision->flags) std::cout << " " << f;
    }
    std::cout << "\n";
    for (const auto& line : decision->trail) std::cout << "  " << line << "\n";
    if (options.check) {
      if (mismatches.empty()) {
        std::cout << "check: as expected\n";
      } else {
        for (const auto& m : mismatches) std::cout << "check: MISMATCH " << m << "\n";
      }
    }
  }
  return mismatches.empty() ? 0 : 1;
}

}  // namespace iwmo::cli
