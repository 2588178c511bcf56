// Excel .xlsx import: workbooks written here with libzip from strings (xlsx_writer.hpp), in the
// layouts of the Scopus CSV export (columns as Scopus documents them: "Authors", "Author full
// names", "Title", "Year", "Source title", ..., "EID") and of Web of Science's Excel export (its
// full column names: "Publication Type", "Authors", "Author Full Names", "Article Title", ...,
// "UT (Unique WOS ID)"). No public sample of either could be found, so the same cells are also
// written as the CSV or tab-delimited text export and both routes must give the same records.

#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/import.hpp"
#include "xlsx_writer.hpp"

namespace {

using metasift::input_error;
using metasift::review::import_bytes;
using metasift::review::import_options;
using metasift::review::import_result;
using metasift::review::record;
using metasift::review::record_type;
using metasift::test::make_xlsx;
using metasift::test::make_zip;
using metasift::test::sheet_xml;
using metasift::test::strings_xml;
using metasift::test::workbook_parts;
using metasift::test::xlsx_options;
using table = std::vector<std::vector<std::string>>;

std::string csv_text(const table& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += ',';
      std::string q = "\"";
      for (const char ch : row[c]) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      out += q + "\"";
    }
    out += "\n";
  }
  return out;
}

std::string tab_text(const table& rows) {
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) out += (c > 0 ? "\t" : "") + row[c];
    out += "\n";
  }
  return out;
}

/// Every field a parser fills must agree (the source file and format naturally differ).
void expect_same_records(const std::vector<record>& a, const std::vector<record>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i + 1));
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].source_line, b[i].source_line);
    EXPECT_EQ(a[i].source_id, b[i].source_id);
    EXPECT_EQ(a[i].database, b[i].database);
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].title, b[i].title);
    EXPECT_EQ(a[i].authors, b[i].authors);
    EXPECT_EQ(a[i].year, b[i].year);
    EXPECT_EQ(a[i].journal, b[i].journal);
    EXPECT_EQ(a[i].volume, b[i].volume);
    EXPECT_EQ(a[i].issue, b[i].issue);
    EXPECT_EQ(a[i].pages, b[i].pages);
    EXPECT_EQ(a[i].doi, b[i].doi);
    EXPECT_EQ(a[i].pmid, b[i].pmid);
    EXPECT_EQ(a[i].issn, b[i].issn);
    EXPECT_EQ(a[i].abstract, b[i].abstract);
    EXPECT_EQ(a[i].keywords, b[i].keywords);
    EXPECT_EQ(a[i].language, b[i].language);
    EXPECT_EQ(a[i].url, b[i].url);
  }
}

std::string error_of(const std::string& bytes, const std::string& label, const import_options& opt = {}) {
  try {
    (void)import_bytes(bytes, label, opt);
  } catch (const input_error& e) {
    return e.what();
  }
  return "(no error)";
}

// ---------------------------------------------------------------------------------------------
// Scopus

const table scopus_rows = {
    {"Authors",
     "Author full names",
     "Author(s) ID",
     "Title",
     "Year",
     "Source title",
     "Volume",
     "Issue",
     "Art. No.",
     "Page start",
     "Page end",
     "Cited by",
     "DOI",
     "Link",
     "Abstract",
     "Author Keywords",
     "Index Keywords",
     "ISSN",
     "PubMed ID",
     "Language of Original Document",
     "Document Type",
     "Publication Stage",
     "Open Access",
     "Source",
     "EID"},
    {"Unnikrishnan M.A.; Adler D.G.",
     "Unnikrishnan, Mohan A. (57197735070); Adler, Douglas G. (7202167470)",
     "57197735070; 7202167470",
     "Endoscopic ultrasound-guided drainage: a review, with \"quoted\" words",
     "2019",
     "Endoscopic Ultrasound",
     "8",
     "3",
     "",
     "152",
     "160",
     "12",
     "10.4103/eus.eus_1_19",
     "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85067000001&partnerID=40&md5=ab12",
     "Background: drainage; results, and more.",
     "EUS; drainage",
     "human; review",
     "23039027",
     "31234567",
     "English",
     "Review",
     "Final",
     "All Open Access; Gold Open Access",
     "Scopus",
     "2-s2.0-85067000001"},
    {"[No author name available]",
     "",
     "",
     "Erratum: Effects of alpha-blockers on ureteral stones",
     "2021",
     "Journal of Urology",
     "205",
     "",
     "e1234",
     "",
     "",
     "",
     "",
     "",
     "",
     "",
     "",
     "00225347",
     "",
     "English",
     "Erratum",
     "Final",
     "",
     "Scopus",
     "2-s2.0-85100000002"},
    {"Wang W.",
     "王, 伟 (57200000001)",
     "57200000001",
     "中文标题：一项随机对照试验",
     "2020",
     "中华医学杂志",
     "100",
     "12",
     "",
     "901",
     "905",
     "",
     "10.3760/cma.j.issn.0376-2491.2020.12.003",
     "",
     "First paragraph.\nSecond paragraph.",
     "",
     "",
     "0376-2491",
     "",
     "Chinese",
     "Article",
     "Final",
     "",
     "Scopus",
     "2-s2.0-85090000003"},
};

