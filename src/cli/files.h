// Small helpers shared by the CLI's subcommands: reading whole files and
// reporting bad input. Not thread-safe (they write to stderr).
#ifndef HAVEN_CLI_FILES_H_
#define HAVEN_CLI_FILES_H_

#include <string>

#include "cedar/result.h"

namespace haven::cli {

// The whole file at `path` ("-" reads standard input), or an error naming
// the path and the system's reason.
cedar::Result<std::string> ReadFile(const std::string& path);

// strerror(errno), as text.
std::string ErrnoText();

// Prints `message` on stderr and returns 2, the exit status for bad input.
int Fail(const std::string& message);

}  // namespace haven::cli

#endif  // HAVEN_CLI_FILES_H_
