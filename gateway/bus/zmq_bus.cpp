// ZeroMQ implementation of the bus contract (bus.h): the Dispatcher's ROUTER loop, the worker's
// DEALER loop, and the ZAP handler that admits CURVE workers by public key.
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "gateway/base/thread_role.h"
#include "gateway/bus/bus.h"

namespace iwmo::bus {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string frameText(const zmq::message_t& frame) { return frame.to_string(); }

// FNV-1a over key and worker name: the rendezvous ("highest random weight") score.
std::uint64_t rendezvousScore(const std::string& key, const std::string& worker) {
  std::uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](const std::string& text) {
    for (char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ull;
    }
  };
  mix(key);
  hash ^= 0xff;
  mix(worker);
  // Final avalanche so that similar names spread.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdull;
  hash ^= hash >> 33;
  return hash;
}

// ZAP (RFC 27) handler: admits CURVE clients whose public key is authorized. Runs its own
// thread with a REP socket on inproc://zeromq.zap.01 of the dispatcher's context.
class ZapAuthenticator {
 public:
  ZapAuthenticator(zmq::context_t& context, std::set<std::string> authorized_z85)
      : socket_(context, zmq::socket_type::rep), authorized_(std::move(authorized_z85)) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("inproc://zeromq.zap.01");
    thread_ = std::thread([this] { run(); });
  }
  ~ZapAuthenticator() {
    stop_ = true;
    thread_.join();
  }

 private:
  void run() {
    while (!stop_) {
      zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      try {
        zmq::poll(items, 1, std::chrono::milliseconds(100));
        if ((items[0].revents & ZMQ_POLLIN) == 0) continue;
        std::vector<zmq::message_t> request;
        if (!zmq::recv_multipart(socket_, std::back_inserter(request))) continue;
        // version, request id, domain, address, identity, mechanism, credentials...
        std::string status = "400";
        std::string text = "unknown worker key";
        if (request.size() >= 7 && frameText(request[5]) == "CURVE" && request[6].size() == 32) {
          char z85[41] = {};
          zmq_z85_encode(z85, static_cast<const std::uint8_t*>(request[6].data()), 32);
          if (authorized_.count(z85) != 0) {
            status = "200";
            text = "OK";
          }
        }
        std::vector<zmq::message_t> reply;
        reply.emplace_back(std::string("1.0"));
        reply.emplace_back(request.size() > 1 ? request[1].to_string() : std::string());
        reply.emplace_back(status);
        reply.emplace_back(text);
        reply.emplace_back(std::string());
        reply.emplace_back(std::string());
        zmq::send_multipart(socket_, reply);
      } catch (const zmq::error_t&) {
        if (stop_) return;
      }
    }
  }

  zmq::socket_t socket_;
  std::set<std::string> authorized_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct WorkerRef {
  std::size_t socket = 0;
  std::string identity;
  friend bool operator<(const WorkerRef& a, const WorkerRef& b) {
    return std::tie(a.socket, a.identity) < std::tie(b.socket, b.identity);
  }
  friend bool operator==(const WorkerRef& a, const WorkerRef& b) = default;
};

struct WorkerState {
  std::string name;
  std::uint32_t capacity = 1;
  SteadyClock::time_point last_seen;
  std::set<std::uint64_t> in_flight;
};

struct KeyState {
  std::deque<proto::WorkItem> waiting;
  bool busy = false;  // an item of this key is out (in flight or awaiting completion)
};

struct Flight {
  std::string key;
  WorkerRef worker;
  proto::WorkItem item;
};

class ZmqDispatcher final : public Dispatcher {
 public:
  ZmqDispatcher(zmq::context_t& context, DispatcherOptions options, ResultCallback on_result)
      : context_(context), options_(std::move(options)), on_result_(std::move(on_result)) {}

  ~ZmqDispatcher() override { stop(); }

