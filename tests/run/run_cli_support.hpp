#pragma once
// Helpers of the end-to-end tests of tests/run: run the built binary (METASIFT_BIN, set by CTest)
// through the shell and collect its output.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace metasift::test_run {

namespace fs = std::filesystem;

struct cli_result {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << s;
}

/// A fresh folder for one test, removed first if an earlier run left it.
inline fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("metasift_run_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string example_review() {
  return std::string(METASIFT_SOURCE_DIR) + "/examples/rare-earth-china/review.toml";
}

/// Runs a shell command with stdout and stderr captured.
inline cli_result run_shell(const std::string& command) {
  const fs::path d = scratch("capture");
  const std::string cmd = command + " >" + (d / "out").string() + " 2>" + (d / "err").string();
  const int status = std::system(cmd.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(d / "out");
  r.err = slurp(d / "err");
  return r;
}

inline cli_result run_metasift(const std::string& args) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  return run_shell(std::string(bin) + " " + args);
}

}  // namespace metasift::test_run
