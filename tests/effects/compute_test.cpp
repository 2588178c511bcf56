#include "metasift/effects/compute.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "support/tolerance.hpp"

// Expected values: printed by tests/effects/reference_values.R (metafor 3.8.1 escalc, R 4.2.2) with
// %.17g; NA there means metafor gives no estimate, and the study must be excluded here. Where
// metafor returns vi = 0 (it keeps the study, and an inverse-variance fit would divide by zero) we
// exclude the study too; those spots are marked "vi = 0 in metafor".

namespace metasift::effects {
namespace {

using test::closed_form;
constexpr double NA = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

using column_list = std::vector<std::pair<std::string, std::vector<double>>>;

/// raw_data whose column j (in the order given) has its row-i cell at data.csv:<i + 2>:<1 + 10 j>.
raw_data make_data(const column_list& cols) {
  raw_data d;
  std::size_t j = 0;
  for (const auto& [name, values] : cols) {
    column c;
    c.name = name;
    c.values = values;
    for (std::size_t i = 0; i < values.size(); ++i) c.where.push_back({"data.csv", i + 2, 1 + 10 * j});
    d.columns.emplace(name, std::move(c));
    ++j;
  }
  return d;
}

/// The user's spelling of a canonical column (as after --col remapping).
raw_data& rename(raw_data& d, const std::string& canonical, const std::string& user_name) {
  d.columns.at(canonical).name = user_name;
  return d;
}

/// yi/vi hold one expected value per input row, NaN for a row that must be excluded.
void expect_rows(const effect_table& t, const std::vector<double>& yi, const std::vector<double>& vi) {
  std::vector<std::size_t> kept, dropped;
  for (std::size_t i = 0; i < yi.size(); ++i) (std::isnan(yi[i]) || std::isnan(vi[i]) ? dropped : kept).push_back(i);
  EXPECT_EQ(t.source_row, kept);
  std::vector<std::size_t> excluded;
  for (const auto& e : t.excluded) excluded.push_back(e.index);
  EXPECT_EQ(excluded, dropped);
  EXPECT_EQ(t.notes.items.size(), dropped.size());
  ASSERT_EQ(t.yi.size(), t.source_row.size());
  ASSERT_EQ(t.vi.size(), t.source_row.size());
  ASSERT_EQ(t.labels.size(), t.source_row.size());
  ASSERT_EQ(t.corrected.size(), t.source_row.size());
  for (std::size_t j = 0; j < t.source_row.size(); ++j) {
    const std::size_t row = t.source_row[j];
    SCOPED_TRACE("row " + std::to_string(row));
    EXPECT_WITHIN(t.yi[j], yi[row], closed_form);
    EXPECT_WITHIN(t.vi[j], vi[row], closed_form);
  }
}

/// The message of the input_error that f throws ("" when it throws none).
std::string input_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const input_error& e) {
    return e.what();
  }
  return "";
}

options with_zero(zero_cell z, double add = 0.5, bool drop = false) {
  options o;
  o.zero = z;
  o.add = add;
  o.drop_double_zero = drop;
  return o;
}

// ---------------------------------------------------------------- continuous outcomes
const column_list k_continuous = {
    {"n1", {20, 15, 40}}, {"mean1", {5.2, 3.0, 10.5}}, {"sd1", {1.1, 0.9, 2.5}},
    {"n2", {22, 14, 38}}, {"mean2", {4.6, 3.4, 9.0}},  {"sd2", {1.3, 1.0, 0}},
};

TEST(ComputeMD, SeparateVariancesAsMetaforLS) {
  const auto t = compute(measure::MD, make_data(k_continuous));
  expect_rows(t, {0.60000000000000053, -0.39999999999999991, 1.5}, {0.13731818181818184, 0.12542857142857144, 0.15625});
  EXPECT_EQ(t.m, measure::MD);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"Study 1", "Study 2", "Study 3"}));
  EXPECT_EQ(t.ni, (std::vector<double>{42, 29, 78}));
  EXPECT_FALSE(t.counts.has_value());
  EXPECT_TRUE(t.notes.empty());
}

TEST(ComputeMD, PooledVarianceAsMetaforHO) {
  options o;
  o.md_var = md_variance::pooled;
  const auto t = compute(measure::MD, make_data(k_continuous), o);
  expect_rows(t, {0.60000000000000053, -0.39999999999999991, 1.5},
              {0.13955454545454546, 0.12449029982363315, 0.16458189058171743});
  EXPECT_EQ(t.used.md_var, md_variance::pooled);
}

