// EndNote/Refer tagged, RefWorks tagged and PubMed XML: the project's own samples (written from
// each format's documentation, tests/review/fixtures/) with their fields checked exactly, real
// exports from ../shared/fixtures/more-exports/ (skipped visibly when absent) with exact record
// counts, hostile inputs made here, and the NoteExpress refusal.
//
// Real-export counts come from SOURCES.md in that folder, where each count was made by two
// methods that share no code with metasift (Python standard library): lines starting "%0 " /
// "%W CNKI" for EndNote tagged, lines starting "RT " / blank-line blocks for RefWorks, PubmedArticle
// children of the root / a regex over start tags for PubMed XML.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/import.hpp"

namespace {

namespace fs = std::filesystem;
using metasift::review::detect_format;
using metasift::review::import_bytes;
using metasift::review::import_file;
using metasift::review::import_result;
using metasift::review::record_type;

std::string fixture(const std::string& name) {
  return std::string(METASIFT_REVIEW_FIXTURES) + "/" + name;
}

const fs::path more_exports = fs::path(METASIFT_SHARED_DIR) / "fixtures" / "more-exports";

// ---------------------------------------------------------------------------------------------
// EndNote / Refer tagged

TEST(ReferImport, SampleWithContinuationsRepeatedAbstractCnkiMarkersAndBadYear) {
  const std::string f = fixture("refer.enw");
  const import_result res = import_file(f);
  EXPECT_EQ(res.format, "refer");
  ASSERT_EQ(res.records.size(), 3U);
  const auto& a = res.records[0];
  EXPECT_EQ(a.source_line, 1U);
  EXPECT_EQ(a.type, record_type::journal_article);
  EXPECT_EQ(a.title, "Enzymes in cancer: a review");
  EXPECT_EQ(a.authors, (std::vector<std::string>{"Schwartz, Morton K", "van der Graaf, Anna"}));
  EXPECT_EQ(a.journal, "Clinical chemistry");
  EXPECT_EQ(a.year, 1973);
  EXPECT_EQ(a.volume, "19");
  EXPECT_EQ(a.issue, "1");
  EXPECT_EQ(a.pages, "10-22");
  EXPECT_EQ(a.issn, "0009-9147");
  EXPECT_EQ(a.doi, "10.1093/clinchem/19.1.10");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"enzymes", "neoplasms"}));
  // The untagged line continues the first %X; the second %X is appended.
  EXPECT_EQ(a.abstract,
            "Enzyme assays in serum have been used for the diagnosis of cancer. A second abstract paragraph.");
  const auto& b = res.records[1];
  EXPECT_EQ(b.source_line, 19U);
  EXPECT_EQ(b.type, record_type::book);
  EXPECT_EQ(b.title, "Git: dezentrale Versionsverwaltung im Team");
  EXPECT_EQ(b.year, 2016);
  EXPECT_EQ(b.url, "http://d-nb.info/107601965X");
  EXPECT_EQ(b.issn, "");  // an ISBN is not an ISSN
  const auto& c = res.records[2];
  EXPECT_EQ(c.source_line, 29U);
  EXPECT_EQ(c.type, record_type::thesis);
  EXPECT_EQ(c.authors, (std::vector<std::string>{"王伟"}));
  EXPECT_EQ(c.year, 0);
  EXPECT_EQ(c.keywords, (std::vector<std::string>{"情感分析", "深度学习"}));
  // "(#br)" is a line break; the blank line and indented paragraph stay in the abstract.
  EXPECT_EQ(c.abstract, "第一段 第二段 缩进的段落");
  EXPECT_EQ(c.database, "CNKI");  // "%W CNKI" after a blank line still belongs to the record
  EXPECT_EQ(res.warnings, std::vector<std::string>{f + ":32: cannot read a year from '%D n.d.'"});
}

TEST(ReferImport, ReferWithoutTypeLinesSplitsAtBlankLinesAndNeverMergesTwoTitles) {
  // Plain Refer (no %0): blank lines separate records.
  const import_result plain = import_bytes("%T First\n%A Smith, J\n\n%T Second\n%A Doe, J\n", "plain.refer");
  EXPECT_EQ(plain.format, "refer");
  ASSERT_EQ(plain.records.size(), 2U);
  EXPECT_EQ(plain.records[1].title, "Second");
  EXPECT_EQ(plain.records[1].source_line, 4U);
  // A typed record followed by an untyped one: the second title starts a record, with a warning.
  const import_result mixed = import_bytes("%0 Journal Article\n%T First\n\n%T Second\n%D 2001\n", "mixed.enw");
  ASSERT_EQ(mixed.records.size(), 2U);
  EXPECT_EQ(mixed.records[0].title, "First");
  EXPECT_EQ(mixed.records[1].title, "Second");
  EXPECT_EQ(mixed.records[1].year, 2001);
  ASSERT_EQ(mixed.warnings.size(), 1U);
  EXPECT_EQ(mixed.warnings[0], "mixed.enw:4: record starts without a '%0' line (a second '%T' after a blank line)");
}

