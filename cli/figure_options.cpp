#include "figure_options.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>

#include "metasift/core/check.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::cli {

void add_figure_options(CLI::App* sub, figure_options& f, const std::string& option, const std::string& description) {
  sub->add_option(option, f.path, description + "; the format follows the extension: .svg, .pdf or .png");
  sub->add_option("--dpi", f.dpi, "Resolution of PNG plots")->check(CLI::Range(36.0, 2400.0))->capture_default_str();
  sub->add_option("--title", f.title, "Title drawn above the plot");
}

void check_figure_options(const figure_options& f, const std::string& option) {
  if (f.path.empty() || plot::format_from_path(f.path)) return;
  const std::string ext = std::filesystem::path(f.path).extension().string();
  fail_usage(option, "unknown plot format '" + (ext.empty() ? f.path : ext) + "' (use .svg, .pdf or .png)");
}

void write_figure(const plot::scene& s, const figure_options& f) {
  plot::write_plot(s, f.path, plot::render_options{f.dpi});
}

}  // namespace metasift::cli
