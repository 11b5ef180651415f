// iwmo-gateway: the one binary (DESIGN §5.2). main() parses the command line and hands over to
// the command; each command lives in its own file. Exit codes: 0 success, 1 the command's
// negative outcome (e.g. invalid messages, unknown id, invalid config), 2 usage, configuration or
// I/O errors.
#include <CLI/CLI.hpp>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "adapters/xml/xerces_platform.h"
#include "gateway/cli/ggk_command.h"
#include "gateway/cli/ieb_command.h"
#include "gateway/cli/import_command.h"
#include "gateway/cli/simulate_cak_command.h"
#include "gateway/cli/ops_commands.h"
#include "gateway/cli/replay_command.h"
#include "gateway/cli/responsible_command.h"
#include "gateway/cli/run_command.h"
#include "gateway/cli/tail_command.h"
#include "gateway/cli/validate_command.h"
#include "gateway/cli/wiring.h"
#include "gateway/config/config.h"

#ifndef IWMO_VERSION
#define IWMO_VERSION "dev"
#endif

namespace {

constexpr int kExitUsage = 2;

using iwmo::cli::dataDir;

iwmo::Result<iwmo::config::Config> loadConfig(const std::string& config_file) {
  if (config_file.empty()) return iwmo::config::loadDefaultConfig(dataDir());
  return iwmo::config::loadConfigFile(config_file, dataDir());
}

// Every command's options, and the command it runs once they are parsed.
struct Commands {
  std::string config_file;
  iwmo::cli::ValidateOptions validate;
  std::string schema_dir;
  CLI::App* validate_cmd = nullptr;
  CLI::App* run_cmd = nullptr;
  iwmo::cli::ReplayOptions replay;
  CLI::App* replay_cmd = nullptr;
  iwmo::cli::TailOptions tail;
  CLI::App* tail_cmd = nullptr;
  std::string tail_log;
  std::string explain_id;
  std::string journal_file;
  bool explain_json = false;
  CLI::App* explain_cmd = nullptr;
  iwmo::cli::ResponsibleOptions responsible;
  CLI::App* responsible_cmd = nullptr;
  iwmo::cli::ImportOptions import_options;
  CLI::App* import_cmd = nullptr;
  iwmo::cli::ReviewOptions review;
  CLI::App* review_cmd = nullptr;
  CLI::App* review_list = nullptr;
  CLI::App* review_done = nullptr;
  bool status_json = false;
  CLI::App* status_cmd = nullptr;
  iwmo::cli::QuarantineOptions quarantine;
  CLI::App* quarantine_cmd = nullptr;
  CLI::App* quarantine_list = nullptr;
  CLI::App* quarantine_payload = nullptr;
  CLI::App* quarantine_done = nullptr;
  iwmo::cli::GgkOptions ggk;
  CLI::App* ggk_cmd = nullptr;
  CLI::App* ggk_errors = nullptr;
  CLI::App* ggk_done = nullptr;
  CLI::App* ggk_wrap = nullptr;
  CLI::App* ggk_unwrap = nullptr;
  iwmo::cli::IebOptions ieb;
  CLI::App* ieb_cmd = nullptr;
  CLI::App* ieb_pending = nullptr;
  CLI::App* ieb_rejected = nullptr;
  CLI::App* ieb_done = nullptr;
  CLI::App* ieb_numbers = nullptr;
  iwmo::cli::SimulateCakOptions simulate;
  CLI::App* simulate_cmd = nullptr;
  CLI::App* config_cmd = nullptr;
  std::string check_file;
  CLI::App* check_cmd = nullptr;
  std::string key_name;
  CLI::App* keygen_cmd = nullptr;
  std::string worker_endpoint;
  std::string worker_name;
  std::string server_key;
  std::string worker_key;
  CLI::App* worker_cmd = nullptr;

