#include "metasift/models/spec.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "metasift/core/check.hpp"
#include "metasift/models/convention.hpp"

namespace metasift::models {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr std::array<std::pair<method, std::string_view>, 11> method_names{{
    {method::EE, "EE"},
    {method::MH, "MH"},
    {method::PETO, "PETO"},
    {method::DL, "DL"},
    {method::REML, "REML"},
    {method::ML, "ML"},
    {method::PM, "PM"},
    {method::HE, "HE"},
    {method::SJ, "SJ"},
    {method::HS, "HS"},
    {method::EB, "EB"},
}};

}  // namespace

std::string_view to_string(method m) noexcept {
  for (const auto& [value, name] : method_names) {
    if (value == m) return name;
  }
  return "?";
}

std::optional<method> parse_method(std::string_view name) noexcept {
  if (iequals(name, "FE") || iequals(name, "CE") || iequals(name, "common") || iequals(name, "fixed"))
    return method::EE;
  for (const auto& [value, text] : method_names) {
    if (iequals(name, text)) return value;
  }
  return std::nullopt;
}

std::string_view to_string(ci_method c) noexcept {
  switch (c) {
    case ci_method::z: return "z";
    case ci_method::t: return "t";
    case ci_method::hk: return "hk";
    case ci_method::adhoc: return "adhoc";
  }
  return "?";
}

double hk_scale(ci_method c, double rss, double residual_df) noexcept {
  if (c != ci_method::hk && c != ci_method::adhoc) return 1.0;
  const double s2w = rss <= std::numeric_limits<double>::epsilon() ? 0.0 : rss / residual_df;
  return c == ci_method::adhoc ? std::max(1.0, s2w) : s2w;
}

std::string_view to_string(pi_method p) noexcept {
  switch (p) {
    case pi_method::z: return "z";
    case pi_method::t_k1: return "t(k-1)";
    case pi_method::t_k2: return "t(k-2)";
  }
  return "?";
}

level_reading read_confidence_level(double value) {
  level_reading r;
  const std::string given = format_value(value);
  if (!std::isfinite(value) || value <= 0.0) {
    r.problem = "must be a proportion such as 0.95 or a percentage such as 95, got " + given;
    return r;
  }
  r.level = value >= 1.0 ? value / 100.0 : value;
  if (r.level >= 1.0) {
    r.problem = "must be below 100%, got " + given;
  } else if (r.level < 0.5) {
    r.problem = "a level of " + given + " would mean a " + format_value(r.level * 100.0) +
                "% interval, which is almost certainly a slip; give a proportion in [0.5, 1) such as 0.95 or a "
                "percentage in [50, 100) such as 95";
  }
  return r;
}

bool is_random_effects(method m) noexcept {
  return m != method::EE && m != method::MH && m != method::PETO;
}

std::string_view to_string(convention c) noexcept {
  return c == convention::stata ? "stata" : "metafor";
}

std::optional<convention> parse_convention(std::string_view name) noexcept {
  if (iequals(name, "metafor")) return convention::metafor;
  if (iequals(name, "stata")) return convention::stata;
  return std::nullopt;
}

resolved_options resolve(convention conv, const convention_overrides& overrides, effects::options effect_opts,
                         model_spec spec) {
  resolved_options out;
  out.conv = conv;
  const bool stata = conv == convention::stata;
  const std::string source = stata ? "Stata convention" : "metafor convention";

  effect_opts.md_var = overrides.md_var.value_or(stata ? effects::md_variance::pooled : effects::md_variance::separate);
  out.described.push_back(std::string("MD variance: ") +
                          (effect_opts.md_var == effects::md_variance::pooled
                               ? "pooled SD, s_p^2 (1/n1 + 1/n2) (metafor vtype HO)"
                               : "separate SDs, s1^2/n1 + s2^2/n2 (metafor vtype LS)") +
                          (overrides.md_var ? " [option]" : " [" + source + "]"));

  if (effect_opts.smd_var == effects::smd_variance::unbiased) {
    out.described.push_back(
        "SMD variance: unbiased, 1/n1 + 1/n2 + (1 - (m - 2)/(m J^2)) g^2 (metafor vtype UB) [option]");
  }

  pi_method pi_default = uses_t(spec.test) ? pi_method::t_k1 : pi_method::z;
  if (stata) pi_default = pi_method::t_k2;
  spec.pi = overrides.pi.value_or(pi_default);
  out.described.push_back("prediction interval: " + std::string(to_string(spec.pi)) +
                          (overrides.pi ? " [option]" : " [" + source + "]"));

  out.described.push_back(
      "I^2 and H^2: from tau^2 and the Higgins-Thompson typical within-study variance (RE models); "
      "from Q (common-effect models)");
  out.effect_opts = effect_opts;
  out.spec = spec;
  return out;
}

}  // namespace metasift::models
