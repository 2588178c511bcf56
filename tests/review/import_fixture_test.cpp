// Importers on the project's own small fixtures (tests/review/fixtures/), one per format and
// quirk, with every field of every record checked exactly, plus the warnings.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/record_io.hpp"

namespace {

using metasift::review::import_file;
using metasift::review::import_result;
using metasift::review::record;
using metasift::review::record_type;

std::string fixture(const std::string& name) {
  return std::string(METASIFT_REVIEW_FIXTURES) + "/" + name;
}

/// Compares every field; the source_file is the fixture path.
void expect_record(const record& got, const record& want) {
  SCOPED_TRACE("record '" + want.title + "' (line " + std::to_string(want.source_line) + ")");
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.source_file, want.source_file);
  EXPECT_EQ(got.source_line, want.source_line);
  EXPECT_EQ(got.source_id, want.source_id);
  EXPECT_EQ(got.source_format, want.source_format);
  EXPECT_EQ(got.database, want.database);
  EXPECT_EQ(to_string(got.type), std::string(to_string(want.type)));
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.authors, want.authors);
  EXPECT_EQ(got.year, want.year);
  EXPECT_EQ(got.journal, want.journal);
  EXPECT_EQ(got.volume, want.volume);
  EXPECT_EQ(got.issue, want.issue);
  EXPECT_EQ(got.pages, want.pages);
  EXPECT_EQ(got.doi, want.doi);
  EXPECT_EQ(got.pmid, want.pmid);
  EXPECT_EQ(got.issn, want.issn);
  EXPECT_EQ(got.abstract, want.abstract);
  EXPECT_EQ(got.keywords, want.keywords);
  EXPECT_EQ(got.language, want.language);
  EXPECT_EQ(got.url, want.url);
}

import_result load(const std::string& name, const std::string& format, const std::string& charset, std::size_t count) {
  import_result res = import_file(fixture(name));
  EXPECT_EQ(res.format, format) << name;
  EXPECT_EQ(res.charset, charset) << name;
  EXPECT_EQ(res.records.size(), count) << name;
  EXPECT_EQ(res.file, fixture(name));
  return res;
}

TEST(RisImport, ScopusVariantWithReviewTypePmidAndWrappedAbstract) {
  const std::string f = fixture("ris_scopus.ris");
  const import_result res = load("ris_scopus.ris", "ris", "utf-8", 2);
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0],
                record{.id = "10.1016/j.resourpol.2019.01.005",
                       .source_file = f,
                       .source_line = 1,
                       .source_id = "1",
                       .source_format = "ris",
                       .database = "Scopus",
                       .type = record_type::review,
                       .title = "Rare earth mining and local economies in Jiangxi, China",
                       .authors = {"Wang, L.", "Zhang, Q."},
                       .year = 2019,
                       .journal = "Resources Policy",
                       .volume = "61",
                       .issue = "2",
                       .pages = "112-119",
                       .doi = "10.1016/j.resourpol.2019.01.005",
                       .pmid = "30123456",
                       .issn = "0301-4207",
                       .abstract = "Ion-adsorption rare earth deposits in southern China support county budgets but "
                                   "leave tailings behind.",
                       .keywords = {"rare earth elements", "local economy", "Ganzhou"},
                       .language = "English",
                       .url = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85059&doi=10.1016%2fj.resourpol."
                              "2019.01.005"});
  expect_record(res.records[1], record{.id = "10.5555/mine.2021.7",
                                       .source_file = f,
                                       .source_line = 26,
                                       .source_id = "2",
                                       .source_format = "ris",
                                       .database = "Scopus",
                                       .type = record_type::conference_paper,
                                       .title = "Environmental cost accounting for Bayan Obo tailings",
                                       .authors = {"Li, H."},
                                       .year = 2021,
                                       .journal = "Proceedings of the 3rd Mining Symposium",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "e0815",
                                       .doi = "10.5555/mine.2021.7",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85100"});
}

TEST(RisImport, EbscoWithBomCrlfAndContinuationLine) {
  const std::string f = fixture("ris_bom_crlf.ris");
  const import_result res = load("ris_bom_crlf.ris", "ris", "utf-8-bom", 1);
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0],
                record{.id = "Academic Search Premier:1",
                       .source_file = f,
                       .source_line = 1,
                       .source_id = "1",
                       .source_format = "ris",
                       .database = "Academic Search Premier",
                       .type = record_type::journal_article,
                       .title = "\u201cLiving on the edge\u201d: field margins and voles",
                       .authors = {"Rodr\u00edguez-Pastor, Ruth", "Mougeot, Fran\u00e7ois"},
                       .year = 2016,
                       .journal = "Agriculture, Ecosystems & Environment",
                       .volume = "231",
                       .issue = "",
                       .pages = "206-217",
                       .doi = "",
                       .pmid = "",
                       .issn = "0167-8809",
                       .abstract = "Small rodents are common inhabitants of farmlands. Second line of the abstract.",
                       .keywords = {},
                       .language = "",
                       .url = "https://search.ebscohost.com/login.aspx?direct=true&db=aph&AN=116996"});
}

