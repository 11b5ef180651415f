// CsvTable (gateway/base/csv.h): the strict RFC 4180 reader for operator CSV imports.
#include "gateway/base/csv.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using iwmo::CsvTable;
using iwmo::StatusCode;

namespace {

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("CsvTable reads a header and rows, each with its line", "[csv]") {
  const auto table = CsvTable::parse("code,name\n0363,Amsterdam\n0599,Rotterdam\n", "t.csv");
  REQUIRE(table);
  CHECK(table->header() == Fields{"code", "name"});
  REQUIRE(table->rows().size() == 2);
  CHECK(table->rows()[0].fields == Fields{"0363", "Amsterdam"});
  CHECK(table->rows()[0].line == 2);
  CHECK(table->rows()[1].fields == Fields{"0599", "Rotterdam"});
  CHECK(table->rows()[1].line == 3);
  CHECK(table->column("code") == std::optional<std::size_t>(0));
  CHECK(table->column("name") == std::optional<std::size_t>(1));
  CHECK_FALSE(table->column("Name").has_value());
}

TEST_CASE("CsvTable: a last line without a newline and empty fields are kept", "[csv]") {
  const auto table = CsvTable::parse("a,b,c\n1,,\n,,3", "t.csv");
  REQUIRE(table);
  REQUIRE(table->rows().size() == 2);
  CHECK(table->rows()[0].fields == Fields{"1", "", ""});
  CHECK(table->rows()[1].fields == Fields{"", "", "3"});
}

TEST_CASE("CsvTable: quoted fields hold commas, doubled quotes and line breaks", "[csv]") {
  const std::string text =
      "code,name,note\n"
      "0001,\"Bergen, NH\",plain\n"
      "0002,\"say \"\"hi\"\"\",\"\"\n"
      "0003,\"two\nlines\",x\n"
      "0004,after,\"a,\"\"b\"\",\nc\"\n";
  const auto table = CsvTable::parse(text, "q.csv");
  REQUIRE(table);
  REQUIRE(table->rows().size() == 4);
  CHECK(table->rows()[0].fields == Fields{"0001", "Bergen, NH", "plain"});
  CHECK(table->rows()[1].fields == Fields{"0002", "say \"hi\"", ""});
  CHECK(table->rows()[2].fields == Fields{"0003", "two\nlines", "x"});
  CHECK(table->rows()[2].line == 4);
  // The row after a two-line field starts on line 6.
  CHECK(table->rows()[3].line == 6);
  CHECK(table->rows()[3].fields == Fields{"0004", "after", "a,\"b\",\nc"});
}

TEST_CASE("CsvTable: CRLF line ends are accepted and not part of the fields", "[csv]") {
  const auto table = CsvTable::parse("code,name\r\n0363,Amsterdam\r\n0599,\"Rotterdam\"\r\n", "crlf.csv");
  REQUIRE(table);
  CHECK(table->header() == Fields{"code", "name"});
  REQUIRE(table->rows().size() == 2);
  CHECK(table->rows()[0].fields == Fields{"0363", "Amsterdam"});
  CHECK(table->rows()[1].fields == Fields{"0599", "Rotterdam"});
  CHECK(table->rows()[1].line == 3);
}

TEST_CASE("CsvTable: a UTF-8 byte order mark before the header is dropped", "[csv]") {
  const auto table = CsvTable::parse("\xEF\xBB\xBF" "code,name\n0363,Amsterdam\n", "bom.csv");
  REQUIRE(table);
  CHECK(table->header() == Fields{"code", "name"});
  CHECK(table->column("code") == std::optional<std::size_t>(0));
  REQUIRE(table->rows().size() == 1);
  CHECK(table->rows()[0].line == 2);
}

TEST_CASE("CsvTable: '#' lines before the header are comments and still count as lines", "[csv]") {
  const std::string text =
      "\xEF\xBB\xBF# exported by the register\r\n"
      "# second comment, with \"quotes\" and, commas\n"
      "\n"
      "code,name\n"
      "0363,Amsterdam\n"
      "\n"
      "0599,Rotterdam\n";
  const auto table = CsvTable::parse(text, "c.csv");
  REQUIRE(table);
  CHECK(table->header() == Fields{"code", "name"});
  REQUIRE(table->rows().size() == 2);
  CHECK(table->rows()[0].line == 5);
  CHECK(table->rows()[1].line == 7);
}

TEST_CASE("CsvTable: after the header a '#' line is data, not a comment", "[csv]") {
  const auto one_column = CsvTable::parse("note\n#not a comment\n", "h.csv");
  REQUIRE(one_column);
  REQUIRE(one_column->rows().size() == 1);
  CHECK(one_column->rows()[0].fields == Fields{"#not a comment"});

  const auto two_columns = CsvTable::parse("code,name\n0363,Amsterdam\n# a comment too late\n", "h.csv");
  REQUIRE_FALSE(two_columns);
  CHECK_THAT(two_columns.status().message(), Catch::StartsWith("h.csv:3: "));
}

TEST_CASE("CsvTable: a wrong field count names the line where the row starts", "[csv]") {
  SECTION("too few") {
    const auto table = CsvTable::parse("a,b,c\n1,2,3\n4,5\n", "few.csv");
    REQUIRE_FALSE(table);
    CHECK(table.status().code() == StatusCode::kInvalid);
    CHECK_THAT(table.status().message(), Catch::StartsWith("few.csv:3: "));
    CHECK_THAT(table.status().message(), Catch::Contains("2 fields"));
    CHECK_THAT(table.status().message(), Catch::Contains("3"));
  }
  SECTION("too many, after comments and a multi-line field") {
    const std::string text =
        "# comment\n"
        "a,b\n"
        "1,\"x\ny\"\n"
        "2,3,4\n";
    const auto table = CsvTable::parse(text, "many.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("many.csv:5: "));
    CHECK_THAT(table.status().message(), Catch::Contains("3 fields"));
  }
  SECTION("a row that itself spans lines is named by its first line") {
    const auto table = CsvTable::parse("a,b\n1,2\n\"x\ny\"\n", "span.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("span.csv:3: "));
  }
}

TEST_CASE("CsvTable: an unclosed quote is an error naming the row's line", "[csv]") {
  const auto table = CsvTable::parse("a,b\n1,2\n3,\"never closed\n4,5\n", "open.csv");
  REQUIRE_FALSE(table);
  CHECK(table.status().code() == StatusCode::kInvalid);
  CHECK_THAT(table.status().message(), Catch::StartsWith("open.csv:3: "));
  CHECK_THAT(table.status().message(), Catch::Contains("not closed"));
}

TEST_CASE("CsvTable: stray quotes and bare carriage returns are refused", "[csv]") {
  SECTION("text after a closing quote") {
    const auto table = CsvTable::parse("a,b\n\"x\"y,2\n", "s.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("s.csv:2: "));
  }
  SECTION("a quote inside an unquoted field") {
    const auto table = CsvTable::parse("a,b\n1,2\nx\"y,2\n", "s.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("s.csv:3: "));
    CHECK_THAT(table.status().message(), Catch::Contains("quote"));
  }
  SECTION("a bare CR") {
    const auto table = CsvTable::parse("a,b\n1,2\r3,4\n", "s.csv");
    REQUIRE_FALSE(table);
    CHECK_THAT(table.status().message(), Catch::StartsWith("s.csv:2: "));
    CHECK_THAT(table.status().message(), Catch::Contains("carriage return"));
  }
}

TEST_CASE("CsvTable: a file without a header is an error", "[csv]") {
  for (const char* text : {"", "\n\n", "# only a comment\n", "\xEF\xBB\xBF"}) {
    INFO("text: " << text);
    const auto table = CsvTable::parse(text, "empty.csv");
    REQUIRE_FALSE(table);
    CHECK(table.status().code() == StatusCode::kInvalid);
    CHECK_THAT(table.status().message(), Catch::StartsWith("empty.csv"));
    CHECK_THAT(table.status().message(), Catch::Contains("header"));
  }
}

TEST_CASE("CsvTable::requireColumns names the missing columns and the header line", "[csv]") {
  const auto table = CsvTable::parse("# comment\n# another\ncode,naam,extra\n0363,Amsterdam,x\n", "g.csv");
  REQUIRE(table);
  CHECK(table->requireColumns({"code"}).isOk());
  CHECK(table->requireColumns({"code", "naam", "extra"}).isOk());
  CHECK(table->requireColumns({}).isOk());

  const auto missing = table->requireColumns({"code", "name", "valid_from"});
  REQUIRE_FALSE(missing.isOk());
  CHECK(missing.code() == StatusCode::kInvalid);
  const std::string& message = missing.message();
  CHECK_THAT(message, Catch::StartsWith("g.csv:3: "));
  CHECK_THAT(message, Catch::Contains("name, valid_from"));
  CHECK_THAT(message, Catch::Contains("code,name,valid_from"));
  // A column that is present is not reported as missing.
  CHECK_THAT(message, !Catch::Contains("lacks column(s) code"));
}

TEST_CASE("issue 16: a CSV that is not UTF-8 is refused with its line, before anything is imported", "[csv][issue16]") {
  const auto table = CsvTable::parse("address,type\nA1,ggz-clinic\nCAF\xe9-1,ggz-clinic\n", "inst.csv");
  REQUIRE_FALSE(table);
  CHECK(table.status().code() == StatusCode::kInvalid);
  CHECK_THAT(table.status().message(), Catch::Contains("inst.csv:3: byte 0xE9 is not UTF-8") &&
                                           Catch::Contains("save the file as UTF-8"));
  CHECK(CsvTable::parse("address,type\nCAF\xc3\xa9-1,ggz-clinic\n", "inst.csv"));  // é in UTF-8 is fine
}
