#include "gateway/handlers/responsibility_handler.h"

#include <algorithm>
#include <optional>

namespace iwmo::handlers {
namespace {

std::optional<Date> earliest(std::optional<Date> current, const std::string& text) {
  const auto parsed = Date::parse(text);
  if (!parsed) return current;
  return current && *current < *parsed ? current : parsed;
}

std::optional<Date> optionalDate(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Date::parse(text);
}

rules::ResponsibilityInput inputOf(const proto::WorkItem& item, Date reference_date, std::string product) {
  const proto::ClientContext& context = item.context();
  rules::ResponsibilityInput input;
  input.report_date = reference_date;
  input.aanmeldgemeente = item.envelope().summary().routing().gemeente();
  input.product_is_bw = true;
  input.product = std::move(product);
  for (const auto& record : context.brp()) {
    const auto begin = Date::parse(record.begin());
    if (!begin) continue;  // validated on import; a bad row cannot reach here
    rules::BrpPeriod period;
    period.gemeente = record.gemeente();
    period.begin = *begin;
    period.end = optionalDate(record.end());
    period.kind = record.kind() == "briefadres" ? rules::BrpPeriod::Kind::kBriefadres : rules::BrpPeriod::Kind::kWoonadres;
    period.address = record.address();
    input.brp.push_back(std::move(period));
  }
  for (const auto& record : context.institutions()) {
    rules::Institution inst;
    inst.address = record.address();
    inst.type = record.type();
    inst.from = Date::parse(record.from()).value_or(Date::fromYmd(1, 1, 1));
    inst.to = optionalDate(record.to());
    input.institutions.push_back(std::move(inst));
  }
  for (const auto& record : context.episodes()) {
    const auto begin = Date::parse(record.begin());
    if (!begin) continue;
    input.episodes.push_back({record.gemeente(), *begin, optionalDate(record.end()),
                              record.origin().find("(under review)") != std::string::npos});
  }
  return input;
}

// Queues the message for review; the BW episodes it teaches are in doubt until that is closed.
proto::ReviewItem* addReview(proto::HandlerResult& result) {
  for (auto& update : *result.mutable_episode_updates()) update.set_under_review(true);
  return result.add_reviews();
}

}  // namespace

void ResponsibilityHandler::addNeeds(const proto::WorkItem& item, ContextNeeds& needs) const {
  const proto::Envelope& envelope = item.envelope();
  needs.client_context = needs.client_context || (!envelope.summary().client().bsn().empty() && concerns(envelope));
}

bool ResponsibilityHandler::concerns(const proto::Envelope& envelope) const {
  if (!envelope.verdict().valid()) return false;
  for (const proto::Product& product : envelope.summary().products()) {
    if (rules::isBwProduct(bw_products_, product.categorie(), product.code())) return true;
  }
  return false;
}

void ResponsibilityHandler::handle(const proto::WorkItem& item, proto::HandlerResult& result) const {
  if (item.duplicate_of() != 0 || !concerns(item.envelope())) return;
  for (const proto::Decision& earlier : result.decisions()) {
    if (rejects(earlier)) return;  // never forwarded: nothing to be responsible for
  }
  const proto::MessageSummary& summary = item.envelope().summary();
  const std::string& type = summary.message_type();
  std::optional<Date> reference;
  std::string products;
  for (const proto::Product& product : summary.products()) {
    if (!rules::isBwProduct(bw_products_, product.categorie(), product.code())) continue;
    reference = earliest(reference, product.ingangsdatum());
    reference = earliest(reference, product.begindatum());
    reference = earliest(reference, product.gewenste_ingangsdatum());
    const std::string label = product.categorie() + "/" + product.code();
    if (products.find(label) == std::string::npos) products += (products.empty() ? "" : ", ") + label;

    // BW episodes from the traffic: the provider's start and stop messages.
    if ((type == "WMO305" || type == "WMO307") && product.has_toewijzing_nummer() && !summary.client().bsn().empty()) {
      const bool withdrawn = product.status_aanlevering() == "3";
      proto::EpisodeUpdate* update = result.add_episode_updates();
      update->set_bsn(summary.client().bsn());
      update->set_gemeente(summary.routing().gemeente());
      update->set_toewijzing_nummer(product.toewijzing_nummer());
      update->set_begin(product.begindatum());
      if (type == "WMO305") {
        update->set_kind(withdrawn ? proto::EpisodeUpdate::START_WITHDRAWN : proto::EpisodeUpdate::START);
      } else {
        update->set_end(product.einddatum());
        update->set_kind(withdrawn ? proto::EpisodeUpdate::STOP_WITHDRAWN : proto::EpisodeUpdate::STOP);
      }
    }
  }
  if (!reference) reference = Date::parse(summary.header().dagtekening());
  const std::string addressed = summary.routing().gemeente();

  proto::Decision* decision = result.add_decisions();
  decision->set_handler(std::string(nameOf(HandlerKind::kResponsibility)));
  if (!reference) {
    decision->set_outcome("review");
    decision->add_rule_ids("RESPONSIBILITY-NO-DATE");
    decision->set_summary("BW " + products + ": no start date and no Dagtekening to decide responsibility on");
    proto::ReviewItem* review = addReview(result);
    review->set_addressed(addressed);
    review->set_rule("RESPONSIBILITY-NO-DATE");
    review->set_summary(decision->summary());
    return;
  }

  rules::ResponsibilityParams params = params_;
  if (item.context().regions_size() > 0) {
    params.regions.clear();
    for (const auto& region : item.context().regions()) {
      params.regions.push_back({region.centrumgemeente(), {region.members().begin(), region.members().end()}, region.mandate()});
    }
  }
  if (!item.context().looked_up()) {
    // Deciding without the BRP would give the vangnet (or worse, a wrong woonadres): a person decides.
    decision->set_outcome("review");
    decision->add_rule_ids("RESPONSIBILITY-NO-CONTEXT");
    decision->set_summary("BW " + products + ": the client's reference data could not be read, so responsibility "
                          "was not decided (the daemon's log says why); delivered unchanged, queued for review");
    decision->add_trail("no client context was attached to the work item (no BSN, or the reference store failed)");
    proto::ReviewItem* review = addReview(result);
    review->set_addressed(addressed);
    review->set_rule("RESPONSIBILITY-NO-CONTEXT");
    review->set_summary(decision->summary());
    return;
  }
  const rules::ResponsibilityInput input = inputOf(item, *reference, products);
  auto decided = rules::decideResponsibility(input, params, *gemeenten_);
  if (!decided) {
    decision->set_outcome("review");
    decision->add_rule_ids("RESPONSIBILITY-BAD-INPUT");
    decision->set_summary("BW " + products + ": responsibility cannot be decided: " + decided.status().message());
    proto::ReviewItem* review = addReview(result);
    review->set_addressed(addressed);
    review->set_rule("RESPONSIBILITY-BAD-INPUT");
    review->set_summary(decision->summary());
    return;
  }
  decision->add_rule_ids(decided->rule);
  for (const auto& line : decided->trail) decision->add_trail(line);
  const bool needs_person = std::any_of(decided->flags.begin(), decided->flags.end(),
                                        [](const std::string& f) { return f == "REVIEW" || f == "MANUAL_SPLIT"; });
  const std::string responsible = decided->gemeente.value_or("");
  std::string flags;
  for (const auto& f : decided->flags) flags += " " + f;
  const std::string who = responsible.empty() ? std::string("no single municipality (a person must decide)")
                                              : gemeenten_->label(responsible);
  if (!needs_person) decision->set_responsible_gemeente(responsible);
  const std::string basis = " (" + decided->rule + ", regime " + decided->regime + (flags.empty() ? "" : "," + flags) + ")";
  if (responsible == addressed && !needs_person) {
    decision->set_outcome("confirmed");
    decision->set_summary("BW " + products + ": " + who + " is responsible" + basis + ", as addressed");
    return;
  }
  decision->set_outcome("review");
  decision->set_summary("BW " + products + ": the rules give " + who + basis + ", the message is addressed to " +
                        gemeenten_->label(addressed) +
                        ": delivered unchanged, queued for responsibility review (`iwmo-gateway review list`)");
  proto::ReviewItem* review = addReview(result);
  review->set_addressed(addressed);
  review->set_responsible(responsible);
  review->set_rule(decided->rule);
  for (const auto& f : decided->flags) review->add_flags(f);
  review->set_summary(decision->summary());
}

}  // namespace iwmo::handlers
