#include "gateway/base/thread_role.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

namespace iwmo {

void setThreadRole(std::string_view name, ThreadRole role) {
  const std::string truncated(name.substr(0, 15));  // the kernel keeps 16 bytes with the NUL
  pthread_setname_np(pthread_self(), truncated.c_str());
  if (role == ThreadRole::kBackground) {
    // On Linux, PRIO_PROCESS with a thread id sets that thread's nice value alone.
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (current < kBackgroundNice) ::setpriority(PRIO_PROCESS, tid, kBackgroundNice);
  }
}

}  // namespace iwmo