TEST(XlsxImport, ScopusSheetGivesTheRecordsOfTheScopusCsv) {
  xlsx_options opt;
  opt.number_columns = {"Year", "Volume", "Page start", "Page end", "Cited by", "PubMed ID"};
  const import_result x = import_bytes(make_xlsx(scopus_rows, opt), "scopus.xlsx");
  const import_result c = import_bytes(csv_text(scopus_rows), "scopus.csv");
  EXPECT_EQ(x.format, "xlsx");
  EXPECT_EQ(c.format, "scopus-csv");
  EXPECT_EQ(x.warnings, std::vector<std::string>{});
  ASSERT_EQ(x.records.size(), 3U);
  expect_same_records(x.records, c.records);

  const record& a = x.records[0];
  EXPECT_EQ(a.source_format, "xlsx");
  EXPECT_EQ(a.source_line, 2U);
  EXPECT_EQ(a.title, "Endoscopic ultrasound-guided drainage: a review, with \"quoted\" words");
  EXPECT_EQ(a.authors, (std::vector<std::string>{"Unnikrishnan, Mohan A.", "Adler, Douglas G."}));
  EXPECT_EQ(a.year, 2019);
  EXPECT_EQ(a.journal, "Endoscopic Ultrasound");
  EXPECT_EQ(a.volume, "8");
  EXPECT_EQ(a.pages, "152-160");
  EXPECT_EQ(a.doi, "10.4103/eus.eus_1_19");
  EXPECT_EQ(a.issn, "2303-9027");
  EXPECT_EQ(a.pmid, "31234567");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"EUS", "drainage", "human", "review"}));
  EXPECT_EQ(a.type, record_type::review);
  EXPECT_EQ(a.source_id, "2-s2.0-85067000001");
  EXPECT_EQ(a.database, "Scopus");
  const record& b = x.records[1];
  EXPECT_EQ(b.authors, std::vector<std::string>{});
  EXPECT_EQ(b.year, 2021);
  EXPECT_EQ(b.doi, "");
  EXPECT_EQ(b.issn, "0022-5347");
  const record& w = x.records[2];
  EXPECT_EQ(w.source_line, 4U);
  EXPECT_EQ(w.authors, std::vector<std::string>{"王, 伟"});
  EXPECT_EQ(w.title, "中文标题：一项随机对照试验");
  EXPECT_EQ(w.pages, "901-905");
  EXPECT_EQ(w.abstract, "First paragraph. Second paragraph.");
  EXPECT_EQ(w.type, record_type::journal_article);
}

TEST(XlsxImport, InlineStringsGiveTheSameRecordsAsSharedStrings) {
  xlsx_options inline_opt;
  inline_opt.shared_strings = false;
  const import_result s = import_bytes(make_xlsx(scopus_rows), "shared.xlsx");
  const import_result i = import_bytes(make_xlsx(scopus_rows, inline_opt), "inline.xlsx");
  ASSERT_EQ(s.records.size(), 3U);
  expect_same_records(s.records, i.records);
  EXPECT_EQ(i.records[0].year, 2019);  // the year as text
  EXPECT_EQ(i.warnings, std::vector<std::string>{});
}

// ---------------------------------------------------------------------------------------------
// Web of Science

