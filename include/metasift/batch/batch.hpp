#pragma once
// Many independent meta-analyses in one pass (`metasift batch`): long-format rows (one per study)
// grouped by a column, one output row per group. Input is read once, front to back, and output is
// written as groups complete, so the command works as a stdin -> stdout filter (Spark RDD.pipe,
// Glow's pipe transformer). Each group's output depends only on its own rows, so splitting the
// input at group boundaries and concatenating the outputs (with --no-header on all but the first)
// gives the same bytes as one run; docs/batch.md describes that deployment.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metasift/effects/measure.hpp"
#include "metasift/models/convention.hpp"

namespace metasift::batch {

struct batch_options {
  std::string input = "-";                     ///< file, or "-" for standard input (plain or gzip)
  std::string out = "-";                       ///< "-" for standard output; a file is written atomically
  std::string group;                           ///< grouping column; empty: all rows form one group
  std::optional<effects::measure> measure;     ///< empty: GEN when there is a yi column
  std::map<std::string, std::string> columns;  ///< canonical (lower case) -> the input's name
  models::resolved_options resolved;           ///< effect-size options and model spec
  std::vector<std::string> input_names;        ///< the input has no header line; these are its columns
  char delimiter = ',';                        ///< output delimiter: ',' (CSV) or '\t' (TSV)
  /// JSON Lines instead of CSV/TSV: one object per group with the keys of docs/output.md (no
  /// header line; a headerless input is then read as CSV).
  bool json = false;
  bool header = true;  ///< print the output header line
  int threads = 1;
  bool sync = false;       ///< fsync the output file before renaming it
  bool time_fits = false;  ///< measure the time spent fitting (batch_report::fit_seconds)
  std::size_t chunk_bytes = std::size_t{1} << 20;
};

struct batch_problem {
  std::uint64_t line = 0;
  std::string message;
};

struct batch_report {
  std::uint64_t groups = 0;
  std::uint64_t rows = 0;                         ///< study rows used
  std::uint64_t malformed = 0;                    ///< rows skipped: field count, non-numeric values, vi/sei <= 0
  std::vector<batch_problem> malformed_examples;  ///< the first 20
  /// Rows left out of their group for a missing value (blank, NA, na, .) in a column the measure
  /// needs: the rule of `meta`, where such a study is excluded and named, not an error.
  std::uint64_t missing = 0;
  std::vector<batch_problem> missing_examples;  ///< the first 20
  std::uint64_t group_errors = 0;               ///< groups whose data the measure rejects (status "error")
  std::vector<batch_problem> group_error_examples;
  std::uint64_t regrouped = 0;  ///< groups seen again after another group: the input is not grouped
  std::vector<batch_problem> regrouped_examples;
  std::map<std::string, std::uint64_t> statuses;  ///< output rows per status
  double fit_seconds = 0;                         ///< CPU time inside the per-group fits, summed over threads
};

/// Column names of the CSV/TSV output (the group column under its input name first, when grouping).
[[nodiscard]] std::vector<std::string> batch_columns(const batch_options& opt);

/// Runs the batch. Throws usage_error (options, a missing column, a method the measure does not
/// allow), io_error and input_error (empty input, truncated gzip). Bad rows and bad groups are
/// reported, never thrown.
batch_report run_batch(const batch_options& opt);

}  // namespace metasift::batch
