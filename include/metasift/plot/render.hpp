#pragma once
// Backends: a scene to SVG (our own deterministic writer), PDF and PNG (cairo + pango), and the
// one function that writes a scene to a file in the format its extension names.

#include <filesystem>
#include <optional>
#include <string>

#include "metasift/plot/scene.hpp"

namespace metasift::plot {

enum class file_format { svg, pdf, png };

/// The format named by a path's extension (.svg, .pdf, .png; any case); nullopt for anything else.
[[nodiscard]] std::optional<file_format> format_from_path(const std::filesystem::path& path);

struct render_options {
  double dpi = 300.0;  ///< PNG resolution; the PNG records it (pHYs) so that it prints at the scene's size
};

/// SVG 1.1 document. Deterministic: the same scene gives the same bytes (coordinates with at most
/// two decimals, no time stamps or generated ids). Text stays <text> elements with the font
/// family list, size, weight and anchor, so that it can be searched and edited.
[[nodiscard]] std::string render_svg(const scene& s);

/// PDF document (one page of the scene's size) drawn with cairo and pango: fonts are embedded as
/// subsets and the text can be extracted (pdftotext) and searched.
[[nodiscard]] std::string render_pdf(const scene& s);

/// PNG image at opt.dpi on the scene's background colour, with the resolution recorded.
/// Throws std::invalid_argument when dpi is not in [10, 2400].
[[nodiscard]] std::string render_png(const scene& s, const render_options& opt = {});

/// Renders the scene in the format of `path`'s extension and writes it atomically (temporary file
/// in the same folder, then rename), so a failure never leaves a partial file.
/// Throws usage_error for an unknown extension and io_error when the file cannot be written.
void write_plot(const scene& s, const std::filesystem::path& path, const render_options& opt = {});

}  // namespace metasift::plot
