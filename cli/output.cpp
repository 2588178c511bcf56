#include "output.hpp"

#include <cstdio>

#include "metasift/core/error.hpp"
#include "metasift/io/file.hpp"

namespace metasift::cli {
void emit(const std::string& path, std::string_view content) {
  if (path.empty() || path == "-") {
    if (std::fwrite(content.data(), 1, content.size(), stdout) != content.size() || std::fflush(stdout) != 0) {
      throw io_error("cannot write to standard output");
    }
    return;
  }
  io::write_file_atomic(path, content);
}
}  // namespace metasift::cli
