// `metasift simulate` end to end: the table has one row per method x CI, and --threads does not
// change a single byte.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "cli_support.hpp"

namespace {

using namespace metasift::test;

TEST(SimulateCli, OutputIsIdenticalForAnyNumberOfThreads) {
  const std::string args = "simulate --k 10 --tau2 0.1 --reps 20000 --methods DL,REML,PM --ci z,hk --seed 1 -q";
  const cli_result one = run_metasift(args + " --threads 1");
  ASSERT_EQ(one.code, 0) << one.err;
  for (const char* t : {"2", "5"}) {
    const cli_result many = run_metasift(args + " --threads " + t);
    ASSERT_EQ(many.code, 0) << many.err;
    EXPECT_EQ(many.out, one.out) << t;
  }
  EXPECT_EQ(one.out.substr(0, one.out.find('\n')),
            "method\tci\tk\ttau2\treps\tbias\tmse\tcoverage\tci_width\ttau2_bias\ttau2_mse\tboundary\tfallback\tnot_"
            "converged");
  EXPECT_EQ(std::count(one.out.begin(), one.out.end(), '\n'), 7);
  EXPECT_NE(one.out.find("\nREML\thk\t10\t0.1\t20000\t"), std::string::npos) << one.out;
}

TEST(SimulateCli, ReportsThroughputOnStderr) {
  const cli_result r = run_metasift("simulate --reps 2000 --methods REML");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("fits/s"), std::string::npos) << r.err;
  const cli_result bad = run_metasift("simulate --methods MH");
  EXPECT_EQ(bad.code, 2);
}

}  // namespace
