// Open conflicts of a screening team, as text, JSON and a fill-in adjudication CSV.
#include "metasift/review/conflicts.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit_csv.hpp"

namespace metasift::review {
namespace {

const stage_decisions& decisions_of(const screen_result& r, const screening_conflict& c) {
  const audit_entry& a = r.audit[c.record];
  return c.stage == screening_stage::title_abstract ? a.ta_team : a.ft_team;
}

}  // namespace

std::vector<screening_conflict> open_conflicts(const screen_result& result, const conflict_filter& filter) {
  std::vector<screening_conflict> out;
  for (const auto& c : result.conflicts) {
    if (c.adjudicated) continue;
    if (!c.decisions_differ && !filter.reason_differences) continue;
    if (filter.stage && *filter.stage != c.stage) continue;
    out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(), [](const screening_conflict& a, const screening_conflict& b) {
    return std::pair(a.stage, a.record) < std::pair(b.stage, b.record);
  });
  return out;
}

std::string format_conflicts_csv(const screen_result& result, const std::vector<screening_conflict>& conflicts) {
  std::string out = "record,stage,title";
  for (const auto& n : result.reviewers) out += "," + n + "_decision," + n + "_reason";
  out += ",decision,reason\n";
  for (const auto& c : conflicts) {
    const stage_decisions& sd = decisions_of(result, c);
    detail::csv_field(out, result.audit[c.record].key);
    out += ',';
    out += to_string(c.stage);
    out += ',';
    detail::csv_field(out, result.records[c.record].title);
    for (std::size_t r = 0; r < result.reviewers.size(); ++r) {
      const auto& d = r < sd.by_reviewer.size() ? sd.by_reviewer[r] : std::nullopt;
      out += ',';
      if (d) detail::csv_field(out, d->decision);
      out += ',';
      if (d) detail::csv_field(out, d->reason);
    }
    out += ",,\n";
  }
  return out;
}

std::string format_conflicts_json(const screen_result& result, const std::vector<screening_conflict>& conflicts) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& c : conflicts) {
    const stage_decisions& sd = decisions_of(result, c);
    nlohmann::ordered_json e;
    e["record"] = result.audit[c.record].key;
    e["stage"] = to_string(c.stage);
    e["kind"] = c.decisions_differ ? "decision" : "reason";
    e["title"] = result.records[c.record].title;
    nlohmann::ordered_json rv = nlohmann::ordered_json::array();
    for (std::size_t r = 0; r < result.reviewers.size(); ++r) {
      const auto& d = r < sd.by_reviewer.size() ? sd.by_reviewer[r] : std::nullopt;
      nlohmann::ordered_json x;
      x["name"] = result.reviewers[r];
      x["decision"] = d ? nlohmann::ordered_json(d->decision) : nlohmann::ordered_json(nullptr);
      x["reason"] = d ? nlohmann::ordered_json(d->reason) : nlohmann::ordered_json(nullptr);
      x["time"] = d && !d->time.empty() ? nlohmann::ordered_json(d->time) : nlohmann::ordered_json(nullptr);
      x["line"] = d ? nlohmann::ordered_json(d->file + ":" + std::to_string(d->line)) : nlohmann::ordered_json(nullptr);
      rv.push_back(std::move(x));
    }
    e["reviewers"] = std::move(rv);
    a.push_back(std::move(e));
  }
  nlohmann::ordered_json j;
  j["count"] = conflicts.size();
  j["conflicts"] = std::move(a);
  return j.dump(2) + "\n";
}

std::string format_conflicts_text(const screen_result& result, const std::vector<screening_conflict>& conflicts) {
  std::string o;
  if (conflicts.empty()) return "No open conflicts.\n";
  o += std::to_string(conflicts.size()) + (conflicts.size() == 1 ? " open conflict" : " open conflicts") + "\n";
  for (const auto& c : conflicts) {
    const stage_decisions& sd = decisions_of(result, c);
    o += "\n" + result.audit[c.record].key + "  " + to_string(c.stage) +
         (c.decisions_differ ? "" : "  (same decision, different reasons)") + "\n  " + result.records[c.record].title +
         "\n";
    for (std::size_t r = 0; r < result.reviewers.size(); ++r) {
      const auto& d = r < sd.by_reviewer.size() ? sd.by_reviewer[r] : std::nullopt;
      o += "  " + result.reviewers[r] + ": " +
           (d ? d->decision + (d->reason.empty() ? "" : " (" + d->reason + ")") : std::string("no decision")) + "\n";
    }
  }
  return o;
}

}  // namespace metasift::review
