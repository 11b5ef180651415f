// The Fo01 error codes the gateway itself writes. Deliberately small: a gemeente sends only
// StUF055, for a payload that is not valid against its XSD (iWmo control level 1: Fo01, no retour;
// Specificatie StUF-envelop 2.1.04 §2.3 p.9; "Foutcodes asynchroon berichtenverkeer ISD-keten
// 2.1 patch 04 revisie 3", 2018). Codes that arrive from the chain (IB..., RIN..., CC..., BRS...)
// are opaque strings in Fo01Bericht::code: the lists conflict between versions
// (reference/stuf-iwmo/ggk-transport.md §4), so they are shown with their omschrijving, never
// interpreted here.
// Thread-safety: constant data.
#pragma once

#include <string_view>

namespace iwmo::adapters::stuf {

enum class Fo01Code {
  StUF055,  // "Berichtbody is niet conform schema in sectormodel"
};

struct Fo01CodeInfo {
  std::string_view code;          // as written in body/code
  std::string_view omschrijving;  // the standard's text, the start of body/omschrijving
  std::string_view plek;          // "client": the sender's message is at fault
};

const Fo01CodeInfo& fo01CodeInfo(Fo01Code code);

}  // namespace iwmo::adapters::stuf
