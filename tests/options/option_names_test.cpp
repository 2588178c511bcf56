// Every enumerated setting is read whatever its case: the names below are the documented ones
// (docs/cli.md and the options' help), written here by hand, not taken from the tables under test.

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "metasift/analyses/trimfill.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/batch/gwas.hpp"
#include "metasift/batch/simulate.hpp"
#include "metasift/core/enum_names.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/spec.hpp"
#include "metasift/report/output_format.hpp"
#include "metasift/review/query.hpp"
#include "metasift/review/record_io.hpp"
#include "metasift/review/screen.hpp"

namespace {

using namespace metasift;

std::vector<std::string> spellings(const std::string& s) {
  std::string up = s, low = s, mixed = s;
  bool u = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    up[i] = static_cast<char>(std::toupper(c));
    low[i] = static_cast<char>(std::tolower(c));
    if (std::isalpha(c) != 0) {
      mixed[i] = static_cast<char>(u ? std::toupper(c) : std::tolower(c));
      u = !u;
    }
  }
  return {s, up, low, mixed};
}

/// parse(name) gives `want` for every spelling of name.
template <class F, class E>
void expect_all_cases(F parse, const std::string& name, E want) {
  for (const auto& s : spellings(name)) {
    const auto got = parse(s);
    ASSERT_TRUE(got.has_value()) << s;
    EXPECT_TRUE(*got == want) << s;
  }
}

TEST(OptionNames, IequalsIsAsciiCaseInsensitive) {
  EXPECT_TRUE(iequals_ascii("Only0", "ONLY0"));
  EXPECT_TRUE(iequals_ascii("t_K1", "t_k1"));
  EXPECT_FALSE(iequals_ascii("hk", "hk "));
  EXPECT_FALSE(iequals_ascii("a", "b"));
  EXPECT_TRUE(iequals_ascii("", ""));
}

TEST(OptionNames, EnumChoicesListsEachValueOnce) {
  const std::array<enum_name<int>, 4> names{{{1, "z"}, {2, "hk"}, {2, "knha"}, {3, "x"}}};
  EXPECT_EQ(enum_choices(names), "z, hk or x");
  EXPECT_EQ(enum_to_string(2, names), "hk");
  EXPECT_EQ(enum_to_string(4, names), "?");
}

TEST(OptionNames, EffectSettings) {
  expect_all_cases(effects::parse_md_variance, "separate", effects::md_variance::separate);
  expect_all_cases(effects::parse_md_variance, "pooled", effects::md_variance::pooled);
  expect_all_cases(effects::parse_smd_correction, "exact", effects::smd_correction::hedges_exact);
  expect_all_cases(effects::parse_smd_correction, "approx", effects::smd_correction::hedges_approx);
  expect_all_cases(effects::parse_smd_correction, "none", effects::smd_correction::none);
  expect_all_cases(effects::parse_smd_variance, "ls", effects::smd_variance::large_sample);
  expect_all_cases(effects::parse_smd_variance, "ub", effects::smd_variance::unbiased);
  expect_all_cases(effects::parse_zero_cell, "only0", effects::zero_cell::only_zero);
  expect_all_cases(effects::parse_zero_cell, "all", effects::zero_cell::all);
  expect_all_cases(effects::parse_zero_cell, "none", effects::zero_cell::none);
  expect_all_cases(effects::parse_measure, "smd", effects::measure::SMD);
  expect_all_cases(effects::parse_measure, "peto", effects::measure::PETO);
  EXPECT_FALSE(effects::parse_md_variance("pool"));
  EXPECT_FALSE(effects::parse_zero_cell("only 0"));
  EXPECT_FALSE(effects::parse_smd_variance("lS "));
  EXPECT_EQ(effects::to_string(effects::smd_variance::unbiased), "ub");
  EXPECT_EQ(effects::to_string(effects::zero_cell::only_zero), "only0");
  EXPECT_EQ(effects::to_string(effects::smd_correction::hedges_approx), "approx");
}

