// The content of report.html: what a reviewer attaches to a manuscript. Sections follow the
// PRISMA 2020 statement's items for methods and results (Page et al. 2021, BMJ 372:n71): selection
// process and flow diagram (items 8, 16a), search strategy and eligibility criteria (5-7), study
// characteristics (17), results of syntheses with heterogeneity (20), reporting biases (21),
// sensitivity analyses (20d), and a methods paragraph stating every convention.
// Every text comes from the results; format_html escapes it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "internal.hpp"
#include "metasift/core/number_format.hpp"
#include "metasift/core/version.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/plot/forest.hpp"

namespace metasift::run {
namespace {

using report::html_figure;
using report::html_list;
using report::html_paragraph;
using report::html_pre;
using report::html_section;
using report::html_table;

std::string display(const analysis_bundle& b, double x) {
  return fixed(effects::back_transform(b.measure, x, b.ctx.harmonic_n), b.ctx.decimals);
}

/// "[lo, hi]"; appended piece by piece (GCC 12 warns, wrongly, on chains of operator+ here).
std::string bracket(const std::string& lo, const std::string& hi) {
  std::string s = "[";
  s += lo;
  s += ", ";
  s += hi;
  s += ']';
  return s;
}

std::string with_ci(const analysis_bundle& b, double est, double lo, double hi) {
  return display(b, est) + " [" + display(b, lo) + ", " + display(b, hi) + "]";
}

/// The measure in running text ("mean difference"), where display_name gives a column header.
std::string prose_name(effects::measure m) {
  switch (m) {
    case effects::measure::MD: return "mean difference";
    case effects::measure::SMD: return "standardised mean difference (Hedges' g)";
    case effects::measure::ROM: return "ratio of means";
    case effects::measure::OR: return "odds ratio";
    case effects::measure::RR: return "risk ratio";
    case effects::measure::RD: return "risk difference";
    case effects::measure::PETO: return "Peto odds ratio";
    case effects::measure::COR: return "correlation";
    case effects::measure::ZCOR: return "Fisher's z-transformed correlation";
    case effects::measure::IRR: return "incidence rate ratio";
    case effects::measure::IRD: return "incidence rate difference";
    default: return std::string(effects::display_name(m));
  }
}

/// Software conventions as described by models::resolve, with the ASCII math set as text.
std::string typeset(std::string s) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"tau^2", "τ²"},
                                 {"I^2", "I²"},
                                 {"H^2", "H²"},
                                 {"s_p^2", "s_p²"},
                                 {"s1^2", "s1²"},
                                 {"s2^2", "s2²"}}) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
      s.replace(at, from.size(), to);
    }
  }
  return s;
}

std::string p_value(double p) {
  if (!std::isfinite(p)) return std::string(missing_text(number_target::text));
  if (p < 0.001) return "< 0.001";
  return fixed(p, 3);
}

/// "p = 0.042" or "p < 0.001" as the report's sentences write it.
std::string p_phrase(double p) {
  const std::string v = p_value(p);
  return v.front() == '<' ? "p " + v : "p = " + v;
}

/// rma.mh's test of no association, as a sentence: the Cochran-Mantel-Haenszel test for OR, the
/// Mantel-Haenszel test for person-time data for IRR (both continuity-corrected, 1 df). Empty
/// when the fit has no such test.
std::string mh_association_sentence(const analysis_bundle& an) {
  const auto& m = an.meta;
  if (!models::has_mh_tests(m.spec.est, an.measure)) return "";
  const std::string name =
      an.measure == effects::measure::OR ? "Cochran-Mantel-Haenszel test" : "Mantel-Haenszel test for person-time data";
  if (!std::isfinite(m.mh.cmh)) return name + ": not computable for these data.";
  return name + " of no association: χ²(1) = " + fixed(m.mh.cmh) + ", " + p_phrase(m.mh.cmh_p) + ".";
}

/// Tarone's test for heterogeneity of the odds ratios (rma.mh, OR only), as a sentence; empty
/// otherwise.
std::string tarone_sentence(const analysis_bundle& an) {
  const auto& m = an.meta;
  if (!models::has_mh_tests(m.spec.est, an.measure) || an.measure != effects::measure::OR) return "";
  if (!std::isfinite(m.mh.tarone)) return "Tarone's test for heterogeneity: not computable for these data.";
  return "Tarone's test for heterogeneity: χ²(" + fixed(m.mh.tarone_df, 0) + ") = " + fixed(m.mh.tarone) + ", " +
         p_phrase(m.mh.tarone_p) + ".";
}

std::string count(std::size_t n) {
  return std::to_string(n);
}

/// The pooled effect's test in words, as metafor's `test` argument defines it.
std::string test_phrase(models::ci_method c) {
  switch (c) {
    case models::ci_method::z: return "the normal (Wald z) distribution";
    case models::ci_method::t: return "a t distribution with k - 1 df and the model-based variance";
    case models::ci_method::hk:
      return "the Hartung-Knapp method (t distribution with k - 1 df, the variance scaled by the weighted residual "
             "mean square)";
    case models::ci_method::adhoc:
      return "the Hartung-Knapp method with the ad hoc correction (t distribution with k - 1 df, the variance "
             "scaled by the weighted residual mean square when it exceeds 1)";
  }
  return "";
}

std::string method_phrase(models::method m) {
  switch (m) {
    case models::method::EE: return "a common-effect (inverse-variance) model";
    case models::method::MH: return "a common-effect Mantel-Haenszel model";
    case models::method::PETO: return "a common-effect Peto model";
    case models::method::DL: return "a random-effects model with τ² estimated by the DerSimonian-Laird method";
    case models::method::REML:
      return "a random-effects model with τ² estimated by restricted maximum likelihood (REML)";
    case models::method::ML: return "a random-effects model with τ² estimated by maximum likelihood";
    case models::method::PM: return "a random-effects model with τ² estimated by the Paule-Mandel method";
    case models::method::HE:
      return "a random-effects model with τ² estimated by the Hedges (variance components) method";
    case models::method::SJ: return "a random-effects model with τ² estimated by the Sidik-Jonkman method";
    case models::method::HS: return "a random-effects model with τ² estimated by the Hunter-Schmidt method";
    case models::method::EB: return "a random-effects model with τ² estimated by the empirical Bayes method";
  }
  return "a meta-analytic model";
}

std::string authors_short(const review::record& r) {
  if (r.authors.empty()) return "Anonymous";
  const std::string& a = r.authors.front();
  std::string family = a.substr(0, a.find(','));
  if (r.authors.size() == 1) return family;
  if (r.authors.size() == 2) {
    const std::string& b = r.authors[1];
    return family + " and " + b.substr(0, b.find(','));
  }
  return family + " et al.";
}

