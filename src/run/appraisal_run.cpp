// The appraisal in `metasift run`: the judgement files of [appraisal], the link from each analysed
// study to its assessment, the sensitivity and subgroup analyses by risk of bias, the GRADE
// proposals and the Summary of Findings table, their figures, results.json parts and report
// sections (docs/appraisal.md, docs/report.md).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/diagrams/appraisal_figures.hpp"
#include "metasift/io/csv_writer.hpp"
#include "metasift/io/file.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/plot/forest.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::run {
namespace {

using json = nlohmann::ordered_json;
using report::html_figure;
using report::html_list;
using report::html_paragraph;
using report::html_section;
using report::html_table;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

/// "some-concerns" -> "Some concerns".
std::string judgement_words(const std::string& j) {
  if (j.empty()) return "not assessed";
  std::string s = j;
  std::replace(s.begin(), s.end(), '-', ' ');
  if (s == "cant tell") s = "can't tell";
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

/// The risk of bias GRADE reads from an overall judgement, by its meaning in the shipped tools.
analyses::study_risk risk_of(const std::string& j) {
  if (j.empty()) return analyses::study_risk::not_assessed;
  static const std::vector<std::string> low{"low", "good", "yes", "include"};
  static const std::vector<std::string> high{"high", "serious", "critical", "very-high",
                                             "poor", "at-risk", "exclude",  "no"};
  if (std::find(low.begin(), low.end(), j) != low.end()) return analyses::study_risk::low;
  if (std::find(high.begin(), high.end(), j) != high.end()) return analyses::study_risk::high;
  return analyses::study_risk::some_concerns;
}

bool yv_method(const analysis_bundle& b) {
  return b.resolved.spec.est != models::method::MH && b.resolved.spec.est != models::method::PETO;
}

std::string display(const analysis_bundle& b, double x) {
  return fixed(effects::back_transform(b.measure, x, b.ctx.harmonic_n), b.ctx.decimals);
}

std::string with_ci(const analysis_bundle& b, double est, double lo, double hi) {
  return display(b, est) + " [" + display(b, lo) + ", " + display(b, hi) + "]";
}

html_section make_section(std::string id, std::string title, int level = 2) {
  html_section s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.level = level;
  return s;
}

html_figure figure_html(const run_figure& f) {
  html_figure h;
  h.id = f.name;
  h.caption = f.caption;
  h.alt = f.alt;
  h.svg = f.svg;
  h.links = {{"SVG", "figures/" + f.name + ".svg"},
             {"PDF", "figures/" + f.name + ".pdf"},
             {"PNG", "figures/" + f.name + ".png"}};
  return h;
}

const run_figure* figure_named(const std::vector<std::shared_ptr<const run_figure>>& figs, const std::string& name) {
  for (const auto& f : figs) {
    if (f->name == name) return f.get();
  }
  return nullptr;
}

std::shared_ptr<run_figure> scene_figure(std::string name, plot::scene s, std::string caption, std::string alt) {
  auto f = std::make_shared<run_figure>();
  f->name = std::move(name);
  f->scene = std::move(s);
  f->svg = plot::render_svg(*f->scene);
  f->caption = std::move(caption);
  f->alt = std::move(alt);
  return f;
}

std::size_t count_risk(const rob_bundle& r, analyses::study_risk k) {
  return static_cast<std::size_t>(std::count(r.risk.begin(), r.risk.end(), k));
}

std::string starting_reason(const analysis_bundle& b, const review_bundle& rv, analyses::certainty& start) {
  const std::string& s = b.spec.certainty_start;
  if (!s.empty()) {
    start = s == "low" ? analyses::certainty::low : analyses::certainty::high;
    return "declared in [analysis] (certainty_start = \"" + s + "\")";
  }
  const std::string tool = rv.appraisal ? rv.appraisal->spec.tool.id : "";
  start = analyses::certainty::high;
  if (tool == "rob2" || tool == "rob1")
    return "randomised trials (appraised with " + rv.appraisal->spec.tool.name + ")";
  if (tool == "robins-i" || tool == "robins-e") {
    return "non-randomised studies appraised with " + rv.appraisal->spec.tool.name +
           ", which start high and are rated down through risk of bias (Schünemann et al., GRADE guidelines 18, "
           "J Clin Epidemiol 2019;111:105-114)";
  }
  if (tool == "quadas2") return "diagnostic accuracy studies (QUADAS-2)";
  if (!tool.empty() && tool != "custom") {
    start = analyses::certainty::low;
    return "observational studies (appraised with " + rv.appraisal->spec.tool.name + ")";
  }
  return "assumed randomised: set certainty_start = \"low\" in [analysis] for observational evidence";
}

}  // namespace

std::string outcome_name(const analysis_bundle& an) {
  return an.spec.outcome.empty() ? "Main outcome" : an.spec.outcome;
}

std::optional<appraisal_bundle> load_run_appraisal(const review_bundle& rv) {
  auto spec = review::load_appraisal(rv.spec);
  if (!spec) return std::nullopt;
  const review::included_records inc = review::included_of(rv.screen);
  const auto read = [&](const review::appraisal_spec::file_ref& f) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f.path, ec)) {
      fail_input(f.where, "appraisal", "file '" + f.label + "' does not exist");
    }
    const std::string label = (rv.spec.dir / f.label).lexically_normal().string();
    return review::parse_judgements(io::read_file(f.path), label, spec->tool, inc);
  };
  std::vector<std::vector<review::appraisal_row>> rows;
  for (const auto& f : spec->assessors) rows.push_back(read(f));
  std::optional<std::vector<review::appraisal_row>> consensus;
  if (spec->consensus) consensus = read(*spec->consensus);
  appraisal_bundle b;
  b.check = review::check_appraisal(*spec, rows, consensus, inc);
  b.spec = std::move(*spec);
  return b;
}

