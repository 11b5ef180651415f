#include "bench_support.h"

#include <fcntl.h>
#include <spawn.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gateway/base/bsn.h"

extern char** environ;

namespace iwmo::bench {
namespace {

namespace fs = std::filesystem;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct Templates {
  std::string wmo301;
  std::string wmo305;
  std::vector<std::string> bsns;  // test-range BSNs that pass the elfproef
};

const Templates& templates() {
  static const Templates loaded = [] {
    Templates t;
    const fs::path demo = fs::path(IWMO_SOURCE_DIR) / "demo/messages/valid";
    t.wmo301 = readFile(demo / "01-WMO301-toewijzing-hh-de-graaf.xml");
    t.wmo305 = readFile(demo / "05-WMO305-start-hh-corrected.xml");
    // 2 000 clients: a municipality's traffic is about many clients, and one client's messages
    // are handled one at a time.
    for (unsigned candidate = 999900000; t.bsns.size() < 2000; ++candidate) {
      if (isValidBsn(std::to_string(candidate))) t.bsns.push_back(std::to_string(candidate));
    }
    return t;
  }();
  return loaded;
}

}  // namespace

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

GeneratedMessage generatedMessage(std::size_t n) {
  const Templates& t = templates();
  char id[32];
  std::snprintf(id, sizeof id, "BM%08zu", n);
  char name[32];
  std::snprintf(name, sizeof name, "m%07zu.xml", n);
  const bool toewijzing = n % 2 == 0;
  const std::string& bsn = t.bsns[n % t.bsns.size()];
  GeneratedMessage message;
  message.peer = toewijzing ? "backoffice" : "ggk";
  message.name = name;
  message.body = toewijzing ? replaced(replaced(t.wmo301, ">999952602<", ">" + bsn + "<"),
                                       "<iwmo:Identificatie>TW-2026-0001<", std::string("<iwmo:Identificatie>") + id + "<")
                            : replaced(replaced(t.wmo305, ">999952602<", ">" + bsn + "<"),
                                       "<iwmo:Identificatie>THR26-S0002<", std::string("<iwmo:Identificatie>") + id + "<");
  return message;
}

std::uint64_t writeBatch(const fs::path& dir, std::size_t count) {
  fs::create_directories(dir / "backoffice");
  fs::create_directories(dir / "ggk");
  std::uint64_t bytes = 0;
  for (std::size_t n = 0; n < count; ++n) {
    const GeneratedMessage message = generatedMessage(n);
    std::ofstream(dir / message.peer / message.name, std::ios::binary) << message.body;
    bytes += message.body.size();
  }
  return bytes;
}

pid_t spawn(const std::vector<std::string>& args, const fs::path& stdout_file, const fs::path& stderr_file) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return failed == 0 ? pid : 0;
}

long peakRssKib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace iwmo::bench
