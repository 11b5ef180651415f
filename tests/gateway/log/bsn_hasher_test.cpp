#include "gateway/log/bsn_hasher.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::log::BsnHasher;

namespace {

const std::string kKeyA(32, 'a');
const std::string kKeyB(32, 'b');

unsigned modeOf(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777U;
}

}  // namespace

TEST_CASE("The same key gives the same pseudonym for the same BSN", "[log]") {
  const BsnHasher first = BsnHasher::fromKey(kKeyA);
  const BsnHasher second = BsnHasher::fromKey(kKeyA);
  const std::string pseudonym = first.hash("999900006");
  CHECK(pseudonym == second.hash("999900006"));
  CHECK(pseudonym.size() == 2 + 16);
  CHECK(pseudonym.rfind("h:", 0) == 0);
  CHECK(pseudonym.find_first_not_of("0123456789abcdef", 2) == std::string::npos);
  CHECK(first.hash("999999990") != pseudonym);
}

TEST_CASE("A different key gives a different pseudonym", "[log]") {
  CHECK(BsnHasher::fromKey(kKeyA).hash("999900006") != BsnHasher::fromKey(kKeyB).hash("999900006"));
}

TEST_CASE("HMAC-SHA-256 matches the RFC 4231 test vector", "[log]") {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  CHECK(BsnHasher::fromKey("Jefe").hash("what do ya want for nothing?") == "h:5bdcc146bf60754e");
}

TEST_CASE("The BSN never appears in the pseudonym, and an empty BSN gives an empty one", "[log]") {
  const BsnHasher hasher = BsnHasher::fromKey(kKeyA);
  for (const std::string bsn : {"999900006", "111222333", "123456782"}) {
    CHECK(hasher.hash(bsn).find(bsn) == std::string::npos);
  }
  CHECK(hasher.hash("").empty());
}

TEST_CASE("A missing key file is created with mode 0600 and reused afterwards", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path key_file = dir.path() / "secrets" / "nested" / "bsn.key";
  auto created = BsnHasher::fromKeyFile(key_file);
  REQUIRE(created.status().toString() == "OK");
  CHECK(fs::file_size(key_file) == 32);
  CHECK(modeOf(key_file) == 0600);
  CHECK(modeOf(key_file.parent_path()) == 0700);
  const std::string bytes = iwmo::test::readFile(key_file);

  auto reused = BsnHasher::fromKeyFile(key_file);
  REQUIRE(reused.hasValue());
  CHECK(iwmo::test::readFile(key_file) == bytes);
  CHECK(reused->hash("999900006") == created->hash("999900006"));
  CHECK(BsnHasher::fromKey(bytes).hash("999900006") == created->hash("999900006"));
}

TEST_CASE("A key file readable by group or others is refused with the chmod fix", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path key_file = dir.path() / "bsn.key";
  iwmo::test::writeFile(key_file, kKeyA);
  REQUIRE(::chmod(key_file.c_str(), 0644) == 0);
  auto hasher = BsnHasher::fromKeyFile(key_file);
  REQUIRE_FALSE(hasher.hasValue());
  CHECK(hasher.status().code() == iwmo::StatusCode::kFailedPrecondition);
  CHECK_THAT(hasher.status().message(),
             Catch::Contains("chmod 600 " + key_file.string()) && Catch::Contains("0644"));

  REQUIRE(::chmod(key_file.c_str(), 0600) == 0);
  CHECK(BsnHasher::fromKeyFile(key_file).hasValue());
}

TEST_CASE("A key file of the wrong size is refused", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path key_file = dir.path() / "bsn.key";
  iwmo::test::writeFile(key_file, "too short");
  REQUIRE(::chmod(key_file.c_str(), 0600) == 0);
  auto hasher = BsnHasher::fromKeyFile(key_file);
  REQUIRE_FALSE(hasher.hasValue());
  CHECK(hasher.status().code() == iwmo::StatusCode::kFailedPrecondition);
  CHECK_THAT(hasher.status().message(),
             Catch::Contains(key_file.string()) && Catch::Contains("expected 32"));
}

TEST_CASE("Concurrent first users of a key file all end up with the same key", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path key_file = dir.path() / "bsn.key";
  constexpr int kRacers = 8;
  std::vector<std::string> pseudonyms(kRacers);
  std::vector<std::string> errors(kRacers);
  {
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.emplace_back([&, i] {
        auto hasher = BsnHasher::fromKeyFile(key_file);
        const auto index = static_cast<std::size_t>(i);
        if (hasher) pseudonyms[index] = hasher->hash("999900006");
        else errors[index] = hasher.status().toString();
      });
    }
    for (std::thread& racer : racers) racer.join();
  }
  for (int i = 0; i < kRacers; ++i) {
    const auto index = static_cast<std::size_t>(i);
    INFO(errors[index]);
    CHECK(pseudonyms[index] == pseudonyms[0]);
    CHECK_FALSE(pseudonyms[index].empty());
  }
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);  // no temporary file left behind
}
