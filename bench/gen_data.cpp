// metasift_gen_data: synthetic inputs for the batch-engine benchmarks (nothing large is committed).
//
//   metasift_gen_data gwas OUTDIR COHORTS VARIANTS SEED [--flip-strand]
//       OUTDIR/cohort<i>.tsv: SNP CHR BP A1 A2 FREQ BETA SE P N, sorted by chromosome and position.
//       A universe of VARIANTS variants over chromosomes 1-22 (in proportion to their lengths);
//       each cohort keeps each variant with probability 0.952 and reports it with A1/A2 swapped
//       (BETA negated, FREQ = 1 - FREQ) in half of its rows; --flip-strand also writes 1% of rows on
//       the complementary strand. 0.1% of variants are causal, with between-cohort heterogeneity.
//       About 70 bytes per row (the layout of the research notes' generator).
//   metasift_gen_data batch GROUPS K SEED [--v-min A --v-max B]
//       stdout: group,study,yi,vi in long format, K studies per group, tau^2 = 0.09, mu = 0.5,
//       vi log-uniform over [0.001, 0.1] (as bench_data.hpp).
//
// Randomness: batch::counter_rng, so a file is the same on every machine for the same arguments.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "metasift/batch/format.hpp"
#include "metasift/batch/rng.hpp"

namespace {

using metasift::batch::counter_rng;

void put(std::string& out, double x, int digits) {
  metasift::batch::append_general(out, x, digits);
}

void flush(std::string& out, std::FILE* f) {
  std::fwrite(out.data(), 1, out.size(), f);
  out.clear();
}

char comp(char c) {
  return c == 'A' ? 'T' : c == 'T' ? 'A' : c == 'C' ? 'G' : 'C';
}

int gwas(const char* dir, int cohorts, std::uint64_t variants, std::uint64_t seed, bool flip_strand) {
  // GRCh37 chromosome lengths (Mb), for the share of variants per chromosome.
  const double mb[22] = {249, 243, 198, 191, 181, 171, 159, 146, 141, 136, 135,
                         134, 115, 107, 103, 90,  81,  78,  59,  63,  48,  51};
  double total = 0;
  for (const double m : mb) total += m;
  const char bases[4] = {'A', 'C', 'G', 'T'};
  for (int c = 0; c < cohorts; ++c) {
    const std::string path = std::string(dir) + "/cohort" + std::to_string(c + 1) + ".tsv";
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      std::perror(path.c_str());
      return 1;
    }
    std::string out = "SNP\tCHR\tBP\tA1\tA2\tFREQ\tBETA\tSE\tP\tN\n";
    const double n_cohort = 5000.0 + 5000.0 * c;
    std::uint64_t id = 0;
    for (int chr = 1; chr <= 22; ++chr) {
      const auto n_chr = static_cast<std::uint64_t>(std::llround(static_cast<double>(variants) * mb[chr - 1] / total));
      const double step = mb[chr - 1] * 1e6 / static_cast<double>(n_chr + 1);
      for (std::uint64_t j = 0; j < n_chr && id < variants; ++j, ++id) {
        counter_rng v(seed, id);  // the variant's own properties, shared by all cohorts
        const auto bp = static_cast<std::uint64_t>(step * static_cast<double>(j + 1)) + (v.bits() % 97);
        const unsigned a = static_cast<unsigned>(v.bits() % 4);
        const unsigned b = (a + 1 + static_cast<unsigned>(v.bits() % 3)) % 4;
        const double freq = 0.01 + 0.49 * v.uniform();
        const bool causal = v.uniform() < 0.001;
        const double beta_true = causal ? 0.05 * v.normal() : 0.0;
        counter_rng r(seed ^ (0xC0FFEEULL * static_cast<std::uint64_t>(c + 1)), id);  // this cohort's draws
        if (r.uniform() >= 0.952) continue;
        const double beta_c = beta_true + (causal ? 0.03 * r.normal() : 0.0);
        const double n = std::round(n_cohort * (0.9 + 0.2 * r.uniform()));
        const double se = 1.0 / std::sqrt(2.0 * n * freq * (1.0 - freq));
        double beta = beta_c + se * r.normal();
        const double p = std::erfc(std::abs(beta / se) / std::sqrt(2.0));
        char a1 = bases[a], a2 = bases[b];
        double f1 = freq;
        if (r.uniform() < 0.5) {
          std::swap(a1, a2);
          beta = -beta;
          f1 = 1.0 - f1;
        }
        if (flip_strand && r.uniform() < 0.01) {
          a1 = comp(a1);
          a2 = comp(a2);
        }
        out += "rs";
        metasift::batch::append_uint(out, id + 1);
        out += '\t';
        metasift::batch::append_uint(out, static_cast<std::uint64_t>(chr));
        out += '\t';
        metasift::batch::append_uint(out, bp);
        out += '\t';
        out += a1;
        out += '\t';
        out += a2;
        out += '\t';
        put(out, f1, 4);
        out += '\t';
        put(out, beta, 5);
        out += '\t';
        put(out, se, 5);
        out += '\t';
        put(out, p, 4);
        out += '\t';
        metasift::batch::append_uint(out, static_cast<std::uint64_t>(n));
        out += '\n';
        if (out.size() > (1U << 20U)) flush(out, f);
      }
    }
    flush(out, f);
    if (std::fclose(f) != 0) {
      std::perror(path.c_str());
      return 1;
    }
  }
  return 0;
}

