// The metasift command line: parse, dispatch to one subcommand, map errors to exit codes.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <system_error>

#include "exit_codes.hpp"
#include "metasift/core/error.hpp"
#include "metasift/core/version.hpp"
#include "metasift/io/output_policy.hpp"
#include "registry.hpp"

namespace {

int run_main(int argc, char** argv) {
  using metasift::input_error;
  using metasift::io_error;
  using metasift::usage_error;
  namespace cli = metasift::cli;
  namespace io = metasift::io;
  CLI::App app{"metasift: systematic reviews and meta-analysis, from database exports to a reproducible report",
               "metasift"};
  app.set_version_flag("--version", std::string(metasift::version()));
  app.require_subcommand(1);
  // One process is one run: no output of it may replace a file it read or wrote.
  io::guard_run_files();
  cli::setup_all(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "metasift: %s\n", e.what());
    return cli::usage;
  } catch (const usage_error& e) {
    std::fprintf(stderr, "metasift: %s\n", e.what());
    return cli::usage;
  } catch (const input_error& e) {
    std::fprintf(stderr, "metasift: %s\n", e.what());
    return cli::data;
  } catch (const io_error& e) {
    std::fprintf(stderr, "metasift: %s\n", e.what());
    return cli::io;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metasift: internal error: %s\n", metasift::escape_controls(e.what()).c_str());
    return cli::internal;
  }
  // What was printed must have arrived: a full disk or a closed pipe on stdout is an I/O error,
  // not a success (the C library would drop the error at exit).
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int err = errno != 0 ? errno : EIO;
    std::fprintf(stderr, "metasift: cannot write to standard output: %s\n",
                 std::generic_category().message(err).c_str());
    return cli::io;
  }
  return cli::ok;
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing may escape main: an exception outside the dispatch above (while setting up the
  // options, or while reporting an error) is still an internal error with its exit code.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "metasift: internal error: %s\n", metasift::escape_controls(e.what()).c_str());
  } catch (...) {
    std::fprintf(stderr, "metasift: internal error\n");
  }
  return metasift::cli::internal;
}
