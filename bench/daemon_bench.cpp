// Daemon benchmark (issue 13): the real `iwmo-gateway run` on a scratch configuration, measured
// from outside as a back office and an operator see it. Each figure is printed with a baseline
// measured in the same run on the same machine and file system, as a ratio.
//
//  1. Accept-to-journal latency under steady load: --messages (default 20 000) valid messages are
//     offered over the submit socket (ipc) at a steady --rate (default 1 000 msg/s), open loop:
//     message n is due at start + n/rate, and its latency runs from that due time to the
//     gateway's answer (which comes only once the message is journaled, fsync included), so a
//     stall of the gateway counts against it in full. 32 REQ sockets carry the load.
//     Baseline: one 4 KiB write + fdatasync into the same state directory (2 000 in a row), the
//     floor any durable acknowledgement pays on this file system.
//  2. Time to ready after a restart with --journaled (default 1 000 000) messages in the journal:
//     from the spawn of `run` to the first healthy /healthz answer. The journal is the one the
//     first part filled, its rows copied (new ids, digests and keys) up to the count, all
//     handled and delivered. Baseline: time to ready on an empty journal, same run.
//
// Peak RSS of the daemon (VmHWM) is printed after each part. Timings are printed, never
// asserted (non-negotiable 6).
//
//   build/bench/daemon_bench [--messages N] [--rate R] [--journaled M] [--scratch DIR] [--binary PATH] [--keep]
//
// --journaled 0 skips the restart part; --keep leaves the scratch directory (the daemon's
// stderr, its journal and routing log) for a look afterwards.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "bench_support.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t messages = 20000;
  double rate = 1000;
  std::uint64_t journaled = 1000000;
  fs::path scratch = fs::temp_directory_path() / "iwmo-daemon-bench";
  std::string binary = IWMO_GATEWAY_BINARY;
  bool keep = false;
};

constexpr int kHttpPort = 38617;

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// A gateway home under `dir`: the configuration (absolute paths) and its directories.
fs::path writeConfig(const fs::path& dir) {
  fs::create_directories(dir / "run");
  const fs::path config = dir / "gateway.toml";
  const std::string schemas = (fs::path(IWMO_SOURCE_DIR) / "schemas").string();
  std::ofstream(config) << "[gateway]\nown_gemeente = [\"0599\"]\nstate_dir = \"" << (dir / "state").string()
                        << "\"\n[schemas]\niwmo = \"" << schemas << "/iwmo-3.2\"\nieb = \"" << schemas << "/ieb\"\n"
                        << "[peers.backoffice]\nreceive_dir = \"" << (dir / "backoffice/outbox").string()
                        << "\"\ndeliver_dir = \"" << (dir / "backoffice/inbox").string() << "\"\nsubmit_endpoint = \"ipc://"
                        << (dir / "run/submit.sock").string() << "\"\n"
                        << "[peers.ggk]\nreceive_dir = \"" << (dir / "ggk/download").string() << "\"\ndeliver_dir = \""
                        << (dir / "ggk/upload").string() << "\"\n"
                        << "[peers.cak]\nreceive_dir = \"" << (dir / "cak/download").string() << "\"\ndeliver_dir = \""
                        << (dir / "cak/upload").string() << "\"\n"
                        << "[rejected]\ndir = \"" << (dir / "rejected").string() << "\"\n"
                        << "[log]\nfile = \"" << (dir / "log/routing.log").string() << "\"\n"
                        << "[http]\nlisten = \"127.0.0.1:" << kHttpPort << "\"\n"
                        // A new journal with iEb on needs its first start number (issue 14).
                        << "[eigen_bijdrage]\nfirst_start_nummer = 1\n";
  return config;
}

struct Daemon {
  pid_t pid = 0;
  double seconds_to_ready = 0;
};

