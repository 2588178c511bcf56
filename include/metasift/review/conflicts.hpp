#pragma once
// The open conflicts of a screening team: records whose reviewers made different decisions at a
// stage and that nobody has adjudicated yet (`metasift conflicts`). The CSV form is an
// adjudication file waiting to be filled in: its `decision` and `reason` columns are empty, and
// once filled (include / exclude / not-retrieved, or the name of the reviewer whose decision
// stands) it can be named as [screening] adjudication; lines left empty stay open.

#include <optional>
#include <string>
#include <vector>

#include "metasift/review/screen.hpp"

namespace metasift::review {

struct conflict_filter {
  std::optional<screening_stage> stage;  ///< empty: both stages
  bool reason_differences = false;       ///< also list same-decision, different-reason records not adjudicated
};

/// The open conflicts of a screening run, in record order, title-abstract before full text.
[[nodiscard]] std::vector<screening_conflict> open_conflicts(const screen_result& result,
                                                             const conflict_filter& filter = {});

/// record,stage,title,<reviewer>_decision,<reviewer>_reason,...,decision,reason (RFC 4180).
[[nodiscard]] std::string format_conflicts_csv(const screen_result& result, const std::vector<screening_conflict>& c);

/// {"conflicts": [{"record", "stage", "kind", "title", "reviewers": [{"name","decision","reason","time"}]}], "count"}
[[nodiscard]] std::string format_conflicts_json(const screen_result& result, const std::vector<screening_conflict>& c);

/// One block per conflict, for a terminal.
[[nodiscard]] std::string format_conflicts_text(const screen_result& result, const std::vector<screening_conflict>& c);

}  // namespace metasift::review