TEST(ComputeSMD, HedgesExact) {
  const auto t = compute(measure::SMD, make_data(k_continuous));
  expect_rows(t, {0.48685119209700956, -0.40946001464501197, 0.8292814926133748},
              {0.098276260731286882, 0.14098588470891213, 0.055724172768498739});
}

TEST(ComputeSMD, HedgesApproximateFromPublishedFormula) {
  options o;
  o.smd = smd_correction::hedges_approx;
  const auto t = compute(measure::SMD, make_data(k_continuous), o);
  expect_rows(t, {0.48686105753915376, -0.4094785418272624, 0.82928606786389636},
              {0.098276375089642404, 0.14098614630587572, 0.055724221411845513});
}

TEST(ComputeSMD, CohensD) {
  options o;
  o.smd = smd_correction::none;
  const auto t = compute(measure::SMD, make_data(k_continuous), o);
  expect_rows(t, {0.49622377018413749, -0.42129042284151036, 0.83757892854253535},
              {0.09838595057473308, 0.14115533499830671, 0.055812830893802554});
}

TEST(ComputeSMD, GroupOfOneIsAnInputError) {
  // escalc("SMD", m1i=1, sd1i=1, n1i=1, m2i=0, sd2i=1, n2i=2) gives NA (J undefined for m <= 1), and
  // escalc("MD") with n1i = 1 gives a number from a meaningless SD. metasift refuses n < 2 in any
  // group that reports an SD, at the cell (docs/bad-input.md).
  for (const auto m : {measure::SMD, measure::MD, measure::ROM}) {
    const std::string msg = input_error_of([&] {
      (void)compute(
          m, make_data({{"n1", {1}}, {"mean1", {1}}, {"sd1", {1}}, {"n2", {2}}, {"mean2", {0.5}}, {"sd2", {1}}}));
    });
    EXPECT_NE(msg.find("column 'n1': must be at least 2, got 1"), std::string::npos) << msg;
  }
}

TEST(ComputeSMD, ZeroPooledStandardDeviationIsExcluded) {
  const auto t =
      compute(measure::SMD,
              make_data({{"n1", {10}}, {"mean1", {1}}, {"sd1", {0}}, {"n2", {10}}, {"mean2", {0}}, {"sd2", {0}}}));
  expect_rows(t, {NA}, {NA});
  EXPECT_EQ(t.excluded[0].reason,
            "the pooled standard deviation is 0, so the standardised mean difference is undefined");
}

TEST(ComputeROM, LogRatioOfMeans) {
  const auto t = compute(measure::ROM, make_data(k_continuous));
  expect_rows(t, {0.12260232209233247, -0.12516314295400605, 0.15415067982725836},
              {0.0058677748926949172, 0.012178942165101337, 0.0014172335600907029});
}

// ---------------------------------------------------------------- 2x2 tables
// Rows: a zero cell, two ordinary studies, no events in either arm, all events in both arms.
const column_list k_binary = {
    {"events1", {0, 3, 10, 0, 12}},
    {"n1", {20, 20, 50, 15, 12}},
    {"events2", {2, 5, 12, 0, 10}},
    {"n2", {20, 20, 50, 15, 10}},
};

struct binary_case {
  measure m;
  options opt;
  std::vector<double> yi, vi;
  const char* r_call;
};

