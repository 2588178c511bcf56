// Hostile input to the review parsers and the query engine: every input is generated here, and
// each must end in a located one-line error or the right answer, in seconds and bounded memory.
// The limits are named in include/metasift/core/limits.hpp and docs/hardening.md.

#include <gtest/gtest.h>
#include <iconv.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/review/charset.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/query.hpp"
#include "metasift/review/review_file.hpp"
#include "support/time_budget.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::review;
using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(s);
  return out;
}

/// The first error diagnostic of a query that must not parse.
query_diagnostic first_error(const parsed_query& q) {
  for (const auto& d : q.diagnostics) {
    if (d.severity == query_diagnostic::level::error) return d;
  }
  ADD_FAILURE() << "no error for a query that must be refused";
  return {};
}

record text_record(std::string abstract) {
  record r;
  r.title = "untitled";
  r.abstract = std::move(abstract);
  return r;
}

bool matches(std::string_view query, const record& r, query_dialect d = query_dialect::generic) {
  const parsed_query q = parse_query(query, d);
  EXPECT_TRUE(q.ok()) << format_diagnostics(q.diagnostics);
  return q.ok() && query_matches(*q.root, query_document(r));
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("metasift_hostile_" + std::to_string(::getpid()) + "_" +
                                        std::to_string(clock_type::now().time_since_epoch().count()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

void write(const fs::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary) << text;
}

// --- queries --------------------------------------------------------------------------------

TEST(HostileQuery, DeepParenthesesAreRefusedAtTheFirstLevelBeyondTheLimit) {
  const std::size_t n = 6000;
  const auto t0 = clock_type::now();
  const parsed_query q = parse_query(repeat("(", n) + "a" + repeat(")", n), query_dialect::generic);
  EXPECT_FALSE(q.ok());
  const query_diagnostic d = first_error(q);
  EXPECT_EQ(d.code, "E010");
  EXPECT_NE(d.message.find("query_max_depth"), std::string::npos) << d.message;
  EXPECT_EQ(d.position, metasift::limits::query_max_depth + 1);  // the '(' one level too deep
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(2.0));
  // At the limit itself the query is fine and means just "a".
  const std::size_t ok = metasift::limits::query_max_depth;
  const parsed_query q2 = parse_query(repeat("(", ok) + "a" + repeat(")", ok), query_dialect::generic);
  ASSERT_TRUE(q2.ok()) << format_diagnostics(q2.diagnostics);
  EXPECT_EQ(to_sexpr(*q2.root), "a");
}

TEST(HostileQuery, ThirtyThousandNotsAreRefusedInEveryDialect) {
  const std::string text = repeat("NOT ", 30000) + "a";
  for (const auto dialect :
       {query_dialect::generic, query_dialect::pubmed, query_dialect::scopus, query_dialect::wos}) {
    const parsed_query q = parse_query(text, dialect);
    EXPECT_FALSE(q.ok());
    const query_diagnostic d = first_error(q);
    EXPECT_EQ(d.code, "E010");
    // "NOT " is 4 characters: the NOT one level too deep starts at 4 * limit + 1.
    EXPECT_EQ(d.position, 4 * metasift::limits::query_max_depth + 1);
  }
  // An even number of NOTs within the limit cancels out.
  const parsed_query q = parse_query(repeat("NOT ", 10) + "mining", query_dialect::generic);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(query_matches(*q.root, query_document(text_record("rare earth mining"))));
}

TEST(HostileQuery, DeepQueryInReviewTomlIsALocatedInputError) {
  const temp_dir dir;
  const std::string toml = "[[sources]]\nname = \"S\"\nfiles = [\"a.ris\"]\n[search]\nquery = \"" + repeat("(", 6000) +
                           "a" + repeat(")", 6000) + "\"\n";
  try {
    (void)parse_review_file(toml, dir.path / "review.toml");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 5U);
    // The string content starts at column 10 (query = "); the bad '(' is the 201st character.
    EXPECT_EQ(e.where().column, 9 + metasift::limits::query_max_depth + 1);
    EXPECT_NE(std::string(e.what()).find("query_max_depth"), std::string::npos);
  }
}

