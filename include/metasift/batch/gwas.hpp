#pragma once
// Per-variant meta-analysis of GWAS summary statistics from several cohorts (`metasift gwas`).
//
// Each cohort is a whitespace-delimited text file (plain or gzip) with a header line. A variant is
// identified by CHR, BP and SNP together. Alleles are harmonised to the first cohort that has the
// variant (in the order the files are given): a cohort whose A1/A2 are swapped has its BETA
// negated; one on the other strand (complemented alleles) is flipped, and swapped if needed;
// anything else is an allele mismatch, counted and left out of that variant.
//
// Merging: when every input is sorted by chromosome (1..22, X, Y, XY, MT, then others by name)
// and position, the cohorts are merged as k sorted streams -- memory O(cohorts), output written
// as it is computed. An input found out of order switches to a hash join over all rows (memory
// O(variants)) and the run restarts; the output is the same either way: one line per variant in
// genomic order (chromosome, position, SNP name).
//
// Per variant: the inverse-variance fixed effect (BETA, SE, P) with Cochran's Q, its p-value and
// df, I^2 = max(0, (Q - df)/Q) in percent, the direction string (+, -, 0, ? per cohort), and
// optionally a random-effects model (DerSimonian-Laird or REML) or the sample-size weighted Z of
// METAL (Willer, Li & Abecasis 2010). P-values below 1e-300 are computed on the log scale and
// printed as mantissa and exponent ("2.5e-1503").

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/models/spec.hpp"

namespace metasift::batch {

enum class gwas_scheme { stderr_ivw, samplesize };
enum class merge_mode { automatic, stream, hash };

/// "stderr" or "samplesize"; "auto", "stream" or "hash"; in any case. nullopt for another name.
[[nodiscard]] std::optional<gwas_scheme> parse_gwas_scheme(std::string_view name) noexcept;
[[nodiscard]] std::optional<merge_mode> parse_merge_mode(std::string_view name) noexcept;

/// A genomic region: one chromosome, optionally a 1-based inclusive position range.
struct region {
  std::string chromosome;  ///< as typed, "chr" prefix allowed
  std::uint64_t start = 0;
  std::uint64_t end = UINT64_MAX;
};
/// Parses "chr", "chr:start-end" or "chr:pos"; throws usage_error naming --region.
[[nodiscard]] region parse_region(const std::string& text);

struct gwas_options {
  std::vector<std::string> files;  ///< cohorts, in direction-string order
  std::string out;                 ///< output file (".gz" compresses); "-" = stdout
  /// Canonical column (SNP, CHR, BP, A1, A2, BETA, SE, P, N, FREQ; upper case) -> the files' name.
  std::map<std::string, std::string> columns;
  std::optional<models::method> random;  ///< DL or REML
  gwas_scheme scheme = gwas_scheme::stderr_ivw;
  merge_mode merge = merge_mode::automatic;
  std::optional<region> only;
  int threads = 1;
  bool sync = false;  ///< fsync the output file before renaming it (output_sink's `durable`)
  std::size_t chunk_bytes = std::size_t{1} << 20;  ///< parse granularity (tests use small chunks)
};

/// A skipped input row, for the report.
struct bad_row {
  std::string file;
  std::uint64_t line = 0;
  std::string reason;
};

struct gwas_report {
  std::uint64_t variants = 0;   ///< output lines
  std::uint64_t rows_read = 0;  ///< data rows accepted, all cohorts
  std::uint64_t rows_outside_region = 0;
  std::uint64_t malformed = 0;  ///< rows skipped: field count, non-numeric, SE <= 0 or SE^2 underflowing, ...
  std::vector<bad_row> malformed_examples;  ///< the first 20, in input order per file
  /// Rows with P = 0 (--scheme samplesize): P is read as the smallest normal double,
  /// 2.2250738585072014e-308 (|Z| = 37.5), so such a hit counts at that strength, not dropped.
  std::uint64_t p_zero = 0;
  std::vector<bad_row> p_zero_examples;  ///< the first 20
  std::uint64_t duplicates = 0;          ///< a second row for the same variant in one cohort (ignored)
  std::uint64_t swapped = 0;             ///< rows whose alleles were swapped to the reference order
  std::uint64_t strand_flipped = 0;      ///< rows matched on the complementary strand
  std::uint64_t allele_mismatch = 0;
  std::vector<bad_row> mismatch_examples;  ///< the first 20
  bool used_hash_join = false;
  std::string unsorted_note;  ///< why the streaming merge gave way to the hash join
  int threads = 1;
};

/// Runs the meta-analysis and writes the output (atomically when to a file). Throws usage_error
/// (bad options or a missing column), io_error (unreadable input, unwritable output) and
/// input_error (truncated or corrupt gzip, an unsorted input under merge_mode::stream). Malformed
/// rows are skipped and counted in the report; they never stop the run.
gwas_report run_gwas(const gwas_options& opt);

/// The output header for the options (tab-separated, with the line end).
[[nodiscard]] std::string gwas_header(const gwas_options& opt);

}  // namespace metasift::batch
