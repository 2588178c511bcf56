// `metasift batch`: grouped meta-analyses as a single-pass filter (see batch.hpp).
//
// The calling thread reads the input in chunks of whole lines and cuts them into blocks that end
// at a group boundary; each block is parsed, fitted and formatted on its own (on a worker thread
// when --threads > 1), and the blocks' outputs are written in input order. A group's output row
// depends only on that group's rows, which is what makes partitioned runs concatenate exactly.

#include <fast_float/fast_float.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <span>
#include <unordered_set>

#include "metasift/batch/batch.hpp"
#include "metasift/batch/format.hpp"
#include "metasift/batch/stream.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/limits.hpp"
#include "metasift/core/text.hpp"
#include "metasift/effects/compute.hpp"
#include "metasift/io/records.hpp"
#include "metasift/math/distributions.hpp"
#include "metasift/models/fit.hpp"

namespace metasift::batch {
namespace {

constexpr std::size_t max_examples = 20;
constexpr std::size_t absent = static_cast<std::size_t>(-1);

using metasift::text::iequals;

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// A record without blanks and its line end; empty for a blank line.
std::string_view trim_line(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return trim(s);
}

/// Missing values as batch has always read them: a blank cell, NA, na or ".". (meta reads NA and
/// "." the same way; the lower-case "na" is batch's own and kept for existing pipelines.)
bool missing_marker(std::string_view s) noexcept {
  return s.empty() || s == "NA" || s == "." || s == "na";
}

enum class num { ok, missing, invalid };

/// A cell as a number under the rules of io tables (io::parse_number): decimal comma in
/// ';'-separated input, no NaN or Inf, no overflow. `why` gets the reason when it is not one.
num parse_number(std::string_view s, bool decimal_comma, double& out, std::string& why) {
  s = trim(s);
  if (missing_marker(s)) return num::missing;
  const io::number_status st = io::parse_number(s, decimal_comma, out);
  if (st == io::number_status::ok) return num::ok;
  why = io::number_problem(st, s);
  return num::invalid;
}

/// Splits one record into trimmed cells; false (with the reason) when io::split_record refuses it.
bool split_cells(std::string_view record, char delim, const std::string& file, std::uint64_t line,
                 std::vector<std::string>& cells, std::string& why) {
  try {
    io::split_record(record, delim, file, line, cells);
  } catch (const input_error& e) {
    why = e.detail();
    if (e.where().column > 0) {
      why += " (line " + std::to_string(e.where().line) + ", column " + std::to_string(e.where().column) + ")";
    }
    return false;
  }
  for (auto& c : cells) {
    const std::string_view t = trim(c);
    if (t.size() != c.size()) c = std::string(t);
  }
  return true;
}

/// What the header says: where each needed column is.
struct layout {
  char delim = ',';
  bool decimal_comma = false;  ///< ';'-separated input: numbers may use a decimal comma (as io tables)
  std::size_t nfields = 0;
  std::size_t group = absent;
  effects::measure m = effects::measure::GEN;
  bool fast = false;  ///< GEN with vi or sei: yi/vi straight into the kernel
  std::size_t yi = absent, vi = absent, sei = absent;
  std::vector<std::pair<std::string, std::size_t>> needed;  ///< general path: canonical -> column
  std::vector<std::string> names;                           ///< the input's column names
  std::string file;
};

layout resolve_layout(const batch_options& opt, std::vector<std::string> names, char delim, const std::string& file) {
  layout L;
  L.delim = delim;
  L.decimal_comma = delim == ';';
  L.nfields = names.size();
  L.file = file;
  L.names = names;
  auto find = [&](const std::string& canonical) -> std::size_t {
    const auto it = opt.columns.find(canonical);
    const std::string& want = it == opt.columns.end() ? canonical : it->second;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (iequals(names[i], want)) return i;
    }
    return absent;
  };
  auto missing = [&](const std::string& canonical, const std::string& why) {
    const auto it = opt.columns.find(canonical);
    const std::string& want = it == opt.columns.end() ? canonical : it->second;
    std::string present;
    for (const auto& n : names) {
      if (!present.empty()) present += ", ";
      present += n;
    }
    fail_input(source_position{file, 1, 0}, "",
               "missing column '" + want + "' " + why + " (columns present: " + io::clip_for_message(present) + ")");
  };
  if (!opt.group.empty()) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (iequals(names[i], opt.group)) L.group = i;
    }
    if (L.group == absent) missing(opt.group, "named by --group");
  }
  if (opt.measure) {
    L.m = *opt.measure;
  } else if (find("yi") != absent) {
    L.m = effects::measure::GEN;
  } else {
    fail_usage("--measure", "not given, and the data have no 'yi' column to pool as generic effects");
  }
  const models::method est = opt.resolved.spec.est;
  using effects::measure;
  if (est == models::method::MH && L.m != measure::OR && L.m != measure::RR && L.m != measure::RD &&
      L.m != measure::IRR && L.m != measure::IRD) {
    fail_usage("--method", "Mantel-Haenszel pooling needs measure OR, RR, RD, IRR or IRD");
  }
  if (est == models::method::PETO && L.m != measure::OR && L.m != measure::PETO) {
    fail_usage("--method", "Peto pooling needs measure OR or PETO");
  }
  if ((est == models::method::MH || est == models::method::PETO) && opt.resolved.spec.test != models::ci_method::z) {
    fail_usage("--ci-method", "Mantel-Haenszel and Peto pooling use the z test only");
  }
  const std::string why = "required by measure " + std::string(effects::to_string(L.m));
  std::vector<std::string> wanted = effects::required_columns(L.m);
  if (L.m == measure::GEN) {
    L.yi = find("yi");
    if (L.yi == absent) missing("yi", why);
    L.vi = find("vi");
    if (L.vi == absent) L.sei = find("sei");
    if (L.vi != absent || L.sei != absent) {
      L.fast = true;
      return L;
    }
    if (find("ci_lower") == absent || find("ci_upper") == absent) {
      missing("vi", "(or 'sei', or 'ci_lower' and 'ci_upper') required by measure GEN");
    }
    wanted.push_back("ci_lower");
    wanted.push_back("ci_upper");
  }
  for (const auto& c : wanted) {
    const std::size_t i = find(c);
    if (i == absent) missing(c, why);
    L.needed.emplace_back(c, i);
  }
  return L;
}