  Status bindAll() {
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Status::unavailable("bus: eventfd failed");
    try {
      sockets_.emplace_back(context_, zmq::socket_type::router);
      prepare(sockets_.back());
      bindOne(sockets_.back(), kInprocEndpoint);
      for (const std::string& endpoint : options_.plain_endpoints) bindOne(sockets_.back(), endpoint);
      if (!options_.curve_endpoints.empty()) {
        if (!options_.keys.enabled() || options_.keys.server_secret.empty() ||
            options_.keys.authorized_workers.empty()) {
          return Status::failedPrecondition(
              "bus: endpoints for remote workers need the CURVE server keys and at least one "
              "authorized worker key (bus.curve_* in the config; `iwmo-gateway keygen` makes keys)");
        }
        zap_ = std::make_unique<ZapAuthenticator>(
            context_, std::set<std::string>(options_.keys.authorized_workers.begin(),
                                            options_.keys.authorized_workers.end()));
        sockets_.emplace_back(context_, zmq::socket_type::router);
        zmq::socket_t& curve = sockets_.back();
        prepare(curve);
        curve.set(zmq::sockopt::zap_domain, "iwmo-bus");
        curve.set(zmq::sockopt::curve_server, 1);
        curve.set(zmq::sockopt::curve_secretkey, options_.keys.server_secret);
        for (const std::string& endpoint : options_.curve_endpoints) bindOne(curve, endpoint);
      }
    } catch (const zmq::error_t& e) {
      return Status::unavailable("bus: cannot bind " + binding_ + ": " + e.what() +
                                 " (is another gateway running with the same bus.listen?)");
    }
    thread_ = std::thread([this] {
      setThreadRole("iwmo-bus", ThreadRole::kBackground);
      run();
    });
    return Status::ok();
  }

  void submit(proto::WorkItem item, std::string key) override {
    {
      std::lock_guard lock(mutex_);
      submissions_.emplace_back(std::move(item), std::move(key));
      ++queued_;
    }
    wake();
  }

  void complete(std::uint64_t message_id) override {
    {
      std::lock_guard lock(mutex_);
      completions_.push_back(message_id);
    }
    wake();
  }

  DispatcherCounters counters() const override {
    std::lock_guard lock(mutex_);
    DispatcherCounters c;
    c.queued = queued_;
    c.in_flight = in_flight_count_;
    c.awaiting_completion = awaiting_count_;
    c.workers = worker_count_;
    c.redelivered = redelivered_;
    return c;
  }

  void stop() override {
    if (!thread_.joinable()) {
      if (wake_fd_ >= 0) {
        ::close(wake_fd_);
        wake_fd_ = -1;
      }
      return;
    }
    stop_ = true;
    wake();
    thread_.join();
    // Unbind first: closing is asynchronous (the reaper thread), and a new dispatcher of the same
    // process (the pipeline's next round) must be able to bind the same endpoints at once.
    for (std::size_t i = 0; i < sockets_.size() && i < bound_.size(); ++i) {
      for (const std::string& endpoint : bound_[i]) {
        try {
          sockets_[i].unbind(endpoint);
        } catch (const zmq::error_t&) {
          // Already gone (e.g. the ipc file was removed): nothing to release.
        }
      }
    }
    sockets_.clear();
    bound_.clear();
    zap_.reset();
    ::close(wake_fd_);
    wake_fd_ = -1;
  }

