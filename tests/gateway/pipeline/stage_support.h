// What the pipeline stage tests share: real, schema-valid WMO305 messages for distinct clients,
// journaled into an in-memory journal (the MemoryJournal twin), and a wait that polls a condition
// (stages work on their own threads; the tests wait for outcomes, never assert on time).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "gateway/journal/memory_journal.h"
#include "support/iwmo_messages.h"
#include "support/test_support.h"

namespace iwmo::test::stages {

// Valid BSNs (elfproef) for distinct clients.
inline const char* const kClientBsns[] = {"999990007", "999990019", "999990020", "999990032",
                                          "999990044", "999990056", "999990068", "999990081"};

// A valid WMO305 from the GGk for `bsn`, its Identificatie `identificatie`.
inline std::string wmo305For(const std::string& bsn, const std::string& identificatie) {
  MessageHeader header;
  header.identificatie = identificatie;
  header.dagtekening = "2026-01-05";
  header.bsn = bsn;
  ProductLine line;
  line.toewijzing_nummer = 1;
  line.ingangsdatum = "2026-01-01";
  line.begindatum = "2026-01-01";
  return wmo305(header, {line});
}

// Journals `bytes` (validated with the project's schemas) as received from `peer`; its id.
inline journal::MessageId journalMessage(journal::MessageQueue& queue, const std::string& bytes,
                                         const std::string& source, const std::string& peer = "ggk") {
  journal::AppendRequest request;
  request.envelope = validateWithProjectSchemas(bytes);
  request.envelope.set_source(source);
  request.peer = peer;
  request.received_at = Timestamp::fromSeconds(1767225600);  // 2026-01-01
  auto outcome = queue.appendSync(std::move(request));
  REQUIRE(outcome);
  return outcome->id;
}

// Polls `condition` until it holds or 20 s pass (a generous bound for a loaded CI machine; only a
// hang reaches it). True when it held.
inline bool eventually(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace iwmo::test::stages
