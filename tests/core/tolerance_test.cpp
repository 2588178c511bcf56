#include "metasift/core/tolerance.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace metasift {
namespace {

TEST(Tolerance, RelativeWithAbsoluteFloor) {
  EXPECT_TRUE(within(1.0, 1.0 + 1e-11, {1e-10, 0}));
  EXPECT_FALSE(within(1.0, 1.0 + 1e-9, {1e-10, 0}));
  EXPECT_TRUE(within(1e-20, 2e-20, {1e-10, 1e-15}));  // floor decides near zero
  EXPECT_FALSE(within(1e-20, 2e-20, {1e-10, 0}));
}

TEST(Tolerance, NanAndInfinity) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(within(nan, nan, {}));
  EXPECT_FALSE(within(nan, 1.0, {1, 1}));
  EXPECT_TRUE(within(inf, inf, {}));
  EXPECT_FALSE(within(inf, -inf, {}));
  EXPECT_EQ(relative_error(0.0, 0.0), 0.0);
}

}  // namespace
}  // namespace metasift