/// One block's output and its share of the report.
struct block_result {
  std::string out;
  batch_report rep;
  std::vector<std::pair<std::string, std::uint64_t>> groups;  ///< name, first line
};

/// Thread CPU time in seconds (for --timing: robust against other processes on the machine).
double thread_cpu_seconds() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// Parses, fits and formats one block. The yi/vi fast path works in three phases -- parse every
/// row of the block into flat arrays, fit every group, format every row -- so the fits run in a
/// tight loop (and --timing can time exactly that loop); the other measures go group by group
/// through effects::compute and models::fit.
class block_worker {
 public:
  block_worker(const layout& L, const batch_options& opt, bool timing) : L_(L), opt_(opt), timing_(timing) {
    spec_ = opt.resolved.spec;
    spec_.tau2_ci = false;
    z_crit_ = math::normal_critical(spec_.level);
  }

  void run(std::string& text, std::uint64_t first_line, block_result& res) {
    res_ = &res;
    const std::string_view all(text);
    std::size_t p = 0;
    std::uint64_t line = first_line;
    open_ = false;
    while (p < all.size()) {
      // Records, not lines: a quoted field may hold line ends (RFC 4180). A quote left open at
      // the end of the input makes split_cells report it at its line and column.
      std::size_t e = io::record_end(all, p, L_.delim);
      const bool unclosed = e == std::string_view::npos;
      if (unclosed) e = all.size();
      const std::string_view rec = all.substr(p, e - p);
      const std::uint64_t rec_line = line;
      line += count_lines(rec);
      p = e;
      if (trim_line(rec).empty()) continue;
      if (!split_cells(rec, L_.delim, L_.file, rec_line, f_, why_)) {
        // A quote never closed swallows every later line: refuse the file (the error names the
        // quote's line and column), as io tables do, rather than lose those rows in one record.
        if (unclosed) io::split_record(rec, L_.delim, L_.file, rec_line, f_);
        bad(rec_line, why_);
        continue;
      }
      if (f_.size() != L_.nfields) {
        bad(rec_line, "expected " + std::to_string(L_.nfields) + " fields, found " + std::to_string(f_.size()));
        continue;
      }
      const std::string_view g = L_.group == absent ? std::string_view() : std::string_view(f_[L_.group]);
      if (!open_ || g != name_) {
        if (open_) finish();
        start(g, rec_line);
      }
      add_row(f_, rec_line);
    }
    if (open_) finish();
    if (L_.fast) fit_and_format_pending();
  }

