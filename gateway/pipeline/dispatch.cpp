#include "gateway/pipeline/dispatch.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "gateway/base/thread_role.h"

namespace iwmo::pipeline {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The BSN the per-client order is kept for: the Client's, or a declaratie's first Prestatie's.
std::string clientBsn(const proto::Envelope& envelope) {
  const proto::MessageSummary& summary = envelope.summary();
  if (!summary.client().bsn().empty()) return summary.client().bsn();
  if (summary.declaratie().prestaties_size() > 0) return summary.declaratie().prestaties(0).bsn();
  return "";
}

bool needsAnything(const handlers::ContextNeeds& needs) {
  return needs.client_context || needs.eb_state || needs.eb_sent || needs.ggk_link;
}

}  // namespace

proto::WorkItem workItemOf(journal::PendingMessage message) {
  proto::WorkItem item;
  item.set_message_id(message.id);
  item.set_peer(message.peer);
  item.set_received_at_micros(message.received_at.micros);
  item.set_duplicate_of(message.duplicate_of);
  item.set_duplicate_reason(message.duplicate_reason);
  item.set_duplicate_same_content(message.duplicate_of != 0 && journal::isSameContentDuplicate(message.duplicate_reason));
  *item.mutable_envelope() = std::move(message.envelope);
  return item;
}

Dispatch::Dispatch(DispatchOptions options, journal::Journal& journal, const handlers::HandlerChainHolder& chain,
                   log::BsnHasher hasher, zmq::context_t& context, Clock& clock)
    : options_(std::move(options)),
      journal_(journal),
      chain_(chain),
      hasher_(std::move(hasher)),
      context_(context),
      clock_(clock),
      preparer_(journal, chain) {}

Dispatch::~Dispatch() { stop(); }

Status Dispatch::startBus() {
  auto dispatcher = bus::Dispatcher::start(context_, options_.bus, [this](proto::HandlerResult result) {
    if (callbacks_.result) callbacks_.result(std::move(result));
  });
  if (!dispatcher) return dispatcher.status();
  {
    std::unique_lock lock(bus_mutex_);
    dispatcher_ = std::move(*dispatcher);
  }
  workers_stop_ = false;
  for (unsigned i = 0; i < options_.inprocess_workers; ++i) {
    workers_.emplace_back([this, i] {
      setThreadRole("iwmo-worker-" + std::to_string(i + 1), ThreadRole::kBackground);
      bus::WorkerOptions worker;
      worker.endpoint = bus::kInprocEndpoint;
      worker.name = "inproc-" + std::to_string(i + 1);
      worker.heartbeat_ms = options_.bus.heartbeat_ms;
      const Status status = bus::runWorker(
          context_, worker, [this](const proto::WorkItem& item) { return chain_.run(item); },
          [this] { return workers_stop_.load(); });
      if (!status.isOk()) std::cerr << "iwmo-gateway: " << status.message() << "\n";
    });
  }
  return Status::ok();
}

void Dispatch::stopBus() {
  workers_stop_ = true;
  for (auto& worker : workers_) worker.join();
  workers_.clear();
  std::unique_ptr<bus::Dispatcher> old;
  {
    std::unique_lock lock(bus_mutex_);
    old = std::move(dispatcher_);
  }
  if (old) old->stop();  // outside the lock: a result callback on its thread may be sending
}

Status Dispatch::start() {
  IWMO_RETURN_IF_ERROR(startBus());
  loop_thread_ = std::thread([this] {
    setThreadRole("iwmo-dispatch", ThreadRole::kBackground);
    loop();
  });
  return Status::ok();
}

void Dispatch::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (loop_thread_.joinable()) loop_thread_.join();
  stopBus();
  // Prepares still queued in the journal refer to this stage: wait for them.
  std::unique_lock lock(mutex_);
  prepared_.wait(lock, [&] { return preparing_ == 0; });
}

void Dispatch::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void Dispatch::journaled(JournaledMessage message) {
  {
    std::lock_guard lock(mutex_);
    // Beyond the capacity the journal is read instead (fill() sees the gap).
    if (handoff_.size() < options_.handoff_capacity) handoff_.push_back(std::move(message));
    woken_ = true;
  }
  wake_.notify_one();
}

