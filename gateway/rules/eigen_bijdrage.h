// Eigen-bijdrage forwarding (issue 4; DESIGN §2.2; reference/ieb/facts.md): from the provisions a
// client has (toewijzingen from WMO301, actual delivery from WMO305 / WMO307) derive what the
// CAK must know — one AT period per person and municipality (WMO405) and one BW period per
// beschermd-wonen stay (WMO407) — and which records (StatusAanlevering 1 / 2 / 3) to send so
// that the CAK's copy matches. Pure: the client's state and one event in, the new state, the
// records and a trail of rule ids out.
//
// Rule ids (in the decision's rule_ids and trail):
//   EB-LIABLE               a provision carries an eigen bijdrage from .. to ..
//   EB-EXEMPT-CATEGORIE     the policy exempts its productcategorie / product (rolstoelen, opvang)
//   EB-KOSTPRIJS-BUDGET / EB-KOSTPRIJS-TARIEF   a capped provision's kostprijs: its WMO301 Budget,
//                           or (no Budget) the product's tariff from the policy
//   EB-KOSTPRIJS-UNKNOWN    capped, but neither a Budget nor a tariff: the period goes without cap
//   EB-EXEMPT-UNDER-18      the client is under 18 (liable from the 18th birthday), for every
//                           provision (AT and BW) except the categories the policy keeps
//                           (woningaanpassingen)
//   EB-TOEWIJZING-DELETED   WMO301 RedenWijziging 13: the toewijzing counts as never sent
//   EB-WAITING-DELIVERY     policy "delivery" and no WMO305 yet
//   EB-AT-START / EB-BW-START     a new period: StatusAanlevering 1
//   EB-AT-CHANGE / EB-BW-CHANGE   the period changed (start, stop, kostprijs): 2, the whole record
//   EB-AT-DELETE / EB-BW-DELETE   no provision is left for a period: 3, repeating the record (TR329)
//   EB-NO-CHANGE            the CAK already has what the rules want
//   EB-BEFORE-GO-LIVE       the message type may not be sent yet (go-live date): recorded, held
//   EB-WINDOW-INITIAL-12M   an initial start more than 12 months before the Dagtekening (TR112)
//   EB-WINDOW-36M           a corrected start or a stop more than 36 months back (TR393/TR114)
//   EB-WINDOW-FUTURE        a date more than 1 month after the Dagtekening (TR113): held
//   EB-WINDOW-2020          a date before 2020-01-01 (CS332)
//   EB-DELETE-AFTER-STOP    a period whose stop was sent cannot be deleted (TR071): manual
//   EB-BW-RESPONSIBLE-UNKNOWN   the responsibility rules gave no municipality: held for a person
//   EB-BW-NOT-OURS          the responsible municipality is not one this gateway serves
//   EB-SAME-DAY             a record for the period already went out on this Dagtekening: what
//                           changes after it that day goes out the next day as one net change,
//                           by the tick or the client's next message (issue 17: the CAK takes one
//                           change per record per day, OP325)
//   EB-TICK                 the eigen-bijdrage tick (issue 14): the client's periods are decided
//                           again on the tick's day (review_on), without a message
//   EB-IMPORTED             a period imported from the CAK's records (issue 17: adoption day)
//                           takes the provisions that overlap or adjoin it: its start and
//                           kostprijs stay as the CAK has them; its stop is the known provisions'
//                           end when the CAK's period is open, else the later of the two
//   EB-IMPORTED-KEPT        no known provision touches an imported period: it stays as imported
//                           (never deleted: the gateway does not know the provisions behind it)
// Nothing a rule cannot send is dropped. A period an operator must act on (a "manual" rule, or
// a BW period held until someone closes the client's responsibility review) becomes an attention
// item; a period that only waits for a date (EB-WINDOW-FUTURE, EB-BEFORE-GO-LIVE) or that
// another municipality reports (EB-*-NOT-OURS) is kept in the state and named in `waiting`,
// with no operator item (issue 17: such items were never closed). When a period that was held
// is sent, or is no longer wanted, its start number is in `resolved`, so that its open item is
// closed in the same transaction.
//
// Sequencing (DESIGN §2.2): never a change (2) without an accepted-or-pending first delivery
// (1); never a change after a delete (3): a period that comes back after a delete is a new
// period with a new start number; no delete after a stop was sent. The start number of a new
// period is first_start_nummer + (message_id - 1) * 10 + (n - 1) (n = 1.. within the decision;
// with the default 11 that is message_id * 10 + n), skipping a number the client's periods
// already use (an imported one): unique for the client (the CAK's key is Afzender, Bsn and
// EbStartNummer, TR404), and, with a first_start_nummer above every number sent before, unique
// across journals (issue 14: a new journal reused numbers and the CAK answered 9102).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/base/date.h"
#include "gateway/rules/responsibility.h"