int batch(std::uint64_t groups, int k, std::uint64_t seed, double vmin, double vmax) {
  std::string out = "group,study,yi,vi\n";
  const double lo = std::log(vmin), span = std::log(vmax) - lo;
  for (std::uint64_t g = 0; g < groups; ++g) {
    counter_rng r(seed, g);
    char name[32];
    std::snprintf(name, sizeof name, "g%09llu", static_cast<unsigned long long>(g + 1));
    for (int i = 0; i < k; ++i) {
      const double vi = std::exp(lo + span * r.uniform());
      const double yi = 0.5 + std::sqrt(0.09 + vi) * r.normal();
      out += name;
      out += ',';
      metasift::batch::append_uint(out, static_cast<std::uint64_t>(i + 1));
      out += ',';
      put(out, yi, 8);
      out += ',';
      put(out, vi, 8);
      out += '\n';
    }
    if (out.size() > (1U << 20U)) flush(out, stdout);
  }
  flush(out, stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

template <class T>
bool parse(const char* s, T& out) {
  const auto r = std::from_chars(s, s + std::strlen(s), out);
  return r.ec == std::errc() && *r.ptr == '\0';
}

int usage() {
  std::fputs(
      "usage: metasift_gen_data gwas OUTDIR COHORTS VARIANTS SEED [--flip-strand]\n"
      "       metasift_gen_data batch GROUPS K SEED [--v-min A --v-max B]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view mode = argv[1];
  if (mode == "gwas" && (argc == 6 || argc == 7)) {
    int cohorts = 0;
    std::uint64_t variants = 0, seed = 0;
    if (!parse(argv[3], cohorts) || !parse(argv[4], variants) || !parse(argv[5], seed) || cohorts < 1) return usage();
    return gwas(argv[2], cohorts, variants, seed, argc == 7 && std::string_view(argv[6]) == "--flip-strand");
  }
  if (mode == "batch" && argc >= 5) {
    std::uint64_t groups = 0, seed = 0;
    int k = 0;
    double vmin = 0.001, vmax = 0.1;
    if (!parse(argv[2], groups) || !parse(argv[3], k) || !parse(argv[4], seed) || k < 1) return usage();
    for (int i = 5; i + 1 < argc; i += 2) {
      if (std::string_view(argv[i]) == "--v-min") vmin = std::atof(argv[i + 1]);
      if (std::string_view(argv[i]) == "--v-max") vmax = std::atof(argv[i + 1]);
    }
    return batch(groups, k, seed, vmin, vmax);
  }
  return usage();
}