// The Excel export's column names (a selection, in the export's order) and the tab-delimited
// export's tags for the same fields.
const std::vector<std::string> wos_names = {"Publication Type",
                                            "Authors",
                                            "Author Full Names",
                                            "Article Title",
                                            "Source Title",
                                            "Language",
                                            "Document Type",
                                            "Conference Title",
                                            "Author Keywords",
                                            "Keywords Plus",
                                            "Abstract",
                                            "Addresses",
                                            "Times Cited, WoS Core",
                                            "ISSN",
                                            "eISSN",
                                            "Publication Date",
                                            "Publication Year",
                                            "Volume",
                                            "Issue",
                                            "Start Page",
                                            "End Page",
                                            "Article Number",
                                            "DOI",
                                            "Early Access Date",
                                            "Pubmed Id",
                                            "UT (Unique WOS ID)"};
const std::vector<std::string> wos_tags = {"PT", "AU", "AF", "TI", "SO", "LA", "DT", "CT", "DE",
                                           "ID", "AB", "C1", "TC", "SN", "EI", "PD", "PY", "VL",
                                           "IS", "BP", "EP", "AR", "DI", "EA", "PM", "UT"};
const table wos_records = {
    {"J",
     "Smith, J; Doe, J",
     "Smith, John; Doe, Jane",
     "Three-year outcomes of early mobilisation after stroke",
     "LANCET",
     "English",
     "Article",
     "",
     "stroke; rehabilitation",
     "RISK; RECOVERY",
     "Background: we followed...",
     "[Smith, John] Univ Oxford, Oxford, England; [Doe, Jane] Univ Leeds, Leeds, England",
     "7",
     "0140-6736",
     "1474-547X",
     "MAR 15",
     "2020",
     "395",
     "10227",
     "880",
     "891",
     "",
     "10.1016/S0140-6736(20)30001-2",
     "",
     "32000001",
     "WOS:000519820000030"},
    {"J",
     "Wang, W",
     "",
     "Statins and delirium: a systematic review",
     "BMJ OPEN",
     "English",
     "Review; Early Access",
     "",
     "",
     "",
     "",
     "",
     "0",
     "",
     "2044-6055",
     "",
     "",
     "",
     "",
     "",
     "",
     "e0245",
     "10.1136/bmjopen-2020-000002",
     "JAN 2021",
     "",
     "MEDLINE:33000002"},
    {"C",
     "Garcia, M; Lopez, A",
     "Garcia, Maria; Lopez, Ana",
     "Deep learning for screening abstracts",
     "PROCEEDINGS OF THE 2019 IEEE CONFERENCE",
     "Spanish",
     "Proceedings Paper",
     "IEEE Conference on Screening",
     "",
     "",
     "",
     "",
     "",
     "",
     "",
     "",
     "2019",
     "",
     "",
     "11",
     "19",
     "",
     "",
     "",
     "",
     "WOS:000500000000003"},
};

table with_header(const std::vector<std::string>& header, const table& rows) {
  table t{header};
  t.insert(t.end(), rows.begin(), rows.end());
  return t;
}

TEST(XlsxImport, WebOfScienceExcelExportGivesTheRecordsOfTheTabDelimitedExport) {
  xlsx_options opt;
  opt.sheet_name = "savedrecs";
  opt.number_columns = {
      "Times Cited, WoS Core", "Publication Year", "Volume", "Issue", "Start Page", "End Page", "Pubmed Id"};
  const import_result x = import_bytes(make_xlsx(with_header(wos_names, wos_records), opt), "savedrecs.xlsx");
  const import_result t = import_bytes(tab_text(with_header(wos_tags, wos_records)), "savedrecs.txt");
  EXPECT_EQ(t.format, "wos-tab");
  EXPECT_EQ(x.format, "xlsx");
  EXPECT_EQ(x.warnings, std::vector<std::string>{});
  ASSERT_EQ(x.records.size(), 3U);
  expect_same_records(x.records, t.records);

  const record& a = x.records[0];
  EXPECT_EQ(a.type, record_type::journal_article);
  EXPECT_EQ(a.authors, (std::vector<std::string>{"Smith, John", "Doe, Jane"}));
  EXPECT_EQ(a.title, "Three-year outcomes of early mobilisation after stroke");
  EXPECT_EQ(a.journal, "LANCET");
  EXPECT_EQ(a.year, 2020);
  EXPECT_EQ(a.volume, "395");
  EXPECT_EQ(a.issue, "10227");
  EXPECT_EQ(a.pages, "880-891");
  EXPECT_EQ(a.doi, "10.1016/s0140-6736(20)30001-2");
  EXPECT_EQ(a.issn, "0140-6736");
  EXPECT_EQ(a.pmid, "32000001");
  EXPECT_EQ(a.keywords, (std::vector<std::string>{"stroke", "rehabilitation", "RISK", "RECOVERY"}));
  EXPECT_EQ(a.source_id, "WOS:000519820000030");
  EXPECT_EQ(a.database, "Web of Science");
  const record& b = x.records[1];
  EXPECT_EQ(b.authors, std::vector<std::string>{"Wang, W"});  // no full names: the short ones
  EXPECT_EQ(b.type, record_type::review);
  EXPECT_EQ(b.year, 2021);  // from the early-access date
  EXPECT_EQ(b.issn, "2044-6055");
  EXPECT_EQ(b.database, "MEDLINE");
  const record& c = x.records[2];
  EXPECT_EQ(c.type, record_type::conference_paper);
  EXPECT_EQ(c.pages, "11-19");
  EXPECT_EQ(c.language, "Spanish");
}

