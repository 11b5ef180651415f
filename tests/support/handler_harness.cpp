#include "support/handler_harness.h"

#include <catch2/catch.hpp>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "gateway/base/date.h"
#include "gateway/cli/wiring.h"
#include "gateway/pipeline/dispatch.h"
#include "gateway/pipeline/ggk_intake.h"
#include "gateway/pipeline/intake.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

namespace iwmo::test {

config::Config defaultConfig() {
  auto config = config::loadDefaultConfig(sourceDir());
  INFO(config.status().toString());
  REQUIRE(config);
  return *config;
}

std::unique_ptr<const handlers::HandlerChain> daemonChain(const config::Config& config) {
  auto chain = cli::makeHandlerChain(config, projectSchemaSet(), true);
  INFO(chain.status().toString());
  REQUIRE(chain);
  return std::move(*chain);
}

Timestamp noonOf(const std::string& day) {
  const auto date = Date::parse(day);
  REQUIRE(date.has_value());
  return Timestamp::fromSeconds(static_cast<std::int64_t>(date->daysSinceEpoch()) * 86400 + 12 * 3600);
}

HandlerHarness::HandlerHarness(std::unique_ptr<const handlers::HandlerChain> chain)
    : holder_(std::shared_ptr<const handlers::HandlerChain>(std::move(chain))), preparer_(journal_, holder_) {
  auto adapter = adapters::iwmo::IwmoAdapter::create(projectSchemaSet());
  INFO(adapter.status().toString());
  REQUIRE(adapter);
  adapter_ = std::move(*adapter);
}

HandlerHarness::~HandlerHarness() = default;

proto::Envelope HandlerHarness::envelopeOf(const std::string& bytes) {
  proto::Envelope envelope;
  if (!pipeline::isGgkDocument(bytes)) {
    adapter_->validate(bytes, "test", envelope);
    return envelope;
  }
  if (!reader_) {
    auto reader = adapters::stuf::EnvelopeReader::create(schemaSet(stufSchemaDir()));
    INFO(reader.status().toString());
    REQUIRE(reader);
    reader_ = std::move(*reader);
  }
  pipeline::readGgkDocument(*reader_, *adapter_, bytes, "test", envelope);
  return envelope;
}

journal::AppendOutcome HandlerHarness::receive(const std::string& bytes, const std::string& peer, Timestamp at) {
  journal::AppendRequest request;
  request.envelope = envelopeOf(bytes);
  request.envelope.set_source(peer + "/" + std::to_string(at.micros) + ".xml");
  request.peer = peer;
  request.received_at = at;
  request.duplicate_key = pipeline::duplicateKey(request.envelope);
  auto outcome = journal_.queue().appendSync(std::move(request));
  INFO(outcome.status().toString());
  REQUIRE(outcome);
  return *outcome;
}

proto::WorkItem HandlerHarness::prepared(std::uint64_t id) {
  auto pending = journal_.queue().pending(id - 1, 1);
  REQUIRE(pending);
  REQUIRE(pending->size() == 1);
  journal::PendingMessage& message = pending->front();
  REQUIRE(message.id == id);
  proto::WorkItem item = pipeline::workItemOf(std::move(message));
  preparer_.prepare(item);
  return item;
}

void HandlerHarness::commit(const proto::HandlerResult& result, Timestamp at) {
  auto committed = journal_.queue().commitResultSync(result, {}, at);
  INFO(committed.status().toString());
  REQUIRE(committed);
  REQUIRE(*committed);
}

proto::HandlerResult HandlerHarness::process(const std::string& bytes, const std::string& peer, Timestamp at) {
  const journal::AppendOutcome outcome = receive(bytes, peer, at);
  const proto::WorkItem item = prepared(outcome.id);
  proto::HandlerResult result = run(item);
  commit(result, at);
  return result;
}

}  // namespace iwmo::test
