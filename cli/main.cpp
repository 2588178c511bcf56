// The metasift command line: parse, dispatch to one subcommand, map errors to exit codes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "exit_codes.hpp"
#include "registry.hpp"
#include "metasift/core/error.hpp"
#include "metasift/core/version.hpp"

int main(int argc, char** argv) {
  using namespace metasift;
  CLI::App app{"metasift: systematic reviews and meta-analysis, from database exports to a reproducible report",
               "metasift"};
  app.set_version_flag("--version", std::string(metasift::version()));
  app.require_subcommand(1);
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
    std::fprintf(stderr, "metasift: internal error: %s\n", e.what());
    return cli::internal;
  }
  return cli::ok;
}