TEST(HostileQuery, ProximityDistanceBeyondTheLimitIsAnErrorNotAPhrase) {
  const parsed_query big = parse_query("mining NEAR/10000 water", query_dialect::wos);
  EXPECT_FALSE(big.ok());
  const query_diagnostic d = first_error(big);
  EXPECT_EQ(d.code, "E010");
  EXPECT_EQ(d.position, 8U);
  EXPECT_NE(d.message.find("query_max_proximity_distance"), std::string::npos);
  // A 25-digit distance neither overflows nor turns into words.
  EXPECT_FALSE(parse_query("a W/1000000000000000000000000 b", query_dialect::scopus).ok());
  const parsed_query at_limit = parse_query("mining NEAR/9999 water", query_dialect::generic);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(to_sexpr(*at_limit.root), "(NEAR/9999 mining water)");
}

TEST(HostileQuery, WideProximityOnALongAbstractIsLinear) {
  // 40,000 words, every fourth one each of a, b, c and d: every pair is within 9999 words, so the
  // old pairwise expansion built 10^8 spans and chained operands far more.
  std::string abstract;
  for (int i = 0; i < 10000; ++i) abstract += "a b c d ";
  const record r = text_record(abstract);
  const auto t0 = clock_type::now();
  EXPECT_TRUE(matches("a NEAR/9999 b", r));
  EXPECT_TRUE(matches("a NEAR/9999 b NEAR/9999 c NEAR/9999 d", r));
  EXPECT_TRUE(matches("(a OR b) NEAR/9999 (c OR d) NEAR/9999 a", r));
  EXPECT_FALSE(matches("a NEAR/9999 zzz", r));
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(5.0));
}

TEST(HostileQuery, ChainedProximityKeepsItsMeaning) {
  // Distances counted in words between the operands.
  EXPECT_TRUE(matches("a NEAR/1 b NEAR/1 c", text_record("a x b x c")));
  EXPECT_FALSE(matches("a NEAR/1 b NEAR/1 c", text_record("a x x b x c")));
  EXPECT_FALSE(matches("a NEAR/1 b NEAR/1 c", text_record("a x b x x c")));
  EXPECT_TRUE(matches("a PRE/0 b PRE/0 c", text_record("a b c")));
  EXPECT_FALSE(matches("a PRE/0 b PRE/0 c", text_record("c b a")));
  EXPECT_TRUE(matches("a NEAR/0 b NEAR/0 c", text_record("c b a")));
}

TEST(HostileQuery, TwoOperandProximityAgreesWithBruteForce) {
  // Two operands: the query holds when some a and some b have at most n words between them (in
  // order for PRE). Checked against that definition on random word strings.
  std::mt19937 gen(12345);
  std::uniform_int_distribution<int> word(0, 3);
  const char* names[] = {"a", "b", "x", "y"};
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<int> w(static_cast<std::size_t>(5 + trial % 20));
    std::string text;
    for (auto& v : w) {
      v = word(gen);
      text += std::string(names[v]) + " ";
    }
    const int n = trial % 4;
    bool near = false, pre = false;
    for (std::size_t i = 0; i < w.size(); ++i) {
      for (std::size_t j = 0; j < w.size(); ++j) {
        if (w[i] != 0 || w[j] != 1 || i == j) continue;
        const std::size_t gap = (i < j ? j - i : i - j) - 1;
        if (gap <= static_cast<std::size_t>(n)) {
          near = true;
          if (i < j) pre = true;
        }
      }
    }
    const record r = text_record(text);
    EXPECT_EQ(matches("a NEAR/" + std::to_string(n) + " b", r), near) << text;
    EXPECT_EQ(matches("a PRE/" + std::to_string(n) + " b", r), pre) << text;
  }
}

TEST(HostileQuery, WildcardsMatchWithoutBacktracking) {
  record r;
  r.title = std::string(100000, 'a');  // one 100,000-letter word
  const auto t0 = clock_type::now();
  EXPECT_FALSE(matches("*a*a*a*b", r));
  EXPECT_FALSE(matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", r));
  EXPECT_TRUE(matches("*a*a*a*a", r));
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(5.0));
  EXPECT_TRUE(matches("*a*a*a*b", text_record("aaaab")));
  EXPECT_TRUE(matches("colo$r", text_record("colour")));
  EXPECT_TRUE(matches("colo$r", text_record("color")));
  EXPECT_FALSE(matches("colo$r", text_record("colouur")));
  EXPECT_TRUE(matches("wom?n", text_record("women")));
  EXPECT_FALSE(matches("wom?n", text_record("womn")));
  EXPECT_TRUE(matches("m*ing", text_record("mining")));
  EXPECT_TRUE(matches("m*ing", text_record("ming")));
  EXPECT_FALSE(matches("m*ing", text_record("mine")));
  EXPECT_TRUE(matches("\"rare earth*\"", text_record("the rare earths mined")));
}

