// GGk intake (issue 6; DESIGN §2.3, §5.1 step 2): turns the bytes of a StUF-GGk document into the
// Envelope the journal keeps.
//   Di01 / Du01  the decoded payload goes through the iWmo/iEb adapter as a bare message would;
//                the envelope's stuurgegevens land in Envelope.ggk. Two checks between envelope
//                and payload (our reading of DESIGN §2.3, level 1): `functie` names the payload's
//                message type, and a Di01 carries a heen message, a Du01 a retour (ENV-FUNCTIE,
//                ENV-KIND).
//   Fo01         an Envelope of its own: standard "stuf-ggk", message type "Fo01", the document as
//                payload, the error in Envelope.ggk.
//   refused      the envelope reader's problems become level-1 findings (ENV-XSD, PAYLOAD-BASE64 …)
//                on the document, kind "refused", with whatever stuurgegevens could be read.
// Which bytes are a GGk document is decided by the root element's local name, so a replay batch
// may mix envelopes and bare messages.
// Thread-safety: pure functions over the reader and adapter passed in (one of each per thread).
#pragma once

#include <string_view>

#include "adapters/iwmo/iwmo_adapter.h"
#include "adapters/stuf/envelope_reader.h"
#include "envelope.pb.h"

namespace iwmo::pipeline {

// True when the first element of `bytes` is a Di01, Du01 or Fo01 (any prefix): the document is
// for the envelope reader. Looks at most at the first 64 KiB.
bool isGgkDocument(std::string_view bytes);

// Fills `envelope` (cleared first) for the GGk document `bytes` from `source`. Never fails:
// every problem is a Finding.
void readGgkDocument(adapters::stuf::EnvelopeReader& reader, adapters::iwmo::IwmoAdapter& adapter,
                     std::string_view bytes, std::string_view source, proto::Envelope& envelope);

}  // namespace iwmo::pipeline
