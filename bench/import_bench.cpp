// Import throughput on generated exports: `metasift_import_bench [MB] [ris|medline|bibtex|csv] [SEED]`.
//
// Generates about MB megabytes of Scopus-like records in memory (outside the timed region; nothing
// is written to disk), then times review::import_bytes on one core -- charset detection, format
// detection, parsing and normalisation -- and prints
//
//   format=ris bytes=B records=N seconds=S cpu_seconds=T mb_per_second=M mb_per_cpu_second=P
//   records_per_second=R checksum=C
//
// where C sums the parsed years (records * ~2010) so that the work cannot be optimised away and two
// runs with the same seed can be compared. cpu_seconds is the process CPU time of the import (it
// stays meaningful on a shared machine). The target of issue 5 is >= 100 MB/s for RIS.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "metasift/review/import.hpp"

namespace {

const char* const words[] = {"rare",     "earth",      "mining", "environmental", "economic", "impact",   "China",
                             "tailings", "leaching",   "ion",    "adsorption",    "deposit",  "Baotou",   "Ganzhou",
                             "cost",     "benefit",    "local",  "sustainable",   "water",    "soil",     "heavy",
                             "metals",   "assessment", "policy", "regional",      "ecology",  "recovery", "analysis"};
const char* const surnames[] = {"Wang", "Li", "Zhang", "Liu", "Chen", "Smith", "Garcia", "M\u00fcller", "Rossi", "Kim"};

class generator {
 public:
  explicit generator(unsigned seed) : rng_(seed) {}

  std::string words_(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) s += ' ';
      s += words[pick(std::size(words))];
    }
    return s;
  }
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  int number(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string author() {
    return std::string(surnames[pick(std::size(surnames))]) + ", " + static_cast<char>('A' + pick(26)) + ".";
  }

 private:
  std::mt19937 rng_;
};

std::string make_ris(std::size_t bytes, unsigned seed) {
  generator g(seed);
  std::string out;
  out.reserve(bytes + 4096);
  for (std::size_t i = 0; out.size() < bytes; ++i) {
    const int year = g.number(1990, 2024);
    const int sp = g.number(1, 900);
    out += "TY  - JOUR\n";
    out += "TI  - " + g.words_(14) + "\n";
    out += "T2  - Journal of " + g.words_(3) + "\n";
    out += "J2  - J. " + g.words_(2) + "\n";
    out += "VL  - " + std::to_string(g.number(1, 300)) + "\n";
    out += "IS  - " + std::to_string(g.number(1, 12)) + "\n";
    out += "SP  - " + std::to_string(sp) + "\nEP  - " + std::to_string(sp + g.number(5, 30)) + "\n";
    out += "PY  - " + std::to_string(year) + "\n";
    out += "DO  - 10." + std::to_string(1000 + g.number(0, 8999)) + "/j.bench." + std::to_string(i) + "\n";
    out += "SN  - " + std::to_string(10000000 + g.number(0, 89999999)) + " (ISSN)\n";
    for (int a = 0, n = g.number(1, 8); a < n; ++a) out += "AU  - " + g.author() + "\n";
    for (int a = 0, n = g.number(1, 3); a < n; ++a) out += "AD  - Department of " + g.words_(8) + ", China\n";
    out += "AB  - " + g.words_(170) + "\n";
    for (int k = 0, n = g.number(3, 10); k < n; ++k) out += "KW  - " + g.words_(2) + "\n";
    out += "N1  - Export Date: 28 November 2026; Cited By: " + std::to_string(g.number(0, 500)) + "\n";
    out += "LA  - English\nM3  - Article\nDB  - Scopus\n";
    out += "UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-" +
           std::to_string(85000000000LL + static_cast<long long>(i)) + "&partnerID=40\n";
    out += "ER  - \n\n";
  }
  return out;
}

std::string make_medline(std::size_t bytes, unsigned seed) {
  generator g(seed);
  std::string out;
  out.reserve(bytes + 4096);
  for (std::size_t i = 0; out.size() < bytes; ++i) {
    out += "PMID- " + std::to_string(30000000 + i) + "\nOWN - NLM\nSTAT- MEDLINE\n";
    out += "IS  - 1932-6203 (Electronic)\nVI  - " + std::to_string(g.number(1, 300)) + "\nIP  - 1\n";
    out += "DP  - " + std::to_string(g.number(1990, 2024)) + " Jan 28\n";
    out += "TI  - " + g.words_(9) + "\n      " + g.words_(6) + ".\n";
    out += "PG  - " + std::to_string(g.number(1, 900)) + "-9\nLID - 10.1371/journal.bench." + std::to_string(i) +
           " [doi]\n";
    out += "AB  - ";
    for (int l = 0; l < 14; ++l) out += (l > 0 ? "\n      " : "") + g.words_(12);
    out += "\n";
    for (int a = 0, n = g.number(1, 8); a < n; ++a) out += "FAU - " + g.author() + "\nAU  - X Y\n";
    out += "LA  - eng\nPT  - Journal Article\nTA  - PLoS One\nJT  - PloS one\n";
    for (int k = 0, n = g.number(3, 10); k < n; ++k) out += "MH  - " + g.words_(2) + "\n";
    out += "\n";
  }
  return out;
}