 private:
  struct fit_row {
    double k = 0, est = models::not_available, se = models::not_available, lo = models::not_available,
           hi = models::not_available, p = models::not_available, tau2 = models::not_available,
           I2 = models::not_available, Q = models::not_available;
    // For the JSON output: the test statistic and its df (t-based tests), the prediction
    // interval, and the harmonic mean n the PFT back-transform needs.
    double stat = models::not_available, df = models::not_available, pi_lo = models::not_available,
           pi_hi = models::not_available, harmonic_n = 0.0;
    std::uint64_t excluded = 0;  ///< the group's rows excluded for a missing value
    std::string_view status;
  };
  struct pending_group {
    std::string name;
    std::uint64_t first_line;
    std::size_t begin, end;  ///< rows in y_/v_
    std::uint64_t missing;   ///< rows excluded for a missing value
  };

  void bad(std::uint64_t line, std::string why) {
    ++res_->rep.malformed;
    if (res_->rep.malformed_examples.size() < max_examples)
      res_->rep.malformed_examples.push_back({line, std::move(why)});
  }

  /// A row with a missing value in a needed column: excluded from its group and named, as `meta`
  /// excludes such a study; unlike a malformed row it says nothing about the file's health.
  void missing(std::uint64_t line, const std::string& column) {
    ++group_missing_;
    ++res_->rep.missing;
    if (res_->rep.missing_examples.size() < max_examples) {
      res_->rep.missing_examples.push_back({line, (L_.group == absent ? std::string() : "group '" + name_ + "': ") +
                                                      "missing value in column '" + column + "'"});
    }
  }

  void start(std::string_view g, std::uint64_t line) {
    group_missing_ = 0;
    open_ = true;
    name_.assign(g);
    first_line_ = line;
    begin_ = y_.size();
    lines_.clear();
    for (auto& c : cols_) {
      c.values.clear();
      c.where.clear();
    }
    if (cols_.size() != L_.needed.size()) {
      cols_.resize(L_.needed.size());
      for (std::size_t i = 0; i < L_.needed.size(); ++i) cols_[i].name = L_.needed[i].first;
    }
  }

  void add_row(const std::vector<std::string>& f, std::uint64_t line) {
    if (L_.fast) {
      double y = 0, s = 0;
      const std::size_t vc = L_.vi != absent ? L_.vi : L_.sei;
      const char* vname = L_.vi != absent ? "vi" : "sei";
      const num a = parse_number(f[L_.yi], L_.decimal_comma, y, why_);
      const num b = parse_number(f[vc], L_.decimal_comma, s, why2_);
      if (a == num::missing || b == num::missing) {
        missing(line, L_.names[a == num::missing ? L_.yi : vc]);
        return;
      }
      if (a != num::ok) {
        bad(line, "yi: " + why_);
        return;
      }
      if (b != num::ok) {
        bad(line, std::string(vname) + ": " + why2_);
        return;
      }
      if (!(s > 0)) {
        bad(line, std::string(vname) + " must be positive, got " + std::string(f[vc]));
        return;
      }
      y_.push_back(y);
      v_.push_back(L_.vi != absent ? s : s * s);
      return;
    }
    // General path: every needed column must be a number.
    double vals[16];
    for (std::size_t i = 0; i < L_.needed.size(); ++i) {
      if (missing_marker(trim(f[L_.needed[i].second]))) {
        missing(line, L_.names[L_.needed[i].second]);
        return;
      }
    }
    for (std::size_t i = 0; i < L_.needed.size(); ++i) {
      const std::string_view cell = f[L_.needed[i].second];
      const num r = parse_number(cell, L_.decimal_comma, vals[i], why_);
      if (r != num::ok) {
        bad(line, L_.needed[i].first + ": " + why_);
        return;
      }
    }
    for (std::size_t i = 0; i < L_.needed.size(); ++i) {
      cols_[i].values.push_back(vals[i]);
      cols_[i].where.push_back(source_position{L_.file, line, 0});
    }
    lines_.push_back(line);
  }

