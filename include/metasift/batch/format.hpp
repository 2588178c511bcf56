#pragma once
// Number formatting and p-values for the batch engine's tables. Everything appends to a string
// (no locale, no allocation beyond the string's growth), so that formatting millions of rows
// stays cheap next to parsing them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "metasift/core/number_format.hpp"

namespace metasift::batch {

/// Numbers in the batch tables go through the one number formatter (core/number_format.hpp): a
/// missing or non-finite value is an empty field, as in every CSV/TSV table metasift writes, or
/// NA in the whitespace-separated gwas table (which calls the core functions with its target).
inline void append_shortest(std::string& out, double x) {
  metasift::append_shortest(out, x, number_target::csv);
}
/// x with `digits` significant digits, as printf's %.<digits>g.
inline void append_general(std::string& out, double x, int digits) {
  metasift::append_general(out, x, digits, number_target::csv);
}
using metasift::append_uint;

/// A p-value that may lie below the smallest double: p itself and, when p < 1e-300, its base-10
/// logarithm, which stays finite (and accurate) when p underflows to 0 (NaN otherwise).
struct pvalue {
  double p = 1.0;
  double log10p = 0.0;
};

/// Two-sided normal p-value 2 * Phi(-|z|): erfc for |z| <= 37, beyond that (p < 1e-300) the
/// asymptotic series of Mills' ratio (Abramowitz & Stegun 26.2.12, five terms: relative error
/// < 1e-12 there) on the log scale, as METAL does for |z| >= 20.
[[nodiscard]] pvalue normal_two_sided(double z);
/// Upper tail of chi^2 with df degrees of freedom: Boost's regularised gamma Q, and below 1e-300
/// the asymptotic expansion of the incomplete gamma function (A&S 6.5.32) on the log scale.
[[nodiscard]] pvalue chisq_upper_tail(double q, double df);

/// Prints p with `digits` significant digits; below 1e-300, mantissa and exponent from log10p
/// ("3.21e-1234"), as METAL prints tiny p-values. NaN prints missing_text(t).
void append_pvalue(std::string& out, const pvalue& p, int digits, number_target t = number_target::csv);

/// The delimiter an output format name stands for: "csv" -> ',', "tsv" -> '\t' (any case);
/// nullopt for another name.
[[nodiscard]] std::optional<char> parse_delimited_format(std::string_view name) noexcept;

/// Appends a field for a CSV (delimiter ',') or TSV file: quoted with doubled quotes when it
/// contains the delimiter, a quote, or a line break (RFC 4180); TSV fields are never quoted.
void append_field(std::string& out, std::string_view field, char delimiter);

/// A JSON number: the shortest decimal that reads back as the same double; null for NaN and
/// infinities (JSON has no such numbers).
void append_json_number(std::string& out, double x);
/// A JSON string (RFC 8259): quotes, backslashes and control characters escaped; other bytes,
/// UTF-8 included, as they are.
void append_json_string(std::string& out, std::string_view s);

}  // namespace metasift::batch
