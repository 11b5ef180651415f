// The state directory's lock (gateway/cli/state_lock.h): one holder, and the one refused learns
// who holds it. flock(2) conflicts between two open file descriptions in one process as between
// two processes, so one test process can play both.
#include "gateway/cli/state_lock.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "support/test_support.h"

TEST_CASE("the state lock has one holder, whose pid and command the refused one reads", "[cli]") {
  iwmo::test::TempDir dir;
  const auto file = dir.path() / "iwmo-gateway.lock";
  iwmo::cli::StateLockHolder holder;
  auto first = iwmo::cli::takeStateLock(file, "iwmo-gateway import cak-periods", holder);
  REQUIRE(first);
  CHECK_FALSE(holder.held);
  CHECK(iwmo::test::readFile(file) == std::to_string(::getpid()) + " iwmo-gateway import cak-periods\n");

  auto second = iwmo::cli::takeStateLock(file, "iwmo-gateway run", holder);
  REQUIRE_FALSE(second);
  CHECK(holder.held);
  CHECK(holder.pid == std::to_string(::getpid()));
  CHECK(holder.command == "iwmo-gateway import cak-periods");

  ::close(*first);  // released: the next one takes it and writes itself in
  auto third = iwmo::cli::takeStateLock(file, "iwmo-gateway run", holder);
  REQUIRE(third);
  CHECK(iwmo::test::readFile(file) == std::to_string(::getpid()) + " iwmo-gateway run\n");
  ::close(*third);

  auto nowhere = iwmo::cli::takeStateLock(dir.path() / "missing" / "iwmo-gateway.lock", "iwmo-gateway run", holder);
  REQUIRE_FALSE(nowhere);
  CHECK_FALSE(holder.held);
  CHECK_THAT(nowhere.status().message(), Catch::Contains("cannot open the lock file"));
}
