// haven_ledger_cli: the `haven ledger` subcommands alone, built from the same
// src/cli/ledger_commands.cc as `haven`, so the ledger's CLI tests do not
// depend on the rest of the binary. Usage: haven_ledger_cli ledger <command>.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"haven ledger commands (test driver)"};
  app.require_subcommand(1);
  int exit_code = 0;
  haven::cli::AddLedgerCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
