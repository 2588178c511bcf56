// Every enumerated option value of every subcommand is read whatever its case: the upper-case and
// mixed-case spellings give byte-identical output to the lower-case one. (A value that passes
// validation case-insensitively but is then compared case-sensitively falls back to the default
// silently, so the outputs would differ.)

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
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
    // Continuous and 2x2 studies with a year column (regress, cumulative), long and grouped for batch.
    // Values are arbitrary but heterogeneous, and the 2x2 ones have zero cells, so that every
    // option value changes something.
    std::ofstream md(tmp_ + "/md.csv"), rr(tmp_ + "/rr.csv"), mdg(tmp_ + "/md_groups.csv"),
        rrg(tmp_ + "/rr_groups.csv");
    md << "study,year,n1,mean1,sd1,n2,mean2,sd2\n";
    rr << "study,year,events1,n1,events2,n2\n";
    mdg << "g,study,n1,mean1,sd1,n2,mean2,sd2\n";
    rrg << "g,study,events1,n1,events2,n2\n";
    for (int i = 0; i < 8; ++i) {
      const int n1 = 20 + 7 * i, n2 = 25 + 5 * (i % 3);
      const double m1 = 3.0 + 0.15 * i * (i % 2 == 0 ? 1 : -1), m2 = 2.6 + 0.05 * i;
      const double s1 = 0.5 + 0.1 * (i % 4), s2 = 0.8 - 0.05 * i;
      const int e1 = (i % 3 == 0) ? 0 : i + 1, e2 = 2 + (i * 3) % 7;
      md << "S" << i << "," << 2000 + i << "," << n1 << "," << m1 << "," << s1 << "," << n2 << "," << m2 << "," << s2
         << "\n";
      rr << "S" << i << "," << 2000 + i << "," << e1 << "," << n1 << "," << e2 << "," << n2 << "\n";
      mdg << (i < 4 ? "A" : "B") << ",S" << i << "," << n1 << "," << m1 << "," << s1 << "," << n2 << "," << m2 << ","
          << s2 << "\n";
      rrg << (i < 4 ? "A" : "B") << ",S" << i << "," << e1 << "," << n1 << "," << e2 << "," << n2 << "\n";
    }
    // A copy of the screening fixture with a RoB 2 appraisal of one included study, for `appraise`.
    namespace fs = std::filesystem;
    const fs::path fixture = fs::path(METASIFT_TEST_DATA_DIR) / ".." / "review" / "fixtures" / "screening";
    const fs::path review = fs::path(tmp_) / "review";
    fs::remove_all(review);
    fs::create_directories(review / "appraisal");
    fs::copy(fixture, review, fs::copy_options::recursive);
    std::ofstream(review / "review.toml", std::ios::app)
        << "\n[appraisal]\ntool = \"rob2\"\nfile = \"appraisal/a.csv\"\n";
    std::ofstream(review / "appraisal" / "a.csv") << "record,domain,judgement,support\n"
                                                  << "PubMed:31200001,D1,low,Concealed allocation\n"
                                                  << "PubMed:31200001,D2,low,Blinded\n"
                                                  << "PubMed:31200001,D3,some-concerns,Attrition 25%\n"
                                                  << "PubMed:31200001,D4,low,Objective outcome\n"
                                                  << "PubMed:31200001,D5,low,Protocol registered\n";
  }
  static std::string tmp_;
};
std::string OptionCase::tmp_;