TEST(ReferImport, MalformedRecordsAreReportedWithTheirLineAndKept) {
  // Generated hostile input: 200 records, every 7th without a title and with a bad DOI.
  std::string text = "junk before\n";
  for (int i = 0; i < 200; ++i) {
    text += "%0 Journal Article\n";
    if (i % 7 != 0) text += "%T Title " + std::to_string(i) + "\n";
    if (i % 7 == 0) text += "%R not a doi\n";
    text += "%D 20" + std::to_string(10 + i % 10) + "\n\n";
  }
  const import_result res = import_bytes(text, "gen.enw");
  ASSERT_EQ(res.records.size(), 200U);
  std::size_t no_title = 0, bad_doi = 0;
  for (const auto& w : res.warnings) {
    if (w.find("has no title") != std::string::npos) ++no_title;
    if (w.find("not a DOI") != std::string::npos) ++bad_doi;
  }
  EXPECT_EQ(no_title, 29U);  // i = 0, 7, ..., 196
  EXPECT_EQ(bad_doi, 29U);
  EXPECT_EQ(res.warnings.front(), "gen.enw:1: 1 line before the first tag line ignored");
  // Every record is 4 lines (type, title or DOI, date, blank) after the junk line: record i = 7
  // starts on line 2 + 7 * 4 = 30 and its %R line is 31.
  EXPECT_NE(std::find(res.warnings.begin(), res.warnings.end(), "gen.enw:31: not a DOI: 'not a doi'"),
            res.warnings.end());
}

TEST(ReferImport, RealExportsHaveExactCounts) {
  struct file {
    const char* path;
    std::size_t count;
  };
  const file files[] = {
      {"cnki-converter/demo.txt", 40}, {"ref_parsers/example.enw", 1}, {"jabref/Endnote.book.example.enw", 1}};
  for (const auto& fl : files) {
    const fs::path p = more_exports / fl.path;
    if (!fs::exists(p)) GTEST_SKIP() << "shared export " << p << " absent (../shared/fixtures/more-exports)";
    const import_result res = import_file(p);
    EXPECT_EQ(res.format, "refer") << fl.path;
    EXPECT_EQ(res.records.size(), fl.count) << fl.path;
    for (const auto& r : res.records) EXPECT_FALSE(r.title.empty()) << fl.path << ":" << r.source_line;
  }
  const import_result cnki = import_file(more_exports / "cnki-converter/demo.txt");
  std::size_t theses = 0, cnki_db = 0, no_year = 0;
  for (const auto& r : cnki.records) {
    theses += r.type == record_type::thesis ? 1U : 0U;
    cnki_db += r.database == "CNKI" ? 1U : 0U;
    no_year += r.year == 0 ? 1U : 0U;
  }
  EXPECT_EQ(theses, 12U);  // SOURCES.md: 28 journal articles + 12 theses
  EXPECT_EQ(cnki_db, 40U);
  EXPECT_EQ(no_year, 2U);  // SOURCES.md: 2 records lack %D
  const import_result book = import_file(more_exports / "jabref/Endnote.book.example.enw");
  EXPECT_EQ(book.records[0].type, record_type::book);
  EXPECT_EQ(book.records[0].authors, (std::vector<std::string>{"Preißel, René", "Stachmann, Bjørn"}));
  EXPECT_EQ(book.records[0].year, 2016);
}

// ---------------------------------------------------------------------------------------------
// RefWorks tagged