  // Validate, run, replay, tail, explain, responsible, import
  void addMessageCommands(CLI::App& app) {
    // validate
    validate_cmd = app.add_subcommand(
        "validate",
        "Validate iWmo 3.2 messages (XML, schema, single-message rules) and print one verdict per "
        "file. Exit 0 if all valid, 1 if any invalid, 2 on usage or I/O errors.");
    validate_cmd->add_option("files", validate.inputs, "Message files, directories (*.xml), or - for stdin")
        ->required();
    validate_cmd->add_flag("--json", validate.json,
                           "One JSON object per file per line: file, message_type, valid, level, errors");
    validate_cmd->add_flag("-q,--quiet", validate.quiet, "Human output: only invalid files and totals");
    validate_cmd->add_option("--schemas", schema_dir,
                             "iWmo schema directory (overrides schemas.iwmo of the config)")
        ->check(CLI::ExistingDirectory);

    // run
    run_cmd = app.add_subcommand(
        "run", "Run the daemon: pick up, validate, journal, route and deliver messages until SIGTERM.");

    // replay
    replay_cmd = app.add_subcommand(
        "replay",
        "Replay a batch (directory or tar) through the daemon's pipeline into an output directory, "
        "deterministically, and print a summary.");
    replay_cmd->add_option("batch", replay.batch, "Directory or tar archive of messages")->required();
    replay_cmd->add_option("--out", replay.out, "Output directory (default: <state_dir>/replay)");
    replay_cmd->add_option("--rate", replay.rate, "Messages per second (default: as fast as possible)")
        ->check(CLI::PositiveNumber);
    replay_cmd->add_flag("--force", replay.force, "Empty --out first if it is not empty");
    replay_cmd->add_flag("--json", replay.json, "Print the summary as one JSON object");
    replay_cmd->add_option("--clock-start", replay.clock_start,
                           "Logical time of the first message (default 2026-01-01T00:00:00Z)");
    replay_cmd->add_option("--clock", replay.clock,
                           "batch: --clock-start + n ms; dagtekening: each message on its own Dagtekening")
        ->check(CLI::IsMember({"batch", "dagtekening"}));

    // tail
    tail_cmd = app.add_subcommand("tail", "Print (and with -f follow) the routing log.");
    tail_cmd->add_flag("-f,--follow", tail.follow, "Keep printing new lines from the live feed");
    tail_cmd->add_option("--type", tail.filter.message_type, "Only this message type, e.g. WMO305");
    tail_cmd->add_option("--gemeente", tail.filter.gemeente, "Only lines about this CBS code, e.g. 0363");
    tail_cmd->add_option("--verdict", tail.filter.verdict, "Only accepted or rejected")
        ->check(CLI::IsMember({"accepted", "rejected"}));
    tail_cmd->add_flag("--json", tail.json, "Raw JSON lines");
    tail_cmd->add_option("-n,--lines", tail.lines, "How many earlier lines to print first (0 = all)");
    tail_cmd->add_option("--log", tail_log, "Routing log file (default: log.file of the config)");

    // explain
    explain_cmd = app.add_subcommand(
        "explain", "Tell the whole story of one message: verdict, decisions, emitted files, deliveries.");
    explain_cmd->add_option("id", explain_id, "Journal id, Identificatie, or SHA-256 prefix")->required();
    explain_cmd->add_option("--journal", journal_file, "Journal file (default: the config's; a replay's is DIR/journal.sqlite)");
    explain_cmd->add_flag("--json", explain_json, "One JSON object");

    // responsible
    responsible_cmd = app.add_subcommand(
        "responsible",
        "Decide which municipality is responsible for a client's Beschermd Wonen, for one case in the "
        "JSON format of DESIGN §4.1, with the rule and the trail. Exit 0 decided (and as expected with "
        "--check), 1 not as expected, 2 unusable case.");
    responsible_cmd->add_option("--case", responsible.case_file, "The case file (JSON)")->required()->check(CLI::ExistingFile);
    responsible_cmd->add_flag("--json", responsible.json, "Print {\"gemeente\",\"rule\",\"regime\",\"flags\",\"trail\"}");
    responsible_cmd->add_flag("--check", responsible.check, "Compare with the case's \"expect\"; exit 1 on a mismatch");

    // import
    import_cmd = app.add_subcommand(
        "import",
        "Import reference data for the responsibility rules from CSV into the journal (replacing the "
        "previous data set), or on adoption day the periods the CAK already holds (cak-periods: added "
        "to the clients' eigen-bijdrage state, with the daemon stopped). Nothing is imported when any "
        "row is bad. Exit 0 imported, 1 bad rows.");
    import_cmd->add_option("kind", import_options.kind, "brp, institutions, episodes, regions or cak-periods")
        ->required()
        ->check(CLI::IsMember({"brp", "institutions", "episodes", "regions", "cak-periods"}));
    import_cmd->add_option("file", import_options.file, "The CSV file")->required()->check(CLI::ExistingFile);
    import_cmd->add_option("--journal", import_options.journal, "Journal file (default: the config's)");
  }

