// metasift run: screening, the join of study data to included records, the analyses, figures and
// results.json, all in memory (compute_run); write.cpp puts them on disk.
#include "metasift/run/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/core/text.hpp"
#include "metasift/core/version.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/io/file.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/analysis.hpp"
#include "metasift/pipeline/design.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/pipeline/study_inputs.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/funnel.hpp"
#include "metasift/plot/render.hpp"
#include "metasift/report/analyses_report.hpp"
#include "metasift/review/audit.hpp"
#include "metasift/review/dedup_normalize.hpp"
#include "metasift/run/grade_spec.hpp"

namespace metasift::run {

std::string fixed(double x, int decimals) {
  std::string s = format_fixed(x, decimals, number_target::text);
  if (s.find_first_not_of("-0.") == std::string::npos && s.size() > 1 && s.front() == '-') s.erase(0, 1);  // no "-0.00"
  return s;
}

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string trim(const std::string& s) {
  return std::string(metasift::text::trim(s));
}

std::string lower(const std::string& s) {
  return metasift::text::ascii_lower(s);
}

class steps {
 public:
  steps(const run_options& o, std::size_t total) : opt_(o), total_(total) {}
  void next(std::string_view name) {
    if (opt_.progress) opt_.progress(name, done_, total_);
    ++done_;
  }

