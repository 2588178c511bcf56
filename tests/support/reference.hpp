#pragma once
// Reader for the committed metafor reference tables (tests/reference/metafor_<dataset>.csv, made by
// tools/reference/generate.R): '#' provenance lines, then "case,stat,value" rows.

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace metasift::test {

struct reference_case {
  std::string key;  ///< measure|method|test|variant|control
  std::string measure, method, test, variant, control;
  std::map<std::string, double> stats;
  std::string error;  ///< metafor refused the fit

  [[nodiscard]] bool has(const std::string& s) const { return stats.count(s) != 0; }
  [[nodiscard]] double at(const std::string& s) const {
    auto it = stats.find(s);
    if (it == stats.end()) throw std::out_of_range("reference stat '" + s + "' missing in " + key);
    return it->second;
  }
};

/// All cases of one file, in file order.
inline std::vector<reference_case> read_reference(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open reference file " + path);
  std::vector<reference_case> out;
  std::map<std::string, std::size_t> index;
  std::string line;
  bool header_seen = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      header_seen = true;  // "case,stat,value"
      continue;
    }
    const auto c1 = line.find(',');
    const auto c2 = line.find(',', c1 + 1);
    const std::string key = line.substr(0, c1);
    const std::string stat = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string value = line.substr(c2 + 1);
    auto [it, fresh] = index.emplace(key, out.size());
    if (fresh) {
      reference_case rc;
      rc.key = key;
      std::vector<std::string> parts;
      std::stringstream ss(key);
      for (std::string p; std::getline(ss, p, '|');) parts.push_back(p);
      if (parts.size() != 5) throw std::runtime_error("bad case key " + key);
      rc.measure = parts[0];
      rc.method = parts[1];
      rc.test = parts[2];
      rc.variant = parts[3];
      rc.control = parts[4];
      out.push_back(std::move(rc));
    }
    reference_case& rc = out[it->second];
    if (stat == "error") {
      rc.error = value;
    } else {
      rc.stats[stat] = value == "NA" ? std::numeric_limits<double>::quiet_NaN() : std::stod(value);
    }
  }
  return out;
}

}  // namespace metasift::test
