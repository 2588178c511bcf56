// Fuzz target: CSV/TSV study data, from bytes to a fitted model. Covers the delimiter and
// decimal-comma sniffing, quoting, BOM handling, number parsing, column extraction for the
// measures most used in practice, and the fit on whatever survives.
#include <map>
#include <string>

#include "fuzz_support.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/effects/measure.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  const auto text = fuzz::as_text(data, size);
  fuzz::expect_clean([&] {
    const io::table t = io::parse_table(text, "fuzz.csv");
    for (std::size_t r = 0; r < t.rows.size(); ++r)
      for (std::size_t c = 0; c < t.names.size(); ++c) fuzz::expect_clean([&] { (void)t.optional_number(r, c); });
    const std::map<std::string, std::string> cols;
    for (const auto m : {effects::measure::GEN, effects::measure::MD, effects::measure::SMD, effects::measure::OR,
                         effects::measure::ZCOR}) {
      fuzz::expect_clean([&] {
        const effects::raw_data raw = pipeline::extract(t, m, cols);
        const effects::effect_table e = effects::compute(m, raw);
        models::model_spec spec;
        spec.max_iterations = 200;
        (void)models::fit(e, spec);
      });
    }
  });
  return 0;
}
