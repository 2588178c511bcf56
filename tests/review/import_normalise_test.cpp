// Field normalisers shared by the importers (src/review/import_internal.hpp).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../src/review/import_internal.hpp"

namespace {

namespace d = metasift::review::detail;
using metasift::review::record_type;

TEST(ImportNormalise, Doi) {
  EXPECT_EQ(d::normalise_doi("10.1016/J.SCITOTENV.2017.04.075"), "10.1016/j.scitotenv.2017.04.075");
  EXPECT_EQ(d::normalise_doi("https://doi.org/10.1002/cpp.2398"), "10.1002/cpp.2398");
  EXPECT_EQ(d::normalise_doi("http://dx.doi.org/10.1002/cpp.2398"), "10.1002/cpp.2398");
  EXPECT_EQ(d::normalise_doi("doi:10.1000/abc"), "10.1000/abc");
  EXPECT_EQ(d::normalise_doi("DOI: 10.1000/ABC."), "10.1000/abc");
  EXPECT_EQ(d::normalise_doi("10.1371/journal.pone.0209483 [doi]"), "10.1371/journal.pone.0209483");
  EXPECT_EQ(d::normalise_doi("https://doi.org/10.1002%2F%28SICI%291097-4636"), "10.1002/(sici)1097-4636");
  // SICI DOIs keep their ';' '<' '>' characters.
  EXPECT_EQ(d::normalise_doi("10.1002/(SICI)1097-4636(199812)43:4<455::AID-JBM13>3.0.CO;2-B"),
            "10.1002/(sici)1097-4636(199812)43:4<455::aid-jbm13>3.0.co;2-b");
  EXPECT_EQ(d::normalise_doi("DOI 1"), "");
  EXPECT_EQ(d::normalise_doi("10.1"), "");
  EXPECT_EQ(d::normalise_doi("NA"), "");
  EXPECT_EQ(d::doi_from_url(
                "https://www.scopus.com/inward/record.uri?eid=2-s2.0-1&doi=10.15598%2faeee.v16i3.2698&partnerID=40"),
            "10.15598/aeee.v16i3.2698");
  EXPECT_EQ(d::doi_from_url("https://onlinelibrary.wiley.com/doi/abs/10.1002/ebm2.1"), "10.1002/ebm2.1");
  EXPECT_EQ(d::doi_from_url("https://example.org/paper/10.1000/x"), "");
}

TEST(ImportNormalise, Year) {
  EXPECT_EQ(d::parse_year("1948/07//"), 1948);
  EXPECT_EQ(d::parse_year("2014//"), 2014);
  EXPECT_EQ(d::parse_year("2017 Nov 15"), 2017);
  EXPECT_EQ(d::parse_year("2020/11//Nov/Dec2020"), 2020);
  EXPECT_EQ(d::parse_year("Aug 1 2019"), 2019);
  EXPECT_EQ(d::parse_year("2023 Apr-Jun"), 2023);
  EXPECT_EQ(d::parse_year("10 15"), 0);
  EXPECT_EQ(d::parse_year("20190128"), 0);  // eight digits are a date stamp, not a year
  // ... unless labelled as a date: "PY  - Start date: 20170812".
  EXPECT_EQ(d::parse_year("Start date: 20170812"), 2017);
  EXPECT_EQ(d::parse_year("Start date: 20171345"), 0);  // month 13: not a date
  EXPECT_EQ(d::parse_year(""), 0);
}

TEST(ImportNormalise, Pages) {
  EXPECT_EQ(d::normalise_pages("123--130"), "123-130");
  EXPECT_EQ(d::normalise_pages("123 \u2013 130"), "123-130");
  EXPECT_EQ(d::normalise_pages("6913-7"), "6913-6917");
  EXPECT_EQ(d::normalise_pages("1032-8"), "1032-1038");
  EXPECT_EQ(d::normalise_pages("99-5"), "99-5");  // not an abbreviation: left as written
  EXPECT_EQ(d::normalise_pages("e0209483"), "e0209483");
  EXPECT_EQ(d::make_pages("379", "423"), "379-423");
  EXPECT_EQ(d::make_pages("1-5", ""), "1-5");
  EXPECT_EQ(d::make_pages("7", "7"), "7");
  EXPECT_EQ(d::make_pages("", "9"), "9");
}

TEST(ImportNormalise, Issn) {
  EXPECT_EQ(d::find_issn("03064530 (ISSN)"), "0306-4530");
  EXPECT_EQ(d::find_issn("1939-1676 0891-6640"), "1939-1676");
  EXPECT_EQ(d::find_issn("0000-002x"), "0000-002X");
  EXPECT_EQ(d::find_issn("978-0-12-345678-9"), "");
  EXPECT_EQ(d::find_issn("9780123456789"), "");
}

TEST(ImportNormalise, TypeNames) {
  EXPECT_EQ(d::type_from_name("JOUR"), record_type::journal_article);
  EXPECT_EQ(d::type_from_name("Journal Article"), record_type::journal_article);
  EXPECT_EQ(d::type_from_name("journalArticle"), record_type::journal_article);
  EXPECT_EQ(d::type_from_name("Review"), record_type::review);
  EXPECT_EQ(d::type_from_name("Meta-Analysis"), record_type::review);
  EXPECT_EQ(d::type_from_name("CPAPER"), record_type::conference_paper);
  EXPECT_EQ(d::type_from_name("Proceedings Paper"), record_type::conference_paper);
  EXPECT_EQ(d::type_from_name("Book Section"), record_type::chapter);
  EXPECT_EQ(d::type_from_name("phdthesis"), record_type::thesis);
  EXPECT_EQ(d::type_from_name("RPRT"), record_type::report);
  EXPECT_EQ(d::type_from_name("Preprint"), record_type::preprint);
  EXPECT_EQ(d::type_from_name("Editorial Material"), record_type::other);
  EXPECT_EQ(d::type_from_name("ICOMM"), record_type::other);
  EXPECT_FALSE(d::known_type_name("ICOMM"));
  EXPECT_EQ(metasift::review::parse_record_type("conference_paper"), record_type::conference_paper);
  EXPECT_EQ(metasift::review::parse_record_type("Journal-Article"), record_type::journal_article);
  EXPECT_FALSE(metasift::review::parse_record_type("article").has_value());
}

TEST(ImportNormalise, AuthorsAndKeywords) {
  EXPECT_EQ(d::clean_author("  Stillman, Andrew N. (andrew.stillman@uconn.edu) "), "Stillman, Andrew N.");
  EXPECT_EQ(d::clean_author("Cash,\n\tWC"), "Cash, WC");
  std::vector<std::string> a;
  d::add_authors_cell("Rotter, Carina; Whittaker, Danielle", a);
  d::add_authors_cell("Liu R., Adler D.G.", a);
  d::add_authors_cell("Sanchez del Pulgar, J.", a);
  d::add_authors_cell("['Marx, Karl', \"Lindgren, Astrid\"]", a);
  EXPECT_EQ(a, (std::vector<std::string>{"Rotter, Carina", "Whittaker, Danielle", "Liu R.", "Adler D.G.",
                                         "Sanchez del Pulgar, J.", "Marx, Karl", "Lindgren, Astrid"}));
  std::vector<std::string> k;
  d::add_keywords("a;  b ;", k);
  d::add_keywords("article, bronchogenic cyst (diagnosis, surgery), colonoscopy", k);
  d::add_keywords("*athlete", k);
  d::add_keywords("restoration, ecological", k, false);
  EXPECT_EQ(k, (std::vector<std::string>{"a", "b", "article", "bronchogenic cyst (diagnosis, surgery)", "colonoscopy",
                                         "athlete", "restoration, ecological"}));
}

TEST(ImportNormalise, LatexToUtf8) {
  EXPECT_EQ(d::latex_to_utf8("{\\\"u}ber M{\\\"{u}}ller \\\"o"), "\u00fcber M\u00fcller \u00f6");
  EXPECT_EQ(d::latex_to_utf8("Fran{\\c c}ois \\v{S}koda {\\'\\i} \\'{\\i} \\H{o} \\k{a} \\r{a} \\u{g} \\={a} \\.{z}"),
            "Fran\u00e7ois \u0160koda \u00ed \u00ed \u0151 \u0105 \u00e5 \u011f \u0101 \u017c");
  // A control word swallows the blanks after it, as in TeX.
  EXPECT_EQ(d::latex_to_utf8("\\ss{} \\o \\AA{} \\ae \\l{}\\'{}"), "\u00df \u00f8\u00c5 \u00e6\u0142");
  EXPECT_EQ(d::latex_to_utf8("A \\& B, 50\\%, \\$5, \\#1, a\\_b"), "A & B, 50%, $5, #1, a_b");
  EXPECT_EQ(d::latex_to_utf8("1990--2000 --- ``quoted'' ~x"), "1990\u20132000 \u2014 \u201cquoted\u201d x");
  EXPECT_EQ(d::latex_to_utf8("\\textit{Homo sapiens} and $\\alpha$-{\\textgreater}"), "Homo sapiens and \u03b1->");
  EXPECT_EQ(d::latex_to_utf8("{\\d{a}}"), "a\u0323");  // no precomposed form: combining mark
  EXPECT_EQ(d::latex_to_utf8("  {Multi}\n\t line  "), "Multi line");
}

}  // namespace
