// Charset detection and conversion to UTF-8 (see metasift/review/charset.hpp for the rules).
// UTF-16, Latin-1 and Windows-1252 are decoded here; GB18030 goes through glibc's iconv.

#include "metasift/review/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "metasift/core/check.hpp"
#include "metasift/core/text.hpp"

namespace metasift::review {
namespace {

constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

using metasift::text::append_utf8;

constexpr std::uint32_t replacement_char = 0xFFFD;

/// Windows-1252 characters of bytes 0x80-0x9F; the five undefined bytes keep their C1 code
/// point, as browsers decode them.
constexpr std::array<std::uint16_t, 32> cp1252_high = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                       0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

std::uint32_t cp1252_char(unsigned char b) noexcept {
  return (b >= 0x80 && b <= 0x9F) ? cp1252_high[static_cast<std::size_t>(b - 0x80)] : b;
}

/// Length of the valid UTF-8 sequence at s[p], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t p) noexcept {
  return metasift::text::utf8_sequence_length(s, p);
}

/// Skips ASCII eight bytes at a time; returns the position of the first byte >= 0x80 (or size).
std::size_t skip_ascii(std::string_view s, std::size_t p) noexcept {
  while (p + 8 <= s.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + p, 8);
    if ((w & 0x8080808080808080ULL) != 0) break;
    p += 8;
  }
  while (p < s.size() && static_cast<unsigned char>(s[p]) < 0x80) ++p;
  return p;
}

struct utf8_census {
  std::size_t valid_multibyte = 0;  ///< valid sequences of 2-4 bytes
  std::size_t invalid = 0;          ///< bytes that start no valid sequence
};

utf8_census count_utf8(std::string_view s) noexcept {
  utf8_census c;
  std::size_t p = 0;
  for (;;) {
    p = skip_ascii(s, p);
    if (p >= s.size()) break;
    const std::size_t n = utf8_sequence(s, p);
    if (n == 0) {
      ++c.invalid;
      ++p;
    } else {
      ++c.valid_multibyte;
      p += n;
    }
  }
  return c;
}

