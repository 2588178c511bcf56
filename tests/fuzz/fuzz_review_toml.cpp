// Fuzz target: review.toml. The parser resolves paths against a folder that does not exist, so
// file checks fail the documented way (io/input errors) while every key and value is validated.
#include "fuzz_support.hpp"
#include "metasift/review/review_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  fuzz::expect_clean(
      [&] { (void)review::parse_review_file(fuzz::as_text(data, size), "/nonexistent-metasift-fuzz/review.toml"); });
  return 0;
}
