#include "metasift/review/criteria.hpp"

#include <algorithm>

namespace metasift::review {

criterion_check check_criterion(const criterion& c, const query_document& doc) {
  const record& r = doc.source();
  criterion_check out;
  auto note_unknown = [&](const char* what) {
    if (!out.detail.empty()) out.detail += "; ";
    out.detail += what;
    out.detail += c.missing_fails ? " unknown (fails: on_missing = \"fail\")" : " unknown (passes)";
    if (c.missing_fails) out.pass = false;
  };
  if (c.years) {
    if (r.year == 0) {
      note_unknown("year");
    } else if (r.year < c.years->first || r.year > c.years->second) {
      return {false, "year " + std::to_string(r.year) + " outside " + std::to_string(c.years->first) + "-" +
                         std::to_string(c.years->second)};
    }
  }
  if (!c.types.empty()) {
    if (r.type == record_type::other &&
        std::find(c.types.begin(), c.types.end(), record_type::other) == c.types.end()) {
      note_unknown("type");
    } else if (std::find(c.types.begin(), c.types.end(), r.type) == c.types.end()) {
      return {false, std::string("type ") + to_string(r.type) + " not listed"};
    }
  }
  if (!c.languages.empty()) {
    if (doc.language().empty()) {
      note_unknown("language");
    } else if (std::find(c.languages.begin(), c.languages.end(), doc.language()) == c.languages.end()) {
      return {false, "language " + doc.language() + " not listed"};
    }
  }
  if (!out.pass) return out;
  if (c.query && !c.query->matches(doc)) return {false, "does not match the query"};
  if (c.exclude_query && c.exclude_query->matches(doc)) return {false, "matches the exclude_query"};
  return out;
}

}  // namespace metasift::review
