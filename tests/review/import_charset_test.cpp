// Charset detection and conversion (metasift/review/charset.hpp), and format detection.

#include <gtest/gtest.h>

#include <string>

#include "metasift/core/error.hpp"
#include "metasift/review/charset.hpp"
#include "metasift/review/import.hpp"

namespace {

using metasift::review::decode_text;
using metasift::review::detect_charset;
using metasift::review::detect_format;

std::string utf16le(const std::string& ascii) {
  std::string out;
  for (const char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST(CharsetDetect, ByteOrderMarksAndPlainUtf8) {
  EXPECT_EQ(detect_charset("TY  - JOUR\n"), "utf-8");
  EXPECT_EQ(detect_charset("TI  - Caf\xC3\xA9\n"), "utf-8");
  EXPECT_EQ(detect_charset("\xEF\xBB\xBFTY  - JOUR\n"), "utf-8-bom");
  EXPECT_EQ(detect_charset(std::string("\xFF\xFE", 2) + utf16le("TY  - JOUR")), "utf-16le");
  EXPECT_EQ(detect_charset(std::string("\xFE\xFF\0T\0Y", 6)), "utf-16be");
}

TEST(CharsetDetect, Utf16WithoutBomFromZeroBytes) {
  EXPECT_EQ(detect_charset(utf16le("TY  - JOUR\r\nTI  - Title\r\n")), "utf-16le");
  std::string be;
  for (const char c : std::string("PMID- 123\n")) {
    be += '\0';
    be += c;
  }
  EXPECT_EQ(detect_charset(be), "utf-16be");
}

TEST(CharsetDetect, Latin1Windows1252AndGb18030) {
  // Accented letters standing alone between ASCII: Latin-1, even where a pair would be valid GBK
  // ("\xDF" + 'e' is a GBK byte pair outside the hanzi zone).
  EXPECT_EQ(detect_charset("TI  - Stra\xDF"
                           "e und Caf\xE9 in M\xFCnchen\n"),
            "latin-1");
  // Bytes 0x80-0x9F are Windows-1252 punctuation (curly quotes here).
  EXPECT_EQ(detect_charset("TI  - \x93Quoted\x94 title\n"), "windows-1252");
  // GBK: "\xD5\xC5\xC8\xFD" is U+5F20 U+4E09.
  EXPECT_EQ(detect_charset("author = {\xD5\xC5\xC8\xFD}\n"), "gb18030");
  // A four-byte GB18030 sequence (U+00E9 is 0x81 0x30 0x87 0x30) next to hanzi.
  EXPECT_EQ(detect_charset("x\xD5\xC5\x81\x30\x87\x30y"), "gb18030");
}

TEST(CharsetDetect, MostlyUtf8WithAStrayByteStaysUtf8) {
  const std::string bytes = "TI  - \xC3\xA9t\xC3\xA9 \xC3\xA0 Z\xC3\xBCrich, na\xC3\xAFve \xA9 2020\n";
  EXPECT_EQ(detect_charset(bytes), "utf-8");
  const auto d = decode_text(bytes);
  EXPECT_EQ(d.charset, "utf-8");
  EXPECT_EQ(d.replaced, 1U);
  EXPECT_EQ(d.first_replaced_line, 1U);
  EXPECT_EQ(std::string(d.text()), "TI  - \u00e9t\u00e9 \u00e0 Z\u00fcrich, na\u00efve \u00a9 2020\n");
}

TEST(CharsetDecode, ConvertsToUtf8AndStripsBom) {
  const std::string plain = "TI  - ok\n";
  const auto a = decode_text(plain);
  EXPECT_FALSE(a.owned);  // valid UTF-8 is not copied
  EXPECT_EQ(a.text().data(), plain.data());
  EXPECT_EQ(std::string(decode_text("\xEF\xBB\xBFx").text()), "x");
  EXPECT_EQ(std::string(decode_text("caf\xE9").text()), "caf\u00e9");
  EXPECT_EQ(std::string(decode_text("\x93q\x94 \x80").text()), "\u201cq\u201d \u20ac");
  EXPECT_EQ(std::string(decode_text("\xD5\xC5\xC8\xFD").text()), "\u5f20\u4e09");
  // UTF-16LE with a surrogate pair (U+1F600) and an unpaired surrogate.
  const std::string le =
      std::string("\xFF\xFE", 2) + std::string("A\0=\xD8\x00\xDE", 6) + std::string("\x00\xD8Z\0", 4);
  const auto d = decode_text(le);
  EXPECT_EQ(d.charset, "utf-16le");
  EXPECT_EQ(std::string(d.text()), "A\U0001F600\uFFFDZ");
  EXPECT_EQ(d.replaced, 1U);
}

TEST(CharsetDecode, ForcedCharset) {
  EXPECT_EQ(std::string(decode_text("caf\xE9", "ISO-8859-1").text()), "caf\u00e9");
  EXPECT_EQ(std::string(decode_text("\xD5\xC5", "gbk").text()), "\u5f20");
  EXPECT_EQ(decode_text("\xD5\xC5", "GBK").charset, "gb18030");
  EXPECT_THROW((void)decode_text("x", "ebcdic"), metasift::usage_error);
  // Forced UTF-8 on Latin-1 bytes: the stray byte is counted, not fatal.
  EXPECT_EQ(decode_text("caf\xE9", "utf-8").replaced, 1U);
}

TEST(ImportDetectFormat, SignaturesJunkAndHeaders) {
  EXPECT_EQ(detect_format("TY  - JOUR\nER  - \n"), "ris");
  EXPECT_EQ(detect_format("Record #1 of 2\nProvider: x\nContent: text/plain; charset=\"UTF-8\"\n\n1.\nTY  - JOUR\n"),
            "ris");
  EXPECT_EQ(detect_format("\n\nPMID- 1\nTI  - x\n"), "medline");
  EXPECT_EQ(detect_format("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n"), "wos");
  EXPECT_EQ(detect_format("PT J\nAU Li, W\nER\n"), "wos");
  EXPECT_EQ(detect_format("% comment\n\n  @Article{key,\n title={x}}\n"), "bibtex");
  EXPECT_EQ(detect_format("<?xml version=\"1.0\"?><xml><records><record></record></records></xml>"), "endnote-xml");
  EXPECT_EQ(detect_format("<?xml version=\"1.0\"?><PubmedArticleSet></PubmedArticleSet>"), "pubmed-xml");
  EXPECT_EQ(detect_format("<?xml version=\"1.0\"?><rss><channel></channel></rss>"), "");
  EXPECT_EQ(detect_format("PT\tAU\tTI\tSO\tUT\nJ\tLi, W\tT\tS\tWOS:1\n"), "wos-tab");
  EXPECT_EQ(detect_format("\"Authors\",\"Title\",\"Year\",\"Source title\",\"EID\"\n"), "scopus-csv");
  EXPECT_EQ(detect_format("title;abstract;doi\na;b;c\n"), "csv");
  EXPECT_EQ(detect_format("Custom 1\tAuthor\tTitle\tYear\n"), "csv");
  // RIS without a TY line, and MEDLINE without a PMID line.
  EXPECT_EQ(detect_format("TI  - x\nAU  - y\nER  - \n"), "ris");
  EXPECT_EQ(detect_format("OWN - ERIC\nTI  - x\nFAU - Doe, J\n"), "medline");
  EXPECT_EQ(detect_format("just prose\n"), "");
}

}  // namespace
