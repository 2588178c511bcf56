// `metasift gwas` end to end on small generated cohorts: the output header, streaming merge and
// hash join agree for any thread count, an unsorted input falls back to the hash join with the
// same output, alleles are harmonised (swap, strand flip) and mismatches counted, malformed rows
// are reported with their lines, --region, a truncated gzip input, tiny p-values on the log scale,
// and agreement with PLINK 1.9 --meta-analysis to its printed precision (when plink1.9 is
// installed; otherwise the test is skipped with a message).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/batch/rng.hpp"

namespace {

using namespace metasift::test;
namespace fs = std::filesystem;
using metasift::batch::counter_rng;

struct gen {
  int cohorts = 3;
  int variants = 3000;
  double swap = 0.5;            ///< share of rows with A1/A2 swapped (not in cohort 1)
  double strand = 0.0;          ///< share of rows on the other strand (not in cohort 1)
  bool swap_first = true;       ///< cohort 1 may be swapped too
  bool complete_first = false;  ///< cohort 1 has every variant
};

const char* bases = "ACGT";
char comp(char c) {
  return c == 'A' ? 'T' : c == 'T' ? 'A' : c == 'C' ? 'G' : 'C';
}

/// Writes dir/c1.tsv ... with header SNP CHR BP A1 A2 BETA SE P N FREQ; returns the file names.
/// Chromosomes 1, 2, 10 and X (in that genomic order); every 50th variant shares its position with
/// the previous one; variant 7 has a z of about 60 (p far below 1e-300).
std::vector<std::string> write_cohorts(const fs::path& dir, const gen& g) {
  std::vector<std::string> files;
  const char* chroms[] = {"1", "2", "10", "X"};
  for (int c = 0; c < g.cohorts; ++c) {
    std::string out = "SNP\tCHR\tBP\tA1\tA2\tBETA\tSE\tP\tN\tFREQ\n";
    std::uint64_t bp = 1000;
    for (int v = 0; v < g.variants; ++v) {
      counter_rng t(11, static_cast<std::uint64_t>(v));
      const int chr = v * 4 / g.variants;
      if (v > 0 && (v * 4 / g.variants) != ((v - 1) * 4 / g.variants)) bp = 1000;
      if (v % 50 != 0) bp += 100 + t.bits() % 900;
      const unsigned a = static_cast<unsigned>(t.bits() % 4);
      unsigned b = (a + 1 + static_cast<unsigned>(t.bits() % 3)) % 4;
      if (bases[b] == comp(bases[a])) b = (b + 1) % 4;  // no palindromic (A/T, C/G) pairs
      if (bases[b] == bases[a]) b = (b + 1) % 4;
      const double freq = 0.05 + 0.4 * t.uniform();
      const double truth = v == 7 ? 0.5 : (t.uniform() < 0.02 ? 0.1 * t.normal() : 0.0);
      counter_rng r(100 + static_cast<std::uint64_t>(c), static_cast<std::uint64_t>(v));
      if (r.uniform() > 0.9 && !(c == 0 && g.complete_first)) continue;  // each cohort misses ~10% of the variants
      const double n = 2000.0 * (c + 1) * (0.8 + 0.4 * r.uniform());
      const double se = v == 7 ? 0.02 : 1.0 / std::sqrt(2.0 * n * freq * (1 - freq));
      double beta = truth + (t.uniform() < 0.5 ? 0.05 * r.normal() : 0.0) + se * r.normal();
      char a1 = bases[a], a2 = bases[b];
      double f = freq;
      if ((c > 0 || g.swap_first) && r.uniform() < g.swap) {
        std::swap(a1, a2);
        beta = -beta;
        f = 1 - f;
      }
      if (c > 0 && r.uniform() < g.strand) {
        a1 = comp(a1);
        a2 = comp(a2);
      }
      const double p = std::erfc(std::abs(beta / se) / std::sqrt(2.0));
      std::string l =
          "rs" + std::to_string(v + 1) + "\t" + chroms[chr] + "\t" + std::to_string(bp) + "\t" + a1 + "\t" + a2 + "\t";
      metasift::batch::append_general(l, beta, 8);
      l += '\t';
      metasift::batch::append_general(l, se, 8);
      l += '\t';
      metasift::batch::append_general(l, std::max(p, 1e-300), 6);
      l += '\t' + std::to_string(static_cast<long>(n)) + '\t';
      metasift::batch::append_general(l, f, 4);
      out += l + "\n";
    }
    const fs::path f = dir / ("c" + std::to_string(c + 1) + ".tsv");
    spit(f, out);
    files.push_back(f.string());
  }
  return files;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + " ";
  return s;
}

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> f;
  for (std::string x; in >> x;) f.push_back(x);
  return f;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(GwasCli, HeaderAndGenomicOrder) {
  const auto d = scratch("gwas_header");
  const auto files = write_cohorts(d, {});
  const cli_result r = run_metasift("gwas " + join(files) + "--out " + (d / "o.tsv").string() + " --random DL");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto out = lines_of(slurp(d / "o.tsv"));
  ASSERT_GT(out.size(), 2900U);
  EXPECT_EQ(out[0], "SNP\tCHR\tBP\tA1\tA2\tBETA\tSE\tP\tQ\tQ_P\tI2\tDF\tDIRECTION\tBETA_R\tSE_R\tP_R\tTAU2");
  // Chromosome order 1, 2, 10, X and increasing positions within each.
  std::vector<std::string> chrom_order;
  long last_bp = -1;
  for (std::size_t i = 1; i < out.size(); ++i) {
    const auto f = split_ws(out[i]);
    ASSERT_EQ(f.size(), 17U) << out[i];
    if (chrom_order.empty() || chrom_order.back() != f[1]) {
      chrom_order.push_back(f[1]);
      last_bp = -1;
    }
    const long bp = std::stol(f[2]);
    EXPECT_GE(bp, last_bp) << out[i];
    last_bp = bp;
    EXPECT_EQ(f[12].size(), 3U);
  }
  EXPECT_EQ(chrom_order, (std::vector<std::string>{"1", "2", "10", "X"}));
  // Variant 7: z ~ 60 pooled over three cohorts, so p is printed on the log scale.
  const auto it = std::find_if(out.begin(), out.end(), [](const std::string& l) { return l.rfind("rs8\t", 0) == 0; });
  ASSERT_NE(it, out.end());
  const std::string p = split_ws(*it)[7];
  EXPECT_NE(p.find("e-"), std::string::npos) << p;
  EXPECT_GT(std::stoi(p.substr(p.find("e-") + 2)), 300) << p;
}

TEST(GwasCli, StreamHashAndThreadsGiveTheSameBytes) {
  const auto d = scratch("gwas_modes");
  const auto files = write_cohorts(d, {});
  std::string ref;
  for (const std::string opts : {"--merge stream --threads 1", "--merge stream --threads 4", "--merge hash --threads 1",
                                 "--merge hash --threads 3", "--threads 2"}) {
    const fs::path o = d / "o.tsv";
    const cli_result r = run_metasift("gwas " + join(files) + "--out " + o.string() + " --random REML -q " + opts);
    ASSERT_EQ(r.code, 0) << opts << r.err;
    const std::string got = slurp(o);
    if (ref.empty()) ref = got;
    EXPECT_EQ(got, ref) << opts;
  }
  // gzip input and output
  for (const auto& f : files) ASSERT_EQ(std::system(("gzip -kf " + f).c_str()), 0);
  const cli_result r = run_metasift("gwas " + files[0] + ".gz " + files[1] + ".gz " + files[2] + " --out " +
                                    (d / "o.tsv.gz").string() + " --random REML -q");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(std::system(("gzip -dc " + (d / "o.tsv.gz").string() + " > " + (d / "back.tsv").string()).c_str()), 0);
  EXPECT_EQ(slurp(d / "back.tsv"), ref);
}

TEST(GwasCli, UnsortedInputFallsBackToTheHashJoin) {
  const auto d = scratch("gwas_unsorted");
  const auto files = write_cohorts(d, {});
  const cli_result sorted = run_metasift("gwas " + join(files) + "--out " + (d / "sorted.tsv").string());
  ASSERT_EQ(sorted.code, 0) << sorted.err;
  // Reverse the data rows of cohort 2.
  auto lines = lines_of(slurp(files[1]));
  std::reverse(lines.begin() + 1, lines.end());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  spit(files[1], text);
  const cli_result r = run_metasift("gwas " + join(files) + "--out " + (d / "unsorted.tsv").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("by hash join"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("c2.tsv:3: row out of genomic order"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(d / "unsorted.tsv"), slurp(d / "sorted.tsv"));
  // --merge stream refuses it; stdout cannot be rewound, so auto needs --merge hash there.
  const cli_result s = run_metasift("gwas " + join(files) + "--out " + (d / "x.tsv").string() + " --merge stream");
  EXPECT_EQ(s.code, 3);
  EXPECT_FALSE(fs::exists(d / "x.tsv"));
}

TEST(GwasCli, AllelesAreHarmonisedAndMismatchesCounted) {
  const auto d = scratch("gwas_alleles");
  gen plain;
  plain.swap = 0;
  plain.swap_first = false;
  plain.complete_first = true;  // so the reference alleles are always cohort 1's, unswapped
  fs::create_directories(d / "plain");
  const auto f0 = write_cohorts(d / "plain", plain);
  gen flipped = plain;
  flipped.swap = 0.5;
  flipped.strand = 0.3;
  fs::create_directories(d / "flipped");
  const auto f1 = write_cohorts(d / "flipped", flipped);
  const cli_result a = run_metasift("gwas " + join(f0) + "--out " + (d / "a.tsv").string() + " --random DL");
  const cli_result b = run_metasift("gwas " + join(f1) + "--out " + (d / "b.tsv").string() + " --random DL");
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(slurp(d / "a.tsv"), slurp(d / "b.tsv"));
  EXPECT_NE(a.err.find("alleles: 0 swapped, 0 strand-flipped, 0 mismatched"), std::string::npos) << a.err;
  EXPECT_EQ(b.err.find("alleles: 0 swapped"), std::string::npos) << b.err;
  EXPECT_EQ(b.err.find(" 0 strand-flipped"), std::string::npos) << b.err;

  // An allele pair that matches neither way is left out of that variant and counted.
  auto lines = lines_of(slurp(f0[1]));
  auto f = split_ws(lines[5]);
  const std::string snp = f[0];
  f[3] = "AC";
  std::string l;
  for (std::size_t i = 0; i < f.size(); ++i) l += (i ? "\t" : "") + f[i];
  lines[5] = l;
  std::string text;
  for (const auto& x : lines) text += x + "\n";
  spit(f0[1], text);
  const cli_result m = run_metasift("gwas " + join(f0) + "--out " + (d / "m.tsv").string());
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.err.find("1 mismatched"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("c2.tsv:6: " + snp + ": alleles AC/"), std::string::npos) << m.err;
  for (const auto& line : lines_of(slurp(d / "m.tsv"))) {
    if (line.rfind(snp + "\t", 0) == 0) {
      EXPECT_EQ(split_ws(line)[12][1], '?') << line;
    }
  }
}

TEST(GwasCli, MalformedRowsAreSkippedAndReportedWithLineNumbers) {
  const auto d = scratch("gwas_malformed");
  const auto files = write_cohorts(d, {});
  auto lines = lines_of(slurp(files[2]));
  auto field = [&](std::size_t line_no, std::size_t col, const std::string& value) {
    auto f = split_ws(lines[line_no - 1]);
    f[col] = value;
    std::string l;
    for (std::size_t i = 0; i < f.size(); ++i) l += (i ? "\t" : "") + f[i];
    lines[line_no - 1] = l;
  };
  field(10, 6, "0");       // SE = 0
  field(20, 5, "abc");     // BETA not a number
  field(30, 6, "NA");      // SE missing
  lines[39] += "\textra";  // line 40: 11 fields
  std::string text;
  for (const auto& x : lines) text += x + "\n";
  spit(files[2], text);
  const cli_result r = run_metasift("gwas " + join(files) + "--out " + (d / "o.tsv").string());
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s :
       {"c3.tsv:10: SE must be positive, got 0", "c3.tsv:20: BETA is not a number: 'abc'",
        "c3.tsv:30: SE is missing: 'NA'", "c3.tsv:40: expected 10 fields, found 11", "4 malformed rows skipped"}) {
    EXPECT_NE(r.err.find(s), std::string::npos) << s << "\n" << r.err;
  }
}

TEST(GwasCli, RegionSelectsOneInterval) {
  const auto d = scratch("gwas_region");
  const auto files = write_cohorts(d, {});
  const cli_result all = run_metasift("gwas " + join(files) + "--out " + (d / "all.tsv").string() + " -q");
  ASSERT_EQ(all.code, 0) << all.err;
  std::string expect = lines_of(slurp(d / "all.tsv"))[0] + "\n";
  for (const auto& l : lines_of(slurp(d / "all.tsv"))) {
    const auto f = split_ws(l);
    if (f[1] == "2" && std::stol(f[2]) >= 50000 && std::stol(f[2]) <= 200000) expect += l + "\n";
  }
  ASSERT_GT(expect.size(), 1000U);
  for (const std::string mode : {"auto", "stream", "hash"}) {
    const cli_result r = run_metasift("gwas " + join(files) + "--out " + (d / "r.tsv").string() +
                                      " --region chr2:50,000-200000 --merge " + mode);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(slurp(d / "r.tsv"), expect) << mode;
  }
}

TEST(GwasCli, TruncatedGzipInputIsAnError) {
  const auto d = scratch("gwas_truncated");
  const auto files = write_cohorts(d, {});
  ASSERT_EQ(std::system(("gzip -c " + files[0] + " | head -c 30000 > " + files[0] + ".gz").c_str()), 0);
  const cli_result r = run_metasift("gwas " + files[0] + ".gz " + files[1] + " --out " + (d / "o.tsv").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.err.find("c1.tsv.gz: truncated gzip file"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "o.tsv"));
}

TEST(GwasCli, SampleSizeSchemeMatchesAHandComputation) {
  const auto d = scratch("gwas_samplesize");
  spit(d / "a.tsv", "SNP CHR BP A1 A2 BETA SE P N\nrs1 1 100 A G 0.2 0.1 0.0455 1000\n");
  spit(d / "b.tsv", "SNP CHR BP A1 A2 BETA SE P N\nrs1 1 100 G A 0.1 0.1 0.3173 3000\n");
  const cli_result r =
      run_metasift("gwas " + (d / "a.tsv").string() + " " + (d / "b.tsv").string() + " --out - --scheme samplesize");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 2U);
  EXPECT_EQ(out[0], "SNP\tCHR\tBP\tA1\tA2\tZ\tN\tP\tQ\tQ_P\tI2\tDF\tDIRECTION");
  const auto f = split_ws(out[1]);
  // z1 = Phi^-1(1 - 0.0455/2) = 2.0001, z2 = -Phi^-1(1 - 0.3173/2) = -1.0000 (allele swapped)
  const double z1 = 2.000077, z2 = -0.999958;
  const double Z = (std::sqrt(1000.0) * z1 + std::sqrt(3000.0) * z2) / std::sqrt(4000.0);
  EXPECT_NEAR(std::stod(f[5]), Z, 1e-4);
  EXPECT_EQ(f[6], "4000");
  EXPECT_EQ(f[12], "+-");
}

/// PLINK 1.9's .meta: CHR BP SNP A1 A2 N P P(R) BETA BETA(R) Q I, Q being the p-value of Cochran's Q.
TEST(GwasCli, AgreesWithPlink19ToItsPrintedPrecision) {
  if (!have_program("plink1.9"))
    GTEST_SKIP() << "plink1.9 not installed (apt-get install plink1.9): comparison not run";
  const auto d = scratch("gwas_plink");
  gen g;
  g.variants = 6000;
  const auto files = write_cohorts(d, g);
  const cli_result r = run_metasift("gwas " + join(files) + "--out " + (d / "ms.tsv").string() + " --random DL -q");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string cmd = "cd " + d.string() + " && plink1.9 --meta-analysis " + join(files) +
                          "+ qt report-all --out " + (d / "pl").string() + " > plink.log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(d / "plink.log");
  std::map<std::string, std::vector<std::string>> ours;
  for (const auto& l : lines_of(slurp(d / "ms.tsv"))) {
    const auto f = split_ws(l);
    ours[f[0]] = f;
  }
  // |a - b| within half a unit of PLINK's last printed digit, plus our own 6-digit rounding.
  auto close_fixed = [](double ours_v, const std::string& printed, double half_unit) {
    return std::abs(ours_v - std::stod(printed)) <= half_unit * 1.0001 + 5e-6 * std::abs(ours_v);
  };
  auto close_sig = [](double ours_v, const std::string& printed) {  // %.4g
    const double b = std::stod(printed);
    if (b == 0) return std::abs(ours_v) < 1e-300;
    const double unit = std::pow(10.0, std::floor(std::log10(std::abs(b))) - 3);
    return std::abs(ours_v - b) <= 0.5 * unit * 1.0001 + 5e-6 * std::abs(ours_v);
  };
  std::size_t compared = 0;
  const auto pl = lines_of(slurp(d / "pl.meta"));
  ASSERT_GT(pl.size(), 5000U);
  for (std::size_t i = 1; i < pl.size(); ++i) {
    const auto p = split_ws(pl[i]);
    ASSERT_EQ(p.size(), 12U) << pl[i];
    ASSERT_TRUE(ours.count(p[2])) << p[2];
    const auto& o = ours[p[2]];
    const double sign = p[3] == o[3] ? 1.0 : -1.0;
    EXPECT_EQ(p[3] == o[3] ? p[4] : p[3], o[4]) << pl[i];
    EXPECT_EQ(std::stoi(p[5]), std::stoi(o[11]) + 1) << pl[i];  // studies
    auto num = [](const std::string& s) {
      return s.find("e-") != std::string::npos && std::stoi(s.substr(s.find("e-") + 2)) > 300 ? 0.0 : std::stod(s);
    };
    EXPECT_TRUE(close_sig(num(o[7]), p[6])) << "P " << o[7] << " vs " << p[6] << "\n" << pl[i];
    EXPECT_TRUE(close_sig(num(o[15]), p[7])) << "P(R) " << o[15] << " vs " << p[7] << "\n" << pl[i];
    EXPECT_TRUE(close_fixed(sign * std::stod(o[5]), p[8], 5e-5)) << "BETA " << o[5] << " vs " << p[8] << "\n" << pl[i];
    EXPECT_TRUE(close_fixed(sign * std::stod(o[13]), p[9], 5e-5)) << "BETA(R) " << o[13] << " vs " << p[9] << "\n"
                                                                  << pl[i];
    if (p[10] != "NA") {
      EXPECT_TRUE(close_fixed(std::stod(o[9]), p[10], 5e-5)) << "Q " << o[9] << " vs " << p[10] << "\n" << pl[i];
      EXPECT_TRUE(close_fixed(std::stod(o[10]), p[11], 5e-3)) << "I " << o[10] << " vs " << p[11] << "\n" << pl[i];
    }
    ++compared;
  }
  EXPECT_EQ(compared + 1, ours.size());
}

}  // namespace
