// The shipped appraisal tools: domains, judgements and the overall rule of each, taken from the
// tools' guidance documents (cited on each definition and in docs/appraisal.md).
#include <algorithm>
#include <cctype>

#include "metasift/review/appraisal.hpp"

namespace metasift::review {
namespace {

appraisal_domain dom(std::string id, std::string name, std::vector<std::string> judgements, std::string group = "") {
  return {std::move(id), std::move(name), std::move(group), std::move(judgements)};
}

std::vector<appraisal_tool> make_tools() {
  std::vector<appraisal_tool> tools;

  // Sterne JAC et al. RoB 2: a revised tool for assessing risk of bias in randomised trials.
  // BMJ 2019;366:l4898 (Table 1, domains); Higgins JPT et al. Cochrane Handbook v6, chapter 8,
  // section 8.2.4 and Table 8.2.b "Reaching an overall risk-of-bias judgement for a specific
  // outcome": low if low in all domains; some concerns if some concerns in at least one domain and
  // no high; high if high in at least one domain, or some concerns in multiple domains in a way
  // that substantially lowers confidence in the result (a reviewer's call: an overall override).
  {
    const std::vector<std::string> j{"low", "some-concerns", "high"};
    appraisal_tool t;
    t.id = "rob2";
    t.name = "RoB 2 (randomised trials, parallel-group)";
    t.guidance = "Sterne et al., BMJ 2019;366:l4898; Cochrane Handbook v6 chapter 8, Table 8.2.b";
    t.result_level = true;
    t.rule = overall_rule::rob2;
    t.overall_judgements = j;
    t.domains = {dom("D1", "Bias arising from the randomization process", j),
                 dom("D2", "Bias due to deviations from intended interventions", j),
                 dom("D3", "Bias due to missing outcome data", j), dom("D4", "Bias in measurement of the outcome", j),
                 dom("D5", "Bias in selection of the reported result", j)};
    tools.push_back(std::move(t));
  }

  // Sterne JAC et al. ROBINS-I: a tool for assessing risk of bias in non-randomised studies of
  // interventions. BMJ 2016;355:i4919, table of overall judgements: low if low in all domains;
  // moderate if low or moderate in all; serious if serious in at least one but critical in none;
  // critical if critical in at least one; no information if there is no clear indication of
  // serious or critical risk and information is lacking in one or more key domains. That is the
  // most severe judgement with "no information" ranked between moderate and serious.
  {
    const std::vector<std::string> j{"low", "moderate", "no-information", "serious", "critical"};
    appraisal_tool t;
    t.id = "robins-i";
    t.name = "ROBINS-I (non-randomised studies of interventions)";
    t.guidance = "Sterne et al., BMJ 2016;355:i4919 (overall risk-of-bias judgements)";
    t.result_level = true;
    t.rule = overall_rule::worst;
    t.overall_judgements = j;
    t.domains = {dom("D1", "Bias due to confounding", j),
                 dom("D2", "Bias in selection of participants into the study", j),
                 dom("D3", "Bias in classification of interventions", j),
                 dom("D4", "Bias due to deviations from intended interventions", j),
                 dom("D5", "Bias due to missing data", j),
                 dom("D6", "Bias in measurement of outcomes", j),
                 dom("D7", "Bias in selection of the reported result", j)};
    tools.push_back(std::move(t));
  }

  // Higgins JPT, Morgan RL, Rooney AA, et al. A tool to assess risk of bias in non-randomized
  // follow-up studies of exposure effects (ROBINS-E). Environ Int 2024;186:108602
  // (doi:10.1016/j.envint.2024.108602), and the ROBINS-E tool, launch version of 1 June 2022
  // (riskofbias.info). Overall judgement: the most severe domain judgement ("low" reads "low risk
  // of bias except for concerns about uncontrolled confounding"). The tool also lets reviewers
  // raise the result to high for some concerns in several domains, and to very high for high risk
  // in several domains, where together they substantially lower confidence: a reviewer's call,
  // made with an overall override as for RoB 2.
  {
    const std::vector<std::string> j{"low", "some-concerns", "high", "very-high"};
    appraisal_tool t;
    t.id = "robins-e";
    t.name = "ROBINS-E (non-randomised studies of exposures)";
    t.guidance = "Higgins et al., Environ Int 2024;186:108602; ROBINS-E tool, launch version 1 June 2022";
    t.result_level = true;
    t.rule = overall_rule::worst;
    t.overall_judgements = j;
    t.domains = {dom("D1", "Risk of bias due to confounding", j),
                 dom("D2", "Risk of bias arising from measurement of the exposure", j),
                 dom("D3", "Risk of bias in selection of participants into the study (or into the analysis)", j),
                 dom("D4", "Risk of bias due to post-exposure interventions", j),
                 dom("D5", "Risk of bias due to missing data", j),
                 dom("D6", "Risk of bias arising from measurement of the outcome", j),
                 dom("D7", "Risk of bias in selection of the reported result", j)};
    tools.push_back(std::move(t));
  }

  // Higgins JPT et al. The Cochrane Collaboration's tool for assessing risk of bias in randomised
  // trials. BMJ 2011;343:d5928; Cochrane Handbook 5.1.0, section 8.7 and Table 8.7.a: low if low
  // for all key domains, unclear if unclear for one or more key domains, high if high for one or
  // more key domains (the review names its key domains: key_domains).
  {
    const std::vector<std::string> j{"low", "unclear", "high"};
    appraisal_tool t;
    t.id = "rob1";
    t.name = "Cochrane risk-of-bias tool (RoB 1, 2011)";
    t.guidance = "Higgins et al., BMJ 2011;343:d5928; Cochrane Handbook 5.1.0 section 8.7, Table 8.7.a";
    t.rule = overall_rule::worst;
    t.overall_judgements = j;
    t.domains = {dom("D1", "Random sequence generation (selection bias)", j),
                 dom("D2", "Allocation concealment (selection bias)", j),
                 dom("D3", "Blinding of participants and personnel (performance bias)", j),
                 dom("D4", "Blinding of outcome assessment (detection bias)", j),
                 dom("D5", "Incomplete outcome data (attrition bias)", j),
                 dom("D6", "Selective reporting (reporting bias)", j),
                 dom("D7", "Other bias", j)};
    tools.push_back(std::move(t));
  }

  // Whiting PF et al. QUADAS-2: a revised tool for the quality assessment of diagnostic accuracy
  // studies. Ann Intern Med 2011;155:529-536, "Phase 4": a study low on all risk-of-bias domains
  // is "low risk of bias"; high or unclear on one or more may be judged "at risk of bias". The
  // applicability concerns (A1-A3) are reported but do not enter the overall risk of bias.
  {
    const std::vector<std::string> j{"low", "unclear", "high"};
    appraisal_tool t;
    t.id = "quadas2";
    t.name = "QUADAS-2 (diagnostic accuracy studies)";
    t.guidance = "Whiting et al., Ann Intern Med 2011;155:529-536 (Phase 4, overall judgement)";
    t.rule = overall_rule::all_low;
    t.overall_judgements = {"low", "at-risk"};
    t.domains = {dom("D1", "Risk of bias: patient selection", j, "bias"),
                 dom("D2", "Risk of bias: index test(s)", j, "bias"),
                 dom("D3", "Risk of bias: reference standard", j, "bias"),
                 dom("D4", "Risk of bias: flow and timing", j, "bias"),
                 dom("A1", "Applicability concerns: patient selection", j, "applicability"),
                 dom("A2", "Applicability concerns: index test(s)", j, "applicability"),
                 dom("A3", "Applicability concerns: reference standard", j, "applicability")};
    t.key_domains = {"D1", "D2", "D3", "D4"};
    tools.push_back(std::move(t));
  }

  // Wells GA et al. The Newcastle-Ottawa Scale (NOS) for assessing the quality of nonrandomised
  // studies in meta-analyses (ohri.ca): at most one star per numbered item in Selection and
  // Outcome/Exposure, two for Comparability. The NOS publishes no overall category; the AHRQ
  // conversion (as in Hartling et al., AHRQ 2012, appendix E, and Sharmin et al. 2017): good =
  // 3-4 selection stars, 1-2 comparability, 2-3 outcome/exposure; fair = 2 selection, 1-2
  // comparability, 2-3 outcome/exposure; poor otherwise (0-1 selection or 0 comparability or
  // 0-1 outcome/exposure).
  const std::vector<std::string> star{"1", "0"}, stars2{"2", "1", "0"};
  const std::string nos_guidance =
      "Wells et al., Newcastle-Ottawa Scale (ohri.ca); AHRQ good/fair/poor thresholds (Hartling et al., AHRQ 2012)";
  {
    appraisal_tool t;
    t.id = "nos-cohort";
    t.name = "Newcastle-Ottawa Scale, cohort studies";
    t.guidance = nos_guidance;
    t.rule = overall_rule::nos_ahrq;
    t.overall_judgements = {"good", "fair", "poor"};
    t.domains = {
        dom("S1", "Representativeness of the exposed cohort", star, "selection"),
        dom("S2", "Selection of the non-exposed cohort", star, "selection"),
        dom("S3", "Ascertainment of exposure", star, "selection"),
        dom("S4", "Demonstration that outcome of interest was not present at start of study", star, "selection"),
        dom("C1", "Comparability of cohorts on the basis of the design or analysis", stars2, "comparability"),
        dom("O1", "Assessment of outcome", star, "outcome"),
        dom("O2", "Was follow-up long enough for outcomes to occur", star, "outcome"),
        dom("O3", "Adequacy of follow-up of cohorts", star, "outcome")};
    tools.push_back(std::move(t));
  }
  {
    appraisal_tool t;
    t.id = "nos-case-control";
    t.name = "Newcastle-Ottawa Scale, case-control studies";
    t.guidance = nos_guidance;
    t.rule = overall_rule::nos_ahrq;
    t.overall_judgements = {"good", "fair", "poor"};
    t.domains = {dom("S1", "Is the case definition adequate?", star, "selection"),
                 dom("S2", "Representativeness of the cases", star, "selection"),
                 dom("S3", "Selection of controls", star, "selection"),
                 dom("S4", "Definition of controls", star, "selection"),
                 dom("C1", "Comparability of cases and controls on the basis of the design or analysis", stars2,
                     "comparability"),
                 dom("E1", "Ascertainment of exposure", star, "exposure"),
                 dom("E2", "Same method of ascertainment for cases and controls", star, "exposure"),
                 dom("E3", "Non-response rate", star, "exposure")};
    tools.push_back(std::move(t));
  }

  // Hong QN et al. Mixed Methods Appraisal Tool (MMAT), version 2018, user guide (Part I,
  // checklist): two screening questions, then the five criteria of the study's category
  // (1 qualitative, 2 randomized controlled trials, 3 non-randomized, 4 quantitative
  // descriptive, 5 mixed methods, which also takes 1 and one of 2-4). Answers yes / no / can't
  // tell. The guide discourages an overall score from the ratings ("It is discouraged to
  // calculate an overall score"), so there is no overall rule.
  {
    const std::vector<std::string> j{"yes", "cant-tell", "no"};
    appraisal_tool t;
    t.id = "mmat2018";
    t.name = "Mixed Methods Appraisal Tool (MMAT), version 2018";
    t.guidance = "Hong et al., MMAT version 2018 user guide, Part I (checklist) and its note on overall scores";
    t.rule = overall_rule::none;
    t.domains = {
        dom("S1", "Are there clear research questions?", j, "S"),
        dom("S2", "Do the collected data allow to address the research questions?", j, "S"),
        dom("1.1", "Is the qualitative approach appropriate to answer the research question?", j, "1"),
        dom("1.2", "Are the qualitative data collection methods adequate to address the research question?", j, "1"),
        dom("1.3", "Are the findings adequately derived from the data?", j, "1"),
        dom("1.4", "Is the interpretation of results sufficiently substantiated by data?", j, "1"),
        dom("1.5", "Is there coherence between qualitative data sources, collection, analysis and interpretation?", j,
            "1"),
        dom("2.1", "Is randomization appropriately performed?", j, "2"),
        dom("2.2", "Are the groups comparable at baseline?", j, "2"),
        dom("2.3", "Are there complete outcome data?", j, "2"),
        dom("2.4", "Are outcome assessors blinded to the intervention provided?", j, "2"),
        dom("2.5", "Did the participants adhere to the assigned intervention?", j, "2"),
        dom("3.1", "Are the participants representative of the target population?", j, "3"),
        dom("3.2", "Are measurements appropriate regarding both the outcome and intervention (or exposure)?", j, "3"),
        dom("3.3", "Are there complete outcome data?", j, "3"),
        dom("3.4", "Are the confounders accounted for in the design and analysis?", j, "3"),
        dom("3.5", "During the study period, is the intervention administered (or exposure occurred) as intended?", j,
            "3"),
        dom("4.1", "Is the sampling strategy relevant to address the research question?", j, "4"),
        dom("4.2", "Is the sample representative of the target population?", j, "4"),
        dom("4.3", "Are the measurements appropriate?", j, "4"),
        dom("4.4", "Is the risk of nonresponse bias low?", j, "4"),
        dom("4.5", "Is the statistical analysis appropriate to answer the research question?", j, "4"),
        dom("5.1", "Is there an adequate rationale for using a mixed methods design to address the research question?",
            j, "5"),
        dom("5.2", "Are the different components of the study effectively integrated to answer the research question?",
            j, "5"),
        dom("5.3",
            "Are the outputs of the integration of qualitative and quantitative components adequately interpreted?", j,
            "5"),
        dom("5.4",
            "Are divergences and inconsistencies between quantitative and qualitative results adequately addressed?", j,
            "5"),
        dom("5.5",
            "Do the different components of the study adhere to the quality criteria of each tradition of the methods "
            "involved?",
            j, "5")};
    tools.push_back(std::move(t));
  }
  // JBI critical appraisal checklists (Joanna Briggs Institute, Critical Appraisal Tools for use in
  // JBI Systematic Reviews: checklist for analytical cross sectional studies, 2017; checklist for
  // qualitative research, 2017). Answers yes / no / unclear / not applicable; each checklist ends
  // with "Overall appraisal: Include / Exclude / Seek further info", a decision of the reviewers
  // for which JBI publishes no rule: an overall line records it.
  {
    const std::vector<std::string> j{"yes", "unclear", "no", "not-applicable"};
    const std::vector<std::string> decision{"include", "seek-further-info", "exclude"};
    appraisal_tool t;
    t.id = "jbi-cross-sectional";
    t.name = "JBI checklist for analytical cross sectional studies";
    t.guidance = "JBI Critical Appraisal Checklist for Analytical Cross Sectional Studies (2017)";
    t.rule = overall_rule::none;
    t.overall_judgements = decision;
    t.domains = {dom("Q1", "Were the criteria for inclusion in the sample clearly defined?", j),
                 dom("Q2", "Were the study subjects and the setting described in detail?", j),
                 dom("Q3", "Was the exposure measured in a valid and reliable way?", j),
                 dom("Q4", "Were objective, standard criteria used for measurement of the condition?", j),
                 dom("Q5", "Were confounding factors identified?", j),
                 dom("Q6", "Were strategies to deal with confounding factors stated?", j),
                 dom("Q7", "Were the outcomes measured in a valid and reliable way?", j),
                 dom("Q8", "Was appropriate statistical analysis used?", j)};
    tools.push_back(t);
    t.id = "jbi-qualitative";
    t.name = "JBI checklist for qualitative research";
    t.guidance = "JBI Critical Appraisal Checklist for Qualitative Research (2017)";
    t.domains = {
        dom("Q1", "Is there congruity between the stated philosophical perspective and the research methodology?", j),
        dom("Q2", "Is there congruity between the research methodology and the research question or objectives?", j),
        dom("Q3", "Is there congruity between the research methodology and the methods used to collect data?", j),
        dom("Q4", "Is there congruity between the research methodology and the representation and analysis of data?",
            j),
        dom("Q5", "Is there congruity between the research methodology and the interpretation of results?", j),
        dom("Q6", "Is there a statement locating the researcher culturally or theoretically?", j),
        dom("Q7", "Is the influence of the researcher on the research, and vice-versa, addressed?", j),
        dom("Q8", "Are participants, and their voices, adequately represented?", j),
        dom("Q9",
            "Is the research ethical according to current criteria or, for recent studies, and is there evidence of "
            "ethical approval by an appropriate body?",
            j),
        dom("Q10",
            "Do the conclusions drawn in the research report flow from the analysis, or interpretation, of the data?",
            j)};
    tools.push_back(std::move(t));
  }
  return tools;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::size_t severity(const std::vector<std::string>& order, const std::string& j) {
  const auto it = std::find(order.begin(), order.end(), j);
  return static_cast<std::size_t>(it - order.begin());
}

}  // namespace

const std::vector<appraisal_tool>& builtin_appraisal_tools() {
  static const std::vector<appraisal_tool> tools = make_tools();
  return tools;
}

const appraisal_tool* find_appraisal_tool(std::string_view id) {
  const std::string l = lower(id);
  for (const auto& t : builtin_appraisal_tools()) {
    if (t.id == l) return &t;
  }
  return nullptr;
}

std::string canonical_judgement(std::string_view text) {
  std::string out;
  bool dash = false;
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1])) != 0) --e;
  const std::string_view t = text.substr(b, e - b);
  if (t == "*") return "1";
  if (t == "**") return "2";
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\'') continue;
    if (t.substr(i, 3) == "\xE2\x80\x99") {  // typographic apostrophe (U+2019)
      i += 2;
      continue;
    }
    if (c == ' ' || c == '_' || c == '-' || c == '\t') {
      dash = !out.empty();
      continue;
    }
    if (dash) out += '-';
    dash = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::optional<std::string> propose_overall(const appraisal_tool& tool,
                                           const std::map<std::string, std::string>& judgements,
                                           std::string* rule_text) {
  auto say = [&](std::string s) {
    if (rule_text != nullptr) *rule_text = std::move(s);
  };
  if (tool.rule == overall_rule::none) {
    say(tool.overall_judgements.empty() ? "the tool publishes no overall judgement"
                                        : "the overall judgement is the reviewers' decision (an overall line)");
    return std::nullopt;
  }
  std::vector<const appraisal_domain*> keys;
  for (const auto& d : tool.domains) {
    if (tool.key_domains.empty() ||
        std::find(tool.key_domains.begin(), tool.key_domains.end(), d.id) != tool.key_domains.end()) {
      keys.push_back(&d);
    }
  }
  for (const auto* d : keys) {
    if (judgements.find(d->id) == judgements.end()) {
      say("domain " + d->id + " not judged");
      return std::nullopt;
    }
  }
  switch (tool.rule) {
    case overall_rule::rob2: {
      std::size_t n_some = 0, n_high = 0;
      for (const auto* d : keys) {
        const std::string& j = judgements.at(d->id);
        n_some += j == "some-concerns" ? 1U : 0U;
        n_high += j == "high" ? 1U : 0U;
      }
      if (n_high > 0) {
        say("high in at least one domain");
        return "high";
      }
      if (n_some > 0) {
        say(n_some > 1 ? "some concerns in " + std::to_string(n_some) +
                             " domains, no high (the reviewers may raise this to high with an overall line)"
                       : "some concerns in one domain, no high");
        return "some-concerns";
      }
      say("low in all domains");
      return "low";
    }
    case overall_rule::worst: {
      const appraisal_domain* worst = keys.front();
      for (const auto* d : keys) {
        if (severity(d->judgements, judgements.at(d->id)) > severity(worst->judgements, judgements.at(worst->id))) {
          worst = d;
        }
      }
      const std::string& j = judgements.at(worst->id);
      say(severity(worst->judgements, j) == 0 ? "the least severe judgement in every domain"
                                              : "the most severe domain judgement (" + worst->id + ")");
      return j;
    }
    case overall_rule::all_low: {
      for (const auto* d : keys) {
        if (judgements.at(d->id) != "low") {
          say("not low in " + d->id);
          return "at-risk";
        }
      }
      say("low in all risk-of-bias domains");
      return "low";
    }
    case overall_rule::nos_ahrq: {
      std::map<std::string, int> stars;
      for (const auto* d : keys) stars[d->group] += std::stoi(judgements.at(d->id));
      const int sel = stars["selection"], comp = stars["comparability"], out = stars["outcome"] + stars["exposure"];
      const std::string counts = std::to_string(sel) + " selection, " + std::to_string(comp) + " comparability, " +
                                 std::to_string(out) + " outcome/exposure stars";
      if (sel >= 3 && comp >= 1 && out >= 2) {
        say(counts + ": good (3-4, 1-2, 2-3)");
        return "good";
      }
      if (sel == 2 && comp >= 1 && out >= 2) {
        say(counts + ": fair (2, 1-2, 2-3)");
        return "fair";
      }
      say(counts + ": poor (0-1 selection, or 0 comparability, or 0-1 outcome/exposure)");
      return "poor";
    }
    case overall_rule::none: break;
  }
  return std::nullopt;
}

}  // namespace metasift::review