std::size_t line_of_offset(std::string_view s, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

/// Zero bytes at even and odd offsets in the first 4 KiB: ASCII text saved as UTF-16 has one
/// zero byte per character, on the odd side for LE and the even side for BE.
std::string_view utf16_without_bom(std::string_view s) noexcept {
  const std::size_t n = std::min<std::size_t>(s.size(), 4096) & ~std::size_t{1};
  if (n < 4) return {};
  std::size_t zero_even = 0;
  std::size_t zero_odd = 0;
  for (std::size_t i = 0; i < n; i += 2) {
    zero_even += s[i] == '\0' ? 1 : 0;
    zero_odd += s[i + 1] == '\0' ? 1 : 0;
  }
  const std::size_t units = n / 2;
  if (zero_odd * 10 >= units * 3 && zero_even * 20 < units) return "utf-16le";
  if (zero_even * 10 >= units * 3 && zero_odd * 20 < units) return "utf-16be";
  return {};
}

/// Every byte >= 0x80 pairs up as a GB18030 character (two-byte, or four-byte with digits), and
/// at least half of the two-byte characters lie in the GB2312 zone (both bytes >= 0xA1), where
/// all common hanzi are. Latin-1 text fails: its accented letters stand alone between ASCII.
bool plausible_gb18030(std::string_view s) noexcept {
  std::size_t pairs = 0;
  std::size_t zone = 0;
  std::size_t p = 0;
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (;;) {
    p = skip_ascii(s, p);
    if (p >= s.size()) break;
    const unsigned b1 = at(p);
    if (b1 < 0x81 || b1 > 0xFE || p + 1 >= s.size()) return false;
    const unsigned b2 = at(p + 1);
    if ((b2 >= 0x40 && b2 <= 0x7E) || (b2 >= 0x80 && b2 <= 0xFE)) {
      ++pairs;
      if (b1 >= 0xA1 && b2 >= 0xA1) ++zone;
      p += 2;
    } else if (b2 >= 0x30 && b2 <= 0x39 && p + 3 < s.size() && at(p + 2) >= 0x81 && at(p + 2) <= 0xFE &&
               at(p + 3) >= 0x30 && at(p + 3) <= 0x39) {
      p += 4;
    } else {
      return false;
    }
  }
  return pairs > 0 && zone * 2 >= pairs;
}

/// Japanese exports. Shift-JIS and EUC-JP byte pairs also pass for GB18030 or Windows-1252, so a
/// Japanese file is recognised by its structure (every high byte fits the encoding) plus kana:
/// hiragana and katakana fill ordinary Japanese prose (particles, inflections, loanwords) and are
/// all but absent from Chinese. At least 3 full-width kana, and a tenth of all characters.
bool plausible_shift_jis(std::string_view s) noexcept {
  std::size_t chars = 0, kana = 0, p = 0;
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (;;) {
    p = skip_ascii(s, p);
    if (p >= s.size()) break;
    const unsigned b1 = at(p);
    if (b1 >= 0xA1 && b1 <= 0xDF) {  // half-width katakana; not counted as kana (Latin-1 letters share the range)
      ++chars;
      ++p;
      continue;
    }
    if (!((b1 >= 0x81 && b1 <= 0x9F) || (b1 >= 0xE0 && b1 <= 0xFC)) || p + 1 >= s.size()) return false;
    const unsigned b2 = at(p + 1);
    if (!((b2 >= 0x40 && b2 <= 0x7E) || (b2 >= 0x80 && b2 <= 0xFC))) return false;
    ++chars;
    if ((b1 == 0x82 && b2 >= 0x9F && b2 <= 0xF1) || (b1 == 0x83 && b2 >= 0x40 && b2 <= 0x96)) ++kana;
    p += 2;
  }
  return kana >= 3 && kana * 10 >= chars;
}

bool plausible_euc_jp(std::string_view s) noexcept {
  std::size_t chars = 0, kana = 0, p = 0;
  const auto at = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  for (;;) {
    p = skip_ascii(s, p);
    if (p >= s.size()) break;
    const unsigned b1 = at(p);
    if (b1 == 0x8E) {  // SS2: half-width katakana
      if (p + 1 >= s.size() || at(p + 1) < 0xA1 || at(p + 1) > 0xDF) return false;
      ++chars;
      p += 2;
      continue;
    }
    if (b1 == 0x8F) {  // SS3: JIS X 0212
      if (p + 2 >= s.size() || at(p + 1) < 0xA1 || at(p + 2) < 0xA1 || at(p + 1) == 0xFF || at(p + 2) == 0xFF) {
        return false;
      }
      ++chars;
      p += 3;
      continue;
    }
    if (b1 < 0xA1 || b1 > 0xFE || p + 1 >= s.size() || at(p + 1) < 0xA1 || at(p + 1) > 0xFE) return false;
    ++chars;
    if (b1 == 0xA4 || b1 == 0xA5) ++kana;  // rows 4 and 5: hiragana, katakana
    p += 2;
  }
  return kana >= 3 && kana * 10 >= chars;
}

/// Converts with iconv. In strict mode returns false at the first invalid sequence; otherwise
/// replaces each invalid byte with U+FFFD and counts it.
bool iconv_to_utf8(const char* from, std::string_view in, bool strict, decoded_text& out) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::string& dst = out.storage;
  dst.clear();
  dst.reserve(in.size() + in.size() / 2 + 16);
  // iconv's interface takes non-const input pointers; it does not write through them.
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  std::array<char, 16384> buf{};
  bool ok = true;
  while (src_left > 0) {
    char* o = buf.data();
    std::size_t o_left = buf.size();
    const std::size_t r = iconv(cd, &src, &src_left, &o, &o_left);
    dst.append(buf.data(), buf.size() - o_left);
    if (r != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    if (strict) {
      ok = false;
      break;
    }
    // EILSEQ or EINVAL (truncated at the end): replace one byte and go on.
    if (out.replaced == 0) out.first_replaced_line = line_of_offset(dst, dst.size());
    ++out.replaced;
    append_utf8(dst, replacement_char);
    ++src;
    --src_left;
  }
  iconv_close(cd);
  out.owned = true;
  return ok;
}

void decode_utf16(std::string_view s, bool little_endian, decoded_text& out) {
  std::string& dst = out.storage;
  dst.clear();
  dst.reserve(s.size() / 2 + s.size() / 8 + 16);
  const auto unit = [&](std::size_t i) -> std::uint32_t {
    const auto a = static_cast<unsigned char>(s[i]);
    const auto b = static_cast<unsigned char>(s[i + 1]);
    return little_endian ? (static_cast<std::uint32_t>(b) << 8U) | a : (static_cast<std::uint32_t>(a) << 8U) | b;
  };
  const auto bad = [&]() {
    if (out.replaced == 0) out.first_replaced_line = line_of_offset(dst, dst.size());
    ++out.replaced;
    append_utf8(dst, replacement_char);
  };
  std::size_t i = 0;
  for (; i + 1 < s.size(); i += 2) {
    const std::uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 < s.size()) {
        const std::uint32_t v = unit(i + 2);
        if (v >= 0xDC00 && v <= 0xDFFF) {
          append_utf8(dst, 0x10000 + ((u - 0xD800) << 10U) + (v - 0xDC00));
          i += 2;
          continue;
        }
      }
      bad();
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      bad();
    } else {
      append_utf8(dst, u);
    }
  }
  if (i < s.size()) bad();  // an odd trailing byte
  out.owned = true;
}