TEST(ComputeBinary, EveryMeasureAndZeroCellOptionMatchesMetafor) {
  const options only0 = with_zero(zero_cell::only_zero);
  const options all = with_zero(zero_cell::all);
  const options none = with_zero(zero_cell::none);
  const options drop = with_zero(zero_cell::only_zero, 0.5, true);
  const options quarter = with_zero(zero_cell::only_zero, 0.25);
  const std::vector<binary_case> cases = {
      {measure::OR,
       only0,
       {-1.7120920664941841, -0.6359887667199966, -0.23361485118150505, 0, 0.17435338714477755},
       {2.5028345418589319, 0.6588235294117647, 0.23464912280701752, 4.129032258064516, 4.175238095238095},
       "OR only0"},
      {measure::OR,
       all,
       {-1.7120920664941841, -0.5733459807473249, -0.22499711996353278, 0, 0.17435338714477755},
       {2.5028345418589319, 0.58919145370758264, 0.22590347923681259, 4.129032258064516, 4.175238095238095},
       "OR all"},
      {measure::OR,
       none,
       {NA, -0.6359887667199966, -0.23361485118150505, NA, NA},
       {NA, 0.6588235294117647, 0.23464912280701752, NA, NA},
       "OR none"},
      {measure::OR,
       drop,
       {-1.7120920664941841, -0.6359887667199966, -0.23361485118150505, NA, NA},
       {2.5028345418589319, 0.6588235294117647, 0.23464912280701752, NA, NA},
       "OR only0 drop00"},
      {measure::OR,
       quarter,
       {-2.3012142908602664, -0.6359887667199966, -0.23361485118150505, 0, 0.17824823140631896},
       {4.548621681041773, 0.6588235294117647, 0.23464912280701752, 8.1311475409836049, 8.1791936286709799},
       "OR add 0.25"},
      {measure::RR,
       only0,
       {-1.6094379124341005, -0.51082562376599072, -0.18232155679395445, 0, 0.0072993024816115498},
       {2.304761904761905, 0.43333333333333335, 0.14333333333333334, 3.875, 0.0074059274059273955},
       "RR only0"},
      {measure::RR,
       all,
       {-1.6094379124341005, -0.45198512374305722, -0.17435338714477777, 0, 0.0072993024816115498},
       {2.304761904761905, 0.37229437229437229, 0.13602240896358542, 3.875, 0.0074059274059273955},
       "RR all"},
      {measure::RR,
       none,  // row 5: yi = 0, vi = 0 in metafor
       {NA, -0.51082562376599072, -0.18232155679395445, NA, NA},
       {NA, 0.43333333333333335, 0.14333333333333334, NA, NA},
       "RR none"},
      {measure::RR,
       drop,
       {-1.6094379124341005, -0.51082562376599072, -0.18232155679395445, NA, NA},
       {2.304761904761905, 0.43333333333333335, 0.14333333333333334, NA, NA},
       "RR only0 drop00"},
      {measure::RR,
       quarter,
       {-2.1972245773362196, -0.51082562376599072, -0.18232155679395445, 0, 0.0038948442615410646},
       {4.3468834688346885, 0.43333333333333335, 0.14333333333333334, 7.870967741935484, 0.0039555334328853498},
       "RR add 0.25"},
      {measure::RD,
       only0,
       {-0.095238095238095233, -0.10000000000000001, -0.03999999999999998, 0, 0.0069930069930069783},
       {0.0061008530396285494, 0.01575, 0.0068480000000000008, 0.0037841796875, 0.0067891910524802059},
       "RD only0"},
      {measure::RD,
       all,
       {-0.095238095238095233, -0.095238095238095261, -0.039215686274509803, 0, 0.0069930069930069783},
       {0.0061008530396285494, 0.015819026023107658, 0.0068337215701351674, 0.0037841796875, 0.0067891910524802059},
       "RD all"},
      {measure::RD,
       none,  // rows 4 and 5: yi = 0, vi = 0 in metafor
       {-0.10000000000000001, -0.10000000000000001, -0.03999999999999998, NA, NA},
       {0.0045000000000000005, 0.01575, 0.0068480000000000008, NA, NA},
       "RD none"},
      {measure::RD,
       drop,
       {-0.095238095238095233, -0.10000000000000001, -0.03999999999999998, NA, NA},
       {0.0061008530396285494, 0.01575, 0.0068480000000000008, NA, NA},
       "RD only0 drop00"},
      {measure::RD,
       quarter,
       {-0.097560975609756101, -0.10000000000000001, -0.03999999999999998, 0, 0.0038095238095238182},
       {0.005353955978584176, 0.01575, 0.0068480000000000008, 0.0020475982679332683, 0.0037815838462369111},
       "RD add 0.25"},
      {measure::PETO,
       only0,
       {-1.4017094017094018, -0.609375, -0.23076923076923078, 0, 0.16783216783216545},
       {1.4017094017094018, 0.609375, 0.23076923076923078, 4, 4.0279720279720284},
       "PETO only0"},
      {measure::PETO,
       all,
       {-1.4017094017094018, -0.55218855218855212, -0.22234452394056137, 0, 0.16783216783216545},
       {1.4017094017094018, 0.55218855218855212, 0.22234452394056137, 4, 4.0279720279720284},
       "PETO all"},
      {measure::PETO,
       none,
       {-2.0526315789473686, -0.609375, -0.23076923076923078, NA, NA},
       {2.0526315789473686, 0.609375, 0.23076923076923078, NA, NA},
       "PETO none"},
      {measure::PETO,
       drop,
       {-1.4017094017094018, -0.609375, -0.23076923076923078, NA, NA},
       {1.4017094017094018, 0.609375, 0.23076923076923078, NA, NA},
       "PETO only0 drop00"},
      {measure::PETO,
       quarter,
       {-1.6623376623376624, -0.609375, -0.23076923076923078, 0, 0.1713439153439196},
       {1.6623376623376624, 0.609375, 0.23076923076923078, 7.8688524590163942, 7.8818201058201058},
       "PETO add 0.25"},
  };
  const raw_data data = make_data(k_binary);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.r_call);
    const auto t = compute(c.m, data, c.opt);
    expect_rows(t, c.yi, c.vi);
    ASSERT_TRUE(t.counts.has_value());
    EXPECT_EQ(t.counts->a.size(), t.yi.size());
  }
}

