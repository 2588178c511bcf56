// Deduplication on real exports from the shared corpus (../shared/fixtures/bibliographic/):
//   - ASySD's hand-labelled set (1,845 records): sensitivity and specificity, printed and asserted;
//   - the "restoration" search exported from Web of Science, PubMed and Scopus: the numbers are
//     printed and checked for sense.
// Both skip visibly when the corpus is absent. Nothing from the corpus is copied into the repo.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "metasift/io/table.hpp"
#include "metasift/review/dedup.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/review/import.hpp"

namespace {

namespace fs = std::filesystem;
using namespace metasift::review;

const fs::path corpus = fs::path(METASIFT_SHARED_DIR) / "fixtures" / "bibliographic";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The labelled set mixes UTF-8 with stray Latin-1 bytes (a "©" as 0xA9): keep valid UTF-8
/// sequences, read any other byte as Latin-1.
std::string repair_utf8(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    std::size_t len = b < 0x80 ? 1 : (b & 0xE0U) == 0xC0U ? 2 : (b & 0xF0U) == 0xE0U ? 3 : (b & 0xF8U) == 0xF0U ? 4 : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0U) == 0x80U;
    if (ok) {
      out.append(in, i, len);
      i += len;
    } else {
      out += static_cast<char>(0xC0U | (b >> 6));
      out += static_cast<char>(0x80U | (b & 0x3FU));
      ++i;
    }
  }
  return out;
}

std::string na(const std::string& s) {
  return s == "NA" ? std::string() : s;
}

TEST(DedupCorpus, AsysdLabelledSetSensitivitySpecificity) {
  const fs::path file = corpus / "asysd" / "labelled_test_set.csv";
  if (!fs::exists(file)) GTEST_SKIP() << "skipped: " << file << " not found (shared corpus absent)";
  const metasift::io::table t = metasift::io::parse_table(repair_utf8(slurp(file)), file.string());
  auto col = [&](const char* name) {
    const auto c = t.find(name);
    if (!c) throw std::runtime_error(std::string("missing column ") + name);
    return *c;
  };
  const std::size_t c_author = col("author"), c_title = col("title"), c_year = col("year"), c_journal = col("journal"),
                    c_abstract = col("abstract"), c_doi = col("doi"), c_number = col("number"), c_pages = col("pages"),
                    c_volume = col("volume"), c_isbn = col("isbn"), c_id = col("record_id"), c_truth = col("source"),
                    c_label = col("label");
  std::vector<record> recs;
  std::vector<bool> truly_unique;
  std::vector<bool> in_database;  // the "label" column: In_database / Duplicate_in_trash
  for (const auto& row : t.rows) {
    record r;
    if (!na(row[c_author]).empty()) r.authors.push_back(row[c_author]);
    r.title = na(row[c_title]);
    r.year = std::atoi(row[c_year].c_str());
    r.journal = na(row[c_journal]);
    r.abstract = na(row[c_abstract]);
    r.doi = na(row[c_doi]);
    r.issue = na(row[c_number]);
    r.pages = na(row[c_pages]);
    r.volume = na(row[c_volume]);
    r.issn = na(row[c_isbn]);
    r.source_id = row[c_id];
    r.source_file = "labelled_test_set.csv";
    recs.push_back(std::move(r));
    // The file's "label"/"source" headers are swapped (SOURCES.md): "source" holds the truth.
    truly_unique.push_back(row[c_truth] == "unique");
    in_database.push_back(row[c_label] == "In_database");
  }
  ASSERT_EQ(recs.size(), 1845U);
  ASSERT_EQ(std::count(truly_unique.begin(), truly_unique.end(), true), 584);

  const auto t0 = std::chrono::steady_clock::now();
  const dedup_result res = deduplicate(recs);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Groups as metasift formed them.
  std::map<std::size_t, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& d = res.decisions[i];
    groups[d.status == dedup_status::duplicate ? d.duplicate_of : i].push_back(i);
  }
  // ASySD's own measure (validation/calculate_performance_function.R with keep_label = "Unique"):
  // in each group the record labelled unique is the one kept, so every error is a wrong merge or
  // a missed one, not a choice between two copies. The copy-choice measure keeps metasift's own
  // choice (the most complete copy), which the labels do not follow, so it is printed only.
  auto measure = [&](bool keep_label, const std::vector<bool>& truth) {
    std::size_t tp = 0, fn = 0, tn = 0, fp = 0;
    for (const auto& [kept, members] : groups) {
      std::size_t keep = kept;
      if (keep_label) {
        for (const std::size_t m : members) {
          if (truth[m]) {
            keep = m;
            break;
          }
        }
      }
      for (const std::size_t m : members) {
        const bool removed = m != keep;
        if (truth[m])
          (removed ? fp : tn)++;
        else
          (removed ? tp : fn)++;
      }
    }
    return std::array<std::size_t, 4>{tp, fn, tn, fp};
  };
  const auto [tp, fn, tn, fp] = measure(true, truly_unique);
  const auto [tp2, fn2, tn2, fp2] = measure(false, truly_unique);
  const auto [tp3, fn3, tn3, fp3] = measure(true, in_database);
  const double sens = static_cast<double>(tp) / static_cast<double>(tp + fn);
  const double spec = static_cast<double>(tn) / static_cast<double>(tn + fp);
  std::printf("[ ASySD    ] %zu records (584 unique, 1261 duplicates by the labels), %zu candidate pairs, %.3f s\n",
              recs.size(), res.candidate_pairs, secs);
  std::printf("[ ASySD    ] removed %zu, kept %zu (%zu of them queued as maybe)\n", res.duplicates, res.kept.size(),
              res.maybes);
  std::printf(
      "[ ASySD    ] ASySD measure (labelled record kept): TP %zu FN %zu TN %zu FP %zu  "
      "sensitivity %.4f specificity %.4f\n",
      tp, fn, tn, fp, sens, spec);
  std::printf(
      "[ ASySD    ] copy-choice measure (keeping another copy of a group than the labelled one counts as "
      "an error): TP %zu FN %zu TN %zu FP %zu  "
      "sensitivity %.4f specificity %.4f\n",
      tp2, fn2, tn2, fp2, static_cast<double>(tp2) / static_cast<double>(tp2 + fn2),
      static_cast<double>(tn2) / static_cast<double>(tn2 + fp2));
  // Issue 5 words the target as "the 896 marked Duplicate_in_trash should go", i.e. the "label"
  // column as the truth. It cannot be: ASySD's own test (tests/testthat/test-dedup.R) expects 586
  // records kept, not 949, and records labelled In_database include exact copies of each other
  // (counted here: same DOI and same normalised title). So that reading is printed, not asserted.
  std::map<std::pair<std::string, std::string>, std::size_t> in_db_copies;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const std::string d = canonical_doi(recs[i].doi);
    if (in_database[i] && !d.empty()) ++in_db_copies[{d, normalize_title(recs[i].title)}];
  }
  std::size_t copy_groups = 0, copy_records = 0;
  for (const auto& [key, n] : in_db_copies) {
    if (n > 1) {
      ++copy_groups;
      copy_records += n;
    }
  }
  std::printf(
      "[ ASySD    ] \"label\" column as the truth (949 In_database kept, 896 Duplicate_in_trash removed): "
      "TP %zu FN %zu TN %zu FP %zu  sensitivity %.4f specificity %.4f -- not the truth: %zu groups of "
      "In_database records (%zu records) share DOI and title\n",
      tp3, fn3, tn3, fp3, static_cast<double>(tp3) / static_cast<double>(tp3 + fn3),
      static_cast<double>(tn3) / static_cast<double>(tn3 + fp3), copy_groups, copy_records);
  EXPECT_GT(copy_groups, 0U);
  EXPECT_GE(sens, 0.95);
  EXPECT_GE(spec, 0.995);
}

