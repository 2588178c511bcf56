// Writing a run's outputs atomically as a folder (temporary sibling folder, then rename), and the
// `metasift init` scaffold.
#include <chrono>
#include <system_error>

#include "internal.hpp"
#include "metasift/core/error.hpp"
#include "metasift/io/file.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::run {
namespace {

namespace fs = std::filesystem;

/// A sibling name that does not exist yet: "<out>.tmp-<n>" (the counter, not a time stamp,
/// keeps the name deterministic when nothing is in the way).
fs::path free_sibling(const fs::path& out, const std::string& tag) {
  std::error_code ec;
  for (int n = 0;; ++n) {
    fs::path p = out;
    p += "." + tag + "-" + std::to_string(n);
    if (!fs::exists(p, ec)) return p;
  }
}

bool replaceable(const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return true;
  if (!fs::is_directory(out, ec)) return false;
  if (fs::is_empty(out, ec)) return true;
  return fs::exists(out / "report.html", ec) && fs::exists(out / "results.json", ec);
}

}  // namespace

std::vector<std::string> write_run(const run_outputs& outputs, const fs::path& out_arg, double dpi) {
  const fs::path out = fs::absolute(out_arg).lexically_normal();
  const fs::path target = out.has_filename() ? out : out.parent_path();
  if (!replaceable(target)) {
    throw io_error(target.string() + ": exists and is not an earlier metasift run's folder (it has no report.html "
                                     "and results.json); choose another --out");
  }
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  const fs::path tmp = free_sibling(target, "tmp");
  std::vector<std::string> written;
  try {
    fs::create_directories(tmp / "figures");
    for (const auto& [name, content] : outputs.text_files) {
      io::write_file_atomic(tmp / name, content);
      written.push_back(name);
    }
    const plot::render_options ro{dpi};
    for (const auto& f : outputs.figures) {
      for (const char* ext : {".svg", ".pdf", ".png"}) {
        const fs::path p = tmp / "figures" / (f->name + ext);
        if (f->scene) {
          plot::write_plot(*f->scene, p, ro);
        } else if (f->prisma) {
          review::write_prisma_diagram(*f->prisma, p);
        }
        written.push_back("figures/" + f->name + ext);
      }
    }
    // Swap in the finished folder: an earlier run is moved aside first and removed only after the
    // rename succeeded, so there is always either the old or the new complete folder.
    fs::path old;
    if (fs::exists(target, ec)) {
      old = free_sibling(target, "old");
      fs::rename(target, old);
    }
    fs::rename(tmp, target);
    if (!old.empty()) fs::remove_all(old, ec);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw io_error(target.string() + ": cannot write the output folder: " + e.code().message());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  return written;
}

namespace {

constexpr std::string_view review_template = R"toml(# A metasift review: everything `metasift run review.toml --out report/` needs.
# Paths are relative to this file and may not leave its folder (unless --allow-outside).
# docs/review.md and docs/report.md describe every key; unknown keys are errors.
title = "My systematic review"

# One [[sources]] per database export (RIS, PubMed MEDLINE, Web of Science, Scopus CSV, BibTeX,
# EndNote XML or CSV; the format is detected from the content). The name is shown in PRISMA.
[[sources]]
name = "Scopus"
files = ["records/scopus.ris"]

# [[sources]]
# name = "PubMed"
# files = ["records/pubmed.txt"]

# The search as run in the databases, re-applied to every record (optional).
# dialect: generic, pubmed, scopus or wos.
[search]
dialect = "generic"
query = '"my topic*" AND (outcome OR effect)'

# Eligibility criteria, applied in order; the first one a record fails is its reason in PRISMA.
[[criteria]]
id = "date"
reason = "Published before 2000"
years = [2000, 2100]

# [[criteria]]
# id = "type"
# reason = "Not a peer-reviewed article"
# types = ["journal-article", "review"]

# Human decisions: record,stage,decision,reason (stage title-abstract or full-text;
# decision include, exclude or not-retrieved). Records are named by DOI or "<source>:<id>".
[screening]
decisions = "decisions.csv"

# The meta-analysis of the included studies (optional). Each row of the data file names its
# record in the `record` column (record id or DOI).
[analysis]
data = "data/studies.csv"
measure = "MD"              # MD SMD ROM OR RR RD PETO COR ZCOR PR PLO PAS PFT IRR IRD GEN
method = "REML"             # EE DL REML ML PM HE SJ HS EB (MH, PETO for 2x2 data)
ci_method = "z"             # z or hk (Hartung-Knapp)
convention = "metafor"      # metafor or stata
group_names = ["Treatment", "Control"]
# subgroup = "region"       # a column of the data file
# moderators = ["year"]     # meta-regression on these columns
bias = true                 # Egger, Begg, trim-and-fill, funnel plot
sensitivity = true          # leave-one-out, influence, cumulative by year
)toml";

}  // namespace

std::vector<std::string> init_project(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir / "review.toml", ec)) {
    throw io_error((dir / "review.toml").string() + ": exists already; metasift init never overwrites a review");
  }
  try {
    fs::create_directories(dir / "records");
    fs::create_directories(dir / "data");
  } catch (const fs::filesystem_error& e) {
    throw io_error(dir.string() + ": cannot create the project folders: " + e.code().message());
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"review.toml", std::string(review_template)},
      {"records/README.md",
       "Put the database exports here (RIS, PubMed MEDLINE, Web of Science, Scopus CSV, BibTeX, EndNote XML\n"
       "or CSV) and list each under [[sources]] in ../review.toml. Keep them as exported: metasift reads\n"
       "them unchanged, so a rerun from the same exports gives the same report.\n"},
      {"data/studies.csv", "record,study,year,n1,mean1,sd1,n2,mean2,sd2\n"},
      {"decisions.csv", "record,stage,decision,reason\n"},
  };
  std::vector<std::string> created;
  for (const auto& [name, content] : files) {
    if (fs::exists(dir / name, ec)) continue;  // keep what the user already has
    io::write_file_atomic(dir / name, content);
    created.push_back(name);
  }
  return created;
}

}  // namespace metasift::run
