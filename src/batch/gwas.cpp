// `metasift gwas`: per-variant inverse-variance meta-analysis of GWAS summary statistics, by a
// streaming k-way merge of position-sorted cohorts or, for unsorted input, a hash join.
//
// Data flow: each cohort is read in chunks of whole lines (line_chunker) and parsed into blocks of
// rows that point into the chunk's text. With --threads > 1, producer threads parse blocks ahead of
// the merge (at most `depth` blocks per cohort) and a writer thread writes the output; the merge,
// the statistics and the formatting run on the calling thread, in genomic order, so the output
// does not depend on the number of threads.

#include "metasift/batch/gwas.hpp"

#include <fast_float/fast_float.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "gwas_variant.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/batch/stream.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/core/text.hpp"
#include "metasift/io/records.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"
#include "pipeline.hpp"

namespace metasift::batch {
namespace detail {
namespace {

char complement(char c) noexcept {
  switch (c) {
    case 'A': return 'T';
    case 'T': return 'A';
    case 'C': return 'G';
    case 'G': return 'C';
    default: return 0;
  }
}

bool equals_complement(std::string_view a, std::string_view ref) noexcept {
  if (a.size() != ref.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = complement(a[i]);
    if (c == 0 || c != ref[i]) return false;
  }
  return true;
}

}  // namespace

allele_match match_alleles(std::string_view a1, std::string_view a2, std::string_view ref_a1,
                           std::string_view ref_a2) noexcept {
  if (a1 == ref_a1 && a2 == ref_a2) return allele_match::same;
  if (a1 == ref_a2 && a2 == ref_a1) return allele_match::swapped;
  if (equals_complement(a1, ref_a1) && equals_complement(a2, ref_a2)) return allele_match::strand_flipped;
  if (equals_complement(a1, ref_a2) && equals_complement(a2, ref_a1)) return allele_match::flipped_and_swapped;
  return allele_match::mismatch;
}

weighted_z sample_size_z(std::span<const double> z, std::span<const double> n) noexcept {
  weighted_z out;
  double swz = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    out.sum_n += n[i];
    swz += std::sqrt(n[i]) * z[i];
  }
  out.z = swz / std::sqrt(out.sum_n);
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double d = z[i] - std::sqrt(n[i] / out.sum_n) * out.z;
    out.q += d * d;
  }
  return out;
}

}  // namespace detail

namespace {

constexpr std::size_t max_examples = 20;
constexpr std::uint32_t unknown_chr = 1U << 30U;
constexpr int digits = 6;
/// The table is whitespace-separated (METAL's and PLINK's layout): a missing number is NA.
constexpr number_target na = number_target::whitespace_table;

// ------------------------------------------------------------------------------------------------
// Chromosomes

char upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

using metasift::text::iequals;

std::string_view strip_chr(std::string_view s) noexcept {
  if (s.size() > 3 && iequals(s.substr(0, 3), "chr")) s.remove_prefix(3);
  return s;
}

/// 1..22 as numbers, X 23, Y 24, XY 25, MT 26 (PLINK's codes), other numbers as themselves; any
/// other name is unknown_chr and sorts after them by name.
std::uint32_t chrom_code(std::string_view s) noexcept {
  if (s.empty()) return unknown_chr;
  if (s[0] >= '0' && s[0] <= '9') {
    std::uint32_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && v > 0 && v < unknown_chr) return v;
    return unknown_chr;
  }
  if (iequals(s, "X")) return 23;
  if (iequals(s, "Y")) return 24;
  if (iequals(s, "XY")) return 25;
  if (iequals(s, "MT") || iequals(s, "M")) return 26;
  return unknown_chr;
}

void append_chrom(std::string& out, std::uint32_t code, std::string_view name) {
  switch (code) {
    case 23: out += 'X'; return;
    case 24: out += 'Y'; return;
    case 25: out += "XY"; return;
    case 26: out += "MT"; return;
    default: break;
  }
  if (code == unknown_chr) {
    out.append(name);
  } else {
    append_uint(out, code);
  }
}

// ------------------------------------------------------------------------------------------------
// Rows and blocks

struct row {
  std::uint64_t bp = 0;
  std::uint32_t chr = 0;
  std::string_view chr_name;  ///< without a "chr" prefix
  std::string_view snp, a1, a2;
  double beta = 0, se = 0, p = 0, n = 0;
  std::uint64_t line = 0;
};

/// Genomic order of (chr, bp): -1, 0, 1.
int compare_pos(const row& a, const row& b) noexcept {
  if (a.chr != b.chr) return a.chr < b.chr ? -1 : 1;
  if (a.chr == unknown_chr && a.chr_name != b.chr_name) return a.chr_name < b.chr_name ? -1 : 1;
  if (a.bp != b.bp) return a.bp < b.bp ? -1 : 1;
  return 0;
}

