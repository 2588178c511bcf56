// Missing and non-finite numbers in every output, as docs/output.md promises: "NA" in text and
// HTML, an empty field in CSV/TSV, null in JSON, and never "nan" or "inf". Each case feeds data
// whose result has an undefined number (k = 1, k = p, a double-zero 2x2 table, an overflowing
// group, a variant seen in one cohort) through meta, regress, batch, gwas and run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::cli_result;
using metasift::test::run_metasift;
using metasift::test::slurp_file;

/// Lines with a word "nan", "inf", "infinity" (any case, any sign): what printf, iostreams and fmt
/// print for non-finite doubles.
std::string non_finite_words(const std::string& text) {
  static const std::regex word("(^|[^A-Za-z0-9_])[-+]?(nan|inf|infinity)([^A-Za-z0-9_]|$)", std::regex::icase);
  std::string found;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    if (std::regex_search(line, word)) found += line + '\n';
    start = end + 1;
  }
  return found;
}

fs::path write(const std::string& name, const std::string& text) {
  static const fs::path dir = metasift::test::scratch_folder("non_finite");
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

/// The CSV line starting with `first_field,` (the row of one study or term).
std::string csv_row(const std::string& csv, const std::string& first_field) {
  const std::string key = first_field + ',';
  std::size_t at = csv.rfind('\n' + key);
  at = csv.compare(0, key.size(), key) == 0 ? 0 : (at == std::string::npos ? at : at + 1);
  if (at == std::string::npos) return "";
  return csv.substr(at, csv.find('\n', at) - at);
}

cli_result run_ok(const std::string& args) {
  cli_result r = run_metasift(args);
  EXPECT_EQ(r.code, 0) << args << '\n' << r.err;
  EXPECT_EQ(non_finite_words(r.out), "") << args;
  EXPECT_EQ(non_finite_words(r.err), "") << args;
  return r;
}

TEST(NonFiniteOutput, MetaWithOneStudy) {
  // k = 1: tau^2 is set to 0 and its standard error does not exist.
  const fs::path f = write("k1.csv", "study,yi,vi\nA,0.5,0.04\n");
  const cli_result text = run_ok("meta " + f.string());
  EXPECT_NE(text.out.find("tau2 = 0.0000 (SE NA), tau = 0.0000"), std::string::npos) << text.out;
  const cli_result csv = run_ok("meta " + f.string() + " --format csv");
  EXPECT_EQ(csv_row(csv.out, "A"), "A,0.5,0.04,0.2,0.10800720309198919,0.8919927969080108,100,GEN,REML,z,metafor,");
  const cli_result json = run_ok("meta " + f.string() + " --format json");
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["heterogeneity"]["tau2_se"].is_null()) << j["heterogeneity"].dump();
  EXPECT_EQ(j["heterogeneity"]["tau2"], 0.0);
}

TEST(NonFiniteOutput, MetaWithADoubleZeroTable) {
  // Under Mantel-Haenszel a double-zero table has no study estimate (yi, vi, se and its CI do
  // not exist) but keeps its weight of 0 in the table.
  const fs::path f = write("dz.csv", "study,ai,bi,ci,di\nA,5,95,10,90\nB,0,50,0,50\nC,3,97,8,92\n");
  const std::string args = "meta " + f.string() + " --measure OR --method MH";
  const cli_result text = run_ok(args);
  EXPECT_NE(text.out.find("\nB            NA [   NA,   NA]      0.00\n"), std::string::npos) << text.out;
  const cli_result csv = run_ok(args + " --format csv");
  // study, yi, vi, se, ci_lower, ci_upper empty; weight 0; the three back-transformed and the five
  // Mantel-Haenszel test columns (filled on the Overall row only) empty.
  EXPECT_EQ(csv_row(csv.out, "B").rfind("B,,,,,,0,,,,,,,,,OR,MH,z,metafor,double-zero table", 0), 0u) << csv.out;
  const cli_result json = run_ok(args + " --format json");
  const auto j = nlohmann::json::parse(json.out);
  const auto& b = j["studies"][1];
  ASSERT_EQ(b["study"], "B");
  for (const char* key : {"yi", "vi", "se", "ci_lower", "ci_upper"}) EXPECT_TRUE(b[key].is_null()) << key;
  EXPECT_TRUE(b["back_transformed"]["effect"].is_null());
  EXPECT_EQ(b["weight"], 0.0);
}

TEST(NonFiniteOutput, RegressionWithAsManyCoefficientsAsStudies) {
  // k = p = 2: the model fits exactly; tau^2 is set to 0 and has no standard error, and the z
  // test has no degrees of freedom.
  const fs::path f = write("kp.csv", "study,yi,vi,x\nA,0.1,0.01,1\nB,0.5,0.02,2\n");
  const std::string args = "regress " + f.string() + " -m x";
  const cli_result text = run_ok(args);
  EXPECT_NE(text.out.find("tau2 = 0.00 (SE NA)"), std::string::npos) << text.out;
  const cli_result csv = run_ok(args + " --format csv");
  EXPECT_EQ(csv_row(csv.out, "tau2"), "tau2,0,,,,,,,,GEN,REML,z,metafor,") << csv.out;
  // The intercept's z test has no df and there is no permutation p: fields 5 and 9 are empty.
  std::vector<std::string> fields;
  const std::string intercept = csv_row(csv.out, "intrcpt") + ',';
  for (std::size_t at = 0, next; (next = intercept.find(',', at)) != std::string::npos; at = next + 1) {
    fields.push_back(intercept.substr(at, next - at));
  }
  ASSERT_GE(fields.size(), 9u) << csv.out;
  EXPECT_EQ(fields[4], "");
  EXPECT_EQ(fields[8], "");
  EXPECT_NE(fields[5], "");  // p exists
  const cli_result json = run_ok(args + " --format json");
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_TRUE(j["tau2_se"].is_null());
  EXPECT_TRUE(j["df"].is_null());
  EXPECT_EQ(j["tau2"], 0.0);
}

