// The HTML writer: escaping, base64 (RFC 4648 test vectors), and a document with no script and no
// external resource whatever text it is given.
#include "metasift/report/html.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace metasift::report;

TEST(Html, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("a < b && c > \"d\" 'e'"), "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  EXPECT_EQ(html_escape("Rêgo 中国"), "Rêgo 中国");  // UTF-8 passes unchanged
}

TEST(Html, Base64MatchesRfc4648TestVectors) {
  // RFC 4648, section 10.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

html_document hostile_document() {
  html_document d;
  d.title = "Review of <script>alert('t')</script>";
  html_section s;
  s.id = "x\" onload=\"evil";
  s.title = "<b>Section</b>";
  s.blocks.push_back(html_paragraph{"Text with <script>alert(1)</script> & more", "Label <i>"});
  html_table t;
  t.caption = "<img src=x onerror=alert(2)>";
  t.header = {"Study", "<th>"};
  t.rows = {{"<script>alert(3)</script>", "1.00"}};
  t.numeric = {false, true};
  s.blocks.push_back(t);
  html_figure f;
  f.id = "forest";
  f.alt = "\"><script>alert(4)</script>";
  f.svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
  f.caption = "Figure <1>";
  f.links = {{"PDF", "figures/forest.pdf\"><script>"}};
  s.blocks.push_back(f);
  s.blocks.push_back(html_list{{"<li>item</li>"}, false});
  s.blocks.push_back(html_pre{"</pre><script>alert(5)</script>"});
  d.sections.push_back(s);
  d.footer = "</footer><script>";
  return d;
}

TEST(Html, RecordTextIsShownAsTextNeverAsMarkup) {
  const std::string html = format_html(hostile_document());
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(3)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("Review of &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"), std::string::npos);
  // The id is reduced to safe characters, so it cannot close its attribute.
  EXPECT_NE(html.find("<section id=\"x--onload--evil\">"), std::string::npos);
}

TEST(Html, FiguresAreDataUrisAndNothingIsFetched) {
  const std::string html = format_html(hostile_document());
  // PHN2Zy = base64 of "<svg", the start of the embedded figure.
  EXPECT_NE(html.find("src=\"data:image/svg+xml;base64,PHN2Zy"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("@font-face"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'; img-src data:"), std::string::npos);
}

TEST(Html, IsDeterministic) {
  EXPECT_EQ(format_html(hostile_document()), format_html(hostile_document()));
}

}  // namespace
