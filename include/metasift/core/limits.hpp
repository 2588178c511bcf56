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

// --- review / query limits ------------------------------------------------------------------

/// Nesting of a search query: parentheses, field functions, NOT and date ranges inside one
/// another. The parser is recursive, so this bounds its stack; real strategies nest < 10 deep.
inline constexpr std::size_t query_max_depth = 200;
/// Search terms in one query (a 10,000-term OR must still answer in seconds).
inline constexpr std::size_t query_max_terms = 10'000;
/// Operands chained by proximity operators (a NEAR/3 b NEAR/3 c has 3; PubMed "a b c"[tiab:~2] too).
inline constexpr std::size_t query_max_proximity_operands = 32;
/// The largest n of NEAR/n, W/n and PRE/n (Web of Science allows 15; Scopus 255).
inline constexpr std::size_t query_max_proximity_distance = 9'999;
/// Characters in one query word or phrase word (wildcard patterns included).
inline constexpr std::size_t query_max_word_length = 256;

/// Bytes of one bibliographic field of an imported record (title, abstract, one author, ...).
/// The longest real abstracts are ~10 KB.
inline constexpr std::size_t record_max_field_bytes = 1U << 20;
/// Bytes of a record's title (titles are one sentence; later stages compare titles pairwise).
inline constexpr std::size_t record_max_title_bytes = 16U << 10;
/// Bytes of a BibTeX @string value after its macros are expanded.
inline constexpr std::size_t bibtex_max_string_bytes = 1U << 20;
/// Bytes produced by all @string expansions of one BibTeX file together.
inline constexpr std::size_t bibtex_max_total_expansion = 64U << 20;
/// Element nesting of an EndNote XML file (libxml2's own default cap; EndNote nests < 10 deep).
inline constexpr std::size_t xml_max_depth = 256;
/// Bytes an .xlsx workbook may unpack to (all the parts read: workbook, shared strings, styles,
/// the sheet). Exports are capped by the databases (1,000 records per WoS Excel export, 20,000 per
/// Scopus export: at ~10 KB per record with abstract, well under this); a ZIP bomb (a few KB that
/// inflate to gigabytes) stops here after bounded memory.
inline constexpr std::uint64_t xlsx_max_unpacked_bytes = std::uint64_t{256} << 20U;  // 256 MiB
/// Bytes of one review.toml text value (a query, a reason, a path).
inline constexpr std::size_t review_toml_max_string_bytes = 64U << 10;
/// Bytes of the review title in review.toml (it is drawn in the PRISMA diagram and the report).
inline constexpr std::size_t review_max_title_bytes = 1'000;

}  // namespace metasift::limits
