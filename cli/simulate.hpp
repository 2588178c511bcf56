#pragma once
// `metasift simulate --k 10 --tau2 0.1 --reps 1000000 --methods DL,REML,PM --ci z,hk --seed 1`.
#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace metasift::cli {

struct simulate_cli_options {
  int k = 10;
  double tau2 = 0.1;
  double mu = 0.0;
  std::uint64_t reps = 10000;
  std::string methods = "REML";
  std::string ci = "z";
  double level = 0.95;
  std::uint64_t seed = 1;
  int threads = 1;
  double v_min = 0.01;
  double v_max = 0.2;
  std::string v_dist = "uniform";
  std::string format = "tsv";
  std::string out = "-";
  bool quiet = false;
};

void setup_simulate(CLI::App& app);
void run_simulate(const simulate_cli_options& opt);

}  // namespace metasift::cli
