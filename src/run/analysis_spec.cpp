// The [analysis] table of review.toml, read with toml++ like the rest of the file
// (src/review/review_file.cpp, which accepts the table and leaves it to this reader).
#include "metasift/run/analysis_spec.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>

#include "metasift/core/check.hpp"
#include "metasift/models/spec.hpp"

namespace metasift::run {
namespace {

namespace fs = std::filesystem;

source_position at(const std::string& label, const toml::source_region& r) {
  return {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
}

std::string string_of(const std::string& label, const toml::node& n, std::string_view key) {
  const auto v = n.value<std::string>();
  if (!n.is_string() || !v) fail_input(at(label, n.source()), key, "must be a string");
  return *v;
}

std::vector<std::string> strings_of(const std::string& label, const toml::node& n, std::string_view key) {
  const toml::array* a = n.as_array();
  if (a == nullptr) fail_input(at(label, n.source()), key, "must be an array of strings");
  std::vector<std::string> out;
  for (auto&& el : *a) out.push_back(string_of(label, el, key));
  return out;
}

bool bool_of(const std::string& label, const toml::node& n, std::string_view key) {
  const auto v = n.value<bool>();
  if (!n.is_boolean() || !v) fail_input(at(label, n.source()), key, "must be true or false");
  return *v;
}

/// The same rule as the review file's paths: relative, and inside the review folder.
fs::path resolve(const fs::path& dir, const std::string& rel, const source_position& where, bool allow_outside) {
  if (rel.empty()) fail_input(where, "data", "empty path");
  const fs::path p(rel);
  const fs::path full = fs::weakly_canonical(fs::absolute(dir) / p);
  if (allow_outside) return full;
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) {
    fail_input(where, "data",
               "path '" + rel + "' must be relative to the review file's folder (or use --allow-outside)");
  }
  const fs::path base = fs::weakly_canonical(fs::absolute(dir));
  auto f = full.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++f) {
    if (b->empty()) continue;
    if (f == full.end() || *b != *f) {
      fail_input(where, "data", "path '" + rel + "' is outside the review folder (use --allow-outside to allow it)");
    }
  }
  return full;
}

}  // namespace

