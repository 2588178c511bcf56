// Number formatting and log-scale p-values (see format.hpp).

#include "metasift/batch/format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

#include "metasift/core/text.hpp"
#include "metasift/math/distributions.hpp"

namespace metasift::batch {
namespace {

constexpr double tiny = 1e-300;

}  // namespace

pvalue normal_two_sided(double z) {
  if (std::isnan(z)) return {std::nan(""), std::nan("")};
  const double a = std::abs(z);
  if (a <= 37.0) {
    const double p = std::erfc(a * (1.0 / std::numbers::sqrt2));
    return {p, p >= tiny ? std::nan("") : std::log10(p)};
  }
  // 2 Phi(-a) = 2 phi(a)/a * (1 - 1/a^2 + 3/a^4 - 15/a^6 + 105/a^8 - ...)  (A&S 26.2.12)
  const double a2 = 1.0 / (a * a);
  const double series = 1.0 + a2 * (-1.0 + a2 * (3.0 + a2 * (-15.0 + a2 * (105.0 - 945.0 * a2))));
  const double ln_p =
      std::log(2.0) - 0.5 * a * a - std::log(a) - 0.5 * std::log(2.0 * std::numbers::pi) + std::log(series);
  return {std::exp(ln_p), ln_p / std::numbers::ln10};
}

pvalue chisq_upper_tail(double q, double df) {
  if (std::isnan(q) || !(df > 0)) return {std::nan(""), std::nan("")};
  // Closed forms for 1 and 2 df (the common cases of 2 and 3 cohorts), Boost otherwise.
  const double p = df == 1.0   ? std::erfc(std::sqrt(0.5 * std::max(q, 0.0)))
                   : df == 2.0 ? std::exp(-0.5 * std::max(q, 0.0))
                               : math::chisq_upper(q, df);
  if (p >= tiny) return {p, std::nan("")};
  // Q(a, x) ~ x^(a-1) e^-x / Gamma(a) * sum_n (a-1)(a-2)...(a-n) / x^n  (A&S 6.5.32), x >> a.
  const double a = 0.5 * df, x = 0.5 * q;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 30; ++n) {
    const double next = term * (a - n) / x;
    if (std::abs(next) >= std::abs(term)) break;  // asymptotic: stop before the terms grow
    term = next;
    sum += term;
    if (std::abs(term) < 1e-17 * std::abs(sum)) break;
  }
  const double ln_p = (a - 1.0) * std::log(x) - x - std::lgamma(a) + std::log(sum);
  return {std::exp(ln_p), ln_p / std::numbers::ln10};
}

void append_pvalue(std::string& out, const pvalue& p, int digits, number_target t) {
  if (!std::isfinite(p.p)) {
    out += missing_text(t);
    return;
  }
  if (p.p >= tiny || !(p.log10p < -300.0)) {
    metasift::append_general(out, p.p, digits, t);
    return;
  }
  double e = std::floor(p.log10p);
  double m = std::pow(10.0, p.log10p - e);
  // Round the mantissa to `digits` significant digits; carry into the exponent when it reaches 10.
  const double scale = std::pow(10.0, digits - 1);
  m = std::round(m * scale) / scale;
  if (m >= 10.0) {
    m /= 10.0;
    e += 1.0;
  }
  metasift::append_general(out, m, digits, t);
  out += 'e';
  out += '-';
  append_uint(out, static_cast<std::uint64_t>(-e));
}

void append_field(std::string& out, std::string_view field, char delimiter) {
  if (delimiter != ',') {
    out.append(field);
    return;
  }
  metasift::text::append_csv_quoted(out, field, delimiter);
}

void append_json_number(std::string& out, double x) {
  if (!std::isfinite(x)) {
    out += "null";
    return;
  }
  append_shortest(out, x);
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

}  // namespace metasift::batch
