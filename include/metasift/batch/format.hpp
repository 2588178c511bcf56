#pragma once
// Number formatting and p-values for the batch engine's tables. Everything appends to a string
// (no locale, no allocation beyond the string's growth), so that formatting millions of rows
// stays cheap next to parsing them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace metasift::batch {

/// Shortest decimal that reads back as the same double (std::to_chars); "NA" for NaN, "Inf"/"-Inf".
void append_shortest(std::string& out, double x);
/// x with `digits` significant digits, as printf's %.<digits>g; "NA" for NaN.
void append_general(std::string& out, double x, int digits);
void append_uint(std::string& out, std::uint64_t x);

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
/// ("3.21e-1234"), as METAL prints tiny p-values. NaN prints "NA".
void append_pvalue(std::string& out, const pvalue& p, int digits);

/// The delimiter an output format name stands for: "csv" -> ',', "tsv" -> '\t' (any case);
/// nullopt for another name.
[[nodiscard]] std::optional<char> parse_delimited_format(std::string_view name) noexcept;

/// Appends a field for a CSV (delimiter ',') or TSV file: quoted with doubled quotes when it
/// contains the delimiter, a quote, or a line break (RFC 4180); TSV fields are never quoted.
void append_field(std::string& out, std::string_view field, char delimiter);

}  // namespace metasift::batch
