// Format selection by extension and atomic writing of rendered plots.
#include <algorithm>
#include <cctype>

#include "metasift/core/error.hpp"
#include "metasift/io/file.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::plot {

std::optional<file_format> format_from_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".svg") return file_format::svg;
  if (ext == ".pdf") return file_format::pdf;
  if (ext == ".png") return file_format::png;
  return std::nullopt;
}

void write_plot(const scene& s, const std::filesystem::path& path, const render_options& opt) {
  const auto fmt = format_from_path(path);
  if (!fmt) {
    const std::string ext = path.extension().string();
    throw usage_error("cannot write plot '" + path.string() + "': unknown format '" + (ext.empty() ? "(none)" : ext) +
                      "' (use .svg, .pdf or .png)");
  }
  // Rendered in memory first, so that the file appears complete or not at all.
  std::string bytes;
  switch (*fmt) {
    case file_format::svg: bytes = render_svg(s); break;
    case file_format::pdf: bytes = render_pdf(s); break;
    case file_format::png: bytes = render_png(s, opt); break;
  }
  io::write_file_atomic(path, bytes);
}

}  // namespace metasift::plot