 private:
  void prepare(zmq::socket_t& socket) {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::router_mandatory, 1);
    socket.set(zmq::sockopt::sndhwm, 0);
    socket.set(zmq::sockopt::rcvhwm, 0);
  }

  void bindOne(zmq::socket_t& socket, const std::string& endpoint) {
    binding_ = endpoint;
    const auto index = static_cast<std::size_t>(&socket - sockets_.data());
    if (bound_.size() <= index) bound_.resize(index + 1);
    if (endpoint.rfind("ipc://", 0) == 0) ::unlink(endpoint.substr(6).c_str());  // stale socket
    socket.bind(endpoint);
    bound_[index].push_back(endpoint);
  }

  void wake() {
    const std::uint64_t one = 1;
    if (wake_fd_ >= 0) {
      [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
    }
  }

  void run() {
    const auto heartbeat = std::chrono::milliseconds(options_.heartbeat_ms);
    std::vector<zmq::pollitem_t> items;
    for (auto& socket : sockets_) items.push_back({socket.handle(), 0, ZMQ_POLLIN, 0});
    items.push_back({nullptr, wake_fd_, ZMQ_POLLIN, 0});
    while (!stop_) {
      try {
        zmq::poll(items.data(), items.size(), heartbeat / 2);
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        break;
      }
      if ((items.back().revents & ZMQ_POLLIN) != 0) {
        std::uint64_t value = 0;
        [[maybe_unused]] const auto n = ::read(wake_fd_, &value, sizeof value);
      }
      takeInbox();
      for (std::size_t i = 0; i < sockets_.size(); ++i) {
        if ((items[i].revents & ZMQ_POLLIN) != 0) receiveAll(i);
      }
      reapDeadWorkers(heartbeat * 3);
      dispatchReady();
      publishCounters();
    }
  }

  void takeInbox() {
    std::deque<std::pair<proto::WorkItem, std::string>> submissions;
    std::vector<std::uint64_t> completions;
    {
      std::lock_guard lock(mutex_);
      submissions.swap(submissions_);
      completions.swap(completions_);
    }
    for (auto& [item, key] : submissions) {
      KeyState& state = keys_[key];
      state.waiting.push_back(std::move(item));
      if (!state.busy) markReady(key);
    }
    for (std::uint64_t id : completions) {
      const auto it = awaiting_.find(id);
      if (it == awaiting_.end()) continue;
      const std::string key = it->second;
      awaiting_.erase(it);
      auto state = keys_.find(key);
      if (state == keys_.end()) continue;
      state->second.busy = false;
      if (state->second.waiting.empty()) {
        keys_.erase(state);
      } else {
        markReady(key);
      }
    }
  }

  void markReady(const std::string& key) {
    if (ready_set_.insert(key).second) ready_.push_back(key);
  }

  void receiveAll(std::size_t socket_index) {
    zmq::socket_t& socket = sockets_[socket_index];
    while (true) {
      std::vector<zmq::message_t> frames;
      zmq::recv_result_t got;
      try {
        got = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
      } catch (const zmq::error_t&) {
        return;
      }
      if (!got) return;
      if (frames.size() < 2) continue;
      WorkerRef ref{socket_index, frames[0].to_string()};
      const std::string verb = frameText(frames[1]);
      if ((verb == "HELLO" || verb == "HEARTBEAT") && frames.size() >= 4) {
        if (refused_.count(ref) != 0) continue;
        WorkerState& worker = workers_[ref];
        worker.name = frames[2].to_string();
        std::uint32_t capacity = 1;
        try {
          capacity = static_cast<std::uint32_t>(std::stoul(frames[3].to_string()));
        } catch (...) {
          capacity = 1;
        }
        worker.capacity = std::clamp<std::uint32_t>(capacity, 1, 10000);
        worker.last_seen = SteadyClock::now();
      } else if (verb == "RESULT" && frames.size() >= 3) {
        auto worker = workers_.find(ref);
        if (worker != workers_.end()) worker->second.last_seen = SteadyClock::now();
        proto::HandlerResult result;
        if (!result.ParseFromArray(frames[2].data(), static_cast<int>(frames[2].size()))) {
          // Which item it answers cannot be read: the worker's items go to another worker (each
          // once more, its attempt counted), so none waits for an answer that will not come.
          const std::size_t held = worker == workers_.end() ? 0 : worker->second.in_flight.size();
          std::cerr << "iwmo-gateway: bus: worker '"
                    << (worker == workers_.end() ? std::string("(not registered)") : worker->second.name) << "' sent a result of " << frames[2].size()
                    << " bytes that does not parse (another build of iwmo-gateway?); its " << held
                    << " item(s) in flight go to another worker, and it gets no more work until it reconnects\n";
          refused_.insert(ref);
          forgetWorker(ref);
          continue;
        }
        const auto flight = flights_.find(result.message_id());
        if (flight == flights_.end()) continue;  // late duplicate after a redelivery
        auto owner = workers_.find(flight->second.worker);
        if (owner != workers_.end()) owner->second.in_flight.erase(result.message_id());
        awaiting_[result.message_id()] = flight->second.key;
        flights_.erase(flight);
        on_result_(std::move(result));
      }
    }
  }

  void reapDeadWorkers(std::chrono::milliseconds silence) {
    const auto now = SteadyClock::now();
    std::vector<WorkerRef> dead;
    for (const auto& [ref, worker] : workers_) {
      if (now - worker.last_seen > silence) dead.push_back(ref);
    }
    for (const WorkerRef& ref : dead) forgetWorker(ref);
  }

  // Removes a worker and gives its items back to their keys, in their original order, for
  // redelivery to whichever worker owns the key now.
  void forgetWorker(const WorkerRef& ref) {
    auto it = workers_.find(ref);
    if (it == workers_.end()) return;
    std::vector<std::uint64_t> ids(it->second.in_flight.rbegin(), it->second.in_flight.rend());
    workers_.erase(it);
    for (std::uint64_t id : ids) {
      auto flight = flights_.find(id);
      if (flight == flights_.end()) continue;
      proto::WorkItem item = std::move(flight->second.item);
      item.set_attempt(item.attempt() + 1);
      const std::string key = flight->second.key;
      flights_.erase(flight);
      KeyState& state = keys_[key];
      state.busy = false;
      state.waiting.push_front(std::move(item));
      markReady(key);
      ++redelivered_total_;
    }
  }

  // The live worker owning `key`, or nullptr when there is none.
  const WorkerRef* ownerOf(const std::string& key) {
    const WorkerRef* best = nullptr;
    std::uint64_t best_score = 0;
    std::size_t best_load = 0;
    for (const auto& [ref, worker] : workers_) {
      if (key.empty()) {  // no client: the least loaded worker
        if (best == nullptr || worker.in_flight.size() < best_load) {
          best = &ref;
          best_load = worker.in_flight.size();
        }
        continue;
      }
      const std::uint64_t score = rendezvousScore(key, worker.name);
      if (best == nullptr || score > best_score) {
        best = &ref;
        best_score = score;
      }
    }
    return best;
  }

  void dispatchReady() {
    if (workers_.empty() || ready_.empty()) return;
    std::deque<std::string> still_ready;
    while (!ready_.empty()) {
      std::string key = std::move(ready_.front());
      ready_.pop_front();
      auto state = keys_.find(key);
      if (state == keys_.end() || state->second.busy || state->second.waiting.empty()) {
        ready_set_.erase(key);
        continue;
      }
      const WorkerRef* owner_ptr = ownerOf(key);
      if (owner_ptr == nullptr) {
        still_ready.push_back(std::move(key));
        continue;
      }
      const WorkerRef owner_ref = *owner_ptr;
      const WorkerRef* owner = &owner_ref;
      WorkerState& worker = workers_[owner_ref];
      if (worker.in_flight.size() >= worker.capacity) {
        still_ready.push_back(std::move(key));
        continue;
      }
      proto::WorkItem item = std::move(state->second.waiting.front());
      state->second.waiting.pop_front();
      if (item.attempt() == 0) item.set_attempt(1);
      std::string bytes;
      item.SerializeToString(&bytes);
      try {
        std::vector<zmq::message_t> frames;
        frames.emplace_back(owner->identity);
        frames.emplace_back(std::string("WORK"));
        frames.emplace_back(bytes);
        zmq::send_multipart(sockets_[owner->socket], frames, zmq::send_flags::dontwait);
      } catch (const zmq::error_t&) {
        // The worker vanished (router_mandatory): forget it; the item waits for another.
        state->second.waiting.push_front(std::move(item));
        forgetWorker(owner_ref);
        still_ready.push_back(std::move(key));
        continue;
      }
      const std::uint64_t id = item.message_id();
      worker.in_flight.insert(id);
      flights_[id] = Flight{key, *owner, std::move(item)};
      if (key.empty()) {
        // No client, no order: the next keyless item may go at once, to whichever worker.
        if (!state->second.waiting.empty()) {
          ready_.push_back(std::move(key));
          continue;
        }
      } else {
        state->second.busy = true;
      }
      ready_set_.erase(key);
    }
    ready_.swap(still_ready);
  }

  void publishCounters() {
    std::size_t waiting = 0;
    for (const auto& [key, state] : keys_) waiting += state.waiting.size();
    std::lock_guard lock(mutex_);
    queued_ = waiting + submissions_.size();
    in_flight_count_ = flights_.size();
    awaiting_count_ = awaiting_.size();
    worker_count_ = workers_.size();
    redelivered_ = redelivered_total_;
  }

  zmq::context_t& context_;
  DispatcherOptions options_;
  ResultCallback on_result_;
  std::vector<zmq::socket_t> sockets_;
  std::unique_ptr<ZapAuthenticator> zap_;
  std::string binding_;
  std::vector<std::vector<std::string>> bound_;  // per socket in sockets_, the endpoints bound
  int wake_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  // Shared with other threads; guarded by mutex_.
  mutable std::mutex mutex_;
  std::deque<std::pair<proto::WorkItem, std::string>> submissions_;
  std::vector<std::uint64_t> completions_;
  std::size_t queued_ = 0;
  std::size_t in_flight_count_ = 0;
  std::size_t awaiting_count_ = 0;
  std::size_t worker_count_ = 0;
  std::uint64_t redelivered_ = 0;

  // The dispatcher thread's own state.
  std::map<WorkerRef, WorkerState> workers_;
  // Connections that sent a result that does not parse: never given work again (a restarted
  // worker process connects anew, with another identity). Else the key's owner would get its item
  // back at the next heartbeat, for ever.
  std::set<WorkerRef> refused_;
  std::unordered_map<std::string, KeyState> keys_;
  std::deque<std::string> ready_;
  std::set<std::string> ready_set_;
  std::unordered_map<std::uint64_t, Flight> flights_;
  std::unordered_map<std::uint64_t, std::string> awaiting_;
  std::uint64_t redelivered_total_ = 0;
};

}  // namespace

