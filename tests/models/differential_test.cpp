// Differential testing against metafor (issue #8): ~1,000 random data sets (k = 2..200, sampling
// variances over six orders of magnitude, tau^2 from 0 to 100, ties and all-identical effects),
// every tau^2 estimator shared with metafor and both inference methods (z and Knapp-Hartung).
//
// The data sets and metafor's fits are produced at test time by tools/differential/metafor_random.R
// (R with metafor is installed by `scripts/install-deps.sh --with-r`, which CI runs); without R
// the test is skipped with a message. METASIFT_DIFF_DATASETS overrides the number of data sets.
// The worst relative error per statistic is printed, so the numbers quoted in
// docs/validation.md can be re-measured by anyone with `ctest -R Differential -V`.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "metasift/models/fit.hpp"
#include "support/tolerance.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::models::ci_method;
using metasift::models::method;

struct dataset {
  std::vector<double> yi, vi;
};

struct reference_row {
  int dataset = 0;
  std::string method, test, stat;
  double value = 0;
};

bool have_metafor() {
  return std::system("Rscript -e 'quit(status = !requireNamespace(\"metafor\", quietly = TRUE))' >/dev/null 2>&1") == 0;
}

std::vector<std::vector<std::string>> read_csv_body(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  bool header_seen = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      header_seen = true;
      continue;
    }
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(std::move(cells));
  }
  return rows;
}

double to_double(const std::string& s) {
  return s == "NA" ? std::nan("") : std::strtod(s.c_str(), nullptr);
}

method method_from(const std::string& m) {
  static const std::map<std::string, method> names{{"EE", method::EE},     {"DL", method::DL}, {"HE", method::HE},
                                                   {"HS", method::HS},     {"SJ", method::SJ}, {"ML", method::ML},
                                                   {"REML", method::REML}, {"EB", method::EB}, {"PM", method::PM}};
  return names.at(m);
}

bool iterative(const std::string& m) {
  return m == "ML" || m == "REML" || m == "EB" || m == "PM";
}

double our_value(const metasift::models::meta_result& r, const std::string& stat) {
  const auto& p = r.pooled;
  const auto& h = r.het;
  if (stat == "estimate") return p.estimate;
  if (stat == "se") return p.se;
  if (stat == "ci_lower") return p.ci_lower;
  if (stat == "ci_upper") return p.ci_upper;
  if (stat == "p") return p.p;
  if (stat == "tau2") return h.tau2;
  if (stat == "se_tau2") return h.tau2_se;
  if (stat == "I2") return h.I2;
  if (stat == "H2") return h.H2;
  if (stat == "Q") return h.Q;
  if (stat == "tau2_ci_lower") return h.tau2_ci.lower;
  if (stat == "tau2_ci_upper") return h.tau2_ci.upper;
  ADD_FAILURE() << "unknown statistic " << stat;
  return std::nan("");
}

class Differential : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_metafor()) return;
    const char* n_env = std::getenv("METASIFT_DIFF_DATASETS");
    const std::string n = n_env != nullptr ? n_env : "1000";
    dir_ = fs::current_path() / "differential";
    const std::string cmd = "Rscript '" METASIFT_SOURCE_DIR "/tools/differential/metafor_random.R' '" + dir_.string() +
                            "' " + n + " 20261128 >'" + (dir_.string() + ".log") + "' 2>&1";
    fs::create_directories(dir_);
    // METASIFT_DIFF_REUSE=1 keeps metafor's output from the previous run (while working on a fix).
    if (std::getenv("METASIFT_DIFF_REUSE") != nullptr && fs::exists(dir_ / "metafor.csv")) {
      generated_ = true;
      return;
    }
    generated_ = std::system(cmd.c_str()) == 0;
  }
  static inline fs::path dir_;
  static inline bool generated_ = false;
};

struct worst {
  double rel = 0;
  double ours = 0, theirs = 0;
  std::string where;
  long compared = 0;
};