struct cohort_block {
  std::string text;
  std::vector<row> rows;
  std::vector<bad_row> bad;  ///< first examples only
  std::uint64_t malformed = 0;
  std::uint64_t outside = 0;
  std::uint64_t unsorted_line = 0;  ///< first row out of genomic order in this block (0: none)
  std::uint64_t p_zero = 0;         ///< rows with P = 0, read as the smallest normal double
  std::vector<bad_row> p_zero_examples;
};

struct column_set {
  std::size_t snp, chr, bp, a1, a2, beta, se, p, n;
};
constexpr std::size_t absent = static_cast<std::size_t>(-1);

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r';
}

/// sqrt(DBL_MIN): below it SE^2 is subnormal or 0 and 1/SE^2 overflows.
constexpr double min_se = 1.4916681462400413e-154;

/// Splits a line on runs of blanks. Returns the number of fields (may exceed max; only the first
/// max are stored).
std::size_t split_fields(std::string_view line, std::string_view* fields, std::size_t max) noexcept {
  std::size_t n = 0;
  const char* p = line.data();
  const char* end = p + line.size();
  while (p < end) {
    while (p < end && is_space(*p)) ++p;
    if (p == end) break;
    const char* start = p;
    while (p < end && !is_space(*p)) ++p;
    if (n < max) fields[n] = std::string_view(start, static_cast<std::size_t>(p - start));
    ++n;
  }
  return n;
}

