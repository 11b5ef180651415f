#include "gateway/cli/run_command.h"

#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <httplib.h>
#include <iostream>
#include <thread>
#include <zmq.hpp>

#include "adapters/transport/directory_sink.h"
#include "adapters/transport/https_sink.h"
#include "adapters/transport/https_source.h"
#include "adapters/transport/directory_source.h"
#include "adapters/transport/zmq_submit_source.h"
#include "adapters/xml/schema_set.h"
#include "gateway/cli/ieb_command.h"
#include "gateway/base/peer.h"
#include "gateway/cli/state_lock.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/pipeline/pipeline.h"

namespace iwmo::cli {
namespace {

constexpr int kExitStartup = 2;

int fail(const std::string& message) {
  std::cerr << "iwmo-gateway run: " << message << "\n";
  sd_notifyf(0, "STATUS=start-up failed: %s", message.c_str());
  return kExitStartup;
}

// Which differences between two configs a SIGHUP cannot apply.
std::vector<std::string> needsRestart(const config::Config& a, const config::Config& b) {
  std::vector<std::string> keys;
  if (a.state_dir != b.state_dir) keys.push_back("gateway.state_dir");
  if (a.iwmo_schema_dir != b.iwmo_schema_dir) keys.push_back("schemas.iwmo");
  if (a.ieb_schema_dir != b.ieb_schema_dir) keys.push_back("schemas.ieb");
  if (a.cak.receive_dir != b.cak.receive_dir || a.cak.deliver_dir != b.cak.deliver_dir) {
    keys.push_back("peers.cak");
  }
  if (a.backoffice.receive_dir != b.backoffice.receive_dir ||
      a.backoffice.deliver_dir != b.backoffice.deliver_dir ||
      a.backoffice.submit_endpoint != b.backoffice.submit_endpoint) {
    keys.push_back("peers.backoffice");
  }
  if (a.ggk.receive_dir != b.ggk.receive_dir || a.ggk.deliver_dir != b.ggk.deliver_dir) {
    keys.push_back("peers.ggk");
  }
  if (a.rejected_dir != b.rejected_dir) keys.push_back("rejected.dir");
  if (a.bus.listen != b.bus.listen || a.bus.workers != b.bus.workers) keys.push_back("bus");
  if (a.log.file != b.log.file || a.log.feed != b.log.feed) keys.push_back("log");
  if (a.http_listen != b.http_listen) keys.push_back("http.listen");
  if (a.ggk_schema_dir != b.ggk_schema_dir) keys.push_back("schemas.ggk");
  // The transports are built at start; the [ggk] envelope identity is reloaded with the chain.
  const auto tls = [](const config::TlsFiles& x, const config::TlsFiles& y) {
    return x.certificate == y.certificate && x.private_key == y.private_key && x.ca_bundle == y.ca_bundle &&
           x.expected_subject == y.expected_subject;
  };
  const auto& out_a = a.ggk_envelope.https_out;
  const auto& out_b = b.ggk_envelope.https_out;
  if (out_a.enabled != out_b.enabled || out_a.url != out_b.url || !tls(out_a.tls, out_b.tls) ||
      out_a.connect_timeout_ms != out_b.connect_timeout_ms || out_a.io_timeout_ms != out_b.io_timeout_ms) {
    keys.push_back("ggk.https_out");
  }
  // With [ggk.https_out] it also decides, at start, where the CAK's messages go (the adapter, or
  // [peers.cak] deliver_dir for bare ones).
  if (a.ggk_envelope.envelopes != b.ggk_envelope.envelopes && out_a.enabled) keys.push_back("ggk.envelopes");
  const auto& in_a = a.ggk_envelope.https_in;
  const auto& in_b = b.ggk_envelope.https_in;
  if (in_a.enabled != in_b.enabled || in_a.listen != in_b.listen || in_a.path != in_b.path ||
      !tls(in_a.tls, in_b.tls) || in_a.workers != in_b.workers || in_a.io_timeout_ms != in_b.io_timeout_ms ||
      in_a.ack_timeout_ms != in_b.ack_timeout_ms) {
    keys.push_back("ggk.https_in");
  }
  return keys;
}

// One daemon per state directory: a second one would share the journal and the receive
// directories (and take over the first one's ipc sockets). Returns the held lock's descriptor.
Result<int> lockStateDirectory(const config::Config& config) {
  if (Status writable = config::checkDirectoriesWritable(config); !writable.isOk()) return writable;
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    return Status::unavailable("cannot create gateway.state_dir " + config.state_dir.string() + ": " + ec.message() +
                               "; create it for the user the gateway runs as, or point gateway.state_dir elsewhere");
  }
  const std::filesystem::path lock_file = config.state_dir / "iwmo-gateway.lock";
  StateLockHolder holder;
  Result<int> lock_fd = takeStateLock(lock_file, "iwmo-gateway run", holder);
  if (!lock_fd) {
    if (!holder.held) {
      return Status::unavailable(lock_fd.status().message() +
                                 "; gateway.state_dir must be writable for the user the gateway runs as");
    }
    const std::string who = holder.command.empty() || holder.command == "iwmo-gateway run"
                                ? std::string("another `iwmo-gateway run`")
                                : "`" + holder.command + "`";
    return Status::unavailable(who + (holder.pid.empty() ? std::string() : " (pid " + holder.pid + ")") +
                               " is using " + config.state_dir.string() + " (lock " + lock_file.string() +
                               "); stop it first, or give this one its own gateway.state_dir");
  }
  return *lock_fd;
}

// Where each peer's messages are delivered.
struct DaemonSinks {
  explicit DaemonSinks(const config::Config& config)
      : backoffice(config.backoffice.deliver_dir),
        ggk_directory(config.ggk.deliver_dir),
        cak_directory(config.cak.deliver_dir),
        rejected(config.rejected_dir) {}
  transport::DirectorySink backoffice;
  transport::DirectorySink ggk_directory;
  transport::DirectorySink cak_directory;
  transport::DirectorySink rejected;
  std::unique_ptr<transport::HttpsSink> ggk_https;  // [ggk.https_out]
  transport::Sink* ggk = nullptr;
  transport::Sink* cak = nullptr;

