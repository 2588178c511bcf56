// The output policy and the messages, end to end through the built binary: an output never
// replaces an input or another output of the same run (whatever the spelling), never replaces
// anything that is not a regular file, and CSV outputs neutralise spreadsheet formulas. Every input
// is generated here. docs/bad-input.md ("Output policy") lists these cases.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "support/cli.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::test::cli_result;
using metasift::test::run_metasift;
using metasift::test::scratch_folder;
using metasift::test::slurp_file;

void put(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

const std::string effects_csv = "study,yi,vi\nA,0.4,0.04\nB,0.1,0.09\nC,0.3,0.05\n";

/// One line on stderr, starting "metasift: ".
void expect_one_line(const cli_result& r) {
  EXPECT_EQ(r.err.rfind("metasift: ", 0), 0U) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(OutputPolicyCli, MetaNeverWritesOverItsInputWhateverTheSpelling) {
  const fs::path d = scratch_folder("policy_meta_in");
  put(d / "d.csv", effects_csv);
  fs::create_directories(d / "sub");
  fs::create_symlink(d / "d.csv", d / "alias.csv");
  for (const std::string out : {"d.csv", "./d.csv", "sub/../d.csv", "alias.csv"}) {
    const cli_result r = run_metasift("meta d.csv --out " + out, d);
    EXPECT_EQ(r.code, 4) << out << ": " << r.err;
    expect_one_line(r);
    EXPECT_EQ(slurp_file(d / "d.csv"), effects_csv) << out;
  }
  const cli_result r = run_metasift("meta d.csv --out d.csv", d);
  EXPECT_NE(r.err.find("cannot write 'd.csv' (--out): it is the input 'd.csv' (data)"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_symlink(d / "alias.csv"));
}

TEST(OutputPolicyCli, TwoOutputsOfOneRunMayNotBeTheSameFile) {
  const fs::path d = scratch_folder("policy_two_outputs");
  put(d / "d.csv", effects_csv);
  const cli_result r = run_metasift("meta d.csv --forest r.svg --out ./r.svg", d);
  EXPECT_EQ(r.code, 4) << r.err;
  expect_one_line(r);
  EXPECT_NE(r.err.find("cannot write 'r.svg' (--forest): it is also the output of --out ('./r.svg')"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(d / "r.svg"));  // refused before anything was written
  const cli_result t = run_metasift("trimfill d.csv --funnel f.png --out f.png", d);
  EXPECT_EQ(t.code, 4) << t.err;
  EXPECT_FALSE(fs::exists(d / "f.png"));
  // A figure over the input (a table that happens to be named .svg).
  put(d / "data.svg", effects_csv);
  const cli_result s = run_metasift("meta data.svg --forest data.svg", d);
  EXPECT_EQ(s.code, 4) << s.err;
  EXPECT_EQ(slurp_file(d / "data.svg"), effects_csv);
}

TEST(OutputPolicyCli, ImportAndDedupNeverWriteOverAnExport) {
  const fs::path d = scratch_folder("policy_review_in");
  const std::string ris = "TY  - JOUR\nTI  - A title\nAU  - Smith, J\nPY  - 2020\nER  - \n";
  put(d / "x.ris", ris);
  const cli_result i = run_metasift("import x.ris --format ris --out x.ris", d);
  EXPECT_EQ(i.code, 4) << i.err;
  expect_one_line(i);
  const cli_result dd = run_metasift("dedup x.ris --decisions ./x.ris", d);
  EXPECT_EQ(dd.code, 4) << dd.err;
  expect_one_line(dd);
  const cli_result both = run_metasift("dedup x.ris --decisions k.csv --out k.csv", d);
  EXPECT_EQ(both.code, 4) << both.err;
  EXPECT_FALSE(fs::exists(d / "k.csv"));
  EXPECT_EQ(slurp_file(d / "x.ris"), ris);
}

TEST(OutputPolicyCli, GwasNeverWritesOverACohortFile) {
  const fs::path d = scratch_folder("policy_gwas_in");
  const std::string c = "SNP\tCHR\tBP\tA1\tA2\tBETA\tSE\tP\tN\tFREQ\nrs1\t1\t100\tA\tG\t0.1\t0.05\t0.05\t1000\t0.3\n";
  put(d / "c.tsv", c);
  put(d / "c2.tsv", c);
  for (const std::string out : {"c.tsv", "./c2.tsv"}) {
    const cli_result r = run_metasift("gwas c.tsv c2.tsv --out " + out, d);
    EXPECT_EQ(r.code, 4) << r.err;
    expect_one_line(r);
  }
  EXPECT_EQ(slurp_file(d / "c.tsv"), c);
  EXPECT_EQ(slurp_file(d / "c2.tsv"), c);
}

TEST(OutputPolicyCli, DevicesFifosFoldersAndSymlinksAreNeverReplaced) {
  const fs::path d = scratch_folder("policy_special");
  put(d / "d.csv", effects_csv);
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo((d / "fifo.svg").c_str(), 0600), 0);
  fs::create_directories(d / "folder");
  put(d / "target.txt", "kept");
  fs::create_symlink(d / "target.txt", d / "link.txt");
  // The FIFO is refused without being opened, so nothing blocks waiting for a reader.
  for (const std::string out : {"fifo", "folder", "link.txt", "/dev/null"}) {
    const cli_result r = run_metasift("meta d.csv --out " + out, d);
    EXPECT_EQ(r.code, 4) << out << ": " << r.err;
    expect_one_line(r);
    EXPECT_NE(r.err.find(out == "link.txt" ? "symbolic link" : "not a regular file"), std::string::npos) << r.err;
  }
  const cli_result g = run_metasift("meta d.csv --forest fifo.svg", d);
  EXPECT_EQ(g.code, 4) << g.err;
  EXPECT_TRUE(fs::is_fifo(d / "fifo"));
  EXPECT_TRUE(fs::is_fifo(d / "fifo.svg"));
  EXPECT_TRUE(fs::is_symlink(d / "link.txt"));
  EXPECT_EQ(slurp_file(d / "target.txt"), "kept");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(OutputPolicyCli, StandardOutputSpellingsStillWork) {
  const fs::path d = scratch_folder("policy_stdout");
  put(d / "d.csv", effects_csv);
  const cli_result dash = run_metasift("meta d.csv --format csv --out -", d);
  const cli_result dev = run_metasift("meta d.csv --format csv --out /dev/stdout", d);
  ASSERT_EQ(dash.code, 0) << dash.err;
  ASSERT_EQ(dev.code, 0) << dev.err;
  EXPECT_EQ(dev.out, dash.out);
  EXPECT_NE(dash.out.find("Overall"), std::string::npos);
}

TEST(OutputPolicyCli, AFileInASymlinkedFolderIsWrittenThrough) {
  const fs::path d = scratch_folder("policy_link_folder");
  put(d / "d.csv", effects_csv);
  fs::create_directories(d / "real");
  fs::create_directory_symlink(d / "real", d / "link");
  const cli_result r = run_metasift("meta d.csv --format json --out link/r.json --forest link/f.svg", d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(d / "link"));
  EXPECT_TRUE(fs::is_regular_file(d / "real" / "r.json"));
  EXPECT_TRUE(fs::is_regular_file(d / "real" / "f.svg"));
}

/// Runs a shell command; returns its exit code and stderr.
cli_result shell(const std::string& cmd, const fs::path& dir) {
  const std::string full = "cd '" + dir.string() + "' && " + cmd + " 2>'" + (dir / ".err").string() + "'";
  const int status = std::system(full.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp_file(dir / ".err");
  return r;
}

TEST(MessagesCli, AFullStandardOutputIsAnIoErrorNotASuccess) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  const fs::path d = scratch_folder("stdout_full");
  put(d / "d.csv", effects_csv);
  const std::string bin = std::getenv("METASIFT_BIN");
  const cli_result r = shell("'" + bin + "' meta d.csv >/dev/full", d);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("cannot write to standard output"), std::string::npos) << r.err;
  const cli_result run = shell("'" + bin + "' run '" + std::string(METASIFT_SOURCE_DIR) +
                                   "/examples/rare-earth-china/review.toml' --out out >/dev/full",
                               d);
  EXPECT_EQ(run.code, 4) << run.err;
  EXPECT_NE(run.err.find("cannot write to standard output"), std::string::npos) << run.err;
}

TEST(MessagesCli, ANulInTheInputDoesNotCutTheMessage) {
  const fs::path d = scratch_folder("nul_message");
  // TOML's \u0000 puts a NUL into a value that the error message quotes.
  put(d / "review.toml",
      "[[sources]]\nname = \"X\"\nfiles = [\"x.ris\"]\n[search]\ndialect = \"ab\\u0000cd\"\nquery = \"a\"\n");
  put(d / "x.ris", "TY  - JOUR\nTI  - A\nER  - \n");
  const cli_result r = run_metasift("screen review.toml", d);
  EXPECT_EQ(r.code, 3) << r.err;
  expect_one_line(r);
  // The whole value, the NUL shown as \0, and the rest of the message after it.
  EXPECT_NE(r.err.find("review.toml:5:11: unknown dialect 'ab\\0cd' (expected generic"), std::string::npos) << r.err;
  // A NUL byte in a data file is refused by name, not printed.
  put(d / "d.csv", std::string("study,yi,vi\nA,1\0x,0.04\nB,0.1,0.09\n", 34));
  const cli_result t = run_metasift("meta d.csv", d);
  EXPECT_EQ(t.code, 3) << t.err;
  expect_one_line(t);
  EXPECT_NE(t.err.find("d.csv:2:4: unexpected NUL byte"), std::string::npos) << t.err;
}

TEST(MessagesCli, ALevelBelowFiftyPercentIsRefusedNotReadAsTwoPercent) {
  const fs::path d = scratch_folder("level");
  put(d / "d.csv", effects_csv);
  const cli_result two = run_metasift("meta d.csv --level 2", d);
  EXPECT_EQ(two.code, 2) << two.err;
  expect_one_line(two);
  EXPECT_NE(two.err.find("option '--level': a level of 2 would mean a 2% interval"), std::string::npos) << two.err;
  EXPECT_EQ(run_metasift("bias d.csv --level 0.3", d).code, 2);
  EXPECT_EQ(run_metasift("meta d.csv --level 100", d).code, 2);
  const cli_result huge = run_metasift("meta d.csv --level 1e308", d);
  EXPECT_EQ(huge.code, 2);
  EXPECT_NE(huge.err.find("1e+308"), std::string::npos) << huge.err;
  EXPECT_LT(huge.err.size(), 200U) << huge.err;
  // 95 and 0.95 are the same request.
  const cli_result pct = run_metasift("meta d.csv --level 95 --format json", d);
  const cli_result prop = run_metasift("meta d.csv --level 0.95 --format json", d);
  ASSERT_EQ(pct.code, 0) << pct.err;
  EXPECT_EQ(pct.out, prop.out);
}

TEST(MessagesCli, HugeNumbersArePrintedInScientificNotation) {
  const fs::path d = scratch_folder("huge_numbers");
  put(d / "d.csv", effects_csv);
  // tau^2 = 1e308 makes the CI limits about +-1e154 * ... up to 1e308: fixed notation printed them
  // with 309 digits.
  const cli_result r = run_metasift("meta d.csv --tau2 1e308", d);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(std::regex_search(r.out + r.err, std::regex("[0-9]{20}"))) << r.out;
  EXPECT_NE(r.out.find("e+"), std::string::npos) << r.out;
}

TEST(MessagesCli, AColumnMappingThatReadsOneColumnTwiceIsRefused) {
  const fs::path d = scratch_folder("col_map");
  put(d / "d.csv", effects_csv);
  const cli_result r = run_metasift("meta d.csv --col yi=vi", d);
  EXPECT_EQ(r.code, 2) << r.err;
  expect_one_line(r);
  EXPECT_NE(r.err.find("'yi' and 'vi' would both be read from column 'vi'"), std::string::npos) << r.err;
  const cli_result twice = run_metasift("meta d.csv --col yi=yi --col yi=vi", d);
  EXPECT_EQ(twice.code, 2) << twice.err;
  EXPECT_NE(twice.err.find("'yi' is mapped twice"), std::string::npos) << twice.err;
  put(d / "e.csv", "study,effect,var\nA,0.4,0.04\nB,0.1,0.09\n");
  EXPECT_EQ(run_metasift("meta e.csv --col yi=effect --col vi=var", d).code, 0);
  EXPECT_EQ(run_metasift("meta e.csv --col yi=effect --col vi=effect", d).code, 2);
}

TEST(CsvInjectionCli, RecordAndStudyTextCannotStartAFormula) {
  const fs::path d = scratch_folder("csv_injection");
  put(d / "x.ris",
      "TY  - JOUR\nTI  - =HYPERLINK(\"http://evil\",\"click\")\nAU  - @SUM(A1)\nAU  - -2+3\nPY  - 2020\nER  - \n"
      "TY  - JOUR\nTI  - +cmd|' /C calc'!A0\nAU  - Plain, Name\nPY  - 2021\nER  - \n");
  const cli_result imp = run_metasift("import x.ris --format csv", d);
  ASSERT_EQ(imp.code, 0) << imp.err;
  EXPECT_NE(imp.out.find("\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\""), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("'+cmd|' /C calc'!A0"), std::string::npos) << imp.out;
  EXPECT_EQ(imp.out.find(",=HYPERLINK"), std::string::npos);
  EXPECT_EQ(imp.out.find(",+cmd"), std::string::npos);
  const cli_result dd = run_metasift("dedup x.ris --decisions dec.csv --format csv --out kept.csv -q", d);
  ASSERT_EQ(dd.code, 0) << dd.err;
  const std::string kept = slurp_file(d / "kept.csv");
  EXPECT_NE(kept.find("'=HYPERLINK"), std::string::npos) << kept;
  EXPECT_EQ(kept.find(",=HYPERLINK"), std::string::npos) << kept;
  // Study labels in the analysis CSV; the numbers, negative ones included, are untouched.
  put(d / "d.csv", "study,yi,vi\n=1+1,-0.5,0.04\n@A,0.1,0.09\n-0.25,0.3,0.05\n");
  const cli_result m = run_metasift("meta d.csv --format csv", d);
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("\n'=1+1,-0.5,0.04,"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("\n'@A,0.1,"), std::string::npos) << m.out;
  EXPECT_NE(m.out.find("\n-0.25,0.3,"), std::string::npos) << m.out;  // a numeric label stays a number
}

}  // namespace
