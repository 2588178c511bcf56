#include "metasift/math/distributions.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace metasift::math {
namespace {

// Underflow to 0 and overflow to infinity are legitimate answers for tail probabilities and
// quantiles here (a z of 40 has p ~ 1e-350). Arguments outside the support (a NaN or zero df that
// extreme data produced) give NaN, which the reports print as not available: a fit on finite data
// must never end in an exception from Boost. Boost's default
// promotes double to long double internally (x87, ~8x slower here) for accuracy that doubles in and
// out cannot show; the double implementations are accurate to a few ulp.
using policy =
    boost::math::policies::policy<boost::math::policies::promote_double<false>,
                                  boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::underflow_error<boost::math::policies::ignore_error>,
                                  boost::math::policies::denorm_error<boost::math::policies::ignore_error>>;

using normal = boost::math::normal_distribution<double, policy>;
using students_t = boost::math::students_t_distribution<double, policy>;
using chi_squared = boost::math::chi_squared_distribution<double, policy>;
using fisher_f = boost::math::fisher_f_distribution<double, policy>;

}  // namespace

double normal_cdf(double x) {
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  return boost::math::cdf(normal(), x);
}

double normal_two_sided_p(double z) {
  if (std::isnan(z)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(z)) return 0.0;
  return 2.0 * boost::math::cdf(boost::math::complement(normal(), std::abs(z)));
}

double normal_quantile(double p) {
  return boost::math::quantile(normal(), p);
}

double normal_critical(double level) {
  return boost::math::quantile(boost::math::complement(normal(), (1.0 - level) / 2.0));
}

double t_two_sided_p(double t, double df) {
  if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(t)) return 0.0;
  return 2.0 * boost::math::cdf(boost::math::complement(students_t(df), std::abs(t)));
}

double t_critical(double level, double df) {
  return boost::math::quantile(boost::math::complement(students_t(df), (1.0 - level) / 2.0));
}

double t_upper_quantile(double p, double df) {
  return boost::math::quantile(boost::math::complement(students_t(df), p));
}

double normal_upper_quantile(double p) {
  return boost::math::quantile(boost::math::complement(normal(), p));
}

double chisq_upper(double q, double df) {
  if (std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  if (q <= 0) return 1.0;
  if (std::isinf(q)) return 0.0;
  return boost::math::cdf(boost::math::complement(chi_squared(df), q));
}

double chisq_quantile(double p, double df) {
  return boost::math::quantile(chi_squared(df), p);
}

double f_upper(double f, double df1, double df2) {
  if (std::isnan(f)) return std::numeric_limits<double>::quiet_NaN();
  if (f <= 0) return 1.0;
  if (std::isinf(f)) return 0.0;
  return boost::math::cdf(boost::math::complement(fisher_f(df1, df2), f));
}

}  // namespace metasift::math