std::optional<analysis_spec> parse_analysis(std::string_view toml_text, const fs::path& path, bool allow_outside) {
  const std::string label = path.string();
  toml::table root;
  try {
    root = toml::parse(toml_text, label);
  } catch (const toml::parse_error& e) {
    fail_input(at(label, e.source()), "", std::string("invalid TOML: ") + std::string(e.description()));
  }
  const toml::node* an = root.get("analysis");
  if (an == nullptr) return std::nullopt;
  const toml::table* t = an->as_table();
  if (t == nullptr) fail_input(at(label, an->source()), "analysis", "must be a table ([analysis])");

  static constexpr std::string_view allowed[] = {
      "data",         "measure",         "method",           "ci_method", "convention",
      "level",        "group_names",     "record_column",    "subgroup",  "moderators",
      "bias",         "sensitivity",     "cumulative_order", "outcome",   "mid",
      "control_risk", "certainty_start", "rob_subgroup"};
  for (auto&& [k, v] : *t) {
    if (std::find(std::begin(allowed), std::end(allowed), k.str()) == std::end(allowed)) {
      std::string list;
      for (const auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      fail_input(at(label, k.source()), "",
                 "unknown key '" + std::string(k.str()) + "' in [analysis] (expected " + list + ")");
    }
  }

  analysis_spec s;
  s.where = at(label, t->source());
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  const toml::node* data = t->get("data");
  if (data == nullptr) fail_input(s.where, "[analysis]", "needs data = \"...\": the table of study results");
  s.data_label = string_of(label, *data, "data");
  s.data_where = at(label, data->source());
  s.data = resolve(dir, s.data_label, s.data_where, allow_outside);
  std::error_code ec;
  if (!fs::is_regular_file(s.data, ec)) {
    fail_input(s.data_where, "data", "file '" + s.data_label + "' does not exist");
  }

  if (const toml::node* n = t->get("measure")) {
    const std::string m = string_of(label, *n, "measure");
    s.measure = effects::parse_measure(m);
    if (!s.measure) fail_input(at(label, n->source()), "measure", "unknown measure '" + m + "'");
  }
  if (const toml::node* n = t->get("method")) {
    const std::string m = string_of(label, *n, "method");
    const auto pm = models::parse_method(m);
    if (!pm) fail_input(at(label, n->source()), "method", "unknown method '" + m + "'");
    s.method = *pm;
  }
  if (const toml::node* n = t->get("ci_method")) {
    const std::string m = string_of(label, *n, "ci_method");
    const auto pc = models::parse_ci_method(m);
    if (!pc) {
      fail_input(at(label, n->source()), "ci_method",
                 "must be \"z\", \"t\", \"knha\" (or \"hk\") or \"adhoc\", got '" + m + "'");
    }
    s.ci = *pc;
  }
  if (const toml::node* n = t->get("convention")) {
    const std::string c = string_of(label, *n, "convention");
    const auto pc = models::parse_convention(c);
    if (!pc) fail_input(at(label, n->source()), "convention", "must be \"metafor\" or \"stata\", got '" + c + "'");
    s.conv = *pc;
  }
  if (const toml::node* n = t->get("level")) {
    const auto v = n->value<double>();
    if (!v || !(n->is_floating_point() || n->is_integer()))
      fail_input(at(label, n->source()), "level", "must be a number");
    const models::level_reading lr = models::read_confidence_level(*v);
    s.level = lr.level;
    if (!lr.problem.empty()) {
      fail_input(at(label, n->source()), "level", lr.problem);
    }
  }
  if (const toml::node* n = t->get("group_names")) s.group_names = strings_of(label, *n, "group_names");
  if (const toml::node* n = t->get("record_column")) s.record_column = string_of(label, *n, "record_column");
  if (const toml::node* n = t->get("subgroup")) s.subgroup = string_of(label, *n, "subgroup");
  if (const toml::node* n = t->get("moderators")) s.moderators = strings_of(label, *n, "moderators");
  if (const toml::node* n = t->get("bias")) s.bias = bool_of(label, *n, "bias");
  if (const toml::node* n = t->get("sensitivity")) s.sensitivity = bool_of(label, *n, "sensitivity");
  if (const toml::node* n = t->get("cumulative_order")) s.cumulative_order = string_of(label, *n, "cumulative_order");
  if (const toml::node* n = t->get("outcome")) s.outcome = string_of(label, *n, "outcome");
  const auto number_of = [&](const toml::node& n, std::string_view key) {
    const auto v = n.value<double>();
    if (!v || !(n.is_floating_point() || n.is_integer())) fail_input(at(label, n.source()), key, "must be a number");
    return *v;
  };
  if (const toml::node* n = t->get("mid")) {
    const double v = number_of(*n, "mid");
    if (!(std::isfinite(v) && v > 0)) {
      fail_input(at(label, n->source()), "mid", "must be a positive number (a ratio such as 1.25 for OR and RR)");
    }
    s.mid = v;
  }
  if (const toml::node* n = t->get("control_risk")) {
    const double v = number_of(*n, "control_risk");
    if (!(v > 0 && v < 1)) {
      fail_input(at(label, n->source()), "control_risk", "must lie strictly between 0 and 1 (a risk, not a percent)");
    }
    s.control_risk = v;
  }
  if (const toml::node* n = t->get("certainty_start")) {
    s.certainty_start = string_of(label, *n, "certainty_start");
    if (s.certainty_start != "high" && s.certainty_start != "low") {
      fail_input(at(label, n->source()), "certainty_start",
                 "must be \"high\" (randomised trials) or \"low\" (observational studies)");
    }
  }
  if (const toml::node* n = t->get("rob_subgroup")) s.rob_subgroup = bool_of(label, *n, "rob_subgroup");
  return s;
}

}  // namespace metasift::run
