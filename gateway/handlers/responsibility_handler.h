// ResponsibilityHandler (issue 5; DESIGN §4, §5.1 step 5): for a message about a BW product (per
// the region's product mapping) it decides which municipality is responsible, with the rules of
// gateway/rules/responsibility.h on the client context the dispatcher attached, and attaches
// that decision (rule id and trail) to the message's record. When the responsible municipality
// differs from the one the message is addressed to, or only a person can decide (REVIEW,
// MANUAL_SPLIT), the message is still delivered as it is — never re-addressed — and it goes to
// the responsibility-review queue. WMO305 / WMO307 about BW also update the client's BW
// episodes (start, stop), committed with the decision.
//
// Reference date: the earliest start date of the message's BW products (ToegewezenProduct
// Ingangsdatum, StartProduct / StopProduct Begindatum, GewensteIngangsdatum), else its
// Dagtekening — the gateway never sees the melding itself. Aanmeldgemeente: the municipality in
// the header.
// Thread-safety: immutable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/handlers/handler.h"
#include "gateway/rules/gemeente_table.h"
#include "gateway/rules/responsibility.h"

namespace iwmo::handlers {

class ResponsibilityHandler final : public Handler {
 public:
  // `params.regions` is the fallback when the item's context carries no regions.
  ResponsibilityHandler(rules::ResponsibilityParams params, std::vector<rules::BwProduct> bw_products,
                        std::shared_ptr<const rules::GemeenteTable> gemeenten)
      : params_(std::move(params)), bw_products_(std::move(bw_products)), gemeenten_(std::move(gemeenten)) {}
  HandlerKind kind() const override { return HandlerKind::kResponsibility; }
  void handle(const proto::WorkItem& item, proto::HandlerResult& result) const override;

  // Whether the handler decides anything for this envelope; then it needs the client context.
  bool concerns(const proto::Envelope& envelope) const;
  void addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const override;

 private:
  rules::ResponsibilityParams params_;
  std::vector<rules::BwProduct> bw_products_;
  std::shared_ptr<const rules::GemeenteTable> gemeenten_;
};

}  // namespace iwmo::handlers