/// "Family, G., Family, G. (2019) Title. Journal, 142, pp. 101-112. doi:..." (Harvard, as the seed cites).
std::string reference_text(const review::record& r) {
  std::string s;
  for (std::size_t i = 0; i < r.authors.size(); ++i) {
    if (i > 0) s += i + 1 == r.authors.size() ? " and " : ", ";
    s += r.authors[i];
  }
  if (s.empty()) s = "Anonymous";
  s += r.year > 0 ? " (" + std::to_string(r.year) + ") " : " (n.d.) ";
  s += r.title.empty() ? "[no title]" : r.title;
  if (!s.empty() && s.back() != '.' && s.back() != '?' && s.back() != '!') s += '.';
  if (!r.journal.empty()) {
    s += " " + r.journal;
    if (!r.volume.empty()) s += ", " + r.volume;
    if (!r.issue.empty()) s += "(" + r.issue + ")";
    if (!r.pages.empty()) s += (r.pages.find('-') != std::string::npos ? ", pp. " : ", p. ") + r.pages;
    s += ".";
  }
  if (!r.doi.empty()) s += " https://doi.org/" + r.doi;
  return s;
}

/// The record to show for kept record k: of k and the duplicates merged into it, the first (in
/// source order) whose journal is not written in capitals (Web of Science exports upper-case
/// journal names), with identifiers and pages it lacks taken from k.
review::record display_record(const review_bundle& rv, std::size_t k) {
  const auto& recs = rv.screen.records;
  const auto mixed_case = [](const std::string& j) {
    return std::any_of(j.begin(), j.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  };
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const bool in_group =
        i == k || (rv.screen.audit[i].dedup == review::dedup_status::duplicate && rv.screen.audit[i].duplicate_of == k);
    if (!in_group || !mixed_case(recs[i].journal)) continue;
    review::record r = recs[i];
    for (auto field : {&review::record::doi, &review::record::volume, &review::record::issue, &review::record::pages}) {
      if ((r.*field).empty()) r.*field = recs[k].*field;
    }
    return r;
  }
  return recs[k];
}

html_figure figure_of(const run_figure& f) {
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

const run_figure* find_figure(const std::vector<std::shared_ptr<const run_figure>>& figs, const std::string& name) {
  for (const auto& f : figs) {
    if (f->name == name) return f.get();
  }
  return nullptr;
}

std::string criterion_rule(const review::criterion& c) {
  std::vector<std::string> parts;
  if (c.years) parts.push_back("published " + std::to_string(c.years->first) + "-" + std::to_string(c.years->second));
  if (!c.types.empty()) {
    std::string t = "type is one of ";
    for (std::size_t i = 0; i < c.types.size(); ++i) t += (i ? ", " : "") + std::string(review::to_string(c.types[i]));
    parts.push_back(t);
  }
  if (!c.languages.empty()) {
    std::string t = "language is one of ";
    for (std::size_t i = 0; i < c.languages.size(); ++i) t += (i ? ", " : "") + c.languages[i];
    parts.push_back(t);
  }
  if (c.query) parts.push_back("matches " + c.query->parsed().text);
  if (c.exclude_query) parts.push_back("does not match " + c.exclude_query->parsed().text);
  std::string s;
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? "; " : "") + parts[i];
  s += c.missing_fails ? " (unknown values fail)" : " (unknown values pass to human screening)";
  return s;
}

html_section section(std::string id, std::string title, int level = 2) {
  html_section s;
  s.id = std::move(id);
  s.title = std::move(title);
  s.level = level;
  return s;
}

// ---- sections ---------------------------------------------------------------------------------

html_section summary_section(const review_bundle& rv, const std::vector<analysis_bundle>& ans) {
  html_section s = section("summary", "Summary");
  const auto& p = rv.screen.prisma;
  std::string t = "Searches of " + std::to_string(rv.spec.sources.size()) + " sources identified " +
                  count(p.identified_total()) + " records; after removing " + count(p.duplicates + p.other_duplicates) +
                  " duplicates and " + count(p.excluded_automatic + p.excluded_other + p.other_excluded_automatic) +
                  " records by the search and automatic criteria, " +
                  count(p.records_screened + p.other_records_screened) + " records were screened and " +
                  count(p.dbr_assessed + p.other_assessed) + " reports assessed in full; " +
                  count(p.update ? p.total_studies : p.new_studies) + " studies were included" +
                  (p.update ? " (" + count(p.new_studies) + " of them new in this update)" : std::string()) + ".";
  s.blocks.push_back(html_paragraph{t, "Selection."});
  for (const auto& a : ans) {
    const analysis_bundle* an = &a;
    const auto& m = an->meta;
    std::string r = (an->letter.empty() ? std::string("Pooling ") : an->title + ": pooling ") + std::to_string(m.k) +
                    " studies in " + method_phrase(m.spec.est) + ", the " + prose_name(an->measure) + " was " +
                    with_ci(*an, m.pooled.estimate, m.pooled.ci_lower, m.pooled.ci_upper) + " (" +
                    (std::isfinite(m.pooled.df) ? "t(" + fixed(m.pooled.df, 0) + ")" : "z") + " = " +
                    fixed(m.pooled.statistic) + ", p " +
                    (m.pooled.p < 0.001 ? "< 0.001" : "= " + fixed(m.pooled.p, 3)) + ").";
    if (models::is_random_effects(m.spec.est)) {
      r += " Heterogeneity: τ² = " + fixed(m.het.tau2) + ", I² = " + fixed(m.het.I2) + "%, H² = " + fixed(m.het.H2) +
           "; Q(" + fixed(m.het.df, 0) + ") = " + fixed(m.het.Q) + ", p " +
           (m.het.p < 0.001 ? "< 0.001" : "= " + fixed(m.het.p, 3)) + ".";
    }
    for (const std::string& sentence : {mh_association_sentence(*an), tarone_sentence(*an)}) {
      if (!sentence.empty()) r += " " + sentence;
    }
    s.blocks.push_back(html_paragraph{r, "Result."});
  }
  return s;
}

/// An update: what this run adds to the previous one (new records, newly included studies, the
/// pooled estimate before and after, the PRISMA counts that changed).
html_section changes_section(const review_bundle& rv, const analysis_bundle* an) {
  const update_comparison& u = *rv.update;
  html_section s = section("changes", "What changed");
  s.blocks.push_back(html_paragraph{
      "This run updates the results in " + u.previous + " (" + count(u.previous_records) + " records, " +
          count(u.previous_included) + " studies included). " + count(u.new_records) +
          (u.new_records == 1 ? " record is" : " records are") + " new; " + count(u.newly_included.size()) +
          (u.newly_included.size() == 1 ? " study is" : " studies are") + " newly included" +
          (u.no_longer_included.empty()
               ? std::string()
               : "; " + count(u.no_longer_included.size()) + " previously included no longer") +
          ".",
      "Update."});
  report::html_table t;
  t.id = "new-records";
  t.caption = "New records by source";
  t.header = {"Source", "New records"};
  t.numeric = {false, true};
  for (const auto& [name, n] : u.new_by_source) t.rows.push_back({name, count(n)});
  s.blocks.push_back(std::move(t));
  if (!u.newly_included.empty()) {
    s.blocks.push_back(html_paragraph{"", "Newly included studies."});
    s.blocks.push_back(report::html_list{u.newly_included, false});
  }
  if (!u.no_longer_included.empty()) {
    s.blocks.push_back(html_paragraph{"", "Included before, not in this run."});
    s.blocks.push_back(report::html_list{u.no_longer_included, false});
  }
  if (u.before.present || u.after.present) {
    auto shown = [&](const pooled_snapshot& p) {
      if (!p.present) return std::string("not estimated");
      const std::string v = an != nullptr
                                ? with_ci(*an, p.estimate, p.ci_lower, p.ci_upper)
                                : fixed(p.estimate) + " [" + fixed(p.ci_lower) + ", " + fixed(p.ci_upper) + "]";
      return v + " (k = " + std::to_string(p.k) + ")";
    };
    std::string text = "Before: " + shown(u.before) + "; after: " + shown(u.after);
    if (u.before.present && u.after.present) text += "; change " + fixed(u.after.estimate - u.before.estimate);
    s.blocks.push_back(html_paragraph{text + ".", "Pooled estimate."});
  }
  report::html_table c;
  c.id = "prisma-changes";
  c.caption = "PRISMA counts that changed";
  c.header = {"Count", "Before", "After"};
  c.numeric = {false, true, true};
  for (const auto& ch : u.prisma_changes) {
    c.rows.push_back({ch.key, count(static_cast<std::size_t>(ch.before)), count(static_cast<std::size_t>(ch.after))});
  }
  if (c.rows.empty()) {
    s.blocks.push_back(html_paragraph{"No PRISMA count changed.", ""});
  } else {
    s.blocks.push_back(std::move(c));
  }
  return s;
}

