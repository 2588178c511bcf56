#pragma once
// Deduplication of bibliographic records, after ASySD (Hair et al. 2023): normalise, find
// candidate pairs by multi-key blocking (never all n^2 pairs), score each candidate pair field by
// field with Jaro-Winkler, accept it through a documented rule table, and queue doubtful pairs as
// "maybe" for a human. The design goal is zero false merges: a DOI conflict, a PubMed ID
// conflict, a year conflict (|difference| > 1), a page or volume conflict, differing numbers in
// the titles, or an erratum/comment against its article never merges automatically (docs/review.md
// lists every rule). Of each group of duplicates the most complete record is kept.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/review/record.hpp"

namespace metasift::review {

/// Jaro similarity in [0, 1] of two byte strings (1 for two empty strings).
[[nodiscard]] double jaro(std::string_view a, std::string_view b);

/// Jaro-Winkler similarity: jaro + l * p * (1 - jaro), l = common prefix length capped at 4.
/// The prefix bonus is applied whatever the Jaro value (as in R stringdist, which ASySD uses).
[[nodiscard]] double jaro_winkler(std::string_view a, std::string_view b, double p = 0.1);

enum class dedup_status { unique, duplicate, maybe };
[[nodiscard]] const char* to_string(dedup_status s) noexcept;

struct dedup_options {
  unsigned threads = 0;         ///< scoring threads; 0 = std::thread::hardware_concurrency()
  std::size_t max_block = 400;  ///< blocks larger than this are compared by sorted neighbourhood
  std::size_t window = 25;      ///< sorted-neighbourhood window inside an oversized block
};

/// Field similarities of one candidate pair. Similarities are in [0, 1]; -1 means "missing on at
/// least one side". Three-valued fields use +1 same, 0 conflict, -1 missing.
struct pair_features {
  double title = -1;
  double author = -1;
  double abstract = -1;  ///< computed only when a rule needs it
  double journal = -1;
  int doi = -1;
  int pmid = -1;
  int year = -1;   ///< +1 equal, 0 |diff| > 1, 2 |diff| == 1, -1 missing
  int pages = -1;  ///< first page
  int volume = -1;
  bool title_numbers_differ = false;  ///< the numbers in the two titles differ ("Part 1" / "Part 2")
  bool notice_mismatch = false;       ///< one is an erratum/retraction/comment/reply, the other not
  bool short_title = false;           ///< either normalised title has fewer than 5 words
};

/// The verdict on one candidate pair.
struct pair_verdict {
  enum class kind { none, merge, maybe } verdict = kind::none;
  std::string rule;  ///< rule id: "doi", "title-author-year-journal", ..., "maybe:doi-conflict", ...
  double score = 0;  ///< overall similarity in [0, 1] (informative; rules decide)
  pair_features features;
};

/// Scores one pair of records through the rule table (also used by the tests and the docs).
[[nodiscard]] pair_verdict compare_records(const record& a, const record& b);

struct dedup_decision {
  dedup_status status = dedup_status::unique;
  std::size_t duplicate_of = 0;  ///< index of the kept record (duplicate / maybe); the record itself when unique
  double score = 0;              ///< score of the pair that decided the status; 1 for unique
  std::string rule;              ///< rule of that pair; empty for unique
};

struct dedup_result {
  std::vector<dedup_decision> decisions;  ///< one per input record, in input order
  std::vector<std::size_t> kept;          ///< indices of the records kept (unique + maybe), ascending
  std::size_t candidate_pairs = 0;        ///< pairs scored after blocking
  std::size_t duplicates = 0;             ///< records removed
  std::size_t maybes = 0;                 ///< records queued for a human
};

/// Deduplicates records. Deterministic: the same input gives the same output whatever the
/// number of threads.
[[nodiscard]] dedup_result deduplicate(const std::vector<record>& records, const dedup_options& opt = {});

/// Completeness of a record's metadata (count of non-empty fields, abstract counted twice); the
/// kept record of a group is the most complete, ties going to the earliest.
[[nodiscard]] int completeness(const record& r) noexcept;

/// The decisions CSV of `metasift dedup`: record,source_file,source_id,status,duplicate_of,score,rule.
/// `record` and `duplicate_of` are 1-based positions in the input (files in command-line order,
/// records in file order); duplicate_of is empty for unique records.
[[nodiscard]] std::string format_decisions_csv(const std::vector<record>& records, const dedup_result& result);

}  // namespace metasift::review