 private:
  const run_options& opt_;
  std::size_t total_;
  std::size_t done_ = 0;
};

/// Files named by review.toml must exist; the error names the key and its line.
void check_files_exist(const review::review_spec& spec) {
  std::error_code ec;
  for (const auto& s : spec.sources) {
    for (std::size_t i = 0; i < s.paths.size(); ++i) {
      if (!fs::is_regular_file(s.paths[i], ec)) {
        fail_input(s.where, "files", "[[sources]] '" + s.name + "': file '" + s.files[i] + "' does not exist");
      }
    }
  }
  if (spec.decisions && !fs::is_regular_file(*spec.decisions, ec)) {
    fail_input(spec.decisions_where, "decisions", "file '" + spec.decisions_label + "' does not exist");
  }
}

std::string describe_record(const review::record& r, const review::audit_entry& a) {
  std::string s = a.key;
  if (!r.title.empty()) s += " (" + (r.title.size() > 80 ? r.title.substr(0, 77) + "..." : r.title) + ")";
  return s;
}

std::string status_phrase(review::final_status s) {
  switch (s) {
    case review::final_status::duplicate: return "removed as a duplicate";
    case review::final_status::excluded_automatic: return "excluded by the search or a criterion";
    case review::final_status::awaiting_title_abstract: return "still awaiting title-abstract screening";
    case review::final_status::excluded_title_abstract: return "excluded at title-abstract screening";
    case review::final_status::not_retrieved: return "not retrieved";
    case review::final_status::excluded_full_text: return "excluded at full text";
    case review::final_status::awaiting_full_text: return "still awaiting full-text assessment";
    case review::final_status::included: return "included";
    case review::final_status::awaiting_title_abstract_adjudication:
      return "still awaiting adjudication of the reviewers' title-abstract decisions";
    case review::final_status::awaiting_title_abstract_second_reviewer:
      return "still awaiting a second reviewer's title-abstract decision";
    case review::final_status::awaiting_full_text_adjudication:
      return "still awaiting adjudication of the reviewers' full-text decisions";
    case review::final_status::awaiting_full_text_second_reviewer:
      return "still awaiting a second reviewer's full-text decision";
  }
  return "?";
}

/// Joins the study table to the screened records: each row names its record by record id,
/// "<source>:<id>" or DOI. A row naming no record is an input error at its cell; a row whose record
/// was not included is left out of the analysis and reported, as is an included record without a row.
/// Whether the extracted values of the record with key `key` satisfy every condition of the
/// analysis' `where`: yes, no, or unknown (with the reason) when the record has no extraction row,
/// the field is blank, or the extractors disagree without a consensus value.
enum class filter_match { yes, no, unknown };

filter_match match_filter(const analysis_spec& a, const review_bundle& rv, const std::string& key, std::string& why) {
  if (a.filter.empty()) return filter_match::yes;
  const auto& cb = *rv.codebook;
  if (!rv.extracted) {
    why = "the extraction files do not exist yet";
    return filter_match::unknown;
  }
  const auto rec = rv.extracted->by_record.find(key);
  if (rec == rv.extracted->by_record.end()) {
    why = "record " + key + " has no row in the extraction";
    return filter_match::unknown;
  }
  for (const auto& c : a.filter) {
    std::size_t idx = 0;
    while (idx < cb.fields.size() && cb.fields[idx].id != c.field) ++idx;
    const review::extraction_field& f = cb.fields.at(idx);
    const std::optional<std::string>& v = rec->second.at(idx);
    if (!v) {
      why = "the extractors disagree on " + f.id + " for record " + key + " and there is no consensus value";
      return filter_match::unknown;
    }
    if (v->empty()) {
      why = "record " + key + " has no extracted value of " + f.id;
      return filter_match::unknown;
    }
    const std::string have = review::canonical_value(f, *v);
    const bool any = std::any_of(c.values.begin(), c.values.end(),
                                 [&](const std::string& w) { return review::canonical_value(f, w) == have; });
    if (!any) return filter_match::no;
  }
  return filter_match::yes;
}

io::table link_rows(const io::table& t, const analysis_spec& a, const review_bundle& rv,
                    std::vector<std::size_t>& record_of_row, link_summary& links, std::vector<std::string>& warnings) {
  const review::screen_result& sr = rv.screen;
  const auto col = t.find(a.record_column);
  if (!col) {
    fail_input(source_position{t.file, 1, 0}, a.record_column,
               "the study table has no column '" + a.record_column +
                   "': each row must name its record (record id such as 'Scopus:S14', or DOI)");
  }
  std::map<std::string, std::size_t> by_key;
  for (std::size_t i = 0; i < sr.records.size(); ++i) {
    by_key.emplace(lower(sr.audit[i].key), i);
    by_key.emplace(lower(sr.records[i].id), i);
    if (!sr.records[i].doi.empty()) by_key.emplace(lower(sr.records[i].doi), i);
  }
  io::table kept = t;
  kept.rows.clear();
  kept.row_line.clear();
  kept.cell_column.clear();
  kept.cell_line.clear();
  std::set<std::size_t> linked;
  links.rows = t.rows.size();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string name = trim(t.rows[r][*col]);
    const source_position where = t.position(r, *col);
    if (name.empty()) fail_input(where, a.record_column, "empty: every study row must name its record");
    auto it = by_key.find(lower(name));
    if (it == by_key.end()) {
      const std::string doi = review::canonical_doi(name);
      if (!doi.empty()) it = by_key.find(doi);
    }
    if (it == by_key.end()) {
      fail_input(where, a.record_column,
                 "'" + name + "' names no record of the review (use a record id such as 'Scopus:S14' or a DOI)");
    }
    std::size_t k = it->second;
    if (sr.audit[k].dedup == review::dedup_status::duplicate) k = sr.audit[k].duplicate_of;
    const review::final_status st = sr.audit[k].status;
    if (st != review::final_status::included) {
      const std::string msg = t.file + ":" + std::to_string(t.row_line[r]) + ": study row names record " +
                              sr.audit[k].key + ", which was " + status_phrase(st) + "; left out of the analysis";
      links.rows_with_excluded_record.push_back(msg);
      warnings.push_back(msg);
      continue;
    }
    std::string why;
    const filter_match fm = match_filter(a, rv, sr.audit[k].key, why);
    if (fm == filter_match::no) {
      ++links.outside_filter;
      linked.insert(k);
      continue;
    }
    if (fm == filter_match::unknown) {
      const std::string msg = t.file + ":" + std::to_string(t.row_line[r]) + ": left out of the analysis: " + why;
      links.filter_unknown.push_back(msg);
      warnings.push_back(msg);
      linked.insert(k);
      continue;
    }
    if (!linked.insert(k).second) {
      warnings.push_back(t.file + ":" + std::to_string(t.row_line[r]) + ": a second study row for record " +
                         sr.audit[k].key + " (both are analysed as separate studies)");
    }
    kept.rows.push_back(t.rows[r]);
    kept.row_line.push_back(t.row_line[r]);
    if (r < t.cell_column.size()) kept.cell_column.push_back(t.cell_column[r]);
    if (r < t.cell_line.size()) kept.cell_line.push_back(t.cell_line[r]);
    record_of_row.push_back(k);
  }
  for (std::size_t i = 0; i < sr.records.size(); ++i) {
    std::string why;
    if (sr.audit[i].status == review::final_status::included && linked.count(i) == 0 &&
        match_filter(a, rv, sr.audit[i].key, why) == filter_match::yes) {
      links.included_without_data.push_back(describe_record(sr.records[i], sr.audit[i]));
      warnings.push_back("included record " + describe_record(sr.records[i], sr.audit[i]) +
                         " has no row in the study data");
    }
  }
  links.analysed = kept.rows.size();
  if (kept.rows.empty() && !a.filter.empty()) {
    fail_input(a.filter.front().where, "where",
               "no study row of " + a.data_label +
                   " belongs to an included record that matches the filter of analysis '" + a.id +
                   "': nothing to analyse");
  }
  if (kept.rows.empty()) {
    fail_input(source_position{t.file, 1, 0}, "", "no study row names an included record: nothing to analyse");
  }
  return kept;
}

