// Extraction of the MessageSummary (schemas/proto/envelope.proto) from a captured message tree:
// header, client, every product line, declaratie and antwoord data. Works on partial trees too
// (a message that failed level 1 still yields what could be read, e.g. the Afzender for a Fo01).
// Thread-safety: pure function.
#pragma once

#include "adapters/iwmo/message_types.h"
#include "adapters/xml/xml_tree.h"
#include "envelope.pb.h"

namespace iwmo::adapters::iwmo {

// `type` may be null when the message type could not be determined.
void extractSummary(const MessageType* type, const adapters::xml::XmlTree& tree,
                    proto::MessageSummary& summary);

}  // namespace iwmo::adapters::iwmo
