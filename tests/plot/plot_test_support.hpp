#pragma once
// Helpers for the plot tests: in-process fits of the committed datasets, the text content of an
// SVG's <text> elements, external tools (pdftotext, pdffonts) and running the metasift binary.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <variant>
#include <vector>

#include "metasift/effects/compute.hpp"
#include "metasift/io/table.hpp"
#include "metasift/models/convention.hpp"
#include "metasift/models/fit.hpp"
#include "metasift/pipeline/study_data.hpp"
#include "metasift/plot/scene.hpp"

namespace metasift::plot::test {

namespace fs = std::filesystem;

inline const std::string fig1_csv = std::string(METASIFT_SOURCE_DIR) + "/examples/seed-figure1/fig1.csv";
inline const std::string bcg_csv = std::string(METASIFT_TEST_DATA_DIR) + "/bcg.csv";
inline const std::string group_names =
    "Sustainable management practices,Environmental impacts of rare earth mining in China";

struct fitted {
  effects::measure measure = effects::measure::GEN;
  io::table table;
  effects::effect_table effects;
  models::meta_result result;
  std::vector<report::data_column> data_columns;
};

/// Fits a table as `metasift meta FILE --measure M --method REML --convention C` does.
inline fitted fit_file(const std::string& file, effects::measure m, models::convention conv,
                       const std::vector<std::string>& groups = {}) {
  fitted f;
  f.measure = m;
  f.table = io::read_table(file);
  const models::resolved_options ro = models::resolve(conv, {}, effects::options{}, models::model_spec{});
  const effects::raw_data raw = pipeline::extract(f.table, m, {});
  f.effects = effects::compute(m, raw, ro.effect_opts);
  f.result = models::fit(f.effects, ro.spec);
  f.data_columns = pipeline::data_columns(f.table, f.effects, f.result.source_row, {}, groups);
  return f;
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The text content of every <text> element, tags removed and entities decoded: what a search in
/// a browser or Inkscape finds.
inline std::vector<std::string> svg_texts(const std::string& svg) {
  std::vector<std::string> out;
  static const std::regex text_re("<text[^>]*>(.*?)</text>");
  static const std::regex tag_re("<[^>]+>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), text_re); it != std::sregex_iterator(); ++it) {
    std::string s = std::regex_replace((*it)[1].str(), tag_re, "");
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&amp;", "&"}}) {
      for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
      }
    }
    out.push_back(s);
  }
  return out;
}

/// True when some <text> element's content contains `needle`.
inline bool svg_has_text(const std::string& svg, const std::string& needle) {
  for (const auto& t : svg_texts(svg)) {
    if (t.find(needle) != std::string::npos) return true;
  }
  return false;
}

inline std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\n' && c != '\t' && c != '\f' && c != '\r') out += c;
  }
  return out;
}

inline bool have_tool(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

/// Folders made by temp_dir, removed when the test process ends (CTest runs one test per process).
inline std::vector<fs::path>& made_dirs() {
  static std::vector<fs::path> dirs;
  return dirs;
}
class remove_temp_dirs : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    for (const auto& d : made_dirs()) fs::remove_all(d, ec);
  }
};
inline ::testing::Environment* const temp_dir_cleanup = ::testing::AddGlobalTestEnvironment(new remove_temp_dirs);

/// A fresh directory for one test's files.
inline fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("metasift_plot_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  made_dirs().push_back(d);
  return d;
}

/// Output of a shell command (stdout), and its exit code.
struct run_result {
  int code = -1;
  std::string out;
  std::string err;
};

inline run_result shell(const std::string& cmd, const fs::path& dir) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const int status = std::system((cmd + " >" + out.string() + " 2>" + err.string()).c_str());
  run_result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

/// Runs `metasift <args>` (METASIFT_BIN is set by CTest).
inline run_result metasift(const std::string& args, const fs::path& dir) {
  const char* bin = std::getenv("METASIFT_BIN");
  if (bin == nullptr) throw std::runtime_error("METASIFT_BIN not set (run through ctest)");
  return shell(std::string(bin) + " " + args, dir);
}

/// Text items of the group with this id (groups are not nested by the builders).
inline std::vector<const text_item*> texts_in(const scene& s, const std::string& group) {
  std::vector<const text_item*> out;
  bool inside = false;
  for (const auto& it : s.items) {
    if (const auto* g = std::get_if<group_begin>(&it)) inside = g->id == group;
    if (std::holds_alternative<group_end>(it)) inside = false;
    if (const auto* t = std::get_if<text_item>(&it); t != nullptr && inside) out.push_back(t);
  }
  return out;
}

/// Items of a given type inside the group with this id.
template <class T>
std::vector<const T*> items_in(const scene& s, const std::string& group) {
  std::vector<const T*> out;
  bool inside = false;
  for (const auto& it : s.items) {
    if (const auto* g = std::get_if<group_begin>(&it)) inside = g->id == group;
    if (std::holds_alternative<group_end>(it)) inside = false;
    if (const auto* t = std::get_if<T>(&it); t != nullptr && inside) out.push_back(t);
  }
  return out;
}

}  // namespace metasift::plot::test