std::vector<std::string> labels_of(const models::meta_result& r) {
  std::vector<std::string> out;
  for (const auto& s : r.studies) out.push_back(s.label);
  return out;
}

/// The settings of the [analysis] table; GEN ci_lower/ci_upper are read as 95% CIs whatever the
/// analysis level (the default input_level).
pipeline::analysis_settings settings_of(const analysis_spec& a) {
  pipeline::analysis_settings s;
  s.measure = a.measure;
  s.method = a.method;
  s.ci = a.ci;
  s.conv = a.conv;
  s.level = a.level;
  s.group_names = a.group_names;
  s.fivenum_method = a.five_number;
  return s;
}

void run_analyses(analysis_bundle& b, std::vector<std::string>& warnings) {
  const analysis_spec& a = b.spec;
  pipeline::prepared_analysis p = pipeline::prepare_analysis(settings_of(a), b.data, a.data_label);
  warnings.insert(warnings.end(), p.inputs.notes.begin(), p.inputs.notes.end());
  b.meta = pipeline::fit_meta(p, b.data);
  b.measure = p.measure;
  b.effects = std::move(p.effects);
  b.resolved = std::move(p.resolved);
  b.ctx = std::move(p.context);
  const report::meta_context& ctx = b.ctx;
  for (const auto& n : b.effects.notes.items) warnings.push_back(n);
  for (const auto& n : b.meta.notes.items) warnings.push_back(n);

  const std::vector<std::string> labels = labels_of(b.meta);
  const bool yv_method = b.resolved.spec.est != models::method::MH && b.resolved.spec.est != models::method::PETO;

  if (!a.subgroup.empty()) {
    const pipeline::factor_levels f = pipeline::read_factor(b.data, a.subgroup, b.effects.source_row);
    std::vector<std::string> group(b.effects.yi.size());
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (f.index[i] >= 0) group[i] = f.levels[static_cast<std::size_t>(f.index[i])];
    }
    b.subgroups = analyses::fit_subgroups(b.effects, group, f.levels, b.resolved.spec);
    b.subgroups->column = f.column;
    for (const auto& n : b.subgroups->notes.items) warnings.push_back("subgroups: " + n);
  }
  if (!a.moderators.empty()) {
    pipeline::design_options dopt;
    dopt.moderators = a.moderators;
    const pipeline::design_matrix dm = pipeline::build_design(b.data, b.effects.source_row, labels, dopt);
    std::vector<double> y, v;
    report::regression_context rc;
    rc.meta = ctx;
    rc.moderators = a.moderators;
    for (const auto& fc : dm.factors) rc.factors.push_back({fc.column, fc.reference, fc.levels});
    for (const std::size_t i : dm.kept) {
      y.push_back(b.effects.yi[i]);
      v.push_back(b.effects.vi[i]);
      rc.labels.push_back(labels[i]);
    }
    for (const std::size_t i : dm.missing) rc.left_out.push_back(labels[i]);
    rc.yi = y;
    rc.vi = v;
    b.regression = models::fit_regression(y, v, dm.x, b.resolved.spec);
    b.regression_ctx = std::move(rc);
    for (const auto& n : dm.notes.items) warnings.push_back("meta-regression: " + n);
    for (const auto& n : b.regression->notes.items) warnings.push_back("meta-regression: " + n);
  }
  if (a.bias && yv_method) {
    b.bias = analyses::small_study_tests(b.effects.yi, b.effects.vi, b.resolved.spec);
    b.trimfill = analyses::trim_and_fill(b.effects.yi, b.effects.vi, labels, b.resolved.spec);
    for (const auto& n : b.bias->notes.items) warnings.push_back("small-study tests: " + n);
    for (const auto& n : b.trimfill->notes.items) warnings.push_back("trim-and-fill: " + n);
  } else if (a.bias) {
    warnings.push_back("bias analyses need a method that pools yi/vi; not run with " +
                       std::string(models::to_string(b.resolved.spec.est)));
  }
  if (a.sensitivity && yv_method) {
    b.influence = analyses::influence(b.effects.yi, b.effects.vi, labels, b.resolved.spec);
    std::vector<std::size_t> order;
    b.cumulative_order = "data order";
    if (const auto col = b.data.find(a.cumulative_order)) {
      std::vector<double> key;
      for (const std::size_t r : b.effects.source_row) {
        const auto x = b.data.optional_number(r, *col);
        key.push_back(x ? *x : models::not_available);
      }
      order = analyses::stable_order(key);
      b.cumulative_order = b.data.names[*col];
    } else {
      warnings.push_back("cumulative meta-analysis: the study table has no column '" + a.cumulative_order +
                         "'; studies are added in data order");
    }
    b.cumulative = analyses::cumulative(b.effects.yi, b.effects.vi, labels, b.resolved.spec, order);
    for (const auto& n : b.influence->notes.items) warnings.push_back("influence: " + n);
  } else if (a.sensitivity) {
    warnings.push_back("sensitivity analyses need a method that pools yi/vi; not run with " +
                       std::string(models::to_string(b.resolved.spec.est)));
  }
}

