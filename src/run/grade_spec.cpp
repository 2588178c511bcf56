// [[grade]] tables of review.toml, read with toml++ like the rest of the file.
#include "metasift/run/grade_spec.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>
#include <utility>

#include "metasift/core/check.hpp"

namespace metasift::run {
namespace {

source_position at(const std::string& label, const toml::source_region& r) {
  return {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
}

}  // namespace

std::vector<analyses::grade_judgement> parse_grade_judgements(std::string_view toml_text,
                                                              const std::filesystem::path& path) {
  const std::string label = path.string();
  toml::table root;
  try {
    root = toml::parse(toml_text, label);
  } catch (const toml::parse_error& e) {
    fail_input(at(label, e.source()), "", std::string("invalid TOML: ") + std::string(e.description()));
  }
  std::vector<analyses::grade_judgement> out;
  const toml::node* g = root.get("grade");
  if (g == nullptr) return out;
  const toml::array* arr = g->as_array();
  if (arr == nullptr) {
    fail_input(at(label, g->source()), "grade", "must be an array of tables ([[grade]])");
  }
  std::set<std::pair<std::string, analyses::grade_domain>> seen;
  for (auto&& el : *arr) {
    const toml::table* t = el.as_table();
    if (t == nullptr) fail_input(at(label, el.source()), "grade", "each entry must be a table ([[grade]])");
    const source_position where = at(label, t->source());
    static constexpr std::string_view allowed[] = {"outcome", "domain", "downgrade", "upgrade", "reason"};
    for (auto&& [k, v] : *t) {
      if (std::find(std::begin(allowed), std::end(allowed), k.str()) == std::end(allowed)) {
        fail_input(at(label, k.source()), "",
                   "unknown key '" + std::string(k.str()) +
                       "' in [[grade]] (expected outcome, domain, downgrade, upgrade, reason)");
      }
    }
    const auto text = [&](std::string_view key) -> std::pair<std::string, source_position> {
      const toml::node* n = t->get(key);
      if (n == nullptr) fail_input(where, "[[grade]]", "needs " + std::string(key) + " = \"...\"");
      const auto v = n->value<std::string>();
      if (!n->is_string() || !v) fail_input(at(label, n->source()), key, "must be a string");
      return {*v, at(label, n->source())};
    };
    analyses::grade_judgement j;
    j.where = where;
    j.outcome = text("outcome").first;
    const auto [dname, dwhere] = text("domain");
    const auto d = analyses::parse_grade_domain(dname);
    if (!d) {
      std::string list;
      for (const auto x : analyses::all_grade_domains()) list += (list.empty() ? "" : ", ") + std::string(to_string(x));
      fail_input(dwhere, "domain", "unknown GRADE domain '" + dname + "' (expected " + list + ")");
    }
    j.domain = *d;
    const std::string_view key = analyses::is_upgrade(*d) ? "upgrade" : "downgrade";
    const std::string_view other = analyses::is_upgrade(*d) ? "downgrade" : "upgrade";
    if (const toml::node* n = t->get(other)) {
      fail_input(at(label, n->source()), other,
                 std::string(to_string(*d)) + " is rated " + (analyses::is_upgrade(*d) ? "up" : "down") + ": use " +
                     std::string(key) + " = 0, 1 or 2");
    }
    const toml::node* lv = t->get(key);
    if (lv == nullptr) fail_input(where, "[[grade]]", "needs " + std::string(key) + " = 0, 1 or 2");
    const auto n = lv->value<std::int64_t>();
    if (!lv->is_integer() || !n || *n < 0 || *n > 2) {
      fail_input(at(label, lv->source()), key, "must be 0, 1 or 2 (levels)");
    }
    j.levels = static_cast<int>(*n);
    const auto [reason, rwhere] = text("reason");
    if (reason.find_first_not_of(" \t\r\n") == std::string::npos) {
      fail_input(rwhere, "reason", "must not be empty: it is the Summary of Findings footnote");
    }
    j.reason = reason;
    if (!seen.emplace(j.outcome, j.domain).second) {
      fail_input(where, "[[grade]]",
                 "a second judgement of " + std::string(to_string(j.domain)) + " for outcome '" + j.outcome + "'");
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace metasift::run
