// The ZeroMQ bus (gateway/bus/bus.h) with real sockets: inproc and ipc, real worker loops.
#include "gateway/bus/bus.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "support/daemon_process.h"
#include "support/test_support.h"

namespace {

struct Collected {
  std::mutex mutex;
  std::condition_variable cv;
  std::map<std::uint64_t, iwmo::proto::HandlerResult> results;
  std::vector<std::uint64_t> order;
  std::size_t duplicates = 0;
  void add(iwmo::proto::HandlerResult result) {
    std::lock_guard lock(mutex);
    if (results.count(result.message_id()) != 0) ++duplicates;
    order.push_back(result.message_id());
    results[result.message_id()] = std::move(result);
    cv.notify_all();
  }
  bool waitFor(std::size_t n) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return results.size() >= n; });
  }
};

iwmo::proto::WorkItem item(std::uint64_t id) {
  iwmo::proto::WorkItem work;
  work.set_message_id(id);
  return work;
}

iwmo::proto::HandlerResult echo(const iwmo::proto::WorkItem& work) {
  iwmo::proto::HandlerResult result;
  result.set_message_id(work.message_id());
  result.set_disposition("routed");
  result.add_decisions()->set_summary("attempt " + std::to_string(work.attempt()));
  return result;
}

}  // namespace

TEST_CASE("bus: every item reaches a worker and each result comes back once", "[bus]") {
  zmq::context_t context;
  Collected collected;
  iwmo::bus::DispatcherOptions options;
  options.heartbeat_ms = 100;
  auto dispatcher = iwmo::bus::Dispatcher::start(context, options, [&](iwmo::proto::HandlerResult r) {
    const auto id = r.message_id();
    collected.add(std::move(r));
    // complete() is normally called after the journal commit.
    (void)id;
  });
  REQUIRE(dispatcher);
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&, i] {
      iwmo::bus::WorkerOptions worker;
      worker.endpoint = iwmo::bus::kInprocEndpoint;
      worker.name = "w" + std::to_string(i);
      worker.heartbeat_ms = 100;
      CHECK(iwmo::bus::runWorker(context, worker, echo, [&] { return stop.load(); }).isOk());
    });
  }
  // Same key → same worker holds for a stable set of workers: wait until all three joined.
  const auto joined = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((*dispatcher)->counters().workers < 3 && std::chrono::steady_clock::now() < joined) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE((*dispatcher)->counters().workers == 3);
  for (std::uint64_t id = 1; id <= 500; ++id) (*dispatcher)->submit(item(id), "client-" + std::to_string(id % 7));
  // Release keys as results arrive, as the pipeline does after committing.
  std::thread completer([&] {
    std::size_t seen = 0;
    while (seen < 500) {
      std::vector<std::uint64_t> fresh;
      {
        std::unique_lock lock(collected.mutex);
        collected.cv.wait_for(lock, std::chrono::milliseconds(50));
        fresh.assign(collected.order.begin() + static_cast<std::ptrdiff_t>(seen), collected.order.end());
      }
      for (auto id : fresh) (*dispatcher)->complete(id);
      seen += fresh.size();
    }
  });
  REQUIRE(collected.waitFor(500));
  completer.join();
  CHECK(collected.duplicates == 0);
  // Per-client order: each key's items came back in submission order, all from one worker.
  std::map<std::string, std::vector<std::uint64_t>> per_key;
  std::map<std::string, std::set<std::string>> workers_per_key;
  for (auto id : collected.order) {
    const std::string key = "client-" + std::to_string(id % 7);
    per_key[key].push_back(id);
    workers_per_key[key].insert(collected.results[id].worker());
  }
  for (const auto& [key, ids] : per_key) {
    INFO(key);
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(workers_per_key[key].size() == 1);
  }
  std::set<std::string> used;
  for (const auto& [key, names] : workers_per_key) used.insert(names.begin(), names.end());
  CHECK(used.size() >= 2);  // the keys spread over the workers
  stop = true;
  for (auto& w : workers) w.join();
  (*dispatcher)->stop();
}

