#pragma once
// Eligibility criteria applied automatically before human screening, in the order review.toml
// lists them; the first one a record fails is its recorded reason. A criterion holds one or more
// constraints and passes when all of them pass:
//   years = [lo, hi]             publication year in [lo, hi]
//   types = ["journal-article"]  record type among these (record.hpp names)
//   languages = ["en", "zh"]     language among these (names or ISO codes, compared as ISO 639-1)
//   query = '...'                the record must match this query
//   exclude_query = '...'        the record must not match this query
// A record whose year, type or language is unknown (year 0, type "other", no language) passes
// that constraint unless on_missing = "fail": automation never excludes on data it does not
// have; a human does.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metasift/core/error.hpp"
#include "metasift/review/query.hpp"
#include "metasift/review/record.hpp"

namespace metasift::review {

struct criterion {
  std::string id;
  std::string reason;                        ///< shown in PRISMA and the audit trail
  std::optional<std::pair<int, int>> years;  ///< inclusive
  std::vector<record_type> types;
  std::vector<std::string> languages;  ///< ISO 639-1 (canonical_language)
  std::optional<compiled_query> query;
  std::optional<compiled_query> exclude_query;
  bool missing_fails = false;     ///< on_missing = "fail"
  source_position where;          ///< the [[criteria]] table in review.toml
  source_position query_where;    ///< first character of the query text
  source_position exclude_where;  ///< first character of the exclude_query text
};

/// A criterion on an extracted field (`[[criteria]]` with `field` and `allowed`, docs/extraction.md):
/// it cannot be applied before screening (the field is extracted from the included studies), so it
/// is checked by `metasift run` on the included records' extracted values, and an included record
/// whose value is not allowed is flagged in the report; it is never excluded automatically.
struct field_criterion {
  std::string id;
  std::string reason;
  std::string field;                           ///< a field id of the [extraction] codebook
  std::vector<std::string> allowed;            ///< the values that pass, as written
  std::vector<source_position> allowed_where;  ///< aligned with allowed: each value in review.toml
  source_position where;                       ///< the [[criteria]] table
  source_position field_where;                 ///< the field key's value
};

struct criterion_check {
  bool pass = true;
  std::string detail;  ///< why it failed, or which unknown value passed ("year unknown")
};

/// Checks one criterion against a prepared record.
[[nodiscard]] criterion_check check_criterion(const criterion& c, const query_document& doc);

}  // namespace metasift::review