TEST(OptionNames, ModelSettings) {
  expect_all_cases(models::parse_ci_method, "z", models::ci_method::z);
  expect_all_cases(models::parse_ci_method, "t", models::ci_method::t);
  expect_all_cases(models::parse_ci_method, "hk", models::ci_method::hk);
  expect_all_cases(models::parse_ci_method, "knha", models::ci_method::hk);
  expect_all_cases(models::parse_ci_method, "adhoc", models::ci_method::adhoc);
  expect_all_cases(models::parse_pi_method, "z", models::pi_method::z);
  expect_all_cases(models::parse_pi_method, "t_k1", models::pi_method::t_k1);
  expect_all_cases(models::parse_pi_method, "t_k2", models::pi_method::t_k2);
  expect_all_cases(models::parse_convention, "metafor", models::convention::metafor);
  expect_all_cases(models::parse_convention, "stata", models::convention::stata);
  for (const char* m : {"EE", "DL", "REML", "ML", "PM", "HE", "SJ", "HS", "EB", "MH", "PETO"}) {
    const auto want = models::parse_method(m);
    ASSERT_TRUE(want) << m;
    expect_all_cases(models::parse_method, m, *want);
  }
  EXPECT_FALSE(models::parse_ci_method("f"));
  EXPECT_FALSE(models::parse_ci_method("t_k1"));
  EXPECT_FALSE(models::parse_pi_method("t"));
}

TEST(OptionNames, OutputAnalysisBatchAndReviewSettings) {
  expect_all_cases(report::parse_output_format, "text", report::output_format::text);
  expect_all_cases(report::parse_output_format, "json", report::output_format::json);
  expect_all_cases(report::parse_output_format, "csv", report::output_format::csv);
  expect_all_cases(analyses::parse_trimfill_estimator, "L0", analyses::trimfill_estimator::L0);
  expect_all_cases(analyses::parse_trimfill_estimator, "R0", analyses::trimfill_estimator::R0);
  expect_all_cases(analyses::parse_trimfill_side, "auto", analyses::trimfill_side::automatic);
  expect_all_cases(analyses::parse_trimfill_side, "left", analyses::trimfill_side::left);
  expect_all_cases(analyses::parse_trimfill_side, "right", analyses::trimfill_side::right);
  expect_all_cases(batch::parse_gwas_scheme, "stderr", batch::gwas_scheme::stderr_ivw);
  expect_all_cases(batch::parse_gwas_scheme, "samplesize", batch::gwas_scheme::samplesize);
  expect_all_cases(batch::parse_merge_mode, "auto", batch::merge_mode::automatic);
  expect_all_cases(batch::parse_merge_mode, "stream", batch::merge_mode::stream);
  expect_all_cases(batch::parse_merge_mode, "hash", batch::merge_mode::hash);
  expect_all_cases(batch::parse_variance_distribution, "uniform", batch::variance_distribution::uniform);
  expect_all_cases(batch::parse_variance_distribution, "loguniform", batch::variance_distribution::log_uniform);
  expect_all_cases(batch::parse_delimited_format, "csv", ',');
  expect_all_cases(batch::parse_delimited_format, "tsv", '\t');
  expect_all_cases(review::parse_records_format, "json", review::records_format::json);
  expect_all_cases(review::parse_records_format, "csv", review::records_format::csv);
  expect_all_cases(review::parse_records_format, "ris", review::records_format::ris);
  expect_all_cases(review::parse_screening_stage, "title-abstract", review::screening_stage::title_abstract);
  expect_all_cases(review::parse_screening_stage, "full-text", review::screening_stage::full_text);
  expect_all_cases(review::parse_dialect, "pubmed", review::query_dialect::pubmed);
  EXPECT_FALSE(report::parse_output_format("xml"));
  EXPECT_FALSE(batch::parse_delimited_format("txt"));
}

}  // namespace
