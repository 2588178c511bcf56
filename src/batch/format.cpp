// Number formatting and log-scale p-values (see format.hpp).

#include "metasift/batch/format.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <numbers>

#include "metasift/math/distributions.hpp"

namespace metasift::batch {
namespace {

bool special(std::string& out, double x) {
  if (std::isnan(x)) {
    out += "NA";
    return true;
  }
  if (std::isinf(x)) {
    out += x > 0 ? "Inf" : "-Inf";
    return true;
  }
  return false;
}

constexpr double tiny = 1e-300;

}  // namespace

void append_shortest(std::string& out, double x) {
  if (special(out, x)) return;
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

namespace {

/// 10^k for k in [-330, 330] (entry k + 330). Exact for 0 <= k <= 22.
struct powers_of_ten {
  double v[661];
  powers_of_ten() noexcept {
    for (int k = -330; k <= 330; ++k) v[k + 330] = std::pow(10.0, k);
    double p = 1;
    for (int k = 0; k <= 22; ++k, p *= 10) v[k + 330] = p;
  }
  double operator[](int k) const noexcept { return v[k + 330]; }
};
const powers_of_ten p10;

}  // namespace

void append_general(std::string& out, double x, int digits) {
  if (special(out, x)) return;
  const double a = std::abs(x);
  if (x == 0 || digits < 1 || digits > 15 || a < 1e-290 || a > 1e290) {
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, digits);
    out.append(buf, r.ptr);
    return;
  }
  // %.<digits>g by hand: decimal exponent e, then the mantissa as a `digits`-digit integer. The
  // scaling costs at most one rounding, so a value within ~1e-16 (relative) of a rounding tie may
  // round the other way than printf's exact arithmetic; every other value prints as %g does.
  const auto bits = std::bit_cast<std::uint64_t>(a);
  const int e2 = static_cast<int>((bits >> 52U) & 0x7FFU) - 1023;  // a = 1.f * 2^e2 (a is normal here)
  int e = static_cast<int>(std::floor(e2 * 0.30102999566398120));
  while (a >= p10[e + 1]) ++e;
  while (a < p10[e]) --e;
  const int shift = digits - 1 - e;
  const double scaled = shift >= 0 ? (shift <= 22 ? a * p10[shift] : a * p10[22] * p10[shift - 22]) : a / p10[-shift];
  auto m = static_cast<std::uint64_t>(scaled + 0.5);  // scaled >= 10^(digits-1): round half up
  const auto limit = static_cast<std::uint64_t>(p10[digits]);
  if (m >= limit) {  // rounded up to the next power of ten
    m /= 10;
    ++e;
  }
  char d[16];
  for (int i = digits - 1; i >= 0; --i) {
    d[i] = static_cast<char>('0' + m % 10);
    m /= 10;
  }
  int n = digits;
  while (n > 1 && d[n - 1] == '0') --n;  // %g drops trailing zeros
  char buf[48];
  char* w = buf;
  if (x < 0) *w++ = '-';
  if (e < -4 || e >= digits) {
    *w++ = d[0];
    if (n > 1) {
      *w++ = '.';
      for (int i = 1; i < n; ++i) *w++ = d[i];
    }
    *w++ = 'e';
    *w++ = e < 0 ? '-' : '+';
    const int ae = e < 0 ? -e : e;
    if (ae >= 100) *w++ = static_cast<char>('0' + ae / 100);
    *w++ = static_cast<char>('0' + (ae / 10) % 10);
    *w++ = static_cast<char>('0' + ae % 10);
  } else if (e >= 0) {
    const int int_digits = e + 1;
    for (int i = 0; i < int_digits; ++i) *w++ = i < n ? d[i] : '0';
    if (n > int_digits) {
      *w++ = '.';
      for (int i = int_digits; i < n; ++i) *w++ = d[i];
    }
  } else {
    *w++ = '0';
    *w++ = '.';
    for (int i = 0; i < -e - 1; ++i) *w++ = '0';
    for (int i = 0; i < n; ++i) *w++ = d[i];
  }
  out.append(buf, static_cast<std::size_t>(w - buf));
}

void append_uint(std::string& out, std::uint64_t x) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

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

void append_pvalue(std::string& out, const pvalue& p, int digits) {
  if (std::isnan(p.p)) {
    out += "NA";
    return;
  }
  if (p.p >= tiny || !(p.log10p < -300.0)) {
    append_general(out, p.p, digits);
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
  append_general(out, m, digits);
  out += 'e';
  out += '-';
  append_uint(out, static_cast<std::uint64_t>(-e));
}

void append_field(std::string& out, std::string_view field, char delimiter) {
  if (delimiter != ',' || field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
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
