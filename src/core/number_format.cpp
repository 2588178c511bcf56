// The one number formatter (see number_format.hpp).

#include "metasift/core/number_format.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace metasift {
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

std::string_view missing_text(number_target t) noexcept {
  switch (t) {
    case number_target::text: return "NA";
    case number_target::csv: return "";
    case number_target::json: return "null";
    case number_target::whitespace_table: return "NA";
  }
  return "NA";
}

void append_shortest(std::string& out, double x, number_target t) {
  if (!std::isfinite(x)) {
    out += missing_text(t);
    return;
  }
  // fmt's shortest round-trip digits (Dragonbox), laid out as %g lays them out: fixed notation
  // for exponents -5 < e < 16 ("0.0001", "123456"), scientific beyond ("1e-05", "1e+16").
  char buf[40];
  const auto* end = fmt::format_to(buf, "{}", x);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

std::string format_shortest(double x, number_target t) {
  std::string out;
  append_shortest(out, x, t);
  return out;
}

std::string format_fixed(double x, int decimals, number_target t) {
  if (!std::isfinite(x)) return std::string(missing_text(t));
  decimals = decimals < 0 ? 0 : (decimals > 30 ? 30 : decimals);
  char buf[96];
  std::snprintf(buf, sizeof buf, std::fabs(x) >= 1e15 ? "%.*e" : "%.*f", decimals, x);
  return buf;
}

void append_general(std::string& out, double x, int digits, number_target t) {
  if (!std::isfinite(x)) {
    out += missing_text(t);
    return;
  }
  const double a = std::abs(x);
  if (x == 0 || digits < 1 || digits > 15 || a < 1e-290 || a > 1e290) {
    char buf[400];
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, digits < 1 ? 1 : digits);
    out.append(buf, r.ptr);
    return;
  }
  // %.<digits>g by hand (this runs once per number of a GWAS-scale table): decimal exponent e,
  // then the mantissa as a `digits`-digit integer. The scaling costs at most one rounding, so a
  // value within ~1e-16 (relative) of a rounding tie may round the other way than printf's exact
  // arithmetic; every other value prints as %g does.
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

std::string format_general(double x, int digits, number_target t) {
  std::string out;
  append_general(out, x, digits, t);
  return out;
}

void append_uint(std::string& out, std::uint64_t x) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, r.ptr);
}

}  // namespace metasift
