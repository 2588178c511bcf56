// [appraisal] of review.toml, the judgement files and `appraise check` (docs/appraisal.md).
#include "metasift/review/appraisal.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/table.hpp"
#include "metasift/review/dedup_normalize.hpp"

namespace metasift::review {
namespace {

namespace fs = std::filesystem;

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
  return std::string(s.substr(b, e - b));
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

source_position at(const std::string& label, const toml::node& n) {
  const auto& r = n.source();
  return {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)};
}

std::string string_of(const std::string& label, const toml::node& n, std::string_view key) {
  const auto v = n.value<std::string>();
  if (!n.is_string() || !v) fail_input(at(label, n), "", "'" + std::string(key) + "' must be a string");
  return *v;
}

std::vector<std::pair<std::string, const toml::node*>> strings_of(const std::string& label, const toml::node& n,
                                                                  std::string_view key) {
  const toml::array* a = n.as_array();
  if (a == nullptr) fail_input(at(label, n), "", "'" + std::string(key) + "' must be an array of strings");
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto&& el : *a) out.emplace_back(string_of(label, el, key), &el);
  return out;
}

void check_keys(const std::string& label, const toml::table& t, const std::vector<std::string>& allowed,
                std::string_view where) {
  for (auto&& [k, v] : t) {
    if (std::find(allowed.begin(), allowed.end(), std::string(k.str())) == allowed.end()) {
      const auto& r = k.source();
      fail_input(
          {label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)}, "",
          "unknown key '" + std::string(k.str()) + "' in " + std::string(where) + " (expected " + join(allowed) + ")");
    }
  }
}

/// The review folder must contain every judgement file (as review_file.cpp requires of sources).
fs::path resolve_inside(const fs::path& dir, const std::string& rel, const source_position& where) {
  const fs::path p(rel);
  if (rel.empty()) fail_input(where, "", "empty path");
  if (p.is_absolute() || p.has_root_name() || p.has_root_directory()) {
    fail_input(where, "", "path '" + rel + "' must be relative to the review file's folder");
  }
  const fs::path base = fs::weakly_canonical(fs::absolute(dir));
  const fs::path full = fs::weakly_canonical(fs::absolute(dir) / p);
  auto f = full.begin();
  for (auto b = base.begin(); b != base.end(); ++b, ++f) {
    if (b->empty()) continue;
    if (f == full.end() || *b != *f) fail_input(where, "", "path '" + rel + "' escapes the review folder");
  }
  return full;
}

std::vector<std::string> judgement_list(const std::string& label, const toml::node& n, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [s, node] : strings_of(label, n, key)) {
    const std::string c = canonical_judgement(s);
    if (c.empty()) fail_input(at(label, *node), "", "empty judgement");
    if (std::find(out.begin(), out.end(), c) != out.end())
      fail_input(at(label, *node), "", "judgement '" + s + "' twice");
    out.push_back(c);
  }
  if (out.empty()) fail_input(at(label, n), "", "'" + std::string(key) + "' lists no judgement");
  return out;
}

