#pragma once
// `metasift run review.toml --out DIR`: a whole review from one file (docs/report.md). Screening
// (review/screen.hpp: import, deduplication, search, criteria, human decisions, PRISMA 2020), the
// join of the study data to the included records, the meta-analysis and the analyses the
// [analysis] table asks for, the figures (SVG, PDF, PNG), results.json, screening.csv,
// prisma.json and a self-contained report.html.
//
// Everything is computed in memory first (compute_run); write_run then writes the files into a
// temporary folder next to DIR and renames it to DIR at the end, so a failed run leaves no
// half-written report. The library never prints: progress goes through a callback.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metasift/effects/measure.hpp"
#include "metasift/models/result.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/run/analysis_spec.hpp"

namespace metasift::run {

struct run_options {
  std::filesystem::path review;  ///< review.toml
  bool allow_outside = false;    ///< accept file paths outside the review folder
  unsigned threads = 0;          ///< deduplication threads (0 = all cores)
  double dpi = 300.0;            ///< PNG figures
  std::string date;              ///< shown under the report's title; empty = none (deterministic output)
  /// Results folder of an earlier run of this review (an update): the report gains "What
  /// changed" and PRISMA the boxes of an updated review. Empty: a new review.
  std::filesystem::path previous;
  /// Called at the start of each step with (step name, steps done, steps in all).
  std::function<void(std::string_view, std::size_t, std::size_t)> progress;
};

/// How the study data were joined to the screened records.
struct link_summary {
  std::size_t rows = 0;                                ///< data rows
  std::size_t analysed = 0;                            ///< rows linked to an included record (the studies analysed)
  std::vector<std::string> included_without_data;      ///< "Scopus:S12 (Title...)"
  std::vector<std::string> rows_with_excluded_record;  ///< "studies.csv:4: ... excluded at full text"
  std::size_t outside_filter = 0;  ///< rows of included records whose extracted values fail the analysis' `where`
  /// Rows left out because the `where` filter cannot be decided for their record: "studies.csv:4: record
  /// Scopus:S3: the extractors disagree on theme".
  std::vector<std::string> filter_unknown;
};

/// One outcome of the run: its id and title ([[analysis]]), its main meta-analysis and linkage.
struct outcome_summary {
  std::string id;
  std::string title;
  models::meta_result meta;
  link_summary links;
  std::optional<effects::measure> measure;  ///< the analysis' effect measure
};

/// A figure of the run, laid out and ready to render.
struct run_figure;

/// Everything a run produces, before anything is written.
struct run_outputs {
  std::string title;
  review::prisma_counts prisma;
  std::optional<models::meta_result> meta;  ///< the first (or only) analysis' meta-analysis
  std::optional<effects::measure> measure;  ///< its effect measure
  link_summary links;                       ///< the first (or only) analysis' linkage
  std::vector<outcome_summary> outcomes;    ///< every analysis, in review.toml order
  std::vector<std::string> warnings;
  /// Text files by name relative to the output folder: report.html, results.json, screening.csv,
  /// prisma.json.
  std::vector<std::pair<std::string, std::string>> text_files;
  /// Figures written in three formats as figures/<name>.{svg,pdf,png}.
  std::vector<std::shared_ptr<const run_figure>> figures;
};

/// Runs the review and the analyses in memory. Throws input_error (file:line:column) for bad
/// review.toml content, missing files (naming the key and its line), a data row that names no
/// record, and bad study data; io_error for unreadable files.
[[nodiscard]] run_outputs compute_run(const run_options& opt);

/// Writes the outputs into `out` through a temporary sibling folder ("<out>.tmp-<pid>") renamed at
/// the end, under the folder rules of io/output_policy.hpp: a symlinked `out` is written through;
/// an existing `out` is replaced only when it is empty or holds nothing but what its manifest
/// (.metasift-manifest, written first) lists; anything else is an io_error naming the first
/// foreign file, as is any failed write (the temporary folder is removed). Temporary folders of
/// crashed runs are removed first. Returns the files written, relative to `out`.
std::vector<std::string> write_run(const run_outputs& outputs, const std::filesystem::path& out, double dpi = 300.0);

/// Writes one figure of a run, named as under figures/ ("forest-rob", "rob-summary-weighted",
/// "traffic-light", "forest", ...), to `path` as SVG, PDF or PNG by its extension. Throws
/// usage_error when the run drew no such figure (the message lists those it drew).
void write_run_figure(const run_outputs& outputs, std::string_view name, const std::filesystem::path& path,
                      double dpi = 300.0);

/// Scaffolds a new review project in `dir` (metasift init): a commented review.toml, records/ with
/// a README, data/studies.csv with the header of a two-group continuous outcome, decisions.csv
/// with its header. Refuses (io_error) to overwrite an existing review.toml. Returns the files
/// created, relative to `dir`.
std::vector<std::string> init_project(const std::filesystem::path& dir);

}  // namespace metasift::run