html_section selection_section(const review_bundle& rv, const std::vector<std::shared_ptr<const run_figure>>& figs) {
  html_section s = section("selection", "Study selection (PRISMA 2020)");
  if (const run_figure* f = find_figure(figs, "prisma")) s.blocks.push_back(figure_of(*f));
  const auto& p = rv.screen.prisma;
  html_table t;
  t.id = "prisma-counts";
  t.caption = "Table 1. Records at each stage of the selection";
  t.header = {"Stage", "Records"};
  t.numeric = {false, true};
  for (const auto& d : p.database_specific_results) t.rows.push_back({"Identified in " + d.name, count(d.n)});
  for (const auto& d : p.register_specific_results) t.rows.push_back({"Identified in register " + d.name, count(d.n)});
  for (const auto& d : p.other_specific_results) {
    t.rows.push_back({"Identified by other methods: " + d.name, count(d.n)});
  }
  t.rows.push_back({"Duplicates removed", count(p.duplicates)});
  for (const auto& r : p.excluded_automatic_reasons)
    t.rows.push_back({"Excluded automatically: " + r.name, count(r.n)});
  if (p.excluded_other > 0) t.rows.push_back({"Removed for other reasons", count(p.excluded_other)});
  t.rows.push_back({"Records screened (title and abstract)", count(p.records_screened)});
  for (const auto& r : p.records_excluded_reasons)
    t.rows.push_back({"Excluded at title-abstract: " + r.name, count(r.n)});
  if (p.records_excluded_reasons.empty() && p.records_excluded > 0) {
    t.rows.push_back({"Excluded at title-abstract", count(p.records_excluded)});
  }
  if (p.awaiting_screening > 0) t.rows.push_back({"Awaiting title-abstract screening", count(p.awaiting_screening)});
  if (p.awaiting_title_abstract_adjudication > 0) {
    t.rows.push_back({"of which awaiting adjudication", count(p.awaiting_title_abstract_adjudication)});
  }
  if (p.awaiting_title_abstract_second_reviewer > 0) {
    t.rows.push_back({"of which awaiting a second reviewer", count(p.awaiting_title_abstract_second_reviewer)});
  }
  t.rows.push_back({"Reports sought for retrieval", count(p.dbr_sought_reports)});
  t.rows.push_back({"Reports not retrieved", count(p.dbr_notretrieved_reports)});
  t.rows.push_back({"Reports assessed for eligibility", count(p.dbr_assessed)});
  for (const auto& r : p.dbr_excluded) t.rows.push_back({"Excluded at full text: " + r.name, count(r.n)});
  if (p.awaiting_full_text > 0) t.rows.push_back({"Awaiting full-text assessment", count(p.awaiting_full_text)});
  if (p.awaiting_full_text_adjudication > 0) {
    t.rows.push_back({"of which awaiting adjudication", count(p.awaiting_full_text_adjudication)});
  }
  if (p.awaiting_full_text_second_reviewer > 0) {
    t.rows.push_back({"of which awaiting a second reviewer", count(p.awaiting_full_text_second_reviewer)});
  }
  if (p.has_other_methods()) {
    t.rows.push_back({"Other methods: duplicates removed", count(p.other_duplicates)});
    t.rows.push_back({"Other methods: excluded automatically", count(p.other_excluded_automatic)});
    t.rows.push_back({"Other methods: excluded at title-abstract", count(p.other_records_excluded)});
    if (p.other_awaiting_screening > 0) {
      t.rows.push_back({"Other methods: awaiting title-abstract screening", count(p.other_awaiting_screening)});
    }
    t.rows.push_back({"Other methods: reports sought for retrieval", count(p.other_sought_reports)});
    t.rows.push_back({"Other methods: reports not retrieved", count(p.other_notretrieved_reports)});
    t.rows.push_back({"Other methods: reports assessed for eligibility", count(p.other_assessed)});
    for (const auto& r : p.other_excluded)
      t.rows.push_back({"Other methods: excluded at full text: " + r.name, count(r.n)});
    if (p.other_awaiting_full_text > 0) {
      t.rows.push_back({"Other methods: awaiting full-text assessment", count(p.other_awaiting_full_text)});
    }
  }
  if (p.update) {
    t.rows.push_back({"Studies included in the previous version", count(p.previous_studies)});
    t.rows.push_back({"New studies included", count(p.new_studies)});
  }
  t.rows.push_back({"Studies included", count(p.update ? p.total_studies : p.new_studies)});
  t.emphasis.assign(t.rows.size(), false);
  t.emphasis.back() = true;
  if (p.maybe_duplicates > 0) {
    t.notes.push_back(count(p.maybe_duplicates) +
                      " possible duplicates were kept for a human to judge (screening.csv, dedup_status \"maybe\").");
  }
  t.notes.push_back(
      "Every record's path through these stages is in screening.csv; the counts are in prisma.json "
      "(keys of the PRISMA2020 R package).");
  s.blocks.push_back(std::move(t));
  return s;
}

html_section search_section(const review_bundle& rv) {
  html_section s = section("search", "Search strategy and eligibility criteria");
  html_table src;
  src.id = "sources";
  src.caption = "Table 2. Sources and exports";
  src.header = {"Source", "Export files", "Records"};
  src.numeric = {false, false, true};
  for (std::size_t i = 0; i < rv.spec.sources.size(); ++i) {
    const auto& so = rv.spec.sources[i];
    std::string files;
    for (std::size_t j = 0; j < so.files.size(); ++j) files += (j ? ", " : "") + so.files[j];
    src.rows.push_back({so.name, files, count(rv.records_per_source.at(i))});
  }
  s.blocks.push_back(std::move(src));
  if (rv.spec.search) {
    s.blocks.push_back(html_paragraph{"The search string (" + std::string(review::to_string(rv.spec.search->dialect)) +
                                          " syntax), re-applied to the title, abstract and keywords of every record:",
                                      "Search."});
    s.blocks.push_back(html_pre{rv.spec.search->query});
  } else {
    s.blocks.push_back(html_paragraph{"No search string was given; every imported record was screened.", "Search."});
  }
  html_table cr;
  cr.id = "criteria";
  cr.caption = "Table 3. Eligibility criteria applied automatically, in order";
  cr.header = {"Criterion", "A record is excluded when", "Record passes when"};
  for (const auto& c : rv.spec.criteria) cr.rows.push_back({c.id, c.reason, criterion_rule(c)});
  if (cr.rows.empty()) cr.rows.push_back({"(none)", "", ""});
  for (const auto& c : rv.spec.field_criteria) {
    std::string rule = "extracted " + c.field + " is one of ";
    for (std::size_t i = 0; i < c.allowed.size(); ++i) rule += (i ? ", " : "") + c.allowed[i];
    cr.rows.push_back(
        {c.id, c.reason, rule + " (checked on the extraction of included studies; flagged, not excluded)"});
  }
  cr.notes.push_back("Criteria that need judgement were applied by the reviewers; their decisions and reasons are " +
                     std::string(rv.spec.decisions ? "in " + rv.spec.decisions_label : "not recorded") +
                     " and every record's outcome is in screening.csv.");
  s.blocks.push_back(std::move(cr));
  return s;
}

