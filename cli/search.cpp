#include "search.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/query.hpp"
#include "metasift/review/record_io.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace metasift::cli {

namespace {
[[maybe_unused]] const bool registered = register_subcommand("search", setup_search);
}  // namespace

void setup_search(CLI::App& app) {
  auto opt = std::make_shared<search_cli_options>();
  CLI::App* sub = app.add_subcommand(
      "search", "Apply a PubMed, Scopus or Web of Science search string to imported records, offline");
  sub->add_option("files", opt->files, "Export files (any format metasift import reads)")->check(CLI::ExistingFile);
  sub->add_option("--query,-q", opt->query, "The search string, as pasted from the database")->required();
  sub->add_option("--dialect", opt->dialect, "Query syntax and precedence: generic, pubmed, scopus or wos")
      ->transform(CLI::IsMember({"generic", "pubmed", "scopus", "wos"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--format", opt->format, "Output: json (query, parse, diagnostics, matching records) or csv")
      ->transform(CLI::IsMember({"json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--out,-o", opt->out, "Write the output to this file (atomically) instead of stdout");
  sub->add_flag("--lint", opt->lint, "Only parse and lint the query (no files needed)");
  sub->add_flag("--quiet", opt->quiet, "Do not print diagnostics and counts on stderr");
  sub->callback([opt]() { run_search(*opt); });
}

void run_search(const search_cli_options& opt) {
  const auto dialect = review::parse_dialect(opt.dialect);
  if (!dialect) fail_usage("--dialect", "unknown dialect '" + opt.dialect + "'");
  const auto format = review::parse_records_format(opt.format);
  if (!format || *format == review::records_format::ris) {
    fail_usage("--format", "expected json or csv, got '" + opt.format + "'");
  }
  if (!opt.lint && opt.files.empty()) fail_usage("files", "give the export files to search (or --lint)");
  {
    std::vector<io::named_path> inputs;
    for (const std::string& f : opt.files) inputs.push_back({"input", f});
    io::check_paths(inputs, {{"--out", opt.out}});
  }
  // Errors (with their character position) throw here, before any file is read.
  const review::compiled_query q(opt.query, *dialect, source_position{"query", 1, 1});
  if (!opt.quiet) {
    const std::string diags = review::format_diagnostics(q.diagnostics(), "metasift: query");
    std::fputs(diags.c_str(), stderr);
  }
  nlohmann::ordered_json diag = nlohmann::ordered_json::array();
  for (const auto& d : q.diagnostics()) {
    diag.push_back({{"severity", review::to_string(d.severity)},
                    {"position", d.position},
                    {"code", d.code},
                    {"message", d.message}});
  }
  if (opt.lint) {
    nlohmann::ordered_json j;
    j["query"] = opt.query;
    j["dialect"] = review::to_string(*dialect);
    j["parse"] = q.sexpr();
    j["diagnostics"] = diag;
    emit(opt.out, j.dump(2) + "\n");
    return;
  }
  std::vector<review::import_result> results;
  std::size_t total = 0, matched = 0;
  for (const std::string& f : opt.files) {
    review::import_result r = review::import_file(f);
    total += r.records.size();
    std::vector<review::record> keep;
    for (auto& rec : r.records) {
      if (q.matches(rec)) keep.push_back(std::move(rec));
    }
    matched += keep.size();
    r.records = std::move(keep);
    results.push_back(std::move(r));
  }
  std::string text;
  if (*format == review::records_format::csv) {
    std::vector<review::record> all;
    for (const auto& r : results) all.insert(all.end(), r.records.begin(), r.records.end());
    text = review::format_records_csv(all);
  } else {
    const nlohmann::ordered_json imported = nlohmann::ordered_json::parse(review::format_import_json(results));
    nlohmann::ordered_json j;
    j["query"] = opt.query;
    j["dialect"] = review::to_string(*dialect);
    j["parse"] = q.sexpr();
    j["diagnostics"] = diag;
    j["total"] = total;
    j["matched"] = matched;
    for (const auto& [k, v] : imported.items()) j[k] = v;
    text = j.dump(2) + "\n";
  }
  emit(opt.out, text);
  if (!opt.quiet) {
    for (const auto& r : results) {
      for (const std::string& w : r.warnings) print_warning(w);
    }
    std::fprintf(stderr, "metasift: %zu of %zu records match\n", matched, total);
  }
}

}  // namespace metasift::cli