TEST(RisImport, Utf16WithAndWithoutBom) {
  for (const char* name : {"ris_utf16le.ris", "ris_utf16be_nobom.ris"}) {
    const std::string charset = std::string(name) == "ris_utf16le.ris" ? "utf-16le" : "utf-16be";
    const import_result res = load(name, "ris", charset, 1);
    ASSERT_EQ(res.records.size(), 1U);
    EXPECT_TRUE(res.warnings.empty());
    expect_record(res.records[0], record{.id = "10.1000/xyz.123",
                                         .source_file = fixture(name),
                                         .source_line = 1,
                                         .source_id = "1",
                                         .source_format = "ris",
                                         .database = "",
                                         .type = record_type::journal_article,
                                         .title = "\u00c9conomie des terres rares \u00e0 Baotou",
                                         .authors = {"Dupont, \u00c9lise"},
                                         .year = 2018,
                                         .journal = "",
                                         .volume = "",
                                         .issue = "",
                                         .pages = "",
                                         .doi = "10.1000/xyz.123",
                                         .pmid = "",
                                         .issn = "",
                                         .abstract = "",
                                         .keywords = {},
                                         .language = "",
                                         .url = ""});
  }
}

TEST(RisImport, Latin1) {
  const import_result res = load("ris_latin1.ris", "ris", "latin-1", 1);
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0], record{.id = "ris_latin1:1",
                                       .source_file = fixture("ris_latin1.ris"),
                                       .source_line = 1,
                                       .source_id = "1",
                                       .source_format = "ris",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "M\u00fcller's caf\u00e9: Bergbau und Umwelt",
                                       .authors = {"M\u00fcller, J\u00fcrgen"},
                                       .year = 2005,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {"Umweltsch\u00e4den"},
                                       .language = "",
                                       .url = ""});
}

