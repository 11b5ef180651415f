// `iwmo-gateway tail`: the last lines of the routing log, then (with follow) the live feed
// reconciled with the files by seq. See tail_command.h.
#include "gateway/cli/tail_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "gateway/log/routing_log.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitIo = 2;
// How long one wait for the feed lasts; bounds the reaction time to SIGINT/SIGTERM and to new
// lines in the file when the feed is silent.
constexpr std::chrono::milliseconds kPollTimeout{250};

volatile std::sig_atomic_t g_stop_requested = 0;

extern "C" void onStopSignal(int /*signal*/) { g_stop_requested = 1; }

// Installs the SIGINT/SIGTERM handlers for the lifetime of the object (without SA_RESTART, so
// a blocking poll returns with EINTR), and restores the previous ones.
class StopSignals {
 public:
  StopSignals() {
    g_stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    ::sigaction(SIGINT, &action, &old_int_);
    ::sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  static bool requested() { return g_stop_requested != 0; }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool colourWanted() {
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

class Printer {
 public:
  Printer(const TailOptions& options, bool colour) : options_(options), colour_(colour) {}

  // Prints `line` when it passes the filter; either way `last()` advances to its seq.
  void offer(std::string_view line) {
    if (const std::optional<std::uint64_t> seq = log::seqOf(line)) advanceTo(*seq);
    if (!options_.filter.matches(line)) return;
    if (options_.json) {
      std::cout << line << '\n';
    } else {
      std::cout << log::formatHuman(line, colour_) << '\n';
    }
  }
  void advanceTo(std::uint64_t seq) { last_ = std::max(last_, seq); }
  // The highest seq seen in the file or the feed, printed or filtered out.
  std::uint64_t last() const { return last_; }

 private:
  const TailOptions& options_;
  bool colour_;
  std::uint64_t last_ = 0;
};

void reportUnreadable(const TailOptions& options, const Status& status) {
  std::cerr << "iwmo-gateway tail: cannot read the routing log " << options.log_file.string()
            << ": " << status.message() << "\n";
  if (status.code() == StatusCode::kNotFound) {
    std::cerr << "  is the daemon's [log] file setting the same as tail's --config? (and has "
                 "the daemon run since it was set?)\n";
  } else {
    std::cerr << "  can this user read it? (the daemon writes it with mode 0640: add the user "
                 "to the daemon's group)\n";
  }
}

// The last `options.lines` matching lines (all when 0), oldest first.
Status printInitial(const TailOptions& options, Printer& printer) {
  std::vector<std::string> newest_first;
  std::uint64_t newest_seq = 0;
  IWMO_RETURN_IF_ERROR(log::visitLinesBackward(options.log_file, [&](std::string_view line) {
    if (newest_seq == 0) newest_seq = log::seqOf(line).value_or(0);
    if (!options.filter.matches(line)) return true;
    newest_first.emplace_back(line);
    return options.lines == 0 || newest_first.size() < options.lines;
  }));
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) printer.offer(*it);
  // Lines after the last printed one that the filter dropped were seen too: they are no gap.
  printer.advanceTo(newest_seq);
  return Status::ok();
}

// Prints the lines of the files newer than printer.last(), oldest first. Reads from the end
// and stops at the first line already seen, so it costs about the size of the gap.
Status catchUp(const TailOptions& options, Printer& printer) {
  const std::uint64_t after = printer.last();
  std::vector<std::string> newest_first;
  IWMO_RETURN_IF_ERROR(log::visitLinesBackward(options.log_file, [&](std::string_view line) {
    const std::optional<std::uint64_t> seq = log::seqOf(line);
    if (!seq) return true;
    if (*seq <= after) return false;
    newest_first.emplace_back(line);
    return true;
  }));
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) printer.offer(*it);
  return Status::ok();
}

void catchUpOrWarn(const TailOptions& options, Printer& printer) {
  const Status status = catchUp(options, printer);
  // kNotFound: between a rotation's rename and the new file; the next look finds it.
  if (!status.isOk() && status.code() != StatusCode::kNotFound) {
    std::cerr << "iwmo-gateway tail: " << status.message() << "\n";
  }
}

// Identity and size of the current log file, to notice new lines when the feed is silent.
struct FileStamp {
  ino_t inode = 0;
  off_t size = -1;
  std::int64_t mtime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp stampOf(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_size,
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

// One line from the feed: printed when new; a jump past last()+1 (the feed dropped lines, or
// they were published between reading the file and the subscription taking effect) is filled
// from the file first, which the daemon writes before it publishes.
void onFeedLine(const TailOptions& options, Printer& printer, std::string_view line) {
  const std::optional<std::uint64_t> seq = log::seqOf(line);
  if (!seq || *seq <= printer.last()) return;
  if (*seq > printer.last() + 1) {
    catchUpOrWarn(options, printer);
    if (*seq <= printer.last()) return;
  }
  printer.offer(line);
}

int follow(const TailOptions& options, Printer& printer, zmq::socket_t* feed) {
  FileStamp stamp = stampOf(options.log_file);
  while (!StopSignals::requested()) {
    bool fed = false;
    if (feed != nullptr) {
      try {
        zmq::pollitem_t items[] = {{feed->handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 1, kPollTimeout);
        if ((items[0].revents & ZMQ_POLLIN) != 0) {
          zmq::message_t message;
          while (feed->recv(message, zmq::recv_flags::dontwait)) {
            fed = true;
            onFeedLine(options, printer, message.to_string_view());
          }
        }
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) {
          std::cerr << "iwmo-gateway tail: reading the feed " << options.feed_endpoint
                    << " failed: " << e.what() << "\n";
          return kExitIo;
        }
      }
    } else {
      std::this_thread::sleep_for(kPollTimeout);
    }
    if (!fed) {  // no feed, or a silent one: look at the file itself
      const FileStamp now = stampOf(options.log_file);
      if (!(now == stamp)) {
        stamp = now;
        catchUpOrWarn(options, printer);
      }
    }
    std::cout.flush();
  }
  return kExitOk;
}

}  // namespace

int runTail(const TailOptions& options) {
  Printer printer(options, !options.json && colourWanted());
  std::optional<StopSignals> signals;
  zmq::context_t context;
  std::optional<zmq::socket_t> feed;
  if (options.follow) {
    signals.emplace();
    if (!options.feed_endpoint.empty()) {
      // Subscribe before reading the files: what is published meanwhile is then either in what
      // we read or queued on the socket; onFeedLine() sorts out the overlap by seq.
      try {
        feed.emplace(context, zmq::socket_type::sub);
        feed->set(zmq::sockopt::linger, 0);
        feed->set(zmq::sockopt::subscribe, "");
        feed->connect(options.feed_endpoint);
      } catch (const zmq::error_t& e) {
        std::cerr << "iwmo-gateway tail: cannot connect to the routing-log feed "
                  << options.feed_endpoint << ": " << e.what()
                  << "\n  check the daemon's [log] feed setting\n";
        return kExitIo;
      }
    }
  }
  const Status initial = printInitial(options, printer);
  if (!initial.isOk()) {
    reportUnreadable(options, initial);
    return kExitIo;
  }
  std::cout.flush();
  if (!options.follow) return kExitOk;
  return follow(options, printer, feed ? &*feed : nullptr);
}

}  // namespace iwmo::cli