// Starts `run` and waits for a healthy /healthz (at most 120 s).
std::optional<Daemon> startDaemon(const Options& options, const fs::path& dir) {
  Daemon daemon;
  const auto start = Clock::now();
  daemon.pid = iwmo::bench::spawn({options.binary, "--config", (dir / "gateway.toml").string(), "run"},
                                  dir / "daemon.stdout", dir / "daemon.stderr");
  if (daemon.pid == 0) return std::nullopt;
  httplib::Client http("127.0.0.1", kHttpPort);
  http.set_connection_timeout(std::chrono::milliseconds(200));
  while (Clock::now() - start < std::chrono::seconds(120)) {
    if (auto response = http.Get("/healthz"); response && response->status == 200) {
      daemon.seconds_to_ready = std::chrono::duration<double>(Clock::now() - start).count();
      return daemon;
    }
    int status = 0;
    if (waitpid(daemon.pid, &status, WNOHANG) == daemon.pid) {
      std::cerr << "daemon_bench: the daemon exited; see " << (dir / "daemon.stderr").string() << "\n";
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::cerr << "daemon_bench: no healthy /healthz within 120 s; see " << (dir / "daemon.stderr").string() << "\n";
  kill(daemon.pid, SIGKILL);
  waitpid(daemon.pid, nullptr, 0);
  return std::nullopt;
}

bool stopDaemon(const Daemon& daemon) {
  kill(daemon.pid, SIGTERM);
  int status = 0;
  waitpid(daemon.pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Offers `count` messages at `rate` over `endpoint`; latency of each in ms (due time to answer).
std::vector<double> submitAtRate(const std::string& endpoint, std::size_t count, double rate, std::size_t& refused) {
  zmq::context_t context;
  constexpr std::size_t kSockets = 32;
  std::vector<zmq::socket_t> sockets;
  std::vector<std::optional<Clock::time_point>> due_of(kSockets);
  std::deque<std::size_t> idle;
  for (std::size_t i = 0; i < kSockets; ++i) {
    sockets.emplace_back(context, zmq::socket_type::req);
    sockets.back().set(zmq::sockopt::linger, 0);
    sockets.back().connect(endpoint);
    idle.push_back(i);
  }
  std::vector<iwmo::bench::GeneratedMessage> batch;
  for (std::size_t n = 0; n < count; ++n) batch.push_back(iwmo::bench::generatedMessage(n));
  std::vector<double> latencies;
  latencies.reserve(count);
  refused = 0;
  const auto period = std::chrono::duration<double>(1.0 / rate);
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  std::size_t next = 0;
  std::size_t answered = 0;
  // A timerfd wakes the loop at the next due time to the microsecond (a poll timeout would
  // round it up to the next millisecond and count that lateness against the gateway).
  const int timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  std::vector<zmq::pollitem_t> items;
  for (auto& socket : sockets) items.push_back({socket.handle(), 0, ZMQ_POLLIN, 0});
  items.push_back({nullptr, timer, ZMQ_POLLIN, 0});
  while (answered < count) {
    const auto now = Clock::now();
    // Send what is due, on idle sockets; what finds none waits, its due time still running.
    while (next < count && !idle.empty() &&
           start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(next)) <= now) {
      const std::size_t s = idle.front();
      idle.pop_front();
      due_of[s] = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(next));
      sockets[s].send(zmq::buffer(batch[next].name), zmq::send_flags::sndmore);
      sockets[s].send(zmq::buffer(batch[next].body), zmq::send_flags::none);
      ++next;
    }
    if (next < count && !idle.empty()) {
      // steady_clock is CLOCK_MONOTONIC; arm the timer at the next message's due time.
      const auto due = start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(next));
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch()).count();
      itimerspec at{};
      at.it_value.tv_sec = static_cast<time_t>(ns / 1000000000);
      at.it_value.tv_nsec = static_cast<long>(ns % 1000000000);
      if (at.it_value.tv_sec == 0 && at.it_value.tv_nsec == 0) at.it_value.tv_nsec = 1;  // 0 would disarm
      ::timerfd_settime(timer, TFD_TIMER_ABSTIME, &at, nullptr);
    }
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    if ((items[kSockets].revents & ZMQ_POLLIN) != 0) {
      std::uint64_t expirations = 0;
      [[maybe_unused]] const auto n = ::read(timer, &expirations, sizeof expirations);
    }
    for (std::size_t s = 0; s < kSockets; ++s) {
      if ((items[s].revents & ZMQ_POLLIN) == 0) continue;
      zmq::message_t reply;
      if (!sockets[s].recv(reply, zmq::recv_flags::dontwait)) continue;
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - *due_of[s]).count());
      if (reply.to_string().find("\"status\":\"accepted\"") == std::string::npos) ++refused;
      due_of[s].reset();
      idle.push_back(s);
      ++answered;
    }
  }
  ::close(timer);
  return latencies;
}

