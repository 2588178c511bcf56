// Query engine: the table of real PubMed, Scopus and Web of Science search strings in
// queries.tsv (parse, lint codes and matches on the hand-made records below), plus error
// positions and matching details.

#include "metasift/review/query.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/import.hpp"

namespace {

using namespace metasift::review;

// The hand-made records every query in queries.tsv is matched against (R1..R8).
std::vector<metasift::review::record> query_table_records() {
  using metasift::review::record;
  using metasift::review::record_type;
  auto make = [](std::string id, std::string title, std::string abstract, std::vector<std::string> keywords,
                 std::vector<std::string> authors, int year, record_type type, std::string language,
                 std::string journal = "", std::string doi = "") {
    record r;
    r.source_id = std::move(id);
    r.title = std::move(title);
    r.abstract = std::move(abstract);
    r.keywords = std::move(keywords);
    r.authors = std::move(authors);
    r.year = year;
    r.type = type;
    r.language = std::move(language);
    r.journal = std::move(journal);
    r.doi = std::move(doi);
    return r;
  };
  return {
      make("R1", "Environmental impacts of rare earth mining in Ganzhou, China",
           "Ion-adsorption rare earth mines polluted rivers with ammonium.",
           {"rare earth elements", "mining", "pollution"}, {"Wang, Li", "Chen, Xi"}, 2015, record_type::journal_article,
           "English", "Resources Policy", "10.1016/j.resourpol.2015.01.004"),
      make("R2", "Economic benefits of rare-earth mines in Baotou, Inner Mongolia",
           "County panel data show local economic growth but environmental costs.",
           {"economic benefit", "environmental cost"}, {"Li, Ming"}, 2018, record_type::journal_article, "English",
           "Journal of Cleaner Production"),
      make("R3", "Heavy metals in soils near ion-adsorption deposits",
           "Lanthanum and cerium exceed background values near mining sites in Jiangxi.", {"soil contamination"},
           {"Liu, Hong"}, 1998, record_type::journal_article, "Chinese"),
      make("R4", "Sustainable mining practices: a systematic review",
           "We review sustainable management of mineral resources worldwide, including rare earth elements.",
           {"sustainability", "review"}, {"Kamenopoulos, Sotiris"}, 2020, record_type::review, "English"),
      make("R5", "Mouse models of hip pain after surgery", "Hip joint pain in mice was reduced by early mobilisation.",
           {"Pain/surgery", "Mice"}, {"Smith, John A"}, 2019, record_type::journal_article, "English"),
      make("R6", "Heart attack risk and copper mining in Chile",
           "Myocardial infarction rates were higher near copper mines.", {}, {"Rojas, Pedro"}, 2010,
           record_type::conference_paper, "Spanish"),
      make("R7", "\xC3\x89tude de l'impact environnemental des mines de terres rares",
           "Les terres rares extraites en Chine polluent les sols.", {}, {"M\xC3\xBCller, Hans"}, 2012,
           record_type::journal_article, "French"),
      make("R8",
           "\xE7\xA8\x80\xE5\x9C\x9F\xE5\xBC\x80\xE9\x87\x87\xE5\xAF\xB9\xE8\xB5\xA3\xE5\xB7\x9E\xE7\x94\x9F\xE6\x80"
           "\x81\xE7\x8E\xAF\xE5\xA2\x83\xE7\x9A\x84\xE5\xBD\xB1\xE5\x93\x8D",
           "Rare earth mining and its ecological impact in Ganzhou.", {}, {"\xE7\x8E\x8B\xE5\x8A\x9B"}, 2016,
           record_type::journal_article, "Chinese"),
  };
}

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : line) {
    if (c == '\t') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

struct row {
  std::size_t line = 0;
  std::string dialect, query, parse, matches, codes, source;
};

std::vector<row> load_table() {
  std::ifstream in(std::string(METASIFT_SOURCE_DIR) + "/tests/review/queries.tsv");
  std::vector<row> rows;
  std::string line;
  std::size_t n = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    if (header) {
      header = false;
      continue;
    }
    const auto f = split_tabs(line);
    if (f.size() != 6) throw std::runtime_error("queries.tsv:" + std::to_string(n) + ": expected 6 fields");
    rows.push_back({n, f[0], f[1], f[2], f[3], f[4], f[5]});
  }
  return rows;
}

