#include "gateway/log/routing_log.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace fs = std::filesystem;
using iwmo::log::LogFileWriter;
using iwmo::log::logFilesInOrder;
using iwmo::log::seqOf;
using iwmo::log::withSeq;

namespace {

std::string line(std::uint64_t seq) {
  return withSeq(seq, R"({"event":"received","message_type":"WMO305"})");
}

std::vector<std::string> linesOf(const fs::path& file) {
  std::istringstream in(iwmo::test::readFile(file));
  std::vector<std::string> lines;
  for (std::string text; std::getline(in, text);) lines.push_back(text);
  return lines;
}

std::vector<std::uint64_t> seqsOf(const std::vector<fs::path>& files) {
  std::vector<std::uint64_t> seqs;
  for (const fs::path& file : files) {
    for (const std::string& text : linesOf(file)) seqs.push_back(seqOf(text).value_or(0));
  }
  return seqs;
}

}  // namespace

TEST_CASE("withSeq puts seq first and seqOf reads it back", "[log]") {
  CHECK(withSeq(42, R"({"event":"received"})") == R"({"seq":42,"event":"received"})");
  CHECK(withSeq(7, "{}") == R"({"seq":7})");
  CHECK(withSeq(7, "{ }\n") == R"({"seq":7})");
  CHECK(seqOf(withSeq(42, R"({"event":"received"})")) == 42u);
  CHECK(seqOf(R"({"seq":18446744073709551615})") == 18446744073709551615ull);
  CHECK(seqOf(R"({ "event":"x", "seq": 9 })") == 9u);
  CHECK_FALSE(seqOf(R"({"event":"received"})").has_value());
  CHECK_FALSE(seqOf(R"({"seq":"9"})").has_value());
  CHECK_FALSE(seqOf(R"({"seq":-1})").has_value());
  CHECK_FALSE(seqOf(R"({"seq":12)").has_value());
  CHECK_FALSE(seqOf("not json").has_value());
  CHECK_FALSE(seqOf("").has_value());
}

TEST_CASE("Rotation keeps the configured number of files and logFilesInOrder orders them",
          "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "log" / "routing.log";
  const std::size_t line_bytes = line(100).size() + 1;
  // Three lines per file: seqs 100..115 fill six files, of which keep=3 rotated ones survive.
  auto writer = LogFileWriter::open(path, {.max_bytes = 3 * line_bytes, .keep = 3});
  REQUIRE(writer.status().toString() == "OK");
  for (std::uint64_t seq = 100; seq < 115; seq += 2) {
    const std::vector<std::string> batch = {line(seq), line(seq + 1)};
    REQUIRE(writer->append(batch).isOk());
  }
  const std::vector<fs::path> files = logFilesInOrder(path);
  REQUIRE(files.size() == 4);
  CHECK(files[0] == fs::path(path.string() + ".3"));
  CHECK(files[1] == fs::path(path.string() + ".2"));
  CHECK(files[2] == fs::path(path.string() + ".1"));
  CHECK(files[3] == path);
  CHECK_FALSE(fs::exists(path.string() + ".4"));
  for (const fs::path& file : files) CHECK(fs::file_size(file) <= 3 * line_bytes);
  // Oldest first, gap-free up to the last line; the oldest lines were dropped with path.4.
  const std::vector<std::uint64_t> seqs = seqsOf(files);
  REQUIRE_FALSE(seqs.empty());
  CHECK(seqs.back() == 115u);
  for (std::size_t i = 1; i < seqs.size(); ++i) CHECK(seqs[i] == seqs[i - 1] + 1);
  CHECK(seqs.size() == 10);
  CHECK(writer->lastSeq() == 115u);
}

