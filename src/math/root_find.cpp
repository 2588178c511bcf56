#include "metasift/math/root_find.hpp"

#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>

namespace metasift::math {

root_result find_root(const std::function<double(double)>& f, double lo, double hi, double rel_tol, double abs_tol,
                      std::uintmax_t max_iterations) {
  root_result out;
  const double flo = f(lo);
  const double fhi = f(hi);
  if (flo == 0.0) return {lo, 0, true};
  if (fhi == 0.0) return {hi, 0, true};
  auto narrow = [rel_tol, abs_tol](double a, double b) {
    return std::abs(b - a) <= rel_tol * std::min(std::abs(a), std::abs(b)) + abs_tol;
  };
  std::uintmax_t iters = max_iterations;
  const auto [a, b] = boost::math::tools::toms748_solve(f, lo, hi, flo, fhi, narrow, iters);
  out.iterations = iters;
  out.converged = narrow(a, b) && iters < max_iterations;
  out.root = 0.5 * (a + b);
  return out;
}

}  // namespace metasift::math