  /// yi/vi straight into the kernel: the numbers models::fit would give, without its per-study rows.
  fit_row fit_fast(std::span<const double> y, std::span<const double> v) const {
    fit_row r;
    const std::size_t k = y.size();
    r.k = static_cast<double>(k);
    if (k == 0) {
      r.status = "k<2";
      return r;
    }
    // The same refusal as models::fit (meta): yi = 1e308 overflows the sums instead of pooling.
    models::check_representable(y, v, {});
    const bool random = models::is_random_effects(spec_.est);
    models::tau2_estimate t2;
    if (k >= 2) t2 = models::estimate_tau2(y, v, spec_);
    pool_cached(y, v, t2.tau2, r);
    r.tau2 = random ? t2.tau2 : 0.0;
    if (k == 1) {
      r.Q = 0;
      r.I2 = 0;
      r.status = "k<2";
      return r;
    }
    // Q with w = 1/v, and I^2 as models::fit: tau^2-based for random effects, Q-based for EE.
    double s1 = 0, s2 = 0, swy = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double w = 1.0 / v[i];
      s1 += w;
      s2 += w * w;
      swy += w * y[i];
    }
    const double mu = swy / s1;
    double q = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double d = y[i] - mu;
      const double w = 1.0 / v[i];
      q += w * d * d;
    }
    const double df = static_cast<double>(k) - 1.0;
    r.Q = std::max(0.0, q);
    if (random) {
      const double typical_v = df / (s1 - s2 / s1);
      r.I2 = 100.0 * r.tau2 / (typical_v + r.tau2);
    } else {
      r.I2 = r.Q > 0 ? std::max(0.0, 100.0 * (r.Q - df) / r.Q) : 0.0;
    }
    r.status = to_string(t2.status);
    return r;
  }

  /// models::pool's estimate, SE, CI and p, operation for operation (so the same doubles), with the
  /// critical values computed once per block instead of once per group.
  void pool_cached(std::span<const double> y, std::span<const double> v, double tau2, fit_row& r) const {
    const std::size_t k = y.size();
    double s1 = 0, swy = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double w = 1.0 / (v[i] + tau2);
      s1 += w;
      swy += w * y[i];
    }
    const double mu = swy / s1;
    double var = 1.0 / s1;
    double crit = models::not_available;
    if (models::uses_t(spec_.test) && spec_.test != models::ci_method::t) {
      double ypy = 0;
      for (std::size_t i = 0; i < k; ++i) {
        const double w = 1.0 / (v[i] + tau2);
        const double d = y[i] - mu;
        const double wr = w * d;
        ypy += wr * d;
      }
      var *= models::hk_scale(spec_.test, ypy, static_cast<double>(k) - 1.0);
    }
    r.est = mu;
    r.se = std::sqrt(var);
    const double stat = r.est / r.se;
    r.stat = stat;
    if (models::uses_t(spec_.test)) {
      const double df = static_cast<double>(k) - 1.0;
      r.df = df;
      if (df > 0) {
        r.p = math::t_two_sided_p(stat, df);
        crit = t_critical(k);
      }
    } else {
      r.p = math::normal_two_sided_p(stat);
      crit = z_crit_;
    }
    r.lo = r.est - crit * r.se;
    r.hi = r.est + crit * r.se;
    if (opt_.json) prediction_interval(var, tau2, k, r);
  }

  /// The prediction interval as models::fit gives it (only the JSON output has it): the CI for a
  /// common-effect model, else estimate -+ crit * sqrt(var + tau2) with crit from the PI method.
  void prediction_interval(double var, double tau2, std::size_t k, fit_row& r) const {
    if (!models::is_random_effects(spec_.est)) {
      r.pi_lo = r.lo;
      r.pi_hi = r.hi;
      return;
    }
    const double kd = static_cast<double>(k);
    double crit = models::not_available;
    switch (spec_.pi) {
      case models::pi_method::z: crit = z_crit_; break;
      case models::pi_method::t_k1:
        if (kd - 1.0 > 0) crit = math::t_critical(spec_.level, kd - 1.0);
        break;
      case models::pi_method::t_k2:
        if (kd - 2.0 > 0) crit = math::t_critical(spec_.level, kd - 2.0);
        break;
    }
    const double half = crit * std::sqrt(var + tau2);
    r.pi_lo = r.est - half;
    r.pi_hi = r.est + half;
  }

  double t_critical(std::size_t k) const {
    if (t_crit_.size() <= k) t_crit_.resize(k + 1, models::not_available);
    if (std::isnan(t_crit_[k])) t_crit_[k] = math::t_critical(spec_.level, static_cast<double>(k) - 1.0);
    return t_crit_[k];
  }

  fit_row fit_general() {
    fit_row r;
    effects::raw_data raw;
    for (const std::uint64_t l : lines_) raw.labels.push_back("line " + std::to_string(l));
    for (std::size_t i = 0; i < cols_.size(); ++i) raw.columns.emplace(L_.needed[i].first, cols_[i]);
    const effects::effect_table t = effects::compute(L_.m, raw, opt_.resolved.effect_opts);
    const std::size_t k = t.yi.size();
    r.k = static_cast<double>(k);
    if (k == 0) {
      r.status = "k<2";
      return r;
    }
    const models::meta_result m = models::fit(t, spec_);
    r.est = m.pooled.estimate;
    r.se = m.pooled.se;
    r.lo = m.pooled.ci_lower;
    r.hi = m.pooled.ci_upper;
    r.p = m.pooled.p;
    r.tau2 = m.het.tau2;
    r.I2 = m.het.I2;
    r.Q = m.het.Q;
    r.stat = m.pooled.statistic;
    r.df = m.pooled.df;
    r.pi_lo = m.pooled.pi_lower;
    r.pi_hi = m.pooled.pi_upper;
    if (!t.ni.empty()) r.harmonic_n = effects::harmonic_mean(t.ni);
    r.status = k < 2 ? std::string_view("k<2") : to_string(m.status);
    return r;
  }

  void error_row(fit_row& r, const std::string& name, std::uint64_t first_line, const error& e) {
    r = fit_row{};
    r.status = "error";
    batch_report& rep = res_->rep;
    ++rep.group_errors;
    if (rep.group_error_examples.size() < max_examples) {
      rep.group_error_examples.push_back(
          {first_line, (L_.group == absent ? std::string() : "group '" + name + "': ") + e.what()});
    }
  }

  void format(const std::string& name, const fit_row& r) {
    ++res_->rep.statuses[std::string(r.status)];
    if (opt_.json) {
      format_json(name, r);
      return;
    }
    std::string& o = res_->out;
    const char d = opt_.delimiter;
    if (L_.group != absent) {
      append_field(o, name, d);
      o += d;
    }
    append_uint(o, static_cast<std::uint64_t>(r.k));
    for (const double x : {r.est, r.se, r.lo, r.hi, r.p, r.tau2, r.I2, r.Q}) {
      o += d;
      append_shortest(o, x);
    }
    o += d;
    o.append(r.status);
    o += '\n';
  }

  /// One JSON Lines object with the keys of docs/output.md, in their order; null where a value
  /// does not apply or is undefined.
  void format_json(const std::string& name, const fit_row& r) {
    std::string& o = res_->out;
    const bool t_based = models::uses_t(spec_.test);
    const bool transformed = effects::display_scale_of(L_.m) != effects::display_scale::identity;
    const auto key = [&](std::string_view k) {
      o += o.back() == '{' ? "\"" : ",\"";
      o.append(k);
      o += "\":";
    };
    const auto num = [&](std::string_view k, double x) {
      key(k);
      append_json_number(o, x);
    };
    const auto bt = [&](std::string_view k, double x) {
      const bool pft_without_n = L_.m == effects::measure::PFT && !(r.harmonic_n > 0);
      num(k, transformed && !pft_without_n ? effects::back_transform(L_.m, x, r.harmonic_n) : models::not_available);
    };
    o += '{';
    key("group");
    if (L_.group == absent) {
      o += "null";
    } else {
      append_json_string(o, name);
    }
    num("k", r.k);
    num("estimate", r.est);
    num("se", r.se);
    num("ci_lower", r.lo);
    num("ci_upper", r.hi);
    num("z", t_based ? models::not_available : r.stat);
    num("t", t_based ? r.stat : models::not_available);
    num("df", t_based ? r.df : models::not_available);
    num("p", r.p);
    num("pi_lower", r.pi_lo);
    num("pi_upper", r.pi_hi);
    num("tau2", r.tau2);
    num("I2", r.I2);
    num("Q", r.Q);
    num("excluded", static_cast<double>(r.excluded));
    key("back_transformed");
    o += '{';
    bt("estimate", r.est);
    bt("ci_lower", r.lo);
    bt("ci_upper", r.hi);
    bt("pi_lower", r.pi_lo);
    bt("pi_upper", r.pi_hi);
    o += '}';
    key("status");
    append_json_string(o, r.status);
    o += "}\n";
  }

  void finish() {
    open_ = false;
    batch_report& rep = res_->rep;
    ++rep.groups;
    res_->groups.emplace_back(name_, first_line_);
    if (L_.fast) {
      pending_.push_back(pending_group{name_, first_line_, begin_, y_.size(), group_missing_});
      rep.rows += y_.size() - begin_;
      return;
    }
    fit_row r;
    const double t0 = timing_ ? thread_cpu_seconds() : 0.0;
    try {
      r = fit_general();
    } catch (const error& e) {
      error_row(r, name_, first_line_, e);
    }
    if (timing_) rep.fit_seconds += thread_cpu_seconds() - t0;
    rep.rows += lines_.size();
    r.excluded = group_missing_;
    format(name_, r);
  }

  void fit_and_format_pending() {
    const std::span<const double> y(y_), v(v_);
    std::vector<fit_row> rows(pending_.size());
    const double t0 = timing_ ? thread_cpu_seconds() : 0.0;
    for (std::size_t g = 0; g < pending_.size(); ++g) {
      const pending_group& pg = pending_[g];
      try {
        rows[g] = fit_fast(y.subspan(pg.begin, pg.end - pg.begin), v.subspan(pg.begin, pg.end - pg.begin));
      } catch (const error& e) {
        error_row(rows[g], pg.name, pg.first_line, e);
      }
    }
    if (timing_) res_->rep.fit_seconds += thread_cpu_seconds() - t0;
    for (std::size_t g = 0; g < pending_.size(); ++g) {
      rows[g].excluded = pending_[g].missing;
      format(pending_[g].name, rows[g]);
    }
  }

  const layout& L_;
  const batch_options& opt_;
  bool timing_;
  models::model_spec spec_;
  double z_crit_ = 0;
  mutable std::vector<double> t_crit_;  ///< t critical value by k (df = k - 1)
  block_result* res_ = nullptr;
  bool open_ = false;
  std::string name_;
  std::uint64_t first_line_ = 0;
  std::size_t begin_ = 0;
  std::vector<double> y_, v_;
  std::uint64_t group_missing_ = 0;
  std::vector<pending_group> pending_;
  std::vector<effects::column> cols_;
  std::vector<std::uint64_t> lines_;
  std::vector<std::string> f_;  ///< the cells of the current record
  std::string why_;             ///< the reason a cell or record was refused
  std::string why2_;            ///< the same for a second cell
};

