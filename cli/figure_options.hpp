#pragma once
// The figure options the analysis subcommands share (trimfill --funnel, regress --bubble,
// influence --baujat, cumulative --forest): one output path per figure plus --dpi and --title,
// checked before any data are read, so that a bad extension leaves no file behind.
#include <string>

namespace CLI {
class App;
}

namespace metasift::plot {
struct scene;
}

namespace metasift::cli {

struct figure_options {
  std::string path;  ///< empty: no figure
  double dpi = 300.0;
  std::string title;
};

/// Registers `option` (e.g. "--funnel") with `description`, and --dpi and --title, on `sub`.
void add_figure_options(CLI::App* sub, figure_options& f, const std::string& option, const std::string& description);

/// usage_error (exit 2) when the path's extension is not .svg, .pdf or .png.
void check_figure_options(const figure_options& f, const std::string& option);

/// Writes the scene atomically in the format of f.path (io_error when it cannot be written).
void write_figure(const plot::scene& s, const figure_options& f);

}  // namespace metasift::cli