TEST(RisImport, JunkLinesErInsideTextRayyanKeywordsBadYearAndMissingEr) {
  const std::string f = fixture("ris_quirks.ris");
  const import_result res = load("ris_quirks.ris", "ris", "utf-8", 3);
  ASSERT_EQ(res.records.size(), 3U);
  expect_record(res.records[0],
                record{.id = "10.1002/cpp.2398",
                       .source_file = f,
                       .source_line = 7,
                       .source_id = "2019-65183-001",
                       .source_format = "ris",
                       .database = "",
                       .type = record_type::journal_article,
                       .title = "Endoplasmic reticulum stress in miners",
                       .authors = {"Trindade, Ines A"},
                       .year = 2019,
                       .journal = "",
                       .volume = "",
                       .issue = "",
                       .pages = "",
                       .doi = "10.1002/cpp.2398",
                       .pmid = "",
                       .issn = "",
                       .abstract = "First line of the abstract, ER stress is the subject of this line, which does not "
                                   "end the record and the last line.",
                       .keywords = {"occupational health", "mining"},
                       .language = "",
                       .url = ""});
  expect_record(res.records[1], record{.id = "ris_quirks:1",
                                       .source_file = f,
                                       .source_line = 25,
                                       .source_id = "1",
                                       .source_format = "ris",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "Overcoming medication reconciliation challenges",
                                       .authors = {},
                                       .year = 0,
                                       .journal = "Joint Commission Perspectives",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "1-5",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {"Health Facility Administration", "Joint Commission", "Standards"},
                                       .language = "",
                                       .url = ""});
  expect_record(res.records[2], record{.id = "ris_quirks:3",
                                       .source_file = f,
                                       .source_line = 37,
                                       .source_id = "3",
                                       .source_format = "ris",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "A record without its end line",
                                       .authors = {"Smith, J"},
                                       .year = 2020,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
  const std::vector<std::string> warnings = {
      f + ":20: 1 tag line outside records ignored (first: 'NL  - ')",
      f + ":31: cannot read a year from 'PY  - 10 15'",
      f + ":37: record has no 'ER  -' line (end of file)",
  };
  EXPECT_EQ(res.warnings, warnings);
}

TEST(RisImport, DatabaseOptionNamesIdsAndFillsMissingDatabase) {
  metasift::review::import_options opt;
  opt.database = "Embase";
  const import_result res = import_file(fixture("ris_quirks.ris"), opt);
  ASSERT_EQ(res.records.size(), 3U);
  EXPECT_EQ(res.records[1].id, "Embase:1");
  EXPECT_EQ(res.records[1].database, "Embase");
  EXPECT_EQ(res.records[0].id, "10.1002/cpp.2398");  // a DOI is the id whatever the source
}

TEST(MedlineImport, ContinuationLinesDoiFromLidAndAidGluedRecords) {
  const std::string f = fixture("medline.nbib");
  const import_result res = load("medline.nbib", "medline", "utf-8", 3);
  ASSERT_EQ(res.records.size(), 3U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0],
                record{.id = "10.1371/journal.pone.0209483",
                       .source_file = f,
                       .source_line = 2,
                       .source_id = "30689646",
                       .source_format = "medline",
                       .database = "PubMed",
                       .type = record_type::review,
                       .title = "Ecosystem services changes between 2000 and 2015 in the Loess Plateau, China: A "
                                "response to ecological restoration.",
                       .authors = {"Jiang, Chong", "Zhang, Haiyan"},
                       .year = 2019,
                       .journal = "PloS one",
                       .volume = "14",
                       .issue = "1",
                       .pages = "6913-6917",
                       .doi = "10.1371/journal.pone.0209483",
                       .pmid = "30689646",
                       .issn = "1932-6203",
                       .abstract = "The Loess Plateau of China is one of the most severe soil and water loss areas in "
                                   "the world.",
                       .keywords = {"rare earth", "restoration, ecological", "Mining/economics"},
                       .language = "eng",
                       .url = ""});
  expect_record(res.records[1], record{.id = "10.1000/abc.1",
                                       .source_file = f,
                                       .source_line = 33,
                                       .source_id = "31501234",
                                       .source_format = "medline",
                                       .database = "PubMed",
                                       .type = record_type::journal_article,
                                       .title = "A second record, without a blank line before the next one.",
                                       .authors = {"Doe J"},
                                       .year = 2020,
                                       .journal = "Env Sci",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "10.1000/abc.1",
                                       .pmid = "31501234",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
  expect_record(res.records[2], record{.id = "PubMed:31501235",
                                       .source_file = f,
                                       .source_line = 40,
                                       .source_id = "31501235",
                                       .source_format = "medline",
                                       .database = "PubMed",
                                       .type = record_type::other,
                                       .title = "Third record glued to the second.",
                                       .authors = {},
                                       .year = 2021,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "31501235",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
}

TEST(WosImport, TaggedWithContinuationsEmailSuffixAndZoologicalRecord) {
  const std::string f = fixture("wos.ciw");
  const import_result res = load("wos.ciw", "wos", "utf-8", 2);
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0],
                record{.id = "10.1080/20964129.2020.1722034",
                       .source_file = f,
                       .source_line = 3,
                       .source_id = "WOS:000513681000001",
                       .source_format = "wos",
                       .database = "Web of Science",
                       .type = record_type::review,
                       .title = "Soil fauna diversity at different stages of reed restoration in a lakeshore wetland "
                                "at Lake Taihu, China",
                       .authors = {"Li, Wei", "Dou, Zhiguo"},
                       .year = 2020,
                       .journal = "ECOSYSTEM HEALTH AND SUSTAINABILITY",
                       .volume = "6",
                       .issue = "1",
                       .pages = "12-19",
                       .doi = "10.1080/20964129.2020.1722034",
                       .pmid = "32000001",
                       .issn = "2096-4129",
                       .abstract = "Introduction: Wetland soil fauna support material cycling. Outcomes: 93 groups.",
                       .keywords = {"Soil fauna", "Wetland", "Restoration", "DIVERSITY", "COMMUNITY", "NITROGEN"},
                       .language = "English",
                       .url = ""});
  expect_record(res.records[1], record{.id = "Zoological Record:ZOOREC:ZOOR15512090342",
                                       .source_file = f,
                                       .source_line = 30,
                                       .source_id = "ZOOREC:ZOOR15512090342",
                                       .source_format = "wos",
                                       .database = "Zoological Record",
                                       .type = record_type::journal_article,
                                       .title = "Nest site selection of Black-backed Woodpeckers after wildfire.",
                                       .authors = {"Stillman, Andrew N.", "Siegel, Rodney B."},
                                       .year = 2019,
                                       .journal = "Condor",
                                       .volume = "121",
                                       .issue = "3",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
}

TEST(WosImport, TabDelimitedWithoutQuoting) {
  const std::string f = fixture("wos_tab.txt");
  const import_result res = load("wos_tab.txt", "wos-tab", "utf-8", 2);
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0], record{.id = "10.1016/j.resourpol.2019.01.005",
                                       .source_file = f,
                                       .source_line = 2,
                                       .source_id = "WOS:000460000000001",
                                       .source_format = "wos-tab",
                                       .database = "Web of Science",
                                       .type = record_type::journal_article,
                                       .title = "\"Green\" mining in Baotou",
                                       .authors = {"Wang, Lei", "Zhang, Qiang"},
                                       .year = 2019,
                                       .journal = "RESOURCES POLICY",
                                       .volume = "61",
                                       .issue = "",
                                       .pages = "112-119",
                                       .doi = "10.1016/j.resourpol.2019.01.005",
                                       .pmid = "",
                                       .issn = "0301-4207",
                                       .abstract = "Abstract one.",
                                       .keywords = {"green mining", "Baotou", "TAILINGS"},
                                       .language = "English",
                                       .url = ""});
  expect_record(res.records[1], record{.id = "Web of Science:WOS:000400000000002",
                                       .source_file = f,
                                       .source_line = 3,
                                       .source_id = "WOS:000400000000002",
                                       .source_format = "wos-tab",
                                       .database = "Web of Science",
                                       .type = record_type::book,
                                       .title = "Rare earth economics",
                                       .authors = {"Li, H"},
                                       .year = 2017,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "Chinese",
                                       .url = ""});
}

TEST(ScopusCsvImport, QuotedCellsAuthorIdsAndDoiFromLink) {
  const std::string f = fixture("scopus.csv");
  const import_result res = load("scopus.csv", "scopus-csv", "utf-8", 2);
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(
      res.records[0],
      record{.id = "10.1016/j.msea.2020.140010",
             .source_file = f,
             .source_line = 2,
             .source_id = "2-s2.0-85094136345",
             .source_format = "scopus-csv",
             .database = "Scopus",
             .type = record_type::journal_article,
             .title = "\"Trends\" in rare earth welding research",
             .authors = {"Unnikrishnan, M.A.", "Edwin Raja Dhas, J."},
             .year = 2020,
             .journal = "Materials Science and Engineering: A",
             .volume = "795",
             .issue = "",
             .pages = "",
             .doi = "10.1016/j.msea.2020.140010",
             .pmid = "",
             .issn = "0921-5093",
             .abstract = "Welding of rare earth alloys. A second paragraph. \u00a9 2020 Alpha Publishers. All "
                         "rights reserved.",
             .keywords = {"welding", "rare earth", "Rare earth elements", "Welding"},
             .language = "English",
             .url = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85094136345&doi=10.1016%2fj.msea."
                    "2020.140010&partnerID=40"});
  expect_record(res.records[1], record{.id = "10.5555/mine.2021.7",
                                       .source_file = f,
                                       .source_line = 4,
                                       .source_id = "2-s2.0-85100000000",
                                       .source_format = "scopus-csv",
                                       .database = "Scopus",
                                       .type = record_type::conference_paper,
                                       .title = "Tailings and towns",
                                       .authors = {"Li, Hua"},
                                       .year = 2021,
                                       .journal = "Proc. Mining Conf.",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "5-9",
                                       .doi = "10.5555/mine.2021.7",
                                       .pmid = "33000001",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "Chinese",
                                       .url = "https://www.scopus.com/inward/record.uri?eid=2-s2.0-85100000000&doi=10."
                                              "5555%2fmine.2021.7&partnerID=40"});
}

TEST(CsvImport, ZoteroHeaderMappingAndTolerantRow) {
  const std::string f = fixture("zotero.csv");
  const import_result res = load("zotero.csv", "csv", "utf-8-bom", 3);
  ASSERT_EQ(res.records.size(), 3U);
  expect_record(res.records[0], record{.id = "10.1111/jvim.16404",
                                       .source_file = f,
                                       .source_line = 2,
                                       .source_id = "ABCD1234",
                                       .source_format = "csv",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "Myoclonus in older spaniels",
                                       .authors = {"Rotter, Carina", "Whittaker, Danielle"},
                                       .year = 2022,
                                       .journal = "Journal of veterinary internal medicine",
                                       .volume = "36",
                                       .issue = "3",
                                       .pages = "1032-1038",
                                       .doi = "10.1111/jvim.16404",
                                       .pmid = "",
                                       .issn = "1939-1676",
                                       .abstract = "Background text",
                                       .keywords = {"dogs", "myoclonus"},
                                       .language = "eng",
                                       .url = ""});
  expect_record(res.records[1], record{.id = "10.4103/2303-9027.138783",
                                       .source_file = f,
                                       .source_line = 3,
                                       .source_id = "EFGH5678",
                                       .source_format = "csv",
                                       .database = "",
                                       .type = record_type::chapter,
                                       .title = "Duplication cysts",
                                       .authors = {"Liu R.", "Adler D.G."},
                                       .year = 2010,
                                       .journal = "Endoscopy Atlas",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "12-19",
                                       .doi = "10.4103/2303-9027.138783",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = "https://doi.org/10.4103/2303-9027.138783"});
  expect_record(res.records[2], record{.id = "zotero:IJKL9012",
                                       .source_file = f,
                                       .source_line = 4,
                                       .source_id = "IJKL9012",
                                       .source_format = "csv",
                                       .database = "",
                                       .type = record_type::thesis,
                                       .title = "A row with one field too many",
                                       .authors = {"Smith, J"},
                                       .year = 2015,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
  EXPECT_EQ(res.warnings,
            std::vector<std::string>{f + ":4: row has 16 fields, header has 15; the extra fields are ignored"});
}

TEST(CsvImport, SemicolonsAndPythonListCells) {
  const import_result res = load("lists.csv", "csv", "utf-8", 1);
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0], record{.id = "lists:12345",
                                       .source_file = fixture("lists.csv"),
                                       .source_line = 2,
                                       .source_id = "12345",
                                       .source_format = "csv",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "Title of reference",
                                       .authors = {"Marx, Karl", "Lindgren, Astrid"},
                                       .year = 2014,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {"Pippi", "Nordwind"},
                                       .language = "",
                                       .url = ""});
}

// R's write.csv writes missing values as a bare NA (ASySD's labelled_test_set.csv does): they are
// missing fields, not the text "NA", and a missing DOI is not "not a DOI".
TEST(CsvImport, RWrittenNaCellsAreMissing) {
  const std::string csv =
      "\"author\",\"title\",\"year\",\"journal\",\"abstract\",\"doi\",\"number\",\"pages\",\"volume\"\n"
      "\"Adeli K.\",\"Intestinal lipoprotein overproduction\",2008,\"Curr Opin Lipidol\",NA,NA,NA,NA,\"19\"\n"
      "\"Lewis G. F.\",\"Another title\",2009,\"Diabetes\",\"An abstract.\",\"10.2337/db09-0001\",\"3\",\"221-8\",NA\n";
  const import_result res = metasift::review::import_bytes(csv, "r_written.csv");
  ASSERT_EQ(res.records.size(), 2U);
  EXPECT_TRUE(res.warnings.empty()) << res.warnings.front();
  const auto& a = res.records[0];
  EXPECT_EQ(a.abstract, "");
  EXPECT_EQ(a.doi, "");
  EXPECT_EQ(a.issue, "");
  EXPECT_EQ(a.pages, "");
  EXPECT_EQ(a.volume, "19");
  const auto& b = res.records[1];
  EXPECT_EQ(b.abstract, "An abstract.");
  EXPECT_EQ(b.doi, "10.2337/db09-0001");
  EXPECT_EQ(b.issue, "3");
  EXPECT_EQ(b.pages, "221-228");
  EXPECT_EQ(b.volume, "");
}

TEST(BibtexImport, StringsConcatenationNestedBracesAccentsNamesAndBrokenEntry) {
  const std::string f = fixture("features.bib");
  const import_result res = load("features.bib", "bibtex", "utf-8", 5);
  ASSERT_EQ(res.records.size(), 5U);
  expect_record(res.records[0],
                record{.id = "10.1016/s1002-0721(20)30001-1",
                       .source_file = f,
                       .source_line = 8,
                       .source_id = "wang2020",
                       .source_format = "bibtex",
                       .database = "",
                       .type = record_type::journal_article,
                       .title = "Rare earth mining in \u010cesk\u00fd Krumlov and Jiangxi: \u00e0 la \u00e7arte & "
                                "\u00dfome \u00f8ther \u201cquotes\u201d",
                       .authors = {"Wang, Li", "M\u00fcller, J\u00f6rg", "de la Cruz, Mar\u00eda",
                                   "World Health Organization", "van der Berg, Jean-Paul", "Smith, John, Jr"},
                       .year = 2020,
                       .journal = "Journal of Rare Earths (Beijing)",
                       .volume = "41",
                       .issue = "3",
                       .pages = "101-110",
                       .doi = "10.1016/s1002-0721(20)30001-1",
                       .pmid = "",
                       .issn = "",
                       .abstract = "A \"quoted\" abstract with nested braces and an escaped { brace.",
                       .keywords = {"rare earth", "mining", "tailings"},
                       .language = "",
                       .url = ""});
  expect_record(res.records[1], record{.id = "features:li2021",
                                       .source_file = f,
                                       .source_line = 23,
                                       .source_id = "li2021",
                                       .source_format = "bibtex",
                                       .database = "",
                                       .type = record_type::conference_paper,
                                       .title = "Tailings dams",
                                       .authors = {"Hua, Li"},
                                       .year = 2021,
                                       .journal = "Proc. Mining Conf.",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
  EXPECT_EQ(res.records[2].type, record_type::preprint);
  EXPECT_EQ(res.records[2].source_line, 24U);
  EXPECT_EQ(res.records[2].authors, std::vector<std::string>{"Chen, Y."});
  // The broken entry is kept with what could be read (its key), never dropped.
  EXPECT_EQ(res.records[3].source_id, "broken2019");
  EXPECT_EQ(res.records[3].source_line, 31U);
  EXPECT_EQ(res.records[3].title, "");
  expect_record(res.records[4], record{.id = "features:ok2018",
                                       .source_file = f,
                                       .source_line = 35,
                                       .source_id = "ok2018",
                                       .source_format = "bibtex",
                                       .database = "",
                                       .type = record_type::book,
                                       .title = "A book after the broken entry",
                                       .authors = {"Brown, Anne"},
                                       .year = 2018,
                                       .journal = "",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
  const std::vector<std::string> warnings = {
      f + ":31: @article{broken2019} is not closed with '}'",
      f + ":31: record 4 has no title",
      f + ":32: value of field 'title' is not closed in @article{broken2019}; the field is skipped",
      f + ":39: undefined @string macro 'undefinedmacro'; its name is used as the value",
  };
  EXPECT_EQ(res.warnings, warnings);
}

TEST(BibtexImport, GbkEncodedChinese) {
  const import_result res = load("gbk.bib", "bibtex", "gb18030", 1);
  ASSERT_EQ(res.records.size(), 1U);
  EXPECT_TRUE(res.warnings.empty());
  expect_record(res.records[0], record{.id = "gbk:\u5f202013",
                                       .source_file = fixture("gbk.bib"),
                                       .source_line = 1,
                                       .source_id = "\u5f202013",
                                       .source_format = "bibtex",
                                       .database = "",
                                       .type = record_type::journal_article,
                                       .title = "\u7a00\u571f\u5f00\u91c7\u7684\u73af\u5883\u6210\u672c",
                                       .authors = {"\u5f20\u4e09", "\u674e\u56db"},
                                       .year = 2013,
                                       .journal = "\u6d4b\u8bd5\u671f\u520a",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = ""});
}

TEST(EndNoteImport, StyleWrappersEntitiesCdataAndUnclosedRecord) {
  const std::string f = fixture("endnote.xml");
  const import_result res = load("endnote.xml", "endnote-xml", "utf-8", 3);
  ASSERT_EQ(res.records.size(), 3U);
  expect_record(res.records[0], record{.id = "10.1016/j.watres.2021.117000",
                                       .source_file = f,
                                       .source_line = 4,
                                       .source_id = "42",
                                       .source_format = "endnote-xml",
                                       .database = "PubMed",
                                       .type = record_type::journal_article,
                                       .title = "Rare earth mining & water quality \u2013 a review",
                                       .authors = {"Zhang, Wei", "O'Brien, Kate"},
                                       .year = 2021,
                                       .journal = "Water Research",
                                       .volume = "200",
                                       .issue = "4",
                                       .pages = "1-12",
                                       .doi = "10.1016/j.watres.2021.117000",
                                       .pmid = "34000001",
                                       .issn = "0043-1354",
                                       .abstract = "Text with <markup> kept & raw.",
                                       .keywords = {"rare earth", "water quality", "China"},
                                       .language = "eng",
                                       .url = "https://example.org/a"});
  expect_record(res.records[1], record{.id = "10.1007/978-3-319-00001-1_5",
                                       .source_file = f,
                                       .source_line = 5,
                                       .source_id = "43",
                                       .source_format = "endnote-xml",
                                       .database = "",
                                       .type = record_type::chapter,
                                       .title = "Chapter on tailings",
                                       .authors = {"Lopez, Ana"},
                                       .year = 2017,
                                       .journal = "Handbook of Mining",
                                       .volume = "",
                                       .issue = "",
                                       .pages = "",
                                       .doi = "10.1007/978-3-319-00001-1_5",
                                       .pmid = "",
                                       .issn = "",
                                       .abstract = "",
                                       .keywords = {},
                                       .language = "",
                                       .url = "https://doi.org/10.1007/978-3-319-00001-1_5"});
  EXPECT_EQ(res.records[2].title, "Unclosed record");
  EXPECT_EQ(res.records[2].type, record_type::journal_article);
  EXPECT_EQ(res.records[2].source_id, "44");
  EXPECT_EQ(res.warnings, std::vector<std::string>{f + ":6: <record> is not closed before </records> (line 7)"});
}

TEST(ImportFormats, ForcedFormatAndErrors) {
  metasift::review::import_options opt;
  opt.format = "nbib";
  EXPECT_EQ(import_file(fixture("medline.nbib"), opt).format, "medline");
  opt.format = "marc21";
  EXPECT_THROW((void)import_file(fixture("medline.nbib"), opt), metasift::usage_error);
  EXPECT_THROW((void)metasift::review::import_bytes("just some prose\nwithout any structure\n", "prose.txt"),
               metasift::input_error);
  EXPECT_THROW((void)metasift::review::import_bytes("  \n\n", "empty.ris"), metasift::input_error);
  EXPECT_THROW((void)metasift::review::import_bytes("PK\x03\x04zip", "a.xlsx"), metasift::input_error);
  EXPECT_THROW((void)import_file(fixture("no_such_file.ris")), metasift::io_error);
  try {
    (void)metasift::review::import_bytes("title,year\n", "header_only.csv");
  } catch (...) {
    ADD_FAILURE() << "a header without rows is an empty export, not an error";
  }
}

TEST(ImportFormats, RisAndCsvRoundTrip) {
  // Every fixture exported as RIS and imported again keeps its bibliographic fields.
  for (const char* name : {"ris_scopus.ris", "medline.nbib", "wos.ciw", "scopus.csv", "features.bib", "endnote.xml",
                           "zotero.csv", "gbk.bib"}) {
    SCOPED_TRACE(name);
    const import_result first = import_file(fixture(name));
    const std::string ris = metasift::review::format_records_ris(first.records);
    const import_result again = metasift::review::import_bytes(ris, "again.ris");
    ASSERT_EQ(again.records.size(), first.records.size());
    for (std::size_t i = 0; i < first.records.size(); ++i) {
      const record& a = first.records[i];
      const record& b = again.records[i];
      EXPECT_EQ(b.title, a.title);
      EXPECT_EQ(b.authors, a.authors);
      EXPECT_EQ(b.year, a.year);
      EXPECT_EQ(b.journal, a.journal);
      EXPECT_EQ(b.volume, a.volume);
      EXPECT_EQ(b.issue, a.issue);
      EXPECT_EQ(b.pages, a.pages);
      EXPECT_EQ(b.doi, a.doi);
      EXPECT_EQ(b.pmid, a.pmid);
      EXPECT_EQ(b.issn, a.issn);
      EXPECT_EQ(b.abstract, a.abstract);
      EXPECT_EQ(b.keywords, a.keywords);
      EXPECT_EQ(b.language, a.language);
      EXPECT_EQ(b.url, a.url);
      EXPECT_EQ(b.database, a.database);
      EXPECT_EQ(b.source_id, a.source_id);
      EXPECT_EQ(b.type, a.type);
    }
    const std::string csv = metasift::review::format_records_csv(first.records);
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')) >= first.records.size() + 1, true);
  }
}

}  // namespace