/// The study table's own columns, one row per analysed study (when the review has no codebook).
html_table data_characteristics(const review_bundle& rv, const analysis_bundle& an) {
  html_table t;
  t.id = "characteristics" + an.suffix;
  t.caption = "Table 4" + an.letter + ". Included studies" + (an.letter.empty() ? "" : " of " + an.title) +
              " (data: " + an.spec.data_label + ")";
  const auto rec_col = an.data.find(an.spec.record_column);
  const auto study_col = an.data.find("study");
  t.header = {"Study", "Publication", "Record"};
  t.numeric = {false, false, false};
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < an.data.names.size(); ++j) {
    if ((rec_col && j == *rec_col) || (study_col && j == *study_col)) continue;
    cols.push_back(j);
    t.header.push_back(an.data.names[j]);
    bool numeric = true;
    for (const auto& row : an.data.rows) {
      const std::string& c = row[j];
      char* end = nullptr;
      if (!c.empty()) std::strtod(c.c_str(), &end);
      if (!c.empty() && (end == nullptr || *end != '\0')) numeric = false;
    }
    t.numeric.push_back(numeric);
  }
  for (std::size_t i = 0; i < an.data.rows.size(); ++i) {
    const review::record r = display_record(rv, an.record_of_row[i]);
    std::string pub = authors_short(r) + (r.year > 0 ? " " + std::to_string(r.year) : "");
    if (!r.journal.empty()) pub += ", " + r.journal;
    std::vector<std::string> row = {study_col ? an.data.rows[i][*study_col] : "Study " + std::to_string(i + 1), pub,
                                    rec_col ? an.data.rows[i][*rec_col] : rv.screen.audit[an.record_of_row[i]].key};
    for (const std::size_t j : cols) row.push_back(an.data.rows[i][j]);
    t.rows.push_back(std::move(row));
  }
  if (!an.spec.group_names.empty()) {
    std::string g = "Groups: ";
    for (std::size_t i = 0; i < an.spec.group_names.size(); ++i) {
      g += (i ? "; " : "") + std::string(i == 0 ? "1 = " : "2 = ") + an.spec.group_names[i];
    }
    t.notes.push_back(g + ".");
  }
  return t;
}

/// The codebook's fields (the `characteristics` setting of [extraction]) for every included record:
/// the values the analyses read (consensus, else the extractors' agreeing value).
html_table codebook_characteristics(const review_bundle& rv, const std::vector<analysis_bundle>& ans) {
  const auto& cb = *rv.codebook;
  const auto& ev = *rv.extracted;
  html_table t;
  t.id = "characteristics";
  t.caption = "Table 4. Characteristics of included studies (extracted fields)";
  t.header = {"Study", "Record"};
  t.numeric = {false, false};
  std::vector<std::size_t> idx;
  for (const auto& id : cb.characteristics) {
    for (std::size_t j = 0; j < cb.fields.size(); ++j) {
      if (cb.fields[j].id != id) continue;
      idx.push_back(j);
      t.header.push_back(id);
      const auto ty = cb.fields[j].type;
      t.numeric.push_back(ty == review::field_type::number || ty == review::field_type::integer);
    }
  }
  if (ans.size() > 1) {
    t.header.push_back("Outcomes");
    t.numeric.push_back(false);
  }
  std::size_t disputed = 0, absent = 0;
  for (std::size_t k = 0; k < rv.screen.records.size(); ++k) {
    const auto& a = rv.screen.audit[k];
    if (a.status != review::final_status::included || a.dedup == review::dedup_status::duplicate) continue;
    const review::record r = display_record(rv, k);
    std::vector<std::string> row = {authors_short(r) + (r.year > 0 ? " " + std::to_string(r.year) : ""), a.key};
    const auto it = ev.by_record.find(a.key);
    if (it == ev.by_record.end()) ++absent;
    for (const std::size_t j : idx) {
      if (it == ev.by_record.end()) {
        row.push_back("not extracted");
      } else if (!it->second[j]) {
        row.push_back("disputed");
        ++disputed;
      } else {
        row.push_back(*it->second[j]);
      }
    }
    if (ans.size() > 1) {
      std::string in;
      for (const auto& an : ans) {
        if (std::find(an.record_of_row.begin(), an.record_of_row.end(), k) != an.record_of_row.end()) {
          in += (in.empty() ? "" : ", ") + an.spec.id;
        }
      }
      row.push_back(in.empty() ? "none" : in);
    }
    t.rows.push_back(std::move(row));
  }
  std::string src = "Values from ";
  if (cb.consensus) src += "the consensus file " + cb.consensus->label + " where it has a row, else ";
  src += cb.extractors.size() > 1 ? "the extractors' value where they agree (" : "the extraction file (";
  for (std::size_t i = 0; i < cb.extractors.size(); ++i) {
    src += (i ? ", " : "") + cb.extractors[i].label;
  }
  src += ").";
  t.notes.push_back(src);
  if (disputed > 0) {
    t.notes.push_back("disputed: the extractors disagree and the consensus file has no value (" + count(disputed) +
                      (disputed == 1 ? " cell" : " cells") + "; metasift extract check lists them).");
  }
  if (absent > 0) t.notes.push_back("not extracted: " + count(absent) + " included records have no extraction row.");
  for (const std::size_t j : idx) {
    if (!cb.fields[j].description.empty()) t.notes.push_back(cb.fields[j].id + ": " + cb.fields[j].description);
  }
  if (t.rows.empty()) t.rows.push_back(std::vector<std::string>(t.header.size(), ""));
  return t;
}

html_section characteristics_section(const review_bundle& rv, const std::vector<analysis_bundle>& ans) {
  html_section s = section("characteristics", "Characteristics of included studies");
  if (!rv.spec.field_criteria.empty() && rv.extracted) {
    s.blocks.push_back(
        html_paragraph{rv.criteria_flags.empty()
                           ? "Every included study's extracted values meet the criteria on extracted fields."
                           : std::to_string(rv.criteria_flags.size()) +
                                 (rv.criteria_flags.size() == 1 ? " extracted value fails" : " extracted values fail") +
                                 " a criterion; check whether these studies belong in the review:",
                       "Criteria on extracted fields."});
    if (!rv.criteria_flags.empty()) s.blocks.push_back(html_list{rv.criteria_flags, false});
  }
  if (rv.codebook && rv.extracted && !rv.codebook->characteristics.empty()) {
    s.blocks.push_back(codebook_characteristics(rv, ans));
  } else {
    for (const auto& an : ans) s.blocks.push_back(data_characteristics(rv, an));
  }
  return s;
}

