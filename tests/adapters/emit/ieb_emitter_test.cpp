// The iEb emitter: WMO405 / WMO407 written with adapters/ieb and validated against the project's
// schemas (schemas/iwmo-3.2 + schemas/ieb) before the handler gets them; a document that fails
// its own validation is an error that names the finding and shows no BSN.
#include "adapters/emit/ieb_emitter.h"

#include <catch2/catch.hpp>

#include "support/iwmo_messages.h"
#include "support/test_support.h"

using iwmo::handlers::IebMessage;
using iwmo::proto::EbRecord;

namespace {

iwmo::handlers::IebWriteFunction projectWriter() {
  return iwmo::adapters::emit::makeIebWriter(iwmo::test::projectSchemaSet(), {},
                                             [](std::string_view) { return std::string("[BSN]"); });
}

EbRecord atStart(const std::string& bsn, std::uint64_t nummer, const std::string& start) {
  return iwmo::test::ebRecord("AT", "1", nummer, start, "", bsn);
}

IebMessage wmo405(std::vector<EbRecord> records) {
  return IebMessage{"WMO405", "0599", "GW0000000001", "2026-03-05", std::move(records)};
}

}  // namespace

TEST_CASE("iEb emitter: a WMO405 with two records validates and carries both", "[emit][ieb]") {
  auto xml = projectWriter()(wmo405({atStart("999948714", 1, "2026-03-01"), atStart("999990019", 2, "2026-02-01")}));
  INFO((xml ? std::string() : xml.status().toString()));
  REQUIRE(xml);
  const auto envelope = iwmo::test::validateWithProjectSchemas(*xml);
  INFO(*xml);
  CHECK(envelope.verdict().valid());
  CHECK(envelope.summary().message_type() == "WMO405");
  CHECK(envelope.summary().header().afzender() == "0599");
  CHECK(envelope.summary().header().identificatie() == "GW0000000001");
  REQUIRE(envelope.summary().eb_records_size() == 2);
  CHECK(envelope.summary().eb_records(0).bsn() == "999948714");
  CHECK(envelope.summary().eb_records(0).start_nummer() == 1);
  CHECK(envelope.summary().eb_records(1).bsn() == "999990019");
  CHECK(envelope.summary().eb_records(1).startdatum() == "2026-02-01");
}

TEST_CASE("iEb emitter: a Dagtekening that is not a date is refused as invalid", "[emit][ieb]") {
  IebMessage message = wmo405({atStart("999948714", 1, "2026-03-01")});
  message.dagtekening = "5 maart";
  auto xml = projectWriter()(message);
  REQUIRE_FALSE(xml);
  CHECK(xml.status().code() == iwmo::StatusCode::kInvalid);
}

TEST_CASE("iEb emitter: output that fails its own validation is an internal error without the BSN",
          "[emit][ieb]") {
  // 123456789 fails the elfproef: the message is written, but does not validate (level 2).
  auto xml = projectWriter()(wmo405({atStart("123456789", 1, "2026-03-01")}));
  REQUIRE_FALSE(xml);
  CHECK(xml.status().code() == iwmo::StatusCode::kInternal);
  CHECK_THAT(xml.status().message(), Catch::Contains("at /Bericht/Client/Bsn"));
  CHECK_THAT(xml.status().message(), Catch::Contains("[BSN]"));
  CHECK(xml.status().message().find("123456789") == std::string::npos);
}

TEST_CASE("iEb emitter: EB001 codes are described for operators", "[emit][ieb]") {
  const std::string described = iwmo::adapters::emit::eb001Describer()("9103");
  CHECK_THAT(described, Catch::StartsWith("9103"));
  CHECK(described.size() > 4);
}
