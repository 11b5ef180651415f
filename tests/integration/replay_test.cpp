// `iwmo-gateway replay`: the demo batch through the daemon's pipeline, twice, gives byte-identical
// outputs; a tar of the batch gives the same outputs as the directory; the summary counts add up.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/daemon_process.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

// Every file below `dir` except the SQLite journal, as relative path -> bytes.
std::map<std::string, std::string> outputs(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = fs::relative(entry.path(), dir).string();
    if (relative.rfind("journal.sqlite", 0) == 0) continue;
    files[relative] = iwmo::test::readFile(entry.path());
  }
  return files;
}

iwmo::test::CommandResult replay(const fs::path& config, const std::string& batch, const fs::path& out) {
  return iwmo::test::runCommand(iwmo::test::shellQuote(IWMO_GATEWAY_BINARY) + " --config " +
                                iwmo::test::shellQuote(config.string()) + " replay " +
                                iwmo::test::shellQuote(batch) + " --out " +
                                iwmo::test::shellQuote(out.string()));
}

}  // namespace

TEST_CASE("replay: the same batch and config give byte-identical outputs", "[integration][replay]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const std::string batch = (iwmo::test::sourceDir() / "demo/messages").string();
  const auto first = replay(config, batch, dir.path() / "one");
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  const auto second = replay(config, batch, dir.path() / "two");
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("replay summary:"));
  CHECK_THAT(first.out, Catch::Contains("p99"));

  const auto one = outputs(dir.path() / "one");
  const auto two = outputs(dir.path() / "two");
  CHECK(one.size() > 40);
  REQUIRE(one.size() == two.size());
  for (const auto& [name, bytes] : one) {
    INFO(name);
    REQUIRE(two.count(name) == 1);
    CHECK(two.at(name) == bytes);
  }

  // The summary: 30 valid demo messages routed, 10 rejected, nothing lost.
  const auto summary = nlohmann::json::parse(one.at("summary.json"));
  std::uint64_t routed = 0;
  std::uint64_t rejected = 0;
  for (const auto& [type, counts] : summary["per_type"].items()) {
    routed += counts.value("routed", 0ull);
    rejected += counts.value("rejected", 0ull);
  }
  const auto valid = iwmo::test::runCommand("ls " + batch + "/valid | wc -l");
  const auto invalid = iwmo::test::runCommand("ls " + batch + "/invalid | wc -l");
  // demo/messages/wrapped: StUF-GGk envelopes; one valid start, and three the gateway answers
  // itself (Fo01 StUF055, the retour with 0001, the 9056 retour).
  const auto wrapped = iwmo::test::runCommand("ls " + batch + "/wrapped | wc -l");
  REQUIRE(std::stoull(wrapped.out) == 4);
  CHECK(routed == std::stoull(valid.out) + 1);
  CHECK(rejected == std::stoull(invalid.out) + 3);
  CHECK(summary["per_rule"].value("ANSWER-FO01-STUF055", 0) == 1);
  CHECK(summary["per_rule"].value("ANSWER-RETOUR-0001", 0) == 1);
  CHECK(summary["per_rule"].value("ANSWER-RETOUR-9056", 0) == 1);
  CHECK(summary["messages"] == routed + rejected);
  // Routing-log lines carry logical time, so they are the same in both runs (checked above).
  CHECK_THAT(one.at("routing.log"), Catch::Contains("\"time\":\"2026-01-01T00:00:00.001000Z\""));

  // A second replay into a non-empty directory is refused unless --force.
  const auto refused = replay(config, batch, dir.path() / "one");
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("--force"));
}

TEST_CASE("replay: a tar archive gives the same outputs as the directory", "[integration][replay]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const fs::path demo = iwmo::test::sourceDir() / "demo/messages";
  const fs::path tar = dir.path() / "batch.tar.gz";
  // Members in the same (sorted) order as the directory walk.
  REQUIRE(iwmo::test::runCommand("cd " + iwmo::test::shellQuote(demo.string()) +
                                 " && find . -type f | LC_ALL=C sort | tar -czf " +
                                 iwmo::test::shellQuote(tar.string()) + " -T -")
              .exit_code == 0);
  REQUIRE(replay(config, demo.string(), dir.path() / "from-dir").exit_code == 0);
  const auto from_tar = replay(config, tar.string(), dir.path() / "from-tar");
  INFO(from_tar.err);
  REQUIRE(from_tar.exit_code == 0);
  auto a = outputs(dir.path() / "from-dir");
  auto b = outputs(dir.path() / "from-tar");
  // The delivered messages are the same; reports and the log name their source, which differs.
  for (auto* m : {&a, &b}) {
    std::erase_if(*m, [](const auto& entry) {
      return entry.first.rfind("backoffice/", 0) != 0 && entry.first.rfind("ggk/", 0) != 0;
    });
  }
  CHECK(!a.empty());
  std::string only_in_dir;
  std::string only_in_tar;
  for (const auto& [name, bytes] : a) {
    if (b.count(name) == 0) only_in_dir += name + " ";
  }
  for (const auto& [name, bytes] : b) {
    if (a.count(name) == 0) only_in_tar += name + " ";
  }
  CHECK(only_in_dir == "");
  CHECK(only_in_tar == "");
  for (const auto& [name, bytes] : a) {
    INFO(name);
    if (b.count(name) == 1) CHECK(b.at(name) == bytes);
  }
}

TEST_CASE("replay: a missing batch is a clear error", "[integration][replay]") {
  iwmo::test::TempDir dir;
  const auto config = iwmo::test::writeDaemonConfig(dir.path(), iwmo::test::freeLocalPort());
  const auto result = replay(config, (dir.path() / "nope").string(), dir.path() / "out");
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("no such replay batch"));
}
