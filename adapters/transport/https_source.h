// HttpsSource: the Source (DESIGN §5.1 step 1) behind HttpsListener: envelopes POSTed over mutual
// TLS by a Digikoppeling adapter (issue 6 §4b). Like ZmqSubmitSource, it answers its client only
// once the journal has spoken:
//
//   for each POST that passed the listener (mutual TLS, path, Content-Length, size limit) the
//   Receiver gets Received{bytes, source, peer, size} and an Ack; the listener's connection
//   thread waits for that Ack, at most ack_timeout:
//     journaled      -> 200, body "<verdict>: <detail>" ("accepted: journaled as message #12 ...");
//                       "rejected" and "duplicate" are journaled too, so they are 200 as well;
//     not journaled  -> 503 "the gateway could not journal this envelope (<detail>) ...":
//                       the sender keeps it and sends it again later;
//     no Ack in time -> 503 as well. The message may still be journaled after the answer went
//                       out, so the sender's resend can arrive when the journal already has the
//                       bytes. Received::source is the same for the same bytes from the same
//                       client certificate (and file name), so the journal answers "already
//                       journaled" (journal.h, "Duplicates"): nothing is taken twice, and the
//                       resend is not mistaken for a reused Identificatie (9056).
//   An Ack after the answer (timeout, or after stop()) does nothing: the ack closure holds the
//   shared state it needs, never the source.
//
// Received::source is "https:<client certificate subject> sha256=<first 16 hex digits of the
// body's SHA-256>", with " file=<X-Iwmo-File-Name>" appended when the sender named the envelope
// (see https_sink.h). The peer address is not part of it (a resend comes from another port).
// Envelopes larger than max_body_bytes never reach the Receiver: the listener answers 413 and
// reports it to the RefusalObserver, like every other connection that does not reach the
// Receiver (no client certificate, wrong CA, plain HTTP, wrong path ...).
//
// Threads: the listener's. The Receiver and the RefusalObserver are called on its connection
// threads, concurrently when workers > 1; each Envelope waiting for its Ack holds one worker, so
// `workers` is also the number of envelopes the journal can be asked about at once (more
// connections wait in the listener's queue). create/start/stop from one controlling thread; one
// start() per source. Ack from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/transport/https_listener.h"
#include "adapters/transport/transport.h"

namespace iwmo::transport {

struct HttpsSourceConfig {
  HttpsListenerConfig listener;  // bind address, port (0 = ephemeral), path, certificates, limits
  std::string peer = "ggk";      // Received::peer
  std::chrono::milliseconds ack_timeout{30000};  // longest wait for the journal's Ack
};

struct HttpsSourceStats {
  HttpsListenerStats listener;            // refused handshakes / requests, envelopes handled
  std::uint64_t acked_journaled = 0;      // answered 200
  std::uint64_t acked_not_journaled = 0;  // answered 503: the journal failed
  std::uint64_t ack_timeouts = 0;         // answered 503: no Ack within ack_timeout (or stopping)
};

class HttpsSource final : public Source {
 public:
  // Loads the certificates and binds (so port() is known before start()). `observer` is told
  // about every refused connection with the peer address and the reason (may be empty).
  // Errors: those of HttpsListener::create; kInvalid (ack_timeout not positive).
  static Result<std::unique_ptr<HttpsSource>> create(const HttpsSourceConfig& config,
                                                     RefusalObserver observer = {});
  ~HttpsSource() override;  // stops
  HttpsSource(const HttpsSource&) = delete;
  HttpsSource& operator=(const HttpsSource&) = delete;

  // Starts the listener. Errors: kFailedPrecondition (already started, or stopped).
  Status start(Receiver receiver) override;
  // Answers every POST still waiting for its Ack with 503, stops the listener and returns when
  // its threads have ended. The Receiver is not called after stop() returns. Idempotent.
  void stop() override;
  // "https listener 127.0.0.1:8443/ggk/inbound (mutual TLS)".
  std::string describe() const override;

  std::uint16_t port() const;  // the bound port (the ephemeral one when configured as 0)
  HttpsSourceStats stats() const;

 private:
  struct Shared;  // what the handler and the ack closures share; outlives the source
  HttpsSource() = default;
  InboundAnswer handle(InboundEnvelope envelope);

  HttpsSourceConfig config_;
  RefusalObserver observer_;
  Receiver receiver_;
  std::shared_ptr<Shared> shared_;
  std::atomic<std::uint64_t> sequence_{0};
  std::atomic<std::uint64_t> acked_journaled_{0};
  std::atomic<std::uint64_t> acked_not_journaled_{0};
  std::atomic<std::uint64_t> ack_timeouts_{0};
  // Declared last so it is destroyed first: its threads call handle() and observer_.
  std::unique_ptr<HttpsListener> listener_;
};

}  // namespace iwmo::transport