bool parse_double(std::string_view s, double& out) noexcept {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  const auto r = fast_float::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

bool missing_marker(std::string_view s) noexcept {
  return s == "NA" || s == "na" || s == "." || s == "NaN" || s == "nan";
}

class cohort_reader {
 public:
  cohort_reader(const std::string& file, const gwas_options& opt)
      : src_(file), chunker_(src_, opt.chunk_bytes), scheme_(opt.scheme) {
    std::string header;
    if (!chunker_.first_line(header)) fail_input(source_position{file, 1, 0}, "", "empty file: expected a header line");
    std::string_view names[256];
    nfields_ = split_fields(header, names, 256);
    if (nfields_ > 256) fail_input(source_position{file, 1, 0}, "", "more than 256 columns in the header");
    if (nfields_ > 0 && names[0].size() > 1 && names[0][0] == '#') names[0].remove_prefix(1);
    auto find = [&](const char* canonical, bool required, const char* why) -> std::size_t {
      const auto it = opt.columns.find(canonical);
      const std::string want = it == opt.columns.end() ? canonical : it->second;
      for (std::size_t i = 0; i < nfields_; ++i) {
        if (iequals(names[i], want)) return i;
      }
      if (required) {
        std::string present;
        for (std::size_t i = 0; i < nfields_; ++i) {
          if (i) present += ' ';
          present.append(names[i]);
        }
        fail_input(source_position{file, 1, 0}, "",
                   "missing column '" + io::clip_for_message(want) + "' (" + why + "; columns present: " +
                       io::clip_for_message(present) + "; rename with --col " + canonical + "=NAME)");
      }
      return absent;
    };
    const bool ss = scheme_ == gwas_scheme::samplesize;
    cols_.snp = find("SNP", true, "the variant name");
    cols_.chr = find("CHR", true, "the chromosome");
    cols_.bp = find("BP", true, "the position");
    cols_.a1 = find("A1", true, "the effect allele");
    cols_.a2 = find("A2", true, "the other allele");
    cols_.beta = find("BETA", true, "the effect of A1");
    cols_.se = find("SE", !ss, "the standard error of BETA");
    cols_.p = find("P", ss, "the p-value, needed by --scheme samplesize");
    cols_.n = find("N", ss, "the sample size, needed by --scheme samplesize");
    if (opt.only) {
      region_ = true;
      region_chr_ = chrom_code(strip_chr(opt.only->chromosome));
      region_name_ = std::string(strip_chr(opt.only->chromosome));
      region_start_ = opt.only->start;
      region_end_ = opt.only->end;
    }
  }

  [[nodiscard]] const std::string& name() const noexcept { return src_.name(); }

  /// Parses the next chunk into b; false at the end of the file.
  bool next(cohort_block& b) {
    b.rows.clear();
    b.bad.clear();
    b.malformed = b.outside = b.unsorted_line = b.p_zero = 0;
    b.p_zero_examples.clear();
    if (finished_) return false;
    if (!chunker_.next(b.text)) {
      finished_ = true;
      return false;
    }
    parse(b);
    return true;
  }

 private:
  void bad(cohort_block& b, std::uint64_t line, std::string reason) {
    if (++junk_ >= limits::max_junk_rows && junk_ > 99 * good_) {
      // Random bytes (/dev/urandom) have line ends but almost never a row: stop instead of
      // reading forever.
      fail_input(source_position{name(), line, 0}, "",
                 std::to_string(junk_) + " malformed rows and " + std::to_string(good_) +
                     " usable ones (limit max_junk_rows; last problem: " + reason +
                     "); is this a GWAS summary-statistics file?");
    }
    ++b.malformed;
    if (b.bad.size() < max_examples) b.bad.push_back(bad_row{name(), line, std::move(reason)});
  }

  void parse(cohort_block& b) {
    char* p = b.text.data();
    char* const end = p + b.text.size();
    std::string_view f[256];
    b.rows.reserve(b.text.size() / 48);
    while (p < end) {
      char* nl = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
      const std::string_view line(p, static_cast<std::size_t>(nl - p));
      p = nl + 1;
      ++line_;
      const std::size_t n = split_fields(line, f, 256);
      if (n == 0) continue;  // blank line
      if (n != nfields_) {
        bad(b, line_, "expected " + std::to_string(nfields_) + " fields, found " + std::to_string(n));
        continue;
      }
      row r;
      r.line = line_;
      r.chr_name = strip_chr(f[cols_.chr]);
      r.chr = chrom_code(r.chr_name);
      const std::string_view bp = f[cols_.bp];
      const auto bpr = std::from_chars(bp.data(), bp.data() + bp.size(), r.bp);
      if (bpr.ec != std::errc() || bpr.ptr != bp.data() + bp.size()) {
        bad(b, line_, "BP is not a position: '" + io::clip_for_message(bp, 60) + "'");
        continue;
      }
      // Sortedness is checked on every row, inside the region or not.
      if (have_last_) {
        const int c = compare_last(r);
        if (c < 0 && b.unsorted_line == 0 && !unsorted_seen_) {
          b.unsorted_line = line_;
          unsorted_seen_ = true;
        }
      }
      set_last(r);
      ++good_;
      if (region_) {
        const bool same_chr = r.chr == region_chr_ && (r.chr != unknown_chr || r.chr_name == region_name_);
        if (!same_chr || r.bp < region_start_ || r.bp > region_end_) {
          // The rest of the file is still read: stopping at the first row past the region would
          // trust an order not yet checked, and lexicographically sorted chromosomes (1, 10, 2)
          // would silently give no variants instead of the sort-order error.
          ++b.outside;
          continue;
        }
      }
      r.snp = f[cols_.snp];
      if (!numeric(b, f[cols_.beta], "BETA", r.beta)) continue;
      if (cols_.se != absent) {
        if (!numeric(b, f[cols_.se], "SE", r.se)) continue;
        if (!(r.se > 0)) {
          bad(b, line_, "SE must be positive, got " + io::clip_for_message(f[cols_.se], 60));
          continue;
        }
        // The weight is 1/SE^2: a subnormal SE (1e-320) squares to 0 and would make the variant NA.
        if (scheme_ == gwas_scheme::stderr_ivw && r.se < min_se) {
          bad(b, line_,
              "SE " + io::clip_for_message(f[cols_.se], 60) +
                  " is too small to weight (SE^2 underflows; the smallest usable SE is 1.5e-154)");
          continue;
        }
      }
      if (scheme_ == gwas_scheme::samplesize) {
        if (!numeric(b, f[cols_.p], "P", r.p)) continue;
        if (r.p == 0) {
          // Software prints P = 0 when p underflows: the strongest hits. Their z is unbounded, so
          // P is read as the smallest normal double (|Z| = 37.5), which understates them; they
          // are counted and reported rather than dropped.
          r.p = std::numeric_limits<double>::min();
          ++b.p_zero;
          if (b.p_zero_examples.size() < max_examples) {
            b.p_zero_examples.push_back(bad_row{name(), line_, "P = 0 read as 2.2250738585072014e-308"});
          }
        }
        if (!(r.p > 0 && r.p <= 1)) {
          bad(b, line_, "P must lie in [0, 1], got " + io::clip_for_message(f[cols_.p], 60));
          continue;
        }
        if (!numeric(b, f[cols_.n], "N", r.n)) continue;
        if (!(r.n > 0)) {
          bad(b, line_, "N must be positive, got " + io::clip_for_message(f[cols_.n], 60));
          continue;
        }
      }
      // Alleles in upper case, in place (the block owns its text).
      for (const std::size_t c : {cols_.a1, cols_.a2}) {
        char* s = const_cast<char*>(f[c].data());
        for (std::size_t i = 0; i < f[c].size(); ++i) s[i] = upper(s[i]);
      }
      r.a1 = f[cols_.a1];
      r.a2 = f[cols_.a2];
      b.rows.push_back(r);
    }
  }

  bool numeric(cohort_block& b, std::string_view s, const char* what, double& out) {
    if (parse_double(s, out)) return true;
    bad(b, line_,
        std::string(what) + (missing_marker(s) ? " is missing" : " is not a number") + ": '" +
            io::clip_for_message(s, 60) + "'");
    return false;
  }

  int compare_last(const row& r) const noexcept {
    if (r.chr != last_chr_) return r.chr < last_chr_ ? -1 : 1;
    if (r.chr == unknown_chr && r.chr_name != last_name_) return r.chr_name < last_name_ ? -1 : 1;
    if (r.bp != last_bp_) return r.bp < last_bp_ ? -1 : 1;
    return 0;
  }
  void set_last(const row& r) {
    if (r.chr != last_chr_ || (r.chr == unknown_chr && r.chr_name != last_name_)) last_name_.assign(r.chr_name);
    last_chr_ = r.chr;
    last_bp_ = r.bp;
    have_last_ = true;
  }

  byte_source src_;
  line_chunker chunker_;
  gwas_scheme scheme_;
  std::uint64_t junk_ = 0;  ///< malformed rows so far
  std::uint64_t good_ = 0;  ///< rows whose position could be read
  column_set cols_{};
  std::size_t nfields_ = 0;
  std::uint64_t line_ = 1;  // the header
  bool finished_ = false;
  bool have_last_ = false, unsorted_seen_ = false;
  std::uint32_t last_chr_ = 0;
  std::string last_name_;
  std::uint64_t last_bp_ = 0;
  bool region_ = false;
  std::uint32_t region_chr_ = 0;
  std::string region_name_;
  std::uint64_t region_start_ = 0, region_end_ = UINT64_MAX;
};

// ------------------------------------------------------------------------------------------------
// Producers: parse blocks ahead of the consumer

class block_source {
 public:
  block_source(std::vector<std::unique_ptr<cohort_reader>>& readers, int threads, std::size_t depth)
      : readers_(readers), depth_(depth), qs_(readers.size()) {
    const std::size_t producers =
        threads > 1 ? std::min<std::size_t>(static_cast<std::size_t>(threads - 1), readers.size()) : 0;
    for (std::size_t p = 0; p < producers; ++p) workers_.emplace_back([this, p, producers] { produce(p, producers); });
  }
  ~block_source() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  block_source(const block_source&) = delete;
  block_source& operator=(const block_source&) = delete;

  /// Next block of cohort c, or nullptr at its end.
  std::unique_ptr<cohort_block> pop(std::size_t c) {
    if (workers_.empty()) {
      auto b = fresh();
      if (!readers_[c]->next(*b)) return nullptr;
      return b;
    }
    std::unique_lock lock(m_);
    queue& q = qs_[c];
    cv_.wait(lock, [&] { return !q.blocks.empty() || q.done || q.err; });
    if (!q.blocks.empty()) {
      auto b = std::move(q.blocks.front());
      q.blocks.pop_front();
      cv_.notify_all();
      return b;
    }
    if (q.err) std::rethrow_exception(q.err);
    return nullptr;
  }

  /// Gives a consumed block back, so its buffers are reused instead of reallocated (large
  /// allocations are fresh pages: page faults and zeroing for every chunk otherwise).
  void recycle(std::unique_ptr<cohort_block> b) {
    std::lock_guard lock(free_m_);
    if (free_.size() < 4 * readers_.size() + 4) free_.push_back(std::move(b));
  }

 private:
  struct queue {
    std::deque<std::unique_ptr<cohort_block>> blocks;
    bool done = false;
    std::exception_ptr err;
  };

  void produce(std::size_t self, std::size_t producers) {
    std::unique_lock lock(m_);
    for (;;) {
      std::size_t pick = readers_.size();
      bool any_open = false;
      for (std::size_t c = self; c < readers_.size(); c += producers) {
        if (qs_[c].done || qs_[c].err) continue;
        any_open = true;
        if (qs_[c].blocks.size() < depth_ &&
            (pick == readers_.size() || qs_[c].blocks.size() < qs_[pick].blocks.size())) {
          pick = c;
        }
      }
      if (stop_ || !any_open) return;
      if (pick == readers_.size()) {
        cv_.wait(lock);
        continue;
      }
      lock.unlock();
      auto b = fresh();
      bool more = false;
      std::exception_ptr err;
      try {
        more = readers_[pick]->next(*b);
      } catch (...) {
        err = std::current_exception();
      }
      lock.lock();
      if (err) {
        qs_[pick].err = err;
      } else if (more) {
        qs_[pick].blocks.push_back(std::move(b));
      } else {
        qs_[pick].done = true;
      }
      cv_.notify_all();
    }
  }

  std::unique_ptr<cohort_block> fresh() {
    std::lock_guard lock(free_m_);
    if (free_.empty()) return std::make_unique<cohort_block>();
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }

  std::mutex free_m_;
  std::vector<std::unique_ptr<cohort_block>> free_;
  std::vector<std::unique_ptr<cohort_reader>>& readers_;
  std::size_t depth_;
  std::vector<queue> qs_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

struct unsorted_input {
  std::string message;
};

// ------------------------------------------------------------------------------------------------
// Per-variant statistics

struct entry {
  std::uint32_t cohort;
  const row* r;
};

class variant_writer {
 public:
  variant_writer(const gwas_options& opt, gwas_report& rep, const std::vector<std::string>& names)
      : opt_(opt), rep_(rep), names_(names), cohorts_(names.size()), seen_(names.size(), 0) {
    if (opt.random) {
      spec_.est = *opt.random;
      spec_.tau2_ci = false;
    }
    y_.reserve(cohorts_);
    v_.reserve(cohorts_);
    z_.reserve(cohorts_);
    n_.reserve(cohorts_);
  }

  /// One output line for the rows of one variant (es.front() is the reference cohort's).
  void emit(std::span<const entry> es, std::string& out) {
    const row& ref = *es.front().r;
    std::string dir(cohorts_, '?');
    harmonise(es, dir);
    ++rep_.variants;
    append_variant(out, ref);
    const std::size_t k = y_.size();
    const fixed_text fe = append_fixed_effect(out);
    out += '\t';
    append_heterogeneity(out, fe.q, k);
    out += '\t';
    out += dir;
    if (opt_.random && !append_random_effects(out, fe)) return;
    out += '\n';
  }

 private:
  /// Where the fixed-effect BETA, SE and P were written (empty for the sample-size scheme), and Q.
  struct fixed_text {
    std::size_t begin = 0, end = 0;
    double q = 0;
  };

  /// Puts every cohort's row on the reference alleles into y_, v_ (and z_, n_ for the sample-size
  /// scheme), marking its direction in dir; duplicates and mismatches are counted and left out.
  void harmonise(std::span<const entry> es, std::string& dir) {
    const row& ref = *es.front().r;
    y_.clear();
    v_.clear();
    z_.clear();
    n_.clear();
    ++stamp_;
    for (const entry& e : es) {
      const row& r = *e.r;
      if (seen_[e.cohort] == stamp_) {
        ++rep_.duplicates;
        continue;
      }
      seen_[e.cohort] = stamp_;
      const detail::allele_match m = detail::match_alleles(r.a1, r.a2, ref.a1, ref.a2);
      if (m == detail::allele_match::mismatch) {
        note_mismatch(r, e.cohort, ref, es.front().cohort);
        continue;
      }
      if (m == detail::allele_match::swapped || m == detail::allele_match::flipped_and_swapped) ++rep_.swapped;
      if (m == detail::allele_match::strand_flipped || m == detail::allele_match::flipped_and_swapped) {
        ++rep_.strand_flipped;
      }
      const double b = detail::beta_sign(m) * r.beta;
      dir[e.cohort] = b > 0 ? '+' : b < 0 ? '-' : '0';
      y_.push_back(b);
      v_.push_back(r.se * r.se);
      if (opt_.scheme == gwas_scheme::samplesize) {
        const double z = -math::normal_quantile(0.5 * r.p);
        z_.push_back(b > 0 ? z : b < 0 ? -z : 0.0);
        n_.push_back(r.n);
      }
    }
  }

  void note_mismatch(const row& r, std::uint32_t cohort, const row& ref, std::uint32_t ref_cohort) {
    ++rep_.allele_mismatch;
    if (rep_.mismatch_examples.size() < max_examples) {
      rep_.mismatch_examples.push_back(bad_row{names_[cohort], r.line,
                                               std::string(r.snp) + ": alleles " + std::string(r.a1) + "/" +
                                                   std::string(r.a2) + " do not match " + std::string(ref.a1) + "/" +
                                                   std::string(ref.a2) + " of " + names_[ref_cohort]});
    }
  }

  /// SNP, CHR, BP, A1 and A2, each followed by a tab.
  static void append_variant(std::string& out, const row& ref) {
    out.append(ref.snp);
    out += '\t';
    append_chrom(out, ref.chr, ref.chr_name);
    out += '\t';
    append_uint(out, ref.bp);
    out += '\t';
    out.append(ref.a1);
    out += '\t';
    out.append(ref.a2);
    out += '\t';
  }

  /// BETA, SE and P of the inverse-variance fixed effect, or Z, N and P of the sample-size scheme.
  fixed_text append_fixed_effect(std::string& out) {
    fixed_text t;
    if (opt_.scheme == gwas_scheme::samplesize) {
      const detail::weighted_z w = detail::sample_size_z(z_, n_);
      t.q = w.q;
      metasift::append_general(out, w.z, digits, na);
      out += '\t';
      metasift::append_general(out, w.sum_n, digits, na);
      out += '\t';
      append_pvalue(out, normal_two_sided(w.z), digits, na);
      return t;
    }
    const models::iv_pooled fe = models::pool_iv(y_, v_, 0.0, true);
    t.q = fe.q;
    t.begin = out.size();
    metasift::append_general(out, fe.estimate, digits, na);
    out += '\t';
    metasift::append_general(out, fe.se, digits, na);
    out += '\t';
    append_pvalue(out, normal_two_sided(fe.estimate / fe.se), digits, na);
    t.end = out.size();
    return t;
  }

  /// Q, its p-value, I^2 and df (Q = 0 and NA with fewer than two cohorts).
  static void append_heterogeneity(std::string& out, double q, std::size_t k) {
    const double df = static_cast<double>(k) - 1.0;
    if (k >= 2) {
      metasift::append_general(out, q, digits, na);
      out += '\t';
      append_pvalue(out, chisq_upper_tail(q, df), digits, na);
      out += '\t';
      metasift::append_general(out, detail::i2_percent(q, df), digits, na);
    } else {
      out += "0\tNA\tNA";  // Q = 0; Q_P and I2 are undefined with one cohort
    }
    out += '\t';
    append_uint(out, k > 0 ? k - 1 : 0);
  }

  /// BETA, SE, P and tau^2 of the random-effects model. False when it finished the line itself (tau^2
  /// = 0: the fixed-effect text is copied).
  bool append_random_effects(std::string& out, const fixed_text& fe) {
    const std::size_t k = y_.size();
    double tau2 = 0;
    if (k >= 2) tau2 = models::estimate_tau2(y_, v_, spec_).tau2;
    if (tau2 == 0.0) {
      // w = 1/(v + 0) = 1/v exactly: the random-effects numbers are the fixed-effect ones, so
      // their text is copied rather than computed and formatted again.
      char copy[128];
      const std::size_t n = fe.end - fe.begin;
      if (n < sizeof copy) {
        out.copy(copy, n, fe.begin);
        out += '\t';
        out.append(copy, n);
        out += "\t0\n";
        return false;
      }
    }
    const models::iv_pooled re = models::pool_iv(y_, v_, tau2);
    out += '\t';
    metasift::append_general(out, re.estimate, digits, na);
    out += '\t';
    metasift::append_general(out, re.se, digits, na);
    out += '\t';
    append_pvalue(out, normal_two_sided(re.estimate / re.se), digits, na);
    out += '\t';
    metasift::append_general(out, tau2, digits, na);
    return true;
  }

  const gwas_options& opt_;
  gwas_report& rep_;
  const std::vector<std::string>& names_;
  std::size_t cohorts_;
  std::vector<std::uint64_t> seen_;
  std::uint64_t stamp_ = 0;
  std::vector<double> y_, v_, z_, n_;
  models::model_spec spec_;
};

void note_block(gwas_report& rep, const cohort_block& b) {
  rep.rows_read += b.rows.size();
  rep.rows_outside_region += b.outside;
  rep.malformed += b.malformed;
  for (const auto& x : b.bad) {
    if (rep.malformed_examples.size() < max_examples) rep.malformed_examples.push_back(x);
  }
  rep.p_zero += b.p_zero;
  for (const auto& x : b.p_zero_examples) {
    if (rep.p_zero_examples.size() < max_examples) rep.p_zero_examples.push_back(x);
  }
}

/// Orders the entries of one position by SNP name (stable: cohort and file order kept) and emits
/// one line per name.
void emit_position(std::vector<entry>& es, variant_writer& w, std::string& out) {
  // Insertion sort: stable, allocation-free, and a position rarely has more than a few rows.
  for (std::size_t i = 1; i < es.size(); ++i) {
    const entry e = es[i];
    std::size_t j = i;
    while (j > 0 && e.r->snp < es[j - 1].r->snp) {
      es[j] = es[j - 1];
      --j;
    }
    es[j] = e;
  }
  std::size_t i = 0;
  while (i < es.size()) {
    std::size_t j = i + 1;
    while (j < es.size() && es[j].r->snp == es[i].r->snp) ++j;
    w.emit(std::span<const entry>(es.data() + i, j - i), out);
    i = j;
  }
}

constexpr std::size_t flush_bytes = std::size_t{1} << 20;

void run_stream(const gwas_options& opt, std::vector<std::unique_ptr<cohort_reader>>& readers, gwas_report& rep,
                const std::vector<std::string>& names, detail::async_writer& writer, std::string& out) {
  const std::size_t C = readers.size();
  block_source source(readers, opt.threads, 3);
  struct cursor {
    std::unique_ptr<cohort_block> blk;
    std::size_t i = 0;
    bool end = false;
  };
  std::vector<cursor> cur(C);
  std::vector<std::unique_ptr<cohort_block>> retired;  // blocks whose rows the current position still uses
  auto load = [&](std::size_t c) {
    for (;;) {
      if (cur[c].blk) retired.push_back(std::move(cur[c].blk));
      cur[c].blk = source.pop(c);
      cur[c].i = 0;
      if (!cur[c].blk) {
        cur[c].end = true;
        return;
      }
      note_block(rep, *cur[c].blk);
      if (cur[c].blk->unsorted_line != 0 && opt.merge != merge_mode::hash) {
        throw unsorted_input{names[c] + ":" + std::to_string(cur[c].blk->unsorted_line) +
                             ": row out of genomic order (by chromosome 1-22, X, Y, XY, MT, then position)"};
      }
      if (!cur[c].blk->rows.empty()) return;
    }
  };
  for (std::size_t c = 0; c < C; ++c) load(c);
  variant_writer w(opt, rep, names);
  std::vector<entry> es;
  for (;;) {
    const row* min = nullptr;
    for (std::size_t c = 0; c < C; ++c) {
      if (cur[c].end) continue;
      const row& r = cur[c].blk->rows[cur[c].i];
      if (min == nullptr || compare_pos(r, *min) < 0) min = &r;
    }
    if (min == nullptr) break;
    const row key = *min;  // copy: min's block may be retired below
    es.clear();
    for (std::size_t c = 0; c < C; ++c) {
      while (!cur[c].end && compare_pos(cur[c].blk->rows[cur[c].i], key) == 0) {
        es.push_back(entry{static_cast<std::uint32_t>(c), &cur[c].blk->rows[cur[c].i]});
        if (++cur[c].i == cur[c].blk->rows.size()) load(c);
      }
    }
    emit_position(es, w, out);
    for (auto& b : retired) source.recycle(std::move(b));
    retired.clear();
    if (out.size() >= flush_bytes) writer.put(out);
  }
}

struct variant_key {
  std::uint32_t chr;
  std::string_view chr_name;
  std::uint64_t bp;
  std::string_view snp;
  bool operator==(const variant_key& o) const noexcept {
    return chr == o.chr && bp == o.bp && snp == o.snp && (chr != unknown_chr || chr_name == o.chr_name);
  }
};
struct variant_key_hash {
  std::size_t operator()(const variant_key& k) const noexcept {
    std::uint64_t h = std::hash<std::string_view>{}(k.snp);
    h ^= (k.bp + 0x9E3779B97F4A7C15ULL + (h << 6U) + (h >> 2U));
    h ^= (static_cast<std::uint64_t>(k.chr) * 0xBF58476D1CE4E5B9ULL);
    return static_cast<std::size_t>(h);
  }
};

void run_hash(const gwas_options& opt, std::vector<std::unique_ptr<cohort_reader>>& readers, gwas_report& rep,
              const std::vector<std::string>& names, detail::async_writer& writer, std::string& out) {
  const std::size_t C = readers.size();
  // Every row of every cohort in memory, cohort by cohort.
  std::vector<std::pair<std::uint32_t, std::unique_ptr<cohort_block>>> blocks;
  {
    block_source source(readers, opt.threads, 4);
    for (std::size_t c = 0; c < C; ++c) {
      while (auto b = source.pop(c)) {
        note_block(rep, *b);
        blocks.emplace_back(static_cast<std::uint32_t>(c), std::move(b));
      }
    }
  }
  std::size_t total = 0;
  for (const auto& b : blocks) total += b.second->rows.size();

  // Hash join: variant key -> dense id; entries keep cohort order and, within a cohort, file order.
  std::unordered_map<variant_key, std::uint32_t, variant_key_hash> ids;
  ids.reserve(total);
  std::vector<const row*> first;  // one row per variant, for its key
  std::vector<std::uint32_t> entry_vid;
  std::vector<entry> entries;
  entries.reserve(total);
  entry_vid.reserve(total);
  for (const auto& [c, b] : blocks) {
    for (const row& r : b->rows) {
      const variant_key k{r.chr, r.chr_name, r.bp, r.snp};
      const auto [it, inserted] = ids.try_emplace(k, static_cast<std::uint32_t>(first.size()));
      if (inserted) first.push_back(&r);
      entries.push_back(entry{c, &r});
      entry_vid.push_back(it->second);
    }
  }
  ids = {};
  // Genomic order of the variants, then a stable counting sort of the entries by that order.
  const std::size_t V = first.size();
  std::vector<std::uint32_t> order(V);
  for (std::size_t i = 0; i < V; ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int c = compare_pos(*first[a], *first[b]);
    if (c != 0) return c < 0;
    return first[a]->snp < first[b]->snp;
  });
  std::vector<std::uint32_t> rank(V);
  for (std::size_t i = 0; i < V; ++i) rank[order[i]] = static_cast<std::uint32_t>(i);
  std::vector<std::size_t> start(V + 1, 0);
  for (const std::uint32_t v : entry_vid) ++start[rank[v] + 1];
  for (std::size_t i = 0; i < V; ++i) start[i + 1] += start[i];
  std::vector<entry> sorted(entries.size());
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < entries.size(); ++i) sorted[fill[rank[entry_vid[i]]]++] = entries[i];
  }
  entries = {};
  entry_vid = {};
  variant_writer w(opt, rep, names);
  for (std::size_t i = 0; i < V; ++i) {
    w.emit(std::span<const entry>(sorted.data() + start[i], start[i + 1] - start[i]), out);
    if (out.size() >= flush_bytes) writer.put(out);
  }
}

}  // namespace

