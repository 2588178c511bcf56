// Every enumerated option value of every subcommand is read whatever its case: the upper-case and
// mixed-case spellings give byte-identical output to the lower-case one. (A value that passes
// validation case-insensitively but is then compared case-sensitively falls back to the default
// silently, so the outputs would differ.)

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace {

using metasift::test::run_metasift;
using metasift::test::scratch_folder;

struct option_case {
  std::string command;  ///< everything before the option; {data} is the test data folder, {tmp} the scratch folder
  std::string option;
  std::vector<std::string> values;  ///< canonical spellings, as documented
};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string mixed(std::string s) {
  bool up = true;
  for (auto& c : s) {
    if (std::isalpha(static_cast<unsigned char>(c)) != 0) {
      c = static_cast<char>(up ? std::toupper(static_cast<unsigned char>(c))
                               : std::tolower(static_cast<unsigned char>(c)));
      up = !up;
    }
  }
  return s;
}

std::string expand(std::string s, const std::string& data, const std::string& tmp) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{data}", data}, {"{tmp}", tmp}}) {
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + value.size())) {
      s.replace(pos, key.size(), value);
    }
  }
  return s;
}

class OptionCase : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = scratch_folder("option_case").string();
    // Two GWAS cohorts (the fuzz seed's shape): the same variants with different effects.
    const std::string header = "SNP\tCHR\tBP\tA1\tA2\tBETA\tSE\tP\tN\tFREQ\n";
    std::ofstream(tmp_ + "/c1.tsv") << header << "rs1\t1\t100\tA\tG\t0.12\t0.05\t0.016\t1000\t0.3\n"
                                    << "rs2\t1\t200\tC\tT\t-0.03\t0.02\t0.13\t1000\t0.45\n"
                                    << "rs3\t2\t50\tA\tC\t0.5\t0.1\t5.7e-07\t990\t0.1\n";
    std::ofstream(tmp_ + "/c2.tsv") << header << "rs1\t1\t100\tA\tG\t0.02\t0.04\t0.62\t800\t0.31\n"
                                    << "rs2\t1\t200\tT\tC\t0.05\t0.03\t0.095\t800\t0.55\n"
                                    << "rs3\t2\t50\tA\tC\t0.2\t0.09\t0.026\t700\t0.12\n";
  }
  static std::string tmp_;
};
std::string OptionCase::tmp_;

const std::vector<option_case>& cases() {
  static const std::vector<option_case> all = {
      {"meta {data}/fig1.csv --measure MD --format json", "--ci-method", {"z", "hk", "knha"}},
      {"meta {data}/fig1.csv --measure MD --format json", "--pi-method", {"z", "t_k1", "t_k2"}},
      {"meta {data}/fig1.csv --measure MD --format json", "--convention", {"metafor", "stata"}},
      {"meta {data}/fig1.csv --measure MD --format json", "--md-variance", {"separate", "pooled"}},
      {"meta {data}/fig1.csv --measure MD", "--format", {"text", "json", "csv"}},
      {"meta {data}/fig1.csv --format json", "--measure", {"md", "smd", "rom"}},
      {"meta {data}/fig1.csv --measure MD --format json",
       "--method",
       {"ee", "dl", "reml", "ml", "pm", "he", "sj", "hs", "eb"}},
      {"meta {data}/fig1.csv --measure SMD --format json", "--smd-correction", {"exact", "approx", "none"}},
      {"meta {data}/zerocells.csv --measure OR --format json", "--zero-cell", {"only0", "all", "none"}},
      {"regress {data}/bcg.csv --measure RR -m n1 --format json", "--ci-method", {"z", "hk"}},
      {"trimfill {data}/bcg.csv --measure RR --format json", "--estimator", {"L0", "R0"}},
      {"trimfill {data}/bcg.csv --measure RR --format json", "--side", {"auto", "left", "right"}},
      {"batch {data}/batch_long.csv --group group --measure GEN", "--format", {"csv", "tsv"}},
      {"batch {data}/batch_long.csv --group group --measure GEN", "--ci-method", {"z", "hk"}},
      {"batch {data}/batch_long.csv --group group --measure GEN", "--convention", {"metafor", "stata"}},
      {"gwas {tmp}/c1.tsv {tmp}/c2.tsv --out -", "--random", {"DL", "REML"}},
      {"gwas {tmp}/c1.tsv {tmp}/c2.tsv --out -", "--scheme", {"stderr", "samplesize"}},
      {"gwas {tmp}/c1.tsv {tmp}/c2.tsv --out -", "--merge", {"auto", "hash"}},
      {"simulate --k 5 --reps 20 --quiet --out -", "--format", {"tsv", "csv"}},
      {"simulate --k 5 --reps 20 --quiet --out -", "--v-dist", {"uniform", "loguniform"}},
      {"import {data}/../review/fixtures/ris_quirks.ris", "--format", {"json", "csv", "ris"}},
      {"search {data}/../review/fixtures/ris_quirks.ris --query 'soil'",
       "--dialect",
       {"generic", "pubmed", "scopus", "wos"}},
      {"search {data}/../review/fixtures/ris_quirks.ris --query 'soil'", "--format", {"json", "csv"}},
  };
  return all;
}