/// Which studies an outcome analyses: its data and its filter on the extracted fields.
std::string outcome_scope(const analysis_bundle& an) {
  std::string t = "Study rows of " + an.spec.data_label;
  if (!an.spec.filter.empty()) {
    t += " whose records' extracted ";
    for (std::size_t i = 0; i < an.spec.filter.size(); ++i) {
      const auto& c = an.spec.filter[i];
      t += (i ? " and " : "") + c.field + (c.values.size() == 1 ? " is " : " is one of ");
      for (std::size_t j = 0; j < c.values.size(); ++j) t += (j ? ", " : "") + c.values[j];
    }
  }
  t += ": " + count(an.links.analysed) + " analysed";
  if (an.links.outside_filter > 0) t += ", " + count(an.links.outside_filter) + " of other outcomes";
  if (!an.links.filter_unknown.empty()) {
    t += ", " + count(an.links.filter_unknown.size()) + " left out because the filter cannot be decided for them";
  }
  return t + ".";
}

/// One row per outcome: what each pooled, side by side.
html_section outcomes_section(const std::vector<analysis_bundle>& ans) {
  html_section s = section("outcomes", "Outcomes");
  html_table t;
  t.id = "outcomes-table";
  t.caption = "Pooled estimate of each outcome";
  t.header = {"Outcome", "Measure", "k", "Estimate [CI]", "p", "τ²", "I² (%)"};
  t.numeric = {false, false, true, true, true, true, true};
  for (const auto& an : ans) {
    const auto& m = an.meta;
    t.rows.push_back({an.title, std::string(effects::to_string(an.measure)), std::to_string(m.k),
                      with_ci(an, m.pooled.estimate, m.pooled.ci_lower, m.pooled.ci_upper), p_value(m.pooled.p),
                      models::is_random_effects(m.spec.est) ? fixed(m.het.tau2, 4) : "", fixed(m.het.I2)});
  }
  t.notes.push_back("Each outcome is pooled on its own (its own model and τ²); its section below has the details.");
  s.blocks.push_back(std::move(t));
  return s;
}

html_section synthesis_section(const analysis_bundle& an, const std::vector<std::shared_ptr<const run_figure>>& figs) {
  html_section s = an.letter.empty() ? section("synthesis", "Meta-analysis")
                                     : section("outcome" + an.suffix, "Outcome: " + an.title);
  if (!an.letter.empty()) s.blocks.push_back(html_paragraph{outcome_scope(an), "Studies."});
  if (const run_figure* f = find_figure(figs, "forest" + an.suffix)) s.blocks.push_back(figure_of(*f));
  const auto& m = an.meta;
  html_table t;
  t.id = "summary-table" + an.suffix;
  t.caption = "Table 5" + an.letter + ". Study estimates and the pooled estimate (" +
              std::string(effects::display_name(an.measure)) + ")";
  t.header = {"Study", "Estimate", fixed(m.spec.level * 100, 0) + "% CI", "SE", "Weight (%)"};
  t.numeric = {false, true, true, true, true};
  for (const auto& st : m.studies) {
    t.rows.push_back({st.label, display(an, st.yi), bracket(display(an, st.ci_lower), display(an, st.ci_upper)),
                      fixed(st.se, 3), fixed(st.weight)});
  }
  t.rows.push_back({"Overall (" + plot::model_note(m.spec) + ")", display(an, m.pooled.estimate),
                    bracket(display(an, m.pooled.ci_lower), display(an, m.pooled.ci_upper)), fixed(m.pooled.se, 3),
                    "100.00"});
  t.emphasis.assign(t.rows.size(), false);
  t.emphasis.back() = true;
  const std::string stat = std::isfinite(m.pooled.df) ? "t(" + fixed(m.pooled.df, 0) + ")" : "z";
  t.notes.push_back("Test of the pooled effect: " + stat + " = " + fixed(m.pooled.statistic) + ", p " +
                    (m.pooled.p < 0.001 ? "< 0.001" : "= " + fixed(m.pooled.p, 3)) + ".");
  if (const std::string note = mh_association_sentence(an); !note.empty()) t.notes.push_back(note);
  if (std::isfinite(m.pooled.pi_lower)) {
    t.notes.push_back(fixed(m.spec.level * 100, 0) + "% prediction interval: [" + display(an, m.pooled.pi_lower) +
                      ", " + display(an, m.pooled.pi_upper) + "].");
  }
  for (std::size_t i = 0; i < an.ctx.excluded.size(); ++i) {
    t.notes.push_back("Not analysed: " + an.ctx.excluded_labels[i] + " (" + an.ctx.excluded[i].reason + ").");
  }
  s.blocks.push_back(std::move(t));
  return s;
}

html_section heterogeneity_section(const analysis_bundle& an) {
  html_section s = section("heterogeneity" + an.suffix, "Heterogeneity", an.letter.empty() ? 2 : 3);
  const auto& h = an.meta.het;
  html_table t;
  t.id = "heterogeneity-table" + an.suffix;
  t.caption = "Table 6" + an.letter + ". Heterogeneity statistics with " + fixed(an.meta.spec.level * 100, 0) +
              "% Q-profile confidence intervals";
  t.header = {"Statistic", "Estimate", "CI"};
  t.numeric = {false, true, true};
  const auto ci = [&](const models::interval& i, int d) {
    return h.has_ci ? bracket(fixed(i.lower, d), fixed(i.upper, d)) : std::string("not computed");
  };
  t.rows.push_back({"τ² (between-study variance)", fixed(h.tau2, 4), ci(h.tau2_ci, 4)});
  t.rows.push_back({"τ", fixed(h.tau, 4), ci(h.tau_ci, 4)});
  t.rows.push_back({"I² (%)", fixed(h.I2), ci(h.I2_ci, 2)});
  t.rows.push_back({"H²", fixed(h.H2), ci(h.H2_ci, 2)});
  t.rows.push_back({"Q (df = " + fixed(h.df, 0) + ")", fixed(h.Q),
                    "p " + std::string(h.p < 0.001 ? "< 0.001" : "= " + fixed(h.p, 3))});
  if (models::has_mh_tests(an.meta.spec.est, an.measure) && an.measure == effects::measure::OR) {
    // rma.mh's test for heterogeneity of the odds ratios, beside Q.
    const auto& mh = an.meta.mh;
    t.rows.push_back({"Tarone's test (df = " + fixed(mh.tarone_df, 0) + ")", fixed(mh.tarone), p_phrase(mh.tarone_p)});
  }
  if (!models::is_random_effects(an.meta.spec.est)) {
    t.notes.push_back("Common-effect model: I² and H² from Q; no τ² is estimated.");
  } else {
    t.notes.push_back(
        "I² and H² are computed from τ² and the Higgins-Thompson typical within-study variance "
        "(as metafor and Stata); the CIs for τ², τ, I² and H² come from the Q-profile method "
        "(Viechtbauer 2007).");
  }
  s.blocks.push_back(std::move(t));
  return s;
}

