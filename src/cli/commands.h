// Subcommand groups of the `haven` binary.
//
// Each Add*Commands function registers one group of subcommands on `app`.
// A subcommand's callback stores the process exit status in `*exit_code`
// (0 success, 1 a check failed, 2 bad input); `main` returns it.
// None of this is thread-safe; it runs once, on the main thread.
#ifndef HAVEN_CLI_COMMANDS_H_
#define HAVEN_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace haven::cli {

void AddCedarCommands(CLI::App& app, int* exit_code);
void AddLedgerCommands(CLI::App& app, int* exit_code);
void AddDirectoryCommands(CLI::App& app, int* exit_code);
void AddImportCommands(CLI::App& app, int* exit_code);
void AddDemoCommand(CLI::App& app, int* exit_code);
void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace haven::cli

#endif  // HAVEN_CLI_COMMANDS_H_