TEST(NonFiniteOutput, BatchGroupThatCannotBePooled) {
  // Group a's sums overflow: the group is an error with every number missing; b pools.
  const fs::path f = write("big.csv", "g,yi,vi\na,1e308,0.01\na,1e308,0.02\nb,0.1,0.01\nb,0.2,0.01\n");
  const cli_result csv = run_ok("batch " + f.string() + " --group g");
  EXPECT_EQ(csv_row(csv.out, "a"), "a,0,,,,,,,,,error") << csv.out;
  const cli_result tsv = run_ok("batch " + f.string() + " --group g --format tsv");
  EXPECT_NE(tsv.out.find("\na\t0\t\t\t\t\t\t\t\t\terror\n"), std::string::npos) << tsv.out;
}

TEST(NonFiniteOutput, GwasVariantInOneCohort) {
  // rs1 is in one cohort only: Q = 0 with 0 df, and Q_P and I2 do not exist. The table is
  // whitespace-separated (METAL's layout), so they are NA rather than empty.
  const fs::path a = write("c1.txt", "SNP CHR BP A1 A2 BETA SE\nrs1 1 100 A G 0.3 0.1\nrs2 1 200 A G 0.1 0.05\n");
  const fs::path b = write("c2.txt", "SNP CHR BP A1 A2 BETA SE\nrs2 1 200 A G 0.2 0.05\n");
  const fs::path out = a.parent_path() / "gwas.tsv";
  run_ok("gwas " + a.string() + " " + b.string() + " --random DL --out " + out.string());
  const std::string tsv = slurp_file(out);
  EXPECT_EQ(non_finite_words(tsv), "");
  // SNP CHR BP A1 A2 BETA SE P Q Q_P I2 DF DIRECTION ...
  EXPECT_NE(tsv.find("\nrs1\t1\t100\tA\tG\t0.3\t0.1\t0.0026998\t0\tNA\tNA\t0\t+?\t"), std::string::npos) << tsv;
}

TEST(NonFiniteOutput, RunWithOneStudyLeft) {
  // The built-in example with nine of its ten studies' sd1 missing: k = 1.
  const fs::path dir = metasift::test::scratch_folder("non_finite_run") / "review";
  fs::copy(fs::path(METASIFT_SOURCE_DIR) / "examples/rare-earth-china", dir, fs::copy_options::recursive);
  std::string data = slurp_file(dir / "data/studies.csv");
  std::string edited;
  std::size_t line = 0, start = 0;
  while (start < data.size()) {
    std::size_t end = data.find('\n', start);
    if (end == std::string::npos) end = data.size();
    std::string row = data.substr(start, end - start);
    if (line >= 2) {  // keep the header and the first study
      // record,study,year,n1,mean1,sd1,...: sd1 is the sixth field
      std::size_t at = 0;
      for (int comma = 0; comma < 5; ++comma) at = row.find(',', at) + 1;
      row.replace(at, row.find(',', at) - at, "NA");
    }
    edited += row + '\n';
    ++line;
    start = end + 1;
  }
  std::ofstream(dir / "data/studies.csv", std::ios::binary) << edited;
  const fs::path out = dir.parent_path() / "out";
  const cli_result r = run_ok("run " + (dir / "review.toml").string() + " --out " + out.string());
  const std::string results = slurp_file(out / "results.json");
  EXPECT_EQ(non_finite_words(results), "");
  const auto j = nlohmann::json::parse(results);
  const auto& m = j["meta_analysis"];
  EXPECT_EQ(m["k"], 1);
  EXPECT_TRUE(m["heterogeneity"]["tau2_se"].is_null()) << m["heterogeneity"].dump();
  EXPECT_EQ(non_finite_words(slurp_file(out / "report.html")), "");
  EXPECT_EQ(non_finite_words(slurp_file(out / "screening.csv")), "");
  EXPECT_NE(r.out.find("(k = 1)"), std::string::npos) << r.out;
}

TEST(NonFiniteOutput, TheDetectorFindsWhatPrintfPrints) {
  // The check above must see the spellings printf and fmt use for non-finite doubles.
  EXPECT_NE(non_finite_words("SE nan"), "");
  EXPECT_NE(non_finite_words("a,-nan,b"), "");
  EXPECT_NE(non_finite_words("x = inf"), "");
  EXPECT_NE(non_finite_words("[-Inf, Infinity]"), "");
  EXPECT_NE(non_finite_words("NaN"), "");
  EXPECT_EQ(non_finite_words("influence information financial Nancy NA"), "");
}

}  // namespace
