#include "adapters/transport/https_source.h"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "gateway/base/sha256.h"

namespace iwmo::transport {
namespace {

constexpr std::string_view kFileNameHeader = "X-Iwmo-File-Name";
constexpr std::size_t kMaxFileNameChars = 255;

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// The sender's name for the envelope, fit for a log line: control characters, spaces and
// non-ASCII bytes replaced, cut to kMaxFileNameChars. "" when absent.
std::string fileNameOf(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (!equalsIgnoringCase(name, kFileNameHeader)) continue;
    std::string clean = value.substr(0, kMaxFileNameChars);
    for (char& c : clean) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f) c = '_';  // ASCII only: it ends up in JSON log lines
    }
    return clean;
  }
  return {};
}

std::string secondsText(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

}  // namespace

// Shared by the source's handler and every Ack it handed out. An Ack that comes after its POST
// was answered (timeout, stop) finds its slot abandoned and does nothing.
struct HttpsSource::Shared {
  struct Slot {
    std::optional<AckInfo> info;  // set by the Ack
    bool abandoned = false;       // the POST was answered without it
  };
  std::mutex mutex;
  std::condition_variable acked;  // an Ack arrived, or stopping
  bool stopping = false;
};

Result<std::unique_ptr<HttpsSource>> HttpsSource::create(const HttpsSourceConfig& config,
                                                         RefusalObserver observer) {
  if (config.ack_timeout.count() <= 0) {
    return Status::invalid("HTTPS source ack_timeout must be positive");
  }
  auto listener = HttpsListener::create(config.listener);
  if (!listener) return listener.status();
  std::unique_ptr<HttpsSource> source(new HttpsSource());
  source->config_ = config;
  source->observer_ = std::move(observer);
  source->shared_ = std::make_shared<Shared>();
  source->listener_ = std::move(*listener);
  return source;
}

HttpsSource::~HttpsSource() { stop(); }

Status HttpsSource::start(Receiver receiver) {
  if (receiver_) return Status::failedPrecondition("HTTPS source already started");
  {
    std::lock_guard lock(shared_->mutex);
    if (shared_->stopping) return Status::failedPrecondition("HTTPS source already stopped");
  }
  receiver_ = std::move(receiver);
  return listener_->start([this](InboundEnvelope envelope) { return handle(std::move(envelope)); },
                          [this](const std::string& peer_address, const std::string& reason) {
                            if (observer_) observer_(peer_address, reason);
                          });
}

void HttpsSource::stop() {
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->acked.notify_all();  // every waiting POST is answered 503 now
  listener_->stop();            // breaks the connections, joins the threads
}

std::string HttpsSource::describe() const {
  const std::string& address = config_.listener.bind_address;
  const bool v6 = address.find(':') != std::string::npos;
  return "https listener " + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port()) +
         config_.listener.path + " (mutual TLS)";
}

std::uint16_t HttpsSource::port() const { return listener_->port(); }

HttpsSourceStats HttpsSource::stats() const {
  return {listener_->stats(), acked_journaled_.load(), acked_not_journaled_.load(),
          ack_timeouts_.load()};
}

InboundAnswer HttpsSource::handle(InboundEnvelope envelope) {
  const std::shared_ptr<Shared> shared = shared_;
  {
    std::lock_guard lock(shared->mutex);
    if (shared->stopping) {
      ack_timeouts_.fetch_add(1);
      return {InboundVerdict::RetryLater, "the gateway is stopping; send the envelope again later"};
    }
  }
  Received message;
  message.size = envelope.bytes.size();
  message.bytes = std::move(envelope.bytes);
  message.peer = config_.peer;
  // Stable for a resend of the same bytes by the same sender (not the address or a sequence), so
  // the journal answers "already journaled" instead of storing a duplicate the gateway would
  // answer with 9056.
  ++sequence_;
  message.source = "https:" + envelope.peer_subject + " sha256=" + sha256Hex(message.bytes).substr(0, 16);
  if (const std::string name = fileNameOf(envelope.headers); !name.empty()) {
    message.source += " file=" + name;
  }

  auto slot = std::make_shared<Shared::Slot>();
  receiver_(std::move(message), [shared, slot](const AckInfo& info) {
    {
      std::lock_guard lock(shared->mutex);
      if (slot->abandoned || slot->info) return;  // answered already, or a second Ack
      slot->info = info;
    }
    shared->acked.notify_all();
  });

  std::unique_lock lock(shared->mutex);
  const bool acked = shared->acked.wait_for(lock, config_.ack_timeout, [&] {
    return slot->info || shared->stopping;
  }) && slot->info;
  if (!acked) {
    slot->abandoned = true;
    const bool stopping = shared->stopping;
    lock.unlock();
    ack_timeouts_.fetch_add(1);
    if (stopping) {
      return {InboundVerdict::RetryLater,
              "the gateway is stopping and has not confirmed that it journaled this envelope; "
              "send it again later (if it was journaled, the resend is answered as a duplicate)"};
    }
    return {InboundVerdict::RetryLater,
            "the gateway did not confirm within " + secondsText(config_.ack_timeout) +
                " that it journaled this envelope; send it again later (if it was journaled "
                "meanwhile, the resend is answered as a duplicate)"};
  }
  const AckInfo info = *slot->info;
  lock.unlock();
  if (!info.journaled) {
    acked_not_journaled_.fetch_add(1);
    return {InboundVerdict::RetryLater,
            "the gateway could not journal this envelope" +
                (info.detail.empty() ? std::string() : " (" + info.detail + ")") +
                "; it was not taken over: send it again later"};
  }
  acked_journaled_.fetch_add(1);
  const std::string verdict = info.verdict.empty() ? "accepted" : info.verdict;
  return {InboundVerdict::Accepted,
          verdict + ": " +
              (info.detail.empty() ? "journaled as message #" + std::to_string(info.message_id)
                                   : info.detail)};
}

}  // namespace iwmo::transport
