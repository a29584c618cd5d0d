#include "cli/commands.h"

namespace haven::cli {

void AddCedarCommands(CLI::App& app, int* exit_code) {
  app.add_subcommand("cedar", "Decide, check and format Cedar policies");
}

}  // namespace haven::cli