appraisal_tool custom_tool(const std::string& label, const toml::table& t, const toml::node& table_node) {
  appraisal_tool tool;
  tool.id = "custom";
  tool.name = "Custom appraisal tool";
  tool.guidance = "defined in the review file";
  if (const toml::node* n = t.get("name")) tool.name = string_of(label, *n, "name");
  std::vector<std::string> def;
  if (const toml::node* n = t.get("judgements")) def = judgement_list(label, *n, "judgements");
  std::string rule = "worst";
  const toml::node* rule_node = t.get("overall");
  if (rule_node != nullptr) rule = string_of(label, *rule_node, "overall");
  const toml::node* dn = t.get("domains");
  if (dn == nullptr) fail_input(at(label, table_node), "", "a custom tool needs [[appraisal.domains]]");
  const toml::array* arr = dn->as_array();
  if (arr == nullptr || arr->empty())
    fail_input(at(label, *dn), "", "'domains' must be one or more [[appraisal.domains]]");
  for (auto&& el : *arr) {
    const toml::table* dt = el.as_table();
    if (dt == nullptr) fail_input(at(label, el), "", "each entry of 'domains' must be a table ([[appraisal.domains]])");
    check_keys(label, *dt, {"id", "name", "judgements"}, "[[appraisal.domains]]");
    appraisal_domain d;
    const toml::node* id = dt->get("id");
    if (id == nullptr) fail_input(at(label, el), "", "[[appraisal.domains]] needs an id");
    d.id = trim(string_of(label, *id, "id"));
    if (d.id.empty() || canonical_judgement(d.id) == "overall") {
      fail_input(at(label, *id), "", "a domain id must be non-empty and not 'overall'");
    }
    for (const auto& o : tool.domains) {
      if (o.id == d.id) fail_input(at(label, *id), "", "two domains have the id '" + d.id + "'");
    }
    d.name = d.id;
    if (const toml::node* n = dt->get("name")) d.name = string_of(label, *n, "name");
    if (const toml::node* n = dt->get("judgements")) {
      d.judgements = judgement_list(label, *n, "judgements");
    } else if (def.empty()) {
      fail_input(at(label, el), "",
                 "domain '" + d.id + "' has no judgements: give judgements = [...] here or in [appraisal]");
    } else {
      d.judgements = def;
    }
    tool.domains.push_back(std::move(d));
  }
  const source_position rule_at = rule_node != nullptr ? at(label, *rule_node) : at(label, table_node);
  auto require_all = [&](const std::vector<std::string>& needed) {
    for (const auto& d : tool.domains) {
      for (const auto& j : needed) {
        if (std::find(d.judgements.begin(), d.judgements.end(), j) == d.judgements.end()) {
          fail_input(rule_at, "",
                     "overall = \"" + rule + "\" needs the judgement '" + j + "' in every domain, and domain '" + d.id +
                         "' has " + join(d.judgements));
        }
      }
    }
  };
  if (rule == "worst") {
    tool.rule = overall_rule::worst;
    for (const auto& d : tool.domains) {
      for (const auto& j : d.judgements) {
        if (std::find(tool.overall_judgements.begin(), tool.overall_judgements.end(), j) ==
            tool.overall_judgements.end()) {
          tool.overall_judgements.push_back(j);
        }
      }
    }
  } else if (rule == "all-low") {
    tool.rule = overall_rule::all_low;
    require_all({"low"});
    tool.overall_judgements = {"low", "at-risk"};
  } else if (rule == "rob2") {
    tool.rule = overall_rule::rob2;
    require_all({"low", "some-concerns", "high"});
    tool.overall_judgements = {"low", "some-concerns", "high"};
  } else if (rule == "none") {
    tool.rule = overall_rule::none;
  } else {
    fail_input(rule_at, "", "unknown overall rule '" + rule + "' (expected worst, all-low, rob2 or none)");
  }
  return tool;
}

}  // namespace

