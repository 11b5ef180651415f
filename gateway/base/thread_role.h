// Thread names and scheduling roles. Every long-lived thread of the gateway names itself
// (`top -H`, `ps -L`, gdb and perf show "iwmo-writer", "iwmo-worker-1", ...), and says whether a
// sender waits for it:
//   kAcknowledgement: on the path from receiving a message to its acknowledgement (the submit
//     socket, the validators, the journal's writer): normal priority;
//   kBackground: everything after the acknowledgement (handler workers, dispatch, delivery, the
//     routing-log projector, the WAL checkpointer): nice +kBackgroundNice, so that on a busy
//     machine an acknowledgement gets the CPU first (issue 13: p99 accept latency). The kernel
//     still gives them their share; nothing starves, and raising a thread's nice value needs no
//     privilege.
// Best effort: a failure to name or renice is ignored (the thread works the same).
#pragma once

#include <string_view>

namespace iwmo {

enum class ThreadRole { kAcknowledgement, kBackground };

inline constexpr int kBackgroundNice = 5;

// Names the calling thread (at most 15 bytes are kept) and applies `role`.
void setThreadRole(std::string_view name, ThreadRole role);

}  // namespace iwmo