  std::map<std::string, transport::Sink*> byPeer() {
    return {{peerName(Peer::kBackoffice), &backoffice},
            {peerName(Peer::kGgk), ggk},
            {peerName(Peer::kCak), cak},
            {peerName(Peer::kRejected), &rejected}};
  }
};

Result<std::unique_ptr<DaemonSinks>> makeSinks(const config::Config& config) {
  auto sinks = std::make_unique<DaemonSinks>(config);
  // [ggk.https_out]: envelopes for the GGk are POSTed over mutual TLS instead of written to
  // [peers.ggk] deliver_dir.
  if (const config::GgkHttpsOut& out = config.ggk_envelope.https_out; out.enabled) {
    transport::HttpsSinkConfig https;
    https.client.url = out.url;
    https.client.certificate_file = out.tls.certificate.string();
    https.client.private_key_file = out.tls.private_key.string();
    https.client.ca_file = out.tls.ca_bundle.string();
    https.client.expected_server_subject = out.tls.expected_subject;
    https.client.connect_timeout = std::chrono::milliseconds(out.connect_timeout_ms);
    https.client.io_timeout = std::chrono::milliseconds(out.io_timeout_ms);
    auto sink = transport::HttpsSink::create(https);
    if (!sink) return Status::unavailable("[ggk.https_out]: " + sink.status().message());
    sinks->ggk_https = std::move(*sink);
  }
  sinks->ggk = sinks->ggk_https ? static_cast<transport::Sink*>(sinks->ggk_https.get()) : &sinks->ggk_directory;
  // With [ggk.https_out] the CAK's envelopes go to the Digikoppeling adapter too: everything for
  // the GGk does. Bare iEb messages ([ggk] envelopes = false) stay in [peers.cak] deliver_dir.
  sinks->cak = sinks->ggk_https && config.ggk_envelope.envelopes ? static_cast<transport::Sink*>(sinks->ggk_https.get())
                                                                 : &sinks->cak_directory;
  return sinks;
}

// Every source of messages: the receive directories, the submit sockets, [ggk.https_in].
Result<std::vector<std::unique_ptr<transport::Source>>> makeSources(const config::Config& config,
                                                                      zmq::context_t& context) {
  std::vector<std::unique_ptr<transport::Source>> sources;
  for (const config::Peer* peer : {&config.backoffice, &config.ggk, &config.cak}) {
    transport::DirectorySource::Options source;
    source.peer = peer->name;
    source.dir = peer->receive_dir;
    source.max_bytes = config.max_message_bytes;
    sources.push_back(std::make_unique<transport::DirectorySource>(source));
    if (!peer->submit_endpoint.empty()) {
      sources.push_back(std::make_unique<transport::ZmqSubmitSource>(
          context, peer->submit_endpoint, peer->name, config.max_message_bytes, config.max_submit_frame_bytes));
    }
  }
  // [ggk.https_in]: envelopes from a Digikoppeling adapter over mutual TLS (besides receive_dir).
  if (const config::GgkHttpsIn& in = config.ggk_envelope.https_in; in.enabled) {
    transport::HttpsSourceConfig https;
    const auto colon = in.listen.rfind(':');
    https.listener.bind_address = in.listen.substr(0, colon);
    https.listener.port = static_cast<std::uint16_t>(std::stoi(in.listen.substr(colon + 1)));
    https.listener.path = in.path;
    https.listener.certificate_file = in.tls.certificate.string();
    https.listener.private_key_file = in.tls.private_key.string();
    https.listener.ca_file = in.tls.ca_bundle.string();
    https.listener.expected_client_subject = in.tls.expected_subject;
    https.listener.max_body_bytes = config.max_message_bytes;
    https.listener.io_timeout = std::chrono::milliseconds(in.io_timeout_ms);
    https.listener.workers = in.workers;
    https.peer = peerName(Peer::kGgk);
    https.ack_timeout = std::chrono::milliseconds(in.ack_timeout_ms);
    auto source = transport::HttpsSource::create(https, [](const std::string& peer, const std::string& reason) {
      std::cerr << "iwmo-gateway: [ggk.https_in] refused a connection from " << peer << ": " << reason << "\n";
    });
    if (!source) return Status::unavailable("[ggk.https_in]: " + source.status().message());
    sources.push_back(std::move(*source));
  }
  return sources;
}

// The operations endpoint: /healthz and /metrics on loopback (http.listen), on a thread of its own.
class OpsEndpoint {
 public:
  ~OpsEndpoint() { stop(); }
  Status start(const config::Config& config, pipeline::Pipeline& pipeline, log::LogProjector& projector,
               journal::Journal& journal, pipeline::Metrics& metrics, Clock& clock) {
    const auto colon = config.http_listen.rfind(':');
    const std::string host = config.http_listen.substr(0, colon);
    const int port = std::stoi(config.http_listen.substr(colon + 1));
    server_.Get("/healthz", [&pipeline, &projector](const httplib::Request&, httplib::Response& response) {
      Status health = pipeline.health();
      if (health.isOk()) health = projector.health();
      if (health.isOk()) {
        response.set_content("ok\n", "text/plain");
      } else {
        response.status = 503;
        response.set_content("unhealthy: " + health.message() + "\n", "text/plain");
      }
    });
    const std::int64_t retour_timeout =
        static_cast<std::int64_t>(config.eigen_bijdrage.retour_timeout_hours) * 3600 * 1000000;
    server_.Get("/metrics", [&, retour_timeout](const httplib::Request&, httplib::Response& response) {
      std::string text = metrics.render(pipeline.gauges());
      // iEb counts come from the journal, so they survive restarts.
      if (auto counts = journal.eb().counts(Timestamp{clock.now().micros - retour_timeout})) {
        text += pipeline::renderIebMetrics(*counts);
      }
      if (auto open = journal.ggk().errorsOpen()) text += pipeline::renderGgkMetrics(*open);
      response.set_content(text, "text/plain; version=0.0.4");
    });
    if (!server_.bind_to_port(host, port)) {
      return Status::unavailable("cannot listen on http.listen = " + config.http_listen +
                                 " (port in use? set another, or \"\" to switch HTTP off)");
    }
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return Status::ok();
  }
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
};

void printRunning(const config::Config& config, const DaemonSinks& sinks) {
  const char* const form = config.ggk_envelope.envelopes ? " (StUF-GGk envelopes)" : " (bare messages)";
  std::cerr << "iwmo-gateway: running for gemeente";
  for (const auto& code : config.own_gemeente) std::cerr << " " << code;
  std::cerr << " (config: " << config.origin << ")\n"
            << "  journal     " << config.journalFile().string() << "\n"
            << "  back office picks up " << config.backoffice.receive_dir.string() << ", delivers to "
            << config.backoffice.deliver_dir.string() << "\n"
            << "  GGk         picks up " << config.ggk.receive_dir.string()
            << (config.ggk_envelope.https_in.enabled ? " and https://" + config.ggk_envelope.https_in.listen +
                                                           config.ggk_envelope.https_in.path + " (mutual TLS)"
                                                     : std::string())
            << ", delivers to " << sinks.ggk->describe() << form << "\n"
            << "  CAK         picks up " << config.cak.receive_dir.string() << ", delivers to "
            << sinks.cak->describe() << form << "\n"
            << "  rejected    " << config.rejected_dir.string() << "\n"
            << "  routing log " << config.log.file.string()
            << (config.log.feed.empty() ? "" : ", live feed " + config.log.feed) << "\n";
  if (!config.backoffice.submit_endpoint.empty()) {
    std::cerr << "  submit      " << config.backoffice.submit_endpoint << "\n";
  }
  if (!config.http_listen.empty()) std::cerr << "  http        http://" << config.http_listen << "/healthz, /metrics\n";
  std::cerr.flush();
}

// SIGHUP: the config file again; what can change at run time (the handler chain, own_gemeente)
// does, the rest is named as needing a restart. A broken file keeps the running config.
void reload(config::Config& config, const std::filesystem::path& config_file,
            const std::shared_ptr<const adapters::xml::SchemaSet>& schemas, handlers::HandlerChainHolder& chain) {
  if (config_file.empty()) {
    std::cerr << "iwmo-gateway: SIGHUP: running on the embedded default config; nothing to reload\n";
    return;
  }
  auto reloaded = config::loadConfigFile(config_file, dataDir());
  if (!reloaded) {
    std::cerr << "iwmo-gateway: SIGHUP: keeping the running config; " << reloaded.status().message() << "\n";
    return;
  }
  for (const auto& key : needsRestart(config, *reloaded)) {
    std::cerr << "iwmo-gateway: SIGHUP: " << key << " changed; that takes effect after a restart\n";
  }
  if (config.ggk_envelope.https_out.enabled) {
    reloaded->ggk_envelope.envelopes = config.ggk_envelope.envelopes;  // see needsRestart
  }
  // The journal's, not the file's (journalFirstStartNummer).
  reloaded->eigen_bijdrage.params.first_start_nummer = config.eigen_bijdrage.params.first_start_nummer;
  auto reloaded_chain = makeHandlerChain(*reloaded, schemas);
  if (!reloaded_chain) {
    std::cerr << "iwmo-gateway: SIGHUP: keeping the running config; " << reloaded_chain.status().message() << "\n";
    return;
  }
  chain.swap(std::move(*reloaded_chain));  // the preparer asks the chain what to attach
  config.own_gemeente = reloaded->own_gemeente;
  std::cerr << "iwmo-gateway: SIGHUP: reloaded " << config_file.string() << "\n";
}

// Until SIGTERM / SIGINT: the systemd watchdog while the stages are alive (not while a peer is
// down: a restart would not deliver sooner), a reload on SIGHUP.
void serveUntilStopped(const sigset_t& signals, config::Config& config, const std::filesystem::path& config_file,
                       const std::shared_ptr<const adapters::xml::SchemaSet>& schemas,
                       handlers::HandlerChainHolder& chain, const pipeline::Pipeline& pipeline,
                       const std::function<void()>& every_few_minutes) {
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  auto next_periodic = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (true) {
    timespec wait{0, 500 * 1000 * 1000};
    siginfo_t info{};
    const int signal = sigtimedwait(&signals, &info, &wait);
    if (watchdog && pipeline.liveness().isOk()) sd_notify(0, "WATCHDOG=1");
    if (std::chrono::steady_clock::now() >= next_periodic) {
      every_few_minutes();
      next_periodic = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    }
    if (signal == SIGHUP) {
      sd_notify(0, "RELOADING=1");
      reload(config, config_file, schemas, chain);
      sd_notify(0, "READY=1\nSTATUS=running");
    } else if (signal == SIGTERM || signal == SIGINT) {
      return;
    }
  }
}

}  // namespace

