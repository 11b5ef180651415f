#include "gateway/rules/eigen_bijdrage.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

namespace iwmo::rules {
namespace {

std::string text(const std::optional<Date>& date) { return date ? date->toString() : "open"; }

std::optional<Date> earliest(std::optional<Date> a, std::optional<Date> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

class Recorder {
 public:
  explicit Recorder(EbDecision& out) : out_(out) {}
  void rule(const std::string& id) {
    if (std::find(out_.rule_ids.begin(), out_.rule_ids.end(), id) == out_.rule_ids.end()) {
      out_.rule_ids.push_back(id);
    }
  }
  void step(const std::string& id, const std::string& line) {
    rule(id);
    out_.trail.push_back(id + ": " + line);
  }
  void note(const std::string& line) { out_.trail.push_back(line); }
  void attention(const std::string& kind, const std::string& id, const std::string& summary,
                 std::uint64_t start_nummer) {
    rule(id);
    out_.attention.push_back({kind, id, summary, start_nummer});
  }
  void waiting(const std::string& id, const std::string& summary) {
    step(id, summary);
    out_.waiting.push_back(summary);
  }

 private:
  EbDecision& out_;
};

// Holds that only wait (for a date, or for another municipality to report): no operator item.
bool isWaitingRule(std::string_view rule) {
  return rule == "EB-WINDOW-FUTURE" || rule == "EB-BEFORE-GO-LIVE" || rule == "EB-AT-NOT-OURS" ||
         rule == "EB-BW-NOT-OURS" || rule == "EB-SAME-DAY";
}

// A period's hold ("RULE: why") that gives an operator something to do.
bool holdNeedsOperator(const std::string& held) {
  return !held.empty() && !isWaitingRule(std::string_view(held).substr(0, held.find(':')));
}

const EbPolicy* policyFor(const EbParams& params, const std::string& categorie, const std::string& code) {
  const EbPolicy* by_category = nullptr;
  for (const EbPolicy& policy : params.policies) {
    if (policy.categorie != categorie) continue;
    if (!policy.code.empty()) {
      if (policy.code == code) return &policy;
    } else if (by_category == nullptr) {
      by_category = &policy;
    }
  }
  return by_category;
}

std::string label(const EbProvision& p) {
  return "toewijzing " + std::to_string(p.toewijzing_nummer) + " (" + p.categorie +
         (p.code.empty() ? "" : "/" + p.code) + ", gemeente " + p.gemeente + ")";
}

void applyLines(EbClient& client, const EbEvent& event, Recorder& rec) {
  if (event.geboortedatum) client.geboortedatum = event.geboortedatum;
  const std::string origin = event.message_type + " #" + std::to_string(event.message_id);
  for (const EbLine& line : event.lines) {
    auto it = std::find_if(client.provisions.begin(), client.provisions.end(), [&](const EbProvision& p) {
      return p.toewijzing_nummer == line.toewijzing_nummer && p.gemeente == event.gemeente;
    });
    if (it == client.provisions.end()) {
      EbProvision created;
      created.toewijzing_nummer = line.toewijzing_nummer;
      created.gemeente = event.gemeente;
      client.provisions.push_back(created);
      it = client.provisions.end() - 1;
    }
    EbProvision& p = *it;
    if (!line.categorie.empty()) p.categorie = line.categorie;
    if (!line.code.empty()) p.code = line.code;
    const bool withdrawn = line.status_aanlevering == "3";
    if (event.message_type == "WMO301") {
      p.toegewezen_begin = line.ingangsdatum;
      p.toegewezen_end = line.einddatum;
      p.budget = line.budget;
      p.deleted = line.reden_wijziging == "13";
      rec.note(origin + ": " + label(p) + " toegewezen " + text(p.toegewezen_begin) + " .. " +
               text(p.toegewezen_end) + (p.deleted ? ", deleted (RedenWijziging 13)" : ""));
    } else if (event.message_type == "WMO305") {
      if (!p.toegewezen_begin) p.toegewezen_begin = line.ingangsdatum;
      p.delivery_begin = withdrawn ? std::nullopt : line.begindatum;
      rec.note(origin + ": " + label(p) + (withdrawn ? " start of delivery withdrawn (StatusAanlevering 3)"
                                                       : " delivered from " + text(line.begindatum)));
    } else if (event.message_type == "WMO307") {
      if (withdrawn) {
        p.delivery_end.reset();
      } else {
        p.delivery_end = line.einddatum;
        // A stop that arrives before its start still says when delivery began.
        if (!p.delivery_begin) p.delivery_begin = line.begindatum;
      }
      rec.note(origin + ": " + label(p) + (withdrawn ? " stop of delivery withdrawn (StatusAanlevering 3)"
                                                       : " delivered until " + text(line.einddatum)));
    }
    p.last_message = origin;
    if (!event.bw_responsible.empty()) p.responsible = event.bw_responsible;
  }
}

struct Liable {
  Date begin;
  std::optional<Date> end;
  std::optional<std::uint64_t> kostprijs;
};

// The kostprijs of a capped provision (DESIGN §2.2: hulpmiddelen and woonvoorzieningen): the
// amount its toewijzing carries (WMO301 Budget), else the product's tariff from the policy.
std::optional<std::uint64_t> kostprijsOf(const EbProvision& p, const EbPolicy* policy, Recorder& rec) {
  if (policy == nullptr || (!policy->capped && !policy->kostprijs)) return std::nullopt;
  if (p.budget) {
    rec.step("EB-KOSTPRIJS-BUDGET", label(p) + ": kostprijs " + std::to_string(*p.budget) +
                                        " cent, the toewijzing's Budget");
    return p.budget;
  }
  if (policy->kostprijs) {
    rec.step("EB-KOSTPRIJS-TARIEF", label(p) + ": kostprijs " + std::to_string(*policy->kostprijs) +
                                        " cent, the product's tariff (the toewijzing carries no Budget)");
    return policy->kostprijs;
  }
  rec.step("EB-KOSTPRIJS-UNKNOWN", label(p) + ": capped, but the toewijzing carries no Budget and the policy "
                                              "no kostprijs: the period goes without a cap");
  return std::nullopt;
}

std::optional<Liable> liableInterval(const EbClient& client, const EbProvision& p, const EbParams& params,
                                     bool bw, Recorder& rec) {
  if (p.deleted) {
    rec.step("EB-TOEWIJZING-DELETED", label(p) + " was deleted: it counts as never sent");
    return std::nullopt;
  }
  const EbPolicy* policy = policyFor(params, p.categorie, p.code);
  if (!bw && policy != nullptr && policy->exempt) {
    rec.step("EB-EXEMPT-CATEGORIE", label(p) + " carries no eigen bijdrage (policy for categorie " +
                                        p.categorie + (policy->code.empty() ? "" : "/" + policy->code) + ")");
    return std::nullopt;
  }
  const EbStartAt start_at = policy != nullptr ? policy->start_at : params.default_start_at;
  std::optional<Date> begin = start_at == EbStartAt::kToewijzing ? earliest(p.toegewezen_begin, std::nullopt)
                                                                  : p.delivery_begin;
  if (start_at == EbStartAt::kToewijzing && !begin) begin = p.delivery_begin;
  if (!begin) {
    rec.step("EB-WAITING-DELIVERY", label(p) + ": policy starts the eigen bijdrage at delivery and no "
                                               "WMO305 has said delivery began");
    return std::nullopt;
  }
  const std::optional<Date> end = earliest(p.toegewezen_end, p.delivery_end);
  if (end && *end < *begin) {
    rec.note(label(p) + " ends (" + end->toString() + ") before it starts (" + begin->toString() +
             "): no liable period");
    return std::nullopt;
  }
  Liable liable{*begin, end, bw ? std::nullopt : kostprijsOf(p, policy, rec)};  // WMO407 has no kostprijs
  // Every provision, BW included (DESIGN §2.2; issue 17: a 17-year-old in BW got a WMO407).
  if (client.geboortedatum &&
      std::find(params.minors_liable_categories.begin(), params.minors_liable_categories.end(), p.categorie) ==
          params.minors_liable_categories.end()) {
    const Date adult = client.geboortedatum->plusYears(18);
    if (liable.begin < adult) {
      if (end && *end < adult) {
        rec.step("EB-EXEMPT-UNDER-18", label(p) + " ends before the client turns 18 (" + adult.toString() +
                                           "): no eigen bijdrage");
        return std::nullopt;
      }
      rec.step("EB-EXEMPT-UNDER-18", label(p) + ": the client turns 18 on " + adult.toString() +
                                         ", liable from then");
      liable.begin = adult;
    }
  }
  rec.step("EB-LIABLE", label(p) + " liable " + liable.begin.toString() + " .. " + text(liable.end) +
                            (liable.kostprijs ? ", kostprijs " + std::to_string(*liable.kostprijs) + " cent" : ""));
  return liable;
}

struct Span {
  Date begin;
  std::optional<Date> end;
  bool all_capped = true;
  std::uint64_t kostprijs_sum = 0;
  std::optional<Date> kostprijs_start;
};

// Per person, not per provision: overlapping or adjoining liable intervals form one period, and
// so does a restart within restart_gap_days after a stop.
std::vector<Span> merge(std::vector<Liable> intervals, int restart_gap_days) {
  std::sort(intervals.begin(), intervals.end(), [](const Liable& a, const Liable& b) { return a.begin < b.begin; });
  std::vector<Span> spans;
  for (const Liable& l : intervals) {
    if (!spans.empty() && (!spans.back().end || l.begin <= spans.back().end->plusDays(1 + restart_gap_days))) {
      Span& span = spans.back();
      span.end = (span.end && l.end) ? std::optional<Date>(std::max(*span.end, *l.end)) : std::nullopt;
    } else {
      Span span{l.begin, l.end, true, 0, std::nullopt};
      spans.push_back(span);
    }
    Span& span = spans.back();
    if (l.kostprijs) {
      span.kostprijs_sum += *l.kostprijs;
      span.kostprijs_start = earliest(span.kostprijs_start, l.begin);
    } else {
      span.all_capped = false;
    }
  }
  return spans;
}

std::string periodLabel(const EbPeriod& period) {
  return period.kind + " period " + std::to_string(period.start_nummer) + " (Afzender " +
         (period.afzender.empty() ? std::string("undecided") : period.afzender) + ")";
}

bool isOwn(const EbParams& params, const std::string& gemeente) {
  return std::find(params.own_gemeente.begin(), params.own_gemeente.end(), gemeente) != params.own_gemeente.end();
}

class Reconciler {
 public:
  Reconciler(EbClient& state, const EbEvent& event, const EbParams& params, EbDecision& out, Recorder& rec)
      : state_(state), event_(event), params_(params), out_(out), rec_(rec) {}

  // Matches the wanted spans to the live periods (in start order), creating and retiring periods.
  // Imported periods take the spans that touch them first (EB-IMPORTED).
  void reconcile(const std::string& kind, const std::string& afzender, std::vector<Span> spans) {
    std::vector<std::size_t> live;
    std::vector<std::size_t> imported;
    for (std::size_t i = 0; i < state_.periods.size(); ++i) {
      const EbPeriod& p = state_.periods[i];
      if (p.kind != kind || p.deleted || p.afzender != afzender) continue;
      (p.imported_as ? imported : live).push_back(i);
    }
    reconcileImported(imported, spans);
    std::sort(live.begin(), live.end(), [&](std::size_t a, std::size_t b) {
      return startOf(state_.periods[a]) < startOf(state_.periods[b]);
    });
    std::vector<std::size_t> targets;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (i < live.size()) {
        targets.push_back(live[i]);
      } else {
        EbPeriod created;
        created.kind = kind;
        created.afzender = afzender;
        created.start_nummer = nextStartNummer();
        state_.periods.push_back(created);
        targets.push_back(state_.periods.size() - 1);
      }
    }
    for (std::size_t i = 0; i < spans.size(); ++i) {
      EbPeriod& period = state_.periods[targets[i]];
      period.startdatum = spans[i].begin;
      period.stopdatum = spans[i].end;
      if (kind == "AT" && spans[i].all_capped && spans[i].kostprijs_start) {
        period.kostprijs_bedrag = spans[i].kostprijs_sum;
        period.kostprijs_startdatum = spans[i].kostprijs_start;
      } else {
        period.kostprijs_bedrag.reset();
        period.kostprijs_startdatum.reset();
      }
      sync(period);
    }
    for (std::size_t i = spans.size(); i < live.size(); ++i) {
      EbPeriod& period = state_.periods[live[i]];
      period.startdatum.reset();
      period.stopdatum.reset();
      sync(period);
    }
    // A period that never reached the CAK and is no longer wanted leaves no trace there.
    state_.periods.erase(std::remove_if(state_.periods.begin(), state_.periods.end(),
                                        [](const EbPeriod& p) { return !p.startdatum && neverSent(p); }),
                         state_.periods.end());
  }

 private:
  // From first_start_nummer, ten per message; none the client's periods use (an imported
  // number may be any).
  std::uint64_t nextStartNummer() {
    const std::uint64_t message_base = params_.first_start_nummer + (event_.message_id > 0 ? event_.message_id - 1 : 0) * 10;
    while (true) {
      const std::uint64_t candidate = message_base + created_++;
      if (std::none_of(state_.periods.begin(), state_.periods.end(),
                       [&](const EbPeriod& p) { return p.start_nummer == candidate; })) {
        return candidate;
      }
    }
  }

  // Whether a span shares a day with the CAK's record, or starts within restart_gap_days after
  // its stop (then it continues the period, as merge() would).
  bool touches(const Span& span, const EbRecordValues& cak) const {
    if (span.end && *span.end < cak.startdatum) return span.end->plusDays(1 + params_.restart_gap_days) >= cak.startdatum;
    return !cak.stopdatum || span.begin <= cak.stopdatum->plusDays(1 + params_.restart_gap_days);
  }

  // The imported periods of one key (adoption day), in start order: each takes the spans of the
  // provisions the gateway knows that touch what the CAK holds for it now (see EB-IMPORTED in
  // the header). They decide the stop only: while the CAK's record as imported is open, the stop
  // is the first touching span's end (a later span, after a gap, is a period of its own); when it
  // was closed, the later of its stop and the spans' end, but never into the next imported
  // period. The spans taken leave `spans`.
  void reconcileImported(std::vector<std::size_t> imported, std::vector<Span>& spans) {
    std::sort(imported.begin(), imported.end(), [&](std::size_t a, std::size_t b) {
      return state_.periods[a].imported_as->startdatum < state_.periods[b].imported_as->startdatum;
    });
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
    std::vector<bool> taken(spans.size(), false);
    for (std::size_t k = 0; k < imported.size(); ++k) {
      EbPeriod& period = state_.periods[imported[k]];
      const EbRecordValues& cak = *period.imported_as;
      const EbRecordValues& now = period.last_sent ? *period.last_sent : cak;  // what the CAK holds now
      const std::optional<Date> next_start =
          k + 1 < imported.size() ? std::optional<Date>(state_.periods[imported[k + 1]].imported_as->startdatum)
                                  : std::nullopt;
      std::optional<Span> joined;
      for (std::size_t j = 0; j < spans.size(); ++j) {
        if (!touches(spans[j], now)) continue;
        if (joined && !cak.stopdatum) break;  // open as imported: the first touching span only
        taken[j] = true;
        if (!joined) {
          joined = spans[j];
        } else {
          joined->end = joined->end && spans[j].end ? std::optional<Date>(std::max(*joined->end, *spans[j].end))
                                                    : std::nullopt;
        }
      }
      period.startdatum = cak.startdatum;
      period.kostprijs_bedrag = cak.kostprijs_bedrag;
      period.kostprijs_startdatum = cak.kostprijs_startdatum;
      if (!joined) {
        period.stopdatum = cak.stopdatum;
        rec_.step("EB-IMPORTED-KEPT", periodLabel(period) + ": imported from the CAK (" + cak.startdatum.toString() +
                                          " .. " + text(cak.stopdatum) + "); no provision the gateway knows touches "
                                          "it, so it stays as the CAK had it");
      } else {
        std::optional<Date> end = joined->end;
        if (next_start && (!end || *end >= *next_start)) end = next_start->plusDays(-1);  // the next one takes over
        period.stopdatum = !cak.stopdatum || !end ? end : std::optional<Date>(std::max(*cak.stopdatum, *end));
        rec_.step("EB-IMPORTED", periodLabel(period) + ": imported from the CAK (" + cak.startdatum.toString() + " .. " +
                                     text(cak.stopdatum) + "); the provisions the gateway knows run " +
                                     joined->begin.toString() + " .. " + text(joined->end) + ": the start" +
                                     (cak.kostprijs_bedrag ? " and kostprijs stay" : " stays") + ", the stop is " +
                                     text(period.stopdatum));
      }
      sync(period);
    }
    std::vector<Span> left;
    for (std::size_t j = 0; j < spans.size(); ++j) {
      if (!taken[j]) left.push_back(spans[j]);
    }
    spans = std::move(left);
  }

  static Date startOf(const EbPeriod& p) {
    if (p.startdatum) return *p.startdatum;
    if (p.last_sent) return p.last_sent->startdatum;
    return Date::fromYmd(9999, 12, 31);
  }
  static bool neverSent(const EbPeriod& p) {
    return !p.last_sent || (p.last_sent->status == 1 && p.last_answer == EbAnswer::kRejected);
  }

  // The first day on which `date` is at most months_ahead after the Dagtekening (TR113).
  Date firstDayWithin(Date date) const {
    Date day = date.plusMonths(-params_.months_ahead);
    while (date > day.plusMonths(params_.months_ahead)) day = day.plusDays(1);
    return day;
  }

  // A hold that waits for `day`: the tick decides the client again then (never today again).
  void reviewOn(Date day) {
    day = std::max(day, event_.dagtekening.plusDays(1));
    if (!out_.review_on || day < *out_.review_on) out_.review_on = day;
  }

  // An operator has something to do for a manual correction, or for the review that names the
  // responsible municipality; waiting for a date, or for another municipality, gives no item.
  void hold(EbPeriod& period, const std::string& kind, const std::string& rule, const std::string& why) {
    const std::string held = rule + ": " + why;
    if (isWaitingRule(rule)) {
      rec_.waiting(rule, periodLabel(period) + ": " + why);
    } else if (period.held != held) {
      // A new item for the period replaces its earlier one (closed first, in the same commit).
      // The texts of items name the period's dates, never the Dagtekening, so that deciding the
      // client again on a later day (a tick, another message) keeps the same item open.
      if (holdNeedsOperator(period.held)) {
        out_.resolved.push_back({period.start_nummer, "replaced by a newer item (" + rule + ")"});
      }
      rec_.attention(kind, rule, periodLabel(period) + ": " + why, period.start_nummer);
    } else {
      rec_.step(rule, periodLabel(period) + ": still " + why);
    }
    period.held = held;
  }

  // One record per period per Dagtekening (OP325: a change replaces the whole last record, and
  // the CAK takes one per record per day): what changes after it that day waits for the next,
  // which sends the net change. True while it waits. A record the CAK rejected, or that the
  // chain refused (Fo01), changed nothing there: its correction goes out the same day.
  bool sentToday(EbPeriod& period, const std::string& what) {
    if (!period.last_sent_on || *period.last_sent_on != event_.dagtekening) return false;
    if (period.last_answer == EbAnswer::kRejected) return false;
    hold(period, "held", "EB-SAME-DAY",
         "a record for it went out on " + event_.dagtekening.toString() + " already; " + what +
             " goes out the next day (the CAK takes one change per record per day)");
    reviewOn(event_.dagtekening.plusDays(1));
    return true;
  }

  void send(EbPeriod& period, EbRecordValues values, const std::string& rule, const std::string& what) {
    rec_.step(rule, periodLabel(period) + ": " + what);
    period.last_sent_on = event_.dagtekening;
    out_.records.push_back({period.kind, period.afzender, period.start_nummer, values});
    period.last_sent = values;
    period.last_answer = EbAnswer::kPending;
    period.last_identificatie.clear();  // the handler fills it in
    if (values.status == 3) period.deleted = true;
  }

  void sync(EbPeriod& period) {
    const bool at = period.kind == "AT";
    const std::string prefix = at ? "EB-AT-" : "EB-BW-";
    const bool never = neverSent(period);
    if (!period.startdatum) {  // no provision left for this period
      if (never) {
        rec_.note(periodLabel(period) + ": no longer wanted and never accepted by the CAK: nothing to withdraw");
        return;
      }
      if (period.last_sent->stopdatum) {
        hold(period, "manual", "EB-DELETE-AFTER-STOP",
             "no provision is left, but its stop " + period.last_sent->stopdatum->toString() +
                 " was sent, so it cannot be deleted (TR071); correct it with the CAK by hand");
        return;
      }
      EbRecordValues values = *period.last_sent;
      values.status = 3;
      if (sentToday(period, "the delete (StatusAanlevering 3)")) return;
      period.held.clear();
      send(period, values, prefix + "DELETE",
           "no provision is left: StatusAanlevering 3 repeating the record (TR329)");
      return;
    }
    const auto& go_live = at ? params_.at_go_live : params_.bw_go_live;
    const std::string type = at ? "WMO405" : "WMO407";
    if (go_live && event_.dagtekening < *go_live) {
      hold(period, "held", "EB-BEFORE-GO-LIVE",
           type + " may be sent from " + go_live->toString() + " (go-live); recorded, not sent");
      reviewOn(*go_live);
      return;
    }
    if (!at && period.afzender.empty()) {
      hold(period, "held", "EB-BW-RESPONSIBLE-UNKNOWN",
           "the responsibility rules name no municipality without a person's review; close the review "
           "(`iwmo-gateway review list`) and the next message for the client sends it");
      return;
    }
    if (!isOwn(params_, period.afzender)) {
      hold(period, "held", at ? "EB-AT-NOT-OURS" : "EB-BW-NOT-OURS",
           "municipality " + period.afzender + " is responsible and this gateway does not serve it; "
           "that municipality reports the period");
      return;
    }
    const Date d = event_.dagtekening;
    const Date start = *period.startdatum;
    if (start < Date::fromYmd(2020, 1, 1)) {
      hold(period, "manual", "EB-WINDOW-2020",
           "start " + start.toString() + " lies before 2020-01-01 (CS332); report it by hand");
      return;
    }
    const Date latest = d.plusMonths(params_.months_ahead);
    if (start > latest) {
      hold(period, "held", "EB-WINDOW-FUTURE",
           "start " + start.toString() + " lies more than " + std::to_string(params_.months_ahead) +
               " month after " + d.toString() + " (TR113); sent on " + firstDayWithin(start).toString() +
               " (the eigen-bijdrage tick) or with the client's next message after it");
      reviewOn(firstDayWithin(start));
      return;
    }
    EbRecordValues values;
    values.status = never ? 1 : 2;
    values.startdatum = start;
    values.stopdatum = period.stopdatum;
    values.kostprijs_bedrag = period.kostprijs_bedrag;
    values.kostprijs_startdatum = period.kostprijs_startdatum;
    std::string withheld;
    if (values.stopdatum && *values.stopdatum > latest) {
      withheld = "stop " + values.stopdatum->toString() + " is more than " +
                 std::to_string(params_.months_ahead) + " month ahead (TR113): sent without it, the stop on " +
                 firstDayWithin(*values.stopdatum).toString();
      reviewOn(firstDayWithin(*values.stopdatum));
      values.stopdatum.reset();
    }
    if (never) {
      if (period.last_sent && period.last_answer == EbAnswer::kRejected) {
        EbRecordValues compare = values;
        compare.status = period.last_sent->status;
        if (compare == *period.last_sent) {
          hold(period, "manual", "EB-REJECTED-UNCHANGED",
               "the CAK rejected exactly this record (`iwmo-gateway ieb rejected`); it is not sent again "
               "until the provisions change or an operator corrects it");
          return;
        }
      }
      const Date earliest_start = d.plusMonths(-params_.initial_months_back);
      if (start < earliest_start) {
        hold(period, "manual", "EB-WINDOW-INITIAL-12M",
             "initial start " + start.toString() + " lies more than " + std::to_string(params_.initial_months_back) +
                 " months before the Dagtekening (TR112); the CAK refuses it: report it by hand");
        return;
      }
    } else {
      const Date earliest_change = d.plusMonths(-params_.correction_months_back);
      const EbRecordValues& last = *period.last_sent;
      if ((start != last.startdatum && start < earliest_change) ||
          (values.stopdatum && values.stopdatum != last.stopdatum && *values.stopdatum < earliest_change)) {
        hold(period, "manual", "EB-WINDOW-36M",
             "a corrected date lies more than " + std::to_string(params_.correction_months_back) +
                 " months before the Dagtekening (TR393 / TR114); correct it with the CAK by hand");
        return;
      }
      EbRecordValues compare = values;
      compare.status = last.status;
      if (compare == last) {
        rec_.step("EB-NO-CHANGE", periodLabel(period) + ": the CAK already has " + start.toString() + " .. " +
                                      text(values.stopdatum));
        // What still waits is the stop beyond the window, whatever held the period before (an
        // EB-SAME-DAY text would say a change goes out that is not coming).
        if (withheld.empty()) {
          period.held.clear();
        } else {
          hold(period, "held", "EB-WINDOW-FUTURE", withheld);
        }
        return;
      }
    }
    if (sentToday(period, never ? "the first delivery (StatusAanlevering 1)" : "the change (StatusAanlevering 2)")) return;
    if (!withheld.empty()) {
      hold(period, "held", "EB-WINDOW-FUTURE", withheld);
    } else {
      period.held.clear();
    }
    const std::string what = start.toString() + " .. " + text(values.stopdatum) +
                             (values.kostprijs_bedrag ? ", kostprijs " + std::to_string(*values.kostprijs_bedrag) +
                                                            " cent from " + values.kostprijs_startdatum->toString()
                                                      : std::string());
    if (never) {
      send(period, values, prefix + "START", "StatusAanlevering 1, " + what);
    } else {
      send(period, values, prefix + "CHANGE", "StatusAanlevering 2 (replaces the whole record), " + what);
    }
  }

  EbClient& state_;
  const EbEvent& event_;
  const EbParams& params_;
  EbDecision& out_;
  Recorder& rec_;
  std::uint64_t created_ = 0;
};

}  // namespace

bool isEbBwProduct(const EbParams& params, const std::string& categorie, const std::string& code) {
  return isBwProduct(params.bw_products, categorie, code);
}

EbDecision decideEigenBijdrage(const EbClient& before, const EbEvent& event, const EbParams& params) {
  EbDecision out;
  out.state = before;
  Recorder rec(out);
  out.relevant = !event.lines.empty() || (event.reevaluate && !before.periods.empty());
  if (!out.relevant) return out;
  if (event.reevaluate) {
    rec.step("EB-TICK", "the eigen-bijdrage tick of " + event.dagtekening.toString() +
                            ": the client's periods are decided again on that day");
  } else {
    applyLines(out.state, event, rec);
  }

  // AT per municipality of the toewijzing (IV046); BW per responsible municipality (WMO407
  // Afzender), so a move between municipalities gives a new period, not a changed one.
  std::map<std::pair<std::string, std::string>, std::vector<Liable>> liable_by_key;
  for (const EbProvision& p : out.state.provisions) {
    const bool is_bw = isEbBwProduct(params, p.categorie, p.code);
    if (auto liable = liableInterval(out.state, p, params, is_bw, rec)) {
      liable_by_key[{is_bw ? "BW" : "AT", is_bw ? p.responsible : p.gemeente}].push_back(*liable);
    }
  }
  // Keys with a live period but no liable provision any more must be reconciled too.
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& [key, intervals] : liable_by_key) keys.insert(key);
  for (const EbPeriod& p : out.state.periods) {
    if (!p.deleted) keys.insert({p.kind, p.afzender});
  }
  Reconciler reconciler(out.state, event, params, out, rec);
  for (const auto& [kind, afzender] : keys) {
    auto it = liable_by_key.find({kind, afzender});
    std::vector<Span> spans =
        it == liable_by_key.end() ? std::vector<Span>{} : merge(it->second, params.restart_gap_days);
    if (kind == "BW") {
      for (Span& span : spans) span.all_capped = false;
    }
    reconciler.reconcile(kind, afzender, std::move(spans));
  }
  // Periods an operator had to act on and no longer has to: sent, settled, waiting only, or gone.
  for (const EbPeriod& was : before.periods) {
    if (!holdNeedsOperator(was.held)) continue;
    const auto now = std::find_if(out.state.periods.begin(), out.state.periods.end(),
                                  [&](const EbPeriod& p) { return p.start_nummer == was.start_nummer; });
    if (now != out.state.periods.end() && holdNeedsOperator(now->held)) continue;
    std::string how = now != out.state.periods.end() && !now->held.empty()
                          ? "waiting, with nothing for an operator to do (" + now->held + ")"
                          : "no longer wanted (no liable provision is left)";
    for (const EbOutRecord& record : out.records) {
      const bool same = record.start_nummer == was.start_nummer;
      // A BW period without a municipality is replaced by one under the decided Afzender.
      const bool successor = now == out.state.periods.end() && was.afzender.empty() && record.kind == was.kind;
      if (!same && !successor) continue;
      how = std::string(same ? "" : "replaced by period " + std::to_string(record.start_nummer) + " (Afzender " +
                                        record.afzender + "), ") +
            "sent with StatusAanlevering " + std::to_string(record.values.status) + ": " +
            record.values.startdatum.toString() + " .. " + text(record.values.stopdatum);
      if (same) break;
    }
    if (now != out.state.periods.end() && how.starts_with("no longer") && now->startdatum) {
      how = "settled: the CAK already has what the rules want";
    }
    out.resolved.push_back({was.start_nummer, how});
  }
  return out;
}

}  // namespace iwmo::rules
