// Duplicate patterns seen across databases, each on realistic pairs written here, with the
// negative cases that must NOT merge next to them. Expectations are the judgement a reviewer
// makes on reading the two records (same article or not), not values taken from the code.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metasift/review/dedup.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace {

using namespace metasift::review;

record make(std::string title, std::vector<std::string> authors, int year, std::string journal, std::string volume = "",
            std::string issue = "", std::string pages = "", std::string doi = "") {
  record r;
  r.title = std::move(title);
  r.authors = std::move(authors);
  r.year = year;
  r.journal = std::move(journal);
  r.volume = std::move(volume);
  r.issue = std::move(issue);
  r.pages = std::move(pages);
  r.doi = std::move(doi);
  return r;
}

pair_verdict::kind verdict(const record& a, const record& b) {
  return compare_records(a, b).verdict;
}

constexpr auto merge = pair_verdict::kind::merge;
constexpr auto maybe = pair_verdict::kind::maybe;
constexpr auto none = pair_verdict::kind::none;

// --- author names ------------------------------------------------------------------------------

TEST(DedupPatterns, FamilyAndGivenNamesSwappedByOneDatabase) {
  const std::string t = "Association between particulate matter exposure and childhood asthma in urban China";
  const record cnki =
      make(t, {"Zhang Wei", "Liu Yang", "Chen Jing"}, 2019, "Environmental Research", "172", "", "55-62");
  const record scopus = make(t, {"Wei, Zhang", "Yang, Liu", "Jing, Chen"}, 2019, "Environ Res", "172", "", "55-62");
  const record wos = make(t, {"Zhang, W", "Liu, Y", "Chen, J"}, 2019, "ENVIRONMENTAL RESEARCH", "172", "", "55-62");
  EXPECT_EQ(verdict(cnki, wos), merge);
  EXPECT_EQ(verdict(scopus, wos), merge);
  // Negative: same title words in another year and journal by other authors.
  const record other =
      make(t, {"Wang, Li", "Sun, Hao"}, 2021, "Science of the Total Environment", "760", "", "143-150");
  EXPECT_NE(verdict(wos, other), merge);
}

TEST(DedupPatterns, NameParticlesWrittenDifferently) {
  EXPECT_EQ(normalize_author("van der Graaf, Anna"), normalize_author("Graaf, A. van der"));
  EXPECT_EQ(normalize_author("Van Graaf, A"), normalize_author("van der Graaf, Anna"));
  EXPECT_EQ(normalize_author("Graaf, van der A"), normalize_author("van der Graaf A"));
  EXPECT_EQ(normalize_author("de la Cruz, Maria"), normalize_author("Cruz, M. de la"));
  // Negative: a particle never makes two different family names equal.
  EXPECT_NE(normalize_author("van der Graaf, Anna"), normalize_author("van der Berg, Anna"));
  const std::string t = "Long-term outcomes of preterm birth in the Netherlands: a national cohort study";
  const record a = make(t, {"van der Graaf, Anna", "de Vries, Jan"}, 2018, "BMJ Open", "8", "4", "e019876");
  const record b = make(t, {"Graaf, A. van der", "Vries, J. de"}, 2018, "BMJ open", "8", "4", "e019876");
  EXPECT_EQ(verdict(a, b), merge);
}

TEST(DedupPatterns, InitialsWithAndWithoutPeriodsAndHyphens) {
  EXPECT_EQ(normalize_author("Sartre, J.-P."), normalize_author("Sartre JP"));
  EXPECT_EQ(normalize_author("Sartre, Jean-Pierre"), normalize_author("J. P. Sartre"));
  const std::string t = "Cognitive behavioural therapy for insomnia in older adults: randomised controlled trial";
  EXPECT_EQ(verdict(make(t, {"Dupont, J.-P.", "Martin, M.-C."}, 2016, "Sleep Medicine", "20"),
                    make(t, {"Dupont JP", "Martin MC"}, 2016, "Sleep Med", "20")),
            merge);
}

// --- characters and numbers in titles -----------------------------------------------------------

TEST(DedupPatterns, GreekLettersSpelledAsSymbolsOrDropped) {
  const std::vector<std::string> au = {"Okafor, C", "Bello, A"};
  const record symbol = make("Serum TNF-\xCE\xB1 and IL-1\xCE\xB2 levels in patients with rheumatoid arthritis", au,
                             2017, "Clinical Rheumatology", "36", "2", "301-308");
  const record spelled = make("Serum TNF-alpha and IL-1beta levels in patients with rheumatoid arthritis", au, 2017,
                              "Clin Rheumatol", "36", "2", "301-308");
  const record dropped = make("Serum TNF- and IL-1 levels in patients with rheumatoid arthritis", au, 2017,
                              "Clinical rheumatology", "36", "2", "301-308");
  EXPECT_EQ(verdict(symbol, spelled), merge);
  EXPECT_EQ(verdict(symbol, dropped), merge);
  // Negative: alpha and beta receptors are different studies, even by the same group.
  const record alpha = make("Expression of estrogen receptor alpha in endometrial cancer tissue", au, 2017,
                            "Gynecologic Oncology", "145", "", "100-106");
  const record beta = make("Expression of estrogen receptor beta in endometrial cancer tissue", au, 2017,
                           "Gynecologic Oncology", "145", "", "200-206");
  EXPECT_NE(verdict(alpha, beta), merge);
}

