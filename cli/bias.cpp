#include "bias.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/analyses/bias.hpp"
#include "metasift/report/analyses_report.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("bias", setup_bias);
}  // namespace

void setup_bias(CLI::App& app) {
  auto opt = std::make_shared<bias_options>();
  CLI::App* sub = app.add_subcommand(
      "bias",
      "Small-study effects / publication bias: Egger (classical and mixed-effects), Begg, fail-safe N, PET, PEESE");
  add_data_model_options(sub, opt->data);
  sub->add_option("--fsn-alpha", opt->fsn_alpha, "One-sided significance level for Rosenthal's fail-safe N")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--orwin-target", opt->orwin_target,
                  "Target effect for Orwin's fail-safe N (default: half the mean effect)");
  sub->callback([opt]() { run_bias(*opt); });
}

void run_bias(const bias_options& opt) {
  const prepared_data d = prepare(opt.data);
  analyses::bias_options bo;
  bo.fsn_alpha = opt.fsn_alpha;
  bo.orwin_target = opt.orwin_target;
  const analyses::bias_result r = analyses::small_study_tests(d.effects.yi, d.effects.vi, d.resolved.spec, bo);
  const report::output_format format = output_format(opt.data);
  emit(opt.data.out, format == report::output_format::json  ? report::format_json(r, d.context)
                     : format == report::output_format::csv ? report::format_csv(r, d.context)
                                                            : report::format_text(r, d.context));
}

}  // namespace metasift::cli
