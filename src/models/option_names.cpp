// Names of the inference settings, read case-insensitively (core/enum_names.hpp).
#include <array>

#include "metasift/core/enum_names.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::models {
namespace {

constexpr std::array<enum_name<ci_method>, 5> ci_method_names{{
    {ci_method::z, "z"},
    {ci_method::t, "t"},
    {ci_method::hk, "hk"},
    {ci_method::hk, "knha"},
    {ci_method::adhoc, "adhoc"},
}};
constexpr std::array<enum_name<pi_method>, 5> pi_method_names{{
    {pi_method::z, "z"},
    {pi_method::t_k1, "t_k1"},
    {pi_method::t_k2, "t_k2"},
    {pi_method::t_k1, "t(k-1)"},
    {pi_method::t_k2, "t(k-2)"},
}};

}  // namespace

std::optional<ci_method> parse_ci_method(std::string_view name) noexcept {
  return parse_enum(name, ci_method_names);
}
std::optional<pi_method> parse_pi_method(std::string_view name) noexcept {
  return parse_enum(name, pi_method_names);
}

}  // namespace metasift::models
