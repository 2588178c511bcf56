// Fuzz target: long-format rows for `metasift batch`, grouped by the first column, with the
// generic measure (yi/vi) and with 2x2 counts, so that both the row reader and the per-group fits
// see whatever the fuzzer invents.
#include <string>

#include "fuzz_rows.hpp"
#include "fuzz_support.hpp"
#include "metasift/batch/batch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  batch::batch_options opt;
  opt.input = fuzz::write_scratch("in.csv", fuzz::as_text(data, size));
  opt.out = (fuzz::scratch_dir() / "out.csv").string();
  opt.group = "group";
  opt.chunk_bytes = 64;
  fuzz::expect_clean([&] { (void)batch::run_batch(opt); });
  opt.measure = effects::measure::OR;
  fuzz::expect_clean([&] { (void)batch::run_batch(opt); });
  return 0;
}