int runDaemon(const config::Config& initial_config, const std::filesystem::path& config_file) {
  config::Config config = initial_config;
  // Signals are taken by this thread only (sigtimedwait); every thread started from here on
  // inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (auto lock = lockStateDirectory(config); !lock) return fail(lock.status().message());
  auto schemas = adapters::xml::SchemaSet::load(config.schemaDirs());
  if (!schemas) return fail(schemas.status().message());
  auto journal = journal::SqliteJournal::open(config.journalFile(), {});
  if (!journal) return fail(journal.status().message());
  auto hasher = log::BsnHasher::fromKeyFile(config.log.hmac_key_file);
  if (!hasher) return fail(hasher.status().message());

  zmq::context_t context;
  auto projector = startProjector((*journal)->queue(), config.log.file, config.log, config.log.feed, context);
  if (!projector) return fail(projector.status().message());
  auto sinks = makeSinks(config);
  if (!sinks) return fail(sinks.status().message());

  auto first_start_nummer = journalFirstStartNummer(config, **journal);
  if (!first_start_nummer) return fail(first_start_nummer.status().message());
  config.eigen_bijdrage.params.first_start_nummer = *first_start_nummer;
  auto handler_chain = makeHandlerChain(config, *schemas);
  if (!handler_chain) return fail(handler_chain.status().message());
  handlers::HandlerChainHolder chain(std::move(*handler_chain));
  auto options = pipelineOptions(config);
  if (!options) return fail(options.status().message());
  SystemClock clock;
  pipeline::Metrics metrics;
  pipeline::Pipeline pipeline(*options, **journal, chain, *schemas, *hasher, (*sinks)->byPeer(), context, clock,
                              metrics);
  log::LogProjector* projector_ptr = projector->get();
  pipeline.onLogLines([projector_ptr] { projector_ptr->wake(); });
  if (Status started = pipeline.start(); !started.isOk()) return fail(started.message());

  auto sources = makeSources(config, context);
  if (!sources) {
    pipeline.stop();
    return fail(sources.status().message());
  }
  const auto stopSources = [&sources] {
    for (auto& source : *sources) source->stop();
  };
  for (auto& source : *sources) {
    const Status started = source->start([&pipeline](transport::Received message, transport::Ack ack) {
      pipeline.receive(std::move(message), std::move(ack));
    });
    if (!started.isOk()) {
      stopSources();
      pipeline.stop();
      return fail(started.message());
    }
  }
  OpsEndpoint ops;
  if (!config.http_listen.empty()) {
    if (Status listening = ops.start(config, pipeline, *projector_ptr, **journal, metrics, clock); !listening.isOk()) {
      stopSources();
      pipeline.stop();
      return fail(listening.message());
    }
  }

  printRunning(config, **sinks);
  sd_notify(0, "READY=1\nSTATUS=running");
  // Start numbers stay reserved ahead of the journal (journalFirstStartNummer).
  const auto reserve = [&config, &journal, first = *first_start_nummer] {
    if (Status reserved = reserveStartNummers(config, **journal, first); !reserved.isOk()) {
      std::cerr << "iwmo-gateway: cannot reserve start numbers ahead: " << reserved.message()
                << "; a journal that replaces this one could reuse numbers beyond the last reservation\n";
    }
  };
  serveUntilStopped(signals, config, config_file, *schemas, chain, pipeline, reserve);

  std::cerr << "iwmo-gateway: stopping: no new messages; finishing what is journaled\n";
  sd_notify(0, "STOPPING=1\nSTATUS=draining");
  stopSources();
  const bool idle = pipeline.waitIdle(std::chrono::seconds(30));
  pipeline.stop();
  (void)(*projector)->flush();
  ops.stop();
  const auto totals = pipeline.totals();
  std::cerr << "iwmo-gateway: stopped; " << totals.journaled << " journaled, " << totals.committed
            << " handled, " << totals.delivered << " delivered this run"
            << (idle ? "" : "; unfinished work stays in the journal and is done at the next start")
            << "\n";
  return 0;
}

}  // namespace iwmo::cli
