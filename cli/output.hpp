#pragma once
// Where a subcommand's main output goes: stdout, or a file written atomically with --out.
#include <string>
#include <string_view>

namespace metasift::cli {
/// Writes `content` to `path` atomically under the output policy (io/output_policy.hpp), or to
/// stdout when path is empty, "-" or /dev/stdout.
void emit(const std::string& path, std::string_view content);

/// Prints "metasift: warning: <text>" on stderr, with control characters made visible (a NUL in
/// a record's text no longer cuts the line short).
void print_warning(std::string_view text);
/// Prints "metasift: <text>" on stderr, control characters made visible.
void print_note(std::string_view text);
}  // namespace metasift::cli
