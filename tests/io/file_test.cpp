#include "metasift/io/file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/io/table.hpp"

namespace metasift::io {
namespace {

namespace fs = std::filesystem;

/// A fresh directory per test, removed afterwards, so tests can run in parallel (ctest -j).
class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("metasift-io-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static void put(const fs::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary);
    out << content;
  }

  /// Names of the entries in the test directory.
  [[nodiscard]] std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

TEST_F(FileTest, ReadFileIsBinaryExact) {
  const std::string content("a,b\r\n\0\xFF\r", 9);
  put(dir_ / "x.bin", content);
  EXPECT_EQ(read_file(dir_ / "x.bin"), content);
}

TEST_F(FileTest, ReadEmptyAndLargeFiles) {
  put(dir_ / "empty", "");
  EXPECT_EQ(read_file(dir_ / "empty"), "");
  std::string big;
  for (int i = 0; big.size() < 300000; ++i) big += std::to_string(i) + ',';
  put(dir_ / "big", big);
  EXPECT_EQ(read_file(dir_ / "big"), big);
}

TEST_F(FileTest, ReadMissingFileNamesPathAndReason) {
  const fs::path p = dir_ / "missing.csv";
  try {
    static_cast<void>(read_file(p));
    FAIL() << "no throw";
  } catch (const io_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read '" + p.string() + "': No such file or directory");
  }
}

TEST_F(FileTest, ReadDirectoryFails) {
  try {
    static_cast<void>(read_file(dir_));
    FAIL() << "no throw";
  } catch (const io_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot read '" + dir_.string() + "': Is a directory");
  }
}

TEST_F(FileTest, WriteCreatesFileAndLeavesNoTemporary) {
  const fs::path p = dir_ / "out.txt";
  write_file_atomic(p, "hello\n");
  EXPECT_EQ(read_file(p), "hello\n");
  EXPECT_EQ(entries(), (std::vector<std::string>{"out.txt"}));
}

TEST_F(FileTest, WriteReplacesExistingTarget) {
  const fs::path p = dir_ / "out.txt";
  put(p, std::string(10000, 'x'));
  write_file_atomic(p, "short");
  EXPECT_EQ(read_file(p), "short");
  write_file_atomic(p, "");
  EXPECT_EQ(read_file(p), "");
  EXPECT_EQ(entries(), (std::vector<std::string>{"out.txt"}));
}

TEST_F(FileTest, WriteKeepsPermissionsOfTheReplacedFile) {
  const fs::path p = dir_ / "out.txt";
  put(p, "old");
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  write_file_atomic(p, "new");
  EXPECT_EQ(fs::status(p).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
}

TEST_F(FileTest, NewFileGetsUmaskPermissionsNotPrivateTemporaryOnes) {
  const fs::path p = dir_ / "new.txt";
  write_file_atomic(p, "x");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777U, 0666U & ~static_cast<unsigned>(mask));
}

TEST_F(FileTest, WriteIntoMissingDirectoryThrows) {
  const fs::path p = dir_ / "missing" / "out.txt";
  try {
    write_file_atomic(p, "x");
    FAIL() << "no throw";
  } catch (const io_error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write '" + p.string() + "': No such file or directory");
  }
  EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

TEST_F(FileTest, FailedRenameRemovesTheTemporary) {
  // The target is a non-empty directory: everything succeeds up to the rename.
  const fs::path p = dir_ / "taken";
  fs::create_directories(p / "inside");
  EXPECT_THROW(write_file_atomic(p, "x"), io_error);
  EXPECT_EQ(entries(), (std::vector<std::string>{"taken"}));
  EXPECT_TRUE(fs::is_directory(p / "inside"));
}

TEST_F(FileTest, ConcurrentWritersLeaveOneCompleteVersion) {
  const fs::path p = dir_ / "out.txt";
  std::vector<std::string> versions;
  for (char c = 'a'; c < 'a' + 8; ++c) versions.emplace_back(100000, c);
  std::vector<std::thread> writers;
  for (const std::string& v : versions) {
    writers.emplace_back([&p, &v] {
      for (int i = 0; i < 5; ++i) write_file_atomic(p, v);
    });
  }
  for (std::thread& t : writers) t.join();
  const std::string result = read_file(p);
  EXPECT_NE(std::find(versions.begin(), versions.end(), result), versions.end());
  EXPECT_EQ(entries(), (std::vector<std::string>{"out.txt"}));
}

TEST_F(FileTest, ReadTableUsesThePathInMessages) {
  const fs::path p = dir_ / "data.csv";
  put(p, "yi,vi\n0.5,abc\n");
  const table t = read_table(p);
  EXPECT_EQ(t.file, p.string());
  EXPECT_EQ(t.number(0, 0), 0.5);
  try {
    static_cast<void>(t.number(0, 1));
    FAIL() << "no throw";
  } catch (const input_error& e) {
    EXPECT_EQ(std::string(e.what()), p.string() + ":2:5: column 'vi': not a number: \"abc\"");
  }
}

TEST_F(FileTest, ReadTableOfMissingFileIsAnIoError) {
  EXPECT_THROW(static_cast<void>(read_table(dir_ / "nope.csv")), io_error);
}

}  // namespace
}  // namespace metasift::io
