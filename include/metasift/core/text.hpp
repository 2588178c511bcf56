#pragma once
// The small text toolkit every module shares: UTF-8 validation and decoding, ASCII case folding,
// trimming, CSV quoting and XML/HTML escaping. Locale-independent (a German or Turkish locale must
// not change what "I" folds to) and allocation-free where the result is a view.
//
// UTF-8 follows RFC 3629 and Unicode 15 section 3.9 (table 3-7, well-formed byte sequences):
// overlong forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF are invalid. An
// invalid sequence decodes to U+FFFD and is replaced per "maximal subpart" (Unicode 15 section 3.9,
// "U+FFFD Substitution of Maximal Subparts"; the WHATWG Encoding Standard's UTF-8 decoder), so
// every decoder in metasift replaces the same bytes with the same number of U+FFFD as a browser.

#include <cstddef>
#include <string>
#include <string_view>

namespace metasift::text {

inline constexpr char32_t replacement_character = 0xFFFD;

/// One decoded code point: `cp` is U+FFFD and `valid` false for an invalid sequence, whose
/// `size` (1 to 3 bytes) is its maximal subpart.
struct utf8_char {
  char32_t cp = replacement_character;
  std::size_t size = 1;
  bool valid = false;
};

/// Decodes the code point starting at s[pos] (pos < s.size()).
[[nodiscard]] utf8_char decode_utf8(std::string_view s, std::size_t pos) noexcept;

/// Length of the well-formed sequence starting at s[pos] (1 to 4), or 0 when it is invalid.
[[nodiscard]] std::size_t utf8_sequence_length(std::string_view s, std::size_t pos) noexcept;

/// True when all of s is well-formed UTF-8.
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

/// Number of code points, counting each replaced invalid subpart as one.
[[nodiscard]] std::size_t utf8_length(std::string_view s) noexcept;

/// Appends cp encoded as UTF-8; a surrogate or a value above U+10FFFF appends U+FFFD.
void append_utf8(std::string& out, char32_t cp);

/// Visits every code point of s in order: f(utf8_char, byte offset).
template <class F>
void for_each_utf8(std::string_view s, F&& f) {
  for (std::size_t p = 0; p < s.size();) {
    const utf8_char c = decode_utf8(s, p);
    f(c, p);
    p += c.size;
  }
}

/// ASCII case folding: only 'A'..'Z' change, every other byte (UTF-8 included) is kept.
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
[[nodiscard]] constexpr char ascii_upper(char c) noexcept {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
[[nodiscard]] std::string ascii_lower(std::string_view s);
[[nodiscard]] std::string ascii_upper(std::string_view s);

/// a == b ignoring ASCII case.
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

/// True for the ASCII whitespace of C's isspace in the "C" locale: space, \t, \n, \v, \f, \r.
[[nodiscard]] constexpr bool is_ascii_space(char c) noexcept {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/// s without leading and trailing ASCII whitespace.
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;
[[nodiscard]] std::string_view trim_left(std::string_view s) noexcept;
[[nodiscard]] std::string_view trim_right(std::string_view s) noexcept;

/// Appends a CSV/TSV field as RFC 4180 writes it: in double quotes, with quotes doubled, when it
/// holds the delimiter, a quote, CR or LF; as it is otherwise. (Text from records also needs the
/// spreadsheet-formula neutralisation of io::append_csv_text.)
void append_csv_quoted(std::string& out, std::string_view field, char delimiter = ',');
[[nodiscard]] std::string csv_quoted(std::string_view field, char delimiter = ',');

/// Appends s escaped for XML text and double-quoted attributes (XML 1.0 section 2.4): & < > "
/// become &amp; &lt; &gt; &quot;.
void append_xml_escaped(std::string& out, std::string_view s);
[[nodiscard]] std::string xml_escaped(std::string_view s);

/// As append_xml_escaped, and ' becomes &#39;, so that the text is safe in any HTML attribute
/// (HTML Living Standard 13.1.2.3, single-quoted attribute values).
void append_html_escaped(std::string& out, std::string_view s);
[[nodiscard]] std::string html_escaped(std::string_view s);

}  // namespace metasift::text
