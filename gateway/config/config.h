// Config: the gateway's configuration (DESIGN §5.3), read from TOML with toml++.
// The embedded default (config/default.toml, compiled in) runs everything with no edits.
// Every error names the file, the key, the line and the fix (non-negotiable 4).
// Relative paths (and ipc:// endpoints with a relative path) resolve against the directory of
// the config file; for the embedded default, against the gateway's data directory.
// Thread-safety: a loaded Config is an immutable value; the daemon shares it as
// std::shared_ptr<const Config> and swaps it on SIGHUP.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/rules/eigen_bijdrage.h"
#include "gateway/rules/responsibility.h"

namespace iwmo::config {

// A transport peer of the gateway: where its messages are picked up and where messages for it
// are delivered (write-then-rename), plus an optional ZeroMQ endpoint it may submit through.
struct Peer {
  std::string name;                    // "backoffice", "ggk" or "cak"
  std::filesystem::path receive_dir;   // the gateway picks up files the peer puts here
  std::filesystem::path deliver_dir;   // the gateway puts files for the peer here
  std::string submit_endpoint;         // ZeroMQ ROUTER endpoint for submissions; empty = none
};

struct BusConfig {
  unsigned workers = 2;                // in-process handler worker threads
  std::vector<std::string> listen;     // extra endpoints for `iwmo-gateway worker` processes
  std::filesystem::path curve_secret_key_file;  // Z85 server secret key (required for remote tcp)
  std::filesystem::path curve_public_key_file;  // Z85 server public key (.pub, for the workers)
  std::filesystem::path curve_authorized_keys_file;  // Z85 worker public keys, one per line
  std::uint32_t heartbeat_ms = 1000;   // worker silence of 3 heartbeats = dead, work redelivered
  std::uint32_t max_in_flight = 512;  // work items held by the dispatcher at once
};

struct LogConfig {
  std::filesystem::path file;          // routing log (JSON lines)
  std::uint64_t max_bytes = 64ull * 1024 * 1024;
  unsigned keep = 8;
  std::string feed;                    // ZeroMQ PUB endpoint of the live feed; empty = none
  std::filesystem::path hmac_key_file;  // BSN pseudonym key, created on first run (0600)
};

struct DeliveryConfig {
  std::uint32_t retry_initial_ms = 1000;
  std::uint32_t retry_max_ms = 300000;
  std::uint32_t unhealthy_after_s = 300;  // /healthz: the oldest undelivered item may wait this long
};

using BwProduct = rules::BwProduct;

// [responsibility]: the BW responsibility rules (issue 5) and what counts as BW.
struct ResponsibilityConfig {
  rules::ResponsibilityParams params;   // regions come from `iwmo-gateway import regions`
  std::vector<BwProduct> bw_products = {{"15", ""}};  // default: productcategorie 15 Beschermd wonen
  std::filesystem::path gemeenten_file;  // empty: the data directory's config/gemeenten.csv
};

// [eigen_bijdrage]: forwarding to the CAK (issue 4). params.bw_products and own_gemeente are
// filled from [responsibility] and [gateway], so what is BW and who we are agree everywhere.
// A `policies` list in the config replaces defaultEbPolicies() as a whole.
std::vector<rules::EbPolicy> defaultEbPolicies();  // 11, 16, 17, 18 exempt (as config/default.toml)

struct EigenBijdrageConfig {
  bool enabled = true;
  rules::EbParams params = [] {
    rules::EbParams p;
    p.policies = defaultEbPolicies();
    return p;
  }();
  std::uint32_t retour_timeout_hours = 72;  // a WMO406/408 not received by then is flagged overdue
  // Where a new journal starts its start numbers (params.first_start_nummer comes from the
  // journal, which keeps this value from the day it was made; issue 14). Required for a new
  // journal while enabled: only the operator knows the numbers an earlier journal sent.
  std::optional<std::uint64_t> first_start_nummer;
  // How often the daemon's eigen-bijdrage tick looks for clients whose periods waited for a date
  // that has come (issue 14; a replay ticks at each new day of its batch instead).
  std::uint32_t tick_interval_s = 3600;
};

// TLS material of one HTTPS end (PEM files) and the optional pin of the other end's subject.
struct TlsFiles {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  std::filesystem::path ca_bundle;     // only these CAs are trusted (never the system store)
  std::string expected_subject;        // "" = no pin; else RFC 2253 as OpenSSL prints it
};

// [ggk.https_out]: POST every envelope for the GGk side to a Digikoppeling adapter (mutual TLS).
struct GgkHttpsOut {
  bool enabled = false;                // the table is present
  std::string url;                     // https:// only
  TlsFiles tls;
  std::uint32_t connect_timeout_ms = 10000;
  std::uint32_t io_timeout_ms = 30000;
};

// [ggk.https_in]: accept envelopes from the adapter on a mutual-TLS listener.
struct GgkHttpsIn {
  bool enabled = false;
  std::string listen;                  // HOST:PORT
  std::string path = "/ggk/inbound";
  TlsFiles tls;
  unsigned workers = 4;
  std::uint32_t io_timeout_ms = 30000;
  std::uint32_t ack_timeout_ms = 30000;  // journal acknowledgement; later: 503, the adapter retries
};

// [ggk]: the StUF-GGk envelopes (issue 6; DESIGN §2.3).
struct GgkConfig {
  bool envelopes = true;               // wrap what goes to the GGk; answer inbound envelopes
  // zender/organisatie of every envelope when set; "" (default): the municipality each message
  // is from (a heen message's header, the envelope an answer answers).
  std::string organisatie;
  std::string applicatie = "iwmo-gateway";  // zender/applicatie, 3..50 characters, no version
  std::string applicatie_versie = "0001";
  std::string applicatie_subversie = "0000";
  // functieVersie / functieSubversie of the iWmo 3.2 messages: not published for 3.2
  // (ggk-transport.md §7.2); our reading, to be confirmed with the GGk.
  std::string functie_versie = "0003";
  std::string functie_subversie = "0002";
  // The same for the iEb 4.0 messages to and from the CAK (WMO405-408): our reading of iEb 4.0
  // (BerichtVersie 4, Subversie 0), to be confirmed with the GGk / CAK.
  std::string ieb_functie_versie = "0004";
  std::string ieb_functie_subversie = "0000";
  GgkHttpsOut https_out;
  GgkHttpsIn https_in;
};

struct Config {
  std::string origin;  // the file it came from, or "embedded default"
  std::filesystem::path base_dir;  // what its relative paths were resolved against
  std::vector<std::string> own_gemeente;
  std::filesystem::path state_dir;       // journal and key live here
  std::filesystem::path iwmo_schema_dir;
  std::filesystem::path ieb_schema_dir;  // loaded into the same schema set as iwmo_schema_dir
  std::filesystem::path ggk_schema_dir;  // StUF-GGk envelopes: a set of its own
  std::size_t max_message_bytes = 25u * 1024u * 1024u;
  std::size_t max_findings_per_message = 50;
  std::size_t max_element_depth = 64;    // elements nested deeper: refused at once (issue 16)
  // A submit frame up to this size is received and answered (refused when over
  // max_message_bytes); a larger one is cut off by ZeroMQ without an answer.
  std::size_t max_submit_frame_bytes = std::size_t{1} << 30;
  Peer backoffice;
  Peer ggk;
  Peer cak;                              // the CAK (iEb); until the GGk envelopes: own directories
  std::filesystem::path rejected_dir;    // invalid and duplicate messages with their reports
  BusConfig bus;
  LogConfig log;
  DeliveryConfig delivery;
  std::string http_listen = "127.0.0.1:8480";  // empty = no HTTP endpoint
  ResponsibilityConfig responsibility;
  EigenBijdrageConfig eigen_bijdrage;
  GgkConfig ggk_envelope;

