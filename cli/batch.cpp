#include "batch.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>

#include "common_options.hpp"
#include "metasift/batch/batch.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/pipeline/analysis.hpp"
#include "metasift/report/output_format.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("batch", setup_batch);

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}
}  // namespace

void setup_batch(CLI::App& app) {
  auto opt = std::make_shared<batch_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "batch",
      "One meta-analysis per group of a long table (one row per study), streamed from FILE or stdin to stdout");
  sub->add_option("file", opt->file, "Study rows: CSV or TSV with a header line, plain or gzip; '-' for stdin")
      ->capture_default_str();
  sub->add_option("--group", opt->group,
                  "Column whose value names the meta-analysis of each row (rows of a group must be adjacent)");
  sub->add_option("--measure", opt->measure,
                  "Effect measure: MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD SMCC SMCR MN CVR VR GEN "
                  "(default GEN when "
                  "there is a yi column)");
  sub->add_option("--method", opt->method, "EE, MH, PETO, or a tau^2 estimator: DL REML ML PM HE SJ HS EB")
      ->capture_default_str();
  sub->add_option("--ci-method,--test", opt->ci_method,
                  "Test and CI of the pooled effect (metafor's test): z, t, knha (or hk, Hartung-Knapp) or adhoc")
      ->transform(CLI::IsMember({"z", "t", "hk", "knha", "adhoc"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--pi-method", opt->pi_method,
                  "Prediction interval distribution (accepted for parity with meta; not in the output)")
      ->transform(CLI::IsMember({"z", "t_k1", "t_k2"}, CLI::ignore_case));
  sub->add_option("--convention", opt->convention, "Defaults on which tools differ: metafor or stata")
      ->transform(CLI::IsMember({"metafor", "stata"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--md-variance", opt->md_variance, "MD sampling variance: separate (metafor) or pooled (Stata)")
      ->transform(CLI::IsMember({"separate", "pooled"}, CLI::ignore_case));
  sub->add_option("--smd-correction", opt->smd_correction, "SMD: exact (Hedges' g), approx, or none (Cohen's d)")
      ->transform(CLI::IsMember({"exact", "approx", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--smd-variance", opt->smd_variance,
                  "SMD sampling variance: ls (large-sample, metafor's default) or ub (unbiased, vtype UB)")
      ->transform(CLI::IsMember({"ls", "ub"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--zero-cell", opt->zero_cell, "Continuity correction for 2x2 data: only0, all or none")
      ->transform(CLI::IsMember({"only0", "all", "none"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--add", opt->add, "Value of the continuity correction")->capture_default_str();
  sub->add_flag("--drop-double-zero", opt->drop_double_zero,
                "Drop 2x2 studies without events (or all events) in both arms");
  sub->add_option("--level", opt->level, "Confidence level, as 0.95 or 95")->capture_default_str();
  sub->add_option("--input-level", opt->input_level,
                  "Level of the CIs given as ci_lower/ci_upper (GEN input), as 0.95 or 95")
      ->capture_default_str();
  sub->add_option("--col", opt->columns, "Map a canonical column to the input's name: --col yi=logOR (repeatable)");
  sub->add_option("--tau2", opt->tau2, "Fix tau^2 at this value instead of estimating it")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--format", opt->format, "Output: csv, tsv or json (JSON Lines, one object per group)")
      ->transform(CLI::IsMember({"csv", "tsv", "json"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_flag("--no-header", opt->no_header, "Omit the output header line (for concatenating partition outputs)");
  sub->add_option(
      "--input-columns", opt->input_columns,
      "The input has no header line; these are its column names, comma-separated (input delimiter = --format)");
  sub->add_option("--out,-o", opt->out, "Output file, written atomically ('-' for stdout)")->capture_default_str();
  sub->add_option("--threads", opt->threads, "Threads fitting blocks of groups (output order is kept)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_flag("--sync", opt->sync,
                "fsync the output file before renaming it into place (durable against power loss; slower)");
  sub->add_flag("--timing", opt->timing, "Report the time spent fitting, and fits per second, on stderr");
  sub->add_flag("--quiet,-q", opt->quiet, "No summary on stderr (problems are still reported)");
  sub->callback([opt]() { run_batch(*opt); });
}

void run_batch(const batch_cli_options& opt) {
  pipeline::analysis_settings settings = settings_from(opt);
  settings.tau2_ci = false;
  // JSON Lines, or a delimited table (a headerless input is then read with its delimiter).
  const bool json = report::parse_output_format(opt.format) == report::output_format::json;
  const auto delimiter = json ? std::optional<char>(',') : batch::parse_delimited_format(opt.format);
  if (!delimiter) fail_usage("--format", "expected csv, tsv or json, got '" + opt.format + "'");

  io::check_paths({{"input", opt.file}}, {{"--out", opt.out}});
  batch::batch_options o;
  o.input = opt.file;
  o.out = opt.out;
  o.group = opt.group;
  o.measure = settings.measure;
  o.columns = settings.columns;
  o.resolved = pipeline::resolve_settings(settings);
  if (!opt.input_columns.empty()) o.input_names = split_commas(opt.input_columns);
  o.delimiter = *delimiter;
  o.json = json;
  o.header = !opt.no_header;
  o.threads = opt.threads;
  o.time_fits = opt.timing;
  o.sync = opt.sync;

  const auto t0 = std::chrono::steady_clock::now();
  const batch::batch_report r = batch::run_batch(o);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& b : r.malformed_examples) {
    std::fprintf(stderr, "batch: %s:%llu: skipped: %s\n", opt.file == "-" ? "<stdin>" : opt.file.c_str(),
                 static_cast<unsigned long long>(b.line), b.message.c_str());
  }
  if (r.malformed > r.malformed_examples.size()) {
    std::fprintf(stderr, "batch: ... and %llu more malformed rows\n",
                 static_cast<unsigned long long>(r.malformed - r.malformed_examples.size()));
  }
  for (const auto& b : r.missing_examples) {
    std::fprintf(stderr, "batch: %s:%llu: excluded: %s\n", opt.file == "-" ? "<stdin>" : opt.file.c_str(),
                 static_cast<unsigned long long>(b.line), b.message.c_str());
  }
  if (r.missing > r.missing_examples.size()) {
    std::fprintf(stderr, "batch: ... and %llu more rows excluded for a missing value\n",
                 static_cast<unsigned long long>(r.missing - r.missing_examples.size()));
  }
  for (const auto& b : r.group_error_examples) {
    std::fprintf(stderr, "batch: line %llu: %s\n", static_cast<unsigned long long>(b.line), b.message.c_str());
  }
  for (const auto& b : r.regrouped_examples) {
    std::fprintf(stderr, "batch: line %llu: %s\n", static_cast<unsigned long long>(b.line), b.message.c_str());
  }
  if (!opt.quiet) {
    std::string statuses;
    for (const auto& [s, n] : r.statuses) {
      if (!statuses.empty()) statuses += ", ";
      statuses += s + " " + std::to_string(n);
    }
    std::fprintf(stderr,
                 "batch: %llu groups (%s), %llu study rows, %llu rows excluded for a missing value, %llu malformed "
                 "rows skipped, %llu groups with errors\n",
                 static_cast<unsigned long long>(r.groups), statuses.c_str(), static_cast<unsigned long long>(r.rows),
                 static_cast<unsigned long long>(r.missing), static_cast<unsigned long long>(r.malformed),
                 static_cast<unsigned long long>(r.group_errors));
  }
  if (opt.timing) {
    // A rate over a wall time that rounds to 0 is not finite and prints as NA.
    const auto f = [](double x, int decimals) { return format_fixed(x, decimals, number_target::text); };
    std::fprintf(stderr, "batch: timing: wall %s s, %s rows/s, %s groups/s; fitting %s s CPU = %s fits/s per thread\n",
                 f(wall, 3).c_str(), f(static_cast<double>(r.rows + r.malformed) / wall, 0).c_str(),
                 f(static_cast<double>(r.groups) / wall, 0).c_str(), f(r.fit_seconds, 3).c_str(),
                 f(r.fit_seconds > 0 ? static_cast<double>(r.groups) / r.fit_seconds : 0.0, 0).c_str());
  }
}

}  // namespace metasift::cli
