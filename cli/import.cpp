#include "import.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>

#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/record_io.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("import", setup_import);
}  // namespace

void setup_import(CLI::App& app) {
  auto opt = std::make_shared<import_options>();
  CLI::App* sub = app.add_subcommand(
      "import", "Read database exports (RIS, MEDLINE, WoS, Scopus CSV, BibTeX, EndNote XML, CSV) into one record list");
  sub->add_option("files", opt->files, "Export files; format and charset are detected from the content")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--format", opt->format, "Output format: json (records, per-file counts, warnings), csv or ris")
      ->transform(CLI::IsMember({"json", "csv", "ris"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Write the output to this file (atomically) instead of stdout");
  sub->add_option("--database", opt->database,
                  "Database name for records whose export does not name one; also the prefix of ids without a DOI");
  sub->add_option("--input-format", opt->input_format,
                  "Force the input format: ris, medline, wos, wos-tab, scopus-csv, bibtex, endnote-xml, pubmed-xml, "
                  "refer, refworks, csv, xlsx");
  sub->add_option(
      "--charset", opt->charset,
      "Force the input charset: utf-8, utf-16le, utf-16be, latin-1, windows-1252, gb18030, shift_jis, euc-jp");
  sub->add_flag("--quiet,-q", opt->quiet, "Do not print the per-file counts and warnings on stderr");
  sub->callback([opt]() { run_import(*opt); });
}

void run_import(const import_options& opt) {
  const auto format = review::parse_records_format(opt.format);
  if (!format) fail_usage("--format", "expected json, csv or ris, got '" + opt.format + "'");
  review::import_options io;
  io.database = opt.database;
  io.format = opt.input_format;
  io.charset = opt.charset;
  std::vector<io::named_path> inputs;
  for (const std::string& f : opt.files) inputs.push_back({"input", f});
  io::check_paths(inputs, {{"--out", opt.out}});
  std::vector<review::import_result> results;
  results.reserve(opt.files.size());
  for (const std::string& f : opt.files) results.push_back(review::import_file(f, io));

  std::string text;
  if (*format != review::records_format::json) {
    std::vector<review::record> all;
    for (const auto& r : results) all.insert(all.end(), r.records.begin(), r.records.end());
    text = *format == review::records_format::csv ? review::format_records_csv(all) : review::format_records_ris(all);
  } else {
    text = review::format_import_json(results);
  }
  emit(opt.out, text);

  if (!opt.quiet) {
    std::size_t total = 0;
    for (const auto& r : results) {
      for (const std::string& w : r.warnings) print_warning(w);
      std::fprintf(stderr, "metasift: %s: %zu records (%s, %s)\n", r.file.c_str(), r.records.size(), r.format.c_str(),
                   r.charset.c_str());
      total += r.records.size();
    }
    if (results.size() > 1) std::fprintf(stderr, "metasift: %zu records from %zu files\n", total, results.size());
  }
}

}  // namespace metasift::cli