TEST(HostileQuery, TenThousandTermOrOnTwoThousandRecordsTakesSeconds) {
  std::string query;
  for (int t = 0; t < 10000; ++t) query += (t > 0 ? " OR zq" : "zq") + std::to_string(t);
  const parsed_query q = parse_query(query, query_dialect::generic);
  ASSERT_TRUE(q.ok());
  std::vector<record> recs;
  for (int k = 0; k < 2000; ++k) {
    std::string abstract;
    for (int w = 0; w < 200; ++w) abstract += "word" + std::to_string((k * 31 + w) % 997) + " ";
    abstract += "zq" + std::to_string(k * 7);  // a query term when k * 7 < 10000
    recs.push_back(text_record(abstract));
  }
  const auto t0 = clock_type::now();
  std::size_t hits = 0;
  for (const auto& r : recs) hits += query_matches(*q.root, query_document(r)) ? 1 : 0;
  const double secs = seconds_since(t0);
  EXPECT_EQ(hits, 1429U);  // k = 0 .. 1428
  EXPECT_LT(secs, metasift::test::time_budget(20.0));
  std::printf("10,000-term OR on 2,000 records: %.2f s\n", secs);
  const parsed_query over = parse_query(query + " OR zq10000", query_dialect::generic);
  EXPECT_FALSE(over.ok());
  EXPECT_NE(first_error(over).message.find("query_max_terms"), std::string::npos);
}

TEST(HostileQuery, ProximityOperandsAndWordLengthAreCapped) {
  std::string chain = "w0";
  for (int i = 1; i <= 32; ++i) chain += " NEAR/2 w" + std::to_string(i);  // 33 operands
  const parsed_query q = parse_query(chain, query_dialect::generic);
  EXPECT_FALSE(q.ok());
  EXPECT_NE(first_error(q).message.find("query_max_proximity_operands"), std::string::npos);
  std::string phrase;
  for (int i = 0; i < 33; ++i) phrase += " w" + std::to_string(i);
  const parsed_query pm = parse_query("\"" + phrase.substr(1) + "\"[tiab:~2]", query_dialect::pubmed);
  EXPECT_FALSE(pm.ok());
  EXPECT_NE(first_error(pm).message.find("query_max_proximity_operands"), std::string::npos);
  const parsed_query longword = parse_query("x OR " + std::string(300, 'w'), query_dialect::generic);
  EXPECT_FALSE(longword.ok());
  EXPECT_EQ(first_error(longword).position, 6U);
  EXPECT_NE(first_error(longword).message.find("query_max_word_length"), std::string::npos);
}

// --- BibTeX -----------------------------------------------------------------------------------

TEST(HostileBibtex, DoublingStringsStopAtTheExpansionLimit) {
  std::string bib = "@string{s0 = \"xx\"}\n";
  for (int i = 1; i <= 40; ++i) {
    bib += "@string{s" + std::to_string(i) + " = s" + std::to_string(i - 1) + " # s" + std::to_string(i - 1) + "}\n";
  }
  bib += "@article{k, title = s40}\n";
  ASSERT_LT(bib.size(), 2000U);
  const auto t0 = clock_type::now();
  try {
    (void)import_bytes(bib, "doubling.bib");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    // s_i holds 2^(i+1) bytes: s20 is the first over 1 MiB, failing at its second operand.
    EXPECT_EQ(e.where().line, 21U);
    EXPECT_EQ(e.where().column, std::string("@string{s20 = s19 # s19}").rfind("s19") + 1);
    EXPECT_NE(std::string(e.what()).find("bibtex_max_string_bytes"), std::string::npos) << e.what();
  }
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(2.0));
}

TEST(HostileBibtex, ManyUsesOfALargeStringStopAtTheTotalLimit) {
  std::string bib = "@string{big = \"" + std::string(1U << 19, 'x') + "\"}\n@string{big2 = big # big}\n";
  for (int i = 0; i < 80; ++i) bib += "@article{k" + std::to_string(i) + ", note = big2}\n";
  try {
    (void)import_bytes(bib, "many.bib");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_NE(std::string(e.what()).find("bibtex_max_total_expansion"), std::string::npos) << e.what();
  }
}

