// Hostile inputs to the streaming subcommands (and the whole-file readers next to them): endless
// devices, endless lines inside small gzip files, quoted newlines, random bytes after a valid
// header, and the cases where batch and gwas used to disagree with meta or give no answer. Every
// input is generated here; each run must end within seconds with a one-line error or the
// documented result.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "metasift/batch/stream.hpp"
#include "metasift/core/limits.hpp"
#include "support/time_budget.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::cli_result;
using metasift::test::run_metasift;
using metasift::test::scratch;
using metasift::test::slurp;
using metasift::test::spit;

std::size_t count_lines(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += c == '\n' ? 1 : 0;
  return n;
}

/// Runs metasift under `timeout` so that a regression (an endless loop) fails instead of hanging,
/// and measures the wall time.
cli_result timed(const std::string& args, double& seconds, const std::string& prefix = "") {
  const auto t0 = std::chrono::steady_clock::now();
  cli_result r = run_metasift(args, prefix + " timeout 60");
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

void expect_one_line_error(const cli_result& r, const std::string& needle) {
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(count_lines(r.err), 1U) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
}

// ---- endless sources ----------------------------------------------------------------------------

TEST(HostileInput, DevZeroEndsWithTheLimitNamed) {
  const fs::path d = scratch("devzero");
  struct c {
    std::string args, needle;
  };
  const std::vector<c> cases = {
      {"meta /dev/zero", "max_stream_input_bytes"},
      {"import /dev/zero --format csv", "max_stream_input_bytes"},
      {"batch /dev/zero", "max_line_bytes"},
      {"gwas /dev/zero /dev/zero --out " + (d / "g.tsv").string(), "max_line_bytes"},
  };
  for (const auto& k : cases) {
    double secs = 0;
    const cli_result r = timed(k.args, secs);
    SCOPED_TRACE(k.args);
    expect_one_line_error(r, k.needle);
    EXPECT_LT(secs, metasift::test::time_budget(20.0));
  }
  EXPECT_FALSE(fs::exists(d / "g.tsv"));
}

TEST(HostileInput, DevUrandomEndsWithAnError) {
  const fs::path d = scratch("urandom");
  for (const std::string& args :
       {std::string("meta /dev/urandom"), std::string("import /dev/urandom --format csv"),
        std::string("batch /dev/urandom"), "gwas /dev/urandom /dev/urandom --out " + (d / "g.tsv").string()}) {
    double secs = 0;
    const cli_result r = timed(args, secs);
    SCOPED_TRACE(args);
    // Random bytes decide which check fails first: usually the data (3), but a first line that
    // happens to be valid UTF-8 makes batch ask for --measure (2). Never 0, 1 or a signal.
    EXPECT_TRUE(r.code == 3 || r.code == 2) << r.code << " " << r.err;
    EXPECT_EQ(count_lines(r.err), 1U) << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_LT(secs, metasift::test::time_budget(20.0));
  }
}

TEST(HostileInput, RandomBytesAfterAValidHeaderStop) {
  // An endless stream that has line ends but never a usable row: batch and gwas used to read it
  // forever. `cat` is killed by SIGPIPE once metasift gives up.
  double secs = 0;
  cli_result r = timed("batch - --group g", secs, "(printf 'g,yi,vi\\n'; cat /dev/urandom) |");
  expect_one_line_error(r, "max_junk_rows");
  EXPECT_LT(secs, metasift::test::time_budget(20.0));

  const fs::path d = scratch("urandom_rows");
  spit(d / "ok.txt", "SNP CHR BP A1 A2 BETA SE\nrs1 1 100 A G 0.1 0.05\n");
  for (const std::string merge : {"hash", "stream"}) {
    r = timed("gwas - " + (d / "ok.txt").string() + " --merge " + merge + " --out " + (d / "g.tsv").string(), secs,
              "(printf 'SNP CHR BP A1 A2 BETA SE\\n'; cat /dev/urandom) |");
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_EQ(count_lines(r.err), 1U) << r.err;
    EXPECT_LT(secs, metasift::test::time_budget(20.0));
  }
  // Automatic merge: unsorted junk rows would switch to the hash join, which cannot re-read a pipe.
  r = timed("gwas - " + (d / "ok.txt").string() + " --out " + (d / "g.tsv").string(), secs,
            "(printf 'SNP CHR BP A1 A2 BETA SE\\n'; cat /dev/urandom) |");
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(count_lines(r.err), 1U) << r.err;
  EXPECT_FALSE(fs::exists(d / "g.tsv"));
}

// ---- one endless line in a small gzip file -------------------------------------------------------

/// Writes a gzip file whose first lines are `head` followed by `n` bytes of 'a' without a line end:
/// 64 MiB compress to well under a megabyte.
void write_gzip_long_line(const fs::path& p, const std::string& head, std::size_t n) {
  metasift::batch::output_sink out(p.string());
  out.write(head);
  const std::string block(std::size_t{1} << 20U, 'a');
  for (std::size_t done = 0; done < n; done += block.size()) out.write(block);
  out.commit();
}

TEST(HostileInput, LongLineInASmallGzipStopsAtTheLineLimit) {
  const fs::path d = scratch("gzline");
  const std::size_t n = metasift::limits::max_line_bytes * 2;
  write_gzip_long_line(d / "c.txt.gz", "SNP CHR BP A1 A2 BETA SE\nrs1 1 100 A G 0.1 0.05\n", n);
  write_gzip_long_line(d / "b.csv.gz", "g,yi,vi\na,0.1,0.01\n", n);
  EXPECT_LT(fs::file_size(d / "c.txt.gz"), std::uintmax_t{2} << 20U);

  double secs = 0;
  cli_result r = timed(
      "gwas " + (d / "c.txt.gz").string() + " " + (d / "c.txt.gz").string() + " --out " + (d / "g.tsv").string(), secs);
  expect_one_line_error(r, "c.txt.gz:3: line longer than");
  EXPECT_NE(r.err.find("after decompression"), std::string::npos) << r.err;
  EXPECT_LT(secs, metasift::test::time_budget(20.0));

  r = timed("batch " + (d / "b.csv.gz").string() + " --group g", secs);
  expect_one_line_error(r, "b.csv.gz:3: line longer than");
  EXPECT_LT(secs, metasift::test::time_budget(20.0));
}

// ---- batch: quoted newlines (RFC 4180) -----------------------------------------------------------

TEST(HostileInput, BatchReadsAQuotedNewlineAsPartOfOneRecord) {
  const fs::path d = scratch("quoted_nl");
  // The same data twice; in the first, study labels hold line ends (LF and CRLF).
  spit(d / "nl.csv",
       "g,study,yi,vi\r\n"
       "a,\"Smith\r\n2001\",0.1,0.01\r\n"
       "a,\"Jones\n(2003)\",0.3,0.02\r\n"
       "b,\"Lee\n\n2004\",0.2,0.01\r\n"
       "b,Kim,0.5,0.04\r\n"
       "b,Park,oops,0.04\r\n");
  spit(d / "flat.csv",
       "g,study,yi,vi\n"
       "a,Smith 2001,0.1,0.01\n"
       "a,Jones (2003),0.3,0.02\n"
       "b,Lee 2004,0.2,0.01\n"
       "b,Kim,0.5,0.04\n"
       "b,Park,oops,0.04\n");
  const cli_result nl = run_metasift("batch " + (d / "nl.csv").string() + " --group g");
  const cli_result flat = run_metasift("batch " + (d / "flat.csv").string() + " --group g");
  ASSERT_EQ(nl.code, 0) << nl.err;
  ASSERT_EQ(flat.code, 0) << flat.err;
  EXPECT_EQ(nl.out, flat.out);  // two groups, k = 2 and 2, no spurious group
  EXPECT_EQ(count_lines(nl.out), 3U) << nl.out;
  EXPECT_NE(nl.out.find("\na,2,"), std::string::npos) << nl.out;
  EXPECT_NE(nl.out.find("\nb,2,"), std::string::npos) << nl.out;
  // The malformed row is reported at its physical line: the header, then 2 + 2 + 3 + 1 lines, so 10.
  EXPECT_NE(nl.err.find(":10: skipped: yi: not a number: \"oops\""), std::string::npos) << nl.err;
}

TEST(HostileInput, BatchQuotedNewlinesAcrossChunkBoundaries) {
  // 3000 rows in 30 groups whose labels span lines, read in the smallest chunks: every record
  // that straddles a chunk boundary must still be one record.
  const fs::path d = scratch("quoted_chunks");
  std::string nl = "g,study,yi,vi\n", flat = nl;
  for (int i = 0; i < 3000; ++i) {
    const std::string g = "grp" + std::to_string(i / 100);
    const std::string y = std::to_string((i % 17) * 0.01);
    const std::string v = std::to_string(0.01 + (i % 7) * 0.001);
    nl += g + ",\"study " + std::to_string(i) + "\nline two, with a comma\"," + y + "," + v + "\n";
    flat += g + ",study " + std::to_string(i) + " line two; with a comma," + y + "," + v + "\n";
  }
  spit(d / "nl.csv", nl);
  spit(d / "flat.csv", flat);
  const cli_result a = run_metasift("batch " + (d / "nl.csv").string() + " --group g --threads 2");
  const cli_result b = run_metasift("batch " + (d / "flat.csv").string() + " --group g");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(count_lines(a.out), 31U);
  EXPECT_NE(a.err.find("0 malformed"), std::string::npos) << a.err;
}

TEST(HostileInput, BatchRefusesAQuoteNeverClosed) {
  const fs::path d = scratch("unclosed");
  spit(d / "u.csv", "g,yi,vi\na,0.1,0.01\nb,\"0.2,0.01\nb,0.3,0.02\nc,0.1,0.01\n");
  const cli_result r = run_metasift("batch " + (d / "u.csv").string() + " --group g --out " + (d / "o.csv").string());
  expect_one_line_error(r, "u.csv:3:3: quoted field is never closed");
  EXPECT_FALSE(fs::exists(d / "o.csv"));
}

// ---- batch and meta read a table the same way ----------------------------------------------------

TEST(HostileInput, BatchAndMetaAgreeOnEncodingsDuplicatesAndRange) {
  const fs::path d = scratch("agree");
  // UTF-16 (little endian, with BOM): both name the encoding.
  std::string u16 = "\xFF\xFE";
  for (const char c : std::string("g,yi,vi\na,0.1,0.01\n")) u16 += std::string{c, '\0'};
  spit(d / "u16.csv", u16);
  // Duplicate columns, ignoring case.
  spit(d / "dup.csv", "g,yi,vi,YI\na,0.1,0.01,0.2\n");
  for (const std::string f : {"u16.csv", "dup.csv"}) {
    const cli_result m = run_metasift("meta " + (d / f).string());
    const cli_result b = run_metasift("batch " + (d / f).string());
    SCOPED_TRACE(f);
    EXPECT_EQ(m.code, 3) << m.err;
    EXPECT_EQ(b.code, 3) << b.err;
    const std::string needle = f == "u16.csv" ? "UTF-16" : "duplicate column name 'YI' (also column 2 'yi'";
    EXPECT_NE(m.err.find(needle), std::string::npos) << m.err;
    EXPECT_NE(b.err.find(needle), std::string::npos) << b.err;
  }

  // Decimal commas in a ';'-separated file: the same numbers as the '.' file.
  spit(d / "comma.csv", "g;yi;vi\na;0,1;0,01\na;0,3;0,02\na;-0,2;0,015\n");
  spit(d / "point.csv", "g,yi,vi\na,0.1,0.01\na,0.3,0.02\na,-0.2,0.015\n");
  const cli_result c = run_metasift("batch " + (d / "comma.csv").string() + " --group g");
  const cli_result p = run_metasift("batch " + (d / "point.csv").string() + " --group g");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.out, p.out);
  EXPECT_NE(c.out.find("\na,3,"), std::string::npos) << c.out;

  // 1e308: meta refuses it (the sums overflow); batch gives the group status "error" with the
  // same reason instead of an infinite estimate.
  spit(d / "big.csv", "g,yi,vi\na,1e308,0.01\na,1e308,0.02\nb,0.1,0.01\nb,0.2,0.01\n");
  const cli_result mb = run_metasift("meta " + (d / "big.csv").string());
  const cli_result bb = run_metasift("batch " + (d / "big.csv").string() + " --group g");
  EXPECT_EQ(mb.code, 3) << mb.err;
  EXPECT_NE(mb.err.find("beyond what double precision can pool"), std::string::npos) << mb.err;
  ASSERT_EQ(bb.code, 0) << bb.err;
  EXPECT_NE(bb.out.find("\na,0,,,,,,,,,error\n"), std::string::npos) << bb.out;  // missing numbers are empty
  EXPECT_NE(bb.out.find("\nb,2,0.15"), std::string::npos) << bb.out;
  EXPECT_NE(bb.err.find("beyond what double precision can pool"), std::string::npos) << bb.err;

  // 1e400 is out of range in both.
  spit(d / "huge.csv", "g,yi,vi\na,1e400,0.01\na,0.1,0.01\n");
  const cli_result mh = run_metasift("meta " + (d / "huge.csv").string());
  const cli_result bh = run_metasift("batch " + (d / "huge.csv").string() + " --group g");
  EXPECT_NE(mh.err.find("number out of range: \"1e400\""), std::string::npos) << mh.err;
  EXPECT_NE(bh.err.find("number out of range: \"1e400\""), std::string::npos) << bh.err;
}