void appraise_analysis(analysis_bundle& b, const review_bundle& rv, std::vector<std::string>& warnings) {
  if (!rv.appraisal) return;
  const review::appraisal_check& c = rv.appraisal->check;
  rob_bundle r;
  const std::string outcome = lower(b.spec.outcome);
  // The assessment of each raw data row (= analysed table row): by record, and by outcome when the
  // tool judges results.
  std::map<std::size_t, std::ptrdiff_t> cache;
  const auto find_unit = [&](std::size_t row) -> std::ptrdiff_t {
    if (row >= b.record_of_row.size()) return -1;
    const std::string& key = rv.screen.audit[b.record_of_row[row]].key;
    std::vector<std::ptrdiff_t> found;
    for (std::size_t u = 0; u < c.units.size(); ++u) {
      if (c.units[u].record == key) found.push_back(static_cast<std::ptrdiff_t>(u));
    }
    if (found.size() <= 1) return found.empty() ? -1 : found.front();
    for (const std::ptrdiff_t u : found) {
      if (lower(c.units[static_cast<std::size_t>(u)].outcome) == outcome) return u;
    }
    warnings.push_back("appraisal: record " + key +
                       " is assessed for several outcomes and none is the analysis' outcome '" + b.spec.outcome +
                       "' (set outcome in [analysis]); it counts as not assessed");
    return -1;
  };
  const auto unit_of_row = [&](std::size_t row) {
    const auto it = cache.find(row);
    return it != cache.end() ? it->second : cache.emplace(row, find_unit(row)).first->second;
  };
  const auto judgement_of = [&](std::ptrdiff_t u) {
    return u < 0 ? std::string() : c.units[static_cast<std::size_t>(u)].overall.value_or("");
  };
  for (std::size_t i = 0; i < b.meta.studies.size(); ++i) {
    const std::size_t row = i < b.meta.source_row.size() ? b.meta.source_row[i] : i;
    const std::ptrdiff_t u = unit_of_row(row);
    r.unit_of_study.push_back(u);
    r.overall.push_back(judgement_of(u));
    r.risk.push_back(risk_of(r.overall.back()));
  }
  const std::size_t n_high = count_risk(r, analyses::study_risk::high);
  if (n_high > 0 && n_high < b.meta.studies.size() && yv_method(b)) {
    std::vector<double> y, v;
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < b.meta.studies.size(); ++i) {
      const auto& st = b.meta.studies[i];
      if (r.risk[i] == analyses::study_risk::high) {
        r.high_labels.push_back(st.label);
        continue;
      }
      y.push_back(st.yi);
      v.push_back(st.vi);
      labels.push_back(st.label);
    }
    r.without_high = models::fit(y, v, labels, b.resolved.spec);
  } else if (n_high > 0 && !yv_method(b)) {
    warnings.push_back(
        "risk of bias: the sensitivity analysis without high-risk studies needs a method that pools "
        "yi/vi; not run with " +
        std::string(models::to_string(b.resolved.spec.est)));
  }
  if (b.spec.rob_subgroup) {
    // Subgroups by the overall judgement, per row of the effect table.
    std::vector<std::string> group(b.effects.yi.size());
    std::vector<std::string> levels;
    for (std::size_t e = 0; e < group.size(); ++e) {
      group[e] = judgement_words(judgement_of(unit_of_row(b.effects.source_row[e])));
      if (group[e] == "not assessed") group[e].clear();
    }
    // Levels in the tool's order of severity.
    for (const auto& j : rv.appraisal->spec.tool.overall_judgements) {
      const std::string w = judgement_words(j);
      if (std::find(group.begin(), group.end(), w) != group.end()) levels.push_back(w);
    }
    if (levels.size() >= 2) {
      r.by_rob = analyses::fit_subgroups(b.effects, group, levels, b.resolved.spec);
      r.by_rob->column = "overall risk of bias";
      for (const auto& n : r.by_rob->notes.items) warnings.push_back("subgroups by risk of bias: " + n);
    } else {
      warnings.push_back("subgroups by risk of bias: fewer than two overall judgements among the analysed studies");
    }
  }
  b.rob = std::move(r);
}