std::shared_ptr<const run_figure> forest_figure(const analysis_bundle& b) {
  // With a subgroup analysis the forest plot shows one block per subgroup (R meta, Stata).
  plot::forest_input in =
      b.subgroups ? plot::make_subgroup_forest_input(*b.subgroups, b.meta, b.measure, b.ctx.harmonic_n, b.ctx.decimals)
                  : plot::make_forest_input(b.meta, b.measure, b.ctx.harmonic_n, b.ctx.decimals);
  for (const auto& dc : b.ctx.data_columns) {
    if (dc.cells.size() == b.meta.studies.size()) plot::add_column_by_source(in, {dc.group, dc.header}, dc.cells);
  }
  auto f = std::make_shared<run_figure>();
  f->name = "forest" + b.suffix;
  f->scene = plot::build_forest(in).drawing;
  f->svg = plot::render_svg(*f->scene);
  f->caption = "Figure 2" + b.letter + ". Forest plot" + (b.letter.empty() ? std::string() : " (" + b.title + ")") +
               ": " + std::string(effects::display_name(b.measure)) + " with " + fixed(b.meta.spec.level * 100, 0) +
               "% confidence intervals, " + plot::model_note(b.meta.spec) + ".";
  f->alt = "Forest plot of " + std::to_string(b.meta.k) + " studies; pooled estimate " + fixed(b.meta.pooled.estimate) +
           " [" + fixed(b.meta.pooled.ci_lower) + ", " + fixed(b.meta.pooled.ci_upper) + "]";
  return f;
}

