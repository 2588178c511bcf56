// Fuzz target: PRISMA counts as JSON (metasift prisma --from, format_prisma_json's output read
// back). Every accepted input must also pass the counting rules or fail them the documented way,
// and must print back as JSON.
#include "fuzz_support.hpp"
#include "metasift/review/prisma.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  fuzz::expect_clean([&] {
    const review::prisma_counts c = review::parse_prisma_json(fuzz::as_text(data, size), "fuzz.json");
    (void)review::format_prisma_json(c);
    (void)review::format_prisma_text(c);
    (void)review::prisma_violations(c);
  });
  return 0;
}
