#pragma once
// Whole-file reads and atomic writes. Every file metasift writes goes to a temporary file in the
// destination folder first and is renamed over the target only when complete, so a failure never
// leaves a half-written output.

#include <filesystem>
#include <string>
#include <string_view>

namespace metasift::io {

/// Reads a whole file; throws io_error naming the path when it cannot.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// Writes content to path atomically (temporary file + rename); throws io_error when it cannot.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace metasift::io
