// EigenBijdrageHandler (issue 4; DESIGN §2.2, §5.1 step 5): derives the CAK-bound iEb messages.
//
//   WMO301 from the back office, WMO305 / WMO307 from the GGk (valid, not duplicates): applies
//   the forwarding rules of gateway/rules/eigen_bijdrage.h to the client's state (attached by
//   the dispatcher) and emits one WMO405 / WMO407 per Afzender with the records to send, to the
//   peer "cak". The new state, the records, the decision and any item for an operator are
//   committed together (HandlerResult eb_*), so a crash never sends without recording or the
//   other way round.
//   WMO406 / WMO408 from the CAK: matches the retour to the records sent in its heen message
//   (by BerichtIdentificatie, then Bsn + start number): header only = all accepted; 0001 in the
//   header = all rejected; otherwise a client echoed with an EB001 error code is rejected and
//   the others accepted. Rejections (with the codes' meaning) and retours for nothing sent go to
//   the operator queue (`iwmo-gateway ieb rejected|pending`).
//
// The WMO407 Afzender is the responsible municipality the responsibility handler decided for the
// message (it runs earlier in the chain); without one the BW period is held for a person.
// Writing the XML is the emitter's (adapters/ieb, validated against the schema set), handed in as
// a function so the handler stays free of I/O and of the adapters.
// Thread-safety: immutable; `write` must be callable from any worker thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "gateway/base/result.h"
#include "gateway/handlers/handler.h"
#include "gateway/rules/eigen_bijdrage.h"

namespace iwmo::handlers {

struct IebMessage {
  std::string message_type;  // WMO405 / WMO407
  std::string afzender;
  std::string identificatie;
  std::string dagtekening;   // YYYY-MM-DD
  std::vector<proto::EbRecord> records;
};

// Builds and validates the XML of one iEb heen message; an error names what failed validation.
using IebWriteFunction = std::function<Result<std::string>(const IebMessage&)>;
// The meaning of an EB001 code, for operators ("9103 (StatusAanlevering heeft ...)").
using Eb001DescribeFunction = std::function<std::string(const std::string&)>;

class EigenBijdrageHandler final : public Handler {
 public:
  EigenBijdrageHandler(rules::EbParams params, IebWriteFunction write, Eb001DescribeFunction describe)
      : params_(std::move(params)), write_(std::move(write)), describe_(std::move(describe)) {}
  HandlerKind kind() const override { return HandlerKind::kEigenBijdrage; }
  void handle(const proto::WorkItem& item, proto::HandlerResult& result) const override;

  // The client's eigen-bijdrage state for WMO301/305/307; the records of the heen message a CAK
  // retour answers for WMO406/408.
  void addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const override;
  bool needsState(const proto::WorkItem& item) const;
  bool needsSentRecords(const proto::WorkItem& item) const;

 private:
  void handleProvisionMessage(const proto::WorkItem& item, proto::HandlerResult& result) const;
  void handleRetour(const proto::WorkItem& item, proto::HandlerResult& result) const;
  // A Fo01 from the chain about a WMO405 / WMO407 the gateway sent (issue 14): its records did
  // not reach the CAK; each is marked rejected and raises an item linked to its period.
  void handleChainFo01(const proto::WorkItem& item, proto::HandlerResult& result) const;

  rules::EbParams params_;
  IebWriteFunction write_;
  Eb001DescribeFunction describe_;
};

// The rules' view of a stored state and back (exposed for the tests).
rules::EbClient toRules(const proto::EbClientState& state);
proto::EbClientState toProto(const rules::EbClient& client);

// The client's state as attached to `item`, unchanged but for its review day (issue 14): what a
// result writes back when it decided nothing (a tick with no period left: review_on "") or could
// send nothing (a write that failed: the next day, so the tick tries again). Without it a review
// day in the past would stay, and the client would be ticked again each day ahead of the others.
// REQUIRES: item.eb_state().looked_up().
proto::EbClientState unchangedEbState(const proto::WorkItem& item, const std::string& review_on);
// The day after the item's day of receipt ("YYYY-MM-DD"): when the tick tries a failed send again.
std::string dayAfterReceipt(const proto::WorkItem& item);

}  // namespace iwmo::handlers
