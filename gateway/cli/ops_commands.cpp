#include "gateway/cli/ops_commands.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <httplib.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "adapters/transport/https_client.h"
#include "gateway/bus/bus.h"
#include "gateway/cli/wiring.h"
#include "gateway/journal/sqlite_journal.h"
#include "gateway/log/story_format.h"

namespace iwmo::cli {
namespace {

namespace fs = std::filesystem;
constexpr int kExitNegative = 1;
constexpr int kExitUsage = 2;

}  // namespace

int runExplain(const config::Config& config, const fs::path& journal_file, const std::string& id,
               bool json) {
  auto journal = openOperatorJournal(config, journal_file);
  if (!journal) {
    std::cerr << "iwmo-gateway explain: " << journal.status().message() << "\n";
    return kExitUsage;
  }
  auto found = (*journal)->queue().findMessage(id);
  if (!found) {
    std::cerr << "iwmo-gateway explain: " << found.status().message() << "\n";
    return kExitUsage;
  }
  if (!*found) {
    std::cerr << "iwmo-gateway explain: no message matches \"" << id
              << "\" (give a journal id, an Identificatie, or 8+ hex digits of the SHA-256)\n";
    return kExitNegative;
  }
  auto story = (*journal)->queue().story(**found);
  if (!story) {
    std::cerr << "iwmo-gateway explain: " << story.status().message() << "\n";
    return kExitUsage;
  }
  const proto::MessageSummary& summary = story->message.envelope.summary();
  // Findings are stored with pseudonyms since issue 16; an older journal's are hidden here.
  std::vector<std::string> bsns = {summary.client().bsn()};
  for (const auto& prestatie : summary.declaratie().prestaties()) bsns.push_back(prestatie.bsn());
  for (const auto& record : summary.eb_records()) bsns.push_back(record.bsn());
  const BsnPseudonymiser pseudonymise = operatorPseudonymiser(config);
  const auto clean = [&](const std::string& text) { return hideBsns(text, bsns, pseudonymise); };
  if (json) {
    std::cout << log::storyJson(*story, clean) << "\n";
  } else {
    std::cout << log::storyText(*story, clean);
  }
  return 0;
}

int runQuarantine(const config::Config& config, const QuarantineOptions& options) {
  auto journal = openOperatorJournal(config, options.journal);
  if (!journal) {
    std::cerr << "iwmo-gateway quarantine: " << journal.status().message() << "\n";
    return kExitUsage;
  }
  if (options.action == "done") {
    auto closed = (*journal)->queue().closeQuarantine(options.message_id, options.note, SystemClock().now());
    if (!closed) {
      std::cerr << "iwmo-gateway quarantine: " << closed.status().message() << "\n";
      return kExitUsage;
    }
    if (!*closed) {
      std::cerr << "iwmo-gateway quarantine: message #" << options.message_id
                << " has no open quarantine item (see `iwmo-gateway quarantine list --all`)\n";
      return kExitNegative;
    }
    std::cout << "quarantine item of message #" << options.message_id << " closed\n";
    return 0;
  }
  if (options.action == "payload") {
    auto story = (*journal)->queue().story(options.message_id);
    if (!story) {
      std::cerr << "iwmo-gateway quarantine: " << story.status().message() << "\n";
      return story.status().code() == StatusCode::kNotFound ? kExitNegative : kExitUsage;
    }
    const std::string& payload = story->message.envelope.payload();
    if (options.out.empty()) {
      std::cout.write(payload.data(), static_cast<std::streamsize>(payload.size()));
      return std::cout ? 0 : kExitUsage;
    }
    std::ofstream file(options.out, std::ios::binary | std::ios::trunc);
    file.write(payload.data(), static_cast<std::streamsize>(payload.size()));
    file.close();
    if (!file) {
      std::cerr << "iwmo-gateway quarantine: cannot write " << options.out.string() << "\n";
      return kExitUsage;
    }
    std::cerr << "wrote the " << payload.size() << " bytes of message #" << options.message_id << " to "
              << options.out.string()
              << "; to send it again, drop it (under a new name) into the receive directory it came from\n";
    return 0;
  }
  auto items = (*journal)->queue().quarantined(options.all);
  if (!items) {
    std::cerr << "iwmo-gateway quarantine: " << items.status().message() << "\n";
    return kExitUsage;
  }
  for (const journal::QuarantineItem& item : *items) {
    if (options.json) {
      nlohmann::ordered_json line = {{"message_id", item.message_id}, {"at", item.at.toIso8601()},
                                     {"from", item.peer},             {"source", item.source},
                                     {"size", item.size},             {"reason", item.reason},
                                     {"state", item.open ? "open" : "closed"}};
      if (item.resolved_at) line["resolved_at"] = item.resolved_at->toIso8601();
      if (!item.note.empty()) line["note"] = item.note;
      std::cout << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
      continue;
    }
    std::printf("#%llu  %s  from %s  %s (%llu bytes)%s\n    %s\n", static_cast<unsigned long long>(item.message_id),
                item.at.toIso8601().c_str(), item.peer.c_str(), item.source.c_str(),
                static_cast<unsigned long long>(item.size), item.open ? "" : "  [closed]", item.reason.c_str());
    if (!item.note.empty()) std::printf("    note: %s\n", item.note.c_str());
  }
  if (!options.json) {
    if (items->empty()) {
      std::printf("no %squarantined messages\n", options.all ? "" : "open ");
    } else {
      std::printf("\nWrite a message out with `iwmo-gateway quarantine payload ID --out FILE`, drop it into its "
                  "receive directory again under a new name, then `iwmo-gateway quarantine done ID --note \"...\"`.\n");
    }
  }
  return 0;
}

int runStatus(const config::Config& config, const fs::path& journal_file, bool json) {
  auto journal = openOperatorJournal(config, journal_file);
  if (!journal) {
    std::cerr << "iwmo-gateway status: " << journal.status().message() << "\n";
    return kExitUsage;
  }
  auto counts = (*journal)->queue().counts();
  if (!counts) {
    std::cerr << "iwmo-gateway status: " << counts.status().message() << "\n";
    return kExitUsage;
  }
  std::string health = "not running (no answer on http.listen)";
  bool healthy = false;
  if (!config.http_listen.empty()) {
    const auto colon = config.http_listen.rfind(':');
    httplib::Client client(config.http_listen.substr(0, colon), std::stoi(config.http_listen.substr(colon + 1)));
    client.set_connection_timeout(1, 0);
    if (auto response = client.Get("/healthz")) {
      healthy = response->status == 200;
      health = response->body;
      while (!health.empty() && health.back() == '\n') health.pop_back();
    }
  }
  if (json) {
    nlohmann::ordered_json out = {{"messages", counts->messages}, {"pending", counts->pending},
                                  {"handled", counts->handled}, {"duplicates", counts->duplicates},
                                  {"outbox_pending", counts->outbox_pending},
                                  {"outbox_delivered", counts->outbox_delivered},
                                  {"outbox_failed", counts->outbox_failed},
                                  {"log_lines", counts->last_log_seq},
                                  {"quarantined_open", counts->quarantined_open}, {"daemon", health}};
    std::cout << out.dump() << "\n";
  } else {
    std::printf("journal %s\n", (journal_file.empty() ? config.journalFile() : journal_file).string().c_str());
    std::printf("  messages   %llu (%llu handled, %llu pending, %llu duplicates)\n",
                static_cast<unsigned long long>(counts->messages), static_cast<unsigned long long>(counts->handled),
                static_cast<unsigned long long>(counts->pending), static_cast<unsigned long long>(counts->duplicates));
    std::printf("  outbox     %llu delivered, %llu pending, %llu failed\n",
                static_cast<unsigned long long>(counts->outbox_delivered),
                static_cast<unsigned long long>(counts->outbox_pending),
                static_cast<unsigned long long>(counts->outbox_failed));
    std::printf("  log        %llu lines\n", static_cast<unsigned long long>(counts->last_log_seq));
    if (counts->quarantined_open > 0) {
      std::printf("  quarantine %llu open: records that could not be read back; see `iwmo-gateway quarantine`\n",
                  static_cast<unsigned long long>(counts->quarantined_open));
    }
    std::printf("  daemon     %s\n", health.c_str());
  }
  return healthy || health.rfind("not running", 0) == 0 ? 0 : kExitNegative;
}

int runConfigCheck(const fs::path& file) {
  auto config = config::loadConfigFile(file, dataDir());
  if (!config) {
    std::cerr << config.status().message() << "\n";
    return config.status().code() == StatusCode::kNotFound ? kExitUsage : kExitNegative;
  }
  if (Status writable = config::checkDirectoriesWritable(*config); !writable.isOk()) {
    std::fprintf(stderr, "%s\n", writable.message().c_str());
    return kExitNegative;
  }
  // The schema folders; the installed ones (deploy/gateway.toml.example) exist once installed.
  // How a relative path was resolved (config::loadConfigFile), to say with the error.
  const std::string relative_rule = config->base_dir == fs::absolute(file).parent_path()
                                         ? " (a relative path resolves against the configuration file's folder)"
                                         : " (a relative path in this file resolves against " +
                                               config->base_dir.string() + ")";
  const auto schemaDirMissing = [&](const char* key, const fs::path& dir, const char* what) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return false;
    const bool installed = dir.string().starts_with("/usr/share/iwmo-gateway/");
    std::fprintf(stderr, "%s: %s: directory %s does not exist; %s\n", file.string().c_str(), key, dir.string().c_str(),
                 (installed ? std::string("sudo deploy/install.sh installs the project's schemas there, or point ") +
                                  key + " at " + what
                            : std::string("point it at ") + what + relative_rule)
                     .c_str());
    return true;
  };
  if (schemaDirMissing("schemas.iwmo", config->iwmo_schema_dir, "the iWmo 3.2 XSDs (schemas/iwmo-3.2)")) {
    return kExitNegative;
  }
  if (config->eigen_bijdrage.enabled && schemaDirMissing("schemas.ieb", config->ieb_schema_dir, "the iEb XSDs (schemas/ieb)")) {
    return kExitNegative;
  }
  // Loaded even with envelopes = false.
  if (schemaDirMissing("schemas.ggk", config->ggk_schema_dir, "the StUF-GGk XSDs (schemas/stuf-ggk)")) {
    return kExitNegative;
  }
  // The TLS material is loaded as the daemon would (certificate, key matching it, CA bundle).
  const auto checkTls = [&](const char* table_name, const config::TlsFiles& tls, const std::string& url) {
    transport::HttpsClientConfig client;
    client.url = url;
    client.certificate_file = tls.certificate.string();
    client.private_key_file = tls.private_key.string();
    client.ca_file = tls.ca_bundle.string();
    auto loaded = transport::HttpsClient::create(client);
    if (loaded) return true;
    std::fprintf(stderr, "%s: [%s]: %s\n", file.string().c_str(), table_name, loaded.status().message().c_str());
    return false;
  };
  const auto& ggk = config->ggk_envelope;
  if (ggk.https_out.enabled && !checkTls("ggk.https_out", ggk.https_out.tls, ggk.https_out.url)) return kExitNegative;
  if (ggk.https_in.enabled && !checkTls("ggk.https_in", ggk.https_in.tls, "https://127.0.0.1:1/")) return kExitNegative;
  auto table = loadGemeenteTable(*config);
  if (!table) {
    std::fprintf(stderr, "%s: responsibility.gemeenten_file: %s\n", file.string().c_str(), table.status().message().c_str());
    return kExitNegative;
  }
  for (const auto& [address, code] : config->responsibility.params.split_addresses) {
    if (!table->find(code)) {
      std::fprintf(stderr, "%s: responsibility.split_addresses.%s: %s is not a municipality code that ever existed\n",
                   file.string().c_str(), address.c_str(), code.c_str());
      return kExitNegative;
    }
  }
  std::printf("%s: OK\n", file.string().c_str());
  std::printf("  own_gemeente  ");
  for (const auto& code : config->own_gemeente) std::printf("%s ", code.c_str());
  std::printf("\n  state_dir     %s\n  schemas.iwmo  %s\n", config->state_dir.string().c_str(),
              config->iwmo_schema_dir.string().c_str());
  std::printf("  backoffice    picks up %s, delivers to %s\n", config->backoffice.receive_dir.string().c_str(),
              config->backoffice.deliver_dir.string().c_str());
  std::printf("  ggk           picks up %s%s, delivers to %s\n", config->ggk.receive_dir.string().c_str(),
              ggk.https_in.enabled ? (" and https://" + ggk.https_in.listen + ggk.https_in.path + " (mutual TLS)").c_str() : "",
              ggk.https_out.enabled ? ("POST " + ggk.https_out.url + " (mutual TLS)").c_str()
                                    : config->ggk.deliver_dir.string().c_str());
  if (ggk.envelopes) {
    std::printf("  StUF-GGk      envelopes as %s (%s %s/%s), functieVersie %s/%s (iEb %s/%s); schemas.ggk %s\n",
                ggk.organisatie.empty() ? "each message's own_gemeente" : ggk.organisatie.c_str(), ggk.applicatie.c_str(), ggk.applicatie_versie.c_str(),
                ggk.applicatie_subversie.c_str(), ggk.functie_versie.c_str(), ggk.functie_subversie.c_str(),
                ggk.ieb_functie_versie.c_str(), ggk.ieb_functie_subversie.c_str(), config->ggk_schema_dir.string().c_str());
  } else {
    std::printf("  StUF-GGk      off: bare messages to and from the GGk side, no technical answers\n");
  }
  std::printf("  cak           picks up %s, delivers to %s\n", config->cak.receive_dir.string().c_str(),
              ggk.https_out.enabled && ggk.envelopes ? ("POST " + ggk.https_out.url + " (mutual TLS)").c_str()
                                                     : config->cak.deliver_dir.string().c_str());
  std::printf("  rejected      %s\n  routing log   %s\n", config->rejected_dir.string().c_str(),
              config->log.file.string().c_str());
  const auto& responsibility = config->responsibility;
  std::string products;
  for (const auto& p : responsibility.bw_products) products += " " + p.categorie + (p.code.empty() ? "" : "/" + p.code);
  std::printf("  BW rules      regime B %s; BW products:%s\n",
              responsibility.params.regime_b_effective
                  ? ("from " + responsibility.params.regime_b_effective->toString()).c_str()
                  : "not in force (regime A, the aanmeldgemeente)",
              products.empty() ? " none" : products.c_str());
  const auto& eb = config->eigen_bijdrage;
  if (!eb.enabled) {
    std::printf("  eigen bijdrage off (nothing is sent to the CAK)\n");
  } else {
    std::string policies;
    for (const auto& p : eb.params.policies) {
      policies += " " + p.categorie + (p.code.empty() ? "" : "/" + p.code) + ":" +
                  (p.exempt ? "exempt" : p.start_at == rules::EbStartAt::kToewijzing ? "toewijzing" : "delivery") +
                  (p.kostprijs ? "(kostprijs " + std::to_string(*p.kostprijs) + ")" : "");
    }
    std::printf("  eigen bijdrage start at %s by default; policies:%s; schemas.ieb %s\n",
                eb.params.default_start_at == rules::EbStartAt::kToewijzing ? "toewijzing" : "delivery",
                policies.empty() ? " none" : policies.c_str(), config->ieb_schema_dir.string().c_str());
  }
  return 0;
}