void grade_analysis(analysis_bundle& b, const review_bundle& rv,
                    const std::vector<analyses::grade_judgement>& judgements) {
  analyses::grade_input in;
  in.outcome = outcome_name(b);
  in.measure = b.measure;
  in.meta = &b.meta;
  if (b.rob) in.risk = b.rob->risk;
  in.mid = b.spec.mid;
  if (b.spec.control_risk) {
    in.control_risk = b.spec.control_risk;
    in.control_risk_source = "declared";
  } else if (b.effects.counts && !b.effects.counts->c.empty()) {
    // The median risk of the control groups (group 2: ci / (ci + di), metafor's layout).
    std::vector<double> cr;
    const auto& t = *b.effects.counts;
    for (std::size_t i = 0; i < t.c.size(); ++i) {
      const double n = t.c[i] + t.d[i];
      if (n > 0) cr.push_back(t.c[i] / n);
    }
    std::sort(cr.begin(), cr.end());
    if (!cr.empty()) {
      const std::size_t m = cr.size() / 2;
      const double med = cr.size() % 2 == 1 ? cr[m] : (cr[m - 1] + cr[m]) / 2.0;
      if (med > 0 && med < 1) {
        in.control_risk = med;
        in.control_risk_source = "median control-group risk of " + std::to_string(cr.size()) + " studies";
      }
    }
  }
  if (!b.effects.ni.empty() && b.effects.ni.size() == b.effects.yi.size()) {
    double n = 0;
    for (const double x : b.effects.ni) n += x;
    if (std::isfinite(n) && n > 0) in.participants = n;
  }
  if (b.bias) in.bias = &*b.bias;
  if (b.trimfill) in.trimfill = &*b.trimfill;
  if (b.subgroups) in.subgroup_p = b.subgroups->test.p;
  in.start_reason = starting_reason(b, rv, in.start);
  for (const auto& j : judgements) {
    if (j.outcome != in.outcome) {
      fail_input(j.where, "[[grade]]",
                 "outcome '" + j.outcome + "' is not the analysis' outcome '" + in.outcome +
                     "' (name it with outcome = \"...\" in [analysis])");
    }
  }
  b.grade = analyses::assess_grade(in, judgements);
  b.sof = analyses::summary_of_findings_row(in, *b.grade);
}