TEST_CASE("logFilesInOrder ignores unrelated names and lists only files that exist", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  CHECK(logFilesInOrder(path).empty());
  iwmo::test::writeFile(dir.path() / "routing.log.10", "");
  iwmo::test::writeFile(dir.path() / "routing.log.2", "");
  iwmo::test::writeFile(dir.path() / "routing.log.tmp", "");
  iwmo::test::writeFile(dir.path() / "routing.log.0", "");
  iwmo::test::writeFile(dir.path() / "other.log.1", "");
  const std::vector<fs::path> files = logFilesInOrder(path);
  REQUIRE(files.size() == 2);
  CHECK(files[0].filename() == "routing.log.10");
  CHECK(files[1].filename() == "routing.log.2");
}

TEST_CASE("lastSeq survives reopening, also right after a rotation", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  {
    auto writer = LogFileWriter::open(path, {});
    REQUIRE(writer.hasValue());
    CHECK(writer->lastSeq() == 0u);
    REQUIRE(writer->append({line(1), line(2), line(3)}).isOk());
  }
  {
    auto writer = LogFileWriter::open(path, {});
    REQUIRE(writer.hasValue());
    CHECK(writer->lastSeq() == 3u);
  }
  // A crash between renaming path to path.1 and writing to the new file: path is empty.
  fs::rename(path, path.string() + ".1");
  auto writer = LogFileWriter::open(path, {});
  REQUIRE(writer.hasValue());
  CHECK(writer->lastSeq() == 3u);
  REQUIRE(writer->append({line(4)}).isOk());
  CHECK(writer->lastSeq() == 4u);
  CHECK(seqsOf(logFilesInOrder(path)) == std::vector<std::uint64_t>{1, 2, 3, 4});
}

TEST_CASE("A torn last line is cut off on open", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  const std::string complete = line(1) + "\n" + line(2) + "\n";
  iwmo::test::writeFile(path, complete + R"({"seq":3,"event":"rec)");
  auto writer = LogFileWriter::open(path, {});
  REQUIRE(writer.hasValue());
  CHECK(writer->lastSeq() == 2u);
  CHECK(iwmo::test::readFile(path) == complete);
  REQUIRE(writer->append({line(3)}).isOk());
  CHECK(iwmo::test::readFile(path) == complete + line(3) + "\n");
}

TEST_CASE("A file that is one torn line becomes empty on open", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  iwmo::test::writeFile(path, R"({"seq":1,"ev)");
  auto writer = LogFileWriter::open(path, {});
  REQUIRE(writer.hasValue());
  CHECK(writer->lastSeq() == 0u);
  CHECK(fs::file_size(path) == 0);
}

TEST_CASE("visitLinesBackward reads the newest lines first across rotated files", "[log]") {
  iwmo::test::TempDir dir;
  const fs::path path = dir.path() / "routing.log";
  // A line longer than the reader's 64 KiB chunk.
  const std::string long_line =
      withSeq(2, R"({"detail":")" + std::string(100 * 1024, 'x') + R"("})");
  iwmo::test::writeFile(path.string() + ".1", line(1) + "\n" + long_line + "\n");
  iwmo::test::writeFile(path, line(3) + "\n" + line(4) + "\n" + "torn");
  std::vector<std::uint64_t> seqs;
  std::vector<std::size_t> sizes;
  REQUIRE(iwmo::log::visitLinesBackward(path, [&](std::string_view text) {
            seqs.push_back(seqOf(text).value_or(0));
            sizes.push_back(text.size());
            return true;
          }).isOk());
  CHECK(seqs == std::vector<std::uint64_t>{4, 3, 2, 1});
  CHECK(sizes[2] == long_line.size());

  seqs.clear();
  REQUIRE(iwmo::log::visitLinesBackward(path, [&](std::string_view text) {
            seqs.push_back(seqOf(text).value_or(0));
            return seqs.size() < 2;
          }).isOk());
  CHECK(seqs == std::vector<std::uint64_t>{4, 3});

  CHECK(iwmo::log::visitLinesBackward(dir.path() / "absent.log", [](std::string_view) {
          return true;
        }).code() == iwmo::StatusCode::kNotFound);
}
