// Fuzz target: GWAS summary-statistics rows. The input is split at its first form feed (or in the
// middle) into two cohorts, so that allele harmonisation and the k-way merge (and its fall-back to
// the hash join on unsorted input) see adversarial rows from both sides.
#include <string>

#include "fuzz_rows.hpp"
#include "fuzz_support.hpp"
#include "metasift/batch/gwas.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  const auto text = fuzz::as_text(data, size);
  std::size_t cut = text.find('\f');
  if (cut == std::string_view::npos) cut = text.size() / 2;
  batch::gwas_options opt;
  opt.files = {fuzz::write_scratch("a.txt", text.substr(0, cut)),
               fuzz::write_scratch("b.txt", text.substr(cut < text.size() ? cut + 1 : cut))};
  opt.out = (fuzz::scratch_dir() / "out.tsv").string();
  opt.random = models::method::DL;
  opt.chunk_bytes = 64;  // many chunk boundaries inside a small input
  fuzz::expect_clean([&] { (void)batch::run_gwas(opt); });
  opt.random = models::method::REML;
  opt.scheme = batch::gwas_scheme::samplesize;
  fuzz::expect_clean([&] { (void)batch::run_gwas(opt); });
  return 0;
}
