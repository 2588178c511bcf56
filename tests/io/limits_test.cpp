// Input limits of io (core/limits.hpp) and the delimited-text rules io tables share with batch
// (io/records.hpp). Hostile inputs are generated here.

#include "metasift/core/limits.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/records.hpp"
#include "metasift/io/table.hpp"
#include "support/time_budget.hpp"

namespace {

using namespace metasift;

std::string error_of(const auto& body) {
  try {
    body();
  } catch (const error& e) {
    return e.what();
  }
  return "";
}

double seconds_of(const auto& body) {
  const auto t0 = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(IoLimits, DeviceInputIsCappedWhereARegularFileIsNot) {
  const std::string m = error_of([] { (void)io::read_file("/dev/zero", std::uint64_t{1} << 20U); });
  EXPECT_EQ(m,
            "/dev/zero: input from a pipe or device is longer than 1048576 bytes (limit max_stream_input_bytes); "
            "save it to a regular file first");
  // The default cap ends /dev/urandom too, in bounded time.
  double secs = 0;
  std::string m2;
  secs = seconds_of([&] { m2 = error_of([] { (void)io::read_file("/dev/urandom"); }); });
  EXPECT_NE(m2.find("limit max_stream_input_bytes"), std::string::npos) << m2;
  EXPECT_LT(secs, metasift::test::time_budget(20.0));
  // Exactly the cap is still read: /dev/null has 0 bytes and a cap of 0.
  EXPECT_EQ(io::read_file("/dev/null", 0), "");
}

TEST(IoLimits, FieldAndLineLimitsNameTheirPosition) {
  const std::string big(limits::max_field_bytes + 1, 'x');
  std::string m = error_of([&] { (void)io::parse_table("a,b\n1," + big + "\n", "t.csv"); });
  EXPECT_EQ(m, "t.csv:2:3: field longer than 16777216 bytes (limit max_field_bytes)");
  m = error_of([&] { (void)io::parse_table("a,b\n1,\"" + big + "\"\n", "t.csv"); });
  EXPECT_EQ(m, "t.csv:2:3: field longer than 16777216 bytes (limit max_field_bytes)");
  // Many short fields on one line: the line limit.
  std::string header = "a";
  std::string row = "1";
  const std::size_t n = limits::max_line_bytes / 8 + 2;
  header.reserve(n * 8);
  row.reserve(n * 8);
  for (std::size_t i = 1; i < n; ++i) {
    header += ",c" + std::to_string(i);
    row += ",1234567";
  }
  m = error_of([&] { (void)io::parse_table(header + "\n" + row + "\n", "w.csv"); });
  EXPECT_NE(m.find("w.csv:1:"), std::string::npos) << m.substr(0, 200);
  EXPECT_NE(m.find("line longer than 33554432 bytes (limit max_line_bytes)"), std::string::npos) << m.substr(0, 200);
}

TEST(IoLimits, DuplicateColumnCheckIsLinear) {
  // 300,000 distinct names and a duplicate at the very end (case-insensitive).
  std::string text = "c0";
  for (int i = 1; i < 300000; ++i) text += ",c" + std::to_string(i);
  text += ",C17\n";
  std::string m;
  const double secs = seconds_of([&] { m = error_of([&] { (void)io::parse_table(text, "wide.csv"); }); });
  EXPECT_NE(m.find("duplicate column name 'C17' (also column 18 'c17'; names ignore case)"), std::string::npos) << m;
  EXPECT_LT(secs, metasift::test::time_budget(5.0));
  const auto dup = io::find_duplicate_name({"a", "", "b", "", "A"});
  ASSERT_TRUE(dup.has_value());
  EXPECT_EQ(dup->first, 0U);
  EXPECT_EQ(dup->second, 4U);
  EXPECT_FALSE(io::find_duplicate_name({"a", "", "", "b"}).has_value());  // empty names never clash
}

TEST(IoRecords, RecordEndFollowsQuotesAcrossLines) {
  const std::string t = "a,\"x\ny\",1\r\nb,2\n\"open\n";
  const std::size_t e1 = io::record_end(t, 0, ',');
  EXPECT_EQ(t.substr(0, e1), "a,\"x\ny\",1\r\n");
  const std::size_t e2 = io::record_end(t, e1, ',');
  EXPECT_EQ(t.substr(e1, e2 - e1), "b,2\n");
  EXPECT_EQ(io::record_end(t, e2, ','), std::string::npos);  // a quote still open at the end
  // A quote inside an unquoted field is text (5" screen), not the start of a quoted field.
  const std::string inch = "5\" screen,1\nnext\n";
  EXPECT_EQ(inch.substr(0, io::record_end(inch, 0, ',')), "5\" screen,1\n");

  std::vector<std::string> cells;
  io::split_record("a,\"x\r\ny \"\"q\"\"\",1\r\n", ',', "f.csv", 7, cells);
  ASSERT_EQ(cells.size(), 3U);
  EXPECT_EQ(cells[1], "x\ny \"q\"");
  EXPECT_EQ(error_of([&] { io::split_record("a,\"x\ny\n", ',', "f.csv", 7, cells); }),
            "f.csv:7:3: quoted field is never closed");
}

TEST(IoRecords, NumbersFollowOneRule) {
  double x = 0;
  EXPECT_EQ(io::parse_number(" 0,5 ", true, x), io::number_status::ok);
  EXPECT_EQ(x, 0.5);
  EXPECT_EQ(io::parse_number("0,5", false, x), io::number_status::comma_not_allowed);
  EXPECT_EQ(io::parse_number("1e400", false, x), io::number_status::out_of_range);
  EXPECT_EQ(io::parse_number("-inf", false, x), io::number_status::non_finite);
  EXPECT_EQ(io::parse_number("NA", false, x), io::number_status::missing);
  EXPECT_EQ(io::parse_number("1e308", false, x), io::number_status::ok);
  EXPECT_EQ(x, 1e308);
  EXPECT_EQ(io::number_problem(io::number_status::out_of_range, "1e400"), "number out of range: \"1e400\"");
  const io::table t = io::parse_table("a;b\nx;1,5\n", "t.csv");
  EXPECT_FALSE(t.try_number(0, 0).has_value());
  EXPECT_EQ(t.try_number(0, 1).value_or(0), 1.5);
}

TEST(IoRecords, MessagesCannotCarryControlBytes) {
  EXPECT_EQ(io::clip_for_message("a\x1b[31mb\xff", 200), "a?[31mb?");
  EXPECT_EQ(io::clip_for_message(std::string(300, 'z'), 10), std::string(10, 'z') + "...");
}

}  // namespace