region parse_region(const std::string& text) {
  region r;
  const auto colon = text.find(':');
  r.chromosome = text.substr(0, colon);
  if (r.chromosome.empty()) fail_usage("--region", "expected chr, chr:pos or chr:start-end, got '" + text + "'");
  if (colon == std::string::npos) return r;
  std::string range = text.substr(colon + 1);
  range.erase(std::remove(range.begin(), range.end(), ','), range.end());
  const auto dash = range.find('-');
  auto num = [&](const std::string& s, std::uint64_t& out) {
    const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
    if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) {
      fail_usage("--region", "expected chr, chr:pos or chr:start-end, got '" + text + "'");
    }
  };
  if (dash == std::string::npos) {
    num(range, r.start);
    r.end = r.start;
  } else {
    num(range.substr(0, dash), r.start);
    if (dash + 1 < range.size()) num(range.substr(dash + 1), r.end);
  }
  if (r.end < r.start) fail_usage("--region", "the end lies before the start in '" + text + "'");
  return r;
}

std::string gwas_header(const gwas_options& opt) {
  std::string h = opt.scheme == gwas_scheme::samplesize
                      ? "SNP\tCHR\tBP\tA1\tA2\tZ\tN\tP\tQ\tQ_P\tI2\tDF\tDIRECTION"
                      : "SNP\tCHR\tBP\tA1\tA2\tBETA\tSE\tP\tQ\tQ_P\tI2\tDF\tDIRECTION";
  if (opt.random) h += "\tBETA_R\tSE_R\tP_R\tTAU2";
  h += '\n';
  return h;
}