std::vector<std::shared_ptr<const run_figure>> appraisal_figures(const review_bundle& rv, const analysis_bundle* an) {
  std::vector<std::shared_ptr<const run_figure>> out;
  if (!rv.appraisal) return out;
  const appraisal_bundle& ap = *rv.appraisal;
  const std::string tool = ap.spec.tool.name;
  const std::size_t n = ap.check.units.size();
  // The figures name an analysed study as the forest plot does ("Zhao et al."), not by its record
  // key, which after deduplication may be another database's id than the one the assessor used.
  review::appraisal_check named = ap.check;
  if (an != nullptr && an->rob) {
    const auto& link = an->rob->unit_of_study;
    for (std::size_t i = 0; i < link.size() && i < an->meta.studies.size(); ++i) {
      if (link[i] >= 0 && !an->meta.studies[i].label.empty()) {
        named.units[static_cast<std::size_t>(link[i])].record = an->meta.studies[i].label;
      }
    }
  }
  out.push_back(scene_figure("traffic-light", diagrams::traffic_light_scene(ap.spec, named),
                             "Risk-of-bias traffic-light plot (" + tool + "): the judgement of each domain and the " +
                                 "overall judgement of each assessment.",
                             "Traffic-light plot of " + std::to_string(n) + " assessments"));
  out.push_back(scene_figure("rob-summary", diagrams::summary_scene(ap.spec, named),
                             "Risk-of-bias summary plot (" + tool + "): the share of assessments at each judgement.",
                             "Risk-of-bias summary of " + std::to_string(n) + " assessments"));
  if (an == nullptr || !an->rob) return out;
  const rob_bundle& r = *an->rob;
  // Weighted summary: each assessment weighs what its study weighs in the analysis.
  std::vector<double> w(n, 0.0);
  bool any = false;
  for (std::size_t i = 0; i < r.unit_of_study.size(); ++i) {
    if (r.unit_of_study[i] < 0) continue;
    const double x = an->meta.studies[i].weight;
    if (std::isfinite(x)) {
      w[static_cast<std::size_t>(r.unit_of_study[i])] += x;
      any = true;
    }
  }
  if (any) {
    out.push_back(scene_figure(
        "rob-summary-weighted", diagrams::make_weighted_summary_scene(ap.spec, named, w),
        "Risk-of-bias summary weighted by the meta-analysis weights (" + tool +
            "): each bar splits the analysis weight by judgement (robvis, weighted = TRUE).",
        "Weighted risk-of-bias summary of the " + std::to_string(an->meta.studies.size()) + " analysed studies"));
  }
  // The forest plot with the risk-of-bias columns (the main forest plot's blocks and columns).
  plot::forest_input in = an->subgroups
                              ? plot::make_subgroup_forest_input(*an->subgroups, an->meta, an->measure,
                                                                 an->ctx.harmonic_n, an->ctx.decimals)
                              : plot::make_forest_input(an->meta, an->measure, an->ctx.harmonic_n, an->ctx.decimals);
  std::vector<std::pair<std::string, const review::appraisal_unit*>> rows;
  for (const auto& blk : in.blocks) {
    for (const auto& st : blk.studies) {
      const review::appraisal_unit* u = nullptr;
      if (st.source < r.unit_of_study.size() && r.unit_of_study[st.source] >= 0) {
        u = &ap.check.units[static_cast<std::size_t>(r.unit_of_study[st.source])];
      }
      rows.emplace_back(st.label, u);
    }
  }
  const plot::forest_plot fp = plot::build_forest(in);
  out.push_back(scene_figure("forest-rob", diagrams::forest_with_rob(fp, ap.spec.tool, rows),
                             "Forest plot with the risk-of-bias judgements of each study (" + tool + ").",
                             "Forest plot of " + std::to_string(an->meta.k) + " studies with risk-of-bias columns"));
  return out;
}