/// Finds where a buffer of whole lines can be cut so that every group before the cut is
/// complete: the start of the run of records of the last group seen. It scans records (quoted
/// fields may span lines) forward from where it stopped last time, so a long group costs one scan
/// in all, and a record cut by the chunk boundary is scanned again with the next chunk.
class record_cutter {
 public:
  record_cutter(const layout& L, std::uint64_t first_line) : L_(L), line_(first_line) {}

  /// The cut offset in buf (0: nothing complete yet).
  std::size_t cut(std::string_view buf) {
    for (;;) {
      const std::size_t e = io::record_end(buf, scanned_, L_.delim);
      if (e == std::string_view::npos) {
        if (buf.size() - scanned_ > limits::max_line_bytes) {
          fail_input(source_position{L_.file, line_, 0}, "",
                     "record longer than " + std::to_string(limits::max_line_bytes) +
                         " bytes (limit max_line_bytes); is a quote never closed?");
        }
        break;
      }
      if (e == scanned_) break;
      const std::string_view rec = buf.substr(scanned_, e - scanned_);
      if (!trim_line(rec).empty()) note(rec);
      line_ += count_lines(rec);
      scanned_ = e;
    }
    return L_.group == absent ? 0 : run_start_;
  }

  /// The first `n` bytes of the buffer were handed on.
  void consumed(std::size_t n) noexcept {
    scanned_ -= n;
    run_start_ -= std::min(run_start_, n);
  }