html_section subgroup_section(const analysis_bundle& an) {
  const auto& sg = *an.subgroups;
  html_section s = section("subgroups" + an.suffix, "Subgroup analysis by " + sg.column, an.letter.empty() ? 2 : 3);
  html_table t;
  t.id = "subgroup-table" + an.suffix;
  t.caption = "Table 7" + an.letter + ". Pooled estimates by " + sg.column;
  t.header = {"Subgroup", "k", "Estimate [CI]", "p", "τ²", "I² (%)", "Q"};
  t.numeric = {false, true, true, true, true, true, true};
  for (const auto& g : sg.groups) {
    const auto& f = g.fit;
    t.rows.push_back({g.name, std::to_string(g.k), with_ci(an, f.pooled.estimate, f.pooled.ci_lower, f.pooled.ci_upper),
                      p_value(f.pooled.p), fixed(f.het.tau2, 4), fixed(f.het.I2), fixed(f.het.Q)});
  }
  t.notes.push_back("Test of subgroup differences: Q(" + fixed(sg.test.df, 0) + ") = " + fixed(sg.test.Q) + ", p " +
                    (sg.test.p < 0.001 ? "< 0.001" : "= " + fixed(sg.test.p, 3)) + ".");
  for (const auto& l : sg.unassigned_labels) t.notes.push_back("No subgroup value: " + l + ".");
  s.blocks.push_back(std::move(t));
  return s;
}

html_section regression_section(const analysis_bundle& an) {
  const auto& r = *an.regression;
  std::string mods;
  for (std::size_t i = 0; i < an.spec.moderators.size(); ++i) mods += (i ? ", " : "") + an.spec.moderators[i];
  html_section s = section("regression" + an.suffix, "Meta-regression on " + mods, an.letter.empty() ? 2 : 3);
  html_table t;
  t.id = "regression-table" + an.suffix;
  t.caption = "Table 8" + an.letter + ". Meta-regression coefficients (" + std::to_string(r.k) + " studies)";
  t.header = {"Term", "Estimate", "SE", std::isfinite(r.df) ? "t" : "z", "p", "CI"};
  t.numeric = {false, true, true, true, true, true};
  for (const auto& c : r.coefficients) {
    t.rows.push_back({c.name, fixed(c.estimate, 4), fixed(c.se, 4), fixed(c.statistic), p_value(c.p),
                      bracket(fixed(c.ci_lower, 4), fixed(c.ci_upper, 4))});
  }
  t.notes.push_back("Residual heterogeneity: τ² = " + fixed(r.tau2, 4) + ", I² = " + fixed(r.I2) + "%, QE(" +
                    fixed(r.QE_df, 0) + ") = " + fixed(r.QE) + ", p " + p_value(r.QE_p) + ". Test of moderators: QM(" +
                    fixed(r.QM_df, 0) + ") = " + fixed(r.QM) + ", p " + p_value(r.QM_p) +
                    (std::isfinite(r.R2) ? ". R² = " + fixed(r.R2) + "%." : "."));
  for (const auto& l : an.regression_ctx->left_out) t.notes.push_back("Left out (missing moderator): " + l + ".");
  s.blocks.push_back(std::move(t));
  return s;
}

html_section bias_section(const analysis_bundle& an, const std::vector<std::shared_ptr<const run_figure>>& figs) {
  html_section s = section("bias" + an.suffix, "Small-study effects and publication bias", an.letter.empty() ? 2 : 3);
  if (const run_figure* f = find_figure(figs, "funnel" + an.suffix)) {
    html_figure h = figure_of(*f);
    h.max_width_em = 30;
    s.blocks.push_back(std::move(h));
  }
  const auto& b = *an.bias;
  html_table t;
  t.id = "bias-table" + an.suffix;
  t.caption = "Table 9" + an.letter + ". Tests of funnel-plot asymmetry";
  t.header = {"Test", "Statistic", "p"};
  t.numeric = {false, true, true};
  t.rows.push_back({"Egger's regression test (classical; bias coefficient " + fixed(b.egger.bias()) + ")",
                    "t(" + fixed(b.egger.df(), 0) + ") = " + fixed(b.egger.t()), p_value(b.egger.p())});
  t.rows.push_back({"Egger's test, mixed-effects (coefficient of SE " + fixed(b.egger_mixed.bias) + ")",
                    (std::isfinite(b.egger_mixed.df) ? "t = " : "z = ") + fixed(b.egger_mixed.statistic),
                    p_value(b.egger_mixed.p)});
  t.rows.push_back(
      {"Begg and Mazumdar rank correlation (" + std::string(b.begg.exact ? "exact" : "normal approximation") + ")",
       "Kendall's tau = " + fixed(b.begg.tau, 3), p_value(b.begg.p)});
  t.rows.push_back({"Fail-safe N (Rosenthal)", fixed(b.fsn.rosenthal, 0), ""});
  if (an.trimfill) {
    const auto& tf = *an.trimfill;
    t.rows.push_back({"Trim-and-fill (" + std::string(analyses::to_string(tf.options.estimator)) +
                          "): studies imputed on the " + std::string(analyses::to_string(tf.side)),
                      std::to_string(tf.k0), ""});
    t.rows.push_back(
        {"Trim-and-fill adjusted estimate",
         with_ci(an, tf.adjusted.pooled.estimate, tf.adjusted.pooled.ci_lower, tf.adjusted.pooled.ci_upper),
         p_value(tf.adjusted.pooled.p)});
  }
  t.notes.push_back(
      "With fewer than 10 studies these tests have little power (Sterne et al. 2011); they are reported "
      "because the analysis asked for them.");
  if (an.meta.k >= 10) t.notes.pop_back();
  s.blocks.push_back(std::move(t));
  return s;
}

html_section sensitivity_section(const analysis_bundle& an) {
  html_section s = section("sensitivity" + an.suffix, "Sensitivity analyses", an.letter.empty() ? 2 : 3);
  const auto& inf = *an.influence;
  html_table t;
  t.id = "leave-one-out" + an.suffix;
  t.caption = "Table 10" + an.letter + ". Leave-one-out analysis and influence diagnostics";
  t.header = {"Study omitted", "Estimate [CI]", "τ²", "I² (%)", "Cook's D", "Hat", "Influential"};
  t.numeric = {false, true, true, true, true, true, false};
  for (const auto& r : inf.studies) {
    t.rows.push_back({r.label, with_ci(an, r.estimate, r.ci_lower, r.ci_upper), fixed(r.tau2, 4), fixed(r.I2),
                      fixed(r.cooks_d, 3), fixed(r.hat, 3), r.influential ? "yes" : "no"});
  }
  t.notes.push_back(
      "A study is marked influential by any of metafor's criteria (Viechtbauer and Cheung 2010): "
      "|DFFITS| > " +
      fixed(inf.dffits_cutoff, 3) + ", Cook's D > " + fixed(inf.cooks_d_cutoff, 3) + ", hat > " +
      fixed(inf.hat_cutoff, 3) + " or |DFBETAS| > 1.");
  s.blocks.push_back(std::move(t));
  if (an.cumulative) {
    const auto& c = *an.cumulative;
    html_table ct;
    ct.id = "cumulative" + an.suffix;
    ct.caption = "Table 11" + an.letter + ". Cumulative meta-analysis (studies added in " +
                 (an.cumulative_order == "data order" ? std::string("data order") : "order of " + an.cumulative_order) +
                 ")";
    ct.header = {"Study added", "k", "Estimate [CI]", "p", "τ²", "I² (%)"};
    ct.numeric = {false, true, true, true, true, true};
    for (const auto& st : c.steps) {
      ct.rows.push_back({st.label, std::to_string(st.k), with_ci(an, st.estimate, st.ci_lower, st.ci_upper),
                         p_value(st.p), fixed(st.tau2, 4), fixed(st.I2)});
    }
    if (an.cumulative_order != "data order") {
      ct.notes.push_back("Studies without a value of " + an.cumulative_order + " are added last, in data order.");
    }
    s.blocks.push_back(std::move(ct));
  }
  return s;
}