std::string appraisal_json(const review_bundle& rv, const analysis_bundle* an) {
  if (!rv.appraisal) return "";
  const appraisal_bundle& ap = *rv.appraisal;
  json j;
  j["tool"] = ap.spec.tool.id;
  j["tool_name"] = ap.spec.tool.name;
  j["guidance"] = ap.spec.tool.guidance;
  json assessors = json::array();
  for (const auto& f : ap.spec.assessors) assessors.push_back(f.assessor.empty() ? f.label : f.assessor);
  j["assessors"] = assessors;
  j["consensus"] = ap.spec.consensus ? ap.spec.consensus->label : "";
  j["disagreements"] = ap.check.disagreements.size();
  j["not_assessed"] = ap.check.not_assessed;
  json units = json::array();
  for (const auto& u : ap.check.units) {
    json x;
    x["record"] = u.record;
    x["outcome"] = u.outcome;
    x["domains"] = u.domains;
    x["proposed"] = u.proposed ? json(*u.proposed) : json(nullptr);
    x["overall"] = u.overall ? json(*u.overall) : json(nullptr);
    x["override_support"] = u.override_support;
    units.push_back(std::move(x));
  }
  j["assessments"] = std::move(units);
  if (an != nullptr && an->rob) {
    const rob_bundle& r = *an->rob;
    json st = json::array();
    for (std::size_t i = 0; i < r.overall.size(); ++i) {
      st.push_back(
          {{"study", an->meta.studies[i].label}, {"overall", r.overall[i]}, {"weight", an->meta.studies[i].weight}});
    }
    j["studies"] = std::move(st);
    if (r.without_high) {
      const auto& m = *r.without_high;
      j["sensitivity_without_high_risk"] = {{"excluded", r.high_labels},
                                            {"k", m.k},
                                            {"estimate", m.pooled.estimate},
                                            {"ci_lower", m.pooled.ci_lower},
                                            {"ci_upper", m.pooled.ci_upper},
                                            {"p", m.pooled.p},
                                            {"tau2", m.het.tau2},
                                            {"I2", m.het.I2}};
    }
    if (r.by_rob) {
      json g = json::array();
      for (const auto& s : r.by_rob->groups) {
        g.push_back({{"judgement", s.name},
                     {"k", s.k},
                     {"estimate", s.fit.pooled.estimate},
                     {"ci_lower", s.fit.pooled.ci_lower},
                     {"ci_upper", s.fit.pooled.ci_upper}});
      }
      j["subgroups_by_risk_of_bias"] = {
          {"groups", g}, {"Q", r.by_rob->test.Q}, {"df", r.by_rob->test.df}, {"p", r.by_rob->test.p}};
    }
  }
  return j.dump();
}

std::string grade_json(const analysis_bundle& an) {
  if (!an.grade || !an.sof) return "";
  const analyses::grade_assessment& g = *an.grade;
  const analyses::sof_row& s = *an.sof;
  json j;
  j["outcome"] = g.outcome;
  j["start"] = std::string(to_string(g.start));
  j["start_reason"] = g.start_reason;
  json d = json::array();
  for (const auto& r : g.domains) {
    json x;
    x["domain"] = std::string(to_string(r.proposal.domain));
    x["proposed"] = r.proposal.change;
    x["from_data"] = r.proposal.from_data;
    x["rule"] = r.proposal.rule;
    x["reason"] = r.proposal.reason;
    x["judgement"] =
        r.judgement ? json{{"levels", r.judgement->levels}, {"reason", r.judgement->reason}} : json(nullptr);
    x["final"] = r.change;
    x["departs_from_proposal"] = r.departs;
    d.push_back(std::move(x));
  }
  j["domains"] = std::move(d);
  j["certainty"] = std::string(to_string(g.final_certainty));
  j["symbols"] = analyses::certainty_symbols(g.final_certainty);
  j["footnotes"] = g.footnotes;
  json sof;
  sof["outcome"] = s.outcome;
  sof["studies"] = s.studies;
  sof["participants"] = std::isfinite(s.participants) ? json(s.participants) : json(nullptr);
  sof["relative_effect"] = s.relative;
  if (s.absolute) {
    const auto& a = *s.absolute;
    sof["control_risk_source"] = s.control_risk_source;
    sof["per_1000"] = {{"control", a.control},
                       {"intervention", a.intervention},
                       {"intervention_lower", a.lower},
                       {"intervention_upper", a.upper},
                       {"difference", a.difference},
                       {"difference_lower", a.difference_lower},
                       {"difference_upper", a.difference_upper}};
  }
  sof["assumed_risk"] = s.assumed;
  sof["risk_with_intervention"] = s.corresponding;
  sof["difference"] = s.difference;
  sof["certainty"] = std::string(to_string(s.grade));
  sof["footnotes"] = s.footnotes;
  json out;
  out["grade"] = json::array({j});
  out["summary_of_findings"] = json::array({sof});
  return out.dump();
}

