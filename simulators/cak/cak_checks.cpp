#include "simulators/cak/cak_checks.h"

namespace iwmo::simulators::cak {
namespace {

std::optional<Date> dateOf(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return Date::parse(text);
}

bool sameValues(const proto::EbRecord& a, const proto::EbRecord& b) {
  return a.startdatum() == b.startdatum() && a.stopdatum() == b.stopdatum() && a.has_kostprijs() == b.has_kostprijs() &&
         a.kostprijs_bedrag() == b.kostprijs_bedrag() && a.kostprijs_startdatum() == b.kostprijs_startdatum();
}

bool overlapsLiveBw(const proto::EbRecord& record, const PeriodHistory& history) {
  if (record.kind() == "AT") return false;
  for (const auto& other : history.other_live_bw) {
    if (overlaps(record, other)) return true;
  }
  return false;
}

RecordCheck rejected(const char* code) { return RecordCheck{code, std::nullopt}; }
RecordCheck accepted(const proto::EbRecord& record, bool deleted) {
  return RecordCheck{"", StoredPeriod{record, deleted}};
}

}  // namespace

bool overlaps(const proto::EbRecord& a, const proto::EbRecord& b) {
  const auto a_start = dateOf(a.startdatum()), b_start = dateOf(b.startdatum());
  if (!a_start || !b_start) return false;
  const auto a_stop = dateOf(a.stopdatum()), b_stop = dateOf(b.stopdatum());
  const bool a_before_b_ends = !b_stop || *a_start <= *b_stop;
  const bool b_before_a_ends = !a_stop || *b_start <= *a_stop;
  return a_before_b_ends && b_before_a_ends;
}

RecordCheck checkRecord(const proto::EbRecord& r, const PeriodHistory& history, Date dagtekening) {
  const bool at = r.kind() == "AT";
  const auto start = dateOf(r.startdatum());
  const auto stop = dateOf(r.stopdatum());
  if (!start) return rejected("0001");
  const Date ahead = dagtekening.plusMonths(1);
  const Date back12 = dagtekening.plusMonths(-12);
  const Date back36 = dagtekening.plusMonths(-36);
  const std::string& status = r.status_aanlevering();
  const std::optional<StoredPeriod>& current = history.current;
  if (status == "1") {
    if (current) return rejected("9102");
    if (*start < back12) return rejected("9112");
    if (*start > ahead || (stop && *stop > ahead)) return rejected("9113");
    if (stop && *stop < *start) return rejected("9328");
    if (overlapsLiveBw(r, history)) return rejected("9400");
    return accepted(r, false);
  }
  if (status == "2") {
    if (!current) return rejected("9103");
    if (current->deleted) return rejected(stop ? "9330" : "9104");
    if (r.startdatum() != current->record.startdatum() && *start < back36) return rejected(at ? "9393" : "9395");
    if (*start > ahead || (stop && *stop > ahead)) return rejected("9113");
    if (stop && *stop < *start) return rejected("9328");
    if (stop && r.stopdatum() != current->record.stopdatum() && *stop < back36) return rejected("9114");
    if (overlapsLiveBw(r, history)) return rejected("9400");
    return accepted(r, false);
  }
  // StatusAanlevering 3 (and anything else the schema let through)
  if (!current || current->deleted) return rejected("9063");
  if (!current->record.stopdatum().empty()) return rejected("9071");
  if (!sameValues(r, current->record)) return rejected("9329");
  return accepted(current->record, true);
}

std::vector<std::string> checkHeader(const std::string& afzender, const std::optional<Date>& dagtekening,
                                     bool identificatie_answered_before, Date today,
                                     const rules::GemeenteTable& gemeenten) {
  std::vector<std::string> codes;
  if (identificatie_answered_before) codes.push_back("9056");
  if (dagtekening && *dagtekening > today) codes.push_back("8848");
  const rules::GemeenteRecord* gemeente = gemeenten.find(afzender);
  if (gemeente == nullptr || !dagtekening || *dagtekening < gemeente->valid_from ||
      (gemeente->valid_until && *dagtekening >= *gemeente->valid_until)) {
    codes.push_back("S300");
  }
  return codes;
}

}  // namespace iwmo::simulators::cak
