#include "gwas.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "metasift/batch/gwas.hpp"
#include "metasift/core/check.hpp"
#include "metasift/io/output_policy.hpp"
#include "registry.hpp"

namespace metasift::cli {
namespace {
[[maybe_unused]] const bool registered = register_subcommand("gwas", setup_gwas);

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}
}  // namespace

void setup_gwas(CLI::App& app) {
  auto opt = std::make_shared<gwas_cli_options>();
  CLI::App* sub =
      app.add_subcommand("gwas", "Meta-analyse GWAS summary statistics of several cohorts, variant by variant");
  sub->add_option("files", opt->files,
                  "Per-cohort summary statistics (whitespace-delimited, header line; plain or .gz)")
      ->required();
  sub->add_option("--out,-o", opt->out, "Output file (tab-separated; .gz compresses; '-' for stdout)")->required();
  sub->add_option("--col", opt->columns,
                  "Column name in the files for a canonical column: --col SNP=MarkerName (SNP CHR BP A1 A2 BETA SE P N "
                  "FREQ; repeatable)");
  sub->add_option("--random", opt->random, "Add a random-effects model: DL or REML")
      ->transform(CLI::IsMember({"DL", "REML"}, CLI::ignore_case));
  sub->add_option("--scheme", opt->scheme, "stderr (inverse-variance weights) or samplesize (METAL's weighted Z)")
      ->transform(CLI::IsMember({"stderr", "samplesize"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option(
         "--merge", opt->merge,
         "auto (streaming merge of position-sorted files, hash join when a file is not sorted), stream or hash")
      ->transform(CLI::IsMember({"auto", "stream", "hash"}, CLI::ignore_case))
      ->capture_default_str();
  sub->add_option("--region", opt->region, "Only variants in chr, chr:pos or chr:start-end (1-based, inclusive)");
  sub->add_option("--threads", opt->threads, "Threads: parsing runs ahead of the merge on threads - 1 of them")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  sub->add_flag("--sync", opt->sync,
                "fsync the output file before renaming it into place (durable against power loss; slower)");
  sub->add_flag("--quiet,-q", opt->quiet, "No summary on stderr");
  sub->callback([opt]() { run_gwas(*opt); });
}

void run_gwas(const gwas_cli_options& opt) {
  {
    std::vector<io::named_path> inputs;
    for (const std::string& f : opt.files) inputs.push_back({"input", f});
    io::check_paths(inputs, {{"--out", opt.out}});
  }
  batch::gwas_options o;
  o.files = opt.files;
  o.out = opt.out;
  for (const auto& c : opt.columns) {
    const auto eq = c.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == c.size())
      fail_usage("--col", "expected CANONICAL=NAME, got '" + c + "'");
    const std::string canonical = upper(c.substr(0, eq));
    static const char* known[] = {"SNP", "CHR", "BP", "A1", "A2", "BETA", "SE", "P", "N", "FREQ"};
    if (std::none_of(std::begin(known), std::end(known), [&](const char* k) { return canonical == k; })) {
      fail_usage("--col", "unknown column '" + c.substr(0, eq) + "' (SNP CHR BP A1 A2 BETA SE P N FREQ)");
    }
    o.columns[canonical] = c.substr(eq + 1);
  }
  if (!opt.random.empty()) {
    const auto m = models::parse_method(opt.random);
    if (!m || (*m != models::method::DL && *m != models::method::REML)) {
      fail_usage("--random", "expected DL or REML, got '" + opt.random + "'");
    }
    o.random = *m;
  }
  const auto scheme = batch::parse_gwas_scheme(opt.scheme);
  if (!scheme) fail_usage("--scheme", "expected stderr or samplesize, got '" + opt.scheme + "'");
  o.scheme = *scheme;
  const auto merge = batch::parse_merge_mode(opt.merge);
  if (!merge) fail_usage("--merge", "expected auto, stream or hash, got '" + opt.merge + "'");
  o.merge = *merge;
  if (!opt.region.empty()) o.only = batch::parse_region(opt.region);
  o.threads = opt.threads;
  o.sync = opt.sync;

  const batch::gwas_report r = batch::run_gwas(o);
  // Reported even with --quiet: these rows changed meaning, they were not merely skipped.
  if (r.p_zero > 0) {
    std::fprintf(stderr,
                 "gwas: warning: %llu rows have P = 0; P was read as 2.2e-308 (|Z| = 37.5), which understates "
                 "them (give the exact P, or use --scheme stderr)\n",
                 static_cast<unsigned long long>(r.p_zero));
    for (const auto& b : r.p_zero_examples) {
      std::fprintf(stderr, "  %s:%llu: %s\n", b.file.c_str(), static_cast<unsigned long long>(b.line),
                   b.reason.c_str());
    }
  }
  if (opt.quiet) return;
  std::fprintf(stderr, "gwas: %llu variants from %zu files (%llu rows) by %s\n",
               static_cast<unsigned long long>(r.variants), opt.files.size(),
               static_cast<unsigned long long>(r.rows_read),
               r.used_hash_join ? "hash join" : "streaming merge of sorted inputs");
  if (!r.unsorted_note.empty()) std::fprintf(stderr, "gwas: not sorted, so hash join: %s\n", r.unsorted_note.c_str());
  if (o.only)
    std::fprintf(stderr, "gwas: %llu rows outside --region %s\n",
                 static_cast<unsigned long long>(r.rows_outside_region), opt.region.c_str());
  std::fprintf(stderr, "gwas: alleles: %llu swapped, %llu strand-flipped, %llu mismatched (left out)\n",
               static_cast<unsigned long long>(r.swapped), static_cast<unsigned long long>(r.strand_flipped),
               static_cast<unsigned long long>(r.allele_mismatch));
  for (const auto& b : r.mismatch_examples)
    std::fprintf(stderr, "  %s:%llu: %s\n", b.file.c_str(), static_cast<unsigned long long>(b.line), b.reason.c_str());
  if (r.allele_mismatch > r.mismatch_examples.size()) {
    std::fprintf(stderr, "  ... and %llu more\n",
                 static_cast<unsigned long long>(r.allele_mismatch - r.mismatch_examples.size()));
  }
  if (r.duplicates > 0) {
    std::fprintf(stderr, "gwas: %llu duplicate rows (same SNP, CHR and BP twice in one file) ignored\n",
                 static_cast<unsigned long long>(r.duplicates));
  }
  std::fprintf(stderr, "gwas: %llu malformed rows skipped\n", static_cast<unsigned long long>(r.malformed));
  for (const auto& b : r.malformed_examples)
    std::fprintf(stderr, "  %s:%llu: %s\n", b.file.c_str(), static_cast<unsigned long long>(b.line), b.reason.c_str());
  if (r.malformed > r.malformed_examples.size()) {
    std::fprintf(stderr, "  ... and %llu more\n",
                 static_cast<unsigned long long>(r.malformed - r.malformed_examples.size()));
  }
}

}  // namespace metasift::cli
