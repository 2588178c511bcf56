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
//   decisions = "decisions.csv"  # optional human decisions: record,stage,decision,reason
//
// Every error names review.toml:line:column. Unknown keys are errors (a typo must not silently
// disable a criterion).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/criteria.hpp"
#include "metasift/review/query.hpp"

namespace metasift::review {

struct review_source {
  std::string name;
  std::vector<std::string> files;              ///< as written in review.toml
  std::vector<std::filesystem::path> paths;    ///< resolved against the review folder
  std::string format;                          ///< forced import format; empty = detect
  source_position where;
};

struct review_search {
  std::string query;
  query_dialect dialect = query_dialect::generic;
  compiled_query compiled;
  source_position where;  ///< first character of the query text in review.toml
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