// ---- gwas ---------------------------------------------------------------------------------------

std::string gwas_rows(const std::vector<std::string>& chromosomes) {
  std::string s = "SNP CHR BP A1 A2 BETA SE P N\n";
  int i = 0;
  for (const auto& c : chromosomes) {
    for (int bp = 1; bp <= 3; ++bp) {
      s += "rs" + std::to_string(++i) + " " + c + " " + std::to_string(bp * 1000) + " A G 0.1 0.05 0.01 1000\n";
    }
  }
  return s;
}

TEST(HostileInput, GwasStreamWithRegionReportsTheSortOrderAsWithout) {
  const fs::path d = scratch("gwas_region_order");
  // Lexicographic order (1, 10, 11, 2, ...) and a plainly unsorted file.
  spit(d / "lex.txt", gwas_rows({"1", "10", "11", "2", "20", "3"}));
  spit(d / "uns.txt", gwas_rows({"3", "1", "2"}));
  for (const std::string f : {"lex.txt", "uns.txt"}) {
    const std::string in = (d / f).string() + " " + (d / f).string();
    const cli_result plain = run_metasift("gwas " + in + " --merge stream --out " + (d / "a.tsv").string());
    const cli_result region = run_metasift("gwas " + in + " --merge stream --region 2 --out " + (d / "b.tsv").string());
    SCOPED_TRACE(f);
    EXPECT_EQ(plain.code, 3) << plain.err;
    EXPECT_EQ(region.code, 3) << region.err;
    EXPECT_NE(region.err.find("row out of genomic order"), std::string::npos) << region.err;
    EXPECT_EQ(region.err, plain.err);
    EXPECT_FALSE(fs::exists(d / "b.tsv"));
  }
  // Sorted input with a region still gives exactly the region's variants.
  spit(d / "ok.txt", gwas_rows({"1", "2", "3", "10"}));
  const std::string in = (d / "ok.txt").string() + " " + (d / "ok.txt").string();
  const cli_result r = run_metasift("gwas " + in + " --merge stream --region 2 --out " + (d / "c.tsv").string());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string out = slurp(d / "c.tsv");
  EXPECT_EQ(count_lines(out), 4U) << out;  // header + 3 variants on chromosome 2
  EXPECT_NE(out.find("rs4\t2\t1000\t"), std::string::npos) << out;
  EXPECT_NE(out.find("rs6\t2\t3000\t"), std::string::npos) << out;
}

