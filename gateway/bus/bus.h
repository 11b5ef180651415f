// The bus (DESIGN §5.1 step 4): carries journaled messages (proto::WorkItem) to handler workers
// and their results (proto::HandlerResult) back, over ZeroMQ.
//
// Topology: the daemon's Dispatcher binds a ROUTER socket (always inproc://iwmo-bus, plus the
// configured ipc/tcp endpoints); each worker — a thread of the daemon or an `iwmo-gateway worker`
// process — connects a DEALER, announces itself, and sends heartbeats. Wire protocol, one
// multipart message each (the ROUTER adds the worker's identity frame):
//   worker → dispatcher  ["HELLO"|"HEARTBEAT", name, capacity]   every heartbeat interval
//   worker → dispatcher  ["RESULT", HandlerResult bytes]
//   dispatcher → worker  ["WORK", WorkItem bytes]
//
// Guarantees:
// - Per-client order: items with the same key (the client's pseudonymised BSN) go to the same
//   worker (rendezvous hashing over the live workers) and at most one item per key is out at a
//   time: the next is sent only after complete() for the previous one (the pipeline calls it
//   once the commit of its result is requested; the journal keeps that order). So effects for
//   one client commit in journal order. When a worker joins or leaves, some keys move to another
//   worker; their order is still kept. Items without a key (no client) keep no order: each goes
//   to the least loaded worker as soon as one has room.
// - No lost work: an item stays the dispatcher's until complete(). A worker silent for three
//   heartbeat intervals is declared dead and its items go to another worker (attempt + 1).
//   A late result from the "dead" worker may still arrive; the journal's idempotent commit makes
//   the second one a no-op, so work is never applied twice.
// - CURVE: endpoints that are reachable from other machines use a CURVE server socket; only
//   workers whose public key is in the authorized-keys file are let in (ZAP).
//
// Thread-safety: Dispatcher::submit(), complete() and the counters may be called from any
// thread; the result callback runs on the dispatcher's own thread and must not block for long.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/base/result.h"
#include "pipeline.pb.h"

namespace zmq {
class context_t;
}

namespace iwmo::bus {

// What a worker does with one item (the handlers, wired by main). Must not throw; must be
// deterministic for a given item (a redelivered item must give the same result).
using WorkFunction = std::function<proto::HandlerResult(const proto::WorkItem&)>;

struct CurveKeys {
  std::string server_public;   // Z85, 40 characters
  std::string server_secret;   // Z85 (dispatcher only)
  std::vector<std::string> authorized_workers;  // Z85 public keys (dispatcher only)
  std::string client_public;   // Z85 (worker only)
  std::string client_secret;   // Z85 (worker only)
  bool enabled() const { return !server_public.empty(); }
};

struct DispatcherOptions {
  std::vector<std::string> plain_endpoints;  // ipc:// and loopback tcp:// (inproc is implicit)
  std::vector<std::string> curve_endpoints;  // need keys.server_* and authorized_workers
  CurveKeys keys;
  std::uint32_t heartbeat_ms = 1000;
};

struct DispatcherCounters {
  std::size_t queued = 0;     // submitted, not yet sent to a worker
  std::size_t in_flight = 0;  // sent, result not yet received
  std::size_t awaiting_completion = 0;  // result handed on, complete() not yet called
  std::size_t workers = 0;    // live workers
  std::uint64_t redelivered = 0;
};

class Dispatcher {
 public:
  using ResultCallback = std::function<void(proto::HandlerResult result)>;

  // Binds the endpoints and starts the dispatcher thread. `on_result` gets each item's first
  // result (later duplicates of it are dropped).
  // Errors: kUnavailable (an endpoint cannot be bound; the message names it),
  // kFailedPrecondition (CURVE endpoints without keys).
  static Result<std::unique_ptr<Dispatcher>> start(zmq::context_t& context,
                                                   DispatcherOptions options,
                                                   ResultCallback on_result);
  virtual ~Dispatcher() = default;

  // Queues an item for the worker owning `key` (empty key: any worker). Never blocks.
  virtual void submit(proto::WorkItem item, std::string key) = 0;
  // The result of `message_id` is committed: its key may have the next item.
  virtual void complete(std::uint64_t message_id) = 0;
  virtual DispatcherCounters counters() const = 0;
  // Stops the thread; items not complete()d stay in the journal as pending (redone on start).
  virtual void stop() = 0;
};

struct WorkerOptions {
  std::string endpoint;   // where the dispatcher listens
  std::string name;       // shown in `explain` and the metrics
  std::uint32_t capacity = 64;  // items it may hold at once
  std::uint32_t heartbeat_ms = 1000;
  CurveKeys keys;         // client keys + server public key when the endpoint uses CURVE
};

// Runs a worker loop until `stop` becomes true (checked at least every heartbeat interval):
// receives work, runs `work`, sends results. Reconnects by itself when the dispatcher restarts.
// Errors: kUnavailable (cannot connect: bad endpoint), kFailedPrecondition (bad keys).
Status runWorker(zmq::context_t& context, const WorkerOptions& options, const WorkFunction& work,
                 const std::function<bool()>& stop);

// The in-process endpoint every dispatcher binds.
inline constexpr const char* kInprocEndpoint = "inproc://iwmo-bus";

// A fresh CURVE key pair in Z85 (zmq_curve_keypair). Errors: kFailedPrecondition when libzmq
// was built without CURVE.
Result<std::pair<std::string, std::string>> generateCurveKeyPair();

}  // namespace iwmo::bus
