#include "support/daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/test_support.h"

extern char** environ;

namespace iwmo::test {

namespace fs = std::filesystem;

std::filesystem::path writeDaemonConfig(const fs::path& dir, int http_port, const std::string& extra,
                                        const std::string& own_gemeente) {
  const fs::path file = dir / "gateway.toml";
  std::ofstream out(file);
  out << "[gateway]\nown_gemeente = " << own_gemeente << "\nstate_dir = \"state\"\n"
      << "[schemas]\niwmo = \"" << (sourceDir() / "schemas/iwmo-3.2").string() << "\"\n"
      << "ieb = \"" << (sourceDir() / "schemas/ieb").string() << "\"\n"
      << "[peers.backoffice]\nreceive_dir = \"backoffice/outbox\"\ndeliver_dir = \"backoffice/inbox\"\n"
      << "submit_endpoint = \"ipc://run/submit.sock\"\n"
      << "[peers.ggk]\nreceive_dir = \"ggk/download\"\ndeliver_dir = \"ggk/upload\"\n"
      << "[peers.cak]\nreceive_dir = \"cak/download\"\ndeliver_dir = \"cak/upload\"\n"
      << "[rejected]\ndir = \"rejected\"\n"
      << "[log]\nfile = \"log/routing.log\"\nfeed = \"ipc://run/feed.sock\"\n"
      << "[delivery]\nretry_initial_ms = 50\nretry_max_ms = 1000\n"
      << "[http]\nlisten = \"127.0.0.1:" << http_port << "\"\n";
  // A new journal needs its first start number (issue 14); tests start at 11 (message_id * 10 + n).
  const std::string eb_table = "[eigen_bijdrage]\n";
  const std::size_t at = extra.find(eb_table);
  if (at == std::string::npos) {
    out << extra << "\n" << eb_table << "first_start_nummer = 11\n";
  } else if (extra.find("first_start_nummer") == std::string::npos) {
    out << extra.substr(0, at + eb_table.size()) << "first_start_nummer = 11\n" << extra.substr(at + eb_table.size());
  } else {
    out << extra;
  }
  return file;
}

int freeLocalPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

DaemonProcess::DaemonProcess(fs::path config, fs::path log_file, std::vector<std::string> command)
    : config_(std::move(config)), log_file_(std::move(log_file)), command_(std::move(command)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill9();
}

void DaemonProcess::start() {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args = {IWMO_GATEWAY_BINARY, "--config", config_.string()};
  args.insert(args.end(), command_.begin(), command_.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, IWMO_GATEWAY_BINARY, &actions, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start the daemon");
  }
  posix_spawn_file_actions_destroy(&actions);
}

int DaemonProcess::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  return waitExit(timeout);
}

int DaemonProcess::waitExit(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill9();
  return -2;
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool DaemonProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

TestGateway::TestGateway(const std::string& extra_config)
    : port_(freeLocalPort()),
      config_(writeDaemonConfig(dir_.path(), port_, extra_config)),
      daemon_(config_, dir_.path() / "daemon.log") {}

bool TestGateway::startAndWaitReady() {
  daemon_.start();
  return waitFor([&] { return healthy(); }, std::chrono::seconds(20));
}

fs::path TestGateway::receiveDir(const std::string& peer) const {
  if (peer == "backoffice") return dir() / "backoffice/outbox";
  return dir() / peer / "download";
}

fs::path TestGateway::deliverDir(const std::string& peer) const {
  if (peer == "backoffice") return dir() / "backoffice/inbox";
  if (peer == "rejected") return dir() / "rejected";
  return dir() / peer / "upload";
}

bool TestGateway::healthy() const { return httpGet(port_, "/healthz").first == 200; }

std::string TestGateway::logText() const { return readFile(dir() / "daemon.log"); }

CommandResult TestGateway::cli(const std::string& args) const {
  return runCommand(shellQuote(IWMO_GATEWAY_BINARY) + " --config " + shellQuote(config_.string()) + " " + args);
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

std::vector<fs::path> filesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.' && it->is_regular_file()) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void dropFile(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  const fs::path temporary = dir / ("." + name + ".tmp");
  writeFile(temporary, bytes);
  fs::rename(temporary, dir / name);
}

std::pair<int, std::string> httpGet(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {0, ""};
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  [[maybe_unused]] const auto sent = ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  int status = 0;
  if (response.rfind("HTTP/1.", 0) == 0 && response.size() > 12) status = std::stoi(response.substr(9, 3));
  const auto body = response.find("\r\n\r\n");
  return {status, body == std::string::npos ? "" : response.substr(body + 4)};
}

}  // namespace iwmo::test
