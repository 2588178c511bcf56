// Fuzz target: the GWAS reader behind a gzip stream. The input is used as the compressed bytes
// of one cohort (so corrupt headers, truncated members, concatenated members and bombs reach
// zlib and the line chunker), and, compressed here, as the text of a second cohort (so
// adversarial rows also arrive through a valid gzip stream).
#include <string>

#include "fuzz_rows.hpp"
#include "fuzz_support.hpp"
#include "metasift/batch/gwas.hpp"
#include "metasift/batch/stream.hpp"

namespace {

/// Writes `text` gzip-compressed through the batch engine's own writer.
std::string write_gzip(const char* name, std::string_view text) {
  const std::string path = (metasift::fuzz::scratch_dir() / name).string();
  metasift::batch::output_sink out(path);
  out.write(text);
  out.commit();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  const auto bytes = fuzz::as_text(data, size);
  // Raw bytes with a gzip magic in front unless they carry one: the reader then inflates them.
  std::string raw(bytes);
  if (raw.size() < 2 || static_cast<unsigned char>(raw[0]) != 0x1f || static_cast<unsigned char>(raw[1]) != 0x8b) {
    raw.insert(0, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  }
  batch::gwas_options opt;
  opt.files = {fuzz::write_scratch("raw.gz", raw), write_gzip("text.gz", bytes)};
  opt.out = (fuzz::scratch_dir() / "out.tsv").string();
  opt.chunk_bytes = 64;
  fuzz::expect_clean([&] { (void)batch::run_gwas(opt); });
  opt.files = {write_gzip("text.gz", bytes), write_gzip("text2.gz", bytes)};
  opt.scheme = batch::gwas_scheme::samplesize;
  fuzz::expect_clean([&] { (void)batch::run_gwas(opt); });
  return 0;
}
