#include "metasift/math/root_find.hpp"

#include <boost/math/policies/policy.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <limits>

namespace metasift::math {

root_result find_root(const std::function<double(double)>& f, double lo, double hi, double rel_tol, double abs_tol,
                      std::uintmax_t max_iterations) {
  root_result out;
  const double flo = f(lo);
  const double fhi = f(hi);
  if (flo == 0.0) return {lo, 0, true};
  if (fhi == 0.0) return {hi, 0, true};
  // Extreme data can overflow the function at an end point (y^2 of 1e200); that is a result the
  // caller reports as not available, never an exception escaping the fit.
  const bool bracketed = std::isfinite(flo) && std::isfinite(fhi) && ((flo < 0.0) != (fhi < 0.0));
  if (!bracketed) return {std::numeric_limits<double>::quiet_NaN(), 0, false};
  auto narrow = [rel_tol, abs_tol](double a, double b) {
    return std::abs(b - a) <= rel_tol * std::min(std::abs(a), std::abs(b)) + abs_tol;
  };
  std::uintmax_t iters = max_iterations;
  // A NaN met inside the bracket ends the search with NaN instead of throwing.
  using quiet =
      boost::math::policies::policy<boost::math::policies::domain_error<boost::math::policies::ignore_error>,
                                    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;
  const auto [a, b] = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi, narrow, iters, quiet());
  out.iterations = iters;
  out.converged = std::isfinite(a) && std::isfinite(b) && narrow(a, b) && iters < max_iterations;
  out.root = 0.5 * (a + b);
  return out;
}

}  // namespace metasift::math
