#include "extract.hpp"

#include <CLI/CLI.hpp>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/report/output_format.hpp"
#include "metasift/review/extraction.hpp"
#include "metasift/review/review_file.hpp"
#include "metasift/review/screen.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("extract", setup_extract);

}  // namespace

void setup_extract(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("extract", "Data extraction: check the extraction files against the codebook");
  sub->require_subcommand(1);
  auto opt = std::make_shared<extract_check_options>();
  CLI::App* check = sub->add_subcommand(
      "check", "Validate every cell against the codebook; list discrepancies between extractors and missing rows");
  check->add_option("review", opt->review, "The review file (TOML) with an [extraction] table")
      ->required()
      ->check(CLI::ExistingFile);
  check->add_option("--format", opt->format, "Output format: text or json")
      ->transform(CLI::IsMember({"text", "json"}, CLI::ignore_case));
  check->add_option("--out,-o", opt->out, "Write the report to this file instead of stdout");
  check->add_option("--threads", opt->threads, "Deduplication threads (0 = all cores)")->check(CLI::Range(0U, 256U));
  check->add_flag("--allow-outside", opt->allow_outside, "Accept file paths outside the review folder");
  check->callback([opt]() { run_extract_check(*opt); });
}

void run_extract_check(const extract_check_options& opt) {
  const auto format = report::parse_output_format(opt.format);
  if (!format || *format == report::output_format::csv) {
    fail_usage("--format", "expected text or json, got '" + opt.format + "'");
  }
  const bool json = *format == report::output_format::json;
  const std::string text = io::read_file(opt.review);
  const review::review_spec spec = review::parse_review_file(text, opt.review, opt.allow_outside);
  const auto ex = review::parse_extraction(text, opt.review, opt.allow_outside);
  if (!ex) {
    fail_input(source_position{opt.review, 0, 0}, "",
               "the review file has no [extraction] table: add the codebook ([[extraction.fields]]) and the "
               "extraction files (extractors = {...} or file = \"...\")");
  }
  // A bad criterion on an extracted field is an error at its review.toml line, before the screening.
  review::validate_field_criteria(spec.field_criteria, &*ex);
  review::screen_options so;
  so.dedup.threads = opt.threads;
  const review::screen_result sr = review::run_screening(spec, so);
  const std::vector<review::record_ref> records = review::record_refs(sr);
  review::extracted_values v = review::resolve_extraction(*ex, records);
  review::extraction_check& c = v.check;
  c.criteria = review::check_field_criteria(spec.field_criteria, *ex, v);
  emit(opt.out, json ? review::format_extraction_json(c) : review::format_extraction_text(c, *ex));
  if (!c.errors.empty()) {
    fail_input(source_position{opt.review, 0, 0}, "",
               "the extraction files have " + std::to_string(c.errors.size()) + " invalid cell" +
                   (c.errors.size() == 1 ? "" : "s") + " (listed above)");
  }
}

}  // namespace metasift::cli
