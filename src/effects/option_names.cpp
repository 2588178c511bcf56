// Names of the effect-size settings, read case-insensitively (core/enum_names.hpp).
#include <array>

#include "metasift/core/enum_names.hpp"
#include "metasift/effects/compute.hpp"

namespace metasift::effects {
namespace {

constexpr std::array<enum_name<md_variance>, 2> md_variance_names{{
    {md_variance::separate, "separate"},
    {md_variance::pooled, "pooled"},
}};
constexpr std::array<enum_name<smd_correction>, 3> smd_correction_names{{
    {smd_correction::hedges_exact, "exact"},
    {smd_correction::hedges_approx, "approx"},
    {smd_correction::none, "none"},
}};
constexpr std::array<enum_name<smd_variance>, 2> smd_variance_names{{
    {smd_variance::large_sample, "ls"},
    {smd_variance::unbiased, "ub"},
}};
constexpr std::array<enum_name<zero_cell>, 3> zero_cell_names{{
    {zero_cell::only_zero, "only0"},
    {zero_cell::all, "all"},
    {zero_cell::none, "none"},
}};

}  // namespace

std::optional<md_variance> parse_md_variance(std::string_view name) noexcept {
  return parse_enum(name, md_variance_names);
}
std::optional<smd_correction> parse_smd_correction(std::string_view name) noexcept {
  return parse_enum(name, smd_correction_names);
}
std::optional<smd_variance> parse_smd_variance(std::string_view name) noexcept {
  return parse_enum(name, smd_variance_names);
}
std::optional<zero_cell> parse_zero_cell(std::string_view name) noexcept {
  return parse_enum(name, zero_cell_names);
}
std::string_view to_string(md_variance v) noexcept {
  return enum_to_string(v, md_variance_names);
}
std::string_view to_string(smd_correction c) noexcept {
  return enum_to_string(c, smd_correction_names);
}
std::string_view to_string(smd_variance v) noexcept {
  return enum_to_string(v, smd_variance_names);
}
std::string_view to_string(zero_cell z) noexcept {
  return enum_to_string(z, zero_cell_names);
}

}  // namespace metasift::effects
