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

void print_warning(std::string_view text) {
  std::fprintf(stderr, "metasift: warning: %s\n", escape_controls(text).c_str());
}

void print_note(std::string_view text) {
  std::fprintf(stderr, "metasift: %s\n", escape_controls(text).c_str());
}
}  // namespace metasift::cli