TEST_CASE("bus: a worker that goes silent has its work redelivered to another, once", "[bus]") {
  zmq::context_t context;
  Collected collected;
  iwmo::bus::DispatcherOptions options;
  options.heartbeat_ms = 100;
  iwmo::test::TempDir dir;
  const std::string ipc = "ipc://" + (dir.path() / "bus.sock").string();
  options.plain_endpoints = {ipc};
  auto dispatcher = iwmo::bus::Dispatcher::start(context, options, [&](iwmo::proto::HandlerResult r) {
    collected.add(std::move(r));
  });
  REQUIRE(dispatcher);

  // The stuck worker blocks on its first item (no heartbeats while blocked), like a hung process.
  std::mutex gate_mutex;
  std::condition_variable gate;
  bool release = false;
  std::atomic<bool> stop{false};
  std::thread stuck([&] {
    iwmo::bus::WorkerOptions worker;
    worker.endpoint = ipc;
    worker.name = "stuck";
    worker.heartbeat_ms = 100;
    (void)iwmo::bus::runWorker(context, worker, [&](const iwmo::proto::WorkItem& work) {
      std::unique_lock lock(gate_mutex);
      gate.wait(lock, [&] { return release; });
      return echo(work);
    }, [&] { return stop.load(); });
  });
  // Give the stuck worker time to register, then submit: with one worker it owns every key.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  (*dispatcher)->submit(item(1), "k");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  std::thread healthy([&] {
    iwmo::bus::WorkerOptions worker;
    worker.endpoint = iwmo::bus::kInprocEndpoint;
    worker.name = "healthy";
    worker.heartbeat_ms = 100;
    (void)iwmo::bus::runWorker(context, worker, echo, [&] { return stop.load(); });
  });
  REQUIRE(collected.waitFor(1));
  {
    std::lock_guard lock(collected.mutex);
    CHECK(collected.results[1].worker() == "healthy");
    CHECK(collected.results[1].decisions(0).summary() == "attempt 2");
  }
  CHECK((*dispatcher)->counters().redelivered == 1);
  // The stuck worker wakes up and answers late: that result is dropped, not passed on twice.
  {
    std::lock_guard lock(gate_mutex);
    release = true;
  }
  gate.notify_all();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(collected.duplicates == 0);
  stop = true;
  stuck.join();
  healthy.join();
  (*dispatcher)->stop();
}

TEST_CASE("bus: CURVE endpoints admit only authorized workers", "[bus]") {
  auto server = iwmo::bus::generateCurveKeyPair();
  auto good = iwmo::bus::generateCurveKeyPair();
  auto bad = iwmo::bus::generateCurveKeyPair();
  REQUIRE(server);
  REQUIRE(good);
  REQUIRE(bad);
  zmq::context_t context;
  Collected collected;
  iwmo::bus::DispatcherOptions options;
  options.heartbeat_ms = 100;
  // CURVE is meant for remote tcp; the test runs it on loopback with a free port.
  options.curve_endpoints = {"tcp://127.0.0.1:" + std::to_string(iwmo::test::freeLocalPort())};
  options.keys.server_public = server->first;
  options.keys.server_secret = server->second;
  options.keys.authorized_workers = {good->first};
  auto dispatcher = iwmo::bus::Dispatcher::start(context, options, [&](iwmo::proto::HandlerResult r) {
    collected.add(std::move(r));
  });
  REQUIRE(dispatcher);
  std::atomic<bool> stop{false};
  auto worker_with = [&](const std::pair<std::string, std::string>& keys, const std::string& name) {
    return std::thread([&, keys, name] {
      iwmo::bus::WorkerOptions worker;
      worker.endpoint = options.curve_endpoints[0];
      worker.name = name;
      worker.heartbeat_ms = 100;
      worker.keys.server_public = server->first;
      worker.keys.client_public = keys.first;
      worker.keys.client_secret = keys.second;
      (void)iwmo::bus::runWorker(context, worker, echo, [&] { return stop.load(); });
    });
  };
  std::thread intruder = worker_with(*bad, "intruder");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK((*dispatcher)->counters().workers == 0);  // refused by ZAP
  std::thread member = worker_with(*good, "member");
  (*dispatcher)->submit(item(7), "x");
  REQUIRE(collected.waitFor(1));
  CHECK(collected.results[7].worker() == "member");
  stop = true;
  intruder.join();
  member.join();
  (*dispatcher)->stop();
}