TEST_F(Differential, EveryEstimatorAndBothTestsAgreeWithMetafor) {
  if (!have_metafor())
    GTEST_SKIP() << "R with metafor is not installed: differential test against metafor skipped "
                    "(scripts/install-deps.sh --with-r installs it)";
  ASSERT_TRUE(generated_) << "tools/differential/metafor_random.R failed; see " << dir_.string() << ".log";

  std::map<int, dataset> data;
  for (const auto& row : read_csv_body(dir_ / "datasets.csv")) {
    ASSERT_EQ(row.size(), 3u);
    auto& d = data[std::stoi(row[0])];
    d.yi.push_back(to_double(row[1]));
    d.vi.push_back(to_double(row[2]));
  }
  // dataset -> method -> test -> stat -> value
  std::map<int, std::map<std::string, std::map<std::string, std::map<std::string, double>>>> ref;
  long metafor_errors = 0;
  for (const auto& row : read_csv_body(dir_ / "metafor.csv")) {
    ASSERT_EQ(row.size(), 5u);
    if (row[3] == "error") {
      ++metafor_errors;
      continue;
    }
    ref[std::stoi(row[0])][row[1]][row[2]][row[3]] = to_double(row[4]);
  }
  ASSERT_GE(data.size(), 1u);

  // Bars: closed-form estimators agree to rounding; iterative ones to the tight convergence both
  // sides use (1e-12 on tau^2). The absolute floor covers tau^2 ~ 0 against an exact 0 and
  // p-values that both sides round to the far tail.
  const metasift::tolerance closed{1e-9, 1e-12};
  const metasift::tolerance tight{1e-7, 1e-10};
  std::map<std::string, worst> worst_by_stat;  // "stat (closed|iterative)"
  long mismatches = 0, skipped_not_ok = 0, fits = 0;
  std::vector<std::string> first_failures;
  std::ofstream mismatch_log(dir_ / "mismatches.csv");
  mismatch_log.precision(17);
  mismatch_log << "dataset,method,test,stat,ours,metafor,rel\n";

  for (const auto& [id, by_method] : ref) {
    const dataset& d = data.at(id);
    const std::vector<std::string> labels(d.yi.size(), "");
    for (const auto& [m, by_test] : by_method) {
      for (const auto& [test, stats] : by_test) {
        metasift::models::model_spec spec;
        spec.est = method_from(m);
        spec.test = test == "knha" ? ci_method::hk : ci_method::z;
        spec.tau2_ci = stats.count("tau2_ci_lower") > 0;
        const auto r = metasift::models::fit(d.yi, d.vi, labels, spec);
        ++fits;
        if (r.status == metasift::fit_status::not_converged || r.status == metasift::fit_status::degenerate) {
          ++skipped_not_ok;
          continue;
        }
        for (const auto& [stat, theirs] : stats) {
          if (std::isnan(theirs)) continue;
          const bool qprofile = stat.rfind("tau2_ci", 0) == 0;
          metasift::tolerance tol = (iterative(m) || qprofile) ? tight : closed;
          // I^2 and H^2 are tau^2 / typical v in disguise: tau^2's absolute floor (metafor stops
          // on an absolute change of 1e-12, so a tau^2 of 1e-9 carries a relative error near
          // 1e-3) carries over scaled by 1 / typical v.
          if (iterative(m) && (stat == "I2" || stat == "H2")) {
            tol.abs = tight.abs / r.het.typical_v * (stat == "I2" ? 100.0 : 1.0);
          }
          const double ours = our_value(r, stat);
          const double rel = metasift::relative_error(ours, theirs);
          auto& w = worst_by_stat[stat + (iterative(m) || qprofile ? " (iterative)" : " (closed form)")];
          ++w.compared;
          // Near-zero values compare on the absolute floor; elsewhere the relative error counts.
          const double counted = std::abs(ours) <= tol.abs && std::abs(theirs) <= tol.abs ? 0.0 : rel;
          if (counted > w.rel || std::isnan(rel)) {
            w.rel = std::isnan(rel) ? INFINITY : counted;
            w.ours = ours;
            w.theirs = theirs;
            w.where = "data set " + std::to_string(id) + " k=" + std::to_string(d.yi.size()) + " " + m + " " + test;
          }
          if (!metasift::within(ours, theirs, tol)) {
            ++mismatches;
            mismatch_log << id << ',' << m << ',' << test << ',' << stat << ',' << ours << ',' << theirs << ',' << rel
                         << '\n';
            if (first_failures.size() < 15) {
              char buf[256];
              std::snprintf(buf, sizeof buf, "data set %d (k=%zu) %s %s %s: ours %.17g metafor %.17g rel %.3g", id,
                            d.yi.size(), m.c_str(), test.c_str(), stat.c_str(), ours, theirs, rel);
              first_failures.emplace_back(buf);
            }
          }
        }
      }
    }
  }

  std::printf(
      "differential test against metafor: %zu data sets, %ld fits, %ld metafor errors (skipped), "
      "%ld fits with status not_converged/degenerate (skipped)\n",
      data.size(), fits, metafor_errors, skipped_not_ok);
  std::printf("%-28s %10s %12s  %s\n", "statistic", "compared", "worst rel", "where");
  for (const auto& [stat, w] : worst_by_stat)
    std::printf("%-28s %10ld %12.3g  %s\n", stat.c_str(), w.compared, w.rel, w.where.c_str());
  for (const auto& f : first_failures) ADD_FAILURE() << f;
  EXPECT_EQ(mismatches, 0);
  EXPECT_LE(skipped_not_ok, fits / 1000) << "more than 0.1% of the fits did not converge";
}

}  // namespace
