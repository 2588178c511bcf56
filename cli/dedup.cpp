#include "dedup.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/review/dedup.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/record_io.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("dedup", setup_dedup);
}  // namespace

void setup_dedup(CLI::App& app) {
  auto opt = std::make_shared<dedup_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "dedup",
      "Find duplicate records across database exports (blocking + Jaro-Winkler + rule table, zero false merges)");
  sub->add_option("files", opt->files, "Export files (any format metasift import reads)")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--decisions", opt->decisions,
                  "Write one row per input record: record,source_file,source_id,status,duplicate_of,score,rule")
      ->required();
  sub->add_option("--out,-o", opt->out, "Write the kept records (unique and maybe) to this file");
  sub->add_option("--format", opt->format, "Format of --out: json, csv or ris")
      ->transform(CLI::IsMember({"json", "csv", "ris"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--database", opt->database, "Database name for records whose export does not name one");
  sub->add_option("--threads", opt->threads, "Scoring threads (0 = all cores)")->check(CLI::Range(0U, 256U));
  sub->add_flag("--quiet,-q", opt->quiet, "Do not print the summary and import warnings on stderr");
  sub->callback([opt]() { run_dedup(*opt); });
}

void run_dedup(const dedup_cli_options& opt) {
  const auto format = review::parse_records_format(opt.format);
  if (!format) fail_usage("--format", "expected json, csv or ris, got '" + opt.format + "'");
  review::import_options io;
  io.database = opt.database;
  std::vector<io::named_path> inputs;
  for (const std::string& f : opt.files) inputs.push_back({"input", f});
  io::check_paths(inputs, {{"--decisions", opt.decisions}, {"--out", opt.out}});
  std::vector<review::import_result> results;
  std::vector<review::record> all;
  for (const std::string& f : opt.files) {
    results.push_back(review::import_file(f, io));
    all.insert(all.end(), results.back().records.begin(), results.back().records.end());
  }
  review::dedup_options dopt;
  dopt.threads = opt.threads;
  const review::dedup_result res = review::deduplicate(all, dopt);
  io::write_file_atomic(opt.decisions, review::format_decisions_csv(all, res));

  if (!opt.out.empty()) {
    std::string text;
    if (*format == review::records_format::json) {
      std::vector<review::import_result> kept = results;  // per file, only the kept records
      std::size_t i = 0;
      for (auto& r : kept) {
        std::vector<review::record> keep;
        for (auto& rec : r.records) {
          if (res.decisions[i++].status != review::dedup_status::duplicate) keep.push_back(std::move(rec));
        }
        r.records = std::move(keep);
      }
      text = review::format_import_json(kept);
    } else {
      std::vector<review::record> keep;
      for (const std::size_t k : res.kept) keep.push_back(all[k]);
      text =
          *format == review::records_format::csv ? review::format_records_csv(keep) : review::format_records_ris(keep);
    }
    emit(opt.out, text);
  }
  if (!opt.quiet) {
    for (const auto& r : results) {
      for (const std::string& w : r.warnings) print_warning(w);
    }
    std::fprintf(stderr,
                 "metasift: %zu records, %zu duplicates removed, %zu kept (%zu queued as maybe); %zu candidate pairs\n",
                 all.size(), res.duplicates, res.kept.size(), res.maybes, res.candidate_pairs);
  }
}

}  // namespace metasift::cli