TEST(ComputeBinary, CountsStayUncorrectedAndCorrectedFlagsFollowTheOption) {
  const raw_data data = make_data(k_binary);
  const auto only0 = compute(measure::OR, data);
  ASSERT_TRUE(only0.counts.has_value());
  EXPECT_EQ(only0.counts->a, (std::vector<double>{0, 3, 10, 0, 12}));
  EXPECT_EQ(only0.counts->b, (std::vector<double>{20, 17, 40, 15, 0}));
  EXPECT_EQ(only0.counts->c, (std::vector<double>{2, 5, 12, 0, 10}));
  EXPECT_EQ(only0.counts->d, (std::vector<double>{18, 15, 38, 15, 0}));
  EXPECT_EQ(only0.corrected, (std::vector<bool>{true, false, false, true, true}));
  EXPECT_EQ(only0.ni, (std::vector<double>{40, 40, 100, 30, 22}));

  EXPECT_EQ(compute(measure::OR, data, with_zero(zero_cell::all)).corrected, std::vector<bool>(5, true));
  const auto none = compute(measure::RD, data, with_zero(zero_cell::none));
  EXPECT_EQ(none.corrected, std::vector<bool>(3, false));
  EXPECT_EQ(none.counts->a, (std::vector<double>{0, 3, 10}));
  EXPECT_EQ(none.counts->d, (std::vector<double>{18, 15, 38}));
  // add = 0 adds nothing, so nothing counts as corrected.
  EXPECT_EQ(compute(measure::OR, data, with_zero(zero_cell::all, 0.0)).corrected, std::vector<bool>(2, false));
}

TEST(ComputeBinary, ExclusionReasons) {
  const raw_data data = make_data(k_binary);
  const auto drop = compute(measure::OR, data, with_zero(zero_cell::only_zero, 0.5, true));
  ASSERT_EQ(drop.excluded.size(), 2u);
  EXPECT_EQ(drop.excluded[0].reason, "double-zero study dropped (--drop-double-zero)");
  EXPECT_EQ(drop.excluded[1].reason, "double-zero study (all events in both groups) dropped (--drop-double-zero)");
  EXPECT_EQ(drop.notes.items[0], "study 'Study 4' excluded: double-zero study dropped (--drop-double-zero)");

  const auto none = compute(measure::OR, data, with_zero(zero_cell::none));
  ASSERT_EQ(none.excluded.size(), 3u);
  EXPECT_EQ(none.excluded[0].reason,
            "a zero cell without continuity correction makes the effect size or its variance infinite or undefined");
  const auto rd = compute(measure::RD, data, with_zero(zero_cell::none));
  ASSERT_EQ(rd.excluded.size(), 2u);
  EXPECT_EQ(rd.excluded[0].reason, "a zero cell without continuity correction gives a sampling variance of 0");
}

TEST(ComputeBinary, BcgAronsonRiskRatio) {
  // Reference notes section 4.1: dat.bcg row 1 (tpos 4, tneg 119, cpos 11, cneg 128).
  const auto t = compute(measure::RR, make_data({{"events1", {4}}, {"n1", {123}}, {"events2", {11}}, {"n2", {139}}}));
  expect_rows(t, {-0.88931133392020545}, {0.32558476500396133});
}

