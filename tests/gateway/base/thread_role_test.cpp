#include "gateway/base/thread_role.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

namespace {

struct Seen {
  std::string name;
  int nice = 0;
};

Seen runAs(std::string_view name, iwmo::ThreadRole role) {
  Seen seen;
  std::thread thread([&] {
    iwmo::setThreadRole(name, role);
    char buffer[16] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    seen.name = buffer;
    seen.nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
  });
  thread.join();
  return seen;
}

TEST_CASE("a background thread is named and yields the CPU to acknowledgements", "[base]") {
  const int process_nice = ::getpriority(PRIO_PROCESS, 0);
  const Seen background = runAs("iwmo-delivery", iwmo::ThreadRole::kBackground);
  CHECK(background.name == "iwmo-delivery");
  CHECK(background.nice == std::max(process_nice, iwmo::kBackgroundNice));

  const Seen acknowledgement = runAs("iwmo-writer", iwmo::ThreadRole::kAcknowledgement);
  CHECK(acknowledgement.name == "iwmo-writer");
  CHECK(acknowledgement.nice == process_nice);
  CHECK(::getpriority(PRIO_PROCESS, 0) == process_nice);  // the process itself is untouched
}

TEST_CASE("a thread name longer than the kernel keeps is cut at 15 bytes", "[base]") {
  CHECK(runAs("iwmo-worker-1234567890", iwmo::ThreadRole::kBackground).name == "iwmo-worker-123");
}

}  // namespace