std::string make_bibtex(std::size_t bytes, unsigned seed) {
  generator g(seed);
  std::string out;
  out.reserve(bytes + 4096);
  for (std::size_t i = 0; out.size() < bytes; ++i) {
    out += "@article{key" + std::to_string(i) + ",\n  title = {{" + g.words_(3) + "} " + g.words_(10) + "},\n";
    out += "  author = {";
    for (int a = 0, n = g.number(1, 8); a < n; ++a) out += (a > 0 ? " and " : "") + g.author();
    out += "},\n  journal = {Journal of " + g.words_(3) + "},\n  year = {" + std::to_string(g.number(1990, 2024)) +
           "},\n  volume = {12},\n  pages = {1--9},\n  doi = {10.1000/bench." + std::to_string(i) + "},\n";
    out += "  abstract = {" + g.words_(170) + "},\n  keywords = {" + g.words_(2) + ", " + g.words_(2) + "},\n}\n\n";
  }
  return out;
}

std::string make_csv(std::size_t bytes, unsigned seed) {
  generator g(seed);
  std::string out =
      "\"Authors\",\"Title\",\"Year\",\"Source title\",\"Volume\",\"DOI\",\"Abstract\",\"Author Keywords\",\"EID\"\n";
  out.reserve(bytes + 4096);
  for (std::size_t i = 0; out.size() < bytes; ++i) {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict on `"literal" + std::string`.
    const std::string year = std::to_string(g.number(1990, 2024));
    const std::string n = std::to_string(i);
    for (const std::string& piece : {std::string("\""),
                                     g.author(),
                                     std::string("; "),
                                     g.author(),
                                     std::string("\",\""),
                                     g.words_(14),
                                     std::string("\",\""),
                                     year,
                                     std::string("\",\"Journal of "),
                                     g.words_(3),
                                     std::string("\",\"12\",\"10.1000/bench."),
                                     n,
                                     std::string("\",\""),
                                     g.words_(170),
                                     std::string("\",\""),
                                     g.words_(2),
                                     std::string("; "),
                                     g.words_(2),
                                     std::string("\",\"2-s2.0-"),
                                     n,
                                     std::string("\"\n")}) {
      out += piece;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const double mb = argc > 1 ? std::atof(argv[1]) : 100.0;
  const std::string format = argc > 2 ? argv[2] : "ris";
  const unsigned seed = argc > 3 ? static_cast<unsigned>(std::atoi(argv[3])) : 20261128U;
  if (!(mb > 0)) {
    std::fprintf(stderr, "usage: metasift_import_bench [MB>0] [ris|medline|bibtex|csv] [SEED]\n");
    return 2;
  }
  const auto bytes = static_cast<std::size_t>(mb * 1024.0 * 1024.0);
  std::string text;
  if (format == "ris") {
    text = make_ris(bytes, seed);
  } else if (format == "medline") {
    text = make_medline(bytes, seed);
  } else if (format == "bibtex") {
    text = make_bibtex(bytes, seed);
  } else if (format == "csv") {
    text = make_csv(bytes, seed);
  } else {
    std::fprintf(stderr, "unknown format '%s' (ris, medline, bibtex or csv)\n", format.c_str());
    return 2;
  }

  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const std::string label = "generated." + format;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_now();
  const metasift::review::import_result res = metasift::review::import_bytes(text, label);
  const double cpu_seconds = cpu_now() - cpu_start;
  const auto stop = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(stop - start).count();
  long long checksum = 0;
  for (const auto& r : res.records) checksum += r.year;
  const double size_mb = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  std::printf(
      "format=%s bytes=%zu records=%zu seconds=%.3f cpu_seconds=%.3f mb_per_second=%.1f mb_per_cpu_second=%.1f "
      "records_per_second=%.0f checksum=%lld\n",
      res.format.c_str(), text.size(), res.records.size(), seconds, cpu_seconds, size_mb / seconds,
      size_mb / cpu_seconds, static_cast<double>(res.records.size()) / seconds, checksum);
  if (!res.warnings.empty())
    std::fprintf(stderr, "%zu warnings, first: %s\n", res.warnings.size(), res.warnings[0].c_str());
  return 0;
}
