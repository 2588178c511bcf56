// Fuzz target: the Boolean search language in every dialect, parsed and then matched against a
// record, so that odd field tags, proximity operators, wildcards and nesting reach the matcher.
#include "fuzz_support.hpp"
#include "metasift/review/query.hpp"
#include "metasift/review/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace metasift;
  static const review::record rec = [] {
    review::record r;
    r.title = "Economic benefits and environmental costs of rare earth mining in Ganzhou, China";
    r.abstract = "Ion-adsorption rare earth mining; sustainable mining; local economy; 2015 survey.";
    r.keywords = {"rare earth elements", "environmental impact assessment"};
    r.year = 2015;
    return r;
  }();
  const auto text = fuzz::as_text(data, size);
  for (const auto d : {review::query_dialect::generic, review::query_dialect::pubmed, review::query_dialect::scopus,
                       review::query_dialect::wos}) {
    fuzz::expect_clean([&] {
      const review::parsed_query q = review::parse_query(text, d);
      (void)review::format_diagnostics(q.diagnostics);
      if (q.ok()) {
        (void)review::to_sexpr(*q.root);
        (void)review::query_matches(*q.root, review::query_document(rec));
      }
    });
  }
  return 0;
}
