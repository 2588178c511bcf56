#pragma once
// `metasift import FILES... [--format json|csv|ris] [--out FILE] [--database NAME]`: read database
// exports in any supported format and charset, write the normalised records.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace metasift::cli {

struct import_options {
  std::vector<std::string> files;
  std::string format = "json";  ///< output: json, csv or ris
  std::string out;              ///< empty or "-": stdout
  std::string database;         ///< database name for records whose export does not say
  std::string input_format;     ///< force the input format; empty = detect
  std::string charset;          ///< force the input charset; empty = detect
  bool quiet = false;           ///< no per-file summary and warnings on stderr
};

/// Registers the subcommand and its options on `app`; the subcommand calls run_import when parsed.
void setup_import(CLI::App& app);

/// Imports every file (all are read before anything is written) and writes the output. Prints
/// the per-file counts and the warnings to stderr unless quiet. Throws the library's exceptions.
void run_import(const import_options& opt);

}  // namespace metasift::cli
