// The findings of a verdict as one line of text, for the Status an emitter returns when its own
// output does not validate. Thread-safety: a plain function.
#pragma once

#include <string>

#include "envelope.pb.h"

namespace iwmo::adapters::emit {

// "CODE at PATH: MESSAGE; CODE at PATH: MESSAGE…" ("" when there are no findings).
std::string findingsText(const proto::Verdict& verdict);

}  // namespace iwmo::adapters::emit