int runKeygen(const fs::path& name) {
  auto pair = bus::generateCurveKeyPair();
  if (!pair) {
    std::cerr << "iwmo-gateway keygen: " << pair.status().message() << "\n";
    return kExitUsage;
  }
  const std::string secret_file = name.string() + ".key";
  const std::string public_file = name.string() + ".pub";
  const int fd = ::open(secret_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::cerr << "iwmo-gateway keygen: cannot create " << secret_file
              << " (does it exist already? keys are never overwritten)\n";
    return kExitUsage;
  }
  const std::string secret = pair->first + "\n" + pair->second + "\n";
  const bool written = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  ::fsync(fd);
  ::close(fd);
  std::FILE* pub = std::fopen(public_file.c_str(), "wx");
  if (!written || pub == nullptr) {
    std::cerr << "iwmo-gateway keygen: cannot write " << (written ? public_file : secret_file) << "\n";
    if (pub != nullptr) std::fclose(pub);
    return kExitUsage;
  }
  std::fprintf(pub, "%s\n", pair->first.c_str());
  std::fclose(pub);
  std::printf("wrote %s (secret, mode 0600) and %s (public)\n", secret_file.c_str(), public_file.c_str());
  return 0;
}

int runWorker(const config::Config& config, const std::string& endpoint, const std::string& name,
              const fs::path& server_public_key, const fs::path& key_file) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  bus::WorkerOptions options;
  options.endpoint = endpoint;
  options.name = name.empty() ? "worker-" + std::to_string(::getpid()) : name;
  options.heartbeat_ms = config.bus.heartbeat_ms;
  if (!server_public_key.empty() || !key_file.empty()) {
    auto server = readKeyFile(server_public_key, false);
    auto own = readKeyFile(key_file, true);
    if (!server || !own) {
      std::cerr << "iwmo-gateway worker: " << (!server ? server.status() : own.status()).message() << "\n";
      return kExitUsage;
    }
    options.keys.server_public = server->first;
    options.keys.client_public = own->first;
    options.keys.client_secret = own->second;
  }
  const bool remote_tcp = endpoint.rfind("tcp://", 0) == 0 && endpoint.rfind("tcp://127.", 0) != 0 &&
                          endpoint.rfind("tcp://localhost:", 0) != 0 && endpoint.rfind("tcp://[::1]:", 0) != 0;
  if (remote_tcp && !options.keys.enabled()) {
    std::cerr << "iwmo-gateway worker: " << endpoint
              << " is a remote tcp endpoint, which the daemon serves with CURVE only: give "
                 "--server-key (the daemon's .pub) and --key (this worker's .key from "
                 "`iwmo-gateway keygen`, whose .pub is in the daemon's bus.curve_authorized_keys_file)\n";
    return kExitUsage;
  }
  auto handler_chain = makeHandlerChain(config);
  if (!handler_chain) {
    std::cerr << "iwmo-gateway worker: " << handler_chain.status().message() << "\n";
    return kExitUsage;
  }
  handlers::HandlerChainHolder chain(std::move(*handler_chain));
  zmq::context_t context;
  std::atomic<bool> stop{false};
  std::thread signal_thread([&] {
    while (!stop) {
      timespec wait{0, 200 * 1000 * 1000};
      siginfo_t info{};
      const int s = sigtimedwait(&signals, &info, &wait);
      if (s == SIGTERM || s == SIGINT) stop = true;
    }
  });
  std::cerr << "iwmo-gateway worker " << options.name << ": connecting to " << endpoint << "\n";
  const Status status = bus::runWorker(
      context, options, [&chain](const proto::WorkItem& item) { return chain.run(item); }, [&] { return stop.load(); });
  stop = true;
  signal_thread.join();
  if (!status.isOk()) {
    std::cerr << "iwmo-gateway worker: " << status.message() << "\n";
    return kExitUsage;
  }
  return 0;
}

}  // namespace iwmo::cli
