// Issue 6, transport (b): the daemon speaks HTTPS with mutual TLS to a Digikoppeling adapter
// ([ggk.https_in] and [ggk.https_out]). The test plays the adapter on loopback with a PKI it
// generates: it POSTs a provider's Di01 to the daemon and receives the daemon's Du01 on its own
// mutual-TLS listener. A client the daemon's CA did not sign never reaches the journal.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "adapters/iwmo/retour_writer.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_listener.h"
#include "support/daemon_process.h"
#include "support/iwmo_messages.h"
#include "support/stuf_support.h"
#include "support/test_certs.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::test::filesIn;
using iwmo::test::waitFor;

TEST_CASE("ggk https: envelopes in and out over mutual TLS, a client of another CA refused",
          "[integration][ggk][tls]") {
  iwmo::test::TempDir dir;
  fs::create_directories(dir.path() / "pki");
  const iwmo::test::TestPki pki = iwmo::test::makeTestPki(dir.path() / "pki");

  // The adapter's listener: what the daemon POSTs to the GGk side.
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<iwmo::transport::InboundEnvelope> received;
  iwmo::transport::HttpsListenerConfig adapter_config;
  adapter_config.path = "/ggk/outbound";
  adapter_config.certificate_file = pki.server.cert.string();
  adapter_config.private_key_file = pki.server.key.string();
  adapter_config.ca_file = pki.ca.cert.string();
  adapter_config.expected_client_subject = pki.client.subject;  // only the gateway's certificate

  const int daemon_https_port = iwmo::test::freeLocalPort();
  const int http_port = iwmo::test::freeLocalPort();
  auto adapter_listener = iwmo::transport::HttpsListener::create(adapter_config);
  REQUIRE(adapter_listener.hasValue());
  const std::string tls = "certificate = \"" + pki.server.cert.string() + "\"\nprivate_key = \"" +
                          pki.server.key.string() + "\"\nca_bundle = \"" + pki.ca.cert.string() + "\"\n";
  const std::string client_tls = "certificate = \"" + pki.client.cert.string() + "\"\nprivate_key = \"" +
                                 pki.client.key.string() + "\"\nca_bundle = \"" + pki.ca.cert.string() + "\"\n";
  const fs::path config = iwmo::test::writeDaemonConfig(
      dir.path(), http_port,
      "[ggk.https_in]\nlisten = \"127.0.0.1:" + std::to_string(daemon_https_port) + "\"\n" + tls +
          "expected_client_subject = \"" + pki.client.subject + "\"\n" +
          "[ggk.https_out]\nurl = \"https://127.0.0.1:" + std::to_string((*adapter_listener)->port()) +
          "/ggk/outbound\"\n" + client_tls + "expected_server_subject = \"" + pki.server.subject + "\"\n");
  REQUIRE((*adapter_listener)
              ->start([&](iwmo::transport::InboundEnvelope envelope) {
                std::lock_guard lock(mutex);
                received.push_back(std::move(envelope));
                arrived.notify_all();
                return iwmo::transport::InboundAnswer{iwmo::transport::InboundVerdict::Accepted, "taken"};
              })
              .isOk());

  iwmo::test::DaemonProcess daemon(config, dir.path() / "daemon.log");
  daemon.start();
  REQUIRE(waitFor([&] { return iwmo::test::httpGet(http_port, "/healthz").first == 200; }, std::chrono::seconds(20)));
  INFO(iwmo::test::readFile(dir.path() / "daemon.log"));

  // The adapter POSTs a provider's WMO305 in a Di01.
  iwmo::test::MessageHeader header;
  header.identificatie = "AB0000000501";
  header.dagtekening = "2026-11-20";
  iwmo::test::ProductLine line;
  line.toewijzing_nummer = 4712;
  line.ingangsdatum = "2026-11-01";
  line.begindatum = "2026-11-16";
  const std::string wmo305 = iwmo::test::wmo305(header, {line});
  const std::string reference = "2c5ea4c0-4067-41d3-8b4c-5f2f6e0a9b11";
  const std::string di01 = iwmo::test::wrapDi01(wmo305, "WMO305", header.aanbieder, "0599", reference);
  iwmo::transport::HttpsClientConfig client_config;
  client_config.url = "https://127.0.0.1:" + std::to_string(daemon_https_port) + "/ggk/inbound";
  client_config.certificate_file = pki.client.cert.string();
  client_config.private_key_file = pki.client.key.string();
  client_config.ca_file = pki.ca.cert.string();
  auto client = iwmo::transport::HttpsClient::create(client_config);
  REQUIRE(client.hasValue());
  auto reply = (*client)->post(di01);
  INFO(reply.status().message());
  REQUIRE(reply.hasValue());
  CHECK(reply->status == 200);
  CHECK_THAT(reply->body, Catch::Contains("journaled as message #1"));
  REQUIRE(waitFor([&] { return filesIn(dir.path() / "backoffice/inbox").size() == 1; }, std::chrono::seconds(20)));
  CHECK(iwmo::test::readFile(filesIn(dir.path() / "backoffice/inbox")[0]) == wmo305);
  // The adapter resends it (say its connection broke before our 200): the same envelope again is
  // recognised, not taken twice, and not answered as a reused Identificatie.
  auto again = (*client)->post(di01);
  REQUIRE(again.hasValue());
  CHECK(again->status == 200);
  CHECK_THAT(again->body, Catch::Contains("already journaled as message #1"));

  // A client certificate from another CA: refused in the handshake, nothing journaled.
  iwmo::transport::HttpsClientConfig rogue_config = client_config;
  rogue_config.certificate_file = pki.rogue_client.cert.string();
  rogue_config.private_key_file = pki.rogue_client.key.string();
  auto rogue = iwmo::transport::HttpsClient::create(rogue_config);
  REQUIRE(rogue.hasValue());
  auto refused = (*rogue)->post(iwmo::test::wrapDi01(wmo305, "WMO305", header.aanbieder, "0599",
                                                     "3d6fb5d1-5178-42e4-9c5d-6a3f7f1bac22"));
  CHECK_FALSE(refused.hasValue());
  // The daemon's HTTPS listener never answers plain HTTP.
  CHECK(iwmo::test::httpGet(daemon_https_port, "/ggk/inbound").first != 200);

  // The WMO405 the WMO305 starts leaves over HTTPS too, as a Di01 to the CAK (one adapter for
  // the whole GGk); then the back office's WMO306 as a Du01 answering the provider's Di01.
  {
    std::unique_lock lock(mutex);
    REQUIRE(arrived.wait_for(lock, std::chrono::seconds(20), [&] { return !received.empty(); }));
    const iwmo::test::ReadDocument di01_to_cak = iwmo::test::readGgkDocument(received.front().bytes);
    CHECK(di01_to_cak.kind == "Di01");
    CHECK(di01_to_cak.functie == "WMO405");
    CHECK(di01_to_cak.ontvanger == "CAK");
    received.clear();
  }
  CHECK(filesIn(dir.path() / "cak/upload").empty());
  iwmo::adapters::iwmo::TechnicalRetourRequest approve;
  approve.identificatie_retour = "BO0000000501";
  approve.dagtekening_retour = *iwmo::Date::parse("2026-11-21");
  auto wmo306 = iwmo::adapters::iwmo::writeTechnicalRetour(wmo305, approve);
  REQUIRE(wmo306.hasValue());
  iwmo::test::dropFile(dir.path() / "backoffice/outbox", "wmo306.xml", *wmo306);
  {
    std::unique_lock lock(mutex);
    REQUIRE(arrived.wait_for(lock, std::chrono::seconds(20), [&] { return !received.empty(); }));
    const iwmo::transport::InboundEnvelope& posted = received.front();
    CHECK(posted.peer_subject == pki.client.subject);
    const iwmo::test::ReadDocument du01 = iwmo::test::readGgkDocument(posted.bytes);
    CHECK(du01.kind == "Du01");
    CHECK(du01.cross_refnummer == reference);
    CHECK(du01.ontvanger == header.aanbieder);
    CHECK(du01.payload == *wmo306);
    bool named = false;
    for (const auto& [name, value] : posted.headers) {
      if (name == "X-Iwmo-File-Name") named = value.find("_WMO306_" + du01.referentienummer + ".xml") != std::string::npos;
    }
    CHECK(named);
  }
  CHECK(filesIn(dir.path() / "ggk/upload").empty());  // HTTPS replaces the upload directory
  auto status = iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                       iwmo::test::shellQuote(config.string()) + " status --json");
  CHECK_THAT(status.out, Catch::Contains("\"messages\":2,"));  // the WMO305 and the WMO306: the rogue POST never arrived
  CHECK(daemon.terminate() == 0);
  (*adapter_listener)->stop();
}
