#include "gateway/config/config.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

using iwmo::config::parseConfig;

TEST_CASE("the embedded default config loads and points at the project's schemas", "[config]") {
  auto config = iwmo::config::loadDefaultConfig(iwmo::test::sourceDir());
  REQUIRE(config);
  CHECK(config->own_gemeente == std::vector<std::string>{"0599"});
  CHECK(config->iwmo_schema_dir == iwmo::test::sourceDir() / "schemas/iwmo-3.2");
  CHECK(config->max_message_bytes == 26214400);
}

TEST_CASE("config: relative paths resolve against the config file's directory", "[config]") {
  auto config = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"x/y\"\n",
                            "test.toml", "/etc/iwmo");
  REQUIRE(config);
  CHECK(config->iwmo_schema_dir == "/etc/iwmo/x/y");
}

TEST_CASE("config errors name the file, the line, the key and the fix", "[config]") {
  SECTION("unknown key") {
    auto config = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\nown_gemeetne=1\n[schemas]\niwmo=\"s\"\n",
                              "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK(config.status().code() == iwmo::StatusCode::kInvalid);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:3: gateway.own_gemeetne: unknown key"));
    CHECK_THAT(config.status().message(), Catch::Contains("own_gemeente"));
  }
  SECTION("bad CBS code") {
    auto config = parseConfig("[gateway]\nown_gemeente=[\"363\"]\n[schemas]\niwmo=\"s\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:2: gateway.own_gemeente"));
    CHECK_THAT(config.status().message(), Catch::Contains("4-digit"));
  }
  SECTION("limit out of range") {
    auto config = parseConfig(
        "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n[limits]\nmax_message_bytes=0\n",
        "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:6: limits.max_message_bytes: must be between 1"));
  }
  SECTION("not TOML") {
    auto config = parseConfig("[gateway\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:1"));
    CHECK_THAT(config.status().message(), Catch::Contains("not valid TOML"));
  }
  SECTION("missing own_gemeente") {
    auto config = parseConfig("[schemas]\niwmo=\"s\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("gateway.own_gemeente: missing"));
  }
}

TEST_CASE("config: the daemon's directories default to state_dir and ipc paths resolve", "[config]") {
  auto config = parseConfig(
      "[gateway]\nown_gemeente=[\"0363\"]\nstate_dir=\"/srv/gw\"\n[schemas]\niwmo=\"s\"\n"
      "[peers.backoffice]\nsubmit_endpoint=\"ipc://run/submit.sock\"\n[log]\nfeed=\"tcp://127.0.0.1:5580\"\n",
      "test.toml", "/etc/iwmo");
  REQUIRE(config);
  CHECK(config->backoffice.receive_dir == "/srv/gw/backoffice/outbox");
  CHECK(config->ggk.deliver_dir == "/srv/gw/ggk/upload");
  CHECK(config->rejected_dir == "/srv/gw/rejected");
  CHECK(config->journalFile() == "/srv/gw/journal.sqlite");
  CHECK(config->backoffice.submit_endpoint == "ipc:///etc/iwmo/run/submit.sock");
  CHECK(config->log.feed == "tcp://127.0.0.1:5580");
  CHECK(config->http_listen == "127.0.0.1:8480");
}

