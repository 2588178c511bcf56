// Fuzz target: bibliographic import. Built once per format (METASIFT_FUZZ_FORMAT forces the
// parser, so the fuzzer's mutations are not wasted on the sniffer) and once with detection
// ("" = sniff the format and the charset, as `metasift import` does).
#include <string>

#include "fuzz_support.hpp"
#include "metasift/review/import.hpp"
#include "metasift/review/record_io.hpp"

#ifndef METASIFT_FUZZ_FORMAT
#define METASIFT_FUZZ_FORMAT ""
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  review::import_options opt;
  opt.format = METASIFT_FUZZ_FORMAT;
  fuzz::expect_clean([&] {
    const review::import_result r = review::import_bytes(fuzz::as_text(data, size), "fuzz", opt);
    // The writers must accept whatever the importers produced (titles with control characters,
    // empty fields, odd UTF-8 repaired by the decoder).
    (void)review::format_records_csv(r.records);
    (void)review::format_records_ris(r.records);
  });
  return 0;
}
