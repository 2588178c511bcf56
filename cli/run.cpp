#include "run.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/models/result.hpp"
#include "metasift/run/run.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("run", setup_run);

/// A one-line progress bar redrawn in place; only used when stderr is a terminal, so logs and
/// pipes stay free of control characters.
void draw_progress(std::string_view step, std::size_t done, std::size_t total) {
  constexpr std::size_t width = 24;
  const std::size_t filled = total == 0 ? width : done * width / total;
  std::string bar(filled, '#');
  bar.append(width - filled, '.');
  std::fprintf(stderr, "\r\033[2K[%s] %zu/%zu %.*s", bar.c_str(), done + 1, total, static_cast<int>(step.size()),
               step.data());
  std::fflush(stderr);
}
}  // namespace

void setup_run(CLI::App& app) {
  auto opt = std::make_shared<run_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a whole review from review.toml: screening, meta-analysis, figures and a self-contained report.html");
  sub->add_option("review", opt->review, "The review file (TOML) with [[sources]], criteria and [analysis]")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out,-o", opt->out, "Output folder (written to a temporary folder, then renamed)")->required();
  sub->add_flag("--allow-outside", opt->allow_outside, "Accept file paths outside the review file's folder");
  sub->add_option("--dpi", opt->dpi, "Resolution of the PNG figures")
      ->check(CLI::Range(36.0, 2400.0))
      ->capture_default_str();
  sub->add_option("--date", opt->date,
                  "Date shown under the report title (none by default: reruns give the same bytes)");
  sub->add_option("--threads", opt->threads, "Deduplication threads (0 = all cores)")->check(CLI::Range(0U, 256U));
  sub->add_option("--previous", opt->previous,
                  "Results folder of an earlier run: the report says what changed, PRISMA shows an updated review")
      ->check(CLI::ExistingDirectory);
  sub->add_flag("--quiet,-q", opt->quiet, "Print neither warnings nor the summary");
  sub->callback([opt]() { run_run(*opt); });
}

void run_run(const run_cli_options& opt) {
  if (opt.out.empty()) fail_usage("--out", "must name the output folder, got an empty path");
  run::run_options ro;
  ro.review = opt.review;
  ro.allow_outside = opt.allow_outside;
  ro.threads = opt.threads;
  ro.dpi = opt.dpi;
  ro.date = opt.date;
  ro.previous = opt.previous;
  const bool tty = isatty(fileno(stderr)) == 1 && !opt.quiet;
  // The library's steps plus one: writing the folder.
  auto steps = std::make_shared<std::size_t>(0);
  if (tty) {
    ro.progress = [steps](std::string_view step, std::size_t done, std::size_t total) {
      *steps = total;
      draw_progress(step, done, total + 1);
    };
  }
  run::run_outputs out;
  try {
    out = run::compute_run(ro);
    if (tty) draw_progress("writing " + opt.out, *steps, *steps + 1);
    (void)run::write_run(out, opt.out, opt.dpi);
  } catch (...) {
    if (tty) std::fputs("\r\033[2K", stderr);
    throw;
  }
  if (tty) std::fputs("\r\033[2K", stderr);
  if (!opt.quiet) {
    for (const auto& w : out.warnings) print_warning(w);
  }
  const std::filesystem::path report = std::filesystem::path(opt.out) / "report.html";
  std::printf("report: %s\n", report.string().c_str());
  if (!opt.quiet) {
    const auto& pc = out.prisma;  // both arms: databases and registers, and other methods
    std::printf("records: %zu identified, %zu duplicates, %zu screened, %zu included", pc.identified_total(),
                pc.duplicates + pc.other_duplicates, pc.records_screened + pc.other_records_screened,
                pc.update ? pc.total_studies : pc.new_studies);
    if (pc.update) std::printf(" (%zu new in this update)", pc.new_studies);
    std::printf("\n");
    // One block per outcome; with a single analysis the lines carry no outcome name.
    for (const auto& o : out.outcomes) {
      const auto& m = o.meta;
      const std::string name = out.outcomes.size() > 1 ? " (" + o.id + ")" : "";
      const auto f = [](double x) { return format_fixed(x, 2, number_target::text); };
      std::printf("pooled%s: %s [%s, %s] (k = %d)\n", name.c_str(), f(m.pooled.estimate).c_str(),
                  f(m.pooled.ci_lower).c_str(), f(m.pooled.ci_upper).c_str(), m.k);
      std::printf("heterogeneity%s: tau2 = %s, I2 = %s%%, H2 = %s, Q(%s) = %s\n", name.c_str(), f(m.het.tau2).c_str(),
                  f(m.het.I2).c_str(), f(m.het.H2).c_str(), format_fixed(m.het.df, 0, number_target::text).c_str(),
                  f(m.het.Q).c_str());
      std::printf("test of theta = 0%s: %s = %s, p = %s\n", name.c_str(), std::isfinite(m.pooled.df) ? "t" : "z",
                  f(m.pooled.statistic).c_str(), f(m.pooled.p).c_str());
      if (o.measure && models::has_mh_tests(m.spec.est, *o.measure)) {
        // rma.mh's tests, as `metasift meta` prints them.
        const bool odds = *o.measure == effects::measure::OR;
        const auto p4 = [](double p) { return format_general(p, 4, number_target::text); };
        std::printf("%s: %s = %s, df = 1, p = %s\n", odds ? "Cochran-Mantel-Haenszel test" : "Mantel-Haenszel test",
                    odds ? "CMH" : "MH", f(m.mh.cmh).c_str(), p4(m.mh.cmh_p).c_str());
        if (odds) {
          std::printf("Tarone's test for heterogeneity: X2 = %s, df = %s, p = %s\n", f(m.mh.tarone).c_str(),
                      format_fixed(m.mh.tarone_df, 0, number_target::text).c_str(), p4(m.mh.tarone_p).c_str());
        }
      }
    }
  }
}

}  // namespace metasift::cli
