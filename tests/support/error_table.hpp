#pragma once
// The worst relative error against a reference, per family of statistic and per tolerance class,
// over every comparison a test process makes; printed when the process ends (a gtest environment).
// Under ctest every parameterised case runs in its own process and logs its own table; running a
// test binary directly (all datasets in one process) prints the table over every dataset, which
// is what docs/validation.md quotes.
//
// The class is the bar the comparison was held to (the tolerance passed with it), so closed-form
// statistics, iterative ones against tightened metafor, and iterative ones against metafor's
// default control are never mixed in one number.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "support/tolerance.hpp"

namespace metasift::test {

struct worst_entry {
  double rel = 0.0;
  std::string where;
  long compared = 0;
  long at_floor = 0;  ///< differences within the tolerance's absolute floor (boundary-level values)
};

/// (family, class) -> worst relative error, for the whole process.
inline std::map<std::pair<std::string, std::string>, worst_entry>& error_table() {
  static std::map<std::pair<std::string, std::string>, worst_entry> t;
  return t;
}

/// The class of a comparison from the tolerance it is held to.
inline std::string tolerance_class(tolerance tol) {
  if (tol.rel <= closed_form.rel) return "closed form (1e-9)";
  if (tol.rel <= tight_iterative.rel) return "iterative, tight metafor (1e-7)";
  return "iterative, metafor default control (1e-4)";
}

/// Records one comparison. A comparison that passes only on the tolerance's absolute floor (e.g.
/// tau^2 = 0 against metafor's 1e-6 where its boundary search stops) is counted apart, not as a
/// relative error: relative to a value that should be 0 it means nothing.
inline void record_error(const std::string& family, tolerance tol, double ours, double theirs,
                         const std::string& where) {
  if (std::isnan(ours) && std::isnan(theirs)) return;
  auto& w = error_table()[{family, tolerance_class(tol)}];
  ++w.compared;
  const double e = relative_error(ours, theirs);
  if (e > tol.rel && std::abs(ours - theirs) <= tol.abs) {  // passes on the floor only
    ++w.at_floor;
    return;
  }
  if (e >= w.rel) {
    w.rel = e;
    w.where = where;
  }
}

class error_table_printer : public ::testing::Environment {
 public:
  void TearDown() override {
    if (error_table().empty()) return;
    std::printf(
        "[ errors    ] worst relative error against metafor per family and class "
        "(values compared; of which passed on the absolute floor only)\n");
    for (const auto& [key, w] : error_table()) {
      std::printf("[ errors    ]   %-38s %-42s %9.2e  (%ld; %ld)  %s\n", key.first.c_str(), key.second.c_str(), w.rel,
                  w.compared, w.at_floor, w.where.empty() ? "-" : w.where.c_str());
    }
  }
};

/// Registers the printer once per process, however many test files ask for it.
inline bool print_error_table_at_exit() {
  static const bool registered = [] {
    ::testing::AddGlobalTestEnvironment(new error_table_printer);
    return true;
  }();
  return registered;
}

}  // namespace metasift::test