// The baseline: `count` 4 KiB writes + fdatasync in `dir`, one after the other (closed loop: the
// file system cannot keep up with one fdatasync per message at every rate); latency in ms.
std::vector<double> fdatasyncLatencies(const fs::path& dir, std::size_t count) {
  const fs::path file = dir / "fdatasync-baseline";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<double> latencies;
  if (fd < 0) return latencies;
  const std::string block(4096, 'x');
  for (std::size_t n = 0; n < count; ++n) {
    const auto start = Clock::now();
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) break;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  ::close(fd);
  fs::remove(file);
  return latencies;
}

bool exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::cerr << "daemon_bench: " << (error != nullptr ? error : "sqlite error") << " in: " << sql.substr(0, 120) << "\n";
    sqlite3_free(error);
    return false;
  }
  return true;
}

// Copies the journal's messages (with their payloads, decisions, outbox items and deliveries) under new
// ids, digests and keys until it holds `target` messages.
bool growJournal(const fs::path& file, std::uint64_t target) {
  sqlite3* db = nullptr;
  if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) return false;
  bool ok = exec(db, "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL;");
  sqlite3_stmt* count_statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*), max(id) FROM messages", -1, &count_statement, nullptr);
  sqlite3_step(count_statement);
  const auto base = static_cast<std::uint64_t>(sqlite3_column_int64(count_statement, 0));
  const auto max_id = static_cast<std::uint64_t>(sqlite3_column_int64(count_statement, 1));
  sqlite3_finalize(count_statement);
  if (base == 0 || base != max_id) {
    std::cerr << "daemon_bench: expected a journal with ids 1.." << base << "\n";
    sqlite3_close(db);
    return false;
  }
  sqlite3_stmt* outbox_statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT max(id) FROM outbox", -1, &outbox_statement, nullptr);
  sqlite3_step(outbox_statement);
  const auto outbox_base = static_cast<std::uint64_t>(sqlite3_column_int64(outbox_statement, 0));
  sqlite3_finalize(outbox_statement);
  for (std::uint64_t copy = 1; ok && base * (copy + 1) <= target; ++copy) {
    const std::string offset = std::to_string(base * copy);
    const std::string outbox_offset = std::to_string(outbox_base * copy);
    const std::string suffix = "'-c" + std::to_string(copy) + "'";
    ok = exec(db, "BEGIN") &&
         exec(db, "INSERT INTO messages SELECT id + " + offset + ", received_at, peer, source || " + suffix +
                      ", sha256 || " + suffix + ", size, message_type, identificatie || " + suffix +
                      ", CASE duplicate_key WHEN '' THEN '' ELSE duplicate_key || " + suffix +
                      " END, valid, state, disposition, handled_at, CASE WHEN duplicate_of IS NULL THEN NULL ELSE "
                      "duplicate_of + " + offset + " END, duplicate_reason, payload, envelope FROM messages WHERE id <= " +
                      std::to_string(base)) &&
         exec(db, "INSERT INTO message_payloads SELECT message_id + " + offset +
                      ", payload FROM message_payloads WHERE message_id <= " + std::to_string(base)) &&
         exec(db, "INSERT INTO decisions SELECT message_id + " + offset +
                      ", seq, at, worker, decision FROM decisions WHERE message_id <= " + std::to_string(base)) &&
         exec(db, "INSERT INTO outbox SELECT id + " + outbox_offset + ", message_id + " + offset +
                      ", seq, peer, file_name || " + suffix +
                      ", message_type, receiver, payload, state, attempts, created_at, next_attempt_at, delivered_at, "
                      "last_error FROM outbox WHERE id <= " + std::to_string(outbox_base)) &&
         exec(db, "INSERT INTO outbox_payloads SELECT outbox_id + " + outbox_offset +
                      ", payload FROM outbox_payloads WHERE outbox_id <= " + std::to_string(outbox_base)) &&
         exec(db, "INSERT INTO deliveries (outbox_id, at, ok, detail) SELECT outbox_id + " + outbox_offset +
                      ", at, ok, detail FROM deliveries WHERE outbox_id <= " + std::to_string(outbox_base)) &&
         exec(db, "COMMIT");
  }
  ok = ok && exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(db);
  return ok;
}

std::uint64_t journalMessages(const fs::path& file) {
  sqlite3* db = nullptr;
  std::uint64_t count = 0;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &statement, nullptr);
    if (sqlite3_step(statement) == SQLITE_ROW) count = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return count;
}

