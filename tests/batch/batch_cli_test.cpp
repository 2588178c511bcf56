// `metasift batch` end to end: partitioned runs concatenate to the bytes of one run (the Spark
// RDD.pipe deployment), threads do not change the output, malformed rows and bad groups are
// reported and skipped, and a truncated gzip input is an error that says so.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/batch/rng.hpp"

namespace {

using namespace metasift::test;
namespace fs = std::filesystem;

const std::string long_csv = std::string(METASIFT_TEST_DATA_DIR) + "/batch_long.csv";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p < text.size()) {
    const auto nl = text.find('\n', p);
    out.push_back(text.substr(p, nl - p));
    p = nl + 1;
  }
  return out;
}

/// The group field (first column, possibly quoted) of a data line.
std::string group_of(const std::string& line) {
  if (line[0] != '"') return line.substr(0, line.find(','));
  const auto end = line.find("\",");
  return line.substr(0, end + 1);
}

/// Generated input: `groups` groups of k studies, yi/vi.
std::string generated(int groups, int k) {
  std::string s = "group,study,yi,vi\n";
  for (int g = 0; g < groups; ++g) {
    metasift::batch::counter_rng r(5, static_cast<std::uint64_t>(g));
    for (int i = 0; i < k; ++i) {
      const double vi = 0.01 + 0.2 * r.uniform();
      s += "grp" + std::to_string(g) + "," + std::to_string(i + 1) + ",";
      metasift::batch::append_shortest(s, 0.3 + std::sqrt(0.05 + vi) * r.normal());
      s += ",";
      metasift::batch::append_shortest(s, vi);
      s += "\n";
    }
  }
  return s;
}

TEST(BatchCli, PartitionsConcatenateToTheBytesOfOneRun) {
  const auto d = scratch("partition");
  const std::string text = slurp(long_csv);
  const auto lines = lines_of(text);
  const std::string header = lines[0];
  // Cut the data rows into 4 parts at group boundaries (after the 3rd, 11th and 20th group).
  std::vector<std::string> parts(4), bare(4);
  int group_no = -1, part = 0;
  std::string last;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string g = group_of(lines[i]);
    if (g != last) {
      ++group_no;
      last = g;
      if (group_no == 3 || group_no == 11 || group_no == 20) ++part;
    }
    bare[static_cast<std::size_t>(part)] += lines[i] + "\n";
  }
  for (int p = 0; p < 4; ++p) {
    parts[static_cast<std::size_t>(p)] = header + "\n" + bare[static_cast<std::size_t>(p)];
    spit(d / ("part" + std::to_string(p) + ".csv"), parts[static_cast<std::size_t>(p)]);
    spit(d / ("bare" + std::to_string(p) + ".csv"), bare[static_cast<std::size_t>(p)]);
  }
  for (const std::string opts : {"--method REML", "--method DL --ci-method hk", "--method PM --format tsv"}) {
    const cli_result whole = run_metasift("batch " + long_csv + " --group group -q " + opts);
    ASSERT_EQ(whole.code, 0) << whole.err;
    std::string concat, piped, spark;
    for (int p = 0; p < 4; ++p) {
      const std::string f = (d / ("part" + std::to_string(p) + ".csv")).string();
      const std::string no_header = p == 0 ? "" : " --no-header";
      const cli_result r = run_metasift("batch " + f + " --group group -q " + opts + no_header);
      ASSERT_EQ(r.code, 0) << r.err;
      concat += r.out;
      // The same through stdin, as a pipe.
      const cli_result s = run_metasift("batch - --group group -q " + opts + no_header, "cat " + f + " |");
      ASSERT_EQ(s.code, 0) << s.err;
      piped += s.out;
      // Spark-style partitions: data rows only, the column names on the command line (the input
      // delimiter is then the output's, so only for CSV here).
      if (opts.find("tsv") == std::string::npos) {
        const std::string bf = (d / ("bare" + std::to_string(p) + ".csv")).string();
        const cli_result b = run_metasift(
            "batch - --group group -q --input-columns group,study,yi,vi --no-header " + opts, "cat " + bf + " |");
        ASSERT_EQ(b.code, 0) << b.err;
        spark += b.out;
      }
    }
    EXPECT_EQ(concat, whole.out) << opts;
    EXPECT_EQ(piped, whole.out) << opts;
    if (opts.find("tsv") == std::string::npos) {
      EXPECT_EQ(whole.out.substr(whole.out.find('\n') + 1), spark) << opts;
    }
  }
}

TEST(BatchCli, ThreadsDoNotChangeTheOutput) {
  const auto d = scratch("threads");
  spit(d / "big.csv", generated(40000, 8));  // ~9 MB: several blocks
  const std::string f = (d / "big.csv").string();
  const cli_result one = run_metasift("batch " + f + " --group group --threads 1 -q");
  const cli_result three = run_metasift("batch " + f + " --group group --threads 3 -q");
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(three.code, 0) << three.err;
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 40001);
  EXPECT_EQ(one.out, three.out);
  // Gzip input gives the same output.
  ASSERT_EQ(std::system(("gzip -c " + f + " > " + f + ".gz").c_str()), 0);
  const cli_result gz = run_metasift("batch " + f + ".gz --group group --threads 2 -q");
  EXPECT_EQ(gz.out, one.out);
}

