// The leave-one-out and cumulative loops allocate nothing per refit: the number of heap
// allocations of a whole analysis does not grow with k. Counted with a replacement of the global
// operator new (this test binary only); labels are short enough for the small-string buffer so
// that copying them allocates nothing either.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "metasift/analyses/cumulative.hpp"
#include "metasift/analyses/influence.hpp"
#include "support/counting_new.hpp"

namespace {
std::atomic<long>& allocations = metasift::test::allocation_count();
}  // namespace

namespace metasift {
namespace {

struct data {
  std::vector<double> y, v;
  std::vector<std::string> labels;
};

data make(std::size_t k) {
  data d;
  for (std::size_t i = 0; i < k; ++i) {
    const double x = static_cast<double>(i);
    d.y.push_back(0.3 + 0.4 * std::sin(1.7 * x));
    d.v.push_back(0.02 + 0.01 * (1.0 + std::cos(0.9 * x)));
    std::string label = "S";
    label += std::to_string(i);
    d.labels.push_back(label);
  }
  return d;
}

template <typename F>
long count(F&& f) {
  const long before = allocations.load();
  f();
  return allocations.load() - before;
}

TEST(Allocation, LeaveOneOutAndCumulativeLoopsDoNotAllocatePerRefit) {
  const data small = make(10), large = make(40);
  models::model_spec spec;  // REML
  spec.tau2_ci = false;
  auto influence_of = [&](const data& d) {
    return count([&] { (void)analyses::influence(d.y, d.v, d.labels, spec); });
  };
  auto cumulative_of = [&](const data& d) {
    return count([&] { (void)analyses::cumulative(d.y, d.v, d.labels, spec); });
  };
  EXPECT_EQ(influence_of(small), influence_of(large));
  EXPECT_EQ(cumulative_of(small), cumulative_of(large));
  EXPECT_GT(influence_of(small), 0);  // the counter works
}

}  // namespace
}  // namespace metasift
