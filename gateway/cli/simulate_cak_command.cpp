#include "gateway/cli/simulate_cak_command.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <iostream>
#include <thread>

#include "gateway/cli/wiring.h"
#include "simulators/cak/cak_simulator.h"

namespace iwmo::cli {
namespace {

std::atomic<bool> g_stop{false};
void onSignal(int) { g_stop.store(true); }

std::string todayUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

}  // namespace

int runSimulateCak(const config::Config& config, const SimulateCakOptions& given) {
  const auto fail = [](const std::string& message) {
    std::cerr << "iwmo-gateway simulate-cak: " << message << "\n";
    return 2;
  };
  const std::string today_text = given.today.empty() ? todayUtc() : given.today;
  const auto today = Date::parse(today_text);
  if (!today) return fail("--today must be a date YYYY-MM-DD, got '" + today_text + "'");
  auto gemeenten = loadGemeenteTable(config);
  if (!gemeenten) return fail(gemeenten.status().message());
  const std::filesystem::path base = config.state_dir / "cak-simulator";
  simulators::cak::CakSimulatorOptions options;
  options.in = given.in.empty() ? config.cak.deliver_dir : given.in;
  options.out = given.out.empty() ? config.cak.receive_dir : given.out;
  options.state = given.state.empty() ? base / "state.sqlite" : given.state;
  options.processed = given.processed.empty() ? base / "processed" : given.processed;
  options.today = *today;
  options.schema_dirs = config.schemaDirs();
  options.ggk_schema_dir = config.ggk_schema_dir;
  options.limits = parseLimits(config);
  options.max_envelope_bytes = config.max_message_bytes;
  options.applicatie_versie = config.ggk_envelope.applicatie_versie;
  options.applicatie_subversie = config.ggk_envelope.applicatie_subversie;
  options.gemeenten = std::move(*gemeenten);
  auto simulator = simulators::cak::CakSimulator::open(options);
  if (!simulator) return fail(simulator.status().message());
  if (!given.json) {
    std::cerr << "iwmo-gateway simulate-cak: answering WMO405/WMO407 from " << options.in.string() << " into "
              << options.out.string() << " (state " << options.state.string() << ", today " << today_text << ")\n";
  }
  const auto print = [&given](const simulators::cak::FileReport& report) {
    std::cout << (given.json ? report.json : report.text) << "\n";
    std::cout.flush();
  };
  if (Status s = (*simulator)->processDirectory(print); !s.isOk()) return fail(s.message());
  if (given.follow) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    while (!g_stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (Status s = (*simulator)->processDirectory(print); !s.isOk()) return fail(s.message());
    }
  }
  return (*simulator)->refused() > 0 ? 1 : 0;
}

}  // namespace iwmo::cli
