// Rendering of validation verdicts for the command line: the human report (aligned, coloured on
// a terminal) and the JSON-lines form of `iwmo-gateway validate --json` (one object per file):
//   {"file": ..., "message_type": "WMO301"|null, "valid": true|false, "level": 1|2|null,
//    "errors": [{"line":..,"column":..,"path":..,"code":..,"retourcode":..,"message":..}]}
// A StUF-GGk document adds "envelope": {"kind": "Di01"|"Du01"|"Fo01"|"refused", "functie",
// "referentienummer", "cross_refnummer", "zender", "ontvanger"[, "fo01_code", "fo01_omschrijving"]};
// message_type and the errors are then the payload's (a Fo01: "Fo01"), with the envelope's own
// findings first. Absent values (no position, no retourcode) are JSON null.
#pragma once

#include <string>

#include "envelope.pb.h"

namespace iwmo::cli {

std::string verdictJson(const std::string& file, const proto::Envelope& envelope);
// One header line per file, then one indented line per finding. `colour` adds ANSI colours.
std::string verdictText(const std::string& file, const proto::Envelope& envelope, bool colour);

}  // namespace iwmo::cli