const std::vector<option_case>& cases() {
  static const std::vector<option_case> all = {
      {"meta {data}/fig1.csv --measure MD --format json", "--ci-method", {"z", "t", "hk", "knha", "adhoc"}},
      {"meta {data}/fig1.csv --measure MD --format json", "--test", {"z", "t", "knha", "adhoc"}},
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
      {"regress {data}/bcg.csv --measure RR -m n1 --format json", "--ci-method", {"z", "t", "hk", "adhoc"}},
      {"trimfill {data}/bcg.csv --measure RR --format json", "--estimator", {"L0", "R0"}},
      {"trimfill {data}/bcg.csv --measure RR --format json", "--side", {"auto", "left", "right"}},
      {"batch {data}/batch_long.csv --group group --measure GEN", "--format", {"csv", "tsv", "json"}},
      {"batch {data}/batch_long.csv --group group --measure GEN", "--ci-method", {"z", "t", "hk", "adhoc"}},
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

/// The options every analysis subcommand shares with `meta` (one settings path in the library),
/// on every subcommand that has them, with data each value changes something in.
std::vector<option_case> shared_model_cases() {
  // {subcommand, what follows the file}: -m takes several values, so it comes after the file.
  const std::vector<std::pair<std::string, std::string>> subcommands = {
      {"meta", ""}, {"regress", " -m year"}, {"bias", ""}, {"influence", ""}, {"cumulative", ""}, {"trimfill", ""}};
  std::vector<option_case> out;
  for (const auto& [name, extra] : subcommands) {
    const std::string sub = name + " {tmp}/md.csv" + extra;
    const std::string md = sub + " --format json", rr = name + " {tmp}/rr.csv" + extra + " --measure RR --format json";
    out.push_back({md + " --measure MD", "--method", {"EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB"}});
    out.push_back({md + " --measure MD", "--ci-method", {"z", "t", "hk", "knha", "adhoc"}});
    out.push_back({md + " --measure MD", "--pi-method", {"z", "t_k1", "t_k2"}});
    out.push_back({md + " --measure MD", "--convention", {"metafor", "stata"}});
    out.push_back({md + " --measure MD", "--md-variance", {"separate", "pooled"}});
    out.push_back({md + " --measure SMD", "--smd-correction", {"exact", "approx", "none"}});
    out.push_back({md + " --measure SMD", "--smd-variance", {"ls", "ub"}});
    out.push_back({md, "--measure", {"MD", "SMD", "ROM"}});
    out.push_back({rr, "--zero-cell", {"only0", "all", "none"}});
    out.push_back({sub + " --measure MD", "--format", {"text", "json", "csv"}});
  }
  const std::string batch = "batch {data}/batch_long.csv --group group --measure GEN";
  for (const auto& c : std::vector<option_case>{
           {"batch {data}/batch_long.csv --group group", "--measure", {"GEN"}},
           {batch, "--method", {"EE", "DL", "REML", "PM"}},
           {batch, "--pi-method", {"z", "t_k1", "t_k2"}},
           {"batch {tmp}/md_groups.csv --group g --measure MD", "--md-variance", {"separate", "pooled"}},
           {"batch {tmp}/md_groups.csv --group g --measure SMD", "--smd-correction", {"exact", "approx", "none"}},
           {"batch {tmp}/md_groups.csv --group g --measure SMD", "--smd-variance", {"ls", "ub"}},
           {"batch {tmp}/rr_groups.csv --group g --measure OR", "--zero-cell", {"only0", "all", "none"}},
           {"batch {tmp}/rr_groups.csv --group g", "--measure", {"OR", "RR", "RD", "PETO"}},
           {"simulate --k 5 --reps 20 --quiet --out -", "--methods", {"DL,REML", "ee,pm"}},
           {"simulate --k 5 --reps 20 --quiet --out -", "--ci", {"z,hk", "knha"}},
           {"import {data}/../review/fixtures/medline.nbib", "--input-format", {"medline", "pubmed"}},
           {"dedup {data}/../review/fixtures/ris_quirks.ris --decisions {tmp}/decisions.csv --out -",
            "--format",
            {"json", "csv", "ris"}},
           {"conflicts {data}/../review/fixtures/screening/review.toml", "--format", {"text", "csv", "json"}},
           {"conflicts {data}/../review/fixtures/screening/review.toml --format json",
            "--stage",
            {"title-abstract", "full-text"}},
           {"appraise check {tmp}/review/review.toml", "--format", {"text", "json"}},
           {"trimfill {tmp}/rr.csv --measure RR --format json --estimator R0", "--side", {"left", "right"}},
       }) {
    out.push_back(c);
  }
  return out;
}

TEST_F(OptionCase, EveryEnumeratedValueIsReadWhateverItsCase) {
  const std::string data = METASIFT_TEST_DATA_DIR;
  int checked = 0;
  std::vector<option_case> all = cases();
  for (auto& c : shared_model_cases()) all.push_back(std::move(c));
  for (const auto& c : all) {
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
  EXPECT_GT(checked, 500);
}

// --sort takes the keywords effect and weight in any case (anything else names a column); the
// option changes the forest plot only, so the plots are compared.
TEST_F(OptionCase, ForestSortKeywordsInAnyCase) {
  for (const std::string key : {"effect", "weight"}) {
    std::string reference;
    for (const auto& spelling : {lower(key), upper(key), mixed(key)}) {
      const std::string svg = tmp_ + "/sort_" + spelling + ".svg";
      const auto r = run_metasift("meta " + tmp_ + "/md.csv --measure MD --forest " + svg + " --sort " + spelling);
      ASSERT_EQ(r.code, 0) << spelling << "\n" << r.err;
      std::ifstream in(svg, std::ios::binary);
      const std::string drawn{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      ASSERT_FALSE(drawn.empty()) << svg;
      if (reference.empty()) {
        reference = drawn;
      } else {
        EXPECT_EQ(drawn, reference) << "--sort " << spelling << " draws another plot than --sort " << key;
      }
    }
  }
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
      {"meta {data}/fig1.csv --measure MD --format json --test", "z", "T"},
      {"meta {data}/fig1.csv --measure MD --format json --test", "t", "ADHOC"},
      {"regress {tmp}/md.csv -m year --measure MD --format json --test", "z", "Adhoc"},
      {"batch {data}/batch_long.csv --group group --measure GEN --test", "z", "T"},
      {"batch {data}/batch_long.csv --group group --measure GEN --format", "csv", "JSON"},
      {"gwas {tmp}/c1.tsv {tmp}/c2.tsv --out - --scheme", "stderr", "SAMPLESIZE"},
      {"regress {tmp}/md.csv -m year --measure MD --format json --md-variance", "separate", "POOLED"},
      {"bias {tmp}/md.csv --measure SMD --format json --smd-correction", "exact", "NONE"},
      {"meta {data}/fig1.csv --measure SMD --format json --smd-variance", "ls", "UB"},
      {"regress {tmp}/md.csv -m year --measure SMD --format json --smd-variance", "ls", "Ub"},
      {"batch {tmp}/md_groups.csv --group g --measure SMD --smd-variance", "ls", "UB"},
      {"influence {tmp}/md.csv --measure MD --format json --method", "REML", "ee"},
      {"batch {tmp}/rr_groups.csv --group g --measure OR --zero-cell", "only0", "ALL"},
      {"batch {tmp}/md_groups.csv --group g --measure MD --md-variance", "separate", "POOLED"},
      {"simulate --k 5 --reps 20 --quiet --out - --v-dist", "uniform", "LOGUNIFORM"},
      {"conflicts {data}/../review/fixtures/screening/review.toml --format", "text", "JSON"},
      {"appraise check {tmp}/review/review.toml --format", "text", "JSON"},
      {"dedup {data}/../review/fixtures/ris_quirks.ris --decisions {tmp}/decisions.csv --out - --format", "json",
       "CSV"},
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