TEST(XlsxImport, WebOfScienceSheetWithTagHeadersIsReadByTheSameMapping) {
  const import_result x = import_bytes(make_xlsx(with_header(wos_tags, wos_records)), "tags.xlsx");
  const import_result t = import_bytes(tab_text(with_header(wos_tags, wos_records)), "tags.txt");
  ASSERT_EQ(x.records.size(), 3U);
  expect_same_records(x.records, t.records);
}

// ---------------------------------------------------------------------------------------------
// Cells

TEST(XlsxImport, RichTextRunsPhoneticRunsAndEscapesAreText) {
  const std::string strings = strings_xml({
      "<t>Title</t>",
      "<t>Authors</t>",
      "<t>Abstract</t>",
      // Excel splits a title with formatting into runs; the phonetic run is furigana, not text.
      "<r><rPr><b/></rPr><t xml:space=\"preserve\">Effects of </t></r><r><rPr><i/></rPr><t>α</t></r>"
      "<r><t>-blockers</t></r><rPh sb=\"0\" eb=\"1\"><t>アルファ</t></rPh>",
      "<t>Smith, J; Doe, J</t>",
      // _x000D_ is a carriage return, _x0026_ an ampersand (ST_Xstring escapes).
      "<t>Line one_x000D_\nline two _x0026_ three</t>",
  });
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" "
      "t=\"s\"><v>2</v></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\" t=\"s\"><v>4</v></c><c r=\"C2\" "
      "t=\"s\"><v>5</v></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><r><t>Inline </t></r><r><rPr><b/></rPr><t>runs</t></r></is></c>"
      "<c r=\"B3\" t=\"inlineStr\"><is><t>Lee, K</t></is></c></row>";
  const import_result r = import_bytes(make_zip(workbook_parts(sheet_xml(rows), strings)), "rich.xlsx");
  ASSERT_EQ(r.records.size(), 2U);
  EXPECT_EQ(r.records[0].title, "Effects of α-blockers");
  EXPECT_EQ(r.records[0].authors, (std::vector<std::string>{"Smith, J", "Doe, J"}));
  EXPECT_EQ(r.records[0].abstract, "Line one line two & three");
  EXPECT_EQ(r.records[1].title, "Inline runs");
  EXPECT_EQ(r.records[1].authors, std::vector<std::string>{"Lee, K"});
  EXPECT_EQ(r.warnings, std::vector<std::string>{});
}