TEST(DedupCorpus, RestorationSearchAcrossThreeDatabases) {
  const fs::path dir = corpus / "revtools";
  const std::vector<std::pair<std::string, fs::path>> files = {{"Web of Science", dir / "restoration_WoS.ciw"},
                                                               {"PubMed", dir / "restoration_pubmed.nbib"},
                                                               {"Scopus", dir / "restoration_scopus.ris"}};
  for (const auto& [name, path] : files) {
    if (!fs::exists(path)) GTEST_SKIP() << "skipped: " << path << " not found (shared corpus absent)";
  }
  std::vector<record> recs;
  std::vector<std::string> db;
  std::map<std::string, std::size_t> per_db;
  for (const auto& [name, path] : files) {
    import_options opt;
    opt.database = name;
    const import_result r = import_file(path, opt);
    per_db[name] = r.records.size();
    for (const auto& rec : r.records) {
      recs.push_back(rec);
      db.push_back(name);
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  const dedup_result res = deduplicate(recs);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Reference points: exact DOI duplicates, and exact normalised-title duplicates.
  std::set<std::string> dois, titles;
  std::size_t doi_dups = 0, title_dups = 0, with_doi = 0;
  for (const auto& r : recs) {
    const std::string d = canonical_doi(r.doi);
    if (!d.empty()) {
      ++with_doi;
      if (!dois.insert(d).second) ++doi_dups;
    }
    const std::string ti = normalize_title(r.title);
    if (!ti.empty() && !titles.insert(ti).second) ++title_dups;
  }
  std::map<std::string, std::size_t> cross, within, rules;
  std::size_t merged_conflicting_doi = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& d = res.decisions[i];
    if (d.status != dedup_status::duplicate) continue;
    const std::size_t k = d.duplicate_of;
    (db[i] == db[k] ? within[db[i]] : cross[db[i] + " -> " + db[k]])++;
    rules[d.rule]++;
    const std::string a = canonical_doi(recs[i].doi), b = canonical_doi(recs[k].doi);
    if (!a.empty() && !b.empty() && a != b) ++merged_conflicting_doi;
  }
  std::printf("[ restore  ] imported: Web of Science %zu, PubMed %zu, Scopus %zu = %zu records (%zu with a DOI)\n",
              per_db["Web of Science"], per_db["PubMed"], per_db["Scopus"], recs.size(), with_doi);
  std::printf(
      "[ restore  ] removed %zu duplicates, kept %zu unique (%zu queued as maybe); %zu candidate pairs, %.3f s\n",
      res.duplicates, res.kept.size(), res.maybes, res.candidate_pairs, secs);
  std::printf("[ restore  ] for reference: exact-DOI duplicates %zu, exact-normalised-title duplicates %zu\n", doi_dups,
              title_dups);
  for (const auto& [k, n] : cross) std::printf("[ restore  ]   cross-database %-28s %zu\n", k.c_str(), n);
  for (const auto& [k, n] : within) std::printf("[ restore  ]   within %-36s %zu\n", k.c_str(), n);
  for (const auto& [k, n] : rules) std::printf("[ restore  ]   rule %-38s %zu\n", k.c_str(), n);

  EXPECT_EQ(merged_conflicting_doi, 0U);
  EXPECT_GE(res.duplicates, doi_dups);         // at least every DOI duplicate is found...
  EXPECT_LT(res.duplicates, recs.size() / 2);  // ...and the search is not collapsed
  std::size_t cross_total = 0;
  for (const auto& [k, n] : cross) cross_total += n;
  EXPECT_GT(cross_total, 0U);
}

}  // namespace
