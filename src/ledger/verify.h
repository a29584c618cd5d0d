// Offline verification of a ledger directory, as an auditor runs it.
//
//   VerifyOptions o;
//   o.vkey = "haven.example/audit+1a2b3c4d+AQ...";   // don't trust DIR's key
//   o.checkpoints.push_back({"kept.txt", kept_note}); // seen earlier
//   StatusOr<VerifyResult> r = VerifyLedger(dir, o);
//   if (r.ok() && r->ok) puts(r->summary.c_str());
//
// Rereads every frame, recomputes every leaf and node, compares tree.hashes,
// checks every stored checkpoint's signature, that they agree with each other
// and with the log, and the same for each given checkpoint
// (docs/ledger-format.md §7). Reads only; takes no lock; thread-safe. Works
// on the calling thread and one helper, reading the files with pread through
// two windows of about 1 MiB each.
#ifndef HAVEN_LEDGER_VERIFY_H_
#define HAVEN_LEDGER_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace haven::ledger {

struct VerifyOptions {
  // The verifier key text; when absent, DIR/ledger.vkey is used.
  std::optional<std::string> vkey;
  // Checkpoints kept by the auditor: a label (e.g. the file name) and the
  // signed note.
  struct Given {
    std::string label;
    std::string note;
  };
  std::vector<Given> checkpoints;
};

struct VerifyResult {
  bool ok = false;
  // One line: the summary when ok, else the first failure, naming the entry,
  // file and offset where there is one.
  std::string summary;
  uint64_t entries = 0;
  uint64_t checkpoints = 0;
};

// A non-OK Status means the verification could not run (e.g. `dir` does not
// exist); a failed check is a VerifyResult with ok == false.
StatusOr<VerifyResult> VerifyLedger(std::string_view dir,
                                    const VerifyOptions& options);

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_VERIFY_H_
