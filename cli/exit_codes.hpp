#pragma once
// Documented exit codes of the metasift binary (docs/cli.md). The CLI maps the library's exception
// hierarchy onto them in main.cpp; nothing else decides an exit code.
namespace metasift::cli {
enum exit_code : int {
  ok = 0,
  internal = 1,  ///< a bug: an unexpected exception
  usage = 2,     ///< bad options or arguments (usage_error, CLI11 parse errors)
  data = 3,      ///< malformed input data (input_error)
  io = 4,        ///< a file that cannot be read or written (io_error)
};
}  // namespace metasift::cli