gwas_report run_gwas(const gwas_options& opt) {
  if (opt.files.empty()) fail_usage("FILES", "no input files");
  if (opt.threads < 1) fail_usage("--threads", "must be at least 1");
  if (opt.random && *opt.random != models::method::DL && *opt.random != models::method::REML) {
    fail_usage("--random", "must be DL or REML");
  }
  if (opt.random && opt.scheme == gwas_scheme::samplesize) {
    fail_usage("--random", "random effects need the inverse-variance scheme, not --scheme samplesize");
  }
  gwas_report rep;
  rep.threads = opt.threads;
  std::vector<std::string> names(opt.files.begin(), opt.files.end());
  output_sink sink(opt.out, opt.sync);
  const std::string header = gwas_header(opt);

  auto attempt = [&](merge_mode mode) {
    std::vector<std::unique_ptr<cohort_reader>> readers;
    gwas_options o = opt;
    o.merge = mode;
    for (const auto& f : opt.files) readers.push_back(std::make_unique<cohort_reader>(f, o));
    detail::async_writer writer(sink, opt.threads > 1);
    std::string out = header;
    out.reserve(flush_bytes + 4096);
    if (mode == merge_mode::hash) {
      run_hash(o, readers, rep, names, writer, out);
    } else {
      run_stream(o, readers, rep, names, writer, out);
    }
    if (!out.empty()) writer.put(out);
    writer.finish();
  };

  if (opt.merge == merge_mode::hash) {
    rep.used_hash_join = true;
    attempt(merge_mode::hash);
  } else {
    try {
      attempt(opt.merge);
    } catch (const unsorted_input& u) {
      if (opt.merge == merge_mode::stream) {
        fail_input(source_position{}, "",
                   u.message + " (--merge stream needs position-sorted input; use --merge hash)");
      }
      // The hash join reads every input again: a pipe cannot be, and would be read from where
      // the first attempt stopped (its header long gone).
      for (const auto& f : opt.files) {
        struct stat st {};
        if (f == "-" || f.empty() || ::stat(f.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
          fail_input(source_position{}, "",
                     u.message + ": '" + (f.empty() ? std::string("-") : f) +
                         "' is not a regular file and cannot be read twice for the hash join; use --merge hash");
        }
      }
      if (!sink.restart()) {
        fail_input(source_position{}, "",
                   u.message + ": output had already gone to standard output; rerun with --merge hash or --out FILE");
      }
      const std::size_t threads = static_cast<std::size_t>(rep.threads);
      rep = gwas_report{};
      rep.threads = static_cast<int>(threads);
      rep.used_hash_join = true;
      rep.unsorted_note = u.message;
      attempt(merge_mode::hash);
    }
  }
  sink.commit();
  return rep;
}

}  // namespace metasift::batch