// ---------------------------------------------------------------- correlations
const column_list k_correlation = {{"r", {0.3, -0.45, 0.9, 0.2}}, {"n", {50, 20, 10, 3}}};

TEST(ComputeCorrelation, RawCorrelation) {
  // metafor sets vi to NA for ni <= 3 (row 4).
  const auto t = compute(measure::COR, make_data(k_correlation));
  expect_rows(t, {0.29999999999999999, -0.45000000000000001, 0.90000000000000002, NA},
              {0.016900000000000002, 0.033474013157894736, 0.0040111111111111085, NA});
  EXPECT_EQ(t.excluded[0].reason, "the sampling variance needs n > 3");
  EXPECT_EQ(t.ni, (std::vector<double>{50, 20, 10}));
}

TEST(ComputeCorrelation, FisherZ) {
  const auto t = compute(measure::ZCOR, make_data(k_correlation));
  expect_rows(t, {0.30951960420311181, -0.48470027859405168, 1.4722194895832204, NA},
              {0.021276595744680851, 0.058823529411764705, 0.14285714285714285, NA});
}

TEST(ComputeCorrelation, PerfectCorrelationIsExcluded) {
  const auto t = compute(measure::ZCOR, make_data({{"r", {1.0, 0.5}}, {"n", {20, 20}}}));
  ASSERT_EQ(t.excluded.size(), 1u);
  EXPECT_EQ(t.excluded[0].index, 0u);
  EXPECT_EQ(t.excluded[0].reason, "a correlation of 1 has no sampling error, so the study's weight would be infinite");
}

// ---------------------------------------------------------------- proportions
// Rows: no events, ordinary, all events, ordinary.
const column_list k_proportion = {{"events", {0, 3, 25, 7}}, {"n", {10, 25, 25, 40}}};

struct proportion_case {
  measure m;
  zero_cell z;
  std::vector<double> yi, vi;
  const char* r_call;
};

