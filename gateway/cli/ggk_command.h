// `iwmo-gateway ggk errors|done` (issue 6): the Fo01 error messages the chain (the GGk, RINIS,
// VECOZO, a provider) sent about documents the gateway sent, with what each concerns, for
// operators. A Fo01 means the document did not reach its receiver: someone must act.
//   errors            open Fo01s (--all: closed ones too), oldest first
//   done ID --note    closes one
//   wrap FILE         writes FILE (an iWmo/iEb message) in a Di01 (a retour: a Du01 with
//                     --cross-ref) for a manual upload in the GGk portal or a test environment
//   unwrap FILE       checks an envelope (our schemas/stuf-ggk) and writes its payload
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "gateway/config/config.h"

namespace iwmo::cli {

struct GgkOptions {
  std::string action;  // "errors", "done"
  bool json = false;
  bool all = false;
  std::filesystem::path journal;  // default: the config's
  std::uint64_t item_id = 0;
  std::string note;
  // wrap / unwrap
  std::filesystem::path file;
  std::string zender;            // wrap: zender/organisatie (default [ggk] organisatie)
  std::string ontvanger;         // wrap: ontvanger/organisatie (default: from the payload header)
  std::string cross_refnummer;   // wrap: a Du01 answering this referentienummer
  std::string referentienummer;  // wrap: default a fresh UUID v4
  bool allow_invalid = false;    // wrap a schema-invalid message too (test batches)
};

// Exit codes: 0 listed / closed / written; 1 no such open error, or the input was refused (the
// reason on stderr); 2 the journal or the schemas cannot be read.
int runGgk(const config::Config& config, const GgkOptions& options);

}  // namespace iwmo::cli