/// Single-byte decoding: Latin-1, with bytes 0x80-0x9F read as Windows-1252.
void decode_single_byte(std::string_view s, decoded_text& out) {
  std::string& dst = out.storage;
  dst.clear();
  dst.reserve(s.size() + s.size() / 8 + 16);
  std::size_t p = 0;
  while (p < s.size()) {
    const std::size_t q = skip_ascii(s, p);
    dst.append(s.substr(p, q - p));
    if (q >= s.size()) break;
    append_utf8(dst, cp1252_char(static_cast<unsigned char>(s[q])));
    p = q + 1;
  }
  out.owned = true;
}

/// UTF-8 with stray single bytes (an export assembled from several sources): valid sequences are
/// kept, each invalid byte is read as Windows-1252 and counted.
void decode_mostly_utf8(std::string_view s, decoded_text& out) {
  std::string& dst = out.storage;
  dst.clear();
  dst.reserve(s.size() + 64);
  std::size_t p = 0;
  while (p < s.size()) {
    const std::size_t q = skip_ascii(s, p);
    dst.append(s.substr(p, q - p));
    if (q >= s.size()) break;
    const std::size_t n = utf8_sequence(s, q);
    if (n > 0) {
      dst.append(s.substr(q, n));
      p = q + n;
      continue;
    }
    if (out.replaced == 0) out.first_replaced_line = line_of_offset(s, q);
    ++out.replaced;
    append_utf8(dst, cp1252_char(static_cast<unsigned char>(s[q])));
    p = q + 1;
  }
  out.owned = true;
}

bool has_c1_bytes(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0x80 && b <= 0x9F;
  });
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
  std::size_t p = 0;
  for (;;) {
    p = skip_ascii(s, p);
    if (p >= s.size()) return true;
    const std::size_t n = utf8_sequence(s, p);
    if (n == 0) return false;
    p += n;
  }
}