namespace iwmo::rules {

enum class EbStartAt { kToewijzing, kDelivery };

// The municipality's policy for one productcategorie (and optionally one product code).
struct EbPolicy {
  std::string categorie;  // "01".."18"
  std::string code;       // "" = the whole category
  EbStartAt start_at = EbStartAt::kDelivery;
  bool exempt = false;
  // The kostprijs cap (hulpmiddelen, woonvoorzieningen): each provision's own amount is its
  // WMO301 Budget; where the toewijzing carries none, the product's tariff `kostprijs` (eurocent).
  bool capped = false;
  std::optional<std::uint64_t> kostprijs;  // the tariff; set means capped
};

struct EbParams {
  std::vector<EbPolicy> policies;  // a code match wins over a category match
  EbStartAt default_start_at = EbStartAt::kDelivery;
  std::vector<std::string> minors_liable_categories = {"13"};  // woningaanpassingen
  std::vector<BwProduct> bw_products = {{"15", ""}};
  std::vector<std::string> own_gemeente;
  std::optional<Date> at_go_live;  // WMO405 may be sent for messages dated from this day
  std::optional<Date> bw_go_live;  // WMO407 likewise
  // A provision that starts after a gap of at most this many days without a provision continues
  // the period (no stop and new start). 0: only a start on the day after the stop.
  int restart_gap_days = 0;
  // The start number of message 1's first period (see the header); the journal keeps the one it
  // was made with (`[eigen_bijdrage] first_start_nummer`).
  std::uint64_t first_start_nummer = 11;
  int initial_months_back = 12;
  int correction_months_back = 36;
  int months_ahead = 1;
};

struct EbProvision {
  std::uint64_t toewijzing_nummer = 0;
  std::string gemeente;
  std::string categorie;
  std::string code;
  std::optional<Date> toegewezen_begin;
  std::optional<Date> toegewezen_end;
  bool deleted = false;
  std::optional<Date> delivery_begin;
  std::optional<Date> delivery_end;
  std::string last_message;
  std::optional<std::uint64_t> budget;  // WMO301 Budget, eurocent
  // BW only: the responsible municipality (WMO407 Afzender) the responsibility rules gave for
  // this toewijzing's latest message ("" = none yet).
  std::string responsible;
};

struct EbRecordValues {
  int status = 1;  // StatusAanlevering
  Date startdatum = Date::fromYmd(2020, 1, 1);
  std::optional<Date> stopdatum;
  std::optional<std::uint64_t> kostprijs_bedrag;
  std::optional<Date> kostprijs_startdatum;
  friend bool operator==(const EbRecordValues&, const EbRecordValues&) = default;
};

enum class EbAnswer { kPending, kAccepted, kRejected };

struct EbPeriod {
  std::string kind;  // "AT" or "BW"
  std::string afzender;
  std::uint64_t start_nummer = 0;
  // The wish: what the CAK should know (nullopt start = nothing; the period should go).
  std::optional<Date> startdatum;
  std::optional<Date> stopdatum;
  std::optional<std::uint64_t> kostprijs_bedrag;
  std::optional<Date> kostprijs_startdatum;
  std::optional<EbRecordValues> last_sent;
  std::string last_identificatie;
  EbAnswer last_answer = EbAnswer::kPending;
  bool deleted = false;
  std::string held;
  // Imported from the CAK's records (`import cak-periods`): the record the CAK had then.
  std::optional<EbRecordValues> imported_as;
  std::optional<Date> last_sent_on;  // the Dagtekening of last_sent (EB-SAME-DAY)
};

struct EbClient {
  std::string bsn;
  std::optional<Date> geboortedatum;
  std::vector<EbProvision> provisions;
  std::vector<EbPeriod> periods;
};

// One product line of the triggering message.
struct EbLine {
  std::uint64_t toewijzing_nummer = 0;
  std::string categorie;
  std::string code;
  std::optional<Date> ingangsdatum;  // ToegewezenProduct Ingangsdatum / ToewijzingIngangsdatum
  std::optional<Date> einddatum;     // ToegewezenProduct / StopProduct Einddatum
  std::optional<Date> begindatum;    // StartProduct / StopProduct Begindatum
  std::string status_aanlevering;
  std::string reden_wijziging;
  std::optional<std::uint64_t> budget;  // WMO301 ToegewezenProduct/Budget, eurocent
};

struct EbEvent {
  std::string message_type;  // "WMO301", "WMO305", "WMO307"
  std::uint64_t message_id = 0;
  Date dagtekening = Date::fromYmd(2020, 1, 1);  // of the records to send (the day of receipt)
  std::string gemeente;                          // the message's municipality
  std::optional<Date> geboortedatum;
  std::vector<EbLine> lines;
  // WMO407 Afzender: the responsible municipality from the responsibility rules for this
  // message ("" = undecided or only a person can say).
  std::string bw_responsible;
  // The eigen-bijdrage tick (issue 14): no lines; the client's periods are decided again on
  // `dagtekening`, so that what waited for a date goes out without another message.
  bool reevaluate = false;
};

// A record to send: the period's kind and key and the values.
struct EbOutRecord {
  std::string kind;
  std::string afzender;
  std::uint64_t start_nummer = 0;
  EbRecordValues values;
};

struct EbAttentionItem {
  std::string kind;  // "manual" or "held"
  std::string rule;
  std::string summary;
  std::uint64_t start_nummer = 0;  // the period it is about
};

// A period that was held (or manual) before the decision and is not any more.
struct EbResolvedPeriod {
  std::uint64_t start_nummer = 0;
  std::string how;  // "sent: BW 2026-11-20 .. open", "no longer wanted"
};

struct EbDecision {
  EbClient state;
  std::vector<EbOutRecord> records;
  std::vector<std::string> rule_ids;  // distinct, in order of first use
  std::vector<std::string> trail;
  std::vector<EbAttentionItem> attention;
  std::vector<std::string> waiting;  // holds that need no operator: why nothing went out yet
  std::vector<EbResolvedPeriod> resolved;
  bool relevant = false;  // the message touched at least one provision (a tick: a period)
  // The first day a waiting hold (EB-WINDOW-FUTURE, EB-BEFORE-GO-LIVE, EB-SAME-DAY) can be sent, always after
  // the Dagtekening: the tick decides the client again on that day. None: nothing waits for a date.
  std::optional<Date> review_on;
};

// Whether `categorie`/`code` is beschermd wonen (WMO407, never WMO405).
bool isEbBwProduct(const EbParams& params, const std::string& categorie, const std::string& code);

EbDecision decideEigenBijdrage(const EbClient& before, const EbEvent& event, const EbParams& params);

}  // namespace iwmo::rules