TEST(ComputeProportion, EveryMeasureAndZeroCellOptionMatchesMetafor) {
  using zc = zero_cell;
  const std::vector<proportion_case> cases = {
      {measure::PR,
       zc::only_zero,
       {0.045454545454545456, 0.12, 0.98076923076923073, 0.17499999999999999},
       {0.0039444027047332835, 0.0042240000000000003, 0.00072542102867546811, 0.0036093749999999993},
       "PR only0"},
      {measure::PR,
       zc::all,
       {0.045454545454545456, 0.13461538461538461, 0.98076923076923073, 0.18292682926829268},
       {0.0039444027047332835, 0.0044805416477014109, 0.00072542102867546811, 0.0036454781561497951},
       "PR all"},
      {measure::PR,
       zc::none,  // rows 1 and 3: vi = 0 in metafor
       {NA, 0.12, NA, 0.17499999999999999},
       {NA, 0.0042240000000000003, NA, 0.0036093749999999993},
       "PR none"},
      {measure::PLO,
       zc::only_zero,
       {-3.044522437723423, -1.9924301646902063, 3.9318256327243235, -1.550597412411167},
       {2.0952380952380953, 0.37878787878787878, 2.0392156862745097, 0.17316017316017315},
       "PLO only0"},
      {measure::PLO,
       zc::all,
       {-3.044522437723423, -1.8607523407150066, 3.9318256327243235, -1.4966424182887561},
       {2.0952380952380953, 0.33015873015873015, 2.0392156862745097, 0.16318407960199005},
       "PLO all"},
      {measure::PLO,
       zc::none,
       {NA, -1.9924301646902063, NA, -1.550597412411167},
       {NA, 0.37878787878787878, NA, 0.17316017316017315},
       "PLO none"},
  };
  const raw_data data = make_data(k_proportion);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.r_call);
    const auto t = compute(c.m, data, with_zero(c.z));
    expect_rows(t, c.yi, c.vi);
  }
  EXPECT_EQ(compute(measure::PLO, data).corrected, (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(compute(measure::PR, data).ni, (std::vector<double>{10, 25, 25, 40}));
}

TEST(ComputeProportion, ArcsineTransformsAreNeverCorrected) {
  // metafor's default add is 0 for PAS and PFT, so to = "only0" / "all" / "none" agree.
  const raw_data data = make_data(k_proportion);
  for (zero_cell z : {zero_cell::only_zero, zero_cell::all, zero_cell::none}) {
    const auto pas = compute(measure::PAS, data, with_zero(z));
    expect_rows(pas, {0, 0.35374160588967146, 1.5707963267948966, 0.43160594503477051},
                {0.025000000000000001, 0.01, 0.01, 0.0062500000000000003});
    EXPECT_EQ(pas.corrected, std::vector<bool>(4, false));
    const auto pft = compute(measure::PFT, data, with_zero(z));
    expect_rows(pft, {0.15313868458483473, 0.37481851412724509, 1.4720985468699563, 0.44174183418451174},
                {0.023809523809523808, 0.0098039215686274508, 0.0098039215686274508, 0.0061728395061728392});
  }
}

// ---------------------------------------------------------------- incidence rates
// Rows: ordinary, one zero count, zero counts in both arms.
const column_list k_incidence = {
    {"events1", {5, 0, 0}}, {"time1", {100.5, 50, 30}}, {"events2", {9, 3, 0}}, {"time2", {120, 60, 40}}};

TEST(ComputeIncidence, EveryMeasureAndZeroCellOptionMatchesMetafor) {
  const raw_data data = make_data(k_incidence);
  const options only0 = with_zero(zero_cell::only_zero);
  const options all = with_zero(zero_cell::all);
  const options none = with_zero(zero_cell::none);
  const options drop = with_zero(zero_cell::only_zero, 0.5, true);
  {
    SCOPED_TRACE("IRR only0");
    const auto t = compute(measure::IRR, data, only0);
    expect_rows(t, {-0.41045264961920314, -1.7635885922613581, 0.28768207245178079},
                {0.31111111111111112, 2.2857142857142856, 4});
    EXPECT_EQ(t.corrected, (std::vector<bool>{false, true, true}));
    EXPECT_TRUE(t.ni.empty());
    EXPECT_FALSE(t.counts.has_value());
  }
  {
    SCOPED_TRACE("IRR all");
    expect_rows(compute(measure::IRR, data, all), {-0.36920969108515411, -1.7635885922613581, 0.28768207245178079},
                {0.28708133971291866, 2.2857142857142856, 4});
  }
  {
    SCOPED_TRACE("IRR none");
    expect_rows(compute(measure::IRR, data, none), {-0.41045264961920314, NA, NA}, {0.31111111111111112, NA, NA});
  }
  {
    SCOPED_TRACE("IRR drop00");
    expect_rows(compute(measure::IRR, data, drop), {-0.41045264961920314, -1.7635885922613581, NA},
                {0.31111111111111112, 2.2857142857142856, NA});
  }
  {
    SCOPED_TRACE("IRD only0");
    expect_rows(compute(measure::IRD, data, only0),
                {-0.025248756218905467, -0.048333333333333332, 0.0041666666666666657},
                {0.0011200372515531793, 0.0011722222222222223, 0.00086805555555555551});
  }
  {
    SCOPED_TRACE("IRD all");
    expect_rows(compute(measure::IRD, data, all), {-0.024440298507462682, -0.048333333333333332, 0.0041666666666666657},
                {0.0012042631989307197, 0.0011722222222222223, 0.00086805555555555551});
  }
  {
    SCOPED_TRACE("IRD none");  // row 3: yi = 0, vi = 0 in metafor
    expect_rows(compute(measure::IRD, data, none), {-0.025248756218905467, -0.050000000000000003, NA},
                {0.0011200372515531793, 0.00083333333333333339, NA});
  }
  {
    SCOPED_TRACE("IRD drop00");
    expect_rows(compute(measure::IRD, data, drop), {-0.025248756218905467, -0.048333333333333332, NA},
                {0.0011200372515531793, 0.0011722222222222223, NA});
  }
}

// ---------------------------------------------------------------- generic
TEST(ComputeGeneric, VarianceStandardErrorOrConfidenceInterval) {
  expect_rows(compute(measure::GEN, make_data({{"yi", {0.3, 0.25}}, {"vi", {0.04, 0.01}}})), {0.3, 0.25}, {0.04, 0.01});
  // escalc("GEN", yi = c(0.3, 0.25), sei = c(0.2, 0.1))
  expect_rows(compute(measure::GEN, make_data({{"yi", {0.3, 0.25}}, {"sei", {0.2, 0.1}}})), {0.29999999999999999, 0.25},
              {0.040000000000000008, 0.010000000000000002});
  // ((ub - lb) / (2 * qnorm(0.975)))^2 and qnorm(0.95) for level 0.90
  const raw_data ci = make_data({{"yi", {0.3, 0.3}}, {"ci_lower", {-0.2, 0.1}}, {"ci_upper", {0.8, 0.5}}});
  expect_rows(compute(measure::GEN, ci), {0.3, 0.3}, {0.065079442906751453, 0.010412710865080234});
  options ninety;
  ninety.level = 0.90;
  expect_rows(compute(measure::GEN, ci, ninety), {0.3, 0.3}, {0.092402877367048858, 0.014784460378727816});
}

// ---------------------------------------------------------------- general behaviour
TEST(Compute, LabelsComeFromTheData) {
  raw_data d = make_data(k_correlation);
  d.labels = {"Ames 2001", "Bo 2003", "Cruz 2010", "Diaz 2012"};
  const auto t = compute(measure::COR, d);
  EXPECT_EQ(t.labels, (std::vector<std::string>{"Ames 2001", "Bo 2003", "Cruz 2010"}));
  EXPECT_EQ(t.notes.items, (std::vector<std::string>{"study 'Diaz 2012' excluded: the sampling variance needs n > 3"}));
}

TEST(Compute, MissingCellExcludesTheStudy) {
  column_list cols = k_continuous;
  cols[2].second[1] = NA;
  raw_data d = make_data(cols);
  rename(d, "sd1", "SD_treat");
  const auto t = compute(measure::MD, d);
  expect_rows(t, {0.60000000000000053, NA, 1.5}, {0.13731818181818184, NA, 0.15625});
  EXPECT_EQ(t.excluded[0].reason, "missing value in column 'SD_treat'");
  EXPECT_EQ(t.notes.items[0], "study 'Study 2' excluded: missing value in column 'SD_treat'");
}

TEST(Compute, NoStudiesGivesAnEmptyTable) {
  const auto t = compute(measure::OR, make_data({{"events1", {}}, {"n1", {}}, {"events2", {}}, {"n2", {}}}));
  EXPECT_TRUE(t.yi.empty());
  EXPECT_TRUE(t.excluded.empty());
  ASSERT_TRUE(t.counts.has_value());
  EXPECT_TRUE(t.counts->a.empty());
}

// ---------------------------------------------------------------- domain errors
TEST(ComputeErrors, ContinuousDomain) {
  column_list cols = k_continuous;
  cols[2].second[1] = -0.5;
  raw_data d = make_data(cols);
  rename(d, "sd1", "SD_treat");
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::MD, d); }),
            "data.csv:3:21: column 'SD_treat': must not be negative, got -0.5");

  cols = k_continuous;
  cols[0].second[0] = 0;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::SMD, make_data(cols)); }),
            "data.csv:2:1: column 'n1': must be positive, got 0");
  cols[0].second[0] = 12.5;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::SMD, make_data(cols)); }),
            "data.csv:2:1: column 'n1': must be a whole number, got 12.5");

  cols = k_continuous;
  cols[1].second[2] = inf;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::MD, make_data(cols)); }),
            "data.csv:4:11: column 'mean1': must be a finite number, got Inf");

  cols = k_continuous;
  cols[4].second[0] = -1;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::ROM, make_data(cols)); }),
            "data.csv:2:41: column 'mean2': must be positive, got -1");
  cols[4].second[0] = 0;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::ROM, make_data(cols)); }),
            "data.csv:2:41: column 'mean2': must be positive, got 0");
}

