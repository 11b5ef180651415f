// DirectorySink (DESIGN §5.1 step 6): write-then-rename into a directory, one sync per batch, the
// same name twice gives one file, unsafe names are refused, and a directory removed while the
// gateway runs is made again at the next attempt (issue 17: no restart to recover).
#include "adapters/transport/directory_sink.h"

#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace fs = std::filesystem;

TEST_CASE(
    "directory sink: writes the file whole under its name, and the same name again replaces it",
    "[transport][sink]") {
  iwmo::test::TempDir dir;
  iwmo::transport::DirectorySink sink(dir.path() / "out");
  std::string where;
  REQUIRE(sink.deliver("a.xml", "<a/>", where).isOk());
  CHECK(where == (dir.path() / "out/a.xml").string());
  REQUIRE(sink.deliver("a.xml", "<a/>", where).isOk());
  REQUIRE(sink.sync().isOk());
  CHECK(std::distance(fs::directory_iterator(dir.path() / "out"), fs::directory_iterator()) ==
        1);  // no temporary left
  CHECK(iwmo::test::readFile(dir.path() / "out/a.xml") == "<a/>");
}

TEST_CASE("directory sink: refuses a name that would leave its directory or hide as a temporary",
          "[transport][sink]") {
  iwmo::test::TempDir dir;
  iwmo::transport::DirectorySink sink(dir.path() / "out");
  std::string where;
  for (const std::string name : {"", "../a.xml", "sub/a.xml", ".a.xml.tmp"}) {
    const iwmo::Status status = sink.deliver(name, "<a/>", where);
    CHECK_FALSE(status.isOk());
    CHECK(status.message().find("refusing to deliver") != std::string::npos);
  }
}

TEST_CASE(
    "directory sink: a directory removed while running fails the attempt with the reason, and "
    "the next attempt after it is back (or can be made) delivers",
    "[transport][sink]") {
  iwmo::test::TempDir dir;
  const fs::path out = dir.path() / "out";
  iwmo::transport::DirectorySink sink(out);
  std::string where;
  REQUIRE(sink.deliver("a.xml", "<a/>", where).isOk());

  fs::remove_all(out);
  iwmo::test::writeFile(out, "a file where the directory was");
  iwmo::Status failed = sink.deliver("b.xml", "<b/>", where);
  REQUIRE_FALSE(failed.isOk());
  CHECK(failed.message().find("was removed") != std::string::npos);
  failed = sink.deliver("b.xml", "<b/>", where);  // it cannot be made while the file stands there
  REQUIRE_FALSE(failed.isOk());
  CHECK(failed.message().find("Not a directory") != std::string::npos);

  fs::remove(out);  // the operator clears the way; the sink makes the directory itself
  REQUIRE(sink.deliver("b.xml", "<b/>", where).isOk());
  REQUIRE(sink.sync().isOk());
  CHECK(iwmo::test::readFile(out / "b.xml") == "<b/>");
}