std::optional<appraisal_spec> parse_appraisal(std::string_view toml_text, const review_spec& review) {
  const std::string label = review.file.string();
  toml::table root;
  try {
    root = toml::parse(toml_text, label);
  } catch (const toml::parse_error& e) {
    const auto& r = e.source();
    fail_input({label, static_cast<std::size_t>(r.begin.line), static_cast<std::size_t>(r.begin.column)}, "",
               "invalid TOML: " + std::string(e.description()));
  }
  const toml::node* an = root.get("appraisal");
  if (an == nullptr) return std::nullopt;
  const toml::table* t = an->as_table();
  if (t == nullptr) fail_input(at(label, *an), "", "'appraisal' must be a table ([appraisal])");
  check_keys(label, *t,
             {"tool", "name", "file", "assessors", "consensus", "key_domains", "judgements", "overall", "domains"},
             "[appraisal]");
  appraisal_spec spec;
  spec.where = at(label, *an);
  std::string tool_id = "custom";
  const toml::node* tool_node = t->get("tool");
  if (tool_node != nullptr) tool_id = string_of(label, *tool_node, "tool");
  if (tool_node == nullptr && t->get("domains") == nullptr) {
    fail_input(spec.where, "", "[appraisal] needs tool = \"rob2\" (or another shipped tool) or [[appraisal.domains]]");
  }
  if (canonical_judgement(tool_id) == "custom") {
    spec.tool = custom_tool(label, *t, *an);
  } else {
    const appraisal_tool* tool = find_appraisal_tool(tool_id);
    if (tool == nullptr) {
      std::vector<std::string> ids;
      for (const auto& b : builtin_appraisal_tools()) ids.push_back(b.id);
      fail_input(at(label, *tool_node), "", "unknown tool '" + tool_id + "' (expected " + join(ids) + " or custom)");
    }
    for (const char* k : {"judgements", "overall", "domains", "name"}) {
      if (const toml::node* n = t->get(k)) {
        fail_input(at(label, *n), "",
                   std::string("'") + k + "' defines a custom tool; it cannot change tool = \"" + tool->id +
                       "\" (use tool = \"custom\")");
      }
    }
    spec.tool = *tool;
  }
  if (const toml::node* k = t->get("key_domains")) {
    spec.tool.key_domains.clear();
    for (const auto& [id, node] : strings_of(label, *k, "key_domains")) {
      const std::string& wanted = id;  // clang 14 cannot capture a structured binding
      const auto it = std::find_if(spec.tool.domains.begin(), spec.tool.domains.end(),
                                   [&](const appraisal_domain& d) { return d.id == wanted; });
      if (it == spec.tool.domains.end()) {
        std::vector<std::string> ids;
        for (const auto& d : spec.tool.domains) ids.push_back(d.id);
        fail_input(at(label, *node), "",
                   "key domain '" + id + "' is not a domain of the tool (domains: " + join(ids) + ")");
      }
      spec.tool.key_domains.push_back(id);
    }
    if (spec.tool.key_domains.empty()) fail_input(at(label, *k), "", "key_domains lists no domain");
    if (spec.tool.rule == overall_rule::nos_ahrq) {
      fail_input(at(label, *k), "",
                 "the Newcastle-Ottawa conversion counts the stars of every item; key_domains does not apply");
    }
  }
  const toml::node* file = t->get("file");
  const toml::node* assessors = t->get("assessors");
  if (file != nullptr && assessors != nullptr) {
    fail_input(at(label, *file), "", "give either file = or assessors = {...}, not both");
  }
  if (file != nullptr) {
    const std::string rel = string_of(label, *file, "file");
    spec.assessors.push_back({"", rel, resolve_inside(review.dir, rel, at(label, *file)), at(label, *file)});
  } else if (assessors != nullptr) {
    const toml::table* at_ = assessors->as_table();
    if (at_ == nullptr || at_->empty()) {
      fail_input(at(label, *assessors), "", "assessors must be a table of name = \"file.csv\"");
    }
    for (auto&& [k, v] : *at_) {
      const std::string rel = string_of(label, v, "assessors");
      spec.assessors.push_back(
          {std::string(k.str()), rel, resolve_inside(review.dir, rel, at(label, v)), at(label, v)});
    }
  }
  if (const toml::node* c = t->get("consensus")) {
    const std::string rel = string_of(label, *c, "consensus");
    spec.consensus =
        appraisal_spec::file_ref{"consensus", rel, resolve_inside(review.dir, rel, at(label, *c)), at(label, *c)};
  }
  if (spec.assessors.empty() && !spec.consensus) {
    fail_input(spec.where, "", "[appraisal] names no judgement file: give file =, assessors = {...} or consensus =");
  }
  return spec;
}

std::optional<appraisal_spec> load_appraisal(const review_spec& review) {
  return parse_appraisal(io::read_file(review.file), review);
}

included_records included_of(const screen_result& s) {
  included_records inc;
  for (std::size_t i = 0; i < s.records.size(); ++i) {
    const audit_entry& a = s.audit[i];
    const std::size_t kept = a.dedup == dedup_status::duplicate ? a.duplicate_of : i;
    const std::string& key = s.audit[kept].key;
    inc.by_name.emplace(a.key, key);
    const std::string d = canonical_doi(s.records[i].doi);
    if (!d.empty()) {
      // Two unmerged records with one DOI: the DOI names neither (name them by key).
      const auto [it, fresh] = inc.by_name.emplace(d, key);
      if (!fresh && it->second != key) it->second.clear();
    }
    if (kept == i) {
      if (a.status == final_status::included) {
        inc.included.push_back(key);
      } else {
        inc.status_of[key] = to_string(a.status);
      }
    }
  }
  return inc;
}

