#pragma once
// Reader of tests/reference/r_swim.csv (tools/reference/swim.R): "method,case,level,x,n,values,
// weights,stat,value" rows after '#' provenance lines, grouped into cases in file order.
#include <cstdlib>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "metasift/core/tolerance.hpp"
#include "metasift/io/table.hpp"
#include "support/cli.hpp"

namespace metasift::test {

/// Agreement with R asked of every synthesis statistic.
inline constexpr tolerance r_reference{1e-10, 1e-300};

struct ref_case {
  std::string method, name;
  double level = 0.95;
  std::size_t x = 0, n = 0;
  std::vector<double> values, weights;
  std::map<std::string, double> stats;
  [[nodiscard]] double at(const std::string& s) const {
    const auto it = stats.find(s);
    if (it == stats.end()) throw std::out_of_range("reference stat '" + s + "' missing in " + method + "," + name);
    return it->second;
  }
};

inline std::vector<double> numbers(const std::string& cell) {
  std::vector<double> v;
  std::stringstream ss(cell);
  for (std::string part; std::getline(ss, part, ';');) v.push_back(std::strtod(part.c_str(), nullptr));
  return v;
}

/// Cases of r_swim.csv in file order.
inline std::vector<ref_case> read_cases() {
  const std::string text = slurp_file(std::string(METASIFT_REFERENCE_DIR) + "/r_swim.csv");
  std::string body;
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty() && l[0] != '#') body += l + "\n";
  }
  const io::table t = io::parse_table(body, "r_swim.csv");
  std::vector<ref_case> out;
  std::map<std::string, std::size_t> index;
  for (const auto& row : t.rows) {
    const std::string key = row[0] + "," + row[1];
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) {
      ref_case c;
      c.method = row[0];
      c.name = row[1];
      if (!row[2].empty()) c.level = std::stod(row[2]);
      if (!row[3].empty()) c.x = std::stoul(row[3]);
      if (!row[4].empty()) c.n = std::stoul(row[4]);
      c.values = numbers(row[5]);
      c.weights = numbers(row[6]);
      out.push_back(std::move(c));
    }
    out[it->second].stats[row[7]] = row[8] == "NA" ? std::numeric_limits<double>::quiet_NaN() : std::stod(row[8]);
  }
  return out;
}

}  // namespace metasift::test
