// Builders of small, valid iWmo 3.2 messages for scenario tests (WMO301 / WMO305 / WMO307), so a
// test states only what matters to it: client, product lines and dates. Every builder's output is
// checked against the schema set by the tests that use it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "envelope.pb.h"

namespace iwmo::test {

struct ProductLine {
  std::uint64_t toewijzing_nummer = 0;
  std::string categorie = "02";
  std::string code = "02A01";
  std::string ingangsdatum;     // WMO301 Ingangsdatum; WMO305/307 ToewijzingIngangsdatum
  std::string einddatum;        // WMO301 Einddatum (optional); WMO307 Einddatum (required)
  std::string begindatum;       // WMO305/307 Begindatum
  std::string status = "1";     // WMO305/307 StatusAanlevering
  std::string reden_wijziging;  // WMO301 RedenWijziging (13 = verwijderd)
  std::string budget;           // WMO301 Budget in eurocent, instead of Omvang (needs an Einddatum, CD075)
};

struct MessageHeader {
  std::string identificatie;
  std::string dagtekening;
  std::string gemeente = "0599";
  std::string aanbieder = "42420001";
  std::string bsn = "999948714";
  std::string geboortedatum = "1960-05-30";
};

std::string wmo301(const MessageHeader& header, const std::vector<ProductLine>& lines);
std::string wmo305(const MessageHeader& header, const std::vector<ProductLine>& lines);
std::string wmo307(const MessageHeader& header, const std::vector<ProductLine>& lines);

// One iEb record (a WMO405 / WMO407 client) of `kind` "AT" or "BW"; `stop` "" = open.
proto::EbRecord ebRecord(const std::string& kind, const std::string& status, std::uint64_t nummer,
                         const std::string& start, const std::string& stop = "",
                         const std::string& bsn = "999948714");

}  // namespace iwmo::test
