#include "gateway/pipeline/intake.h"

#include <iostream>
#include <utility>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "gateway/base/date.h"
#include "gateway/base/peer.h"
#include "gateway/base/thread_role.h"
#include "gateway/base/utf8.h"
#include "gateway/pipeline/ggk_intake.h"
#include "gateway/pipeline/log_lines.h"

namespace iwmo::pipeline {
std::string duplicateKey(const proto::Envelope& envelope) {
  const proto::Routing& routing = envelope.summary().routing();
  const std::string& type = envelope.summary().message_type();
  if (!envelope.verdict().valid() || routing.physical_sender().empty() || type.empty() ||
      routing.own_identificatie().empty()) {
    return "";
  }
  return routing.physical_sender() + "|" + type + "|" + routing.own_identificatie();
}

namespace {

using SteadyClock = std::chrono::steady_clock;

// The GGk is one channel for the providers and the CAK; an envelope's zender says which.
Peer ggkSidePeer(const proto::Envelope& envelope) {
  return envelope.ggk().zender_organisatie() == "CAK" ? Peer::kCak : Peer::kGgk;
}

// The peer a message came from: the source's, else (a replay batch that does not say) the
// message type's sender. An envelope from zender CAK through the providers' channel (one
// Digikoppeling adapter, or [ggk.https_in]) is the CAK peer's all the same.
Peer peerOf(Peer source_peer, const proto::Envelope& envelope) {
  const bool envelope_kind = !envelope.ggk().kind().empty();
  if (source_peer == Peer::kGgk && envelope_kind) return ggkSidePeer(envelope);
  if (source_peer != Peer::kNone) return source_peer;
  if (envelope_kind) return ggkSidePeer(envelope);  // only the GGk side speaks StUF-GGk
  const std::string& sent_by = envelope.summary().routing().sent_by();
  if (sent_by == "gemeente") return Peer::kBackoffice;
  if (sent_by == "aanbieder") return Peer::kGgk;
  if (sent_by == "cak") return Peer::kCak;
  return Peer::kUnknown;
}

// The answer the source gets once the journal has spoken.
transport::AckInfo ackFor(const Result<journal::AppendOutcome>& outcome, bool valid) {
  transport::AckInfo info;
  if (!outcome) {
    info.detail = "not journaled (" + outcome.status().message() + "); keep the message and retry";
    return info;
  }
  info.journaled = true;
  info.message_id = outcome->id;
  switch (outcome->kind) {
    case journal::AppendKind::kNew:
      info.verdict = valid ? "accepted" : "rejected";
      info.detail = "journaled as message #" + std::to_string(outcome->id) +
                    (valid ? "; valid, being routed"
                           : "; invalid, not forwarded: see iwmo-gateway explain " + std::to_string(outcome->id));
      break;
    case journal::AppendKind::kDuplicate:
      info.verdict = "duplicate";
      info.detail = "journaled as message #" + std::to_string(outcome->id) + ": " + outcome->duplicate_reason;
      break;
    case journal::AppendKind::kAlreadyJournaled:
      info.verdict = "duplicate";
      info.detail = "already journaled as message #" + std::to_string(outcome->id);
      break;
  }
  return info;
}

}  // namespace

Intake::Intake(IntakeOptions options, journal::MessageQueue& queue, std::shared_ptr<const adapters::xml::SchemaSet> schemas,
               log::BsnHasher hasher, Clock& clock, Metrics& metrics)
    : options_(std::move(options)),
      queue_(queue),
      schemas_(std::move(schemas)),
      hasher_(std::move(hasher)),
      clock_(clock),
      metrics_(metrics),
      // Findings show the client's pseudonym, as the routing log does (issue 16).
      adapters_([this] {
        return adapters::iwmo::IwmoAdapter::create(schemas_, options_.limits,
                                                   [this](std::string_view bsn) { return hasher_.hash(bsn); });
      }),
      readers_([this] {
        adapters::stuf::ReaderLimits limits;
        limits.max_envelope_bytes = options_.max_envelope_bytes;
        limits.max_element_depth = options_.limits.max_element_depth;
        return adapters::stuf::EnvelopeReader::create(options_.ggk_schemas, limits);
      }) {}

Intake::~Intake() { stop(); }

void Intake::setCallbacks(std::function<void(JournaledMessage)> journaled, std::function<void()> log_lines) {
  journaled_ = std::move(journaled);
  log_lines_ = std::move(log_lines);
}

Status Intake::start() {
  const unsigned count = std::max(1u, options_.validators);
  for (unsigned i = 0; i < count; ++i) {
    validators_.emplace_back([this] {
      setThreadRole("iwmo-validate", ThreadRole::kAcknowledgement);
      validatorLoop();
    });
  }
  return Status::ok();
}

void Intake::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && validators_.empty()) return;
    stopping_ = true;
  }
  admit_.notify_all();
  work_.notify_all();
  for (auto& validator : validators_) validator.join();
  validators_.clear();
  // Appends still queued in the journal hold acks that refer to this stage: wait for them.
  std::unique_lock lock(mutex_);
  admit_.wait(lock, [&] { return outstanding_ == 0; });
}

