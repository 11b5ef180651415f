// GgkHandler (gateway/handlers/ggk_handler.h) on the iEb messages the eigen-bijdrage handler
// wrote: each leaves in a Di01 from its own Afzender (not the triggering message's municipality),
// recorded with its own Identificatie; when an envelope cannot be written, none of the result's
// iEb messages leaves, the client's state stays as it was, and an operator item says so, while
// what was passed on to the provider still leaves. The emitter is the handler's seam for the
// envelope writer (tests/adapters/stuf and the daemon tests cover the writer itself).
// Then in the daemon's chain against a MemoryJournal (tests/support/handler_harness.h): a Fo01
// from the chain is matched, through the GgkLink the Preparer reads from the GgkStore, to the
// Di01 the gateway sent, and kept for operators once committed.
#include "gateway/handlers/ggk_handler.h"

#include <catch2/catch.hpp>

#include <vector>

#include "adapters/stuf/envelope_writer.h"
#include "support/handler_harness.h"
#include "support/stuf_support.h"
#include "support/test_support.h"

using iwmo::Result;
using iwmo::Status;
using iwmo::handlers::GgkEmitter;
using iwmo::handlers::GgkHandler;
using iwmo::handlers::GgkHandlerParams;
using iwmo::handlers::GgkWrapRequest;
using iwmo::handlers::GgkWritten;

