#pragma once
// Named caps on hostile or runaway input, in one place (docs/hardening.md, "Limits", lists each
// with what happens when it is hit). Every cap is far above what a real input needs; hitting one
// gives a one-line error naming the cap and the position, never a crash, an endless loop or
// memory growing until the machine gives out.

#include <cstddef>
#include <cstdint>

namespace metasift::limits {

// ---- input / io limits ------------------------------------------------------------------------

/// Bytes read from an input that is not a regular file (a pipe, a FIFO, a device such as
/// /dev/zero) by the readers that take a whole file into memory. A regular file's size is known
/// up front and is not capped.
inline constexpr std::uint64_t max_stream_input_bytes = std::uint64_t{64} << 20U;  // 64 MiB

/// Bytes in one line of a text input (tables, batch and GWAS streams, plain or decompressed
/// gzip). Also bounds a record of a table whose quoted fields span lines.
inline constexpr std::size_t max_line_bytes = std::size_t{32} << 20U;  // 32 MiB

/// Bytes in one field (cell) of a table or batch input (docs/bad-input.md keeps a study label of
/// ten million characters working, shortened in the output).
inline constexpr std::size_t max_field_bytes = std::size_t{16} << 20U;  // 16 MiB

/// Malformed rows after which a batch or GWAS stream that is nearly all junk stops: once this many
/// rows were malformed and fewer than one row in 100 was usable, the input is taken for random
/// bytes (/dev/urandom has line ends but almost never a row) instead of being read forever.
inline constexpr std::uint64_t max_junk_rows = 10'000;

/// Columns of a table or batch header.
inline constexpr std::size_t max_columns = 1'000'000;

/// Columns of a meta-regression design (intercept, numeric moderators and one dummy per level of
/// a categorical moderator). Every step of the tau^2 fit is O(k p^2): 500 columns take seconds, and
/// a model with that many coefficients is a sign of an identifier used as a moderator.
inline constexpr std::size_t max_design_columns = 500;

/// Code points of one text item drawn in a plot; longer text is cut with an ellipsis.
inline constexpr std::size_t max_plot_label_chars = 200;

}  // namespace metasift::limits