 private:
  void note(std::string_view rec) {
    const bool ok = split_cells(rec, L_.delim, L_.file, line_, cells_, why_) && cells_.size() == L_.nfields;
    if (ok) {
      ++good_;
    } else if (++junk_ >= limits::max_junk_rows && junk_ > 99 * good_) {
      // Random bytes (/dev/urandom) have line ends but almost never a row: stop instead of
      // reading forever.
      fail_input(source_position{L_.file, line_, 0}, "",
                 std::to_string(junk_) + " records without the header's fields and " + std::to_string(good_) +
                     " with them (limit max_junk_rows); is this a table?");
    }
    if (!ok || L_.group == absent) return;
    if (!have_ || cells_[L_.group] != last_) {
      last_ = cells_[L_.group];
      have_ = true;
      run_start_ = scanned_;
    }
  }

  const layout& L_;
  std::uint64_t line_;
  std::size_t scanned_ = 0;
  std::size_t run_start_ = 0;
  std::string last_;
  bool have_ = false;
  std::uint64_t good_ = 0;
  std::uint64_t junk_ = 0;
  std::vector<std::string> cells_;
  std::string why_;
};

void merge(batch_report& into, block_result& b, std::unordered_set<std::uint64_t>& seen) {
  batch_report& r = b.rep;
  into.groups += r.groups;
  into.rows += r.rows;
  into.malformed += r.malformed;
  into.missing += r.missing;
  for (auto& x : r.missing_examples) {
    if (into.missing_examples.size() < max_examples) into.missing_examples.push_back(std::move(x));
  }
  into.group_errors += r.group_errors;
  into.fit_seconds += r.fit_seconds;
  for (auto& x : r.malformed_examples) {
    if (into.malformed_examples.size() < max_examples) into.malformed_examples.push_back(std::move(x));
  }
  for (auto& x : r.group_error_examples) {
    if (into.group_error_examples.size() < max_examples) into.group_error_examples.push_back(std::move(x));
  }
  for (const auto& [s, n] : r.statuses) into.statuses[s] += n;
  for (const auto& [name, line] : b.groups) {
    if (!seen.insert(std::hash<std::string>{}(name)).second) {
      ++into.regrouped;
      if (into.regrouped_examples.size() < max_examples) {
        into.regrouped_examples.push_back(
            {line, "group '" + name + "' appears again after other groups: the input is not grouped"});
      }
    }
  }
}

}  // namespace