std::shared_ptr<const run_figure> funnel_figure(const analysis_bundle& b) {
  plot::funnel_input in = plot::make_funnel_input(b.meta, b.measure);
  if (b.trimfill) {
    for (const auto& fs : b.trimfill->filled) {
      in.points.push_back({fs.yi, std::sqrt(fs.vi), true, fs.label});
    }
  }
  auto f = std::make_shared<run_figure>();
  f->name = "funnel" + b.suffix;
  f->scene = plot::build_funnel(in).drawing;
  f->svg = plot::render_svg(*f->scene);
  f->caption = "Figure 3" + b.letter + ". Funnel plot" + (b.letter.empty() ? std::string() : " (" + b.title + ")") +
               " with the pseudo 95% confidence region around the pooled estimate";
  if (b.trimfill && b.trimfill->k0 > 0) f->caption += "; hollow points are the studies imputed by trim-and-fill";
  f->caption += ".";
  f->alt = "Funnel plot of the " + std::to_string(b.meta.k) + " studies";
  return f;
}

json parsed(const std::string& text) {
  return json::parse(text);
}

/// The results of one analysis under the keys results.json has always used for the (only) analysis.
json analysis_json(const analysis_bundle& an, const review_bundle& rv) {
  json doc;
  json meta = parsed(report::format_json(an.meta, an.ctx));
  if (an.subgroups) {
    const json with = parsed(report::add_subgroups_json(report::format_json(an.meta, an.ctx), *an.subgroups, an.ctx));
    doc["subgroups"] = {
        {"groups", with["subgroups"]}, {"test", with["subgroup_test"]}, {"options", with["subgroup_options"]}};
  }
  doc["meta_analysis"] = std::move(meta);
  if (an.regression) doc["meta_regression"] = parsed(report::format_json(*an.regression, *an.regression_ctx));
  if (an.bias) doc["small_study_tests"] = parsed(report::format_json(*an.bias, an.ctx));
  if (an.trimfill) doc["trim_and_fill"] = parsed(report::format_json(*an.trimfill, an.ctx));
  if (an.influence) doc["influence"] = parsed(report::format_json(*an.influence, an.ctx));
  if (an.cumulative) doc["cumulative"] = parsed(report::format_json(*an.cumulative, an.ctx, an.cumulative_order));
  json link;
  link["data"] = an.spec.data_label;
  link["record_column"] = an.spec.record_column;
  link["rows"] = an.links.rows;
  link["analysed"] = an.links.analysed;
  link["included_without_data"] = an.links.included_without_data;
  link["rows_with_excluded_record"] = an.links.rows_with_excluded_record;
  if (!an.spec.filter.empty()) {
    link["outside_filter"] = an.links.outside_filter;
    link["filter_unknown"] = an.links.filter_unknown;
  }
  json studies = json::array();
  for (std::size_t i = 0; i < an.record_of_row.size(); ++i) {
    const std::size_t k = an.record_of_row[i];
    studies.push_back({{"row_line", an.data.row_line[i]},
                       {"record", rv.screen.audit[k].key},
                       {"doi", rv.screen.records[k].doi},
                       {"title", rv.screen.records[k].title}});
  }
  link["studies"] = std::move(studies);
  doc["linking"] = std::move(link);
  if (const std::string g = grade_json(an); !g.empty()) {
    const json gj = parsed(g);
    doc["grade"] = gj["grade"];
    doc["summary_of_findings"] = gj["summary_of_findings"];
  }
  return doc;
}

/// The `where` of an analysis as results.json gives it: {field: [values]}.
json filter_json(const analysis_spec& a) {
  json w = json::object();
  for (const auto& c : a.filter) w[c.field] = c.values;
  return w;
}