  // The operator queues and counts: review, status, quarantine, ggk, ieb
  void addOperatorCommands(CLI::App& app) {
    // review
    review_cmd = app.add_subcommand(
        "review", "The responsibility-review queue: BW messages whose responsible municipality differs from the addressed one.");
    review_cmd->require_subcommand(1);
    review_list = review_cmd->add_subcommand("list", "List open reviews (--all: closed ones too).");
    review_list->add_flag("--all", review.all, "Include closed reviews");
    review_list->add_flag("--json", review.json, "One JSON object per line");
    review_list->add_option("--journal", review.journal, "Journal file (default: the config's)");
    review_done = review_cmd->add_subcommand("done", "Close the review of one message, with a note.");
    review_done->add_option("id", review.message_id, "Journal id of the message")->required();
    review_done->add_option("--note", review.note, "What was decided (kept in the journal)")->required();
    review_done->add_option("--journal", review.journal, "Journal file (default: the config's)");

    // status
    status_cmd = app.add_subcommand("status", "Journal counts and the daemon's health.");
    status_cmd->add_option("--journal", journal_file, "Journal file (default: the config's)");
    status_cmd->add_flag("--json", status_json, "One JSON object");

    // quarantine
    quarantine_cmd = app.add_subcommand(
        "quarantine", "Messages whose journal record could not be read back, taken out of the queue so the rest flows on.");
    quarantine_cmd->require_subcommand(1);
    quarantine_list = quarantine_cmd->add_subcommand("list", "List the open items (--all: closed ones too).");
    quarantine_list->add_flag("--all", quarantine.all, "Include closed items");
    quarantine_list->add_flag("--json", quarantine.json, "One JSON object per line");
    quarantine_payload = quarantine_cmd->add_subcommand(
        "payload", "Write one quarantined message exactly as received (to send it again).");
    quarantine_payload->add_option("id", quarantine.message_id, "Journal id of the message")->required();
    quarantine_payload->add_option("--out", quarantine.out, "File to write (default: standard output)");
    quarantine_done = quarantine_cmd->add_subcommand("done", "Close the item of one message, with a note.");
    quarantine_done->add_option("id", quarantine.message_id, "Journal id of the message")->required();
    quarantine_done->add_option("--note", quarantine.note, "What was done (kept in the journal)")->required();
    for (CLI::App* sub : {quarantine_list, quarantine_payload, quarantine_done}) {
      sub->add_option("--journal", quarantine.journal, "Journal file (default: the config's)");
    }

    // ggk
    ggk_cmd = app.add_subcommand(
        "ggk", "GGk side: Fo01 error messages the chain sent about what the gateway sent.");
    ggk_cmd->require_subcommand(1);
    ggk_errors = ggk_cmd->add_subcommand("errors", "List the open Fo01 errors, with what each concerns.");
    ggk_errors->add_flag("--json", ggk.json, "One JSON object per line");
    ggk_errors->add_flag("--all", ggk.all, "Include closed errors");
    ggk_errors->add_option("--journal", ggk.journal, "Journal file (default: the config's)");
    ggk_done = ggk_cmd->add_subcommand("done", "Close one Fo01 error, with a note.");
    ggk_done->add_option("id", ggk.item_id, "The error's id (first column of the listing)")->required();
    ggk_done->add_option("--note", ggk.note, "What was done (kept in the journal)")->required();
    ggk_done->add_option("--journal", ggk.journal, "Journal file (default: the config's)");
    ggk_wrap = ggk_cmd->add_subcommand(
        "wrap", "Write a message in a StUF-GGk envelope (Di01; a retour: Du01) on stdout, e.g. for a portal upload.");
    ggk_wrap->add_option("file", ggk.file, "The iWmo / iEb message")->required()->check(CLI::ExistingFile);
    ggk_wrap->add_option("--zender", ggk.zender, "zender/organisatie (default: [ggk] organisatie, else the payload's municipality)");
    ggk_wrap->add_option("--ontvanger", ggk.ontvanger, "ontvanger/organisatie (default: the payload's receiver)");
    ggk_wrap->add_option("--cross-ref", ggk.cross_refnummer, "A retour: the referentienummer of the Di01 it answers");
    ggk_wrap->add_option("--referentienummer", ggk.referentienummer, "A UUID v4 (default: a fresh one)");
    ggk_wrap->add_flag("--allow-invalid", ggk.allow_invalid, "Wrap a schema-invalid message too (to test a receiver)");
    ggk_unwrap = ggk_cmd->add_subcommand(
        "unwrap", "Check a StUF-GGk envelope and write its payload on stdout (a Fo01: its error).");
    ggk_unwrap->add_option("file", ggk.file, "The envelope file")->required()->check(CLI::ExistingFile);

    // ieb
    ieb_cmd = app.add_subcommand(
        "ieb", "Eigen bijdrage: what waits for the CAK's retour, what is held, what the CAK rejected.");
    ieb_cmd->require_subcommand(1);
    ieb_pending = ieb_cmd->add_subcommand(
        "pending", "Records awaiting a WMO406/408 (OVERDUE after retour_timeout_hours) and held / manual items.");
    ieb_rejected = ieb_cmd->add_subcommand(
        "rejected", "Records the CAK rejected (EB001 codes with their meaning) and retours that match nothing sent.");
    for (CLI::App* sub : {ieb_pending, ieb_rejected}) {
      sub->add_flag("--json", ieb.json, "One JSON object per line");
      sub->add_flag("--all", ieb.all, "Include closed items");
      sub->add_option("--journal", ieb.journal, "Journal file (default: the config's)");
    }
    ieb_done = ieb_cmd->add_subcommand("done", "Close one item, with a note.");
    ieb_done->add_option("id", ieb.item_id, "The item's id (first column of the listing)")->required();
    ieb_done->add_option("--note", ieb.note, "What was done (kept in the journal)")->required();
    ieb_done->add_option("--journal", ieb.journal, "Journal file (default: the config's)");
    ieb_numbers = ieb_cmd->add_subcommand(
        "numbers", "The journal's first start number and the highest one sent: what a new journal's "
                   "[eigen_bijdrage] first_start_nummer must exceed.");
    ieb_numbers->add_option("--journal", ieb.journal, "Journal file (default: the config's)");
  }