TEST(DedupPatterns, DigitGroupingInTitleNumbers) {
  const std::vector<std::string> au = {"Reich, D", "Patterson, N"};
  EXPECT_EQ(verdict(make("A 3,000-year genetic history of the Iberian Peninsula", au, 2019, "Science", "363"),
                    make("A 3000-year genetic history of the Iberian Peninsula", au, 2019, "Science", "363")),
            merge);
  // Negative: a different number is a different study.
  EXPECT_NE(verdict(make("A 3,000-year genetic history of the Iberian Peninsula", au, 2019, "Science", "363"),
                    make("A 8000-year genetic history of the Iberian Peninsula", au, 2019, "Science", "363")),
            merge);
}

TEST(DedupPatterns, NumbersWrittenAsWordsOrDigits) {
  EXPECT_EQ(normalize_title("Three-year outcomes of early mobilisation after stroke"),
            normalize_title("3-year outcomes of early mobilisation after stroke"));
  EXPECT_EQ(normalize_title("Twenty years of screening"), normalize_title("20 years of screening"));
  EXPECT_EQ(normalize_title("Twenty-one days of fasting"), normalize_title("21 days of fasting"));
  EXPECT_EQ(normalize_title("One hundred and twenty patients"), normalize_title("120 patients"));
  EXPECT_EQ(normalize_title("Two thousand births"), normalize_title("2,000 births"));
  EXPECT_EQ(normalize_title("First-episode psychosis"), normalize_title("1st-episode psychosis"));
  EXPECT_EQ(normalize_title("The twenty-first century"), normalize_title("The 21st century"));
  // Words that merely contain number words stay as they are.
  EXPECT_EQ(normalize_title("Someone often tends to fortify tone"), "someone often tends to fortify tone");
  // Negatives: a different number stays a different title, whichever way it is written.
  EXPECT_NE(normalize_title("Phase two trial of drug X"), normalize_title("Phase 3 trial of drug X"));
  EXPECT_NE(normalize_title("Twenty-one days of fasting"), normalize_title("20 days of fasting"));

  const std::vector<std::string> au = {"Bernhardt, J", "Langhorne, P"};
  EXPECT_EQ(verdict(make("Three-year outcomes of very early mobilisation after stroke: a randomised trial", au, 2019,
                         "Lancet Neurology", "18", "4", "331-340"),
                    make("3-year outcomes of very early mobilisation after stroke: a randomised trial", au, 2019,
                         "Lancet Neurol", "18", "4", "331-340")),
            merge);
  EXPECT_EQ(verdict(make("Twenty years of colorectal cancer screening in Finland", au, 2020, "Gut", "69"),
                    make("20 years of colorectal cancer screening in Finland", au, 2020, "Gut", "69")),
            merge);
  // Negative: trials of two phases, or studies of two and of three cohorts, are different studies
  // even with the same authors, journal and year.
  EXPECT_NE(verdict(make("Phase 2 trial of nivolumab in advanced melanoma", au, 2018, "Lancet Oncology", "19"),
                    make("Phase 3 trial of nivolumab in advanced melanoma", au, 2018, "Lancet Oncology", "19")),
            merge);
  EXPECT_NE(verdict(make("Vitamin D and fracture risk in two cohorts of older women", au, 2016, "Bone", "90"),
                    make("Vitamin D and fracture risk in three cohorts of older women", au, 2016, "Bone", "90")),
            merge);
  EXPECT_NE(verdict(make("Three-year survival after transcatheter valve replacement", au, 2017, "Heart", "103"),
                    make("5-year survival after transcatheter valve replacement", au, 2017, "Heart", "103")),
            merge);
}

// --- decorations on titles ------------------------------------------------------------------------

TEST(DedupPatterns, SectionPrefixOnTheTitle) {
  const std::vector<std::string> au = {"Rowe, SM", "Miller, S", "Sorscher, EJ"};
  EXPECT_EQ(verdict(make("MEDICAL PROGRESS: Cystic fibrosis", au, 2005, "New England Journal of Medicine", "352", "19",
                         "1992-2001"),
                    make("Cystic fibrosis", au, 2005, "N Engl J Med", "352", "19", "1992-2001")),
            merge);
  const std::vector<std::string> au2 = {"Kim, H", "Park, S"};
  EXPECT_EQ(verdict(make("Original Article: Vitamin D supplementation and fracture risk in postmenopausal women", au2,
                         2014, "Osteoporosis International", "25"),
                    make("Vitamin D supplementation and fracture risk in postmenopausal women", au2, 2014,
                         "Osteoporos Int", "25")),
            merge);
  // Negative: a real subtitle-style lead is not a section name.
  EXPECT_EQ(normalize_title("Asthma: a review"), "asthma a review");
}

