// haven: the gateway between a city's police records and outside agencies.
// One binary; each job is a subcommand (see `haven --help`).
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Haven: policy-checked, audited access to a city's police records."};
  app.require_subcommand(1);
  int exit_code = 0;
  haven::cli::AddDemoCommand(app, &exit_code);
  haven::cli::AddServeCommand(app, &exit_code);
  haven::cli::AddCedarCommands(app, &exit_code);
  haven::cli::AddLedgerCommands(app, &exit_code);
  haven::cli::AddDirectoryCommands(app, &exit_code);
  haven::cli::AddImportCommands(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors are bad input: CLI11 prints them, we exit 2.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return exit_code;
}