std::string sof_csv(const analysis_bundle& an) {
  if (!an.sof) return "";
  const analyses::sof_row& s = *an.sof;
  std::string out =
      "outcome,studies,participants,relative_effect,assumed_risk,risk_with_intervention,difference,certainty,"
      "footnotes\n";
  std::string notes;
  for (std::size_t i = 0; i < s.footnotes.size(); ++i) notes += (i ? " | " : "") + s.footnotes[i];
  const std::vector<std::string> cells{s.outcome,
                                       std::to_string(s.studies),
                                       std::isfinite(s.participants) ? fixed(s.participants, 0) : "",
                                       s.relative,
                                       s.assumed,
                                       s.corresponding,
                                       s.difference,
                                       std::string(to_string(s.grade)),
                                       notes};
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    out += io::csv_text(cells[i]);
  }
  return out + "\n";
}

std::vector<html_section> appraisal_sections(const review_bundle& rv, const analysis_bundle* an,
                                             const std::vector<std::shared_ptr<const run_figure>>& figs) {
  std::vector<html_section> out;
  if (rv.appraisal) {
    const appraisal_bundle& ap = *rv.appraisal;
    html_section s = make_section("risk-of-bias", "Risk of bias in included studies");
    const std::size_t n = ap.check.units.size();
    s.blocks.push_back(html_paragraph{
        std::to_string(n) + " assessments with " + ap.spec.tool.name + " (" + ap.spec.tool.guidance + ")." +
            (ap.check.not_assessed.empty()
                 ? ""
                 : " Included records not assessed: " + std::to_string(ap.check.not_assessed.size()) + "."),
        ""});
    for (const char* name : {"traffic-light", "rob-summary", "rob-summary-weighted", "forest-rob"}) {
      if (const run_figure* f = figure_named(figs, name)) s.blocks.push_back(figure_html(*f));
    }
    html_table t;
    t.id = "risk-of-bias-table";
    t.caption = "Overall risk-of-bias judgements";
    t.header = {"Assessment", "Overall", "Rule applied", "Override support"};
    for (const auto& u : ap.check.units) {
      t.rows.push_back({u.record + (u.outcome.empty() ? "" : " [" + u.outcome + "]"),
                        judgement_words(u.overall.value_or("")), u.rule_text, u.override_support});
    }
    for (const auto& d : ap.check.notes) t.notes.push_back(d);
    s.blocks.push_back(std::move(t));
    if (an != nullptr && an->rob) {
      const rob_bundle& r = *an->rob;
      html_section sens = make_section("rob-sensitivity", "Sensitivity analysis without studies at high risk", 3);
      if (r.without_high) {
        const auto& m = *r.without_high;
        html_table st;
        st.id = "rob-sensitivity-table";
        st.caption = "Pooled estimate with and without the studies at high risk of bias";
        st.header = {"Studies", "k", "Estimate [CI]", "I² (%)"};
        st.numeric = {false, true, true, true};
        st.rows.push_back({"All analysed studies", std::to_string(an->meta.k),
                           with_ci(*an, an->meta.pooled.estimate, an->meta.pooled.ci_lower, an->meta.pooled.ci_upper),
                           fixed(an->meta.het.I2)});
        st.rows.push_back({"Without high risk of bias", std::to_string(m.k),
                           with_ci(*an, m.pooled.estimate, m.pooled.ci_lower, m.pooled.ci_upper), fixed(m.het.I2)});
        std::string left;
        for (std::size_t i = 0; i < r.high_labels.size(); ++i) left += (i ? ", " : "") + r.high_labels[i];
        st.notes.push_back("Left out: " + left + ".");
        sens.blocks.push_back(std::move(st));
      } else {
        sens.blocks.push_back(html_paragraph{
            count_risk(r, analyses::study_risk::high) == 0
                ? "No analysed study is at high risk of bias: the analysis is unchanged."
                : "Every analysed study is at high risk of bias (or the method pools 2x2 tables): not run.",
            ""});
      }
      out.push_back(std::move(s));
      out.push_back(std::move(sens));
      if (r.by_rob) {
        html_section sg = make_section("rob-subgroups", "Subgroup analysis by overall risk of bias", 3);
        html_table gt;
        gt.id = "rob-subgroup-table";
        gt.caption = "Pooled estimates by overall risk-of-bias judgement";
        gt.header = {"Overall judgement", "k", "Estimate [CI]", "I² (%)"};
        gt.numeric = {false, true, true, true};
        for (const auto& g : r.by_rob->groups) {
          gt.rows.push_back({g.name, std::to_string(g.k),
                             with_ci(*an, g.fit.pooled.estimate, g.fit.pooled.ci_lower, g.fit.pooled.ci_upper),
                             fixed(g.fit.het.I2)});
        }
        gt.notes.push_back("Test of subgroup differences: Q(" + fixed(r.by_rob->test.df, 0) +
                           ") = " + fixed(r.by_rob->test.Q) + ", p = " + fixed(r.by_rob->test.p, 3) + ".");
        for (const auto& l : r.by_rob->unassigned_labels) gt.notes.push_back("Not assessed: " + l + ".");
        sg.blocks.push_back(std::move(gt));
        out.push_back(std::move(sg));
      }
    } else {
      out.push_back(std::move(s));
    }
  }
  if (an != nullptr && an->grade && an->sof) {
    const analyses::grade_assessment& g = *an->grade;
    const analyses::sof_row& row = *an->sof;
    html_section s = make_section("certainty", "Certainty of the evidence (GRADE)");
    html_table sof;
    sof.id = "summary-of-findings";
    sof.caption = "Summary of Findings";
    const bool abs = row.absolute.has_value();
    sof.header = {"Outcome", "No. of participants (studies)", "Relative effect (95% CI)"};
    if (abs) {
      sof.header.insert(sof.header.end(),
                        {"Risk without intervention", "Risk with intervention (95% CI)", "Difference (95% CI)"});
    } else {
      sof.header.push_back("Anticipated effect (95% CI)");
    }
    sof.header.push_back("Certainty of the evidence (GRADE)");
    std::string marks;
    for (std::size_t i = 0; i < row.footnotes.size(); ++i) marks += std::string(1, static_cast<char>('a' + i % 26));
    std::vector<std::string> cells{row.outcome,
                                   (std::isfinite(row.participants) ? fixed(row.participants, 0) : "NA") + " (" +
                                       std::to_string(row.studies) + (row.studies == 1 ? " study)" : " studies)"),
                                   row.relative.empty() ? "—" : row.relative};
    if (abs) {
      cells.insert(cells.end(), {row.assumed, row.corresponding, row.difference});
    } else {
      cells.push_back(row.difference);
    }
    cells.push_back(analyses::certainty_symbols(row.grade) + " " + std::string(to_string(row.grade)) +
                    (marks.empty() ? "" : " " + marks));
    sof.rows.push_back(std::move(cells));
    for (std::size_t i = 0; i < row.footnotes.size(); ++i) {
      sof.notes.push_back(std::string(1, static_cast<char>('a' + i % 26)) + ". " + row.footnotes[i]);
    }
    if (abs) {
      sof.notes.push_back("Risk without intervention: " + row.control_risk_source +
                          ". The risk with the intervention and its CI come from the assumed risk and the relative "
                          "effect (Cochrane Handbook 5.1 section 11.5.5; v6.4 chapter 14).");
    }
    sof.notes.push_back("Evidence started at " + std::string(to_string(g.start)) + " certainty: " + g.start_reason +
                        ".");
    s.blocks.push_back(std::move(sof));
    html_table dt;
    dt.id = "grade-domains";
    dt.caption = "GRADE domains: metasift's proposal, the reviewers' judgement and the rating used";
    dt.header = {"Domain", "Proposed", "Rule", "Data", "Reviewers' judgement", "Used"};
    const auto levels = [](int c) { return c == 0 ? std::string("0") : (c > 0 ? "+" : "") + std::to_string(c); };
    for (const auto& r : g.domains) {
      std::string judged = "—";
      if (r.judgement) {
        judged = levels(analyses::is_upgrade(r.proposal.domain) ? r.judgement->levels : -r.judgement->levels) + ": " +
                 r.judgement->reason + (r.departs ? " (departs from the proposal)" : "");
      }
      dt.rows.push_back({std::string(display_name(r.proposal.domain)), levels(r.proposal.change), r.proposal.rule,
                         r.proposal.reason, judged, levels(r.change)});
    }
    dt.notes.push_back(
        "Proposals follow the GRADE Handbook (Schünemann et al. 2013, section 5) and the Cochrane "
        "Handbook v6.4 chapter 14 with the thresholds of docs/appraisal.md; [[grade]] entries in the "
        "review file are final.");
    s.blocks.push_back(std::move(dt));
    out.push_back(std::move(s));
  }
  return out;
}

