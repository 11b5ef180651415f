#include "gateway/cli/simulate_cak_command.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "gateway/base/csv.h"
#include "gateway/cli/wiring.h"
#include "gateway/reference_data/cak_period_rows.h"
#include "simulators/cak/cak_state.h"
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

// Stores the periods of `file` (the `import cak-periods` format) in the simulator's state:
// what the CAK holds before the gateway's first message. A period already there with the same
// record is left alone; one with another record is an error.
Status seedCakState(const std::filesystem::path& file, const std::filesystem::path& state_file,
                    const rules::GemeenteTable& gemeenten, std::size_t& seeded) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::notFound("--seed " + file.string() + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto csv = CsvTable::parse(text.str(), file.string());
  if (!csv) return csv.status();
  reference_data::RowProblems problems;
  auto rows = reference_data::checkCakPeriodRows(*csv, file.string(), gemeenten, {}, problems);
  if (!rows) return rows.status();
  if (problems.count > 0) {
    std::string all;
    for (const auto& p : problems.shown) all += "\n" + p;
    return Status::invalid(std::to_string(problems.count) + " bad row(s) in --seed " + file.string() +
                           "; nothing seeded:" + all);
  }
  auto state = simulators::cak::CakState::open(state_file);
  if (!state) return state.status();
  IWMO_RETURN_IF_ERROR((*state)->begin());
  for (const auto& row : *rows) {
    auto held = (*state)->find(row.afzender, row.record);
    if (!held) {
      (*state)->rollback();
      return held.status();
    }
    if (*held) {
      if ((*held)->record.SerializeAsString() == row.record.SerializeAsString()) continue;
      (*state)->rollback();
      return Status::invalid(file.string() + ":" + std::to_string(row.line) + ": the simulated CAK already holds " +
                             row.record.kind() + " period " + std::to_string(row.record.start_nummer()) +
                             " of this client with another record; use a new --state to start over");
    }
    if (Status stored = (*state)->store(row.afzender, {row.record, false}); !stored.isOk()) {
      (*state)->rollback();
      return stored;
    }
    ++seeded;
  }
  return (*state)->commit();
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
  if (!given.seed.empty()) {
    std::size_t seeded = 0;
    if (Status s = seedCakState(given.seed, options.state, *gemeenten, seeded); !s.isOk()) return fail(s.message());
    if (!given.json) {
      std::cerr << "iwmo-gateway simulate-cak: the CAK holds " << seeded << " more period(s) from "
                << given.seed.string() << "\n";
    }
  }
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
