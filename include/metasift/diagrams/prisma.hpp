#pragma once
// The PRISMA 2020 flow diagram drawn through the plot scene, so that it shares the SVG, PDF and
// PNG backends (and measured fonts) with the statistical figures. The counts and the layout belong
// to the review module; this module only draws them, which keeps review free of any drawing library.

#include <filesystem>

#include "metasift/plot/scene.hpp"
#include "metasift/review/prisma.hpp"

namespace metasift::diagrams {

/// The flow diagram of `c` as a scene: boxes, arrows and text of review::layout_prisma, with text
/// widths measured in the scene's font (PRISMA 2020 statement, Page et al., BMJ 2021;372:n71).
[[nodiscard]] plot::scene prisma_scene(const review::prisma_counts& c);

/// Writes the flow diagram in the format of path's extension (.svg, .pdf or .png) atomically.
/// Throws usage_error for another extension.
void write_prisma_diagram(const review::prisma_counts& c, const std::filesystem::path& path);

}  // namespace metasift::diagrams
