#pragma once
// The one exception hierarchy of metasift. A broken precondition (malformed input, an invalid
// option, an unwritable file) throws one of these; an expected data condition (k < 2, tau^2 on
// the boundary, non-convergence) never does -- it is a status plus warnings in the result.
//
//   metasift::error            base; what() is the complete one-line message
//   ├── metasift::usage_error  an option or argument the caller got wrong      (CLI exit code 2)
//   ├── metasift::input_error  malformed data, located at file:line:column     (CLI exit code 3)
//   └── metasift::io_error     a file that cannot be opened, read or written   (CLI exit code 4)

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace metasift {

/// Where in an input a value came from. line and column are 1-based; 0 means "not applicable"
/// (a value that was not read from a file, or an error about the file as a whole).
struct source_position {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;

  /// "file:line:column", "file:line" or "file", dropping the parts that are 0 or empty.
  [[nodiscard]] std::string to_string() const;
};

/// The message with control characters made visible: NUL as \0, line ends as \n and \r, the
/// other C0 controls and DEL as \xNN (tab is kept). A message stays one line, and a NUL in
/// quoted input no longer cuts it short where it is printed as a C string.
[[nodiscard]] std::string escape_controls(std::string_view text);

class error : public std::runtime_error {
 public:
  /// The message is stored with escape_controls applied.
  explicit error(const std::string& message);
  explicit error(const char* message);
};

class usage_error : public error {
 public:
  using error::error;
};

class input_error : public error {
 public:
  input_error(source_position where, const std::string& message);
  [[nodiscard]] const source_position& where() const noexcept { return where_; }
  /// The message without the position prefix.
  [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

 private:
  source_position where_;
  std::string detail_;
};

class io_error : public error {
 public:
  using error::error;
};

}  // namespace metasift
