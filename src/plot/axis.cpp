// Tick selection, tick labels and interval clipping.
#include "metasift/plot/axis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace metasift::plot {
namespace {

/// Decimals needed to print multiples of `step` exactly (0.25 -> 2, 5 -> 0).
int decimals_for(double step) {
  for (int d = 0; d <= 10; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, std::fabs(scaled))) return d;
  }
  return 10;
}

std::string fixed_label(double v, int decimals) {
  std::string s = fmt::format("{:.{}f}", v, decimals);
  // "-0" and "-0.0" are rounding artefacts of ticks that are exactly zero.
  if (s.find_first_not_of("-0.") == std::string::npos && s.front() == '-') s.erase(0, 1);
  return s;
}

}  // namespace

axis_ticks linear_ticks(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) throw std::invalid_argument("axis range must be finite");
  if (lo > hi) std::swap(lo, hi);
  if (hi == lo) {
    const double half = lo == 0.0 ? 1.0 : std::fabs(lo) / 2.0;
    lo -= half;
    hi += half;
  }
  max_ticks = std::max(max_ticks, 2);
  const double raw = (hi - lo) / (max_ticks - 1);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  static constexpr std::array<double, 4> mult{1.0, 2.0, 2.5, 5.0};
  for (int decade = 0; decade < 4; ++decade, mag *= 10.0) {
    for (double m : mult) {
      const double step = m * mag;
      // The small tolerances keep a limit that is already a multiple (e.g. 2.0000000001) on its tick.
      const double first = std::floor(lo / step + 1e-9) * step;
      const double last = std::ceil(hi / step - 1e-9) * step;
      const long n = std::lround((last - first) / step) + 1;
      if (n > max_ticks) continue;
      axis_ticks t;
      t.lo = first;
      t.hi = last;
      const int d = decimals_for(step);
      for (long i = 0; i < n; ++i) {
        const double v = first + static_cast<double>(i) * step;
        t.positions.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
        t.labels.push_back(fixed_label(v, d));
      }
      return t;
    }
  }
  throw std::invalid_argument("no tick spacing fits the axis range");
}

axis_ticks log_ticks(double lo, double hi, int max_ticks) {
  if (!(lo > 0.0) || !(hi > 0.0) || !std::isfinite(lo) || !std::isfinite(hi)) {
    throw std::invalid_argument("a log axis needs positive finite limits");
  }
  if (lo > hi) std::swap(lo, hi);
  max_ticks = std::max(max_ticks, 3);
  // Narrow ranges (less than a factor of 4) read best with evenly spaced display values, as
  // 0.6, 0.8, 1.0, 1.2; wider ones with a 1-2-5 series or whole decades.
  if (hi / lo < 4.0) {
    axis_ticks lin = linear_ticks(lo, hi, max_ticks);
    if (lin.positions.front() <= 0.0) {
      // A tick at 0 cannot sit on a log axis; the axis then starts at the next tick (rare: the
      // step would have to exceed lo, which the factor-of-4 bound makes unlikely).
      lin.positions.erase(lin.positions.begin());
      lin.labels.erase(lin.labels.begin());
      lin.lo = lin.positions.front();
    }
    axis_ticks t;
    t.lo = std::log(lin.lo);
    t.hi = std::log(lin.hi);
    for (std::size_t i = 0; i < lin.positions.size(); ++i) {
      t.positions.push_back(std::log(lin.positions[i]));
      t.labels.push_back(lin.labels[i]);
    }
    return t;
  }
  const int e_lo = static_cast<int>(std::floor(std::log10(lo) + 1e-9));
  const int e_hi = static_cast<int>(std::ceil(std::log10(hi) - 1e-9));
  auto series = [&](const std::vector<double>& mantissas, int every) {
    std::vector<double> vals;
    for (int e = e_lo - 1; e <= e_hi + 1; ++e) {
      if (((e % every) + every) % every != 0) continue;
      for (double m : mantissas) vals.push_back(m * std::pow(10.0, e));
    }
    // The candidates from the last one <= lo to the first one >= hi.
    std::size_t a = 0;
    while (a + 1 < vals.size() && vals[a + 1] <= lo * (1 + 1e-9)) ++a;
    std::size_t b = vals.size() - 1;
    while (b > 0 && vals[b - 1] >= hi * (1 - 1e-9)) --b;
    return std::vector<double>(vals.begin() + static_cast<std::ptrdiff_t>(a),
                               vals.begin() + static_cast<std::ptrdiff_t>(b) + 1);
  };
  const std::vector<double> fine = series({1.0, 2.0, 5.0}, 1);
  std::vector<double> chosen;
  for (const auto& [mantissas, every] : std::vector<std::pair<std::vector<double>, int>>{
           {{1.0, 2.0, 5.0}, 1}, {{1.0, 3.0}, 1}, {{1.0}, 1}, {{1.0}, 2}, {{1.0}, 3}, {{1.0}, 5}}) {
    chosen = series(mantissas, every);
    if (static_cast<int>(chosen.size()) <= max_ticks) break;
  }
  axis_ticks t;
  t.lo = std::log(chosen.front());
  t.hi = std::log(chosen.back());
  // Coarse ticks (whole decades) would stretch the axis to the next decade on both sides, up to
  // nine tenths of it empty; the axis ends at the enclosing 1-2-5 values instead, labelled ticks
  // staying on the decades inside, as long as at least two remain.
  if (chosen.size() != fine.size()) {
    std::vector<double> inside;
    for (double v : chosen) {
      if (v >= fine.front() * (1 - 1e-9) && v <= fine.back() * (1 + 1e-9)) inside.push_back(v);
    }
    if (inside.size() >= 2) {
      chosen = std::move(inside);
      t.lo = std::log(fine.front());
      t.hi = std::log(fine.back());
    }
  }
  for (double v : chosen) {
    t.positions.push_back(std::log(v));
    t.labels.push_back(tick_label(v));
  }
  return t;
}

axis_ticks make_ticks(axis_scale scale, double lo, double hi, int max_ticks) {
  return scale == axis_scale::log ? log_ticks(lo, hi, max_ticks) : linear_ticks(lo, hi, max_ticks);
}

std::string tick_label(double v) {
  std::string s = fmt::format("{:.4g}", v);
  if (s == "-0") s = "0";
  return s;
}

clipped_interval clip_interval(double a, double b, double lo, double hi) noexcept {
  clipped_interval c;
  if (a > b) std::swap(a, b);
  if (b < lo || a > hi) {
    c.visible = false;
    return c;
  }
  c.cut_low = a < lo;
  c.cut_high = b > hi;
  c.a = std::max(a, lo);
  c.b = std::min(b, hi);
  return c;
}

void draw_interval(scene& s, double x0, double x1, double y, bool arrow_left, bool arrow_right, const stroke& st) {
  // Arrowheads scale gently with the line so that they stay visible on thin lines.
  const double len = 3.2 + 2.0 * st.width;
  const double half = 1.6 + 1.0 * st.width;
  double a = x0;
  double b = x1;
  if (arrow_left) a += len * 0.6;
  if (arrow_right) b -= len * 0.6;
  if (b > a) s.line({a, y}, {b, y}, st);
  if (arrow_left) s.polygon({{x0, y}, {x0 + len, y - half}, {x0 + len, y + half}}, st.c);
  if (arrow_right) s.polygon({{x1, y}, {x1 - len, y - half}, {x1 - len, y + half}}, st.c);
}

}  // namespace metasift::plot
