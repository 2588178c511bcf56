#include "screen.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/diagrams/prisma.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/review/audit.hpp"
#include "metasift/review/prisma.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("screen", setup_screen);
}  // namespace

void setup_screen(CLI::App& app) {
  auto opt = std::make_shared<screen_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "screen",
      "Run a review file: import, deduplicate, search, criteria, human decisions -> PRISMA 2020 and audit trail");
  sub->add_option("review", opt->review, "The review file (TOML)")->required()->check(CLI::ExistingFile);
  sub->add_option("--audit", opt->audit, "Write the audit trail: one CSV row per input record with its whole path");
  sub->add_option("--prisma-json", opt->prisma_json,
                  "Write the PRISMA 2020 counts (PRISMA2020 R package keys) as JSON");
  sub->add_option("--prisma", opt->prisma, "Write the PRISMA 2020 flow diagram (.svg, .pdf or .png)");
  sub->add_option("--threads", opt->threads, "Deduplication threads (0 = all cores)")->check(CLI::Range(0U, 256U));
  sub->add_flag("--quiet,-q", opt->quiet, "Do not print warnings and query diagnostics on stderr");
  sub->callback([opt]() { run_screen(*opt); });
}

void run_screen(const screen_cli_options& opt) {
  if (!opt.prisma.empty()) {  // a wrong extension fails before any work is done
    std::string ext = std::filesystem::path(opt.prisma).extension().string();
    for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    if (ext != ".svg" && ext != ".pdf" && ext != ".png") {
      fail_usage("--prisma", "the diagram file must end in .svg, .pdf or .png, got '" + opt.prisma + "'");
    }
  }
  io::check_paths({{"review", opt.review}},
                  {{"--audit", opt.audit}, {"--prisma-json", opt.prisma_json}, {"--prisma", opt.prisma}});
  const review::review_spec spec = review::load_review_file(opt.review);
  review::screen_options so;
  so.dedup.threads = opt.threads;
  const review::screen_result res = review::run_screening(spec, so);
  if (!opt.audit.empty()) io::write_file_atomic(opt.audit, review::format_audit_csv(spec, res));
  if (!opt.prisma_json.empty()) io::write_file_atomic(opt.prisma_json, review::format_prisma_json(res.prisma));
  if (!opt.prisma.empty()) diagrams::write_prisma_diagram(res.prisma, opt.prisma);
  if (!opt.quiet) {
    for (const auto& d : res.query_diagnostics) print_note(d);
    for (const auto& w : res.warnings) print_warning(w);
  }
  emit("", review::format_prisma_text(res.prisma));
}

}  // namespace metasift::cli