bool parse(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--messages") == 0 && has_value) {
      options.messages = std::stoul(argv[++i]);
    } else if (std::strcmp(argv[i], "--rate") == 0 && has_value) {
      options.rate = std::stod(argv[++i]);
    } else if (std::strcmp(argv[i], "--journaled") == 0 && has_value) {
      options.journaled = std::stoull(argv[++i]);
    } else if (std::strcmp(argv[i], "--scratch") == 0 && has_value) {
      options.scratch = argv[++i];
    } else if (std::strcmp(argv[i], "--binary") == 0 && has_value) {
      options.binary = argv[++i];
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      options.keep = true;
    } else {
      std::cerr << "usage: daemon_bench [--messages 20000] [--rate 1000] [--journaled 1000000] [--scratch DIR] "
                   "[--binary PATH] [--keep]\n";
      return false;
    }
  }
  return options.messages > 0 && options.rate > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) return 2;
  fs::remove_all(options.scratch);
  const fs::path home = options.scratch / "gateway";
  writeConfig(home);
  std::printf("daemon benchmark: iwmo-gateway run, %u cores, durable journal (synchronous=FULL)\n",
              std::thread::hardware_concurrency());

  // 1. Accept-to-journal latency at a steady rate.
  auto daemon = startDaemon(options, home);
  if (!daemon) return 1;
  const double empty_ready = daemon->seconds_to_ready;
  std::size_t refused = 0;
  const std::vector<double> latency =
      submitAtRate("ipc://" + (home / "run/submit.sock").string(), options.messages, options.rate, refused);
  // Let delivery finish before the restart part copies the journal.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const long submit_rss = iwmo::bench::peakRssKib(daemon->pid);
  if (!stopDaemon(*daemon)) std::cerr << "daemon_bench: the daemon did not exit 0 on SIGTERM\n";
  const std::vector<double> floor = fdatasyncLatencies(home / "state", std::min<std::size_t>(options.messages, 2000));
  std::printf("\naccept-to-journal over the submit socket, %zu messages at %.0f msg/s (%zu not accepted)\n",
              options.messages, options.rate, refused);
  std::printf("  %-34s %9s %9s %9s %9s\n", "", "p50 ms", "p99 ms", "p99.9 ms", "max ms");
  std::printf("  %-34s %9.2f %9.2f %9.2f %9.2f\n", "gateway (due time to answer)", percentile(latency, 0.5),
              percentile(latency, 0.99), percentile(latency, 0.999), percentile(latency, 1.0));
  std::printf("  %-34s %9.2f %9.2f %9.2f %9.2f\n", "baseline: one 4 KiB write + fdatasync", percentile(floor, 0.5),
              percentile(floor, 0.99), percentile(floor, 0.999), percentile(floor, 1.0));
  std::printf("  p99 ratio gateway / baseline: %.2fx   (issue 13 target: p99 <= 5 ms)\n",
              percentile(latency, 0.99) / std::max(1e-9, percentile(floor, 0.99)));
  std::printf("  daemon peak RSS: %ld MB\n", submit_rss / 1024);

  // 2. Time to ready after a restart with a large journal.
  if (options.journaled == 0) return 0;
  const fs::path journal = home / "state/journal.sqlite";
  const auto grow_start = Clock::now();
  if (!growJournal(journal, options.journaled)) return 1;
  const std::uint64_t journaled = journalMessages(journal);
  std::printf("\nrestart with %llu journaled messages (%.1f GB journal, built in %.0f s)\n",
              static_cast<unsigned long long>(journaled),
              static_cast<double>(fs::file_size(journal)) / 1e9,
              std::chrono::duration<double>(Clock::now() - grow_start).count());
  // A warm restart (the journal in the page cache, as after a service restart; not a cold boot).
  daemon = startDaemon(options, home);
  if (!daemon) return 1;
  const long restart_rss = iwmo::bench::peakRssKib(daemon->pid);
  stopDaemon(*daemon);
  std::printf("  %-34s %9.3f s\n", "time to ready (spawn to /healthz)", daemon->seconds_to_ready);
  std::printf("  %-34s %9.3f s\n", "baseline: same on an empty journal", empty_ready);
  std::printf("  ratio: %.2fx   (issue 13 target: <= 2 s)\n", daemon->seconds_to_ready / std::max(1e-9, empty_ready));
  std::printf("  daemon peak RSS at ready: %ld MB\n", restart_rss / 1024);
  if (!options.keep) fs::remove_all(options.scratch);
  return 0;
}
