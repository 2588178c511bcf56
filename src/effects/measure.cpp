#include "metasift/effects/measure.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace metasift::effects {
namespace {

constexpr std::array<measure, 21> k_all_measures = {
    measure::MD,  measure::SMD,  measure::ROM,  measure::OR,  measure::RR,  measure::RD,  measure::PETO,
    measure::COR, measure::ZCOR, measure::PR,   measure::PLO, measure::PAS, measure::PFT, measure::IRR,
    measure::IRD, measure::SMCC, measure::SMCR, measure::MN,  measure::CVR, measure::VR,  measure::GEN,
};

constexpr char ascii_upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

/// Freeman-Tukey transform of a proportion p at sample size n, as metafor's transf.pft.
double freeman_tukey(double p, double n) {
  const double x = p * n;
  return 0.5 * (std::asin(std::sqrt(x / (n + 1.0))) + std::asin(std::sqrt((x + 1.0) / (n + 1.0))));
}

/// Logistic function without overflow for large |x| (metafor's transf.ilogit is plogis).
double inverse_logit(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

}  // namespace

std::string_view to_string(measure m) noexcept {
  switch (m) {
    case measure::MD: return "MD";
    case measure::SMD: return "SMD";
    case measure::ROM: return "ROM";
    case measure::OR: return "OR";
    case measure::RR: return "RR";
    case measure::RD: return "RD";
    case measure::PETO: return "PETO";
    case measure::COR: return "COR";
    case measure::ZCOR: return "ZCOR";
    case measure::PR: return "PR";
    case measure::PLO: return "PLO";
    case measure::PAS: return "PAS";
    case measure::PFT: return "PFT";
    case measure::IRR: return "IRR";
    case measure::IRD: return "IRD";
    case measure::SMCC: return "SMCC";
    case measure::SMCR: return "SMCR";
    case measure::MN: return "MN";
    case measure::CVR: return "CVR";
    case measure::VR: return "VR";
    case measure::GEN: return "GEN";
  }
  return "unknown";
}

std::optional<measure> parse_measure(std::string_view name) noexcept {
  for (measure m : k_all_measures) {
    if (equal_ignoring_case(name, to_string(m))) return m;
  }
  return std::nullopt;
}

std::span<const measure> all_measures() noexcept {
  return k_all_measures;
}

std::vector<std::string> required_columns(measure m) {
  switch (m) {
    case measure::MD:
    case measure::SMD:
    case measure::ROM: return {"n1", "mean1", "sd1", "n2", "mean2", "sd2"};
    case measure::OR:
    case measure::RR:
    case measure::RD:
    case measure::PETO: return {"events1", "n1", "events2", "n2"};
    case measure::COR:
    case measure::ZCOR: return {"r", "n"};
    case measure::PR:
    case measure::PLO:
    case measure::PAS:
    case measure::PFT: return {"events", "n"};
    case measure::IRR:
    case measure::IRD: return {"events1", "time1", "events2", "time2"};
    case measure::SMCC: return {"n", "mean1", "sd1", "mean2", "sd2", "r"};
    case measure::SMCR: return {"n", "mean1", "sd1", "mean2", "r"};
    case measure::MN: return {"n", "mean", "sd"};
    case measure::CVR: return {"n1", "mean1", "sd1", "n2", "mean2", "sd2"};
    case measure::VR: return {"n1", "sd1", "n2", "sd2"};
    case measure::GEN: return {"yi"};
  }
  return {};
}

display_scale display_scale_of(measure m) noexcept {
  switch (m) {
    case measure::OR:
    case measure::RR:
    case measure::PETO:
    case measure::ROM:
    case measure::CVR:
    case measure::VR:
    case measure::IRR: return display_scale::exp;
    case measure::ZCOR: return display_scale::tanh;
    case measure::PLO: return display_scale::inv_logit;
    case measure::PAS: return display_scale::inv_arcsine;
    case measure::PFT: return display_scale::inv_ft;
    case measure::MD:
    case measure::SMD:
    case measure::RD:
    case measure::COR:
    case measure::PR:
    case measure::IRD:
    case measure::SMCC:
    case measure::SMCR:
    case measure::MN:
    case measure::GEN: return display_scale::identity;
  }
  return display_scale::identity;
}

// Each branch follows the metafor 3.8 transf.* function named in its comment. NaN stays NaN.
double back_transform(measure m, double x, double harmonic_n) {
  switch (display_scale_of(m)) {
    case display_scale::identity: return x;
    case display_scale::exp: return std::exp(x);             // transf.exp.int with tau2 = 0, i.e. exp
    case display_scale::tanh: return std::tanh(x);           // transf.ztor
    case display_scale::inv_logit: return inverse_logit(x);  // transf.ilogit (plogis)
    case display_scale::inv_arcsine: {                       // transf.iarcsin: sin(x)^2, clamped to [0, 1]
      if (x < 0) return 0.0;
      if (x > std::numbers::pi / 2) return 1.0;
      return std::sin(x) * std::sin(x);
    }
    case display_scale::inv_ft: {
      // transf.ipft.hm: Miller (1978) inverse of the Freeman-Tukey double arcsine at the harmonic
      // mean n; values beyond the transforms of p = 0 and p = 1 at that n map to 0 and 1.
      if (std::isnan(x)) return x;
      if (!(harmonic_n > 0) || !std::isfinite(harmonic_n)) {
        throw std::invalid_argument("back_transform(PFT): harmonic_n must be a positive number");
      }
      if (x > freeman_tukey(1.0, harmonic_n)) return 1.0;
      if (x < freeman_tukey(0.0, harmonic_n)) return 0.0;
      const double s = std::sin(2.0 * x);
      const double c = std::cos(2.0 * x);
      const double sign_c = c > 0 ? 1.0 : (c < 0 ? -1.0 : 0.0);
      const double inner = s + (s - 1.0 / s) / harmonic_n;
      return 0.5 * (1.0 - sign_c * std::sqrt(1.0 - inner * inner));
    }
  }
  return x;
}

std::string_view display_name(measure m) noexcept {
  switch (m) {
    case measure::MD: return "Mean diff.";
    case measure::SMD: return "Hedges's g";
    case measure::ROM: return "Ratio of means";
    case measure::OR: return "Odds ratio";
    case measure::RR: return "Risk ratio";
    case measure::RD: return "Risk diff.";
    case measure::PETO: return "Peto OR";
    case measure::COR:
    case measure::ZCOR: return "Correlation";
    case measure::PR:
    case measure::PLO:
    case measure::PAS:
    case measure::PFT: return "Proportion";
    case measure::IRR: return "IRR";
    case measure::IRD: return "IR diff.";
    case measure::SMCC:
    case measure::SMCR: return "Std. mean change";
    case measure::MN: return "Mean";
    case measure::CVR: return "CV ratio";
    case measure::VR: return "SD ratio";
    case measure::GEN: return "Effect";
  }
  return "Effect";
}

}  // namespace metasift::effects