std::vector<appraisal_row> parse_judgements(std::string_view csv_text, const std::string& label,
                                            const appraisal_tool& tool, const included_records& inc) {
  const io::table t = io::parse_table(csv_text, label);
  auto need = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      if (const auto c = t.find(n)) return *c;
    }
    fail_input({label, 1, 1}, "",
               std::string("missing column '") + *names.begin() +
                   "' (expected record, domain, judgement, support[, outcome])");
  };
  const std::size_t c_record = need({"record", "study"}), c_domain = need({"domain"}),
                    c_judgement = need({"judgement", "judgment"}), c_support = need({"support"});
  const auto c_outcome = t.find("outcome");
  std::vector<appraisal_row> rows;
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& cells = t.rows[r];
    appraisal_row row;
    row.where = t.position(r, c_record);
    row.named = trim(cells[c_record]);
    if (row.named.empty()) fail_input(row.where, "record", "empty");
    auto hit = inc.by_name.find(row.named);
    if (hit == inc.by_name.end()) hit = inc.by_name.find(canonical_doi(row.named));
    if (hit == inc.by_name.end()) {
      fail_input(row.where, "record",
                 "'" + row.named + "' names no record of this review (give a DOI or <source name>:<source_id>)");
    }
    if (hit->second.empty()) {
      fail_input(row.where, "record",
                 "'" + row.named + "' is a DOI of two records that were not merged; name one as <source>:<source_id>");
    }
    row.record = hit->second;
    if (const auto st = inc.status_of.find(row.record); st != inc.status_of.end()) {
      fail_input(row.where, "record", "'" + row.named + "' is not an included study (" + st->second + ")");
    }
    if (c_outcome) row.outcome = trim(cells[*c_outcome]);
    const std::string domain = trim(cells[c_domain]);
    const std::string judgement = trim(cells[c_judgement]);
    row.judgement = canonical_judgement(judgement);
    row.support = trim(cells[c_support]);
    const bool is_overall = canonical_judgement(domain) == "overall";
    if (is_overall) {
      row.domain = "overall";
      if (tool.overall_judgements.empty()) {
        fail_input(t.position(r, c_domain), "domain",
                   "an overall line, but " + tool.name + " publishes no overall judgement (" + tool.guidance + ")");
      }
      if (std::find(tool.overall_judgements.begin(), tool.overall_judgements.end(), row.judgement) ==
          tool.overall_judgements.end()) {
        fail_input(t.position(r, c_judgement), "judgement",
                   "'" + judgement + "' is not an overall judgement of " + tool.name + " (expected " +
                       join(tool.overall_judgements) + ")");
      }
      if (row.support.empty()) {
        fail_input(t.position(r, c_support), "support",
                   "an overall line overrides the tool's rule and needs a support text");
      }
    } else {
      const auto d = std::find_if(tool.domains.begin(), tool.domains.end(), [&](const appraisal_domain& x) {
        return x.id == domain || canonical_judgement(x.id) == canonical_judgement(domain);
      });
      if (d == tool.domains.end()) {
        std::vector<std::string> ids;
        for (const auto& x : tool.domains) ids.push_back(x.id);
        fail_input(t.position(r, c_domain), "domain",
                   "'" + domain + "' is not a domain of " + tool.name + " (expected " + join(ids) + " or overall)");
      }
      row.domain = d->id;
      if (std::find(d->judgements.begin(), d->judgements.end(), row.judgement) == d->judgements.end()) {
        fail_input(
            t.position(r, c_judgement), "judgement",
            "'" + judgement + "' is not a judgement of domain " + d->id + " (expected " + join(d->judgements) + ")");
      }
    }
    const auto [it, fresh] = seen.emplace(std::tuple{row.record, row.outcome, row.domain}, t.row_line[r]);
    if (!fresh) {
      fail_input(row.where, "record",
                 "'" + row.named + "' " + (row.outcome.empty() ? "" : "outcome '" + row.outcome + "' ") + "domain " +
                     row.domain + " is judged twice (also on line " + std::to_string(it->second) + ")");
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

using unit_key = std::pair<std::string, std::string>;  // record, outcome

std::vector<appraisal_unit> build_units(const appraisal_tool& tool,
                                        const std::map<unit_key, std::map<std::string, appraisal_row>>& by_unit,
                                        std::vector<std::string>& notes) {
  std::vector<appraisal_unit> units;
  for (const auto& [key, domains] : by_unit) {
    appraisal_unit u;
    u.record = key.first;
    u.outcome = key.second;
    const appraisal_row* over = nullptr;
    for (const auto& [d, row] : domains) {
      if (d == "overall") {
        over = &row;
      } else {
        u.domains[d] = row.judgement;
      }
    }
    u.proposed = propose_overall(tool, u.domains, &u.rule_text);
    u.overall = u.proposed;
    if (over != nullptr) {
      u.overall = over->judgement;
      u.override_support = over->support;
    }
    if (tool.id == "mmat2018") {
      // MMAT: the screening questions, then every criterion of the categories used.
      std::set<std::string> groups;
      for (const auto& [d, j] : u.domains) {
        for (const auto& x : tool.domains) {
          if (x.id == d && x.group != "S") groups.insert(x.group);
        }
      }
      for (const auto& x : tool.domains) {
        if ((x.group == "S" || groups.count(x.group) != 0) && u.domains.count(x.id) == 0)
          u.missing_domains.push_back(x.id);
      }
      const bool mixed = groups.count("5") != 0;
      const std::size_t quant = groups.count("2") + groups.count("3") + groups.count("4");
      const bool ok = groups.empty() || (!mixed && groups.size() == 1) ||
                      (mixed && groups.count("1") != 0 && quant == 1 && groups.size() == 3);
      if (!ok) {
        std::vector<std::string> g(groups.begin(), groups.end());
        notes.push_back(u.record + ": MMAT categories " + join(g) +
                        " (a study takes one category, or 5 with 1 and one of 2, 3, 4 for a mixed methods study)");
      }
      u.rule_text = "no overall score (the MMAT guide discourages one)";
    } else if (tool.rule == overall_rule::none) {
      for (const auto& x : tool.domains) {
        if (u.domains.count(x.id) == 0) u.missing_domains.push_back(x.id);
      }
    } else {
      for (const auto& x : tool.domains) {
        const bool key_d = tool.key_domains.empty() ||
                           std::find(tool.key_domains.begin(), tool.key_domains.end(), x.id) != tool.key_domains.end();
        if (key_d && u.domains.count(x.id) == 0) u.missing_domains.push_back(x.id);
      }
    }
    units.push_back(std::move(u));
  }
  return units;
}

}  // namespace

