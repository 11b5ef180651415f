// CakSimulator (issue 4; DESIGN §1 user 2, §2.2): plays the CAK on the gateway's CAK outbox. For
// every WMO405 / WMO407 file in `in`, in name order, it
//   1. validates it against the schema set (level 1: no retour; an error report in the
//      processed directory, as the CAK gives the sender an error);
//   2. level 2 (single-message rules, e.g. CS332, BSN elfproef): the retour's header carries 0001;
//   3. level 3, with its own state (CakState): the header checks and the record checks of
//      cak_checks.h (8848, S300, 9056; 9102, 9103, 9104, 9063, 9071, 9328, 9329, 9330, 9393,
//      9395, 9112, 9113, 9114, 9400)
// and writes the retour WMO406 / WMO408 into `out` (where the gateway picks it up) in the form of
// DESIGN §2.2: header only when all is accepted, else every class of each rejected client with
// 0200 and the error code (0233 for the clients not assessed because of a header code). Accepted
// records change its state. The input file then moves to the processed directory. A message in
// a StUF-GGk Di01 envelope (as the gateway sends it) is answered in a Du01 from zender CAK to the
// Di01's zender, with crossRefnummer = its referentienummer; a schema-invalid payload in a Di01
// gets a Fo01 StUF055 (the CAK checks payloads); a broken envelope or a Du01 is refused without
// an answer; a bare message is answered bare.
//
// Crash safety: the retour is recorded with the state in one SQLite transaction, then written
// (write-then-rename, fsync), then the input moves; a file seen again with the same content gets
// the same retour bytes again, never a second verdict. (A Fo01 is not recorded: a broken Di01 read
// again gets a new one.)
// Thread-safety: one thread (it owns the state's SQLite connection and the Xerces parsers).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/xml/validating_parser.h"
#include "gateway/base/date.h"
#include "gateway/base/result.h"
#include "gateway/rules/gemeente_table.h"

namespace iwmo::simulators::cak {

struct CakSimulatorOptions {
  std::filesystem::path in;         // the WMO405 / WMO407 files (created when absent)
  std::filesystem::path out;        // where the retours (and Fo01s) go
  std::filesystem::path state;      // the simulator's SQLite file
  std::filesystem::path processed;  // where answered files move, with the level 1 reports
  Date today = Date::fromDays(0);   // DagtekeningRetour and the 8848 check
  std::vector<std::filesystem::path> schema_dirs;  // iWmo + iEb, one schema set
  std::filesystem::path ggk_schema_dir;            // StUF-GGk envelopes
  adapters::xml::ParseLimits limits;
  std::size_t max_envelope_bytes = 0;
  // applicatieVersie / applicatieSubversie of the CAK's Du01 (four digits each).
  std::string applicatie_versie;
  std::string applicatie_subversie;
  rules::GemeenteTable gemeenten;  // S300: the CBS codes and when they were valid
};

// What happened to one file, for the operator: one JSON object (`json`, the --json line) and
// the same as a human-readable line (`text`).
struct FileReport {
  std::string json;
  std::string text;
};

class CakSimulator {
 public:
  // Creates `in` when absent and opens the state, the schema sets and the parsers.
  // Errors: kFailedPrecondition (`in` is not a directory), those of SchemaSet::load, the
  // adapters' create() and CakState::open.
  static Result<std::unique_ptr<CakSimulator>> open(CakSimulatorOptions options);
  ~CakSimulator();
  CakSimulator(const CakSimulator&) = delete;
  CakSimulator& operator=(const CakSimulator&) = delete;

  // Answers (or refuses) one file and moves it to the processed directory. A refused file
  // counts in refused(). Errors: the state, the output directories or our own retour failed
  // (the file stays where it is).
  Result<FileReport> processOne(const std::filesystem::path& file);

  // processOne() for every *.xml file in `in` (no dot files, no .tmp / .part), in name order;
  // `report` gets each file's report as it is done. Errors: the first of processOne's, or
  // kUnavailable (`in` cannot be listed).
  Status processDirectory(const std::function<void(const FileReport&)>& report);

  // How many files were refused at level 1 since open().
  std::size_t refused() const { return refused_; }

 private:
  struct Parts;     // the adapters, state and sinks
  struct Received;  // one file as read and validated
  struct Answer;    // the verdict on one message and its retour
  explicit CakSimulator(CakSimulatorOptions options, std::unique_ptr<Parts> parts);

  Result<FileReport> refuse(Received& received);
  Result<FileReport> repeat(Received& received, const std::string& retour_name, const std::string& retour);
  Result<FileReport> answerMessage(Received& received, bool answered_before);
  Result<Answer> judgeAndWrite(Received& received, bool answered_before);
  Status judgeRecords(Received& received, Answer& answer);
  Status wrapInDu01(Received& received, Answer& answer);
  Status answerFo01(Received& received);
  Status deliver(const std::string& name, const std::string& bytes);

  CakSimulatorOptions options_;
  std::unique_ptr<Parts> parts_;
  std::size_t refused_ = 0;
};

}  // namespace iwmo::simulators::cak
