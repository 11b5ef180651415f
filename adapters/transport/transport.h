// Transports (DESIGN §5.1 steps 1 and 6): bytes in with their source, bytes out to a place.
// A Source hands each message to a Receiver together with an Ack; the source keeps the message
// (the file stays in its directory, the socket client gets no answer) until the Ack says it was
// journaled. A Sink writes one outgoing message so that nobody sees it half-written.
//
// Thread-safety: a Source calls its Receiver from its own thread(s); Ack may be called from any
// thread, exactly once. Sink::deliver and sync are called from one delivery thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/base/result.h"

namespace iwmo::transport {

struct Received {
  std::string bytes;       // the message; empty when `oversize` (never held in memory)
  // e.g. the file path, "ipc:///run/submit.sock#17 name.xml", "a.tar:x.xml". Bytes as the
  // source has them: the pipeline renders a name that is not UTF-8 (gateway/base/utf8.h).
  std::string source;
  std::string peer;        // "backoffice" or "ggk"
  std::uint64_t size = 0;  // the message's real size
  bool oversize = false;   // size > the limit: refused without keeping it
  // When `oversize`: the lowercase hex SHA-256 of the whole message (streamed through the
  // digest), so that a re-read is recognised and a different file is not its duplicate.
  std::string sha256;
};

// What the receiver says back once it is done with a message:
//   journaled: the message (and its verdict) is durable; the source may forget it.
//   otherwise: the journal failed; the source keeps it and offers it again later.
struct AckInfo {
  bool journaled = false;
  std::uint64_t message_id = 0;
  std::string verdict;  // "accepted", "rejected" or "duplicate" (for socket replies)
  std::string detail;   // one sentence for the sender
};
using Ack = std::function<void(const AckInfo&)>;
using Receiver = std::function<void(Received message, Ack ack)>;

class Source {
 public:
  virtual ~Source() = default;
  // Starts delivering messages to `receiver` (from the source's own thread).
  // Errors: kUnavailable (directory missing and not creatable, endpoint in use).
  virtual Status start(Receiver receiver) = 0;
  // Stops taking new messages; returns when the source's thread has ended. Messages whose Ack
  // has not come yet stay at the source (a file stays in the directory).
  virtual void stop() = 0;
  virtual std::string describe() const = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Writes `payload` under `file_name` so that readers only ever see the complete file
  // (write-then-rename). Writing the same name again replaces it: delivery is idempotent.
  // Sets `where` to the final location. Errors: kUnavailable (disk full, permissions).
  virtual Status deliver(const std::string& file_name, std::string_view payload,
                         std::string& where) = 0;
  // Makes every delivered file durable (one syncfs for the batch). Errors: kUnavailable.
  virtual Status sync() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace iwmo::transport