TEST(QueryTable, RealSearchStringsParseLintAndMatch) {
  const auto rows = load_table();
  ASSERT_GE(rows.size(), 40U);
  std::set<std::string> dialects;
  const auto recs = query_table_records();
  for (const auto& r : rows) {
    SCOPED_TRACE("queries.tsv:" + std::to_string(r.line) + " [" + r.dialect + "] " + r.query + "  (" + r.source + ")");
    dialects.insert(r.dialect);
    const auto d = parse_dialect(r.dialect);
    ASSERT_TRUE(d.has_value());
    const parsed_query q = parse_query(r.query, *d);
    std::set<std::string> codes;
    std::string error;
    for (const auto& diag : q.diagnostics) {
      codes.insert(diag.code);
      if (diag.severity == query_diagnostic::level::error && error.empty()) {
        error = "ERROR " + diag.code + "@" + std::to_string(diag.position);
      }
    }
    std::string code_list;
    for (const auto& c : codes) code_list += (code_list.empty() ? "" : ",") + c;
    EXPECT_EQ(code_list.empty() ? "-" : code_list, r.codes);
    if (r.parse.rfind("ERROR", 0) == 0) {
      EXPECT_FALSE(q.ok());
      EXPECT_EQ(error, r.parse);
      continue;
    }
    ASSERT_TRUE(q.ok()) << error;
    EXPECT_EQ(to_sexpr(*q.root), r.parse);
    std::string matched;
    for (const auto& rec : recs) {
      if (query_matches(*q.root, query_document(rec))) matched += (matched.empty() ? "" : ",") + rec.source_id;
    }
    EXPECT_EQ(matched.empty() ? "-" : matched, r.matches);
  }
  EXPECT_EQ(dialects, (std::set<std::string>{"generic", "pubmed", "scopus", "wos"}));
}

TEST(QueryErrors, PositionsAreCharactersAndShiftWithTheSource) {
  // "é" is two bytes but one character: the ")" is character 7.
  const parsed_query q = parse_query("\xC3\xA9tude ) x", query_dialect::generic);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.diagnostics.front().position, 7U);
  try {
    const compiled_query c("(rare earth AND mining", query_dialect::scopus,
                           metasift::source_position{"review.toml", 14, 10});
    FAIL() << "expected an input_error";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 14U);
    EXPECT_EQ(e.where().column, 10U);
    EXPECT_NE(std::string(e.what()).find("review.toml:14:10: E001 unbalanced parentheses"), std::string::npos)
        << e.what();
  }
  try {
    const compiled_query c("mining AND (copper", query_dialect::generic, metasift::source_position{"query", 1, 1});
    FAIL() << "expected an input_error";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().column, 12U);
  }
}

TEST(QueryLint, DiagnosticsFormat) {
  const parsed_query q = parse_query("copper OR lead AND algae", query_dialect::wos);
  const std::string text = format_diagnostics(q.diagnostics);
  EXPECT_NE(text.find("query:1:16: warning W101: OR and AND mixed without parentheses"), std::string::npos) << text;
  EXPECT_NE(text.find("query:1:1: info I203:"), std::string::npos) << text;
}

TEST(QueryMatch, ProximityCountsWordsBetween) {
  record r;
  r.title = "rare earth element mining";
  const auto match = [&](const char* q) {
    const parsed_query p = parse_query(q, query_dialect::scopus);
    EXPECT_TRUE(p.ok()) << q;
    return query_matches(*p.root, query_document(r));
  };
  EXPECT_TRUE(match("rare W/2 mining"));  // two words between
  EXPECT_FALSE(match("rare W/1 mining"));
  EXPECT_TRUE(match("mining W/2 rare"));     // W/n: any order
  EXPECT_FALSE(match("mining PRE/2 rare"));  // PRE/n: in order
  EXPECT_TRUE(match("rare PRE/0 earth"));
  EXPECT_TRUE(match("\"rare earth\" W/1 mining"));
}