TEST(XlsxImport, EmptyCellsMissingCellsAndBlankRowsLoseNoRecord) {
  // Row 3 is blank (only an empty string cell), row 4 does not exist, row 6 has no DOI cell and
  // its cells carry no references (they follow one another from column A).
  const std::string strings = strings_xml({"<t>Title</t>", "<t>Year</t>", "<t>DOI</t>", "<t>First</t>",
                                           "<t>10.1000/a</t>", "<t></t>", "<t>Second</t>", "<t>Third</t>"});
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" "
      "t=\"s\"><v>2</v></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"C2\" t=\"s\"><v>4</v></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>5</v></c></row>"
      "<row r=\"5\"><c r=\"B5\"><v>2001</v></c></row>"
      "<row r=\"6\"><c t=\"s\"><v>6</v></c><c><v>2002</v></c></row>"
      "<row r=\"7\"><c r=\"A7\" t=\"s\"><v>7</v></c><c r=\"B7\"/><c r=\"C7\" t=\"s\"></c></row>";
  const import_result r = import_bytes(make_zip(workbook_parts(sheet_xml(rows), strings)), "gaps.xlsx");
  ASSERT_EQ(r.records.size(), 4U);
  EXPECT_EQ(r.records[0].title, "First");
  EXPECT_EQ(r.records[0].year, 0);
  EXPECT_EQ(r.records[0].doi, "10.1000/a");
  EXPECT_EQ(r.records[1].source_line, 5U);
  EXPECT_EQ(r.records[1].title, "");
  EXPECT_EQ(r.records[1].year, 2001);
  EXPECT_EQ(r.records[2].source_line, 6U);
  EXPECT_EQ(r.records[2].title, "Second");
  EXPECT_EQ(r.records[2].year, 2002);
  EXPECT_EQ(r.records[3].title, "Third");
  EXPECT_EQ(r.warnings, std::vector<std::string>{"gaps.xlsx: Sheet1 row 5: record 2 has no title"});
}

TEST(XlsxImport, NumbersAndDatesReadAsTheyShow) {
  // Styles (xlsx_writer.hpp): s=1 the built-in date format 14, s=2 a custom yyyy-mm-dd, s=3 "0.0".
  // Excel's DATE(2020,1,1) is 43831 in the 1900 system (and 42369 in the 1904 system, 1462 less).
  const std::string strings = strings_xml({"<t>Title</t>", "<t>Publication Date</t>", "<t>Year</t>", "<t>Volume</t>",
                                           "<t>PMID</t>", "<t>Pages</t>", "<t>2016</t>"});
  const auto row = [](int n, const std::string& title, const std::string& cells) {
    const std::string r = std::to_string(n);
    return "<row r=\"" + r + "\"><c r=\"A" + r + "\" t=\"inlineStr\"><is><t>" + title + "</t></is></c>" + cells +
           "</row>";
  };
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
      "<c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c><c r=\"F1\" t=\"s\"><v>5</v></c></row>" +
      row(2, "Date cell", "<c r=\"B2\" s=\"1\"><v>43831</v></c>") +
      row(3, "Year in scientific notation", "<c r=\"C3\"><v>2.019E3</v></c><c r=\"D3\" s=\"3\"><v>15</v></c>") +
      row(4, "ISO date cell", "<c r=\"B4\" t=\"d\"><v>2018-05-01T00:00:00</v></c>") +
      row(5, "Formula result", "<c r=\"C5\" t=\"str\"><f>TEXT(2017,\"0\")</f><v>2017</v></c>") +
      row(6, "Year as text, numbers",
          "<c r=\"C6\" t=\"s\"><v>6</v></c><c r=\"D6\"><v>1.2E1</v></c><c r=\"E6\"><v>31234567</v></c>"
          "<c r=\"F6\" t=\"inlineStr\"><is><t>e0123</t></is></c>") +
      row(7, "Custom date style", "<c r=\"B7\" s=\"2\"><v>36526.75</v></c>");
  const import_result r = import_bytes(make_zip(workbook_parts(sheet_xml(rows), strings)), "numbers.xlsx");
  ASSERT_EQ(r.records.size(), 6U);
  EXPECT_EQ(r.records[0].year, 2020);
  EXPECT_EQ(r.records[1].year, 2019);
  EXPECT_EQ(r.records[1].volume, "15");
  EXPECT_EQ(r.records[2].year, 2018);
  EXPECT_EQ(r.records[3].year, 2017);
  EXPECT_EQ(r.records[4].year, 2016);
  EXPECT_EQ(r.records[4].volume, "12");
  EXPECT_EQ(r.records[4].pmid, "31234567");
  EXPECT_EQ(r.records[4].pages, "e0123");
  EXPECT_EQ(r.records[5].year, 2000);  // 36526 is 2000-01-01
  EXPECT_EQ(r.warnings, std::vector<std::string>{});

  // The same date in a 1904-system workbook (Excel for Mac before 2011).
  const std::string rows1904 = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>" +
                               row(2, "Mac date", "<c r=\"B2\" s=\"1\"><v>42369</v></c>");
  const import_result m = import_bytes(
      make_zip(workbook_parts(sheet_xml(rows1904), strings, "Sheet1", "<workbookPr date1904=\"1\"/>")), "mac.xlsx");
  ASSERT_EQ(m.records.size(), 1U);
  EXPECT_EQ(m.records[0].year, 2020);
}