void Intake::refuse(transport::Ack& ack, const std::string& why) {
  ack({false, 0, "", why});
}

void Intake::receive(transport::Received message, transport::Ack ack) {
  auto job = std::make_unique<Job>();
  if (std::string printable = printableUtf8(message.source); printable != message.source) {
    job->source_bytes = std::exchange(message.source, std::move(printable));
  }
  {
    std::unique_lock lock(mutex_);
    admit_.wait(lock, [&] {
      const std::uint64_t backlog = totals_.journaled > handled_ ? totals_.journaled - handled_ : 0;
      return stopping_ || (outstanding_ < options_.max_outstanding && backlog < options_.max_backlog);
    });
    if (stopping_) {
      lock.unlock();
      refuse(ack, "the gateway is stopping; send the message again after its restart");
      return;
    }
    ++outstanding_;
    ++totals_.received;
    job->sequence = next_sequence_++;
    job->received_at = options_.logical_time
                           ? options_.logical_start.plusMillis(static_cast<std::int64_t>(job->sequence))
                           : clock_.now();
    job->received = SteadyClock::now();
    job->message = std::move(message);
    job->ack = std::move(ack);
    jobs_.push_back(std::move(job));
  }
  work_.notify_one();
}

bool Intake::receiveInternal(journal::AppendRequest request) {
  Validated validated;
  std::uint64_t sequence = 0;
  {
    std::unique_lock lock(mutex_);
    admit_.wait(lock, [&] {
      const std::uint64_t backlog = totals_.journaled > handled_ ? totals_.journaled - handled_ : 0;
      return stopping_ || (outstanding_ < options_.max_outstanding && backlog < options_.max_backlog);
    });
    if (stopping_) return false;
    ++outstanding_;
    ++totals_.received;
    sequence = next_sequence_++;
  }
  validated.request = std::move(request);
  validated.ack = [](transport::AckInfo) {};
  validated.received = SteadyClock::now();
  validated.created = true;
  appendInOrder(sequence, std::move(validated));
  return true;
}

void Intake::validatorLoop() {
  while (true) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every received message is validated
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Validated validated;
    validate(*job, validated);
    appendInOrder(job->sequence, std::move(validated));
  }
}

void Intake::validate(Job& job, Validated& out) {
  out.ack = std::move(job.ack);
  out.received = job.received;
  transport::Received& message = job.message;
  proto::Envelope& envelope = out.request.envelope;
  const bool ggk_document = !message.oversize && options_.ggk_schemas && isGgkDocument(message.bytes);
  auto adapter = adapters_.acquire();
  auto reader = ggk_document ? readers_.acquire()
                             : Result<ObjectPool<adapters::stuf::EnvelopeReader>::Lease>(Status::notFound("not StUF-GGk"));
  if (!adapter || (ggk_document && !reader)) {
    // Cannot happen after start-up checks (the schema sets compiled); keep the message at its
    // source rather than drop or misread it.
    out.failure = (!adapter ? adapter.status() : reader.status()).message();
    return;
  }
  out.created = true;
  if (message.oversize) {
    (*adapter)->refuseOversize(message.size, message.sha256, message.source, envelope);
  } else if (ggk_document) {
    readGgkDocument(**reader, **adapter, message.bytes, message.source, envelope);
  } else {
    (*adapter)->validate(message.bytes, message.source, envelope);
  }
  if (!job.source_bytes.empty()) envelope.set_source_bytes(std::move(job.source_bytes));
  journal::AppendRequest& request = out.request;
  request.peer = peerName(peerOf(peerNamed(message.peer), envelope));
  request.received_at = job.received_at;
  if (options_.logical_time && options_.logical_from_dagtekening) {
    // As if received at noon (UTC) on its Dagtekening (replays of historical batches: the
    // eigen-bijdrage date windows are relative to the day of receipt), in batch order.
    if (const auto day = Date::parse(envelope.summary().header().dagtekening())) {
      request.received_at = Timestamp::fromSeconds(static_cast<std::int64_t>(day->daysSinceEpoch()) * 86400 + 12 * 3600)
                                .plusMillis(static_cast<std::int64_t>(job.sequence));
    }
  }
  request.duplicate_key = duplicateKey(envelope);
  request.log_lines = [source = message.source, peer = request.peer,
                       at = request.received_at](const journal::AppendOutcome& outcome) {
    std::vector<std::string> lines;
    if (outcome.kind == journal::AppendKind::kAlreadyJournaled) {
      lines.push_back(receivedAgainLine(outcome.original, source, peer, at));
    }
    return lines;
  };
}