std::string appraisal_methods(const review_bundle& rv, const analysis_bundle* an) {
  std::string p;
  if (rv.appraisal) {
    const appraisal_bundle& ap = *rv.appraisal;
    const auto& as = ap.spec.assessors;
    p += "Risk of bias was assessed with " + ap.spec.tool.name + " (" + ap.spec.tool.guidance + ")";
    if (as.size() > 1) {
      std::string names;
      for (std::size_t i = 0; i < as.size(); ++i) {
        names += (i == 0 ? "" : (i + 1 == as.size() ? " and " : ", ")) + as[i].assessor;
      }
      p += " by " + std::to_string(as.size()) + " assessors (" + names + ") independently";
    } else {
      p += " by one assessor";
    }
    p += ". ";
    if (as.size() > 1) {
      const std::size_t d = ap.check.disagreements.size();
      if (ap.spec.consensus) {
        p += std::to_string(d) +
             (d == 1 ? " disagreement between the assessors was" : " disagreements between the assessors were") +
             " resolved by consensus, recorded in " + ap.spec.consensus->label + ". ";
      } else {
        p += std::to_string(d) + (d == 1 ? " disagreement remains" : " disagreements remain") +
             " unresolved (no consensus file); the domains concerned have no final judgement. ";
      }
    } else if (ap.spec.consensus) {
      p += "The final judgements are those of " + ap.spec.consensus->label + ". ";
    }
    std::size_t overrides = 0;
    for (const auto& u : ap.check.units) overrides += u.override_support.empty() ? 0 : 1;
    p += ap.spec.tool.rule == review::overall_rule::none
             ? "The tool publishes no overall judgement; none was derived. "
             : "Overall judgements followed the tool's published algorithm" +
                   (overrides > 0 ? ", overridden with a stated reason for " + std::to_string(overrides) +
                                        (overrides == 1 ? " assessment" : " assessments")
                                  : std::string()) +
                   ". ";
    if (an != nullptr && an->rob) {
      if (an->rob->without_high) p += "A sensitivity analysis left out the studies at high risk of bias. ";
      if (an->rob->by_rob) p += "A subgroup analysis compared the studies by overall risk of bias. ";
    }
  }
  if (an != nullptr && an->grade) {
    p += "The certainty of the evidence for " + an->grade->outcome +
         " was rated with GRADE (GRADE Handbook, Schünemann et al. 2013; Cochrane Handbook v6.4 chapter 14): "
         "metasift proposed a rating for risk of bias (share of the weight from high-risk studies), inconsistency "
         "(I² and the prediction interval), imprecision (the CI against " +
         std::string(an->spec.mid ? "the minimal important difference" : "the null") +
         " and the optimal information size) and publication bias (Egger's test with at least 10 studies); "
         "indirectness and rating up were the reviewers' judgements, and their [[grade]] judgements were final.";
  }
  return p;
}

}  // namespace metasift::run