  // Simulate-cak, config check, keygen, worker
  void addToolCommands(CLI::App& app) {
    // simulate-cak
    simulate_cmd = app.add_subcommand(
        "simulate-cak", "Play the CAK: answer the WMO405/WMO407 in the CAK outbox with WMO406/WMO408.");
    simulate_cmd->add_option("--in", simulate.in, "Directory of WMO405/407 files (default: [peers.cak] deliver_dir)");
    simulate_cmd->add_option("--out", simulate.out, "Where the retours go (default: [peers.cak] receive_dir)");
    simulate_cmd->add_option("--state", simulate.state, "The simulator's state file (default: STATE_DIR/cak-simulator/state.sqlite)");
    simulate_cmd->add_option("--processed", simulate.processed, "Where answered input files move (default: STATE_DIR/cak-simulator/processed)");
    simulate_cmd->add_option("--today", simulate.today, "The CAK's date, YYYY-MM-DD (default: today, UTC)");
    simulate_cmd->add_flag("--follow", simulate.follow, "Keep answering new files until SIGINT / SIGTERM");
    simulate_cmd->add_option("--seed", simulate.seed,
                             "CSV of the periods the CAK holds before the first message (the format of "
                             "`import cak-periods`)")
        ->check(CLI::ExistingFile);
    simulate_cmd->add_flag("--json", simulate.json, "One JSON object per message");

    // config check
    config_cmd = app.add_subcommand("config", "Configuration tools.");
    config_cmd->require_subcommand(1);
    check_cmd = config_cmd->add_subcommand(
        "check", "Load a config file and explain every error with its key and fix. Exit 0 if valid, 1 if not.");
    check_cmd->add_option("file", check_file, "The TOML file")->required();

    // keygen
    keygen_cmd = app.add_subcommand("keygen", "Make a CURVE key pair for the bus: NAME.key and NAME.pub.");
    keygen_cmd->add_option("name", key_name, "Path without extension, e.g. /etc/iwmo-gateway/worker1")->required();

    // worker
    worker_cmd = app.add_subcommand(
        "worker", "Run handler workers in this process for a daemon's bus (bus.listen).");
    worker_cmd->add_option("--connect", worker_endpoint, "The daemon's bus endpoint, e.g. ipc:///run/iwmo/bus.sock")
        ->required();
    worker_cmd->add_option("--name", worker_name, "Worker name (default: worker-PID)");
    worker_cmd->add_option("--server-key", server_key, "The daemon's public key file (.pub), for CURVE endpoints");
    worker_cmd->add_option("--key", worker_key, "This worker's key file (.key), for CURVE endpoints");
  }

