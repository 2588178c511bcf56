// Deduplication: Jaro-Winkler values from the literature, normalisation, and the rule table --
// above all that a DOI, PubMed ID or year conflict never merges.

#include "metasift/review/dedup.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metasift/review/dedup_normalize.hpp"

namespace {

using namespace metasift::review;

record make(std::string title, std::vector<std::string> authors, int year, std::string journal = "",
            std::string doi = "", std::string volume = "", std::string pages = "") {
  record r;
  r.title = std::move(title);
  r.authors = std::move(authors);
  r.year = year;
  r.journal = std::move(journal);
  r.doi = std::move(doi);
  r.volume = std::move(volume);
  r.pages = std::move(pages);
  return r;
}

const std::string kTitle = "Environmental impacts of rare earth mining in Ganzhou, southern China";

TEST(DedupJaroWinkler, KnownValues) {
  // Winkler (1990) / Wikipedia worked examples.
  EXPECT_NEAR(jaro("MARTHA", "MARHTA"), 0.944444, 1e-6);
  EXPECT_NEAR(jaro_winkler("MARTHA", "MARHTA"), 0.961111, 1e-6);
  EXPECT_NEAR(jaro("DWAYNE", "DUANE"), 0.822222, 1e-6);
  EXPECT_NEAR(jaro_winkler("DWAYNE", "DUANE"), 0.84, 1e-6);
  EXPECT_NEAR(jaro("DIXON", "DICKSONX"), 0.766667, 1e-6);
  EXPECT_NEAR(jaro_winkler("DIXON", "DICKSONX"), 0.813333, 1e-6);
  // R: stringdist::stringsim("CRATE", "TRACE", method = "jw", p = 0.1) = 0.7333333
  EXPECT_NEAR(jaro_winkler("CRATE", "TRACE"), 0.733333, 1e-6);
  EXPECT_DOUBLE_EQ(jaro_winkler("", ""), 1.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("abc", ""), 0.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("abc", "xyz"), 0.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("same", "same"), 1.0);
  // Long strings take the heap path and agree with themselves shifted by one character.
  const std::string longa(800, 'a');
  EXPECT_DOUBLE_EQ(jaro(longa, longa + "b"), (1.0 + 800.0 / 801.0 + 1.0) / 3.0);
}

TEST(DedupNormalize, FoldsCaseDiacriticsGreekAndPunctuation) {
  EXPECT_EQ(normalize_words("Étude de l'Impact: Müller-Schmidt & Łódź"), "etude de l impact muller schmidt lodz");
  EXPECT_EQ(normalize_words("TNF-\xCE\xB1 and IL-1\xCE\xB2"), "tnf alpha and il 1 beta");
  EXPECT_EQ(normalize_words("Gr\xC3\xBC\xC3\x9F"
                            "e \xE2\x80\x93 Stra\xC3\x9F"
                            "e"),
            "grusse strasse");
  EXPECT_EQ(normalize_words("Nǚ shì"), "nu shi");
  // CJK ideographs are one word each.
  EXPECT_EQ(fold_words("稀土开采").size(), 4U);
  // Invalid UTF-8 (a Latin-1 byte) never fails.
  EXPECT_EQ(normalize_words("caf\xE9"), "cafe");
  EXPECT_EQ(normalize_title("SGLT2 inhibition in Ldlr<sup>-/-</sup> mice. [Article in Chinese]"),
            "sglt2 inhibition in ldlr mice");
  EXPECT_EQ(normalize_title("Fish &amp; chips"), "fish chips");
}

TEST(DedupNormalize, CanonicalForms) {
  EXPECT_EQ(canonical_doi("https://doi.org/10.1097/MOL.0b013e3282ffaf82"), "10.1097/mol.0b013e3282ffaf82");
  EXPECT_EQ(canonical_doi("http://dx.doi.org/10.1097/MOL.0b013e3282ffaf82."), "10.1097/mol.0b013e3282ffaf82");
  EXPECT_EQ(canonical_doi("doi:10.1016/S0140-6736(20)30183-5"), "10.1016/s0140-6736(20)30183-5");
  EXPECT_EQ(canonical_doi("10.1002%2Fcpp.2398 [doi]"), "10.1002/cpp.2398");
  EXPECT_EQ(canonical_doi("NA"), "");
  EXPECT_EQ(canonical_doi("not a doi"), "");
  EXPECT_EQ(normalize_pages("221-8").last, "228");
  EXPECT_EQ(normalize_pages("221--228").first, "221");
  EXPECT_EQ(normalize_pages("pp. 1234\xE2\x80\x93"
                            "56")
                .last,
            "1256");
  EXPECT_EQ(normalize_pages("e0123456").first, "e0123456");
  EXPECT_EQ(normalize_volume("38 (Supplement 1)"), "38");
  EXPECT_EQ(normalize_volume("NA"), "");
  EXPECT_EQ(normalize_author("Li, Wei"), "li w");
  EXPECT_EQ(normalize_author("Li W."), "li w");
  EXPECT_EQ(normalize_author("Wei Li"), "li w");
  EXPECT_EQ(normalize_author("Lewis G. F."), "lewis g");
  EXPECT_EQ(normalize_author("Stillman, Andrew N. (andrew.stillman@uconn.edu)"), "stillman a");
  EXPECT_EQ(normalize_author("[Anonymous]"), "");
  EXPECT_EQ(canonical_language("English"), "en");
  EXPECT_EQ(canonical_language("chi"), "zh");
  EXPECT_DOUBLE_EQ(
      journal_similarity(normalize_journal("Curr Opin Lipidol"), normalize_journal("Current Opinion in Lipidology")),
      1.0);
  EXPECT_DOUBLE_EQ(journal_similarity(normalize_journal("Proc Natl Acad Sci U S A"),
                                      normalize_journal("Proceedings of the National Academy of Sciences of the "
                                                        "United States of America")),
                   1.0);
  EXPECT_EQ(normalize_journal("Microcirculation. Conference: 66th Annual Meeting"), "microcirculation");
}

TEST(DedupRules, SameDoiMerges) {
  const auto v = compare_records(make(kTitle, {"Wang, L"}, 2015, "J Clean Prod", "10.1016/j.jclepro.2015.01.001"),
                                 make(kTitle + ".", {"Wang L."}, 2015, "Journal of Cleaner Production",
                                      "https://doi.org/10.1016/J.JCLEPRO.2015.01.001"));
  EXPECT_EQ(v.verdict, pair_verdict::kind::merge);
  EXPECT_EQ(v.rule, "doi");
}

TEST(DedupRules, DoiConflictNeverMerges) {
  // Identical in every field but the DOI: a maybe for a human, never a merge.
  const auto v = compare_records(make(kTitle, {"Wang, L"}, 2015, "J Clean Prod", "10.1016/j.jclepro.2015.01.001"),
                                 make(kTitle, {"Wang, L"}, 2015, "J Clean Prod", "10.1016/j.jclepro.2015.01.002"));
  EXPECT_EQ(v.verdict, pair_verdict::kind::maybe);
  EXPECT_EQ(v.rule, "maybe:doi-conflict");
}

TEST(DedupRules, YearConflictNeverMergesButOneYearApartCan) {
  const record a = make(kTitle, {"Wang, L", "Chen, X"}, 2015, "Resources Policy", "", "45", "12-20");
  record b = a;
  b.year = 2017;
  auto v = compare_records(a, b);
  EXPECT_EQ(v.verdict, pair_verdict::kind::maybe);
  EXPECT_EQ(v.rule, "maybe:year-conflict");
  b.year = 2016;  // online-first vs print year, with matching volume and pages
  v = compare_records(a, b);
  EXPECT_EQ(v.verdict, pair_verdict::kind::merge);
}

TEST(DedupRules, TitleNumbersAndNoticesBlock) {
  auto v = compare_records(make("Rare earth mining in China: part 1", {"Wang, L"}, 2015, "Resources Policy"),
                           make("Rare earth mining in China: part 2", {"Wang, L"}, 2015, "Resources Policy"));
  EXPECT_NE(v.verdict, pair_verdict::kind::merge);
  v = compare_records(make(kTitle, {"Wang, L"}, 2015, "Resources Policy"),
                      make("Erratum: " + kTitle, {"Wang, L"}, 2015, "Resources Policy"));
  EXPECT_EQ(v.verdict, pair_verdict::kind::none);
}

TEST(DedupRules, FuzzyTitleAuthorYearJournal) {
  const auto v = compare_records(make("Environmental impacts of rare-earth mining in Ganzhou, Southern China.",
                                      {"Wang, Li", "Chen, Xi"}, 2015, "Resources Policy"),
                                 make("ENVIRONMENTAL IMPACTS OF RARE EARTH MINING IN GANZHOU, SOUTHERN CHINA",
                                      {"Wang L", "Chen X"}, 2015, "RESOURCES POLICY"));
  EXPECT_EQ(v.verdict, pair_verdict::kind::merge);
  EXPECT_EQ(v.rule, "title-author-year-journal");
  EXPECT_GT(v.features.title, 0.99);
}

TEST(DedupRules, ShortGenericTitlesNeedMore) {
  const auto v =
      compare_records(make("Editorial", {}, 2015, "Resources Policy"), make("Editorial", {}, 2015, "Resources Policy"));
  EXPECT_NE(v.verdict, pair_verdict::kind::merge);
}

TEST(DedupGroups, ChainNeverJoinsTwoDois) {
  // B (no DOI) resembles both A and C, which carry different DOIs: B joins one of them, the other
  // pair goes to the maybe queue.
  const record a = make(kTitle, {"Wang, L"}, 2015, "Resources Policy", "10.1/a");
  const record b = make(kTitle, {"Wang, L"}, 2015, "Resources Policy");
  const record c = make(kTitle, {"Wang, L"}, 2015, "Resources Policy", "10.1/c");
  const dedup_result r = deduplicate({a, b, c});
  std::size_t dups = 0;
  for (const auto& d : r.decisions) dups += d.status == dedup_status::duplicate;
  EXPECT_EQ(dups, 1U);
  EXPECT_EQ(r.decisions[0].status, dedup_status::unique);
  EXPECT_NE(r.decisions[2].status, dedup_status::duplicate);
  EXPECT_EQ(r.kept.size(), 2U);
}

TEST(DedupGroups, KeepsTheMostCompleteRecord) {
  record sparse = make(kTitle, {"Wang, L"}, 2015, "Resources Policy", "10.1/x");
  record rich = sparse;
  rich.abstract = "Rare earth mining in Ganzhou has left tailings and ammonium-polluted streams.";
  rich.volume = "45";
  rich.pages = "12-20";
  const dedup_result r = deduplicate({sparse, rich});
  EXPECT_EQ(r.decisions[0].status, dedup_status::duplicate);
  EXPECT_EQ(r.decisions[0].duplicate_of, 1U);
  EXPECT_EQ(r.decisions[1].status, dedup_status::unique);
  const std::string csv = format_decisions_csv({sparse, rich}, r);
  EXPECT_NE(csv.find("record,source_file,source_id,status,duplicate_of,score,rule\n"), std::string::npos);
  EXPECT_NE(csv.find(",duplicate,2,"), std::string::npos);
}

TEST(DedupGroups, DeterministicAcrossThreadCounts) {
  std::vector<record> recs;
  for (int i = 0; i < 3000; ++i) {
    recs.push_back(make("Study number " + std::to_string(i % 1500) + " of rare earth element exposure in soils",
                        {"Author" + std::to_string(i % 1500) + ", A"}, 2000 + i % 20, "Journal of Tests"));
  }
  dedup_options one;
  one.threads = 1;
  dedup_options two;
  two.threads = 2;
  const auto r1 = deduplicate(recs, one), r2 = deduplicate(recs, two);
  EXPECT_EQ(format_decisions_csv(recs, r1), format_decisions_csv(recs, r2));
  EXPECT_EQ(r1.duplicates, 1500U);
}

}  // namespace
