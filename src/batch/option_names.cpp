// Names of the batch engine's settings, read case-insensitively (core/enum_names.hpp).
#include <array>

#include "metasift/batch/format.hpp"
#include "metasift/batch/gwas.hpp"
#include "metasift/batch/simulate.hpp"
#include "metasift/core/enum_names.hpp"

namespace metasift::batch {

std::optional<gwas_scheme> parse_gwas_scheme(std::string_view name) noexcept {
  return parse_enum(name, std::array<enum_name<gwas_scheme>, 2>{
                              {{gwas_scheme::stderr_ivw, "stderr"}, {gwas_scheme::samplesize, "samplesize"}}});
}

std::optional<merge_mode> parse_merge_mode(std::string_view name) noexcept {
  return parse_enum(name,
                    std::array<enum_name<merge_mode>, 3>{
                        {{merge_mode::automatic, "auto"}, {merge_mode::stream, "stream"}, {merge_mode::hash, "hash"}}});
}

std::optional<variance_distribution> parse_variance_distribution(std::string_view name) noexcept {
  return parse_enum(
      name, std::array<enum_name<variance_distribution>, 2>{
                {{variance_distribution::uniform, "uniform"}, {variance_distribution::log_uniform, "loguniform"}}});
}

std::optional<char> parse_delimited_format(std::string_view name) noexcept {
  if (iequals_ascii(name, "csv")) return ',';
  if (iequals_ascii(name, "tsv")) return '\t';
  return std::nullopt;
}

}  // namespace metasift::batch