void Dispatch::loop() {
  auto last_journal_read = SteadyClock::time_point();
  while (!stopping_) {
    std::optional<Status> reset_reason;
    std::size_t room = 0;
    {
      std::lock_guard lock(mutex_);
      reset_reason = std::exchange(reset_reason_, std::nullopt);
      room = options_.max_in_flight > in_flight_ ? options_.max_in_flight - in_flight_ : 0;
    }
    if (reset_reason) {
      std::cerr << "iwmo-gateway: a commit failed (" << reset_reason->message()
                << "); redoing every undecided message from the journal\n";
      reset();
      continue;
    }
    if (room > 0) {
      // Besides gaps in the hand-off, the journal is read at least every second to be sure.
      if (SteadyClock::now() - last_journal_read > std::chrono::seconds(1)) {
        last_journal_read = SteadyClock::now();
        std::lock_guard lock(mutex_);
        read_journal_ = true;
      }
      if (fill(room)) continue;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, std::chrono::milliseconds(200), [&] { return woken_ || stopping_; });
    woken_ = false;
  }
}

// Admits, in id order, what continues at the cursor: from the hand-off, or from the journal when
// the hand-off does not continue there (a restart, a new round, a full hand-off) or it is time
// to look. True when something was admitted.
bool Dispatch::fill(std::size_t room) {
  std::vector<JournaledMessage> taken;
  std::uint64_t cursor = 0;
  bool read_journal = false;
  {
    std::lock_guard lock(mutex_);
    while (!handoff_.empty() && handoff_.front().message.id <= cursor_) handoff_.pop_front();  // admitted already
    std::uint64_t next = cursor_ + 1;
    while (!handoff_.empty() && taken.size() < room && handoff_.front().message.id == next) {
      taken.push_back(std::move(handoff_.front()));
      handoff_.pop_front();
      ++next;
    }
    if (taken.empty() && !handoff_.empty()) read_journal_ = true;  // a gap: the hand-off was full
    read_journal = taken.empty() && read_journal_;
    cursor = cursor_;
  }
  if (!taken.empty()) {
    for (JournaledMessage& message : taken) admit(std::move(message.message), message.received);
    return true;
  }
  if (!read_journal) return false;
  const std::size_t limit = std::min<std::size_t>(room, 500);
  auto pending = journal_.queue().pending(cursor, limit);
  {
    std::lock_guard lock(mutex_);
    if (!pending) {
      std::cerr << "iwmo-gateway: cannot read pending work: " << pending.status().message() << "\n";
      read_health_ = Status::unavailable("cannot read pending work from the journal: " + pending.status().message());
      return false;
    }
    read_health_ = Status::ok();
    read_journal_ = pending->size() == limit;  // maybe more
  }
  for (journal::PendingMessage& message : *pending) {
    if (!message.unreadable.empty()) {
      if (!quarantine(message)) {  // the cursor stays before it: tried again next time
        std::lock_guard lock(mutex_);
        read_journal_ = true;
        return false;
      }
      continue;
    }
    admit(std::move(message), std::nullopt);
  }
  return !pending->empty();
}

bool Dispatch::quarantine(const journal::PendingMessage& message) {
  const Timestamp at = options_.logical_time ? message.received_at.plusMillis(1) : clock_.now();
  std::cerr << "iwmo-gateway: message #" << message.id << ": " << message.unreadable
            << "; quarantined (see iwmo-gateway quarantine)\n";
  const Result<bool> done = journal_.queue().quarantineSync(
      message.id, message.unreadable,
      {quarantinedLine(message.id, message.peer, message.source, message.unreadable, at)}, at);
  {
    std::lock_guard lock(mutex_);
    if (!done) {
      std::cerr << "iwmo-gateway: cannot quarantine message #" << message.id << ": " << done.status().message()
                << " (will retry)\n";
      read_health_ = Status::unavailable("pending message #" + std::to_string(message.id) + " cannot be read (" +
                                         message.unreadable + ") and could not be quarantined: " +
                                         done.status().message());
      return false;
    }
    cursor_ = std::max(cursor_, message.id);
    read_health_ = Status::ok();
  }
  if (callbacks_.quarantined) callbacks_.quarantined(message.id);
  if (callbacks_.log_lines) callbacks_.log_lines();
  return true;
}