TEST(XlsxImport, MalformedCellsAreReportedWithTheirReferenceAndTheRecordIsKept) {
  const std::string strings = strings_xml({"<t>Title</t>", "<t>Year</t>", "<t>DOI</t>", "<t>Fine</t>"});
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" "
      "t=\"s\"><v>2</v></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\"><v>2001</v></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"s\"><v>99</v></c><c r=\"B3\"><v>2002</v></c></row>"
      "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>Bad year</t></is></c><c r=\"B4\"><v>20x9</v></c></row>"
      "<row r=\"5\"><c r=\"A5\" t=\"inlineStr\"><is><t>Error cell</t></is></c><c r=\"C5\" t=\"e\"><v>#N/A</v></c>"
      "</row>"
      "<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>Bad reference</t></is></c><c r=\"B9\"><v>2003</v></c></row>"
      "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>Beyond the header</t></is></c><c r=\"E7\" "
      "t=\"inlineStr\"><is><t>stray</t></is></c></row>";
  const import_result r = import_bytes(make_zip(workbook_parts(sheet_xml(rows), strings, "export")), "bad.xlsx");
  ASSERT_EQ(r.records.size(), 6U);
  EXPECT_EQ(r.records[1].title, "");
  EXPECT_EQ(r.records[1].year, 2002);
  EXPECT_EQ(r.records[2].title, "Bad year");
  EXPECT_EQ(r.records[3].doi, "");
  EXPECT_EQ(r.records[4].year, 2003);  // the cell after A6 is read as B6
  EXPECT_EQ(r.records[5].title, "Beyond the header");
  EXPECT_EQ(r.warnings, (std::vector<std::string>{
                            "bad.xlsx: export!A3: shared string 99 does not exist (the workbook has 4); read as empty",
                            "bad.xlsx: export row 3: record 2 has no title",
                            "bad.xlsx: export!B4: number cell holds '20x9', which is not a number; read as written",
                            "bad.xlsx: export row 4: cannot read a year from '20x9'",
                            "bad.xlsx: export!C5: cell holds the error value #N/A; read as empty",
                            "bad.xlsx: export!B6: cell reference 'B9' is not valid; read as B6",
                            "bad.xlsx: export!E7: value in a column without a header is ignored",
                        }));
}

// ---------------------------------------------------------------------------------------------
// Archives and sniffing