/// PRISMA 2020 item 8: how many reviewers screened each record, whether independently, their
/// agreement and how disagreements were resolved.
std::string team_sentence(const review_bundle& rv) {
  const auto& sc = rv.spec.screening;
  // The screening's reviewers: those of review.toml and those the imported exports name.
  std::vector<std::string> names;
  for (const auto& r : rv.screen.reviewers) {
    if (!r.empty()) names.push_back(r);
  }
  if (names.size() < 2) return {};
  static const char* const words[] = {"Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine"};
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) list += (i == 0 ? "" : ", ") + names[i];
  const std::string who = (names.size() - 2 < 8 ? std::string(words[names.size() - 2]) : std::to_string(names.size())) +
                          " reviewers (" + list + ")";
  std::string t;
  for (const char* stage : {"title-abstract", "full-text"}) {
    const bool ta = std::string(stage) == "title-abstract";
    const review::stage_agreement* pair = nullptr;
    const review::stage_agreement* team = nullptr;
    std::size_t disagreements = 0, adjudicated = 0;
    for (const auto& a : rv.screen.prisma.agreement) {
      if (a.stage != stage) continue;
      if (!a.pairwise) {
        team = &a;
      } else {
        if (pair == nullptr) pair = &a;
        disagreements += a.disagreements;
        adjudicated += a.adjudicated;
      }
    }
    if (pair == nullptr) continue;
    const std::string what = ta ? "screened titles and abstracts" : "assessed full texts";
    if (sc.mode == review::screening_mode::dual_sample) {
      t += who + " " + what + "; a random " + fixed(sc.sample * 100, 0) + "% sample was screened independently by two";
    } else {
      t += who + " " + what + " independently";
    }
    if (team != nullptr) {
      t += "; agreement Fleiss' κ = " + fixed(team->fleiss_kappa) +
           ", Krippendorff's α = " + fixed(team->krippendorff_alpha) + " (n = " + count(team->n) + ")";
      disagreements = team->disagreements;
    } else if (!std::isfinite(pair->kappa)) {
      t += "; they agreed on " + fixed(pair->percent_agreement, 1) + "% of " + count(pair->n) +
           " records (κ is undefined: every decision of one reviewer was the same)";
    } else {
      t += "; agreement κ = " + fixed(pair->kappa) + " [" + fixed(pair->kappa_ci_lower) + ", " +
           fixed(pair->kappa_ci_upper) + "] (n = " + count(pair->n) + ", " + fixed(pair->percent_agreement, 1) +
           "% agreement, PABAK " + fixed(pair->pabak) + ", AC1 " + fixed(pair->ac1) + ")";
    }
    const std::size_t waiting =
        ta ? rv.screen.prisma.awaiting_title_abstract_adjudication : rv.screen.prisma.awaiting_full_text_adjudication;
    t += "; " + count(adjudicated) + (adjudicated == 1 ? " disagreement was" : " disagreements were") +
         " resolved by adjudication";
    if (waiting > 0) t += " and " + count(waiting) + " await adjudication";
    t += ". ";
  }
  if (!t.empty() && !sc.adjudication) t += "No adjudication file was given. ";
  return t;
}

html_section methods_section(const review_bundle& rv, const std::vector<analysis_bundle>& ans) {
  html_section s = section("methods", "Methods");
  std::string src;
  for (std::size_t i = 0; i < rv.spec.sources.size(); ++i) {
    src += (i == 0 ? "" : (i + 1 == rv.spec.sources.size() ? " and " : ", ")) + rv.spec.sources[i].name;
  }
  std::string p = "Records exported from " + src +
                  " were imported and deduplicated with metasift's rule-based algorithm (after ASySD; Hair et al. "
                  "2023), which merges records only on agreeing identifiers or closely matching title, authors, year "
                  "and journal and never across a conflicting DOI, year, volume or page. ";
  if (rv.spec.search) p += "The search string was re-applied to every record. ";
  if (!rv.spec.criteria.empty()) {
    p += std::to_string(rv.spec.criteria.size()) +
         " eligibility criteria were applied automatically in the order listed (a record with an unknown value "
         "passed to human screening). ";
  }
  const std::string team = team_sentence(rv);
  if (!team.empty()) {
    p += team;
  } else {
    p += rv.spec.decisions ? "Title-abstract and full-text decisions of the reviewers were read from " +
                                 rv.spec.decisions_label + ". "
                           : "No human screening decisions were recorded. ";
  }
  p += "Counts follow the PRISMA 2020 flow diagram (Page et al. 2021).";
  s.blocks.push_back(html_paragraph{p, "Selection."});
  if (rv.codebook && rv.extracted) {
    const auto& cb = *rv.codebook;
    std::string e = std::to_string(cb.fields.size()) + " variables of a codebook were extracted";
    e +=
        cb.extractors.size() > 1 ? " independently by " + std::to_string(cb.extractors.size()) + " extractors (" : " (";
    for (std::size_t i = 0; i < cb.extractors.size(); ++i) {
      e += (i ? ", " : "") + (cb.extractors[i].name.empty() ? cb.extractors[i].label : cb.extractors[i].name);
    }
    e += ")";
    if (cb.extractors.size() > 1) {
      e += "; " + count(rv.extracted->check.discrepancies.size()) + " discrepancies were found" +
           (cb.consensus ? " and resolved in the consensus file " + cb.consensus->label : "");
    }
    e += ". Every value was checked against its type and allowed values.";
    s.blocks.push_back(html_paragraph{e, "Data extraction."});
  }
  for (const auto& a : ans) {
    const analysis_bundle* an = &a;
    const auto& m = an->meta;
    std::string q = (an->letter.empty() ? std::string() : outcome_scope(*an) + " ") + "The effect measure was the " +
                    prose_name(an->measure) + " (" + std::string(effects::to_string(an->measure)) +
                    "), computed from the study data (" + an->spec.data_label +
                    ") with metafor's escalc formulas. Studies were pooled in " + method_phrase(m.spec.est) +
                    "; the confidence interval and test of the pooled effect used " + test_phrase(m.spec.test) +
                    " at the " + fixed(m.spec.level * 100, 0) + "% level. ";
    if (models::is_random_effects(m.spec.est)) {
      q += "Heterogeneity is reported as τ², τ, I² and H² with Q-profile confidence intervals (Viechtbauer "
           "2007) and Cochran's Q test; I² and H² are computed from τ² and the Higgins-Thompson typical "
           "within-study variance. ";
    }
    if (models::has_mh_tests(m.spec.est, an->measure)) {
      q += an->measure == effects::measure::OR
               ? "The Cochran-Mantel-Haenszel test (Mantel and Haenszel 1959) and Tarone's test for heterogeneity "
                 "of the odds ratios (Tarone 1985) were computed on the raw counts, with continuity correction, "
                 "as metafor's rma.mh. "
               : "The Mantel-Haenszel test for person-time data was computed on the raw counts, with continuity "
                 "correction, as metafor's rma.mh. ";
    }
    q += "Conventions on which software differs were set by the " + std::string(models::to_string(an->spec.conv)) +
         " convention: ";
    for (std::size_t i = 0; i < an->ctx.conventions.size(); ++i) q += (i ? "; " : "") + typeset(an->ctx.conventions[i]);
    q += ". ";
    if (an->subgroups) {
      q += "Subgroups by " + an->subgroups->column +
           " were pooled separately (τ² estimated per subgroup) and compared with the Q test of subgroup differences. ";
    }
    if (an->regression) q += "A mixed-effects meta-regression used the same τ² estimator. ";
    if (an->bias) {
      q += "Small-study effects were assessed with Egger's regression test (Egger et al. 1997), the Begg and "
           "Mazumdar rank correlation (1994), trim-and-fill with the L0 estimator (Duval and Tweedie 2000) and "
           "a funnel plot. ";
    }
    if (an->influence) {
      q += "Sensitivity was examined by leave-one-out analysis, influence diagnostics (Viechtbauer and Cheung "
           "2010) and a cumulative meta-analysis. ";
    }
    q += "Iterative estimators were run to a change in τ² below 1e-12.";
    s.blocks.push_back(html_paragraph{q, an->letter.empty() ? "Synthesis." : "Synthesis (" + an->title + ")."});
  }
  if (const std::string rob = appraisal_methods(rv, ans); !rob.empty()) {
    s.blocks.push_back(html_paragraph{rob, "Risk of bias and certainty of the evidence."});
  }
  s.blocks.push_back(html_paragraph{"All steps were run by metasift " + std::string(version()) + " (metasift run " +
                                        rv.spec.file.filename().string() +
                                        "), whose estimates are validated against R's metafor 3.8.1; rerunning the "
                                        "command on the same files reproduces this report byte for byte.",
                                    "Software."});
  return s;
}