TEST(HostileInput, GwasPZeroIsKeptAtTheDocumentedFloorWithAWarning) {
  const fs::path d = scratch("gwas_p0");
  spit(d / "a.txt", "SNP CHR BP A1 A2 BETA P N\nrs1 1 100 A G 0.3 0 1000\nrs2 1 200 A G 0.1 0.5 1000\n");
  spit(d / "b.txt", "SNP CHR BP A1 A2 BETA P N\nrs1 1 100 A G 0.2 0 1000\nrs2 1 200 A G 0.1 0.5 1000\n");
  const cli_result r = run_metasift("gwas " + (d / "a.txt").string() + " " + (d / "b.txt").string() +
                                    " --scheme samplesize --out " + (d / "o.tsv").string() + " --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("2 rows have P = 0"), std::string::npos) << r.err;
  const std::string out = slurp(d / "o.tsv");
  // rs1 is in the output: each cohort's |z| is the normal quantile of DBL_MIN / 2, 37.53784 (mpmath),
  // and the weighted Z of two equal cohorts is sqrt(2) times that, 53.0865.
  const auto at = out.find("rs1\t1\t100\tA\tG\t");
  ASSERT_NE(at, std::string::npos) << out;
  const double z = std::stod(out.substr(at + std::string("rs1\t1\t100\tA\tG\t").size()));
  EXPECT_NEAR(z, std::sqrt(2.0) * 37.5378360955760527, 1e-3);
}

TEST(HostileInput, GwasSubnormalStandardErrorIsReported) {
  const fs::path d = scratch("gwas_se");
  const std::string text = "SNP CHR BP A1 A2 BETA SE\nrs1 1 100 A G 0.3 1e-320\nrs2 1 200 A G 0.1 0.05\n";
  spit(d / "a.txt", text);
  const cli_result r = run_metasift("gwas " + (d / "a.txt").string() + " " + (d / "a.txt").string() + " --out " +
                                    (d / "o.tsv").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("a.txt:2: SE 1e-320 is too small to weight"), std::string::npos) << r.err;
  const std::string out = slurp(d / "o.tsv");
  EXPECT_EQ(out.find("NA"), std::string::npos) << out;
  EXPECT_EQ(count_lines(out), 2U) << out;
}

}  // namespace
