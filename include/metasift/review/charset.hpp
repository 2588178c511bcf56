#pragma once
// Character sets of database exports. Every importer works on UTF-8; this header detects what a
// file was saved in (from its bytes, never from a declaration) and converts it.
//
// Detection order: a byte-order mark (UTF-8, UTF-16 LE/BE); UTF-16 without a BOM by the zero
// bytes of ASCII text; strict UTF-8; mostly-UTF-8 with a few stray single-byte characters; then
// EUC-JP, then Shift-JIS (read as CP932), when every high byte fits the encoding and at least a
// tenth of the characters are kana; GB18030 (a superset of GBK and GB2312) when every high byte
// pairs up as a GB18030 character and most pairs fall in the GB2312 hanzi zone; else Latin-1
// (Windows-1252 when bytes 0x80-0x9F occur).

#include <cstddef>
#include <string>
#include <string_view>

namespace metasift::review {

/// Text converted to UTF-8, plus what was detected. When the input already is UTF-8 the text is a
/// view of the input (no copy), so the input must outlive this object.
struct decoded_text {
  /// "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "latin-1", "windows-1252", "gb18030", "shift_jis",
  /// "euc-jp".
  std::string charset;
  /// Bytes that were not valid in the detected charset and were replaced: in a mostly-UTF-8 file
  /// they are read as Windows-1252 characters, elsewhere they become U+FFFD.
  std::size_t replaced = 0;
  /// 1-based line of the first replaced byte (0 when none).
  std::size_t first_replaced_line = 0;

  /// The UTF-8 text, without a byte-order mark.
  [[nodiscard]] std::string_view text() const noexcept { return owned ? std::string_view(storage) : view; }

  std::string_view view;  ///< the text when it is a view of the input
  std::string storage;    ///< the text when it had to be converted
  bool owned = false;
};

/// Detects the character set of `bytes` (see the header comment for the rules).
[[nodiscard]] std::string detect_charset(std::string_view bytes);

/// Converts `bytes` to UTF-8. `charset` forces a charset (any name above, or "gbk"/"gb2312",
/// "iso-8859-1", "cp1252", "utf-16", "sjis"/"cp932", "eucjp"); empty = detect. Throws usage_error for an unknown name.
/// Never throws on content: undecodable bytes are replaced and counted.
[[nodiscard]] decoded_text decode_text(std::string_view bytes, std::string_view charset = {});

/// True when `s` is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace metasift::review
