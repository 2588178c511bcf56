// `metasift run --out DIR` under the output policy, end to end: byte-identical reruns, a folder is
// replaced only when metasift wrote it (its manifest lists everything in it), `--out .` in a review
// folder deletes nothing, a symlinked folder is written through, stale temporary folders of dead
// runs are cleaned. Every layout is generated here from the built-in example.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "run_cli_support.hpp"

namespace {

using namespace metasift::test_run;

/// Every file under `dir` (relative path -> bytes).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[e.path().lexically_relative(dir).generic_string()] = slurp(e.path());
  }
  return files;
}

/// A private copy of the built-in example, so that tests may add files to it.
fs::path copy_example(const std::string& name) {
  const fs::path dir = scratch(name) / "review";
  fs::copy(fs::path(example_review()).parent_path(), dir, fs::copy_options::recursive);
  return dir;
}

TEST(RunOutput, TwoIdenticalRunsGiveByteIdenticalFolders) {
  const fs::path out = scratch("identical") / "out";
  const cli_result first = run_metasift("run " + example_review() + " --out " + out.string() + " -q");
  ASSERT_EQ(first.code, 0) << first.err;
  const auto a = snapshot(out);
  // The second run replaces the first (it is metasift's folder) and must give the same bytes.
  const cli_result second = run_metasift("run " + example_review() + " --out " + out.string() + " -q");
  ASSERT_EQ(second.code, 0) << second.err;
  const auto b = snapshot(out);
  ASSERT_GE(a.size(), 10U);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs between two identical runs";
  }
  // The folder lists itself, and no PDF carries a date.
  EXPECT_TRUE(a.count(".metasift-manifest"));
  for (const auto& [name, bytes] : a) {
    if (name.size() > 4 && name.substr(name.size() - 4) == ".pdf") {
      EXPECT_EQ(bytes.find("/CreationDate"), std::string::npos) << name;
      EXPECT_EQ(bytes.find("/ModDate"), std::string::npos) << name;
    }
  }
}

TEST(RunOutput, OutDotInsideAReviewFolderRefusesAndDeletesNothing) {
  const fs::path dir = copy_example("out_dot");
  // The layout that used to be taken for an earlier run: a copied report beside the review.
  write_file(dir / "report.html", "<p>copied report</p>");
  write_file(dir / "results.json", "{}");
  const auto before = snapshot(dir);
  const cli_result r =
      run_shell("cd " + dir.string() + " && " + std::getenv("METASIFT_BIN") + " run review.toml --out .");
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find("which metasift did not write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("it holds 'README.md'"), std::string::npos) << r.err;  // the first foreign file, sorted
  EXPECT_EQ(snapshot(dir), before);
  EXPECT_TRUE(fs::exists(dir / "review.toml"));
}

TEST(RunOutput, AUsersFileInAnEarlierOutputFolderStopsTheRun) {
  const fs::path base = scratch("foreign");
  const fs::path out = base / "out";
  ASSERT_EQ(run_metasift("run " + example_review() + " --out " + out.string() + " -q").code, 0);
  write_file(out / "figures" / "my-notes.txt", "months of work");
  const cli_result r = run_metasift("run " + example_review() + " --out " + out.string() + " -q");
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find("it holds 'figures/my-notes.txt'"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(out / "figures" / "my-notes.txt"), "months of work");
  EXPECT_TRUE(fs::exists(out / "report.html"));
  // A folder with report.html and results.json but no manifest is not metasift's either.
  write_file(base / "old" / "report.html", "x");
  write_file(base / "old" / "results.json", "{}");
  write_file(base / "old" / "data.xlsx", "mine");
  EXPECT_EQ(run_metasift("run " + example_review() + " --out " + (base / "old").string()).code, 4);
  EXPECT_EQ(slurp(base / "old" / "data.xlsx"), "mine");
}

TEST(RunOutput, AnEmptyOutIsAUsageError) {
  const cli_result r = run_metasift("run " + example_review() + " --out ''");
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("option '--out'"), std::string::npos) << r.err;
}

TEST(RunOutput, ASymlinkedOutputFolderIsWrittenThrough) {
  const fs::path base = scratch("symlinked");
  fs::create_directories(base / "real");
  fs::create_directory_symlink(base / "real", base / "link");
  for (int i = 0; i < 2; ++i) {  // creating, then replacing
    const cli_result r = run_metasift("run " + example_review() + " --out " + (base / "link").string() + " -q");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::is_symlink(base / "link"));
    EXPECT_TRUE(fs::is_regular_file(base / "real" / "report.html"));
  }
  for (const auto& e : fs::directory_iterator(base)) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n == "real" || n == "link") << "left behind: " << n;
  }
}

TEST(RunOutput, StaleTemporaryFoldersOfKilledRunsAreCleanedUp) {
  const fs::path base = scratch("stale");
  const std::string manifest = "# Written by metasift.\nreport.html\nresults.json\nfigures/forest.svg\n";
  // A run killed with -9 mid-write (pid 999999998 cannot exist: above Linux's pid_max), and an
  // earlier folder a killed concurrent run had moved aside.
  write_file(base / "out.tmp-999999998" / ".metasift-manifest", manifest);
  write_file(base / "out.tmp-999999998" / "report.html", "<html>complete-looking</html>");
  write_file(base / "out.old-999999997" / ".metasift-manifest", manifest);
  write_file(base / "out.old-999999997" / "results.json", "{}");
  // Not stale: it holds a file the manifest does not list.
  write_file(base / "out.tmp-999999996" / ".metasift-manifest", manifest);
  write_file(base / "out.tmp-999999996" / "keep.txt", "mine");
  const cli_result r = run_metasift("run " + example_review() + " --out " + (base / "out").string() + " -q");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(base / "out.tmp-999999998"));
  EXPECT_FALSE(fs::exists(base / "out.old-999999997"));
  EXPECT_EQ(slurp(base / "out.tmp-999999996" / "keep.txt"), "mine");
  EXPECT_TRUE(fs::exists(base / "out" / "report.html"));
}

TEST(RunOutput, AReviewLevelBelowFiftyPercentIsRefusedAtItsLine) {
  const fs::path dir = copy_example("level");
  std::string toml = slurp(dir / "review.toml");
  const std::size_t at = toml.find("[analysis]");
  ASSERT_NE(at, std::string::npos);
  toml.insert(toml.find('\n', at) + 1, "level = 2\n");
  write_file(dir / "review.toml", toml);
  const cli_result r =
      run_metasift("run " + (dir / "review.toml").string() + " --out " + (dir.parent_path() / "out").string());
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find("review.toml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("level: a level of 2 would mean a 2% interval"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.parent_path() / "out"));
}

}  // namespace
