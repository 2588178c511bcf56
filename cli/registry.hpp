#pragma once
// Subcommand registry: each cli/<subcommand>.cpp registers its setup function at static
// initialisation, so adding a subcommand touches only its own file. main() installs them all,
// sorted by name so that --help is deterministic.

namespace CLI {
class App;
}

namespace metasift::cli {

using setup_fn = void (*)(CLI::App&);

/// Records a subcommand; returns true so it can initialise a namespace-scope constant.
bool register_subcommand(const char* name, setup_fn setup);

/// Calls every registered setup function on `app`, in name order.
void setup_all(CLI::App& app);

}  // namespace metasift::cli