TEST_F(OptionCase, EveryEnumeratedValueIsReadWhateverItsCase) {
  const std::string data = METASIFT_TEST_DATA_DIR;
  int checked = 0;
  for (const auto& c : cases()) {
    const std::string base = expand(c.command, data, tmp_);
    for (const auto& v : c.values) {
      const auto reference = run_metasift(base + " " + c.option + " " + lower(v));
      ASSERT_EQ(reference.code, 0) << base << " " << c.option << " " << lower(v) << "\n" << reference.err;
      ASSERT_FALSE(reference.out.empty()) << base << " " << c.option << " " << v;
      for (const auto& spelling : {upper(v), mixed(v)}) {
        const auto r = run_metasift(base + " " + c.option + " " + spelling);
        EXPECT_EQ(r.code, 0) << base << " " << c.option << " " << spelling << "\n" << r.err;
        EXPECT_EQ(r.out, reference.out) << base << " " << c.option << " " << spelling << " gives other output than "
                                        << lower(v);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

// The case test above would also pass if the option were ignored altogether; these pairs show
// that each non-default value changes the output, so the values above were really applied.
TEST_F(OptionCase, NonDefaultValuesChangeTheOutput) {
  const std::string data = METASIFT_TEST_DATA_DIR;
  const std::vector<std::tuple<std::string, std::string, std::string>> pairs = {
      {"meta {data}/fig1.csv --measure MD --format json --md-variance", "separate", "POOLED"},
      {"meta {data}/fig1.csv --measure SMD --format json --smd-correction", "exact", "APPROX"},
      {"meta {data}/zerocells.csv --measure OR --format json --zero-cell", "only0", "ALL"},
      {"meta {data}/fig1.csv --measure MD --format json --pi-method", "z", "T_K1"},
      {"meta {data}/fig1.csv --measure MD --format", "text", "JSON"},
      {"meta {data}/fig1.csv --measure MD --format json --ci-method", "z", "HK"},
      {"gwas {tmp}/c1.tsv {tmp}/c2.tsv --out - --scheme", "stderr", "SAMPLESIZE"},
  };
  for (const auto& [base, def, other] : pairs) {
    const auto a = run_metasift(expand(base, data, tmp_) + " " + def);
    const auto b = run_metasift(expand(base, data, tmp_) + " " + other);
    ASSERT_EQ(a.code, 0) << base << " " << def << "\n" << a.err;
    ASSERT_EQ(b.code, 0) << base << " " << other << "\n" << b.err;
    EXPECT_NE(a.out, b.out) << base << ": " << other << " gives the same output as the default " << def;
  }
}

}  // namespace
