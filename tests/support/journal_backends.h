// The two journals the state-store contract tests run on (TEMPLATE_TEST_CASE over SqliteBackend
// and MemoryBackend): the SQLite journal in a temporary directory and its in-memory twin, with
// the two writes every store test needs: journal a message, commit a handler result for it.
// Header-only; Catch2 REQUIREs inside, so call from a test case.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/base/sha256.h"
#include "gateway/journal/memory_journal.h"
#include "gateway/journal/sqlite_journal.h"
#include "support/test_support.h"

namespace iwmo::test {

inline std::unique_ptr<iwmo::journal::SqliteJournal> openSqliteJournal(const std::filesystem::path& file) {
  auto opened = iwmo::journal::SqliteJournal::open(file, {});
  INFO(opened.status().toString());
  REQUIRE(opened);
  return std::move(*opened);
}

struct SqliteBackend {
  TempDir dir;
  std::unique_ptr<iwmo::journal::SqliteJournal> opened = openSqliteJournal(dir.path() / "journal.sqlite");
  iwmo::journal::Journal& journal() { return *opened; }
};

struct MemoryBackend {
  iwmo::journal::MemoryJournal memory;
  iwmo::journal::Journal& journal() { return memory; }
};

// Journals a valid message of `message_type` from `peer` (payload unique per call) and returns
// its id.
inline std::uint64_t journalMessage(iwmo::journal::Journal& journal, const std::string& message_type, Timestamp at,
                                    const std::string& peer = "ggk") {
  static int counter = 0;
  const std::string payload = "<" + message_type + " n=\"" + std::to_string(++counter) + "\"/>";
  iwmo::journal::AppendRequest request;
  request.envelope.set_source("inbox/" + std::to_string(counter) + ".xml");
  request.envelope.set_payload(payload);
  request.envelope.set_payload_sha256(sha256Hex(payload));
  request.envelope.mutable_verdict()->set_valid(true);
  request.envelope.mutable_summary()->set_message_type(message_type);
  request.peer = peer;
  request.received_at = at;
  auto outcome = journal.queue().appendSync(std::move(request));
  INFO(outcome.status().toString());
  REQUIRE(outcome);
  REQUIRE(outcome->kind == iwmo::journal::AppendKind::kNew);
  return outcome->id;
}

// commitResultSync: true when written, false when the message was handled already; a failed
// commit comes back as its Status.
inline Result<bool> commit(iwmo::journal::Journal& journal, proto::HandlerResult result, Timestamp at) {
  if (result.disposition().empty()) result.set_disposition("routed");
  return journal.queue().commitResultSync(std::move(result), {}, at);
}

inline void commitOk(iwmo::journal::Journal& journal, proto::HandlerResult result, Timestamp at) {
  const Result<bool> committed = commit(journal, std::move(result), at);
  INFO(committed.status().toString());
  REQUIRE(committed);
  REQUIRE(*committed);
}

// The ids of the journal's pending messages.
inline std::vector<std::uint64_t> pendingIds(iwmo::journal::Journal& journal) {
  auto pending = journal.queue().pending(0, 1000);
  REQUIRE(pending);
  std::vector<std::uint64_t> ids;
  for (const auto& message : *pending) ids.push_back(message.id);
  return ids;
}

}  // namespace iwmo::test