namespace {

// A WMO301 of municipality 0599 from its back office, valid.
iwmo::proto::WorkItem fromBackOffice301() {
  iwmo::proto::WorkItem item;
  item.set_message_id(5);
  item.set_peer("backoffice");  // no technical answer: only the wrapping is under test
  item.set_received_at_micros(1'764'000'000'000'000);
  iwmo::proto::Envelope& envelope = *item.mutable_envelope();
  envelope.set_standard("iwmo");
  envelope.mutable_verdict()->set_valid(true);
  iwmo::proto::MessageSummary& summary = *envelope.mutable_summary();
  summary.set_message_type("WMO301");
  summary.mutable_client()->set_bsn("999948714");
  summary.mutable_routing()->set_gemeente("0599");
  summary.mutable_routing()->set_own_identificatie("TW-1");
  return item;
}

iwmo::proto::Outgoing& addOutgoing(iwmo::proto::HandlerResult& result, const std::string& peer,
                                   const std::string& type, const std::string& receiver) {
  iwmo::proto::Outgoing& out = *result.add_outgoing();
  out.set_peer(peer);
  out.set_message_type(type);
  out.set_receiver(receiver);
  out.set_file_name("000000005-" + type + ".xml");
  out.set_payload("<Bericht/>");
  return out;
}

// Records every wrap request; fails those for `failing_functie`.
GgkEmitter recordingEmitter(std::vector<GgkWrapRequest>& requests, const std::string& failing_functie = "") {
  GgkEmitter emitter;
  emitter.wrap = [&requests, failing_functie](const GgkWrapRequest& request) -> Result<GgkWritten> {
    requests.push_back(request);
    if (request.functie == failing_functie) return Status::invalid("zender.organisatie '' must be a CBS code");
    return GgkWritten{"<Di01 from=\"" + request.zender + "\"/>",
                      "00000000-0000-4000-8000-00000000000" + std::to_string(requests.size()), "20260101000000000"};
  };
  return emitter;
}

}  // namespace

TEST_CASE("ggk handler: an iEb message leaves in a Di01 from its own Afzender, recorded with its Identificatie",
          "[handlers][ggk][ieb]") {
  std::vector<GgkWrapRequest> requests;
  const GgkHandler handler(GgkHandlerParams{}, recordingEmitter(requests));
  const iwmo::proto::WorkItem item = fromBackOffice301();
  iwmo::proto::HandlerResult result;
  addOutgoing(result, "ggk", "WMO301", "65656055");
  iwmo::proto::Outgoing& wmo407 = addOutgoing(result, "cak", "WMO407", "CAK");
  wmo407.set_identificatie("EB5-1");
  wmo407.set_sender("0363");  // the municipality responsible for the BW stay, not 0599

  handler.handle(item, result);

  REQUIRE(requests.size() == 2);
  CHECK(requests[0].functie == "WMO301");
  CHECK(requests[0].zender == "0599");
  CHECK_FALSE(requests[0].retour);
  CHECK(requests[1].functie == "WMO407");
  CHECK(requests[1].zender == "0363");
  CHECK(requests[1].ontvanger == "CAK");
  CHECK_FALSE(requests[1].retour);
  REQUIRE(result.outgoing_size() == 2);
  CHECK(result.outgoing(1).payload() == "<Di01 from=\"0363\"/>");
  CHECK(result.outgoing(1).ggk().kind() == "Di01");
  CHECK(result.outgoing(1).ggk().ontvanger() == "CAK");
  CHECK(result.outgoing(1).ggk().identificatie() == "EB5-1");
  CHECK(result.outgoing(0).ggk().identificatie() == "TW-1");
}

TEST_CASE("ggk handler: an iEb envelope that cannot be written withdraws the result's iEb, keeps the state, "
          "and raises an operator item",
          "[handlers][ggk][ieb]") {
  std::vector<GgkWrapRequest> requests;
  const GgkHandler handler(GgkHandlerParams{}, recordingEmitter(requests, "WMO407"));
  const iwmo::proto::WorkItem item = fromBackOffice301();
  iwmo::proto::HandlerResult result;
  addOutgoing(result, "cak", "WMO405", "CAK").set_identificatie("EB5-1");
  addOutgoing(result, "ggk", "WMO301", "65656055");
  addOutgoing(result, "cak", "WMO407", "CAK").set_identificatie("EB5-2");
  result.add_eb_sent()->set_identificatie("EB5-1");
  result.add_eb_sent()->set_identificatie("EB5-2");
  result.mutable_eb_state()->set_bsn("999948714");

  handler.handle(item, result);

  // The WMO301 for the provider still leaves (wrapped); neither iEb message does.
  int to_ggk = 0;
  int to_cak = 0;
  for (const auto& out : result.outgoing()) {
    if (out.peer() == "ggk") {
      ++to_ggk;
      CHECK(out.ggk().functie() == "WMO301");
    }
    if (out.peer() == "cak") ++to_cak;
  }
  CHECK(to_ggk == 1);
  CHECK(to_cak == 0);
  CHECK(result.eb_sent_size() == 0);
  CHECK_FALSE(result.has_eb_state());  // the stored state stays
  REQUIRE(result.eb_attention_size() == 1);
  CHECK(result.eb_attention(0).rule() == "EB-WRAP-FAILED");
  CHECK_THAT(result.eb_attention(0).summary(), Catch::Contains("must be a CBS code"));
  bool reported = false;
  for (const auto& out : result.outgoing()) {
    if (out.peer() == "rejected" && out.message_type() == "REPORT") reported = true;
  }
  CHECK(reported);
}

namespace {

// A Fo01 StUF055 of the GGk about the document sent under `cross_refnummer` to municipality 0599.
std::string chainFo01(const std::string& cross_refnummer, const std::string& referentienummer) {
  auto writer = iwmo::adapters::stuf::EnvelopeWriter::create(iwmo::test::schemaSet(iwmo::test::stufSchemaDir()));
  REQUIRE(writer);
  iwmo::adapters::stuf::Fo01Request request;
  request.zender = {"RINIS", "GGk", "", ""};  // the chain
  request.ontvanger = {"0599", "iwmo-gateway", "", ""};
  request.cross_refnummer = cross_refnummer;
  request.code = iwmo::adapters::stuf::Fo01Code::StUF055;
  request.detail = "xmlBestand is niet schemavalide";
  request.details = "WMO301-00030002";
  request.tijdstip = iwmo::Timestamp::fromSeconds(1772712000);
  request.referentienummer = referentienummer;
  auto written = (*writer)->fo01(request);
  INFO(written.status().toString());
  REQUIRE(written);
  return written->bytes;
}

}  // namespace

TEST_CASE("ggk handler: a Fo01 from the chain is matched to the Di01 the gateway sent and kept for operators",
          "[handlers][ggk]") {
  iwmo::test::HandlerHarness h(iwmo::test::daemonChain(iwmo::test::defaultConfig()));
  const iwmo::Timestamp at = iwmo::Timestamp::fromSeconds(1772712000);
  const auto sent = h.process(
      iwmo::test::readFile(iwmo::test::sourceDir() / "demo/messages/valid/01-WMO301-toewijzing-hh-de-graaf.xml"),
      "backoffice", at);
  std::string referentienummer;
  for (const auto& out : sent.outgoing()) {
    if (out.peer() == "ggk") referentienummer = out.ggk().referentienummer();
  }
  REQUIRE_FALSE(referentienummer.empty());

  const auto received = h.receive(chainFo01(referentienummer, "9d2b6a1c-3e4f-4a5b-8c6d-7e8f9a0b1c2d"), "ggk",
                                  at.plusMillis(1000));
  const auto item = h.prepared(received.id);
  REQUIRE(item.envelope().ggk().kind() == "Fo01");
  // The Preparer found what the crossRefnummer names in the GgkStore.
  REQUIRE(item.ggk().looked_up());
  REQUIRE(item.ggk().sent_found());
  CHECK(item.ggk().sent().message_id() == sent.message_id());
  const auto result = h.run(item);
  REQUIRE(result.ggk_fo01_size() == 1);
  CHECK(result.ggk_fo01(0).matched());
  CHECK(result.ggk_fo01(0).code() == "StUF055");
  h.commit(result, at.plusMillis(1000));

  const auto errors = h.journal().ggk().errors(false);
  REQUIRE(errors);
  REQUIRE(errors->size() == 1);
  const auto& row = (*errors)[0];
  CHECK(row.message_id == received.id);
  CHECK(row.error.code() == "StUF055");
  CHECK(row.error.cross_refnummer() == referentienummer);
  REQUIRE(row.error.matched());
  CHECK(row.error.concerns().message_id() == sent.message_id());
  CHECK(row.error.concerns().functie() == "WMO301");

  // A Fo01 about nothing the gateway sent is kept too, unmatched.
  const auto stray = h.process(chainFo01("00000000-0000-4000-8000-000000000000", "9d2b6a1c-3e4f-4a5b-8c6d-7e8f9a0b1c2e"),
                               "ggk", at.plusMillis(2000));
  REQUIRE(stray.ggk_fo01_size() == 1);
  CHECK_FALSE(stray.ggk_fo01(0).matched());
  const auto open = h.journal().ggk().errorsOpen();
  REQUIRE(open);
  CHECK(*open == 2);
}
