#pragma once
// The one number formatter for everything metasift writes: text reports, HTML, figures, CSV/TSV
// tables and JSON. A value that is missing or not finite (NaN, +Inf, -Inf) has one rendering per
// output, so that no output ever shows "nan" or "inf":
//
//   text (text reports, HTML, figure labels)   NA
//   csv  (CSV and TSV tables)                  an empty field
//   json                                       null
//   whitespace_table (the gwas table)          NA
//
// A whitespace-separated table (gwas writes METAL's and PLINK's layout, which awk, PLINK and
// METAL split on runs of whitespace) cannot hold an empty field, so it writes NA as they do.
// docs/output.md and docs/conventions.md state the same. Error messages are not output: they show
// the value the user typed, which may be "NaN" or "Inf" (format_value in check.hpp).

#include <cstdint>
#include <string>
#include <string_view>

namespace metasift {

/// The kind of output a number is written into.
enum class number_target { text, csv, json, whitespace_table };

/// What a missing or non-finite value is written as: "NA" (text), "" (csv), "null" (json), "NA"
/// (whitespace_table).
[[nodiscard]] std::string_view missing_text(number_target t) noexcept;

/// Shortest decimal that reads back as the same double, as fmt's "{}" prints it: fixed notation for
/// magnitudes from 1e-4 up to 1e16 ("0.0001", "123456"), scientific beyond ("1e-05", "1e+16");
/// missing_text(t) when x is not finite.
[[nodiscard]] std::string format_shortest(double x, number_target t);
void append_shortest(std::string& out, double x, number_target t);

/// x with `decimals` fixed decimals, as printf's %.*f ("0.74"), except that a magnitude of 1e15 or
/// more, where fixed notation would print up to 309 digits of which only the first 17 mean
/// anything, is written in scientific notation with `decimals` decimals ("1.13e+308").
/// missing_text(t) when x is not finite. `decimals` is clamped to [0, 30].
[[nodiscard]] std::string format_fixed(double x, int decimals, number_target t = number_target::text);

/// x with `digits` significant digits, as printf's %.<digits>g (trailing zeros dropped, exponent
/// form below 1e-4 or from 10^digits); missing_text(t) when x is not finite.
[[nodiscard]] std::string format_general(double x, int digits, number_target t);
void append_general(std::string& out, double x, int digits, number_target t);

void append_uint(std::string& out, std::uint64_t x);

}  // namespace metasift