TEST(XlsxImport, ContentSniffingTakesAWorkbookAndRefusesOtherZipsByName) {
  const std::string x = make_xlsx(scopus_rows);
  EXPECT_EQ(import_bytes(x, "no-extension").format, "xlsx");
  import_options forced;
  forced.format = "xlsx";
  EXPECT_EQ(import_bytes(x, "a.bin", forced).records.size(), 3U);

  const std::string docx = make_zip(
      {{"[Content_Types].xml",
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override "
        "PartName=\"/word/document.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
       {"word/document.xml", "<w:document xmlns:w=\"urn:x\"/>"}});
  EXPECT_EQ(error_of(docx, "refs.docx"), "refs.docx: this is a Word document (.docx), not a bibliographic export");
  const std::string ods = make_zip({{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
                                    {"content.xml", "<office:document-content xmlns:office=\"urn:x\"/>"}},
                                   true);
  EXPECT_NE(error_of(ods, "refs.ods").find("OpenDocument file"), std::string::npos) << error_of(ods, "refs.ods");
  const std::string zipped_csv = make_zip({{"scopus.csv", csv_text(scopus_rows)}});
  EXPECT_EQ(error_of(zipped_csv, "scopus.zip"),
            "scopus.zip: this is a ZIP archive but not an Excel workbook (no workbook part); unpack it and import "
            "the export inside");

  import_options ris;
  ris.format = "ris";
  EXPECT_EQ(error_of(x, "a.xlsx", ris), "a.xlsx: this is a ZIP archive (an .xlsx workbook?), not a ris export");
  EXPECT_EQ(error_of(csv_text(scopus_rows), "a.csv", forced), "a.csv: this is not an .xlsx workbook (a ZIP archive)");
  const std::string ole2 = std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, '\0');
  EXPECT_NE(error_of(ole2, "savedrecs.xls").find("Excel 97-2003 .xls workbook"), std::string::npos);
}

TEST(XlsxImport, MissingSheetOrWorkbookPartsAreNamed) {
  auto parts = workbook_parts(sheet_xml(""), strings_xml({}));
  parts.erase("xl/worksheets/sheet1.xml");
  EXPECT_EQ(error_of(make_zip(parts), "e.xlsx"),
            "e.xlsx: the sheet 'Sheet1' (xl/worksheets/sheet1.xml) is missing from the archive");

  auto no_sheets = workbook_parts(sheet_xml(""), strings_xml({}));
  no_sheets["xl/workbook.xml"] =
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
      "<sheets/></workbook>";
  EXPECT_EQ(error_of(make_zip(no_sheets), "e.xlsx"), "e.xlsx: the workbook has no sheet");

  auto dangling = workbook_parts(sheet_xml(""), strings_xml({}));
  dangling["xl/workbook.xml"] =
      "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Data\" "
      "sheetId=\"1\" r:id=\"rId9\"/></sheets></workbook>";
  EXPECT_EQ(error_of(make_zip(dangling), "e.xlsx"),
            "e.xlsx: the workbook's sheet 'Data' has no part (relationship 'rId9' is not in "
            "xl/_rels/workbook.xml.rels)");

  // An empty sheet is no error, but it is said.
  const import_result empty = import_bytes(make_zip(workbook_parts(sheet_xml(""), strings_xml({}))), "e.xlsx");
  EXPECT_EQ(empty.records.size(), 0U);
  EXPECT_EQ(empty.warnings.front(), "e.xlsx: Sheet1: the sheet is empty");
}

TEST(XlsxImport, MalformedXmlIsALocatedErrorNotLostRecords) {
  const std::string strings = strings_xml({"<t>Title</t>", "<t>A</t>"});
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>\n"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row>\n<row r=\"3\"><c r=\"A3\">";
  const std::string e = error_of(make_zip(workbook_parts(sheet_xml(rows), strings)), "cut.xlsx");
  EXPECT_EQ(e.rfind("cut.xlsx: xl/worksheets/sheet1.xml:", 0), 0U) << e;
  EXPECT_NE(e.find("malformed XML"), std::string::npos) << e;
}

TEST(XlsxImport, DamagedArchivesAreInputErrorsNeverCrashes) {
  const std::string good = make_xlsx(scopus_rows);
  const std::vector<record> expected = import_bytes(good, "d.xlsx").records;
  EXPECT_EQ(error_of(good.substr(0, good.size() / 2), "half.xlsx").rfind("half.xlsx: not a readable ZIP archive", 0),
            0U);
  // Every byte flipped in turn (in steps): either the damage is caught as an input error, or it
  // hit a byte nothing depends on (a time stamp) and the records are unchanged.
  std::size_t caught = 0;
  for (std::size_t p = 4; p < good.size(); p += 7) {
    std::string bad = good;
    bad[p] = static_cast<char>(bad[p] ^ 0x55);
    try {
      const import_result r = import_bytes(bad, "d.xlsx");
      ASSERT_EQ(r.records.size(), expected.size()) << "byte " << p;
      for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(r.records[i].title, expected[i].title);
    } catch (const input_error& e) {
      ++caught;
      EXPECT_EQ(std::string(e.what()).rfind("d.xlsx", 0), 0U) << e.what();
    }
  }
  EXPECT_GT(caught, 0U);
}

/// A ZIP part of `size` spaces made on the fly, so that the test never holds the bomb in memory.
struct spaces_source {
  std::uint64_t size = 0;
  std::uint64_t pos = 0;
  static zip_int64_t callback(void* ud, void* data, zip_uint64_t len, zip_source_cmd_t cmd) {
    auto* s = static_cast<spaces_source*>(ud);
    switch (cmd) {
      case ZIP_SOURCE_OPEN: s->pos = 0; return 0;
      case ZIP_SOURCE_READ: {
        const std::uint64_t n = std::min<std::uint64_t>(len, s->size - s->pos);
        std::fill_n(static_cast<char*>(data), n, ' ');
        s->pos += n;
        return static_cast<zip_int64_t>(n);
      }
      case ZIP_SOURCE_CLOSE: return 0;
      case ZIP_SOURCE_STAT: {
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->size = s->size;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof(zip_stat_t);
      }
      case ZIP_SOURCE_ERROR: {
        auto* e = static_cast<int*>(data);
        e[0] = e[1] = 0;
        return 2 * sizeof(int);
      }
      case ZIP_SOURCE_FREE: return 0;
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
      default: return -1;
    }
  }
};

TEST(XlsxImport, ZipBombStopsAtTheUnpackedLimit) {
  // 300 MiB of spaces in the sheet part deflate to a few hundred KB; the limit is 256 MiB.
  auto parts = workbook_parts(sheet_xml(""), strings_xml({}));
  parts.erase("xl/worksheets/sheet1.xml");
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &err);
  zip_t* za = zip_open_from_source(buffer, ZIP_TRUNCATE, &err);
  ASSERT_NE(za, nullptr);
  zip_source_keep(buffer);
  for (const auto& [name, data] : parts) {
    ASSERT_GE(zip_file_add(za, name.c_str(), zip_source_buffer(za, data.data(), data.size(), 0), 0), 0);
  }
  spaces_source spaces{std::uint64_t{300} << 20U, 0};
  const zip_int64_t i =
      zip_file_add(za, "xl/worksheets/sheet1.xml", zip_source_function(za, &spaces_source::callback, &spaces), 0);
  ASSERT_GE(i, 0);
  zip_set_file_compression(za, static_cast<zip_uint64_t>(i), ZIP_CM_DEFLATE, 1);
  ASSERT_EQ(zip_close(za), 0);
  std::string bomb;
  ASSERT_EQ(zip_source_open(buffer), 0);
  char buf[1 << 16];
  for (zip_int64_t n; (n = zip_source_read(buffer, buf, sizeof buf)) > 0;)
    bomb.append(buf, static_cast<std::size_t>(n));
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&err);
  ASSERT_LT(bomb.size(), std::size_t{4} << 20U);

  const std::string e = error_of(bomb, "bomb.xlsx");
  EXPECT_EQ(e.rfind("bomb.xlsx: the workbook unpacks to more than the limit xlsx_max_unpacked_bytes (268435456 bytes; "
                    "stopped in xl/worksheets/sheet1.xml)",
                    0),
            0U)
      << e;
}