TEST(RefWorksImport, SampleWithNoBreakSpaceLowercaseTagRepeatedAbstractAndUntaggedNote) {
  const std::string f = fixture("refworks.txt");
  const import_result res = import_file(f);
  EXPECT_EQ(res.format, "refworks");
  ASSERT_EQ(res.records.size(), 4U);
  EXPECT_EQ(res.records[0].title, "Orphan title written before any RT line");
  EXPECT_EQ(res.records[0].source_line, 1U);
  const auto& a = res.records[1];
  EXPECT_EQ(a.source_line, 3U);
  EXPECT_EQ(a.type, record_type::journal_article);
  EXPECT_EQ(a.authors, (std::vector<std::string>{"张三", "李四", "王五"}));
  EXPECT_EQ(a.title, "黄土高原土壤侵蚀研究");
  EXPECT_EQ(a.journal, "水土保持学报");
  EXPECT_EQ(a.year, 2021);
  EXPECT_EQ(a.volume, "");
  EXPECT_EQ(a.issue, "3");
  EXPECT_EQ(a.pages, "1-13");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"土壤侵蚀", "黄土高原", "CiteSpace"}));
  EXPECT_EQ(a.abstract, "第一部分摘要。 第二部分摘要。");
  EXPECT_EQ(a.issn, "1009-2242");
  EXPECT_EQ(a.database, "CNKI");
  EXPECT_EQ(a.doi, "10.13870/j.cnki.stbcxb.2021.03.001");
  const auto& b = res.records[2];
  EXPECT_EQ(b.type, record_type::conference_paper);
  EXPECT_EQ(b.authors, (std::vector<std::string>{"Smith, John", "Doe, Jane"}));
  EXPECT_EQ(b.pages, "101-110");
  EXPECT_EQ(b.journal, "Proceedings of the Example Conference");
  EXPECT_EQ(b.doi, "");
  const auto& c = res.records[3];
  EXPECT_EQ(c.title, "海上事故文献计量分析");
  EXPECT_EQ(c.journal, "中国安全生产科学技术");  // the first JF
  EXPECT_EQ(c.authors, (std::vector<std::string>{"江玉杰", "万征", "JIANG Yujie", "WAN Zheng"}));
  EXPECT_EQ(c.database, "万方数据");  // the funding line after DS is not appended to it
  EXPECT_EQ(c.pages, "44-50");
  EXPECT_EQ(res.warnings, (std::vector<std::string>{f + ":1: record starts without an 'RT' line",
                                                    f + ":29: not a DOI: 'not-a-doi'"}));
}

TEST(RefWorksImport, RealExportsHaveExactCounts) {
  const char* const files[] = {"learn-python/refworks知网.txt", "learn-python/refworks万方.txt",
                               "learn-python/refworks维普.txt"};
  for (const char* name : files) {
    const fs::path p = more_exports / name;
    if (!fs::exists(p)) GTEST_SKIP() << "shared export " << p << " absent (../shared/fixtures/more-exports)";
    const import_result res = import_file(p);
    EXPECT_EQ(res.format, "refworks") << name;
    EXPECT_EQ(res.records.size(), 500U) << name;  // SOURCES.md
    std::size_t titled = 0, authored = 0;
    for (const auto& r : res.records) {
      titled += r.title.empty() ? 0U : 1U;
      authored += r.authors.empty() ? 0U : 1U;
    }
    EXPECT_EQ(titled, 500U) << name;
    EXPECT_GT(authored, 450U) << name;
  }
  const import_result cnki = import_file(more_exports / "learn-python/refworks知网.txt");
  std::size_t conf = 0;
  for (const auto& r : cnki.records) conf += r.type == record_type::conference_paper ? 1U : 0U;
  EXPECT_EQ(conf, 9U);  // SOURCES.md: 9 Conference Proceeding
}

// ---------------------------------------------------------------------------------------------
// PubMed XML

TEST(PubmedXmlImport, SampleWithStructuredAbstractBookAndDeleteCitation) {
  const std::string f = fixture("pubmed.xml");
  const import_result res = import_file(f);
  EXPECT_EQ(res.format, "pubmed-xml");
  ASSERT_EQ(res.records.size(), 3U);  // DeleteCitation and ReferenceList PMIDs are not records
  const auto& a = res.records[0];
  EXPECT_EQ(a.source_line, 4U);
  EXPECT_EQ(a.pmid, "30000001");
  EXPECT_EQ(a.database, "PubMed");
  EXPECT_EQ(a.type, record_type::review);
  EXPECT_EQ(a.title, "Structure of the \u03b1-synuclein fibril & its core.");
  EXPECT_EQ(a.authors, (std::vector<std::string>{"van der Graaf, Anna M", "Li, X", "PROTECT Study Group"}));
  EXPECT_EQ(a.year, 2018);
  EXPECT_EQ(a.journal, "Nature");
  EXPECT_EQ(a.volume, "560");
  EXPECT_EQ(a.issue, "7717");
  EXPECT_EQ(a.pages, "E1-E5");
  EXPECT_EQ(a.doi, "10.1038/s41586-018-0001-1");
  EXPECT_EQ(a.issn, "1476-4687");
  EXPECT_EQ(a.abstract, "BACKGROUND: Background text. RESULTS: Results text.");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"fibrils", "synuclein"}));
  EXPECT_EQ(a.language, "eng");
  const auto& b = res.records[1];
  EXPECT_EQ(b.year, 1998);  // MedlineDate "1998 Dec-1999 Jan"
  EXPECT_EQ(b.pages, "123-130");
  EXPECT_EQ(b.doi, "10.1056/nejm199812");  // from PubmedData's ArticleIdList
  EXPECT_EQ(b.authors, (std::vector<std::string>{"Müller, Hans"}));
  const auto& c = res.records[2];
  EXPECT_EQ(c.type, record_type::chapter);
  EXPECT_EQ(c.title, "Cystic Fibrosis");
  EXPECT_EQ(c.journal, "GeneReviews");
  EXPECT_EQ(c.pmid, "20301295");
  EXPECT_EQ(c.year, 1993);
  EXPECT_TRUE(res.warnings.empty());
}

