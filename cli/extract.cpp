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

std::string status_phrase(review::final_status s) {
  switch (s) {
    case review::final_status::duplicate: return "removed as a duplicate";
    case review::final_status::excluded_automatic: return "excluded by the search or a criterion";
    case review::final_status::awaiting_title_abstract: return "still awaiting title-abstract screening";
    case review::final_status::awaiting_title_abstract_second_reviewer:
      return "still awaiting the second reviewer's title-abstract decision";
    case review::final_status::awaiting_title_abstract_adjudication:
      return "still awaiting adjudication of a title-abstract conflict";
    case review::final_status::excluded_title_abstract: return "excluded at title-abstract screening";
    case review::final_status::not_retrieved: return "not retrieved";
    case review::final_status::excluded_full_text: return "excluded at full text";
    case review::final_status::awaiting_full_text: return "still awaiting full-text assessment";
    case review::final_status::awaiting_full_text_second_reviewer:
      return "still awaiting the second reviewer's full-text decision";
    case review::final_status::awaiting_full_text_adjudication:
      return "still awaiting adjudication of a full-text conflict";
    case review::final_status::included: return "included";
  }
  return "?";
}
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
  review::screen_options so;
  so.dedup.threads = opt.threads;
  const review::screen_result sr = review::run_screening(spec, so);
  std::vector<review::record_ref> records;
  records.reserve(sr.records.size());
  for (std::size_t i = 0; i < sr.records.size(); ++i) {
    std::size_t k = i;
    if (sr.audit[k].dedup == review::dedup_status::duplicate) k = sr.audit[k].duplicate_of;
    review::record_ref r;
    r.key = sr.audit[k].key;
    r.id = sr.records[i].id;
    r.doi = sr.records[i].doi;
    r.title = sr.records[k].title.size() > 80 ? sr.records[k].title.substr(0, 77) + "..." : sr.records[k].title;
    r.included = sr.audit[k].status == review::final_status::included;
    r.status = status_phrase(sr.audit[k].status);
    records.push_back(std::move(r));
    // The duplicate's own key names the same record.
    if (k != i) {
      review::record_ref alias = records.back();
      alias.id = sr.audit[i].key;
      records.push_back(std::move(alias));
    }
  }
  const review::extraction_check c = review::check_extraction(*ex, records);
  emit(opt.out, json ? review::format_extraction_json(c) : review::format_extraction_text(c, *ex));
  if (!c.errors.empty()) {
    fail_input(source_position{opt.review, 0, 0}, "",
               "the extraction files have " + std::to_string(c.errors.size()) + " invalid cell" +
                   (c.errors.size() == 1 ? "" : "s") + " (listed above)");
  }
}

}  // namespace metasift::cli
