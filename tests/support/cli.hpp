#pragma once
// Running the built `metasift` binary from a test as a user would: METASIFT_BIN is set by CTest.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace metasift::test {

struct cli_result {
  int code = -1;    ///< exit code; -1 when the process died from a signal (a crash)
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// A fresh folder for one test's files, under the system temporary folder.
inline std::filesystem::path scratch_folder(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("metasift_test_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Runs `metasift <args>` through the shell in `cwd` (empty: the test's own working folder),
/// capturing stdout and stderr.
inline cli_result run_metasift(const std::string& args, const std::filesystem::path& cwd) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  const std::filesystem::path capture =
      cwd.empty() ? std::filesystem::temp_directory_path() / ("metasift_test_" + std::to_string(::getpid())) : cwd;
  std::filesystem::create_directories(capture);
  const auto out = capture / ".stdout", err = capture / ".stderr";
  const std::string cd = cwd.empty() ? "" : "cd '" + cwd.string() + "' && ";
  const std::string cmd = cd + "'" + bin + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  cli_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp_file(out);
  r.err = slurp_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

/// Runs `metasift <args>` in the test's own working folder.
inline cli_result run_metasift(const std::string& args) {
  return run_metasift(args, {});
}

}  // namespace metasift::test
