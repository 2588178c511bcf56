// The shared text toolkit (see text.hpp).

#include "metasift/core/text.hpp"

namespace metasift::text {
namespace {

bool in(unsigned char b, unsigned lo, unsigned hi) noexcept {
  return b >= lo && b <= hi;
}

}  // namespace

utf8_char decode_utf8(std::string_view s, std::size_t pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return {b0, 1, true};
  // Table 3-7 of Unicode 15: the range of the second byte depends on the first; the others are
  // 80..BF. A lead byte outside C2..F4 starts no sequence.
  std::size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;
  char32_t cp = 0;
  if (in(b0, 0xC2, 0xDF)) {
    n = 2;
    cp = b0 & 0x1FU;
  } else if (in(b0, 0xE0, 0xEF)) {
    n = 3;
    cp = b0 & 0x0FU;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong 3-byte forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (in(b0, 0xF0, 0xF4)) {
    n = 4;
    cp = b0 & 0x07U;
    if (b0 == 0xF0) lo = 0x90;  // no overlong 4-byte forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {};
  }
  for (std::size_t i = 1; i < n; ++i) {
    if (pos + i >= s.size() || !in(byte(i), i == 1 ? lo : 0x80, i == 1 ? hi : 0xBF)) {
      return {replacement_character, i, false};  // the maximal subpart ends before byte i
    }
    cp = (cp << 6U) | (byte(i) & 0x3FU);
  }
  return {cp, n, true};
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept {
  const utf8_char c = decode_utf8(s, pos);
  return c.valid ? c.size : 0;
}

bool is_valid_utf8(std::string_view s) noexcept {
  for (std::size_t p = 0; p < s.size();) {
    if (static_cast<unsigned char>(s[p]) < 0x80) {
      ++p;
      continue;
    }
    const utf8_char c = decode_utf8(s, p);
    if (!c.valid) return false;
    p += c.size;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t p = 0; p < s.size(); ++n) p += decode_utf8(s, p).size;
  return n;
}

void append_utf8(std::string& out, char32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = replacement_character;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0U | (cp >> 6U));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0U | (cp >> 12U));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18U));
    out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_left(std::string_view s) noexcept {
  std::size_t b = 0;
  while (b < s.size() && is_ascii_space(s[b])) ++b;
  return s.substr(b);
}

std::string_view trim_right(std::string_view s) noexcept {
  std::size_t e = s.size();
  while (e > 0 && is_ascii_space(s[e - 1])) --e;
  return s.substr(0, e);
}

std::string_view trim(std::string_view s) noexcept {
  return trim_right(trim_left(s));
}

void append_csv_quoted(std::string& out, std::string_view field, char delimiter) {
  const char special[] = {delimiter, '"', '\r', '\n'};
  if (field.find_first_of(std::string_view(special, sizeof special)) == std::string_view::npos) {
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

std::string csv_quoted(std::string_view field, char delimiter) {
  std::string out;
  append_csv_quoted(out, field, delimiter);
  return out;
}

void append_xml_escaped(std::string& out, std::string_view s) {
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
}

std::string xml_escaped(std::string_view s) {
  std::string out;
  append_xml_escaped(out, s);
  return out;
}

void append_html_escaped(std::string& out, std::string_view s) {
  for (const char c : s) {
    if (c == '\'') {
      out += "&#39;";
    } else {
      append_xml_escaped(out, std::string_view(&c, 1));
    }
  }
}

std::string html_escaped(std::string_view s) {
  std::string out;
  append_html_escaped(out, s);
  return out;
}

}  // namespace metasift::text
