// `iwmo-gateway run`: the daemon (DESIGN §5.1, §5.2). Journal-first pipeline over ZeroMQ with
// directory and socket transports, routing log with live feed, /healthz and /metrics.
// systemd: Type=notify (READY=1 once every source listens, STOPPING=1 on SIGTERM, WATCHDOG=1
// when WatchdogSec is set). SIGTERM/SIGINT: stop taking messages, finish and deliver what is
// journaled (up to 30 s), flush the log, exit 0. SIGHUP: reload the config file's handler
// settings (own_gemeente); settings that need a restart are named on stderr.
// Exit status: 0 after a clean stop, 2 when start-up fails (the message says what to fix).
#pragma once

#include <filesystem>

#include "gateway/config/config.h"

namespace iwmo::cli {

int runDaemon(const config::Config& config, const std::filesystem::path& config_file);

}  // namespace iwmo::cli
