// `iwmo-gateway tail`: print and follow the routing log (DESIGN §5.1 step 7, §5.2), human or JSON.
// Without follow it prints the last `lines` matching lines of the files (oldest first). With
// follow it then keeps printing new lines from the daemon's live feed, reconciled with the file
// by seq: no line is printed twice, and a line the feed dropped is read from the file.
// Exit status: 0 (also after SIGINT/SIGTERM), 2 when the log cannot be read or the feed
// endpoint is malformed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "gateway/log/log_format.h"

namespace iwmo::cli {

struct TailOptions {
  std::filesystem::path log_file;  // the daemon's [log] file; its rotated files path.N are read too
  std::string feed_endpoint;       // the daemon's PUB endpoint; empty = follow by polling the file
  log::TailFilter filter;
  bool follow = false;
  bool json = false;        // raw JSON lines instead of the human format
  std::size_t lines = 20;   // how many of the last matching lines to print first; 0 = all
};

// Human output is coloured when stdout is a terminal and NO_COLOR is not set (no-color.org).
int runTail(const TailOptions& options);

}  // namespace iwmo::cli