// --- EndNote XML ------------------------------------------------------------------------------

std::string endnote_record(int n) {
  return "<record><rec-number>" + std::to_string(n) + "</rec-number><titles><title>Title " + std::to_string(n) +
         "</title></titles></record>\n";
}

TEST(HostileEndNote, DeepNestingIsALocatedErrorNotACrash) {
  const std::string xml = "<?xml version=\"1.0\"?>\n<xml><records><record>\n" + repeat("<a>", 400000) + "x" +
                          repeat("</a>", 400000) + "</record></records></xml>\n";
  const auto t0 = clock_type::now();
  try {
    (void)import_bytes(xml, "deep.xml");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 3U);
    EXPECT_NE(std::string(e.what()).find("xml_max_depth"), std::string::npos) << e.what();
  }
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(5.0));
}

TEST(HostileEndNote, UnclosedCommentIsAnErrorNotLostRecords) {
  const std::string xml = "<?xml version=\"1.0\"?>\n<xml><records>\n" + endnote_record(1) + "<!-- a note\n" +
                          endnote_record(2) + endnote_record(3) + "</records></xml>\n";
  try {
    const import_result r = import_bytes(xml, "comment.xml");
    FAIL() << "accepted with " << r.records.size() << " records";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().file, "comment.xml");
    EXPECT_GT(e.where().line, 0U);
    EXPECT_NE(std::string(e.what()).find("Comment not terminated"), std::string::npos) << e.what();
  }
  // A closed comment between records loses nothing.
  const std::string fine = "<xml><records>\n" + endnote_record(1) + "<!-- a note -->\n" + endnote_record(2) +
                           endnote_record(3) + "</records></xml>\n";
  EXPECT_EQ(import_bytes(fine, "fine.xml").records.size(), 3U);
}

TEST(HostileEndNote, SecondRootIsAnErrorNotLostRecords) {
  const std::string one = "<xml><records>\n" + endnote_record(1) + "</records></xml>\n";
  EXPECT_THROW((void)import_bytes(one + one, "two.xml"), metasift::input_error);
}