namespace {

/// detect_charset, also telling whether the bytes are strictly valid UTF-8 (so that decode_text
/// need not validate them a second time).
std::string detect(std::string_view bytes, bool& valid_utf8) {
  valid_utf8 = false;
  if (bytes.starts_with(utf8_bom)) return "utf-8-bom";
  if (bytes.starts_with("\xFF\xFE")) return "utf-16le";
  if (bytes.starts_with("\xFE\xFF")) return "utf-16be";
  if (const std::string_view u16 = utf16_without_bom(bytes); !u16.empty()) return std::string(u16);
  const utf8_census c = count_utf8(bytes);
  if (c.invalid == 0) {
    valid_utf8 = true;
    return "utf-8";
  }
  // A few stray bytes in an otherwise UTF-8 file: still UTF-8 (decoded with a fallback).
  if (c.valid_multibyte >= 4 * c.invalid) return "utf-8";
  // Japanese before Chinese: EUC-JP is byte-for-byte valid GB18030 (and GB2312 has the kana rows).
  if (plausible_euc_jp(bytes)) {
    decoded_text probe;
    if (iconv_to_utf8("EUC-JP", bytes, true, probe)) return "euc-jp";
  }
  if (plausible_shift_jis(bytes)) {
    decoded_text probe;
    if (iconv_to_utf8("CP932", bytes, true, probe)) return "shift_jis";
  }
  if (plausible_gb18030(bytes)) {
    decoded_text probe;
    if (iconv_to_utf8("GB18030", bytes, true, probe)) return "gb18030";
  }
  return has_c1_bytes(bytes) ? "windows-1252" : "latin-1";
}

}  // namespace

std::string detect_charset(std::string_view bytes) {
  bool valid = false;
  return detect(bytes, valid);
}

decoded_text decode_text(std::string_view bytes, std::string_view charset) {
  decoded_text out;
  bool known_valid = false;
  std::string cs = charset.empty() ? detect(bytes, known_valid) : lower_ascii(charset);
  if (cs == "utf8") cs = "utf-8";
  if (cs == "utf-16" || cs == "utf16") cs = bytes.starts_with("\xFE\xFF") ? "utf-16be" : "utf-16le";
  if (cs == "iso-8859-1" || cs == "latin1" || cs == "iso8859-1") cs = "latin-1";
  if (cs == "cp1252") cs = "windows-1252";
  if (cs == "gbk" || cs == "gb2312" || cs == "cp936") cs = "gb18030";

  if (cs == "utf-8" || cs == "utf-8-bom") {
    std::string_view s = bytes;
    if (s.starts_with(utf8_bom)) {
      s.remove_prefix(utf8_bom.size());
      cs = "utf-8-bom";
    }
    out.charset = cs;
    if (known_valid || is_valid_utf8(s)) {
      out.view = s;
    } else {
      decode_mostly_utf8(s, out);
    }
    return out;
  }
  if (cs == "utf-16le" || cs == "utf-16be") {
    const bool le = cs == "utf-16le";
    std::string_view s = bytes;
    if ((le && s.starts_with("\xFF\xFE")) || (!le && s.starts_with("\xFE\xFF"))) s.remove_prefix(2);
    out.charset = cs;
    decode_utf16(s, le, out);
    return out;
  }
  if (cs == "latin-1" || cs == "windows-1252") {
    out.charset = cs;
    decode_single_byte(bytes, out);
    return out;
  }
  if (cs == "shift-jis" || cs == "sjis" || cs == "cp932" || cs == "windows-31j" || cs == "shift_jis") {
    out.charset = "shift_jis";
    // CP932 (Windows-31J) is the superset Japanese Windows software writes.
    if (!iconv_to_utf8("CP932", bytes, false, out)) {
      fail_usage("--charset", "Shift-JIS conversion is not available (glibc iconv without CP932)");
    }
    return out;
  }
  if (cs == "euc-jp" || cs == "eucjp") {
    out.charset = "euc-jp";
    if (!iconv_to_utf8("EUC-JP", bytes, false, out)) {
      fail_usage("--charset", "EUC-JP conversion is not available (glibc iconv without EUC-JP)");
    }
    return out;
  }
  if (cs == "gb18030") {
    out.charset = cs;
    if (!iconv_to_utf8("GB18030", bytes, false, out)) {
      fail_usage("--charset", "GB18030 conversion is not available (glibc iconv without GB18030)");
    }
    return out;
  }
  fail_usage("--charset",
             "unknown charset '" + std::string(charset) +
                 "' (expected utf-8, utf-16le, utf-16be, latin-1, windows-1252, gb18030, shift_jis or euc-jp)");
}

}  // namespace metasift::review