  // Runs the parsed command (config check and keygen, which need no config, run before).
  int runParsed(iwmo::config::Config& config) {
    if (validate_cmd->parsed()) return iwmo::cli::runValidate(config, validate);
    if (run_cmd->parsed()) return iwmo::cli::runDaemon(config, config_file);
    if (replay_cmd->parsed()) return iwmo::cli::runReplay(config, replay);
    if (tail_cmd->parsed()) {
      tail.log_file = tail_log.empty() ? config.log.file : std::filesystem::path(tail_log);
      tail.feed_endpoint = tail_log.empty() ? config.log.feed : "";
      return iwmo::cli::runTail(tail);
    }
    if (explain_cmd->parsed()) return iwmo::cli::runExplain(config, journal_file, explain_id, explain_json);
    if (responsible_cmd->parsed()) return iwmo::cli::runResponsible(config, responsible);
    if (import_cmd->parsed()) return iwmo::cli::runImport(config, import_options);
    if (review_cmd->parsed()) {
      review.action = review_done->parsed() ? "done" : "list";
      return iwmo::cli::runReview(config, review);
    }
    if (quarantine_cmd->parsed()) {
      quarantine.action = quarantine_done->parsed() ? "done" : quarantine_payload->parsed() ? "payload" : "list";
      return iwmo::cli::runQuarantine(config, quarantine);
    }
    if (ggk_cmd->parsed()) {
      ggk.action = ggk_done->parsed() ? "done" : ggk_wrap->parsed() ? "wrap" : ggk_unwrap->parsed() ? "unwrap" : "errors";
      return iwmo::cli::runGgk(config, ggk);
    }
    if (ieb_cmd->parsed()) {
      ieb.action = ieb_done->parsed()       ? "done"
                   : ieb_numbers->parsed()  ? "numbers"
                   : ieb_rejected->parsed() ? "rejected"
                                            : "pending";
      return iwmo::cli::runIeb(config, ieb);
    }
    if (simulate_cmd->parsed()) return iwmo::cli::runSimulateCak(config, simulate);
    if (status_cmd->parsed()) return iwmo::cli::runStatus(config, journal_file, status_json);
    if (worker_cmd->parsed()) {
      return iwmo::cli::runWorker(config, worker_endpoint, worker_name, server_key, worker_key);
    }
    return kExitUsage;
  }
};

}  // namespace

