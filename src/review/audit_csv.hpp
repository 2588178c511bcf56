#pragma once
// CSV writing helpers shared by the decisions CSV (dedup) and the audit CSV (screen): RFC 4180
// quoting, "\n" line ends, fixed number formatting. Internal to the review module.

#include <cstdio>
#include <string>
#include <string_view>

namespace metasift::review::detail {

/// Appends one field, quoted (quotes doubled) when it holds a comma, quote, CR or LF.
inline void csv_field(std::string& out, std::string_view v) {
  const bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(v);
    return;
  }
  out += '"';
  for (const char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

/// Appends a row of fields and a newline.
template <class... Fields>
void csv_row(std::string& out, const Fields&... fields) {
  bool first = true;
  ((out += first ? "" : ",", csv_field(out, std::string_view(fields)), first = false), ...);
  out += '\n';
}

/// Fixed-point with `decimals` places ("0.9731").
inline std::string fixed(double x, int decimals = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

}  // namespace metasift::review::detail
