#pragma once
// Where a subcommand's main output goes: stdout, or a file written atomically with --out.
#include <string>
#include <string_view>

namespace metasift::cli {
/// Writes `content` to `path` atomically, or to stdout when path is empty or "-".
void emit(const std::string& path, std::string_view content);
}  // namespace metasift::cli