TEST(QueryMatch, PhrasesNeverSpanTwoKeywordsOrAuthors) {
  record r;
  r.keywords = {"rare earth", "mining"};
  r.authors = {"Earth, Rare", "Mining, Joe"};
  const parsed_query k = parse_query("KEY(\"earth mining\")", query_dialect::scopus);
  EXPECT_FALSE(query_matches(*k.root, query_document(r)));
  const parsed_query a = parse_query("AU=(\"rare mining\")", query_dialect::wos);
  EXPECT_FALSE(query_matches(*a.root, query_document(r)));
}

TEST(QueryMatch, YearsAndUnknownYears) {
  record r;
  r.title = "mining";
  const parsed_query q = parse_query("mining AND PUBYEAR > 1999", query_dialect::scopus);
  EXPECT_FALSE(query_matches(*q.root, query_document(r)));  // year unknown: a year clause cannot hold
  r.year = 2000;
  EXPECT_TRUE(query_matches(*q.root, query_document(r)));
}

// Real strings on real exports: the revtools "restoration" search, exported from Web of Science,
// Scopus and PubMed (../shared/fixtures/bibliographic/revtools, SOURCES.md). Every exported record
// was returned by its database for the word "restoration", so re-applying it offline must find
// them -- except where the database expanded the word itself (WoS lemmatisation and Scopus plurals,
// "restorations": info I203 / I204, which the engine announces); with the expansion written out
// ("$" = zero or one character, "*" any), every record must match. PubMed's [tiab] has no such
// expansion. Skips visibly without the corpus.
TEST(QueryCorpus, RestorationSearchReappliedToItsOwnExports) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(METASIFT_SHARED_DIR) / "fixtures" / "bibliographic" / "revtools";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "shared corpus not found at " << dir << "; skipped";
  struct search_case {
    const char* file;
    query_dialect dialect;
    const char* as_run;    ///< the word as searched
    const char* info;      ///< the expansion the database applies and metasift cannot ("-" none)
    const char* expanded;  ///< the same search with the expansion written out
  };
  const search_case cases[] = {
      {"restoration_WoS.ciw", query_dialect::wos, "TS=restoration", "I203", "TS=restoration$"},
      {"restoration_scopus.ris", query_dialect::scopus, "TITLE-ABS-KEY(restoration)", "I204",
       "TITLE-ABS-KEY(restoration*)"},
      {"restoration_pubmed.nbib", query_dialect::pubmed, "restoration[tiab]", "-", "restoration[tiab]"},
  };
  for (const search_case& c : cases) {
    SCOPED_TRACE(c.file);
    const auto res = import_file(dir / c.file);
    ASSERT_FALSE(res.records.empty());
    const parsed_query as_run = parse_query(c.as_run, c.dialect);
    const parsed_query expanded = parse_query(c.expanded, c.dialect);
    ASSERT_TRUE(as_run.ok());
    ASSERT_TRUE(expanded.ok());
    std::string codes;
    for (const auto& d : as_run.diagnostics) codes += (codes.empty() ? "" : ",") + d.code;
    EXPECT_EQ(codes.empty() ? "-" : codes, c.info);
    std::size_t hits = 0;
    std::size_t hits_expanded = 0;
    for (const auto& rec : res.records) {
      const query_document doc(rec);
      const bool a = query_matches(*as_run.root, doc);
      const bool b = query_matches(*expanded.root, doc);
      hits += a ? 1 : 0;
      hits_expanded += b ? 1 : 0;
      EXPECT_TRUE(!a || b) << "the expanded query must find what the literal one finds";
    }
    std::printf("[ query    ] %-24s %-30s %3zu of %3zu records;  %-30s %3zu of %3zu\n", c.file, c.as_run, hits,
                res.records.size(), c.expanded, hits_expanded, res.records.size());
    EXPECT_EQ(hits_expanded, res.records.size());
    if (std::string(c.info) == "-") {
      EXPECT_EQ(hits, res.records.size());
    }
  }
}

}  // namespace