std::vector<std::string> batch_columns(const batch_options& opt) {
  std::vector<std::string> c;
  if (!opt.group.empty()) c.push_back(opt.group);
  for (const char* n : {"k", "estimate", "se", "ci_lower", "ci_upper", "p", "tau2", "I2", "Q", "status"})
    c.emplace_back(n);
  return c;
}

batch_report run_batch(const batch_options& opt) {
  if (opt.threads < 1) fail_usage("--threads", "must be at least 1");
  if (opt.delimiter != ',' && opt.delimiter != '\t') fail_usage("--format", "must be csv, tsv or json");
  byte_source src(opt.input);
  line_chunker chunker(src, opt.chunk_bytes);
  std::uint64_t line = 0;
  std::vector<std::string> names;
  char delim = ',';
  if (opt.input_names.empty()) {
    std::string header;
    if (!chunker.first_line(header))
      fail_input(source_position{src.name(), 0, 0}, "", "empty input: expected a header line");
    line = 1;
    // The header follows the rules of io tables: UTF-16 and ZIP named, a BOM dropped, the
    // delimiter detected the same way, and duplicate names refused.
    io::check_text_start(header, src.name());
    if (header.size() >= 3 && header.compare(0, 3, "\xEF\xBB\xBF") == 0) header.erase(0, 3);
    delim = io::detect_delimiter(header);
    io::split_record(header, delim, src.name(), 1, names);
    for (auto& n : names) n = std::string(trim(n));
    if (names.size() > limits::max_columns) {
      fail_input(source_position{src.name(), 1, 0}, "",
                 "more than " + std::to_string(limits::max_columns) + " columns (limit max_columns)");
    }
    if (const auto dup = io::find_duplicate_name(names)) {
      fail_input(source_position{src.name(), 1, 0}, "", io::duplicate_name_message(names, dup->first, dup->second));
    }
  } else {
    names = opt.input_names;
    delim = opt.delimiter;  // headerless input: same delimiter as the output
  }
  const layout L = resolve_layout(opt, names, delim, src.name());
  const bool timing = opt.time_fits;

  output_sink sink(opt.out, opt.sync);
  batch_report report;
  std::unordered_set<std::uint64_t> seen;
  if (opt.header && !opt.json) {
    std::string h;
    const auto cols = batch_columns(opt);
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) h += opt.delimiter;
      append_field(h, cols[i], opt.delimiter);
    }
    h += '\n';
    sink.write(h);
  }

  auto process = [&L, &opt, timing](std::string text, std::uint64_t first) {
    block_result res;
    res.out.reserve(text.size() / 4);
    block_worker w(L, opt, timing);
    w.run(text, first, res);
    return res;
  };
  std::deque<std::future<block_result>> inflight;
  auto drain_one = [&] {
    block_result r = inflight.front().get();
    inflight.pop_front();
    sink.write(r.out);
    merge(report, r, seen);
  };
  auto dispatch = [&](std::string text, std::uint64_t first) {
    if (opt.threads == 1) {
      block_result r = process(std::move(text), first);
      sink.write(r.out);
      merge(report, r, seen);
      return;
    }
    while (inflight.size() >= static_cast<std::size_t>(opt.threads)) drain_one();
    inflight.push_back(std::async(std::launch::async, process, std::move(text), first));
  };

  std::string buf, chunk;
  std::uint64_t next_line = line + 1;
  record_cutter cutter(L, next_line);
  bool eof = false;
  while (!eof) {
    if (chunker.next(chunk)) {
      if (buf.empty()) {
        buf.swap(chunk);
      } else {
        buf += chunk;
      }
    } else {
      eof = true;
    }
    const std::size_t cut = eof ? buf.size() : cutter.cut(buf);
    if (cut == 0) continue;
    cutter.consumed(cut);
    std::string text;
    text.swap(buf);
    buf.assign(text, cut, std::string::npos);
    text.resize(cut);
    const std::uint64_t n = count_lines(text);
    dispatch(std::move(text), next_line);
    next_line += n;
  }
  while (!inflight.empty()) drain_one();
  sink.commit();
  return report;
}

}  // namespace metasift::batch
