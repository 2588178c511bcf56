#pragma once
// review.toml: the single source of truth of a review (docs/review.md, "review.toml").
//
//   title = "..."
//   [[sources]]                  # one per database export; `name` is shown in PRISMA
//   name = "Scopus"
//   files = ["records/scopus.ris"]   # relative to the review file, never outside its folder
//   format = "ris"               # optional: force the import format
//   [search]                     # optional; re-applied locally to every record
//   query = '...'
//   dialect = "scopus"           # generic (default) | pubmed | scopus | wos
//   [[criteria]]                 # in order; the first failing one is the recorded reason
//   id = "date"
//   reason = "Published before 2000"
//   years = [2000, 2100]         # and/or types, languages, query, exclude_query (criteria.hpp)
//   dialect = "generic"          # optional, for query/exclude_query (default: [search].dialect)
//   on_missing = "pass"          # optional: "pass" (default) or "fail"
//   [screening]
//   decisions = "decisions.csv"  # optional: one reviewer's decisions (record,stage,decision,reason[,time])
//   # or a team:
//   mode = "dual"                # "single" (default) | "dual" | "dual-sample" (sample = 0.2, seed = 1)
//   reviewers = { reviewer_a = "decisions/a.csv", reviewer_b = "decisions/b.csv" }
//   adjudication = "decisions/adjudication.csv"
//   import = [{ tool = "rayyan", file = "rayyan.ris" }]   # decisions made in Rayyan, ASReview, Covidence
//
// Every error names review.toml:line:column. Unknown keys are errors (a typo must not silently
// disable a criterion).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/criteria.hpp"
#include "metasift/review/query.hpp"

namespace metasift::review {

/// What a source is, which decides its arm of the PRISMA 2020 diagram: databases and registers
/// on the left, the other methods (websites, organisations, citation searching) on the right.
enum class source_kind { database, study_register, website, organisation, citation };
[[nodiscard]] const char* to_string(source_kind k) noexcept;  ///< the review.toml spelling ("register", ...)
/// True for the kinds PRISMA 2020 draws under "identification of studies via other methods".
[[nodiscard]] constexpr bool is_other_method(source_kind k) noexcept {
  return k == source_kind::website || k == source_kind::organisation || k == source_kind::citation;
}

struct review_source {
  std::string name;
  source_kind kind = source_kind::database;
  std::vector<std::string> files;            ///< as written in review.toml
  std::vector<std::filesystem::path> paths;  ///< resolved against the review folder
  std::string format;                        ///< forced import format; empty = detect
  source_position where;
};

struct review_search {
  std::string query;
  query_dialect dialect = query_dialect::generic;
  compiled_query compiled;
  source_position where;  ///< first character of the query text in review.toml
};

/// How many reviewers must decide each record: one, two, or two for a random sample.
enum class screening_mode { single, dual, dual_sample };
[[nodiscard]] const char* to_string(screening_mode m) noexcept;  ///< "single", "dual", "dual-sample"

/// One decisions file of the team: a reviewer's, or the adjudication file.
struct decision_file {
  std::string name;            ///< reviewer name (the key in `reviewers`); "" for the legacy `decisions` file
  std::string label;           ///< path as written in review.toml
  std::filesystem::path path;  ///< resolved against the review folder
  source_position where;       ///< the value in review.toml
};

/// The screening tools whose exports `[screening] import` reads (decision_import.hpp).
enum class decision_tool { rayyan, asreview, covidence };
[[nodiscard]] const char* to_string(decision_tool t) noexcept;  ///< "rayyan", "asreview", "covidence"

/// One `[screening] import` entry: a screening tool's export whose decisions become reviewer
/// decisions (docs/review.md, "Decisions from other screening tools").
struct decision_import {
  decision_tool tool = decision_tool::rayyan;
  std::string label;              ///< path as written in review.toml
  std::filesystem::path path;     ///< resolved against the review folder
  std::string stage;              ///< "title-abstract" (default) or "full-text" (Rayyan)
  std::string reviewer;           ///< ASReview, Covidence: the reviewer these decisions belong to
  std::string list;               ///< Covidence: irrelevant | full-text-review | excluded | included
  std::string maybe = "include";  ///< Rayyan "Maybe" at title-abstract: "include" or "undecided"
  std::vector<std::pair<std::string, std::string>> rename;  ///< Rayyan: reviewer name in the export -> in metasift
  source_position where;                                    ///< the entry in review.toml
};

/// [screening]: who screened, and how their decisions combine (screen.hpp, "final decision").
struct screening_spec {
  screening_mode mode = screening_mode::single;
  double sample = 0.2;                   ///< dual-sample: share of screened records a second reviewer decides
  std::uint64_t seed = 1;                ///< dual-sample: which records (the same seed picks the same records)
  std::vector<decision_file> reviewers;  ///< in review.toml order; the legacy `decisions` file is one unnamed reviewer
  std::optional<decision_file> adjudication;
  std::vector<decision_import> imports;  ///< exports of other screening tools, in review.toml order
  source_position mode_where;
};

struct review_spec {
  std::filesystem::path file;  ///< the review file
  std::filesystem::path dir;   ///< its folder; every relative path is resolved against it
  std::string title;
  std::vector<review_source> sources;
  std::optional<review_search> search;
  std::vector<criterion> criteria;
  std::optional<std::filesystem::path> decisions;  ///< resolved path of [screening] decisions
  std::string decisions_label;                     ///< as written
  source_position decisions_where;
  screening_spec screening;  ///< reviewers (the legacy `decisions` file included) and adjudication
  /// [update] previous: the results folder of an earlier run of this review (a living review's
  /// update), resolved like every path of the file; `previous_label` keeps it as written, which
  /// is what reports show (an absolute path would differ from machine to machine).
  std::optional<std::filesystem::path> previous;
  std::string previous_label;
  source_position previous_where;
};

/// Reads and validates a review file. Throws io_error when it cannot be read and input_error
/// (review.toml:line:column) for any invalid content, path escaping the review folder, or query
/// with an error. `allow_outside` (metasift run --allow-outside) accepts paths outside the review
/// folder, absolute ones included. An [analysis] table is accepted and left to the run module.
[[nodiscard]] review_spec load_review_file(const std::filesystem::path& path, bool allow_outside = false);

/// The same from text; `path` names the file in messages and anchors relative paths.
[[nodiscard]] review_spec parse_review_file(std::string_view toml_text, const std::filesystem::path& path,
                                            bool allow_outside = false);

}  // namespace metasift::review
