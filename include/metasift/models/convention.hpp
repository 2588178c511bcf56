#pragma once
// Conventions: the defaults on which metafor and Stata disagree, expanded into explicit options.
// A user's explicit option always wins over the convention; the result records what was used.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {

enum class convention { metafor, stata };

[[nodiscard]] std::string_view to_string(convention c) noexcept;
[[nodiscard]] std::optional<convention> parse_convention(std::string_view name) noexcept;

/// Options the user may leave unset; resolve() fills them from the convention.
struct convention_overrides {
  std::optional<effects::md_variance> md_var;
  std::optional<pi_method> pi;
};

struct resolved_options {
  convention conv = convention::metafor;
  effects::options effect_opts;
  model_spec spec;
  /// One line per convention-dependent setting, e.g. "MD variance: pooled SD (Stata; metafor vtype HO)".
  std::vector<std::string> described;
};

/// Expands `conv`:
///  - MD variance: metafor separate (s1^2/n1 + s2^2/n2, vtype LS); Stata pooled SD (vtype HO).
///  - prediction interval: metafor z, or t_{k-1} under Hartung-Knapp (predict.rma);
///    Stata t_{k-2} (meta summarize, predinterval; Higgins et al. 2009).
/// Fields of `effect_opts` and `spec` other than these are kept as given.
[[nodiscard]] resolved_options resolve(convention conv, const convention_overrides& overrides,
                                       effects::options effect_opts, model_spec spec);

}  // namespace metasift::models