html_section references_section(const review_bundle& rv) {
  html_section s = section("references", "References of included studies");
  html_list l;
  l.numbered = true;
  std::vector<std::pair<std::string, std::string>> refs;  // (sort key, text)
  std::set<std::size_t> seen;
  for (std::size_t i = 0; i < rv.screen.records.size(); ++i) {
    if (rv.screen.audit[i].status != review::final_status::included || !seen.insert(i).second) continue;
    const review::record r = display_record(rv, i);
    std::string key = r.authors.empty() ? "~" : r.authors.front();
    for (char& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    refs.emplace_back(key + " " + std::to_string(r.year), reference_text(r));
  }
  std::stable_sort(refs.begin(), refs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& r : refs) l.items.push_back(std::move(r.second));
  if (l.items.empty()) {
    s.blocks.push_back(html_paragraph{"No study has been included yet.", ""});
  } else {
    s.blocks.push_back(std::move(l));
  }
  return s;
}

html_section notes_section(const std::vector<analysis_bundle>& ans, const std::vector<std::string>& warnings) {
  html_section s = section("notes", "Data linkage and warnings");
  for (const auto& a : ans) {
    const analysis_bundle* an = &a;
    const link_summary& links = a.links;
    s.blocks.push_back(html_paragraph{
        std::to_string(links.rows) + " rows of " + an->spec.data_label + " name their records in the column '" +
            an->spec.record_column + "'; " + std::to_string(links.analysed) +
            " rows belong to included records and were analysed. " +
            std::to_string(links.included_without_data.size()) + " included records have no data row; " +
            std::to_string(links.rows_with_excluded_record.size()) + " rows name records that were not included." +
            (an->spec.filter.empty() ? std::string()
                                     : " " + std::to_string(links.outside_filter) +
                                           " rows of included records fail the outcome's filter; " +
                                           std::to_string(links.filter_unknown.size()) +
                                           " are left out because the filter cannot be decided for them."),
        an->letter.empty() ? "Linkage." : "Linkage (" + an->title + ")."});
  }
  if (warnings.empty()) {
    s.blocks.push_back(html_paragraph{"None.", "Warnings."});
  } else {
    s.blocks.push_back(html_paragraph{"", "Warnings."});
    s.blocks.push_back(html_list{warnings, false});
  }
  return s;
}

html_section files_section(const std::vector<std::shared_ptr<const run_figure>>& figs) {
  html_section s = section("files", "Files of this run");
  html_list l;
  l.items = {"results.json: every number of this report, with the conventions used",
             "screening.csv: the audit trail, one row per imported record with its whole path",
             "prisma.json: the PRISMA 2020 counts (PRISMA2020 R package keys)"};
  for (const auto& f : figs) l.items.push_back("figures/" + f->name + ".svg, .pdf, .png: " + f->caption);
  s.blocks.push_back(std::move(l));
  return s;
}

}  // namespace

report::html_document build_report(const run_options& opt, const review_bundle& rv,
                                   const std::vector<analysis_bundle>& analyses,
                                   const std::vector<std::string>& warnings,
                                   const std::vector<std::shared_ptr<const run_figure>>& figures) {
  report::html_document d;
  d.title = rv.spec.title.empty() ? "Systematic review" : rv.spec.title;
  d.subtitle.push_back("Systematic review report generated by metasift " + std::string(version()) + " from " +
                       rv.spec.file.filename().string());
  if (!opt.date.empty()) d.subtitle.push_back("Run on " + opt.date);
  d.sections.push_back(summary_section(rv, analyses));
  const analysis_bundle* first = analyses.empty() ? nullptr : &analyses.front();
  if (rv.update) d.sections.push_back(changes_section(rv, first));
  d.sections.push_back(selection_section(rv, figures));
  d.sections.push_back(search_section(rv));
  if (!analyses.empty() || (rv.codebook && rv.extracted)) d.sections.push_back(characteristics_section(rv, analyses));
  if (analyses.size() > 1) d.sections.push_back(outcomes_section(analyses));
  for (const auto& an : analyses) {
    d.sections.push_back(synthesis_section(an, figures));
    d.sections.push_back(heterogeneity_section(an));
    if (an.subgroups) d.sections.push_back(subgroup_section(an));
    if (an.regression) d.sections.push_back(regression_section(an));
    if (an.bias) d.sections.push_back(bias_section(an, figures));
    if (an.influence) d.sections.push_back(sensitivity_section(an));
  }
  for (auto& sec : appraisal_sections(rv, analyses, figures)) d.sections.push_back(std::move(sec));
  d.sections.push_back(methods_section(rv, analyses));
  d.sections.push_back(references_section(rv));
  d.sections.push_back(notes_section(analyses, warnings));
  d.sections.push_back(files_section(figures));
  d.footer = "metasift " + std::string(version()) + ". This file is self-contained: it loads nothing from the network.";
  return d;
}

}  // namespace metasift::run