TEST(DedupPatterns, ErratumAndCommentTailsAreStrippedAndTheArticleStaysAnArticle) {
  const std::vector<std::string> au = {"Smith, J", "Jones, K"};
  const std::string t = "Aspirin for the primary prevention of cardiovascular events in diabetes";
  const record ovid =
      make(t + ". [Erratum appears in Lancet. 2019 Mar 2;393(10174):876]", au, 2018, "Lancet", "392", "", "1529-1539");
  const record embase = make(t, au, 2018, "The Lancet", "392", "", "1529-1539");
  const record commented = make(t + " [Comment in: Lancet. 2018;392:1489]", au, 2018, "Lancet", "392", "", "1529-39");
  EXPECT_EQ(verdict(ovid, embase), merge);
  EXPECT_EQ(verdict(commented, embase), merge);
  // The erratum itself is still a separate item, never merged with its article.
  const record erratum = make("Erratum: " + t, au, 2019, "Lancet", "393", "", "876");
  EXPECT_EQ(verdict(erratum, embase), none);
  EXPECT_EQ(verdict(erratum, ovid), none);
}

TEST(DedupPatterns, TranslatedTitleInBrackets) {
  const std::vector<std::string> au = {"Müller, H", "Schmidt, K"};
  const record medline = make("[Treatment of chronic low back pain in primary care].", au, 2015,
                              "Deutsche Medizinische Wochenschrift", "140", "3", "180-186");
  const record embase = make("Treatment of chronic low back pain in primary care", au, 2015, "Dtsch Med Wochenschr",
                             "140", "3", "180-186");
  EXPECT_EQ(verdict(medline, embase), merge);
}

// --- identifiers and pagination ---------------------------------------------------------------------

TEST(DedupPatterns, ElocatorVersusPageRangeAndOnlineFirstPagination) {
  const std::vector<std::string> au = {"Garcia, M", "Lopez, R", "Fernandez, A"};
  const std::string t = "Prevalence of burnout among nurses during the COVID-19 pandemic: a cross-sectional survey";
  const record eloc = make(t, au, 2021, "PLoS ONE", "16", "3", "e0248123");
  const record range = make(t, au, 2021, "PLOS ONE", "16", "3", "1-14");
  EXPECT_EQ(verdict(eloc, range), merge);
  const record online_first = make(t, au, 2021, "Journal of Nursing Management", "", "", "1-9");
  const record print = make(t, au, 2021, "Journal of Nursing Management", "29", "5", "1012-1020");
  EXPECT_EQ(verdict(online_first, print), merge);
}

TEST(DedupPatterns, SameDoiIsNeverAMaybeForPagesAlone) {
  const std::vector<std::string> au = {"Ahmed, S", "Khan, T"};
  const std::string t = "Machine learning for early detection of sepsis in intensive care units";
  const record a = make(t, au, 2020, "Critical Care", "24", "", "1-12", "10.1186/s13054-020-03000-1");
  const record b = make(t, au, 2020, "Crit Care", "24", "", "301", "10.1186/s13054-020-03000-1");
  EXPECT_EQ(verdict(a, b), merge);
  // A supplement DOI shared by two different abstracts (different titles) is not a duplicate, and
  // not a maybe for pages either.
  const record s1 = make("Sepsis bundles in rural hospitals", au, 2020, "Critical Care", "24", "S1", "P101",
                         "10.1186/s13054-020-2772-3");
  const record s2 = make("Vasopressin in septic shock: a registry", au, 2020, "Critical Care", "24", "S1", "P102",
                         "10.1186/s13054-020-2772-3");
  EXPECT_NE(verdict(s1, s2), merge);
  EXPECT_NE(compare_records(s1, s2).rule, "maybe:pages-conflict");
}

// --- same title, different items -------------------------------------------------------------------

TEST(DedupPatterns, GenericTitlesInDifferentIssuesNeverMerge) {
  for (const char* t : {"Editorial", "Reply", "Erratum", "In this issue", "Editor's comments"}) {
    SCOPED_TRACE(t);
    const record a = make(t, {"Brown, P"}, 2018, "Journal of Hospital Medicine", "13", "4", "");
    const record b = make(t, {"Brown, P"}, 2018, "Journal of Hospital Medicine", "13", "5", "");
    EXPECT_EQ(verdict(a, b), none);
    const record c = make(t, {}, 2018, "Journal of Hospital Medicine", "13", "4", "");
    const record d = make(t, {}, 2018, "Journal of Hospital Medicine", "13", "6", "");
    EXPECT_EQ(verdict(c, d), none);
  }
  // A differing issue blocks the merge of an otherwise identical specific title, too.
  const std::string t = "Conference session III: advances in perioperative medicine";
  EXPECT_NE(verdict(make(t, {"Lee, K"}, 2018, "Anesthesia and Analgesia", "126", "4"),
                    make(t, {"Lee, K"}, 2018, "Anesthesia and Analgesia", "126", "5")),
            merge);
}

}  // namespace
