#include "simulate.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "metasift/batch/format.hpp"
#include "metasift/batch/simulate.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/models/spec.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("simulate", setup_simulate);

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : s + ",") {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  return out;
}
}  // namespace

void setup_simulate(CLI::App& app) {
  auto opt = std::make_shared<simulate_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "simulate", "Monte Carlo comparison of tau^2 estimators and CI methods under a random-effects model");
  sub->add_option("--k", opt->k, "Studies per meta-analysis")->check(CLI::Range(2, 1000000))->capture_default_str();
  sub->add_option("--tau2", opt->tau2, "True between-study variance")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--mu", opt->mu, "True overall effect")->capture_default_str();
  sub->add_option("--reps", opt->reps, "Replicates (simulated meta-analyses)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--methods", opt->methods, "Estimators, comma-separated: EE DL REML ML PM HE SJ HS EB")
      ->capture_default_str();
  sub->add_option("--ci", opt->ci, "CI methods, comma-separated: z, hk")->capture_default_str();
  sub->add_option("--level", opt->level, "Confidence level, as 0.95 or 95")->capture_default_str();
  sub->add_option("--seed", opt->seed, "Seed of the counter-based generator")->capture_default_str();
  sub->add_option("--threads", opt->threads, "Threads (results are identical for any number)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_option("--v-min", opt->v_min, "Smallest within-study variance")->capture_default_str();
  sub->add_option("--v-max", opt->v_max, "Largest within-study variance")->capture_default_str();
  sub->add_option("--v-dist", opt->v_dist,
                  "Distribution of the within-study variances over [v-min, v-max]: uniform or loguniform")
      ->transform(CLI::IsMember({"uniform", "loguniform"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--format", opt->format, "Output delimiter: tsv or csv")
      ->transform(CLI::IsMember({"tsv", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Output file, written atomically ('-' for stdout)")->capture_default_str();
  sub->add_flag("--quiet,-q", opt->quiet, "No timing summary on stderr");
  sub->callback([opt]() { run_simulate(*opt); });
}

void run_simulate(const simulate_cli_options& opt) {
  batch::simulation_spec s;
  s.k = opt.k;
  s.tau2 = opt.tau2;
  s.mu = opt.mu;
  s.reps = opt.reps;
  const models::level_reading lr = models::read_confidence_level(opt.level);
  if (!lr.problem.empty()) fail_usage("--level", lr.problem);
  s.level = lr.level;
  s.seed = opt.seed;
  s.threads = opt.threads;
  s.v_min = opt.v_min;
  s.v_max = opt.v_max;
  const auto v_dist = batch::parse_variance_distribution(opt.v_dist);
  if (!v_dist) fail_usage("--v-dist", "expected uniform or loguniform, got '" + opt.v_dist + "'");
  s.v_dist = *v_dist;
  const auto delimiter = batch::parse_delimited_format(opt.format);
  if (!delimiter) fail_usage("--format", "expected tsv or csv, got '" + opt.format + "'");
  s.methods.clear();
  for (const auto& name : split_commas(opt.methods)) {
    const auto m = models::parse_method(name);
    if (!m) fail_usage("--methods", "unknown method '" + name + "'");
    s.methods.push_back(*m);
  }
  s.cis.clear();
  for (const auto& name : split_commas(opt.ci)) {
    const auto ci = models::parse_ci_method(name);
    if (!ci) fail_usage("--ci", "unknown CI method '" + name + "' (z or hk)");
    s.cis.push_back(*ci);
  }
  const batch::simulation_result r = batch::simulate(s);
  const char d = *delimiter;
  std::string out;
  const char* cols[] = {"method",   "ci",       "k",         "tau2",     "reps",     "bias",     "mse",
                        "coverage", "ci_width", "tau2_bias", "tau2_mse", "boundary", "fallback", "not_converged"};
  for (std::size_t i = 0; i < std::size(cols); ++i) {
    if (i) out += d;
    out += cols[i];
  }
  out += '\n';
  for (const auto& row : r.rows) {
    out += models::to_string(row.method);
    out += d;
    out += models::to_string(row.ci);
    out += d;
    batch::append_uint(out, static_cast<std::uint64_t>(s.k));
    out += d;
    batch::append_shortest(out, s.tau2);
    out += d;
    batch::append_uint(out, row.reps);
    for (const double x : {row.bias, row.mse, row.coverage, row.ci_width, row.tau2_bias, row.tau2_mse}) {
      out += d;
      batch::append_shortest(out, x);
    }
    for (const std::uint64_t n : {row.boundary, row.fallback, row.not_converged}) {
      out += d;
      batch::append_uint(out, n);
    }
    out += '\n';
  }
  emit(opt.out, out);
  if (!opt.quiet) {
    // A rate over a time that rounds to 0 is not finite and prints as NA.
    const auto f = [](double x, int decimals) { return format_fixed(x, decimals, number_target::text); };
    std::fprintf(
        stderr,
        "simulate: %llu replicates x %zu methods = %llu fits in %s s wall, %s s CPU: %s fits/s on %d thread%s, "
        "%s fits per CPU-second\n",
        static_cast<unsigned long long>(s.reps), s.methods.size(), static_cast<unsigned long long>(r.fits),
        f(r.seconds, 3).c_str(), f(r.cpu_seconds, 3).c_str(), f(static_cast<double>(r.fits) / r.seconds, 0).c_str(),
        s.threads, s.threads == 1 ? "" : "s",
        f(r.cpu_seconds > 0 ? static_cast<double>(r.fits) / r.cpu_seconds : 0.0, 0).c_str());
  }
}

}  // namespace metasift::cli
