// Deduplication throughput on generated bibliographic records (issue 5: 100,000 records in
// <= 10 s on 2 cores). Records are drawn from a fixed seed: originals with Zipf-distributed title
// words (so blocks of common words and common surnames are realistic), then copies perturbed the
// way database exports differ (case, punctuation, DOI as URL or missing, author formats, journal
// abbreviations, short page ranges, a year one apart, typos, missing abstracts).
//
//   metasift_dedup_throughput [N [THREADS [SEED]]]      defaults: 100000 2 42
//
// prints one line: records, generated duplicates, seconds (wall), cpu_seconds (all threads), candidate pairs, removed,
// maybes, sensitivity (share of generated duplicates merged) and false merges (records merged into a record of another
// generated group: the target is 0).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "metasift/review/dedup.hpp"

namespace {

using metasift::review::record;

/// "G123": formatted with snprintf because GCC 12 reports a false -Wrestrict when
/// std::to_string is inlined into a concatenation.
std::string label(char prefix, std::size_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%zu", prefix, id);
  return buf;
}

struct generator {
  std::mt19937_64 rng;
  std::vector<std::string> words, surnames, journals;

  explicit generator(std::uint64_t seed) : rng(seed) {
    const char* syll[] = {"ba", "ce", "di", "fo", "gu", "ha", "ke", "li", "mo", "nu", "pa", "re", "si", "to", "vu",
                          "xa", "ze", "an", "el", "in", "or", "um", "ch", "st", "tr", "pl", "gr", "br", "th", "sh"};
    const std::size_t ns = sizeof syll / sizeof syll[0];
    for (std::size_t i = 0; i < 4000; ++i) {  // pseudo-words of 2-4 syllables
      std::string w;
      std::size_t v = i * 2654435761U + 17;
      const std::size_t n = 2 + v % 3;
      for (std::size_t k = 0; k < n; ++k) {
        w += syll[(v / 7) % ns];
        v = v * 6364136223846793005ULL + 1442695040888963407ULL;
      }
      words.push_back(w);
    }
    for (const char* s : {"Wang",  "Li",  "Zhang",  "Liu",    "Chen",   "Yang",  "Huang", "Zhao",   "Wu",    "Zhou",
                          "Smith", "Kim", "Garcia", "Müller", "Nguyen", "Silva", "Kumar", "Tanaka", "Rossi", "Novak"}) {
      surnames.emplace_back(s);
    }
    for (std::size_t i = 0; i < 600; ++i) {
      std::string s = words[(i * 37) % words.size()];
      s[0] = static_cast<char>(s[0] - 32);
      surnames.push_back(s);
    }
    for (std::size_t i = 0; i < 800; ++i) {
      std::string j = "Journal of " + words[(i * 13) % words.size()] + " " + words[(i * 29 + 5) % words.size()];
      if (i % 3 == 0) j += " Research";
      journals.push_back(j);
    }
  }

  std::size_t zipf(std::size_t n) {  // ~ rank^-1
    std::uniform_real_distribution<double> u(0.0, 1.0);
    return std::min(n - 1, static_cast<std::size_t>(std::exp(u(rng) * std::log(static_cast<double>(n)))) - 1);
  }
  std::size_t uniform(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p; }

  record original(std::size_t id) {
    record r;
    const std::size_t nw = 8 + uniform(9);
    for (std::size_t k = 0; k < nw; ++k) {
      if (!r.title.empty()) r.title += ' ';
      r.title += words[zipf(words.size())];
    }
    r.title[0] = static_cast<char>(r.title[0] - 32);
    const std::size_t na = 1 + uniform(8);
    for (std::size_t k = 0; k < na; ++k) {
      // Common surnames dominate (as "Wang" and "Li" do in a China-focused search).
      const std::string& s = chance(0.3) ? surnames[uniform(20)] : surnames[uniform(surnames.size())];
      r.authors.push_back(s + ", " + static_cast<char>('A' + uniform(26)) + ".");
    }
    r.year = 1990 + static_cast<int>(uniform(35));
    r.journal = journals[zipf(journals.size())];
    r.volume = std::to_string(1 + uniform(300));
    const std::size_t p = 1 + uniform(2000);
    r.pages = std::to_string(p) + "-" + std::to_string(p + 3 + uniform(20));
    if (chance(0.8)) r.doi = "10.1016/j.gen." + std::to_string(r.year) + "." + std::to_string(id);
    const std::size_t nab = 40 + uniform(80);
    for (std::size_t k = 0; k < nab; ++k) {
      if (!r.abstract.empty()) r.abstract += ' ';
      r.abstract += words[zipf(words.size())];
    }
    r.source_id = label('G', id);
    return r;
  }

