// An update of a review (living reviews): this run against the results folder of an earlier one.
// Records are matched by their id (<source>:<source_id>) and, for included studies, also by DOI,
// so a study whose export gave it a new id is not counted as new. The PRISMA counts become those
// of the PRISMA 2020 template for updated reviews (previous, new and total studies).
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace metasift::run {
namespace {

using json = nlohmann::ordered_json;

json read_json(const std::filesystem::path& p) {
  const std::string text = io::read_file(p);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail_input({p.string(), 1, 1}, "", std::string("not a metasift results.json: ") + e.what());
  }
}

double num(const json& v) {
  return v.is_number() ? v.get<double>() : std::nan("");
}

pooled_snapshot pooled_of(const json& doc) {
  pooled_snapshot s;
  if (!doc.contains("meta_analysis") || !doc["meta_analysis"].is_object()) return s;
  const json& m = doc["meta_analysis"];
  if (!m.contains("pooled") || !m["pooled"].is_object()) return s;
  const json& p = m["pooled"];
  s.present = true;
  s.estimate = num(p.value("estimate", json()));
  s.ci_lower = num(p.value("ci_lower", json()));
  s.ci_upper = num(p.value("ci_upper", json()));
  if (m.contains("k") && m["k"].is_number_unsigned()) s.k = m["k"].get<std::size_t>();
  if (m.contains("measure") && m["measure"].is_string()) s.measure = m["measure"].get<std::string>();
  return s;
}

std::string title_of(const review::record& r) {
  std::string t = r.title.size() > 120 ? r.title.substr(0, 117) + "..." : r.title;
  return t.empty() ? std::string("(no title)") : t;
}

}  // namespace

update_comparison compare_with_previous(const std::filesystem::path& dir, const std::string& label, review_bundle& rv) {
  update_comparison u;
  u.previous = label;
  const std::filesystem::path audit_path = dir / "screening.csv";
  const io::table old = io::read_table(audit_path);
  const auto c_record = old.find("record");
  const auto c_status = old.find("final_status");
  if (!c_record || !c_status) {
    fail_input({audit_path.string(), 1, 1}, "",
               std::string("not a metasift screening.csv: missing column '") + (!c_record ? "record" : "final_status") +
                   "' (the previous results folder holds the files `metasift run` wrote)");
  }
  const auto c_doi = old.find("doi");
  std::set<std::string> old_keys, old_included_keys, old_included_dois;
  std::vector<std::pair<std::string, std::string>> old_included;  // key, doi
  for (std::size_t r = 0; r < old.rows.size(); ++r) {
    const std::string& key = old.rows[r][*c_record];
    old_keys.insert(key);
    if (old.rows[r][*c_status] == "included") {
      const std::string doi = c_doi ? review::canonical_doi(old.rows[r][*c_doi]) : std::string();
      old_included_keys.insert(key);
      if (!doi.empty()) old_included_dois.insert(doi);
      old_included.emplace_back(key, doi);
    }
  }
  u.previous_records = old.rows.size();
  u.previous_included = old_included.size();

  const auto& screen = rv.screen;
  std::vector<std::size_t> per_source(rv.spec.sources.size(), 0);
  std::set<std::string> now_keys, now_dois;
  std::size_t still = 0;
  for (std::size_t i = 0; i < screen.audit.size(); ++i) {
    const auto& a = screen.audit[i];
    if (old_keys.count(a.key) == 0) {
      ++u.new_records;
      ++per_source[a.source];
    }
    if (a.status != review::final_status::included) continue;
    const std::string doi = review::canonical_doi(screen.records[i].doi);
    now_keys.insert(a.key);
    if (!doi.empty()) now_dois.insert(doi);
    if (old_included_keys.count(a.key) > 0 || (!doi.empty() && old_included_dois.count(doi) > 0)) {
      ++still;
    } else {
      u.newly_included.push_back(a.key + ": " + title_of(screen.records[i]));
    }
  }
  for (const auto& [key, doi] : old_included) {
    if (now_keys.count(key) == 0 && (doi.empty() || now_dois.count(doi) == 0)) u.no_longer_included.push_back(key);
  }
  for (std::size_t s = 0; s < per_source.size(); ++s)
    u.new_by_source.emplace_back(rv.spec.sources[s].name, per_source[s]);

  // The counts as a new review would report them, against the previous run's (whose included
  // studies are its total when it was itself an update).
  const json old_doc = read_json(dir / "results.json");
  json before = old_doc.contains("prisma") && old_doc["prisma"].is_object() ? old_doc["prisma"] : json::object();
  if (before.contains("total_studies")) before["new_studies"] = before["total_studies"];
  if (before.contains("total_reports")) before["new_reports"] = before["total_reports"];
  const json now = json::parse(review::format_prisma_json(rv.screen.prisma));
  for (auto it = now.begin(); it != now.end(); ++it) {
    if (!it.value().is_number_unsigned()) continue;
    const long long a =
        before.contains(it.key()) && before[it.key()].is_number() ? before[it.key()].get<long long>() : 0;
    const auto b = it.value().get<long long>();
    if (a != b) u.prisma_changes.push_back({it.key(), a, b});
  }
  u.before = pooled_of(old_doc);

  // PRISMA 2020 for updated reviews: one report per study, as in every metasift count.
  review::prisma_counts& p = rv.screen.prisma;
  p.update = true;
  p.total_studies = p.new_studies;
  p.total_reports = p.new_reports;
  p.previous_studies = still;
  p.previous_reports = still;
  p.new_studies = p.total_studies - still;
  p.new_reports = p.total_reports - still;
  review::check_prisma(p);
  return u;
}

void finish_comparison(update_comparison& u, const std::optional<models::meta_result>& meta,
                       const std::string& measure) {
  if (!meta) return;
  u.after.present = true;
  u.after.k = meta->k;
  u.after.measure = measure;
  u.after.estimate = meta->pooled.estimate;
  u.after.ci_lower = meta->pooled.ci_lower;
  u.after.ci_upper = meta->pooled.ci_upper;
}

std::string update_json(const update_comparison& u) {
  json j;
  j["previous"] = u.previous;
  j["previous_records"] = u.previous_records;
  j["new_records"] = u.new_records;
  json by = json::array();
  for (const auto& [name, n] : u.new_by_source) by.push_back({{"name", name}, {"n", n}});
  j["new_records_by_source"] = std::move(by);
  j["previous_included"] = u.previous_included;
  j["newly_included"] = u.newly_included;
  j["no_longer_included"] = u.no_longer_included;
  auto pooled = [](const pooled_snapshot& s) -> json {
    if (!s.present) return nullptr;
    auto n = [](double x) -> json { return std::isfinite(x) ? json(x) : json(nullptr); };
    return {{"measure", s.measure},
            {"k", s.k},
            {"estimate", n(s.estimate)},
            {"ci_lower", n(s.ci_lower)},
            {"ci_upper", n(s.ci_upper)}};
  };
  j["pooled_before"] = pooled(u.before);
  j["pooled_after"] = pooled(u.after);
  j["pooled_change"] =
      u.before.present && u.after.present && std::isfinite(u.before.estimate) && std::isfinite(u.after.estimate)
          ? json(u.after.estimate - u.before.estimate)
          : json(nullptr);
  json ch = json::array();
  for (const auto& c : u.prisma_changes) ch.push_back({{"key", c.key}, {"before", c.before}, {"after", c.after}});
  j["prisma_changes"] = std::move(ch);
  return j.dump();
}

}  // namespace metasift::run
