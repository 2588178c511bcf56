// Jaro and Jaro-Winkler similarity (Winkler 1990), byte-wise on normalised text.
#include <algorithm>
#include <array>
#include <vector>

#include "metasift/review/dedup.hpp"

namespace metasift::review {

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const std::size_t la = a.size(), lb = b.size();
  const std::size_t longest = std::max(la, lb);
  const std::size_t window = longest / 2 > 0 ? longest / 2 - 1 : 0;

  // Match flags: on the stack for the usual lengths, on the heap beyond.
  constexpr std::size_t stack_limit = 512;
  std::array<unsigned char, stack_limit> fa_buf{}, fb_buf{};
  std::vector<unsigned char> fa_heap, fb_heap;
  unsigned char* fa = fa_buf.data();
  unsigned char* fb = fb_buf.data();
  if (la > stack_limit || lb > stack_limit) {
    fa_heap.assign(la, 0);
    fb_heap.assign(lb, 0);
    fa = fa_heap.data();
    fb = fb_heap.data();
  }

  std::size_t m = 0;
  for (std::size_t i = 0; i < la; ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, lb);
    const char c = a[i];
    for (std::size_t j = lo; j < hi; ++j) {
      if (fb[j] == 0 && b[j] == c) {
        fa[i] = 1;
        fb[j] = 1;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  std::size_t half_transpositions = 0, k = 0;
  for (std::size_t i = 0; i < la; ++i) {
    if (fa[i] == 0) continue;
    while (fb[k] == 0) ++k;
    if (a[i] != b[k]) ++half_transpositions;
    ++k;
  }
  const double md = static_cast<double>(m);
  const double t = static_cast<double>(half_transpositions) / 2.0;
  return (md / static_cast<double>(la) + md / static_cast<double>(lb) + (md - t) / md) / 3.0;
}

double jaro_winkler(std::string_view a, std::string_view b, double p) {
  const double j = jaro(a, b);
  std::size_t l = 0;
  const std::size_t max_l = std::min<std::size_t>({4, a.size(), b.size()});
  while (l < max_l && a[l] == b[l]) ++l;
  return j + static_cast<double>(l) * p * (1.0 - j);
}

}  // namespace metasift::review