void Intake::appendInOrder(std::uint64_t sequence, Validated validated) {
  std::lock_guard lock(order_mutex_);
  ready_.emplace(sequence, std::move(validated));
  while (!ready_.empty() && ready_.begin()->first == next_append_) {
    Validated next = std::move(ready_.begin()->second);
    ready_.erase(ready_.begin());
    ++next_append_;
    append(std::move(next));
  }
}

// REQUIRES: order_mutex_ held (so that appends are requested in sequence order).
void Intake::append(Validated validated) {
  if (!validated.created) {
    std::cerr << "iwmo-gateway: cannot create a validator: " << validated.failure << "\n";
    {
      std::lock_guard lock(mutex_);
      --outstanding_;
      ++totals_.journal_errors;
    }
    admit_.notify_all();
    refuse(validated.ack, "the gateway could not create a validator (" + validated.failure + "); see its log");
    return;
  }
  journal::AppendRequest& request = validated.request;
  const bool valid = request.envelope.verdict().valid();
  const std::string type = request.envelope.summary().message_type();
  const std::string peer = request.peer;
  // The dispatch stage gets the message without reading it back: the envelope as journaled.
  auto handed_off = std::make_shared<JournaledMessage>();
  handed_off->message.peer = request.peer;
  handed_off->message.source = request.envelope.source();
  handed_off->message.received_at = request.received_at;
  handed_off->message.envelope = request.envelope;
  handed_off->received = validated.received;
  const auto requested = SteadyClock::now();
  queue_.append(std::move(request), [this, ack = std::move(validated.ack), valid, type, peer, requested,
                                     handed_off](Result<journal::AppendOutcome> outcome) mutable {
    metrics_.journalCommit(std::chrono::duration<double>(SteadyClock::now() - requested).count());
    const transport::AckInfo info = ackFor(outcome, valid);
    const bool new_row = outcome && outcome->kind != journal::AppendKind::kAlreadyJournaled;
    if (new_row) {
      metrics_.received(peer, type);
      if (outcome->kind == journal::AppendKind::kDuplicate) metrics_.duplicate();
    }
    {
      std::lock_guard lock(mutex_);
      --outstanding_;
      if (!outcome) {
        ++totals_.journal_errors;
        append_health_ = outcome.status();
      } else {
        ++(new_row ? totals_.journaled : totals_.received_again);
        append_health_ = Status::ok();
      }
    }
    admit_.notify_all();
    ack(info);
    if (new_row && journaled_) {
      handed_off->message.id = outcome->id;
      handed_off->message.duplicate_of = outcome->original;
      handed_off->message.duplicate_reason = outcome->duplicate_reason;
      journaled_(std::move(*handed_off));
    }
    if (outcome && outcome->kind == journal::AppendKind::kAlreadyJournaled && log_lines_) log_lines_();
  });
}

void Intake::handled(std::uint64_t count) {
  {
    std::lock_guard lock(mutex_);
    handled_ += count;
  }
  admit_.notify_all();
}

bool Intake::idle() const {
  std::lock_guard lock(mutex_);
  return outstanding_ == 0;
}

IntakeTotals Intake::totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

Status Intake::health() const {
  std::lock_guard lock(mutex_);
  if (!append_health_.isOk()) return Status::unavailable("journal: " + append_health_.message());
  return Status::ok();
}

}  // namespace iwmo::pipeline
