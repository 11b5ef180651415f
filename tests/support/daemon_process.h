// Starts the real `iwmo-gateway run` as a child process on a config of the test's own (temp
// directories, ipc endpoints, an HTTP port on 127.0.0.1 chosen free), for integration tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace iwmo::test {

// Writes a config for a daemon whose state is all below `dir`, with gemeente 0599 (or the
// TOML list `own_gemeente`). `extra` is appended verbatim (more TOML).
std::filesystem::path writeDaemonConfig(const std::filesystem::path& dir, int http_port,
                                        const std::string& extra = "",
                                        const std::string& own_gemeente = "[\"0599\"]");
// A TCP port on 127.0.0.1 that was free a moment ago.
int freeLocalPort();

class DaemonProcess {
 public:
  // `command`: the subcommand and its arguments (default `run`; e.g. {"worker", "--connect", E}).
  DaemonProcess(std::filesystem::path config, std::filesystem::path log_file,
                std::vector<std::string> command = {"run"});
  ~DaemonProcess();  // SIGKILL if still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the process (stdout/stderr appended to the log file).
  void start();
  // SIGTERM and wait; returns the exit status (or 128+signal).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Waits for the process to exit by itself; returns as terminate(), or -2 (and SIGKILL) when it
  // is still running after `timeout`.
  int waitExit(std::chrono::seconds timeout);
  void kill9();
  bool running();
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path config_;
  std::filesystem::path log_file_;
  std::vector<std::string> command_;
  pid_t pid_ = -1;
};

// One daemon on a config of its own in a temporary directory (writeDaemonConfig), with the
// helpers most integration tests need. The daemon is not started by the constructor.
class TestGateway {
 public:
  explicit TestGateway(const std::string& extra_config = "");
  TestGateway(const TestGateway&) = delete;
  TestGateway& operator=(const TestGateway&) = delete;

  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::filesystem::path& config() const { return config_; }
  int port() const { return port_; }
  DaemonProcess& daemon() { return daemon_; }
  // Starts the daemon and waits until /healthz answers 200; false after 20 s.
  bool startAndWaitReady();
  bool healthy() const;
  // "backoffice", "ggk" or "cak": where that peer's messages are picked up / delivered.
  std::filesystem::path receiveDir(const std::string& peer) const;
  std::filesystem::path deliverDir(const std::string& peer) const;
  std::filesystem::path submitEndpoint() const { return dir() / "run/submit.sock"; }
  std::string logText() const;
  // `iwmo-gateway --config CONFIG ARGS` (ARGS already shell-quoted where needed).
  CommandResult cli(const std::string& args) const;

 private:
  TempDir dir_;
  int port_;
  std::filesystem::path config_;
  DaemonProcess daemon_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes.
bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout);
// Files (not dot files) directly in `dir`, sorted; empty when it does not exist.
std::vector<std::filesystem::path> filesIn(const std::filesystem::path& dir);
// Writes `bytes` into dir/name the way a producer must: temporary name, then rename.
void dropFile(const std::filesystem::path& dir, const std::string& name, const std::string& bytes);
// A plain HTTP GET of 127.0.0.1:port/path; {status, body}; status 0 when nothing answers.
std::pair<int, std::string> httpGet(int port, const std::string& path);

}  // namespace iwmo::test