TEST(PubmedXmlImport, ExternalEntitiesAndDtdAreNeverLoaded) {
  const std::string text =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
      "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>A &x; B"
      "</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n";
  const import_result res = import_bytes(text, "xxe.xml");
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_EQ(res.records[0].title, "A B");
  EXPECT_EQ(res.records[0].title.find("root"), std::string::npos);
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_NE(res.warnings[0].find("xxe.xml:3:"), std::string::npos) << res.warnings[0];
}

TEST(PubmedXmlImport, UnclosedArticleIsKeptWithAWarningAndBrokenSyntaxIsLocated) {
  const import_result res = import_bytes(
      "<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>One</ArticleTitle>"
      "</Article></MedlineCitation>\n<PubmedArticle><MedlineCitation><PMID>2</PMID><Article><ArticleTitle>Two"
      "</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n</PubmedArticleSet>\n",
      "unclosed.xml");
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_EQ(res.records[0].title, "One");
  EXPECT_EQ(res.records[1].title, "Two");
  ASSERT_FALSE(res.warnings.empty());
  EXPECT_EQ(res.warnings[0], "unclosed.xml:2: <PubmedArticle> is not closed before the next <PubmedArticle> (line 3)");
  try {
    (void)import_bytes("<PubmedArticleSet>\n<PubmedArticle><!-- unclosed comment\n", "bad.xml");
    ADD_FAILURE() << "an unclosed comment hides records: it must be an error";
  } catch (const metasift::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.xml:"), std::string::npos) << e.what();
  }
}

TEST(PubmedXmlImport, RealExportsHaveExactCounts) {
  struct file {
    const char* path;
    std::size_t count;
  };
  const file files[] = {{"ncbiutils/pubmed.xml", 5},
                        {"ncbiutils/pubmed22n1313.xml", 4},
                        {"biopython/pubmed1.xml", 2},
                        {"biopython/pubmed7.xml", 1}};
  for (const auto& fl : files) {
    const fs::path p = more_exports / fl.path;
    if (!fs::exists(p)) GTEST_SKIP() << "shared export " << p << " absent (../shared/fixtures/more-exports)";
    const import_result res = import_file(p);
    EXPECT_EQ(res.format, "pubmed-xml") << fl.path;
    EXPECT_EQ(res.records.size(), fl.count) << fl.path;
    for (const auto& r : res.records) {
      EXPECT_FALSE(r.title.empty()) << fl.path;
      EXPECT_FALSE(r.pmid.empty()) << fl.path;
      EXPECT_NE(r.year, 0) << fl.path;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sniffing and refusals

TEST(TaggedFormats, SniffedFromContent) {
  EXPECT_EQ(detect_format("%0 Journal Article\n%T X\n"), "refer");
  EXPECT_EQ(detect_format("\n\nRT Journal Article\nT1 X\n"), "refworks");
  EXPECT_EQ(detect_format("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n</PubmedArticleSet>\n"), "pubmed-xml");
  EXPECT_EQ(detect_format("<?xml version=\"1.0\"?>\n<xml><records><record></record></records></xml>\n"), "endnote-xml");
  EXPECT_EQ(detect_format("TY  - JOUR\nTI  - X\nER  - \n"), "ris");
}

TEST(TaggedFormats, NoteExpressIsRefusedByName) {
  const std::string ne =
      "{Reference Type}: Journal Article\n{Title}: 黄土高原土壤侵蚀研究\n{Author}: 张三;李四;\n{Year}: 2021\n";
  try {
    (void)import_bytes(ne, "cnki.net");
    ADD_FAILURE() << "NoteExpress must be refused";
  } catch (const metasift::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("looks like a NoteExpress file; export as RefWorks or EndNote instead"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