/// Criteria on extracted fields ([[criteria]] field/allowed): validated against the codebook (an
/// error at review.toml's line); an included record whose resolved value is not allowed is flagged (a
/// warning and a list in the report). Blank, disputed and missing values are not flagged: they are
/// reported by the extraction.
void check_field_criteria(review_bundle& rv, std::vector<std::string>& warnings) {
  review::validate_field_criteria(rv.spec.field_criteria, rv.codebook ? &*rv.codebook : nullptr);
  if (!rv.extracted) return;
  for (const auto& f : review::check_field_criteria(rv.spec.field_criteria, *rv.codebook, *rv.extracted)) {
    const std::string msg = review::describe(f);
    rv.criteria_flags.push_back(msg);
    warnings.push_back(msg);
  }
}

/// The extraction files are read when [extraction] is given and they exist; an analysis that needs
/// them (a `where`, or no data key) makes a missing file an error. A cell that fails the codebook
/// is an error at its position (the first one; `metasift extract check` lists them all).
void read_extraction(review_bundle& rv, const std::vector<analysis_spec>& specs, std::vector<std::string>& warnings) {
  if (!rv.codebook) return;
  const bool needed = std::any_of(specs.begin(), specs.end(),
                                  [](const analysis_spec& a) { return !a.filter.empty() || a.data_from_extraction; });
  std::error_code ec;
  for (const auto& f : rv.codebook->extractors) {
    if (fs::is_regular_file(f.path, ec)) continue;
    if (needed) {
      fail_input(f.where, f.name.empty() ? "file" : "extractors", "extraction file '" + f.label + "' does not exist");
    }
    warnings.push_back("extraction file '" + f.label + "' does not exist yet; the report shows no extracted fields");
    return;
  }
  rv.extracted = review::resolve_extraction(*rv.codebook, review::record_refs(rv.screen));
  const auto& errors = rv.extracted->check.errors;
  if (!errors.empty()) {
    std::string first = errors.front();
    // The check's messages begin with "file:line:column: "; keep that position for the error.
    source_position pos;
    std::string rest = first;
    for (const auto& f : rv.codebook->extractors) {
      const std::string p = f.path.string() + ":";
      if (first.rfind(p, 0) == 0) pos.file = f.path.string();
    }
    if (rv.codebook->consensus && first.rfind(rv.codebook->consensus->path.string() + ":", 0) == 0) {
      pos.file = rv.codebook->consensus->path.string();
    }
    if (!pos.file.empty()) {
      std::size_t at = pos.file.size() + 1;
      const auto num = [&](std::size_t& out) {
        std::size_t n = 0, used = 0;
        while (at + used < first.size() && first[at + used] >= '0' && first[at + used] <= '9') {
          n = n * 10 + static_cast<std::size_t>(first[at + used] - '0');
          ++used;
        }
        if (used == 0) return false;
        out = n;
        at += used;
        if (at < first.size() && first[at] == ':') ++at;
        return true;
      };
      if (num(pos.line)) (void)num(pos.column);
      while (at < first.size() && first[at] == ' ') ++at;
      rest = first.substr(at);
    }
    if (errors.size() > 1) {
      rest += " (and " + std::to_string(errors.size() - 1) + " more invalid cells: metasift extract check lists them)";
    }
    fail_input(pos, "", rest);
  }
  for (const auto& d : rv.extracted->check.discrepancies) {
    if (d.consensus) continue;
    std::string vals;
    for (const auto& [who, v] : d.values) vals += (vals.empty() ? "" : ", ") + who + " '" + v + "'";
    warnings.push_back("extraction: the extractors disagree on " + d.field + " of " + d.record + " (" + vals +
                       ") and the consensus file has no value");
  }
}

}  // namespace