TEST_CASE("bus: a result that does not parse sends the worker's items to another worker, never lost", "[bus]") {
  zmq::context_t context;
  Collected collected;
  iwmo::bus::DispatcherOptions options;
  options.heartbeat_ms = 100;
  iwmo::test::TempDir dir;
  const std::string ipc = "ipc://" + (dir.path() / "bus.sock").string();
  options.plain_endpoints = {ipc};
  auto dispatcher = iwmo::bus::Dispatcher::start(context, options, [&](iwmo::proto::HandlerResult r) {
    collected.add(std::move(r));
  });
  REQUIRE(dispatcher);
  // A worker speaking the bus protocol by hand, answering with bytes that are no HandlerResult. It
  // keeps sending heartbeats, so only the unreadable result can take its item away.
  zmq::socket_t broken(context, zmq::socket_type::dealer);
  broken.set(zmq::sockopt::linger, 0);
  broken.connect(ipc);
  const auto announce = [&](const char* verb) {
    std::vector<zmq::message_t> frames;
    frames.emplace_back(std::string(verb));
    frames.emplace_back(std::string("broken"));
    frames.emplace_back(std::string("1"));
    zmq::send_multipart(broken, frames);
  };
  // Heartbeats for `duration`; the frames received meanwhile.
  const auto beatFor = [&](std::chrono::milliseconds duration) {
    std::vector<std::vector<zmq::message_t>> received;
    const auto until = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < until) {
      announce("HEARTBEAT");
      zmq::pollitem_t items[] = {{broken.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 1, std::chrono::milliseconds(40));
      if ((items[0].revents & ZMQ_POLLIN) != 0) {
        std::vector<zmq::message_t> frames;
        if (zmq::recv_multipart(broken, std::back_inserter(frames))) received.push_back(std::move(frames));
      }
    }
    return received;
  };
  announce("HELLO");
  beatFor(std::chrono::milliseconds(300));
  (*dispatcher)->submit(item(7), "k");
  const auto work = beatFor(std::chrono::milliseconds(300));
  REQUIRE(work.size() == 1);
  REQUIRE(work[0].size() == 2);
  CHECK(work[0][0].to_string() == "WORK");
  // A healthy worker joins (owning no key yet); then the broken one answers garbage.
  std::atomic<bool> stop{false};
  std::thread healthy([&] {
    iwmo::bus::WorkerOptions worker;
    worker.endpoint = iwmo::bus::kInprocEndpoint;
    worker.name = "healthy";
    worker.heartbeat_ms = 100;
    (void)iwmo::bus::runWorker(context, worker, echo, [&] { return stop.load(); });
  });
  beatFor(std::chrono::milliseconds(300));
  {
    std::lock_guard lock(collected.mutex);
    CHECK(collected.results.empty());  // still with the broken worker, which is alive
  }
  std::vector<zmq::message_t> garbage;
  garbage.emplace_back(std::string("RESULT"));
  garbage.emplace_back(std::string("\xff\xff\xff\xff", 4));
  zmq::send_multipart(broken, garbage);
  beatFor(std::chrono::milliseconds(300));
  REQUIRE(collected.waitFor(1));
  {
    std::lock_guard lock(collected.mutex);
    CHECK(collected.results[7].worker() == "healthy");
    CHECK(collected.results[7].decisions(0).summary() == "attempt 2");
  }
  CHECK((*dispatcher)->counters().redelivered == 1);
  stop = true;
  healthy.join();
  (*dispatcher)->stop();
}
