// Writing a run's outputs atomically as a folder (temporary sibling folder, then rename), and the
// `metasift init` scaffold.
#include <stdexcept>
#include <system_error>

#include "internal.hpp"
#include "metasift/core/check.hpp"
#include "metasift/core/error.hpp"
#include "metasift/diagrams/prisma.hpp"
#include "metasift/io/file.hpp"
#include "metasift/io/output_policy.hpp"
#include "metasift/plot/render.hpp"

namespace metasift::run {
namespace {

namespace fs = std::filesystem;

/// Moves the finished folder `tmp` to `target`. An earlier run's folder is moved aside first and
/// removed only after the rename succeeded, so there is always either the old or the new complete
/// folder. A concurrent run may put its own folder in place between the two renames: then the
/// check and the swap are repeated.
void swap_in(const fs::path& tmp, const fs::path& target) {
  for (int attempt = 0;; ++attempt) {
    std::error_code ec;
    fs::path old;
    if (fs::exists(fs::symlink_status(target, ec))) {
      io::check_replaceable_folder(target);
      old = io::own_sibling(target, "old");
      fs::remove_all(old, ec);
      fs::rename(target, old, ec);
      if (ec && ec != std::errc::no_such_file_or_directory) {
        throw io_error(target.string() + ": cannot move the earlier output folder aside: " + ec.message());
      }
      if (ec) old.clear();
    }
    fs::rename(tmp, target, ec);
    if (!ec) {
      if (!old.empty()) fs::remove_all(old, ec);
      return;
    }
    // Put the earlier folder back where it was, so a failure loses nothing.
    std::error_code back;
    if (!old.empty()) fs::rename(old, target, back);
    const bool raced = ec == std::errc::directory_not_empty || ec == std::errc::file_exists;
    if (!raced || attempt >= 10) throw io_error(target.string() + ": cannot write the output folder: " + ec.message());
  }
}

}  // namespace

std::vector<std::string> write_run(const run_outputs& outputs, const fs::path& out_arg, double dpi) {
  // The output policy for folders (io/output_policy.hpp): a symlinked folder is written through,
  // and only an empty folder or one metasift wrote (its manifest lists everything in it) is
  // replaced; anything else is refused before a byte is written.
  const fs::path target = io::resolve_output_folder(out_arg);
  io::check_replaceable_folder(target);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  static_cast<void>(io::remove_stale_siblings(target));

  std::vector<std::string> written;
  for (const auto& [name, content] : outputs.text_files) written.push_back(name);
  for (const auto& f : outputs.figures) {
    for (const char* ext : {".svg", ".pdf", ".png"}) written.push_back("figures/" + f->name + ext);
  }
  for (const auto& name : written) {
    if (name == io::manifest_name) throw std::logic_error("an output is named like the folder's manifest");
  }

  const fs::path tmp = io::own_sibling(target, "tmp");
  fs::remove_all(tmp, ec);  // only this process uses this name
  try {
    fs::create_directories(tmp);
    // The manifest comes first: a crash at any later point leaves a folder that holds only what
    // it lists, which the next run recognises as stale and removes.
    io::write_file_atomic(tmp / std::string(io::manifest_name), io::manifest_text(written));
    if (!outputs.figures.empty()) fs::create_directories(tmp / "figures");
    for (const auto& [name, content] : outputs.text_files) io::write_file_atomic(tmp / name, content);
    const plot::render_options ro{dpi};
    for (const auto& f : outputs.figures) {
      for (const char* ext : {".svg", ".pdf", ".png"}) {
        const fs::path p = tmp / "figures" / (f->name + ext);
        if (f->scene) {
          plot::write_plot(*f->scene, p, ro);
        } else if (f->prisma) {
          diagrams::write_prisma_diagram(*f->prisma, p);
        }
      }
    }
    swap_in(tmp, target);
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

constexpr std::string_view review_template =
    R"toml(# A metasift review: everything `metasift run review.toml --out report/` needs.
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
ci_method = "z"             # z, t, hk (Hartung-Knapp) or adhoc (Hartung-Knapp, scale at least 1)
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

void write_run_figure(const run_outputs& outputs, std::string_view name, const fs::path& path, double dpi) {
  std::string drawn;
  for (const auto& f : outputs.figures) {
    if (f->name == name && f->scene) {
      plot::write_plot(*f->scene, path, plot::render_options{dpi});
      return;
    }
    drawn += (drawn.empty() ? "" : ", ") + f->name;
  }
  fail_usage("figure", "the run drew no figure '" + std::string(name) + "' (it drew " + drawn + ")");
}

}  // namespace metasift::run