  // The schema directories the validating parser loads (iWmo, then iEb).
  std::vector<std::filesystem::path> schemaDirs() const { return {iwmo_schema_dir, ieb_schema_dir}; }

  std::filesystem::path journalFile() const { return state_dir / "journal.sqlite"; }
};

// The embedded default, with relative paths resolved against `data_dir`.
Result<Config> loadDefaultConfig(const std::filesystem::path& data_dir);
// A config file; relative paths resolve against the file's directory, except for a file in
// `data_dir`/config (the project's own config/default.toml, or a copy kept beside it): that one
// is read as the embedded default is, against `data_dir`, so that `config check
// config/default.toml` means what running without --config means.
// Errors: kNotFound (no such file), kInvalid (syntax, unknown key, wrong type or value), each
// message "FILE:LINE: key: problem; fix".
Result<Config> loadConfigFile(const std::filesystem::path& file, const std::filesystem::path& data_dir = {});
// Parses TOML text; `origin` names it in errors, `base_dir` resolves relative paths.
Result<Config> parseConfig(std::string_view toml_text, const std::string& origin,
                           const std::filesystem::path& base_dir);

// Checks that this process can write every directory the daemon writes into (state_dir, the
// receive directories it removes files from, the deliver directories, rejected.dir, the routing
// log's and the HMAC key's directories), or create it where it does not exist yet. `config check`
// and `run` call it before anything else touches the disk (issue 16: a read-only state_dir was
// reported as "another run holds the lock").
// Errors: kFailedPrecondition naming each key, its path, the user and the cause, with the fix.
Status checkDirectoriesWritable(const Config& config);

// The text of config/default.toml as compiled in.
std::string_view embeddedDefaultConfig();

}  // namespace iwmo::config