Result<std::unique_ptr<Dispatcher>> Dispatcher::start(zmq::context_t& context,
                                                      DispatcherOptions options,
                                                      ResultCallback on_result) {
  auto dispatcher = std::make_unique<ZmqDispatcher>(context, std::move(options), std::move(on_result));
  IWMO_RETURN_IF_ERROR(dispatcher->bindAll());
  return std::unique_ptr<Dispatcher>(std::move(dispatcher));
}

Status runWorker(zmq::context_t& context, const WorkerOptions& options, const WorkFunction& work,
                 const std::function<bool()>& stop) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, 0);
    socket.set(zmq::sockopt::rcvhwm, 0);
    socket.set(zmq::sockopt::reconnect_ivl, 100);
    socket.set(zmq::sockopt::reconnect_ivl_max, 2000);
    if (options.keys.enabled()) {
      if (options.keys.client_public.size() != 40 || options.keys.client_secret.size() != 40) {
        return Status::failedPrecondition(
            "worker: the endpoint uses CURVE; give the worker's key pair (40-character Z85 keys)");
      }
      socket.set(zmq::sockopt::curve_serverkey, options.keys.server_public);
      socket.set(zmq::sockopt::curve_publickey, options.keys.client_public);
      socket.set(zmq::sockopt::curve_secretkey, options.keys.client_secret);
    }
    socket.connect(options.endpoint);
    const std::string capacity = std::to_string(options.capacity);
    auto announce = [&](const char* verb) {
      std::vector<zmq::message_t> frames;
      frames.emplace_back(std::string(verb));
      frames.emplace_back(options.name);
      frames.emplace_back(capacity);
      zmq::send_multipart(socket, frames, zmq::send_flags::dontwait);
    };
    announce("HELLO");
    const auto heartbeat = std::chrono::milliseconds(options.heartbeat_ms);
    auto next_heartbeat = SteadyClock::now() + heartbeat;
    while (!stop()) {
      zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
      const auto wait = std::max(std::chrono::milliseconds(1),
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     next_heartbeat - SteadyClock::now()));
      try {
        zmq::poll(items, 1, wait);
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        throw;
      }
      if (SteadyClock::now() >= next_heartbeat) {
        announce("HEARTBEAT");
        next_heartbeat = SteadyClock::now() + heartbeat;
      }
      if ((items[0].revents & ZMQ_POLLIN) == 0) continue;
      while (true) {
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
        if (frames.size() < 2 || frames[0].to_string() != "WORK") continue;
        proto::WorkItem item;
        if (!item.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size()))) {
          // No message id to answer: the dispatcher gets it back when this worker goes silent,
          // so say why on stderr and leave the bus (the process's supervisor restarts it).
          std::cerr << "iwmo-gateway worker " << options.name << ": a work item of " << frames[1].size()
                    << " bytes does not parse (another build of iwmo-gateway?); leaving the bus so that "
                       "the dispatcher gives its items to another worker\n";
          return Status::dataLoss("worker " + options.name + ": a work item from " + options.endpoint +
                                  " does not parse");
        }
        proto::HandlerResult result = work(item);
        result.set_message_id(item.message_id());
        result.set_worker(options.name);
        std::string bytes;
        result.SerializeToString(&bytes);
        std::vector<zmq::message_t> reply;
        reply.emplace_back(std::string("RESULT"));
        reply.emplace_back(bytes);
        zmq::send_multipart(socket, reply);
        if (SteadyClock::now() >= next_heartbeat) {
          announce("HEARTBEAT");
          next_heartbeat = SteadyClock::now() + heartbeat;
        }
        if (stop()) break;
      }
    }
    return Status::ok();
  } catch (const zmq::error_t& e) {
    if (e.num() == ETERM) return Status::ok();
    return Status::unavailable("worker: " + options.endpoint + ": " + e.what());
  }
}

Result<std::pair<std::string, std::string>> generateCurveKeyPair() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return Status::failedPrecondition(
        "this libzmq has no CURVE support (zmq_curve_keypair failed); install libzmq5 with "
        "libsodium");
  }
  return std::make_pair(std::string(public_key), std::string(secret_key));
}

}  // namespace iwmo::bus
