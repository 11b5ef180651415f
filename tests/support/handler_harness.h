// A handler chain run the way the daemon runs it, without threads or a bus, for the handler unit
// tests: a message is validated by the real adapter (a StUF-GGk document unwrapped first, as
// gateway/pipeline/ggk_intake does), journaled in a MemoryJournal with the intake's TR056 key,
// read back as the dispatcher admits it (a proto::WorkItem), given its context by the real
// Preparer from the journal's stores, run through the chain, and its result committed into the
// same journal, so a test can read the state back through the stores.
// Single-threaded; REQUIREs inside, so use it from a test case.
#pragma once

#include <memory>
#include <string>

#include "gateway/base/clock.h"
#include "gateway/config/config.h"
#include "gateway/handlers/handler.h"
#include "gateway/journal/memory_journal.h"
#include "gateway/pipeline/preparer.h"

namespace iwmo::adapters::iwmo {
class IwmoAdapter;
}
namespace iwmo::adapters::stuf {
class EnvelopeReader;
}

namespace iwmo::test {

// The embedded default config (config/default.toml) with its paths in the source tree: own
// gemeente 0599, the default eigen-bijdrage policy, StUF-GGk envelopes on.
config::Config defaultConfig();
// The daemon's handler chain for `config` (gateway/cli makeHandlerChain: routing,
// responsibility, eigen bijdrage with the real iEb writer, GGk), on the project's schema set,
// with deterministic referentienummers (as replay).
std::unique_ptr<const handlers::HandlerChain> daemonChain(const config::Config& config);

class HandlerHarness {
 public:
  explicit HandlerHarness(std::unique_ptr<const handlers::HandlerChain> chain);
  ~HandlerHarness();
  HandlerHarness(const HandlerHarness&) = delete;
  HandlerHarness& operator=(const HandlerHarness&) = delete;

  journal::MemoryJournal& journal() { return journal_; }

  // Validates `bytes` and journals them as received from `peer` at `at` (kNew or kDuplicate).
  journal::AppendOutcome receive(const std::string& bytes, const std::string& peer, Timestamp at);
  // The pending message `id` as the dispatcher admits it, prepared from the journal.
  proto::WorkItem prepared(std::uint64_t id);
  proto::HandlerResult run(const proto::WorkItem& item) const { return holder_.run(item); }
  // Commits `result` (decided at the item's receipt); REQUIREs it was written.
  void commit(const proto::HandlerResult& result, Timestamp at);
  // receive + prepared + run + commit: the result that was committed.
  proto::HandlerResult process(const std::string& bytes, const std::string& peer, Timestamp at);

 private:
  proto::Envelope envelopeOf(const std::string& bytes);

  journal::MemoryJournal journal_;
  handlers::HandlerChainHolder holder_;
  pipeline::Preparer preparer_;
  std::unique_ptr<adapters::iwmo::IwmoAdapter> adapter_;
  std::unique_ptr<adapters::stuf::EnvelopeReader> reader_;
};

// Noon (UTC) of `day` ("YYYY-MM-DD"), as replay --clock dagtekening receives a message.
Timestamp noonOf(const std::string& day);

}  // namespace iwmo::test
