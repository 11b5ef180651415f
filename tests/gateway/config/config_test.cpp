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
    auto config = parseConfig(base + "[eigen_bijdrage]\npolicies=[{categorie=\"13\",start_at=\"toewijzing\",kostprijs=57000}]\n",
                              "my.toml", "/");
    REQUIRE(config);
    REQUIRE(config->eigen_bijdrage.params.policies.size() == 1);
    CHECK(config->eigen_bijdrage.params.policies[0].start_at == iwmo::rules::EbStartAt::kToewijzing);
    CHECK(*config->eigen_bijdrage.params.policies[0].kostprijs == 57000);
  }
  SECTION("mistakes") {
    auto config = parseConfig(base + "[eigen_bijdrage]\nstart_at=\"later\"\nbw_go_live=\"2022-13-01\"\n"
                                     "policies=[{categorie=\"1\"},{categorie=\"13\",kostprijs=-5},{categorie=\"14\",colour=\"red\"},"
                                     "{categorie=\"11\",exempt=true},{categorie=\"11\",exempt=true}]\n",
                              "my.toml", "/");
    REQUIRE_FALSE(config);
    const std::string message = config.status().message();
    CHECK_THAT(message, Catch::Contains("my.toml:6: eigen_bijdrage.start_at: must be \"toewijzing\""));
    CHECK_THAT(message, Catch::Contains("my.toml:7: eigen_bijdrage.bw_go_live: must be a date"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.categorie: must be a 2-digit productcategorie"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.kostprijs: must be the kostprijs in eurocent"));
    CHECK_THAT(message, Catch::Contains("eigen_bijdrage.policies.colour: unknown key"));
    CHECK_THAT(message, Catch::Contains("categorie 11 has two policies"));
  }
}