TEST_CASE("config: daemon settings are checked with the key and the fix", "[config]") {
  const std::string base = "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n";
  SECTION("a remote tcp bus endpoint needs CURVE") {
    auto config = parseConfig(base + "[bus]\nlisten=[\"tcp://0.0.0.0:5571\"]\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:6: bus.listen"));
    CHECK_THAT(config.status().message(), Catch::Contains("curve_secret_key_file"));
  }
  SECTION("loopback and ipc bus endpoints need no keys") {
    CHECK(parseConfig(base + "[bus]\nlisten=[\"tcp://127.0.0.1:5571\", \"ipc://bus.sock\"]\n", "my.toml", "/"));
  }
  SECTION("not an endpoint") {
    auto config = parseConfig(base + "[log]\nfeed=\"localhost:5580\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("log.feed"));
    CHECK_THAT(config.status().message(), Catch::Contains("tcp://HOST:PORT or ipc://PATH"));
  }
  SECTION("an unknown peer") {
    auto config = parseConfig(base + "[peers.smtp]\nreceive_dir=\"x\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("peers.smtp: unknown peer"));
  }
  SECTION("a misspelt key in a peer") {
    auto config = parseConfig(base + "[peers.ggk]\nrecieve_dir=\"x\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("peers.ggk.recieve_dir: unknown key"));
  }
  SECTION("http.listen without a port") {
    auto config = parseConfig(base + "[http]\nlisten=\"127.0.0.1\"\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("http.listen: must be HOST:PORT"));
  }
  SECTION("no workers at all") {
    auto config = parseConfig(base + "[bus]\nworkers=0\n", "my.toml", "/");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("bus.workers"));
  }
}

TEST_CASE("config: [eigen_bijdrage] defaults and mistakes, each with its line and the fix", "[config][ieb]") {
  const std::string base = "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s/iwmo-3.2\"\n";
  SECTION("defaults: on, delivery, rolstoelen and opvang exempt, iEb schemas beside the iWmo ones") {
    auto config = parseConfig(base, "my.toml", "/etc/x");
    REQUIRE(config);
    CHECK(config->eigen_bijdrage.enabled);
    CHECK(config->eigen_bijdrage.params.default_start_at == iwmo::rules::EbStartAt::kDelivery);
    CHECK(config->eigen_bijdrage.params.policies.size() == 4);
    CHECK(config->eigen_bijdrage.params.own_gemeente == std::vector<std::string>{"0363"});
    CHECK(config->ieb_schema_dir == "/etc/x/s/ieb");
    CHECK(config->cak.deliver_dir == "/etc/x/var/cak/upload");
  }
  SECTION("a policy list replaces the defaults") {
    auto config = parseConfig(base + "[eigen_bijdrage]\nrestart_gap_days = 14\n"
                                     "policies=[{categorie=\"13\",start_at=\"toewijzing\",kostprijs=57000},"
                                     "{categorie=\"12\",capped=true}]\n",
                              "my.toml", "/");
    REQUIRE(config);
    REQUIRE(config->eigen_bijdrage.params.policies.size() == 2);
    CHECK(config->eigen_bijdrage.params.policies[0].start_at == iwmo::rules::EbStartAt::kToewijzing);
    CHECK(*config->eigen_bijdrage.params.policies[0].kostprijs == 57000);
    CHECK(config->eigen_bijdrage.params.policies[1].capped);
    CHECK_FALSE(config->eigen_bijdrage.params.policies[1].kostprijs);
    CHECK(config->eigen_bijdrage.params.restart_gap_days == 14);
  }
  SECTION("mistakes") {
    auto config = parseConfig(base + "[eigen_bijdrage]\nstart_at=\"later\"\nbw_go_live=\"2022-13-01\"\n"
                                     "policies=[{categorie=\"1\"},{categorie=\"13\",kostprijs=-5},{categorie=\"14\",colour=\"red\"},"
                                     "{categorie=\"11\",exempt=true},{categorie=\"11\",exempt=true},"
                                     "{categorie=\"12\",capped=\"yes\"}]\nrestart_gap_days = -1\n",
                              "my.toml", "/");
    REQUIRE_FALSE(config);
    const std::string message = config.status().message();
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.capped: must be true or false"));
    CHECK_THAT(message, Catch::Contains("my.toml:9: eigen_bijdrage.restart_gap_days: must be between 0 and 366"));
    CHECK_THAT(message, Catch::Contains("my.toml:6: eigen_bijdrage.start_at: must be \"toewijzing\""));
    CHECK_THAT(message, Catch::Contains("my.toml:7: eigen_bijdrage.bw_go_live: must be a date"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.categorie: must be a 2-digit productcategorie"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.kostprijs: must be the kostprijs in eurocent"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.colour: unknown key"));
    CHECK_THAT(message, Catch::Contains("categorie 11 has two policies"));
  }
}

TEST_CASE("config: [ggk] defaults, the HTTPS tables, and every mistake with its line", "[config][ggk]") {
  const std::string base = "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s/iwmo-3.2\"\n";
  SECTION("defaults: envelopes on, zender = each message's municipality, no HTTPS") {
    auto config = parseConfig(base, "t.toml", "/etc/gw");
    REQUIRE(config);
    CHECK(config->ggk_envelope.envelopes);
    CHECK(config->ggk_envelope.organisatie.empty());
    CHECK(config->ggk_envelope.applicatie == "iwmo-gateway");
    CHECK(config->ggk_schema_dir == "/etc/gw/s/stuf-ggk");
    CHECK_FALSE(config->ggk_envelope.https_out.enabled);
    CHECK_FALSE(config->ggk_envelope.https_in.enabled);
  }
  SECTION("both HTTPS ends, paths resolved against the file") {
    auto config = parseConfig(base +
                                  "[ggk]\norganisatie=\"0364\"\nfunctie_versie=\"0004\"\n"
                                  "[ggk.https_out]\nurl=\"https://dk.example.nl:8443/out\"\ncertificate=\"tls/gw.crt\"\n"
                                  "private_key=\"tls/gw.key\"\nca_bundle=\"tls/ca.pem\"\nexpected_server_subject=\"CN=dk\"\n"
                                  "[ggk.https_in]\nlisten=\"127.0.0.1:8443\"\ncertificate=\"tls/gw.crt\"\n"
                                  "private_key=\"tls/gw.key\"\nca_bundle=\"tls/ca.pem\"\nworkers=2\n",
                              "t.toml", "/etc/gw");
    REQUIRE(config);
    CHECK(config->ggk_envelope.organisatie == "0364");
    CHECK(config->ggk_envelope.functie_versie == "0004");
    CHECK(config->ggk_envelope.ieb_functie_versie == "0004");  // the default
    CHECK(config->ggk_envelope.https_out.enabled);
    CHECK(config->ggk_envelope.https_out.tls.certificate == "/etc/gw/tls/gw.crt");
    CHECK(config->ggk_envelope.https_out.tls.expected_subject == "CN=dk");
    CHECK(config->ggk_envelope.https_in.listen == "127.0.0.1:8443");
    CHECK(config->ggk_envelope.https_in.path == "/ggk/inbound");
    CHECK(config->ggk_envelope.https_in.workers == 2);
  }
  SECTION("mistakes") {
    const auto refused = [&](const std::string& extra) {
      auto config = parseConfig(base + extra, "t.toml", "/");
      REQUIRE_FALSE(config);
      return config.status().message();
    };
    CHECK_THAT(refused("[ggk]\nenvelopes=\"yes\"\n"), Catch::Contains("t.toml:6: ggk.envelopes: must be true or false"));
    CHECK_THAT(refused("[ggk]\norganisatie=\"12345678\"\n"), Catch::Contains("ggk.organisatie: must be the 4-digit CBS"));
    CHECK_THAT(refused("[ggk]\napplicatie_versie=\"1\"\n"), Catch::Contains("ggk.applicatie_versie: must be exactly 4 digits"));
    CHECK_THAT(refused("[ggk]\nenvelope=true\n"), Catch::Contains("ggk.envelope: unknown key"));
    CHECK_THAT(refused("[ggk.https_out]\nurl=\"http://dk:80/\"\ncertificate=\"a\"\nprivate_key=\"b\"\nca_bundle=\"c\"\n"),
               Catch::Contains("plain http is never used"));
    CHECK_THAT(refused("[ggk.https_out]\nurl=\"https://dk/\"\ncertificate=\"a\"\nprivate_key=\"b\"\n"),
               Catch::Contains("ggk.https_out.ca_bundle: missing"));
    CHECK_THAT(refused("[ggk.https_in]\nlisten=\"8443\"\ncertificate=\"a\"\nprivate_key=\"b\"\nca_bundle=\"c\"\n"),
               Catch::Contains("ggk.https_in.listen: must be HOST:PORT"));
    CHECK_THAT(refused("[ggk.https_in]\nlisten=\"127.0.0.1:99999999999\"\ncertificate=\"a\"\nprivate_key=\"b\"\nca_bundle=\"c\"\n"),
               Catch::Contains("port from 1 to 65535"));
  }
}

TEST_CASE("config: limits.max_element_depth defaults to 64 and is checked with its line", "[config][issue16]") {
  auto defaults = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n", "my.toml", "/");
  REQUIRE(defaults);
  CHECK(defaults->max_element_depth == 64);
  auto set = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n[limits]\nmax_element_depth = 128\n", "my.toml", "/");
  REQUIRE(set);
  CHECK(set->max_element_depth == 128);
  auto tiny = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n[limits]\nmax_element_depth = 2\n", "my.toml", "/");
  REQUIRE_FALSE(tiny);
  CHECK_THAT(tiny.status().message(), Catch::Contains("my.toml:6: limits.max_element_depth: must be between 16"));
}

TEST_CASE("config: limits.max_submit_frame_bytes defaults to 1 GiB and may not be below max_message_bytes",
          "[config][issue16]") {
  auto defaults = parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n", "my.toml", "/");
  REQUIRE(defaults);
  CHECK(defaults->max_submit_frame_bytes == (std::size_t{1} << 30));
  auto below = parseConfig(
      "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n[limits]\nmax_message_bytes = 5000\n"
      "max_submit_frame_bytes = 4000\n",
      "my.toml", "/");
  REQUIRE_FALSE(below);
  CHECK_THAT(below.status().message(),
             Catch::Contains("my.toml:7: limits.max_submit_frame_bytes: must be at least limits.max_message_bytes (5000)"));
}

TEST_CASE("config: issue 16: two peers sharing a receive_dir, or a receive_dir the gateway delivers into, are refused",
          "[config][issue16]") {
  SECTION("two peers, one receive_dir") {
    auto config = parseConfig(
        "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n"
        "[peers.ggk]\nreceive_dir = \"in\"\n[peers.cak]\nreceive_dir = \"./in\"\n",
        "my.toml", "/srv");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(),
               Catch::Contains("my.toml:8: peers.cak.receive_dir: is the same directory as peers.ggk.receive_dir (/srv/in)"));
  }
  SECTION("a receive_dir that is a deliver_dir") {
    auto config = parseConfig(
        "[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n"
        "[peers.backoffice]\ndeliver_dir = \"x\"\n[peers.ggk]\nreceive_dir = \"x\"\n",
        "my.toml", "/srv");
    REQUIRE_FALSE(config);
    CHECK_THAT(config.status().message(), Catch::Contains("my.toml:8: peers.ggk.receive_dir: is the same directory as "
                                                          "peers.backoffice.deliver_dir") &&
                                              Catch::Contains("pick up what it delivers"));
  }
  SECTION("the defaults are apart") {
    CHECK(parseConfig("[gateway]\nown_gemeente=[\"0363\"]\n[schemas]\niwmo=\"s\"\n", "my.toml", "/srv"));
  }
}