run_outputs compute_run(const run_options& opt) {
  steps progress(opt, 6);
  progress.next("reading review file");
  const std::string text = io::read_file(opt.review);
  review_bundle rv;
  rv.spec = review::parse_review_file(text, opt.review, opt.allow_outside);
  const std::vector<analysis_spec> specs = parse_analyses(text, opt.review, opt.allow_outside);
  rv.codebook = review::parse_extraction(text, opt.review, opt.allow_outside);
  check_files_exist(rv.spec);

  progress.next("screening (import, deduplication, search, criteria, decisions)");
  review::screen_options so;
  so.dedup.threads = opt.threads;
  rv.screen = review::run_screening(rv.spec, so);
  // The command line's previous folder overrides the review file's [update] previous.
  if (!opt.previous.empty()) {
    rv.update = compare_with_previous(opt.previous, opt.previous.string(), rv);
  } else if (rv.spec.previous) {
    std::error_code ec;
    if (!std::filesystem::is_directory(*rv.spec.previous, ec)) {
      fail_input(rv.spec.previous_where, "previous",
                 "'" + rv.spec.previous_label + "' is not a folder (the results folder of an earlier run)");
    }
    rv.update = compare_with_previous(*rv.spec.previous, rv.spec.previous_label, rv);
  }

  run_outputs out;
  out.title = rv.spec.title.empty() ? "Systematic review" : rv.spec.title;
  out.prisma = rv.screen.prisma;
  for (const auto& d : rv.screen.query_diagnostics) out.warnings.push_back(d);
  for (const auto& w : rv.screen.warnings) out.warnings.push_back(w);
  rv.appraisal = load_run_appraisal(rv);
  if (rv.appraisal) {
    for (const auto& n : rv.appraisal->check.notes) out.warnings.push_back("appraisal: " + n);
  }
  const std::vector<analyses::grade_judgement> grade_judgements = parse_grade_judgements(text, opt.review);
  if (!grade_judgements.empty() && specs.empty()) {
    fail_input(grade_judgements.front().where, "[[grade]]", "GRADE judgements need an [analysis] to rate");
  }

  progress.next("meta-analysis");
  read_extraction(rv, specs, out.warnings);
  check_field_criteria(rv, out.warnings);
  std::vector<analysis_bundle> ans;
  ans.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    analysis_bundle& an = ans.emplace_back();
    an.spec = specs[i];
    an.title = specs[i].title.empty() ? specs[i].id : specs[i].title;
    if (specs.size() > 1) {
      an.suffix = "-" + specs[i].id;
      an.letter = i < 26 ? std::string(1, static_cast<char>('a' + i)) : "." + std::to_string(i + 1);
    }
    // With several outcomes, each warning names the outcome it comes from.
    std::vector<std::string> warnings;
    const io::table t = io::read_table(an.spec.data);
    if (t.rows.empty()) fail_input(source_position{t.file, 1, 0}, "", "the study table has a header but no rows");
    an.data = link_rows(t, an.spec, rv, an.record_of_row, an.links, warnings);
    run_analyses(an, warnings);
    appraise_analysis(an, rv, warnings);
    // With several outcomes each [[grade]] entry rates the analysis whose outcome it names.
    std::vector<analyses::grade_judgement> judgements;
    for (const auto& j : grade_judgements) {
      if (specs.size() == 1 || j.outcome == outcome_name(an)) judgements.push_back(j);
    }
    grade_analysis(an, rv, judgements);
    for (auto& w : warnings) out.warnings.push_back(specs.size() > 1 ? an.spec.id + ": " + w : std::move(w));
    out.outcomes.push_back({an.spec.id, an.title, an.meta, an.links, an.measure});
  }
  if (ans.size() > 1) {
    for (const auto& j : grade_judgements) {
      const bool known =
          std::any_of(ans.begin(), ans.end(), [&](const analysis_bundle& a) { return outcome_name(a) == j.outcome; });
      if (!known) {
        std::string names;
        for (const auto& a : ans) names += (names.empty() ? "'" : ", '") + outcome_name(a) + "'";
        fail_input(j.where, "[[grade]]",
                   "outcome '" + j.outcome + "' is not the outcome of any analysis (" + names + ")");
      }
    }
  }
  if (!ans.empty()) {
    out.meta = ans.front().meta;
    out.measure = ans.front().measure;
    out.links = ans.front().links;
  }

  progress.next("figures");
  auto prisma = std::make_shared<run_figure>();
  prisma->name = "prisma";
  prisma->prisma = rv.screen.prisma;
  prisma->svg = review::prisma_svg(rv.screen.prisma);
  prisma->caption = "Figure 1. PRISMA 2020 flow diagram of the study selection.";
  prisma->alt =
      "PRISMA 2020 flow diagram: " + std::to_string(rv.screen.prisma.identified_total()) + " records identified, " +
      std::to_string(rv.screen.prisma.update ? rv.screen.prisma.total_studies : rv.screen.prisma.new_studies) +
      " studies included";
  out.figures.push_back(prisma);
  for (const auto& an : ans) {
    out.figures.push_back(forest_figure(an));
    if (an.bias) out.figures.push_back(funnel_figure(an));
  }
  for (auto& f : appraisal_figures(rv, ans.empty() ? nullptr : &ans.front())) out.figures.push_back(std::move(f));

  progress.next("results.json");
  json doc;
  doc["metasift"] = std::string(version());
  doc["title"] = out.title;
  doc["review_file"] = opt.review.filename().string();
  doc["prisma"] = parsed(review::format_prisma_json(rv.screen.prisma));
  if (!ans.empty()) {
    // The first (or only) analysis keeps the top-level keys; analyses[] holds every outcome.
    const json first = analysis_json(ans.front(), rv);
    for (auto&& [k, v] : first.items()) doc[k] = v;
    json list = json::array();
    for (const auto& an : ans) {
      json entry;
      entry["id"] = an.spec.id;
      entry["title"] = an.spec.title;
      entry["where"] = filter_json(an.spec);
      const json keys = analysis_json(an, rv);
      for (auto&& [k, v] : keys.items()) entry[k] = v;
      list.push_back(std::move(entry));
    }
    doc["analyses"] = std::move(list);
    // GRADE rates each outcome: the top-level grade and summary_of_findings hold every outcome's
    // entry (one Summary of Findings row per outcome), not only the first one's.
    if (ans.size() > 1) {
      json grade = json::array(), sof = json::array();
      for (const auto& an : ans) {
        const std::string g = grade_json(an);
        if (g.empty()) continue;
        const json gj = parsed(g);
        for (const auto& x : gj["grade"]) grade.push_back(x);
        for (const auto& x : gj["summary_of_findings"]) sof.push_back(x);
      }
      if (!grade.empty()) {
        doc["grade"] = std::move(grade);
        doc["summary_of_findings"] = std::move(sof);
      }
    }
  }
  // Appraisal, the living-update comparison and their report parts describe the first (or only) analysis.
  const analysis_bundle* first = ans.empty() ? nullptr : &ans.front();
  if (const std::string a = appraisal_json(rv, first); !a.empty()) doc["appraisal"] = parsed(a);
  if (rv.update) {
    finish_comparison(*rv.update, first ? std::optional<models::meta_result>(first->meta) : std::nullopt,
                      first ? std::string(effects::to_string(first->measure)) : std::string());
    doc["update"] = parsed(update_json(*rv.update));
  }
  doc["warnings"] = out.warnings;

  progress.next("report");
  for (const auto& r : rv.spec.sources) {
    std::size_t n = 0;
    for (const auto& a : rv.screen.audit) n += rv.spec.sources[a.source].name == r.name ? 1 : 0;
    rv.records_per_source.push_back(n);
  }
  const report::html_document html = build_report(opt, rv, ans, out.warnings, out.figures);
  out.text_files.emplace_back("report.html", report::format_html(html));
  out.text_files.emplace_back("results.json", doc.dump(2) + "\n");
  out.text_files.emplace_back("screening.csv", review::format_audit_csv(rv.spec, rv.screen));
  out.text_files.emplace_back("prisma.json", review::format_prisma_json(rv.screen.prisma));
  // One row per outcome that has a Summary of Findings row, under one header.
  std::string sof;
  for (const auto& an : ans) {
    const std::string csv = sof_csv(an);
    if (csv.empty()) continue;
    sof += sof.empty() ? csv : csv.substr(csv.find('\n') + 1);
  }
  if (!sof.empty()) out.text_files.emplace_back("summary_of_findings.csv", sof);
  return out;
}

}  // namespace metasift::run