TEST(ComputeErrors, ZeroStandardDeviationsInBothGroups) {
  column_list cols = k_continuous;
  cols[2].second[2] = 0;  // sd2 of row 3 is 0 already
  const std::string expected =
      "data.csv:4:21: column 'sd1': sampling variance is 0 (no spread in either group), so the study's weight "
      "would be infinite";
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::MD, make_data(cols)); }), expected);
  options pooled;
  pooled.md_var = md_variance::pooled;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::MD, make_data(cols), pooled); }), expected);
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::ROM, make_data(cols)); }), expected);
}

TEST(ComputeErrors, CountDomain) {
  column_list cols = k_binary;
  cols[0].second[0] = 21;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::OR, make_data(cols)); }),
            "data.csv:2:1: column 'events1': must not exceed column 'n1' (20), got 21");
  cols = k_binary;
  cols[2].second[1] = -1;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::RR, make_data(cols)); }),
            "data.csv:3:21: column 'events2': must not be negative, got -1");
  cols[2].second[1] = 2.5;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::RD, make_data(cols)); }),
            "data.csv:3:21: column 'events2': must be a whole number, got 2.5");
  cols = k_binary;
  cols[3].second[4] = -10;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::PETO, make_data(cols)); }),
            "data.csv:6:31: column 'n2': must be positive, got -10");

  column_list prop = k_proportion;
  prop[0].second[3] = 41;
  raw_data d = make_data(prop);
  rename(d, "n", "Total");
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::PFT, d); }),
            "data.csv:5:1: column 'events': must not exceed column 'Total' (40), got 41");
}

