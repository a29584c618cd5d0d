#include "cli/commands.h"

namespace haven::cli {

void AddDemoCommand(CLI::App& app, int* exit_code) {
  app.add_subcommand("demo", "Run the demo");
}

}  // namespace haven::cli