appraisal_check check_appraisal(const appraisal_spec& spec,
                                const std::vector<std::vector<appraisal_row>>& assessor_rows,
                                const std::optional<std::vector<appraisal_row>>& consensus_rows,
                                const included_records& inc) {
  appraisal_check out;
  // Disagreements: every (record, outcome, domain) some assessor judged, compared across assessors.
  std::map<std::tuple<std::string, std::string, std::string>, std::map<std::string, std::string>> all;
  if (assessor_rows.size() > 1) {
    for (std::size_t a = 0; a < assessor_rows.size(); ++a) {
      for (const auto& r : assessor_rows[a])
        all[{r.record, r.outcome, r.domain}][spec.assessors[a].assessor] = r.judgement;
    }
    for (const auto& [k, by] : all) {
      std::set<std::string> values;
      for (const auto& a : spec.assessors) {
        const auto it = by.find(a.assessor);
        values.insert(it == by.end() ? std::string() : it->second);
      }
      if (values.size() > 1) {
        appraisal_disagreement d{std::get<0>(k), std::get<1>(k), std::get<2>(k), {}};
        for (const auto& a : spec.assessors) {
          const auto it = by.find(a.assessor);
          d.judgements.emplace_back(a.assessor, it == by.end() ? std::string() : it->second);
        }
        out.disagreements.push_back(std::move(d));
      }
    }
  }
  // The final judgements: the consensus file, else the one file, else what all assessors agree on.
  std::map<unit_key, std::map<std::string, appraisal_row>> by_unit;
  if (consensus_rows) {
    for (const auto& r : *consensus_rows) by_unit[{r.record, r.outcome}][r.domain] = r;
  } else if (assessor_rows.size() == 1) {
    for (const auto& r : assessor_rows.front()) by_unit[{r.record, r.outcome}][r.domain] = r;
  } else {
    for (const auto& r : assessor_rows.front()) {
      const auto& by = all[{r.record, r.outcome, r.domain}];
      bool agree = by.size() == assessor_rows.size();
      for (const auto& [a, j] : by) agree = agree && j == r.judgement;
      if (agree) by_unit[{r.record, r.outcome}][r.domain] = r;
    }
    if (!out.disagreements.empty()) {
      out.notes.push_back("no consensus file: " + std::to_string(out.disagreements.size()) +
                          " disagreement(s) leave those domains without a final judgement");
    }
  }
  out.units = build_units(spec.tool, by_unit, out.notes);
  std::set<std::string> assessed;
  for (const auto& u : out.units) assessed.insert(u.record);
  if (!consensus_rows && assessor_rows.size() > 1) {
    for (const auto& rows : assessor_rows) {
      for (const auto& r : rows) assessed.insert(r.record);
    }
  }
  for (const auto& k : inc.included) {
    if (assessed.count(k) == 0) out.not_assessed.push_back(k);
  }
  return out;
}

