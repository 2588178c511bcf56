// Streams: gzip written by output_sink reads back through byte_source, concatenated members are one
// stream, a truncated gzip file is an input_error that says so, and line_chunker keeps lines whole.

#include "metasift/batch/stream.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_support.hpp"
#include "metasift/core/error.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::batch;

fs::path temp_dir() {
  return metasift::test::scratch("stream");
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_all(const std::string& path) {
  byte_source s(path);
  std::string out;
  char buf[4096];
  while (const std::size_t n = s.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

std::string sample_text() {
  std::string t;
  for (int i = 0; i < 50000; ++i) t += "line " + std::to_string(i) + "\tvalue " + std::to_string(i * 7) + "\n";
  return t;
}

TEST(Streams, GzipRoundTripAndPlainPassThrough) {
  const fs::path d = temp_dir();
  const std::string text = sample_text();
  {
    output_sink out((d / "a.tsv.gz").string());
    out.write(text.substr(0, 1000));
    out.write(text.substr(1000));
    out.commit();
  }
  {
    output_sink out((d / "a.tsv").string());
    out.write(text);
    out.commit();
  }
  EXPECT_LT(fs::file_size(d / "a.tsv.gz"), text.size() / 3);
  EXPECT_EQ(read_all((d / "a.tsv.gz").string()), text);
  EXPECT_EQ(read_all((d / "a.tsv").string()), text);
  byte_source s((d / "a.tsv.gz").string());
  EXPECT_TRUE(s.compressed());
}

TEST(Streams, ConcatenatedGzipMembersReadAsOneStream) {
  const fs::path d = temp_dir();
  {
    output_sink a((d / "m1.gz").string());
    a.write("first\n");
    a.commit();
    output_sink b((d / "m2.gz").string());
    b.write("second\n");
    b.commit();
  }
  std::ofstream(d / "both.gz", std::ios::binary) << slurp(d / "m1.gz") << slurp(d / "m2.gz");
  EXPECT_EQ(read_all((d / "both.gz").string()), "first\nsecond\n");
}

TEST(Streams, TruncatedGzipIsAnInputErrorThatSaysSo) {
  const fs::path d = temp_dir();
  {
    output_sink out((d / "t.gz").string());
    out.write(sample_text());
    out.commit();
  }
  const std::string whole = slurp(d / "t.gz");
  std::ofstream(d / "cut.gz", std::ios::binary) << whole.substr(0, whole.size() / 2);
  try {
    static_cast<void>(read_all((d / "cut.gz").string()));
    FAIL() << "no error for a truncated gzip file";
  } catch (const metasift::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated gzip"), std::string::npos) << e.what();
  }
  // Only the 8-byte trailer missing: still truncated.
  std::ofstream(d / "cut2.gz", std::ios::binary) << whole.substr(0, whole.size() - 4);
  EXPECT_THROW(static_cast<void>(read_all((d / "cut2.gz").string())), metasift::input_error);
}

TEST(Streams, UncommittedOutputLeavesNoFile) {
  const fs::path d = temp_dir();
  fs::remove(d / "never.tsv");
  {
    output_sink out((d / "never.tsv").string());
    out.write("partial\n");
  }
  EXPECT_FALSE(fs::exists(d / "never.tsv"));
  for (const auto& e : fs::directory_iterator(d)) EXPECT_EQ(e.path().string().find("never.tsv.tmp"), std::string::npos);
}

TEST(Streams, LineChunkerKeepsLinesWholeAndAddsAFinalNewline) {
  const fs::path d = temp_dir();
  std::string text = sample_text();
  text += "last line without newline";
  std::ofstream(d / "lines.txt", std::ios::binary) << text;
  byte_source s((d / "lines.txt").string());
  line_chunker ch(s, 4096);
  std::string first, chunk, all;
  ASSERT_TRUE(ch.first_line(first));
  EXPECT_EQ(first, "line 0\tvalue 0");
  std::size_t chunks = 0;
  while (ch.next(chunk)) {
    ASSERT_EQ(chunk.back(), '\n');
    all += chunk;
    ++chunks;
  }
  EXPECT_GT(chunks, 100U);
  EXPECT_EQ(first + "\n" + all, text + "\n");
  EXPECT_EQ(count_lines(all), 50000U);
}

}  // namespace
