#pragma once
// robvis-style figures of a risk-of-bias / quality appraisal (McGuinness & Higgins, Res Synth
// Methods 2021;12:55-61), drawn through the plot scene. The appraisal itself (tools, judgements,
// the overall rule) belongs to the review module; this module only draws it.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "metasift/plot/scene.hpp"
#include "metasift/review/appraisal.hpp"

namespace metasift::diagrams {

/// The colour (0xRRGGBB) and symbol robvis uses for a judgement of a domain: green "+" for the
/// least severe, yellow "-" for concerns, red "x" for high, dark red "!" for critical, blue "?"
/// for no information.
struct judgement_style {
  std::uint32_t colour = 0;
  std::string symbol;
};
[[nodiscard]] judgement_style style_of(const std::vector<std::string>& judgements, const std::string& j);

/// The traffic-light plot (assessments x domains, coloured symbols, the overall column) and the
/// summary plot (one stacked bar per domain: the share of assessments at each judgement).
[[nodiscard]] plot::scene traffic_light_scene(const review::appraisal_spec& spec, const review::appraisal_check& c);
[[nodiscard]] plot::scene summary_scene(const review::appraisal_spec& spec, const review::appraisal_check& c);

/// Write the figures as SVG, PDF or PNG by the file's extension; text stays text. Throws
/// usage_error for another extension.
void write_traffic_light_plot(const review::appraisal_spec& spec, const review::appraisal_check& c,
                              const std::filesystem::path& path);
void write_summary_plot(const review::appraisal_spec& spec, const review::appraisal_check& c,
                        const std::filesystem::path& path);

}  // namespace metasift::diagrams
