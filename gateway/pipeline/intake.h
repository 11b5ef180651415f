// Intake: the pipeline's first stage (DESIGN §5.1 steps 1-3). Every source hands its messages to
// receive(); a pool of validator threads checks them in parallel (IwmoAdapter; StUF-GGk
// documents unwrapped first, ggk_intake.h) and appends them to the message queue in the order
// they were received, so journal ids follow arrival (a replay batch's order); only when the
// append has committed does the source get its Ack. Each new row then goes straight to the
// dispatch stage (`journaled`), which so needs not read it back from the journal.
//
// Names from outside are made safe first: the journal, log lines and reports carry a valid UTF-8
// rendering of the source's name, the bytes are kept beside it (issue 16).
//
// Back-pressure: receive() blocks while max_outstanding messages wait for their Ack, or while
// more than max_backlog journaled messages wait to be handled (handled() counts them off), so a
// source never runs ahead of the gateway and memory stays flat.
//
// Replay (logical time): a message is received at logical_start + its position in ms (or at noon
// of its Dagtekening), so the same batch gives the same journal.
//
// Thread-safety: receive() and receiveInternal() from any thread (every source's Receiver; the
// eigen-bijdrage tick's thread); the rest from the thread that owns the stage. `journaled` and
// `log_lines` run on the journal's writer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/transport/transport.h"
#include "adapters/xml/schema_set.h"
#include "adapters/xml/validating_parser.h"
#include "gateway/base/clock.h"
#include "gateway/base/object_pool.h"
#include "gateway/journal/message_queue.h"
#include "gateway/log/bsn_hasher.h"
#include "gateway/pipeline/metrics.h"

namespace iwmo::adapters::iwmo {
class IwmoAdapter;
}
namespace iwmo::adapters::stuf {
class EnvelopeReader;
}

namespace iwmo::pipeline {

struct IntakeOptions {
  adapters::xml::ParseLimits limits;
  // schemas/stuf-ggk: StUF-GGk documents (Di01, Du01, Fo01) are unwrapped first. Null: they are
  // not recognised (and fail as unknown messages).
  std::shared_ptr<const adapters::xml::SchemaSet> ggk_schemas;
  std::size_t max_envelope_bytes = 25u * 1024u * 1024u;
  unsigned validators = 2;               // threads; 0 counts as 1
  std::size_t max_outstanding = 256;    // received, Ack not yet given
  std::uint64_t max_backlog = 1024;      // journaled, not yet handled
  bool logical_time = false;             // replay
  Timestamp logical_start;               // replay: the first message's received time
  bool logical_from_dagtekening = false; // replay --clock dagtekening
};

struct IntakeTotals {
  std::uint64_t received = 0;        // handed to receive()
  std::uint64_t journaled = 0;       // new rows (duplicates included)
  std::uint64_t received_again = 0;  // kAlreadyJournaled
  std::uint64_t journal_errors = 0;  // not journaled; left at their source
};

// The TR056 key intake journals a message under: the physical sender, the type and the message's
// own Identificatie (retours: IdentificatieRetour). Empty when any part is missing (e.g. the
// message failed level 1 early).
std::string duplicateKey(const proto::Envelope& envelope);

// A message intake journaled, for the dispatch stage.
struct JournaledMessage {
  journal::PendingMessage message;
  std::chrono::steady_clock::time_point received;  // when receive() took it (latency)
};

class Intake {
 public:
  Intake(IntakeOptions options, journal::MessageQueue& queue, std::shared_ptr<const adapters::xml::SchemaSet> schemas,
         log::BsnHasher hasher, Clock& clock, Metrics& metrics);
  ~Intake();
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  // REQUIRES: before start(). `journaled` gets every new row, in id order; `log_lines` is told
  // about routing-log lines an append wrote.
  void setCallbacks(std::function<void(JournaledMessage)> journaled, std::function<void()> log_lines);
  Status start();
  // Finishes what was received, then ends the validator threads. A receive() after (or blocked
  // during) stop() is answered "not journaled" at once: the source keeps the message.
  void stop();

  void receive(transport::Received message, transport::Ack ack);
  // A message the gateway makes itself (gateway/base/internal_messages.h), already an envelope:
  // journaled in turn with the received ones (no validation), then dispatched like them. Blocks
  // like receive(); returns false when the intake is stopping (nothing journaled).
  bool receiveInternal(journal::AppendRequest request);
  // `count` journaled messages were handled (committed or quarantined): room in the backlog.
  void handled(std::uint64_t count);

  bool idle() const;  // no message between receive() and its Ack
  IntakeTotals totals() const;
  Status health() const;  // the journal's last append error, if the last append failed

 private:
  // A received message on its way through a validator.
  struct Job {
    std::uint64_t sequence = 0;
    Timestamp received_at;
    std::chrono::steady_clock::time_point received;
    transport::Received message;
    std::string source_bytes;  // the source's name as given, when not printable UTF-8
    transport::Ack ack;
  };
  // A validated message waiting for its turn to be appended.
  struct Validated {
    journal::AppendRequest request;
    transport::Ack ack;
    std::chrono::steady_clock::time_point received;
    bool created = false;  // false: no validator could be made; refuse, keep it at its source
    std::string failure;
  };
  void validatorLoop();
  void validate(Job& job, Validated& out);
  void appendInOrder(std::uint64_t sequence, Validated validated);
  void append(Validated validated);
  void refuse(transport::Ack& ack, const std::string& why);

  const IntakeOptions options_;
  journal::MessageQueue& queue_;
  std::shared_ptr<const adapters::xml::SchemaSet> schemas_;
  const log::BsnHasher hasher_;
  Clock& clock_;
  Metrics& metrics_;
  std::function<void(JournaledMessage)> journaled_;
  std::function<void()> log_lines_;
  ObjectPool<adapters::iwmo::IwmoAdapter> adapters_;  // one per validator at a time
  ObjectPool<adapters::stuf::EnvelopeReader> readers_;

  mutable std::mutex mutex_;  // guards everything below up to order_mutex_
  std::condition_variable admit_;
  std::condition_variable work_;
  std::deque<std::unique_ptr<Job>> jobs_;
  std::uint64_t next_sequence_ = 0;
  std::size_t outstanding_ = 0;
  std::uint64_t handled_ = 0;
  IntakeTotals totals_;
  Status append_health_;
  bool stopping_ = false;
  std::vector<std::thread> validators_;

  std::mutex order_mutex_;  // guards the two below; held while appending, so appends stay in order
  std::map<std::uint64_t, Validated> ready_;
  std::uint64_t next_append_ = 0;
};

}  // namespace iwmo::pipeline