int main(int argc, char** argv) {
  // Two malloc arenas instead of eight per core: the pipeline's threads hand messages to each
  // other, and with an arena per thread every arena keeps its own freed memory (issue 13: with
  // smaller SQLite caches, a replay of 300 000 messages peaked at 64 MB instead of 72; one arena
  // saved no more and cost 20 % in speed). Blocks under 1 MiB come from the heap: Xerces
  // allocates a 164 KiB reader for every document it parses, and at glibc's mmap threshold each
  // was a fresh mmap, 41 page faults and a munmap whose TLB shootdown interrupted the other
  // core (issue 13: p99 accept latency). Freed memory goes back to the system only above 4 MiB:
  // at 128 KiB, every parse's freed reader shrank an arena (madvise, a TLB shootdown) and the
  // next parse faulted it in again: 7 000 madvise calls and 30 000 page faults in a replay of
  // 20 000 messages, for the same peak RSS.
  mallopt(M_ARENA_MAX, 2);
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);
  // The daemon and the worker take SIGTERM / SIGINT / SIGHUP with sigtimedwait once they run.
  // They are blocked from the first line, so that a stop sent while the daemon is still starting
  // (systemctl stop during start-up, a test that stops it at once) is taken as a stop when the
  // daemon is ready, not as a kill by the default action. Every other command gets them back
  // right after parsing.
  sigset_t stop_signals;
  sigset_t mask_before;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &mask_before);

  CLI::App app{"iwmo-gateway: validates, journals and routes iWmo 3.2 and iEb messages between a "
               "municipality's back office and the GGk."};
  app.set_version_flag("--version", std::string("iwmo-gateway ") + IWMO_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  Commands commands;
  app.add_option("--config", commands.config_file,
                 "TOML configuration file (default: the embedded default configuration)")
      ->check(CLI::ExistingFile);

  commands.addMessageCommands(app);
  commands.addOperatorCommands(app);
  commands.addToolCommands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!commands.run_cmd->parsed() && !commands.worker_cmd->parsed()) {
    pthread_sigmask(SIG_SETMASK, &mask_before, nullptr);
  } else if (commands.worker_cmd->parsed() && !sigismember(&mask_before, SIGHUP)) {
    // A worker waits for SIGTERM / SIGINT only; a hang-up (its terminal or SSH session closed)
    // ends it as before.
    sigset_t hangup;
    sigemptyset(&hangup);
    sigaddset(&hangup, SIGHUP);
    pthread_sigmask(SIG_UNBLOCK, &hangup, nullptr);
  }

  if (commands.check_cmd->parsed()) return iwmo::cli::runConfigCheck(commands.check_file);
  if (commands.keygen_cmd->parsed()) return iwmo::cli::runKeygen(commands.key_name);

  iwmo::adapters::xml::XercesPlatform xerces;
  if (!xerces.status().isOk()) {
    std::cerr << "iwmo-gateway: " << xerces.status().message() << "\n";
    return kExitUsage;
  }
  auto config = loadConfig(commands.config_file);
  if (!config) {
    std::cerr << "iwmo-gateway: " << config.status().message() << "\n";
    return kExitUsage;
  }
  if (!commands.schema_dir.empty()) config->iwmo_schema_dir = commands.schema_dir;

  return commands.runParsed(*config);
}