std::string format_appraisal_text(const appraisal_spec& spec, const appraisal_check& c) {
  std::string s = "Appraisal tool: " + spec.tool.name + "\nGuidance: " + spec.tool.guidance + "\n";
  if (spec.assessors.size() > 1 || (spec.assessors.size() == 1 && !spec.assessors.front().assessor.empty())) {
    s += "Assessors: " + std::to_string(spec.assessors.size());
    s += spec.consensus ? ", consensus file " + spec.consensus->label + "\n" : ", no consensus file\n";
  }
  s += "Assessments: " + std::to_string(c.units.size()) + "\n";
  for (const auto& u : c.units) {
    s += "  " + u.record + (u.outcome.empty() ? "" : " [" + u.outcome + "]") + ":";
    for (const auto& [d, j] : u.domains) s += " " + d + "=" + j;
    s += " | overall: " + (u.overall ? *u.overall : std::string("-"));
    if (!u.override_support.empty()) {
      s += " (reviewers' judgement; the rule gives " + (u.proposed ? *u.proposed : std::string("none")) + ": " +
           u.override_support + ")";
    } else {
      s += " (" + u.rule_text + ")";
    }
    if (!u.missing_domains.empty()) s += "; not judged: " + join(u.missing_domains);
    s += "\n";
  }
  s += "Disagreements between assessors: " + std::to_string(c.disagreements.size()) + "\n";
  for (const auto& d : c.disagreements) {
    s += "  " + d.record + (d.outcome.empty() ? "" : " [" + d.outcome + "]") + " " + d.domain + ":";
    for (const auto& [a, j] : d.judgements) s += " " + a + "=" + (j.empty() ? "(not judged)" : j);
    s += "\n";
  }
  s += "Included studies not assessed: " + std::to_string(c.not_assessed.size()) + "\n";
  for (const auto& k : c.not_assessed) s += "  " + k + "\n";
  for (const auto& n : c.notes) s += "Note: " + n + "\n";
  return s;
}

std::string format_appraisal_json(const appraisal_spec& spec, const appraisal_check& c) {
  nlohmann::ordered_json j;
  j["tool"] = spec.tool.id;
  j["tool_name"] = spec.tool.name;
  j["guidance"] = spec.tool.guidance;
  j["assessors"] = nlohmann::json::array();
  for (const auto& a : spec.assessors) j["assessors"].push_back(a.assessor.empty() ? a.label : a.assessor);
  j["consensus"] = spec.consensus ? nlohmann::json(spec.consensus->label) : nlohmann::json(nullptr);
  j["assessments"] = nlohmann::json::array();
  for (const auto& u : c.units) {
    nlohmann::ordered_json o;
    o["record"] = u.record;
    o["outcome"] = u.outcome;
    o["domains"] = u.domains;
    o["proposed"] = u.proposed ? nlohmann::json(*u.proposed) : nlohmann::json(nullptr);
    o["overall"] = u.overall ? nlohmann::json(*u.overall) : nlohmann::json(nullptr);
    o["rule"] = u.rule_text;
    o["override_support"] = u.override_support;
    o["missing_domains"] = u.missing_domains;
    j["assessments"].push_back(o);
  }
  j["disagreements"] = nlohmann::json::array();
  for (const auto& d : c.disagreements) {
    nlohmann::ordered_json o;
    o["record"] = d.record;
    o["outcome"] = d.outcome;
    o["domain"] = d.domain;
    for (const auto& [a, v] : d.judgements)
      o["judgements"][a] = v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v);
    j["disagreements"].push_back(o);
  }
  j["not_assessed"] = c.not_assessed;
  j["notes"] = c.notes;
  return j.dump(2) + "\n";
}

}  // namespace metasift::review
