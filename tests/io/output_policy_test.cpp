// The output policy (io/output_policy.hpp) at library level: inputs by every spelling, targets that
// are not regular files, symlinked folders, output folders and the stale folders of dead runs.
// Every hostile layout is generated here.
#include "metasift/io/output_policy.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "metasift/core/error.hpp"
#include "metasift/io/file.hpp"

namespace metasift::io {
namespace {

namespace fs = std::filesystem;

/// No process can have this id: it is above Linux's largest pid_max (2^22).
constexpr const char* dead_pid = "999999998";

class OutputPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("metasift-policy-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    guard_run_files();  // as the CLI does
    forget_inputs_and_outputs();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    forget_inputs_and_outputs();
    guard_run_files(false);
  }
  static void put(const fs::path& p, const std::string& s) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << s;
  }
  static std::string get(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  /// The io_error message of write_file_atomic(p, "new"), or "" when it wrote.
  static std::string write_error(const fs::path& p) {
    try {
      write_file_atomic(p, "new");
    } catch (const io_error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(OutputPolicy, AFileReadByThisProcessIsNeverReplacedWhateverItsSpelling) {
  put(dir_ / "d.csv", "input");
  fs::create_directories(dir_ / "sub");
  fs::create_symlink(dir_ / "d.csv", dir_ / "alias.csv");
  fs::create_hard_link(dir_ / "d.csv", dir_ / "hard.csv");
  static_cast<void>(read_file(dir_ / "sub" / ".." / "d.csv"));
  for (const fs::path& p : {dir_ / "d.csv", dir_ / "." / "d.csv", dir_ / "hard.csv"}) {
    const std::string e = write_error(p);
    EXPECT_NE(e.find("it is an input of this run"), std::string::npos) << p << ": " << e;
  }
  // Through a symlink: refused as a symlink before it could reach the input.
  EXPECT_NE(write_error(dir_ / "alias.csv").find("symbolic link"), std::string::npos);
  EXPECT_EQ(get(dir_ / "d.csv"), "input");
  EXPECT_TRUE(fs::is_symlink(dir_ / "alias.csv"));
}

TEST_F(OutputPolicy, AFileWrittenByThisProcessIsNotWrittenAgainAsAnotherOutput) {
  write_file_atomic(dir_ / "r.svg", "forest");
  EXPECT_NE(write_error(dir_ / "r.svg").find("written it already"), std::string::npos);
  EXPECT_EQ(get(dir_ / "r.svg"), "forest");
}

TEST_F(OutputPolicy, WithoutTheRunGuardALibraryUserMayRewriteWhatItRead) {
  guard_run_files(false);
  put(dir_ / "notes.txt", "v1");
  static_cast<void>(read_file(dir_ / "notes.txt"));
  write_file_atomic(dir_ / "notes.txt", "v2");
  write_file_atomic(dir_ / "notes.txt", "v3");
  EXPECT_EQ(get(dir_ / "notes.txt"), "v3");
  // The file-kind rules hold regardless.
  EXPECT_NE(write_error("/dev/null").find("not a regular file"), std::string::npos);
}

TEST_F(OutputPolicy, OnlyRegularFilesAreReplaced) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  fs::create_directories(dir_ / "folder");
  put(dir_ / "target.txt", "kept");
  fs::create_symlink(dir_ / "target.txt", dir_ / "link.txt");
  fs::create_symlink(dir_ / "nowhere", dir_ / "dangling");
  EXPECT_NE(write_error(dir_ / "fifo").find("is a FIFO (named pipe), not a regular file"), std::string::npos);
  EXPECT_NE(write_error(dir_ / "folder").find("is a folder, not a regular file"), std::string::npos);
  EXPECT_NE(write_error(dir_ / "link.txt").find("is a symbolic link"), std::string::npos);
  EXPECT_NE(write_error(dir_ / "dangling").find("is a symbolic link"), std::string::npos);
  EXPECT_NE(write_error("/dev/null").find("is a character device, not a regular file"), std::string::npos);
  EXPECT_TRUE(fs::is_fifo(dir_ / "fifo"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.txt"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "dangling"));
  EXPECT_EQ(get(dir_ / "target.txt"), "kept");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  // Nothing left behind: no temporary file next to any of them.
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST_F(OutputPolicy, AFileInASymlinkedFolderIsWrittenThroughTheLink) {
  fs::create_directories(dir_ / "real");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  write_file_atomic(dir_ / "link" / "out.csv", "data");
  EXPECT_TRUE(fs::is_symlink(dir_ / "link"));
  EXPECT_EQ(get(dir_ / "real" / "out.csv"), "data");
}

TEST_F(OutputPolicy, CheckPathsFindsAnOutputThatIsAnInputOrAnotherOutput) {
  put(dir_ / "d.csv", "x");
  fs::create_directories(dir_ / "sub");
  const std::string d = (dir_ / "d.csv").string();
  const std::string other = (dir_ / "sub" / ".." / "d.csv").string();
  try {
    check_paths({{"data", d}}, {{"--out", other}});
    FAIL() << "no throw";
  } catch (const io_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write '" + other + "' (--out): it is the input '" + d +
                                         "' (data), and metasift never writes over its input");
  }
  // Two outputs that do not exist yet, spelled differently.
  const std::string a = (dir_ / "r.svg").string();
  const std::string b = (dir_ / "sub" / ".." / "r.svg").string();
  try {
    check_paths({}, {{"--forest", a}, {"--out", b}});
    FAIL() << "no throw";
  } catch (const io_error& e) {
    EXPECT_NE(std::string(e.what()).find("it is also the output of --forest"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_paths({{"data", d}}, {{"--out", ""}, {"--forest", "-"}, {"--funnel", a}}));
  EXPECT_FALSE(fs::exists(dir_ / "r.svg"));
}

TEST_F(OutputPolicy, AFolderIsReplaceableOnlyWhenItsManifestListsEverythingInIt) {
  const fs::path out = dir_ / "out";
  EXPECT_NO_THROW(check_replaceable_folder(out));  // does not exist
  fs::create_directories(out);
  EXPECT_NO_THROW(check_replaceable_folder(out));  // empty
  put(out / "report.html", "r");
  put(out / "results.json", "j");
  // report.html and results.json alone no longer make a folder metasift's.
  EXPECT_EQ(first_foreign_entry(out), "report.html");
  EXPECT_THROW(check_replaceable_folder(out), io_error);
  put(out / std::string(manifest_name), manifest_text({"results.json", "report.html", "figures/a.svg"}));
  put(out / "figures" / "a.svg", "s");
  EXPECT_EQ(first_foreign_entry(out), std::nullopt);
  put(out / "figures" / "notes.txt", "mine");
  put(out / "b-mine.txt", "mine");
  try {
    check_replaceable_folder(out);
    FAIL() << "no throw";
  } catch (const io_error& e) {
    // The first foreign entry in sorted order is named.
    EXPECT_NE(std::string(e.what()).find("it holds 'b-mine.txt', which metasift did not write"), std::string::npos)
        << e.what();
  }
  fs::remove(out / "b-mine.txt");
  EXPECT_EQ(first_foreign_entry(out), "figures/notes.txt");
}

TEST_F(OutputPolicy, TheManifestIsSortedAndHoldsNoTimeOrProcess) {
  const std::string m = manifest_text({"b", "a", "figures/c.svg", "a"});
  EXPECT_EQ(m.substr(m.find("a\n")), "a\nb\nfigures/c.svg\n");
  EXPECT_EQ(m, manifest_text({"figures/c.svg", "a", "b"}));
  EXPECT_EQ(m.find(std::to_string(::getpid())), std::string::npos);
}

TEST_F(OutputPolicy, ASymlinkedOutputFolderResolvesToItsTarget) {
  fs::create_directories(dir_ / "real");
  fs::create_directory_symlink(dir_ / "real", dir_ / "link");
  EXPECT_EQ(resolve_output_folder(dir_ / "link"), fs::canonical(dir_ / "real"));
  EXPECT_EQ(resolve_output_folder(dir_ / "real" / "."), dir_ / "real");
  put(dir_ / "file", "x");
  EXPECT_THROW(static_cast<void>(resolve_output_folder(dir_ / "file")), io_error);
  fs::create_symlink(dir_ / "nothing", dir_ / "dangling");
  EXPECT_THROW(static_cast<void>(resolve_output_folder(dir_ / "dangling")), io_error);
  EXPECT_THROW(static_cast<void>(resolve_output_folder("")), io_error);
}

TEST_F(OutputPolicy, StaleFoldersOfDeadRunsAreRemovedAndNothingElse) {
  const fs::path out = dir_ / "out";
  const std::string manifest = manifest_text({"report.html", "figures/f.svg"});
  // A run killed mid-write: manifest, one file, one interrupted atomic write.
  const fs::path tmp = dir_ / (std::string("out.tmp-") + dead_pid);
  put(tmp / std::string(manifest_name), manifest);
  put(tmp / "report.html", "half");
  put(tmp / "figures" / "f.svg.tmp-Ab12Cd", "partial");
  // A run killed before its manifest: an empty folder.
  const fs::path empty = dir_ / "out.tmp-999999997";
  fs::create_directories(empty);
  // An earlier run's folder moved aside by a run that died before removing it.
  const fs::path old = dir_ / "out.old-999999996";
  put(old / std::string(manifest_name), manifest);
  put(old / "report.html", "old");
  // Not stale: a live process (this one's parent), a folder with a user's file, a look-alike name.
  const fs::path live = dir_ / ("out.tmp-" + std::to_string(::getppid()));
  put(live / std::string(manifest_name), manifest);
  const fs::path foreign = dir_ / "out.tmp-999999995";
  put(foreign / std::string(manifest_name), manifest);
  put(foreign / "thesis.docx", "mine");
  const fs::path lookalike = dir_ / "out.tmp-notapid";
  fs::create_directories(lookalike);
  const fs::path other = dir_ / (std::string("other.tmp-") + dead_pid);
  fs::create_directories(other);

  EXPECT_EQ(remove_stale_siblings(out), 3U);
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_FALSE(fs::exists(empty));
  EXPECT_FALSE(fs::exists(old));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_EQ(get(foreign / "thesis.docx"), "mine");
  EXPECT_TRUE(fs::exists(lookalike));
  EXPECT_TRUE(fs::exists(other));
}

}  // namespace
}  // namespace metasift::io
