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