TEST(ComputeErrors, CorrelationAndTimeDomain) {
  column_list cols = k_correlation;
  cols[0].second[1] = -1.2;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::COR, make_data(cols)); }),
            "data.csv:3:1: column 'r': must lie in [-1, 1], got -1.2");
  column_list rates = k_incidence;
  rates[1].second[2] = 0;
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::IRR, make_data(rates)); }),
            "data.csv:4:11: column 'time1': must be positive, got 0");
}

TEST(ComputeErrors, GenericDomain) {
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1, 0.2}}, {"vi", {0.01, 0}}}));
            }),
            "data.csv:3:11: column 'vi': must be positive, got 0");
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1, 0.2}}, {"sei", {-0.1, 0.2}}}));
            }),
            "data.csv:2:11: column 'sei': must be positive, got -0.1");
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1}}, {"ci_lower", {0.5}}, {"ci_upper", {0.5}}}));
            }),
            "data.csv:2:21: column 'ci_upper': must be greater than column 'ci_lower' (0.5), got 0.5");
}

TEST(ComputeErrors, MissingColumns) {
  raw_data d = make_data(k_continuous);
  d.columns.erase("sd1");
  try {
    (void)compute(measure::MD, d);
    FAIL() << "no input_error";
  } catch (const input_error& e) {
    EXPECT_EQ(e.detail(), "missing column 'sd1' required by measure MD");
    EXPECT_TRUE(e.where().file.empty());
  }
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1}}}));
            }),
            "<input>: missing column 'vi' required by measure GEN (or give 'sei', or 'ci_lower' and 'ci_upper')");
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1}}, {"ci_lower", {0.0}}}));
            }),
            "<input>: missing column 'ci_upper' required by measure GEN");
  EXPECT_EQ(input_error_of([&] {
              (void)compute(measure::GEN, make_data({{"yi", {0.1}}, {"vi", {0.01}}, {"sei", {0.1}}}));
            }),
            "<input>: measure GEN takes exactly one of 'vi', 'sei' or 'ci_lower' and 'ci_upper', got 'vi', 'sei'");
}

TEST(ComputeErrors, InconsistentShapes) {
  raw_data d = make_data(k_correlation);
  d.columns.at("n").values.pop_back();
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::COR, d); }),
            "<input>: column 'n' has 3 values but column 'r' has 4");
  d = make_data(k_correlation);
  d.labels = {"only one"};
  EXPECT_EQ(input_error_of([&] { (void)compute(measure::COR, d); }), "<input>: 1 study labels for 4 studies");
}

TEST(ComputeErrors, InvalidOptionsAreUsageErrors) {
  EXPECT_THROW((void)compute(measure::OR, make_data(k_binary), with_zero(zero_cell::only_zero, -0.5)), usage_error);
  try {
    (void)compute(measure::OR, make_data(k_binary), with_zero(zero_cell::all, -0.5));
  } catch (const usage_error& e) {
    EXPECT_STREQ(e.what(), "option '--add': must be a finite number >= 0, got -0.5");
  }
  options bad_level;
  bad_level.level = 95;
  const raw_data ci = make_data({{"yi", {0.3}}, {"ci_lower", {-0.2}}, {"ci_upper", {0.8}}});
  EXPECT_THROW((void)compute(measure::GEN, ci, bad_level), usage_error);
  // The level is only read for a CI, and add only by measures with a continuity correction.
  EXPECT_NO_THROW((void)compute(measure::GEN, make_data({{"yi", {0.3}}, {"vi", {0.1}}}), bad_level));
  EXPECT_NO_THROW((void)compute(measure::MD, make_data(k_continuous), with_zero(zero_cell::all, -0.5)));
}

}  // namespace
}  // namespace metasift::effects