  record copy(const record& o, std::size_t id) {
    record r = o;
    r.source_id = label('D', id);
    if (chance(0.3)) {
      for (char& c : r.title) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    if (chance(0.4)) r.title += ".";
    if (chance(0.1) && r.title.size() > 20) std::swap(r.title[10], r.title[11]);  // a typo
    if (chance(0.3))
      r.doi.clear();
    else if (!r.doi.empty() && chance(0.4))
      r.doi = "https://doi.org/" + r.doi;
    if (chance(0.5)) {
      for (auto& a : r.authors) {
        const auto comma = a.find(',');
        a = a.substr(0, comma) + " " + a.substr(comma + 2, 1);
      }
    }
    if (chance(0.3)) {  // abbreviate the journal
      std::string j;
      std::size_t i = 0;
      while (i < r.journal.size()) {
        std::size_t e = r.journal.find(' ', i);
        if (e == std::string::npos) e = r.journal.size();
        const std::string w = r.journal.substr(i, e - i);
        if (w != "of") {
          if (!j.empty()) j += ' ';
          j += w.substr(0, std::min<std::size_t>(4, w.size()));
        }
        i = e + 1;
      }
      r.journal = j;
    }
    if (chance(0.3)) {  // "1234-1240" -> "1234-40"
      const auto dash = r.pages.find('-');
      r.pages = r.pages.substr(0, dash + 1) + r.pages.substr(r.pages.size() - 2);
    }
    if (chance(0.05)) r.year += 1;  // online-first vs print
    if (chance(0.3)) r.abstract.clear();
    return r;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const unsigned threads = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 2U;
  const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 42;
  generator g(seed);
  std::vector<record> recs;
  std::vector<std::size_t> group;
  recs.reserve(n);
  const std::size_t originals = n * 7 / 10;
  for (std::size_t i = 0; i < originals; ++i) {
    recs.push_back(g.original(i));
    group.push_back(i);
  }
  while (recs.size() < n) {
    const std::size_t o = g.uniform(originals);
    recs.push_back(g.copy(recs[o], recs.size()));
    group.push_back(o);
  }
  metasift::review::dedup_options opt;
  opt.threads = threads;
  // Process CPU time (all threads): on a shared machine the wall time includes waiting for a core,
  // so cpu_seconds / threads is the wall time the run would take with its cores to itself.
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const double cpu0 = cpu_now();
  const auto t0 = std::chrono::steady_clock::now();
  const auto res = metasift::review::deduplicate(recs, opt);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu_secs = cpu_now() - cpu0;

  // Sensitivity: per generated group, records merged into the group's largest predicted cluster.
  std::size_t false_merges = 0;
  std::unordered_map<std::size_t, std::unordered_map<std::size_t, std::size_t>> clusters;  // group -> kept -> count
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& d = res.decisions[i];
    const std::size_t kept = d.status == metasift::review::dedup_status::duplicate ? d.duplicate_of : i;
    if (group[kept] != group[i]) ++false_merges;
    ++clusters[group[i]][kept];
  }
  std::size_t found = 0, expected = 0;
  for (const auto& [grp, by_kept] : clusters) {
    std::size_t size = 0, largest = 0;
    for (const auto& [k, c] : by_kept) {
      size += c;
      largest = std::max(largest, c);
    }
    expected += size - 1;
    found += largest - 1;
  }
  std::printf(
      "records=%zu generated_duplicates=%zu threads=%u seconds=%.3f cpu_seconds=%.3f candidate_pairs=%zu removed=%zu "
      "maybes=%zu "
      "sensitivity=%.4f false_merges=%zu\n",
      recs.size(), n - originals, threads, secs, cpu_secs, res.candidate_pairs, res.duplicates, res.maybes,
      expected == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(expected), false_merges);
  return 0;
}