TEST(BatchCli, MalformedRowsAreReportedWithLineNumbersAndSkippedAndMissingValuesExcluded) {
  const auto d = scratch("malformed");
  spit(d / "bad.csv",
       "group,yi,sei\n"
       "A,0.1,0.2\n"
       "A,0.3,0.2\n"
       "A,0.2\n"  // line 4: wrong field count
       "A,0.5,0.1\n"
       "B,0.1,0.3\n"
       "B,abc,0.2\n"  // line 7: not a number
       "B,0.4,0.2\n"
       "B,0.2,0\n"   // line 9: sei <= 0
       "C,NA,0.2\n"  // line 10: missing
       "C,0.3,0.25\n"
       "C,0.1,0.2\n");
  const cli_result r = run_metasift("batch " + (d / "bad.csv").string() + " --group group");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"bad.csv:4: skipped: expected 3 fields, found 2",
                        "bad.csv:7: skipped: yi: not a number: \"abc\"", "bad.csv:9: skipped: sei must be positive",
                        // A missing value excludes the row as meta excludes the study: named, not counted as malformed.
                        "bad.csv:10: excluded: group 'C': missing value in column 'yi'",
                        "1 rows excluded for a missing value", "3 malformed rows skipped"}) {
    EXPECT_NE(r.err.find(s), std::string::npos) << s << "\n" << r.err;
  }
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 4U);
  EXPECT_EQ(out[1].substr(0, 4), "A,3,");
  EXPECT_EQ(out[2].substr(0, 4), "B,2,");
  EXPECT_EQ(out[3].substr(0, 4), "C,2,");
}

TEST(BatchCli, ABadGroupNeverStopsTheRun) {
  const auto d = scratch("badgroup");
  spit(d / "smd.csv",
       "trial,n1,mean1,sd1,n2,mean2,sd2\n"
       "A,20,5,1,20,4,1\nA,30,5.5,1.2,30,4.8,1.1\n"
       "B,20,5,-1,20,4,1\nB,25,5,1,25,4,1\n"  // sd1 < 0: effects::compute rejects the group
       "C,40,6,2,40,5,2\n"                    // k = 1
       "D,10,1,1,10,0,1\nD,12,1.5,1,12,0.5,1\nD,15,1,0.5,15,0.2,0.5\n");
  const cli_result r = run_metasift("batch " + (d / "smd.csv").string() + " --group trial --measure SMD --format tsv");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 5U);
  EXPECT_EQ(out[0], "trial\tk\testimate\tse\tci_lower\tci_upper\tp\ttau2\tI2\tQ\tstatus");
  EXPECT_EQ(out[1].substr(0, 4), "A\t2\t");
  EXPECT_EQ(out[1].find("error"), std::string::npos) << out[1];
  EXPECT_EQ(out[4].substr(0, 4), "D\t3\t") << out[4];
  EXPECT_EQ(out[2], "B\t0\t\t\t\t\t\t\t\t\terror");  // every number missing: empty
  EXPECT_EQ(out[3].substr(0, 4), "C\t1\t");
  EXPECT_EQ(out[3].substr(out[3].size() - 4), "\tk<2");
  EXPECT_NE(r.err.find("group 'B'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sd1"), std::string::npos) << r.err;
}

TEST(BatchCli, UngroupedInputIsReported) {
  const auto d = scratch("regroup");
  spit(d / "g.csv", "g,yi,vi\nA,1,1\nA,2,1\nB,1,1\nA,3,1\n");
  const cli_result r = run_metasift("batch " + (d / "g.csv").string() + " --group g");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("line 5: group 'A' appears again"), std::string::npos) << r.err;
}

TEST(BatchCli, TruncatedGzipInputIsAnError) {
  const auto d = scratch("truncated");
  spit(d / "big.csv", generated(5000, 5));
  const std::string f = (d / "big.csv").string();
  ASSERT_EQ(std::system(("gzip -c " + f + " | head -c 20000 > " + f + ".gz").c_str()), 0);
  const cli_result r = run_metasift("batch " + f + ".gz --group group");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("truncated gzip file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "out.csv"));
  const cli_result o = run_metasift("batch " + f + ".gz --group group --out " + (d / "out.csv").string());
  EXPECT_EQ(o.code, 3);
  EXPECT_FALSE(fs::exists(d / "out.csv"));  // no partial output file
}

TEST(BatchCli, MissingColumnAndBadOptionsAreUsageErrors) {
  const cli_result r = run_metasift("batch " + long_csv + " --group nosuch");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("missing column 'nosuch'"), std::string::npos) << r.err;
  const cli_result m = run_metasift("batch " + long_csv + " --group group --method MH");
  EXPECT_EQ(m.code, 2);
}

}  // namespace
