#include "metasift/io/csv_writer.hpp"

namespace metasift::io {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

/// A plain decimal number: optional sign, digits with at most one '.', an optional exponent.
bool is_plain_number(std::string_view s) noexcept {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

}  // namespace

bool csv_needs_neutralising(std::string_view text) noexcept {
  if (text.empty()) return false;
  switch (text.front()) {
    case '=':
    case '@':
    case '\t':
    case '\r': return true;
    case '+':
    case '-': return !is_plain_number(text);
    default: return false;
  }
}

void append_csv_text(std::string& out, std::string_view text, char delimiter) {
  const bool neutralise = csv_needs_neutralising(text);
  bool quote = false;
  for (const char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      quote = true;
      break;
    }
  }
  if (quote) out += '"';
  if (neutralise) out += '\'';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  if (quote) out += '"';
}

std::string csv_text(std::string_view text, char delimiter) {
  std::string out;
  append_csv_text(out, text, delimiter);
  return out;
}

}  // namespace metasift::io
