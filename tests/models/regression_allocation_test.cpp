// models::permutation_test refits the model once per arrangement without touching the heap: the
// number of allocations of a whole test does not grow with the number of permutations. Counted
// with a replacement of the global operator new (this test binary only).

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <vector>

#include "metasift/models/regression.hpp"
#include "support/counting_new.hpp"

namespace {
std::atomic<long>& allocations = metasift::test::allocation_count();
}  // namespace

namespace metasift {
namespace {

TEST(RegressionAllocation, PermutationsAllocateNothingPerRefit) {
  const std::size_t k = 30;
  std::vector<double> y, v;
  models::design x;
  x.rows = k;
  x.cols = 3;
  x.names = {"intrcpt", "a", "b"};
  for (std::size_t i = 0; i < k; ++i) {
    const double t = static_cast<double>(i);
    const double a = 20.0 + 10.0 * std::sin(1.3 * t), b = i % 3 == 0 ? 1.0 : 0.0;
    y.push_back(0.1 - 0.01 * a + 0.2 * b + 0.3 * std::sin(2.1 * t));
    v.push_back(0.01 + 0.02 * (1.0 + std::cos(0.7 * t)));
    x.x.insert(x.x.end(), {1.0, a, b});
  }
  for (auto m : {models::method::REML, models::method::ML, models::method::EB, models::method::PM, models::method::DL,
                 models::method::HE, models::method::SJ, models::method::HS, models::method::EE}) {
    models::model_spec spec;
    spec.est = m;
    auto count = [&](int n) {
      const long before = allocations.load();
      const models::permutation_result r = models::permutation_test(y, v, x, spec, {n, 5, true});
      EXPECT_EQ(r.iterations, n);
      EXPECT_EQ(r.failed, 0);
      return allocations.load() - before;
    };
    const long small = count(50);
    const long large = count(500);
    EXPECT_EQ(small, large) << models::to_string(m) << ": allocations grow with the number of permutations";
  }
}

}  // namespace
}  // namespace metasift
