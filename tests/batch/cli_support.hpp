#pragma once
// Running the metasift binary from the batch-engine CLI tests (METASIFT_BIN is set by CTest).

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace metasift::test {

struct cli_result {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const std::filesystem::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}

/// This process's scratch folder (ctest runs every test in a process of its own).
inline std::filesystem::path scratch_root() {
  return std::filesystem::temp_directory_path() / ("metasift_batchcli_" + std::to_string(::getpid()));
}

/// A fresh folder per test binary run.
inline std::filesystem::path scratch(const std::string& name) {
  const auto d = scratch_root() / name;
  std::filesystem::create_directories(d);
  return d;
}

/// Removes the scratch folder after the tests when all of them passed; a failure keeps it, to be
/// inspected. (An environment rather than a static destructor: its TearDown runs while GoogleTest's
/// own state is still alive.)
class scratch_cleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (::testing::UnitTest::GetInstance()->failed_test_count() != 0) return;
    std::error_code ec;
    std::filesystem::remove_all(scratch_root(), ec);
  }
};
inline ::testing::Environment* const scratch_cleanup_registered =
    ::testing::AddGlobalTestEnvironment(new scratch_cleanup);

/// Runs `<prefix> metasift <args>` through the shell (prefix: e.g. "cat f |").
inline cli_result run_metasift(const std::string& args, const std::string& prefix = "") {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const auto d = scratch("io");
  const auto out = d / "stdout", err = d / "stderr";
  const std::string cmd = prefix + " " + std::string(bin) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

inline bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace metasift::test
