#pragma once
// Whole-file reads and atomic writes. Every file metasift writes goes to a temporary file in the
// destination folder first and is renamed over the target only when complete, so a failure never
// leaves a half-written output.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "metasift/core/limits.hpp"

namespace metasift::io {

/// Reads a whole file and records it as an input of this process (see output_policy.hpp); throws
/// io_error naming the path when it cannot. An input that is not a regular file (a pipe, a FIFO, a
/// device such as /dev/zero) is read up to `max_stream_bytes` (limits::max_stream_input_bytes);
/// more throws input_error naming the limit, so that an endless source cannot exhaust memory.
[[nodiscard]] std::string read_file(const std::filesystem::path& path,
                                    std::uint64_t max_stream_bytes = limits::max_stream_input_bytes);

/// Writes content to path atomically (temporary file + rename) under the output policy
/// (io/output_policy.hpp): /dev/stdout goes to standard output, an input of this process or a
/// target that is not a regular file is refused. Throws io_error when it cannot write.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace metasift::io