void Dispatch::admit(journal::PendingMessage message, std::optional<std::chrono::steady_clock::time_point> received) {
  auto item = std::make_shared<proto::WorkItem>(workItemOf(std::move(message)));
  const std::uint64_t generation = generation_.load();
  item->set_dispatch_generation(generation);
  Admitted admitted;
  admitted.id = item->message_id();
  admitted.generation = generation;
  admitted.key = hasher_.hash(clientBsn(item->envelope()));
  admitted.facts = factsOf(*item, admitted.key);
  admitted.received = received;
  bool wait = false;
  {
    std::lock_guard lock(mutex_);
    cursor_ = std::max(cursor_, admitted.id);
    ++in_flight_;
    if (!admitted.key.empty()) {
      auto [entry, first] = waiting_.try_emplace(admitted.key);
      if (!first) {
        entry->second.push_back(item);  // the client's previous message is still being decided
        wait = true;
      }
    }
  }
  if (callbacks_.admitted) callbacks_.admitted(admitted);
  if (!wait) prepareAndSend(std::move(item), admitted.key, generation);
}

void Dispatch::prepareAndSend(std::shared_ptr<proto::WorkItem> item, std::string key, std::uint64_t generation) {
  if (!needsAnything(chain_.current()->needs(*item))) {
    send(std::move(*item), key, generation);
    return;
  }
  // On the journal's writer, after the commit of the client's previous message (journal.h).
  {
    std::lock_guard lock(mutex_);
    ++preparing_;
  }
  const auto prepared = [this] {
    {
      std::lock_guard lock(mutex_);
      --preparing_;
    }
    prepared_.notify_all();
  };
  journal_.readAfterWrites(
      [this, item, key, generation, prepared] {
        if (generation == generation_.load()) {  // else a new round redoes it
          preparer_.prepare(*item);
          send(std::move(*item), key, generation);
        }
        prepared();
      },
      [prepared](const Status&) { prepared(); });  // refused: the round after the failed commit redoes it
}

void Dispatch::send(proto::WorkItem item, const std::string& key, std::uint64_t generation) {
  std::shared_lock lock(bus_mutex_);
  if (generation != generation_.load() || !dispatcher_) return;
  dispatcher_->submit(std::move(item), key);
}

void Dispatch::release(std::uint64_t id, const std::string& key) {
  {
    std::shared_lock lock(bus_mutex_);
    if (dispatcher_) dispatcher_->complete(id);
  }
  if (key.empty()) return;
  std::shared_ptr<proto::WorkItem> next;
  {
    std::lock_guard lock(mutex_);
    const auto entry = waiting_.find(key);
    if (entry == waiting_.end()) return;
    if (entry->second.empty()) {
      waiting_.erase(entry);
      return;
    }
    next = std::move(entry->second.front());
    entry->second.pop_front();
  }
  const std::uint64_t generation = next->dispatch_generation();
  prepareAndSend(std::move(next), key, generation);
}

void Dispatch::finished(std::uint64_t) {
  {
    std::lock_guard lock(mutex_);
    if (in_flight_ > 0) --in_flight_;
    woken_ = true;
  }
  wake_.notify_one();
}

void Dispatch::requestReset(const Status& why) {
  {
    std::lock_guard lock(mutex_);
    if (!reset_reason_) reset_reason_ = why;
    woken_ = true;
  }
  wake_.notify_one();
}

void Dispatch::reset() {
  generation_.fetch_add(1);  // from here on, results and prepares of the old round are dropped
  if (callbacks_.reset_begins) callbacks_.reset_begins();
  stopBus();
  if (callbacks_.reset_drained) callbacks_.reset_drained();  // every requested commit has answered
  journal_.resumeOrdered();
  {
    std::lock_guard lock(mutex_);
    handoff_.clear();
    waiting_.clear();
    in_flight_ = 0;
    cursor_ = 0;
    read_journal_ = true;
  }
  while (!stopping_) {
    const Status started = startBus();
    if (started.isOk()) break;
    std::cerr << "iwmo-gateway: cannot restart the bus: " << started.message() << " (will retry)\n";
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

bool Dispatch::idle() const {
  std::lock_guard lock(mutex_);
  return in_flight_ == 0 && handoff_.empty();
}

bus::DispatcherCounters Dispatch::busCounters() const {
  std::shared_lock lock(bus_mutex_);
  return dispatcher_ ? dispatcher_->counters() : bus::DispatcherCounters{};
}

Status Dispatch::health() const {
  std::lock_guard lock(mutex_);
  return read_health_;
}

}  // namespace iwmo::pipeline
