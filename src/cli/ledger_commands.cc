// Placeholder until the ledger lands: `haven ledger` exists but has no
// subcommands yet.
#include "cli/commands.h"

namespace haven::cli {

void AddLedgerCommands(CLI::App& app, int* exit_code) {
  app.add_subcommand("ledger", "The verifiable audit ledger (not yet built)");
}

}  // namespace haven::cli