TEST(XlsxImport, EntitiesAreNeverResolvedOrExpanded) {
  const std::filesystem::path secret = std::filesystem::temp_directory_path() / "metasift_xlsx_secret.txt";
  { std::ofstream(secret) << "TOP-SECRET-XLSX"; }
  const std::string xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM \"file://" + secret.string() +
                          "\">]>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                          "<si><t>Title</t></si><si><t>&xxe;</t></si></sst>";
  const std::string rows =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row>";
  const std::string e = error_of(make_zip(workbook_parts(sheet_xml(rows), xxe)), "xxe.xlsx");
  EXPECT_EQ(e.rfind("xxe.xlsx: xl/sharedStrings.xml:", 0), 0U) << e;
  EXPECT_EQ(e.find("TOP-SECRET"), std::string::npos) << e;

  const std::string laughs =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE sst [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"
      "<sst><si><t>Title</t></si><si><t>&c;</t></si></sst>";
  EXPECT_EQ(error_of(make_zip(workbook_parts(sheet_xml(rows), laughs)), "lol.xlsx")
                .rfind("lol.xlsx: xl/sharedStrings.xml:", 0),
            0U);
  // With an external DTD named, libxml2 only warns about an undeclared entity: still an error
  // here, and the DTD is never fetched.
  const std::string external = "<?xml version=\"1.0\"?>\n<!DOCTYPE sst SYSTEM \"file://" + secret.string() +
                               "\">\n<sst><si><t>Title</t></si><si><t>&secret;</t></si></sst>";
  const std::string e2 = error_of(make_zip(workbook_parts(sheet_xml(rows), external)), "dtd.xlsx");
  EXPECT_EQ(e2.rfind("dtd.xlsx: xl/sharedStrings.xml:", 0), 0U) << e2;
  EXPECT_NE(e2.find("'secret'"), std::string::npos) << e2;
  EXPECT_EQ(e2.find("TOP-SECRET"), std::string::npos) << e2;
  std::filesystem::remove(secret);
}

}  // namespace