TEST(HostileEndNote, ExternalEntitiesAreNeverResolved) {
  const temp_dir dir;
  const fs::path secret = dir.path / "secret.txt";
  write(secret, "TOPSECRET-CONTENT");
  const std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [\n<!ENTITY xxe SYSTEM \"file://" + secret.string() +
                          "\">\n<!ENTITY lol \"LOLLOL\">\n]>\n<xml><records>\n"
                          "<record><rec-number>1</rec-number><titles><title>A &xxe; B &lol;</title></titles>"
                          "<abstract>&xxe;</abstract></record>\n</records></xml>\n";
  const import_result r = import_bytes(xml, "xxe.xml");
  ASSERT_EQ(r.records.size(), 1U);
  EXPECT_EQ(r.records[0].title, "A B");
  EXPECT_EQ(r.records[0].abstract, "");
  for (const auto& w : r.warnings) EXPECT_EQ(w.find("TOPSECRET"), std::string::npos) << w;
}

// --- charsets ---------------------------------------------------------------------------------

std::string encode(const char* to, const std::string& utf8) {
  iconv_t cd = iconv_open(to, "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 4, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* o = out.data();
  std::size_t o_left = out.size();
  EXPECT_NE(iconv(cd, &in, &in_left, &o, &o_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - o_left);
  return out;
}

TEST(HostileCharset, JapaneseExportsAreDetectedAndDecoded) {
  const std::string title = "希土類の採掘による環境への影響についての調査";
  const std::string ris = "TY  - JOUR\nTI  - " + title + "\nAU  - 山田, 太郎\nPY  - 2020\nER  - \n";
  for (const auto& [iconv_name, expected] : {std::pair{"SHIFT_JIS", "shift_jis"}, std::pair{"EUC-JP", "euc-jp"}}) {
    const std::string bytes = encode(iconv_name, ris);
    ASSERT_NE(bytes, ris);
    EXPECT_EQ(detect_charset(bytes), expected);
    const import_result r = import_bytes(bytes, "jp.ris");
    EXPECT_EQ(r.charset, expected);
    ASSERT_EQ(r.records.size(), 1U);
    EXPECT_EQ(r.records[0].title, title);
    EXPECT_EQ(r.records[0].authors, std::vector<std::string>{"山田, 太郎"});
  }
  // Chinese (no kana) stays GB18030.
  const std::string zh = encode("GB18030", "TY  - JOUR\nTI  - 稀土开采对环境的影响研究\nER  - \n");
  EXPECT_EQ(detect_charset(zh), "gb18030");
}

// --- field lengths, review.toml, PRISMA JSON ---------------------------------------------------

TEST(HostileFields, A20MegabyteTitleIsRefusedWithItsLine) {
  const std::string ris =
      "TY  - JOUR\nTI  - ok\nER  - \nTY  - JOUR\nTI  - " + std::string(20U << 20, 'a') + "\nER  - \n";
  const auto t0 = clock_type::now();
  try {
    (void)import_bytes(ris, "huge.ris");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 4U);
    EXPECT_NE(std::string(e.what()).find("record_max_title_bytes"), std::string::npos) << e.what();
  }
  EXPECT_LT(seconds_since(t0), metasift::test::time_budget(5.0));
}

TEST(HostileReviewFile, ALongTitleIsRefused) {
  const temp_dir dir;
  const std::string toml =
      "title = \"" + std::string(20U << 20, 'T') + "\"\n[[sources]]\nname = \"S\"\nfiles = [\"a.ris\"]\n";
  try {
    (void)parse_review_file(toml, dir.path / "review.toml");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 1U);
    EXPECT_NE(std::string(e.what()).find("review_"), std::string::npos) << e.what();
  }
}

TEST(HostileReviewFile, TheSameExportListedTwiceIsRefusedNamingBothLines) {
  const temp_dir dir;
  write(dir.path / "a.ris", "TY  - JOUR\nTI  - x\nER  - \n");
  fs::create_directories(dir.path / "sub");
  fs::create_symlink(dir.path / "a.ris", dir.path / "sub" / "link.ris");
  for (const std::string second : {"a.ris", "./a.ris", "sub/../a.ris", "sub/link.ris"}) {
    SCOPED_TRACE(second);
    const std::string toml =
        "[[sources]]\nname = \"S\"\nfiles = [\"a.ris\"]\n\n[[sources]]\nname = \"T\"\nfiles = [\"" + second + "\"]\n";
    try {
      (void)parse_review_file(toml, dir.path / "review.toml");
      FAIL() << "accepted";
    } catch (const metasift::input_error& e) {
      EXPECT_EQ(e.where().line, 7U);
      const std::string first = (dir.path / "review.toml").string() + ":3:10";
      EXPECT_NE(std::string(e.what()).find(first), std::string::npos) << e.what();
    }
  }
}

TEST(HostileReviewFile, SymlinkLoopIsALocatedInputError) {
  const temp_dir dir;
  fs::create_symlink(dir.path / "loop2", dir.path / "loop1");
  fs::create_symlink(dir.path / "loop1", dir.path / "loop2");
  const std::string toml = "[[sources]]\nname = \"S\"\nfiles = [\"loop1/a.ris\"]\n";
  try {
    (void)parse_review_file(toml, dir.path / "review.toml");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 3U);
    EXPECT_NE(std::string(e.what()).find("loop1/a.ris"), std::string::npos) << e.what();
  }
}

TEST(HostilePrismaJson, OverflowNegativeAndFractionalCountsAreLocatedErrors) {
  try {
    (void)parse_prisma_json("{\n  \"database_results\": 1e400,\n  \"records_screened\": 1\n}", "p.json");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 2U);
    EXPECT_EQ(e.where().column, 23U);
  }
  try {
    (void)parse_prisma_json("{\"database_results\": NaN}", "p.json");
    FAIL() << "accepted";
  } catch (const metasift::input_error& e) {
    EXPECT_EQ(e.where().line, 1U);
    EXPECT_EQ(e.where().column, 22U);
  }
  for (const char* bad : {"-3", "2.5", "1e3", "\"7\"", "18446744073709551616"}) {
    SCOPED_TRACE(bad);
    const std::string json = std::string(
                                 "{\"database_results\": 5, \"records_screened\": 5, \"dbr_excluded\": "
                                 "[{\"reason\": \"r\", \"n\": ") +
                             bad + "}]}";
    try {
      (void)parse_prisma_json(json, "p.json");
      FAIL() << "accepted";
    } catch (const metasift::input_error& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("/dbr_excluded/0/n") != std::string::npos || e.where().column > 0) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos);
    }
  }
}

}  // namespace
