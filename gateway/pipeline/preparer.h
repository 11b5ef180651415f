// Preparer: the dispatch stage's prepare step (dispatch.h; DESIGN §5.1 step 4). Just before a
// work item goes to a worker — on the journal's writer thread, right after the commit of the
// client's previous message (Journal::readAfterWrites) — it attaches what the handler chain says the item needs (handler.h ContextNeeds),
// read from the journal's stores: the client context (BRP periods, institutions, BW episodes,
// regions) for the responsibility rules, the client's eigen-bijdrage state, the iEb records a CAK
// retour answers, and the envelopes a GGk document relates to. So handlers stay pure and work the
// same in a remote `iwmo-gateway worker`.
//
// What cannot be read is left unattached (its looked_up flag false) and said on stderr; the
// handler then refuses to decide on a guess (RESPONSIBILITY-NO-CONTEXT, EB-NO-STATE).
// Thread-safety: prepare() from any thread (it keeps no state; the stores guard their own); the
// journal and the chain holder must outlive the preparer.
#pragma once

#include "gateway/handlers/handler.h"
#include "gateway/journal/journal.h"
#include "pipeline.pb.h"

namespace iwmo::pipeline {

class Preparer {
 public:
  Preparer(journal::Journal& journal, const handlers::HandlerChainHolder& chain) : journal_(journal), chain_(chain) {}
  void prepare(proto::WorkItem& item) const;

 private:
  void attachGgkLink(proto::WorkItem& item) const;

  journal::Journal& journal_;
  const handlers::HandlerChainHolder& chain_;
};

}  // namespace iwmo::pipeline
