// `haven ledger ...`: create, append to, prove from and verify the audit
// ledger (docs/ledger-format.md). Exit status: 0 success, 1 a check failed
// (verification, corruption), 2 bad input or an operational error.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "ledger/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/file.h"
#include "ledger/ledger.h"
#include "ledger/note.h"
#include "ledger/verify.h"

namespace haven::cli {
namespace {

namespace hl = haven::ledger;

int ExitCodeFor(const hl::Status& s) {
  switch (s.code()) {
    case hl::StatusCode::kOk:
      return 0;
    case hl::StatusCode::kCorruption:
    case hl::StatusCode::kVerificationFailed:
      return 1;
    default:
      return 2;
  }
}

int Fail(const hl::Status& s) {
  std::cerr << "haven ledger: " << s.message() << "\n";
  return ExitCodeFor(s);
}

int BadInput(const std::string& msg) {
  std::cerr << "haven ledger: " << msg << "\n";
  return 2;
}

bool ParseU64(const std::string& flag, const std::string& text, uint64_t* out) {
  if (!hl::ParseDecimal(text, out)) {
    std::cerr << "haven ledger: " << flag << " must be a decimal number, not '"
              << text << "'\n";
    return false;
  }
  return true;
}

// Opens the ledger, reporting what recovery repaired on stderr.
hl::StatusOr<std::unique_ptr<hl::Ledger>> OpenLedger(const std::string& dir) {
  hl::Options options;
  auto l = hl::Ledger::Open(options, dir);
  if (l.ok()) {
    for (const std::string& e : (*l)->recovery().events) {
      std::cerr << "haven ledger: recovered: " << e << "\n";
    }
  }
  return l;
}

bool WriteOut(std::string_view s) {
  return std::fwrite(s.data(), 1, s.size(), stdout) == s.size();
}

int FlushOut() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "haven ledger: cannot write to standard output\n";
    return 2;
  }
  return 0;
}

int RunInit(const std::string& dir, const std::string& origin) {
  hl::Status s = hl::Ledger::Create(dir, origin);
  if (!s.ok()) return Fail(s);
  auto l = OpenLedger(dir);  // lays down the first segment and files
  if (!l.ok()) return Fail(l.status());
  WriteOut((*l)->verifier().ToString() + "\n");
  return FlushOut();
}

int RunAppend(const std::string& dir) {
  auto l = OpenLedger(dir);
  if (!l.ok()) return Fail(l.status());
  constexpr size_t kChunk = 8192;
  std::vector<std::string> chunk;
  chunk.reserve(kChunk);
  bool any = false;
  uint64_t last = 0;
  auto flush = [&]() -> hl::Status {
    if (chunk.empty()) return hl::Status::Ok();
    hl::StatusOr<uint64_t> r = (*l)->AppendAll(chunk);
    if (!r.ok()) return r.status();
    last = *r;
    any = true;
    chunk.clear();
    return hl::Status::Ok();
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    chunk.push_back(std::move(line));
    line.clear();
    if (chunk.size() == kChunk) {
      hl::Status s = flush();
      if (!s.ok()) return Fail(s);
    }
  }
  if (std::cin.bad()) return BadInput("cannot read standard input");
  hl::Status s = flush();
  if (!s.ok()) return Fail(s);
  if (any) WriteOut(std::to_string(last) + "\n");
  return FlushOut();
}

int RunCheckpoint(const std::string& dir) {
  auto l = OpenLedger(dir);
  if (!l.ok()) return Fail(l.status());
  hl::StatusOr<std::string> note = (*l)->SignCheckpoint();
  if (!note.ok()) return Fail(note.status());
  WriteOut(*note);
  return FlushOut();
}

int RunProve(const std::string& dir, const std::string& index_text) {
  uint64_t index;
  if (!ParseU64("--index", index_text, &index)) return 2;
  auto l = OpenLedger(dir);
  if (!l.ok()) return Fail(l.status());
  hl::StatusOr<hl::TlogProof> p = (*l)->Prove(index);
  if (!p.ok()) return Fail(p.status());
  WriteOut(p->ToText());
  return FlushOut();
}

// The size of the latest checkpoint, or an error if there is none.
hl::StatusOr<uint64_t> LatestSize(const hl::Ledger& l) {
  std::optional<std::string> note = l.LatestCheckpoint();
  if (!note)
    return hl::Status::FailedPrecondition("no checkpoint has been signed yet");
  hl::StatusOr<hl::Checkpoint> cp = hl::OpenCheckpoint(*note, l.verifier());
  if (!cp.ok()) return cp.status();
  return cp->size;
}

int RunConsistency(const std::string& dir, const std::string& from_text,
                   const std::string& to_text) {
  uint64_t from, to = 0;
  if (!ParseU64("--from", from_text, &from)) return 2;
  if (!to_text.empty() && !ParseU64("--to", to_text, &to)) return 2;
  auto l = OpenLedger(dir);
  if (!l.ok()) return Fail(l.status());
  if (to_text.empty()) {
    hl::StatusOr<uint64_t> n = LatestSize(**l);
    if (!n.ok()) return Fail(n.status());
    to = *n;
  }
  hl::StatusOr<std::vector<hl::Hash>> proof = (*l)->ConsistencyProof(from, to);
  if (!proof.ok()) return Fail(proof.status());
  for (const hl::Hash& h : *proof) {
    WriteOut(hl::Base64Encode(hl::AsBytes(h)) + "\n");
  }
  return FlushOut();
}

int RunEntries(const std::string& dir, const std::string& from_text,
               const std::string& to_text) {
  uint64_t from, to = 0;
  if (!ParseU64("--from", from_text, &from)) return 2;
  if (!to_text.empty() && !ParseU64("--to", to_text, &to)) return 2;
  auto l = OpenLedger(dir);
  if (!l.ok()) return Fail(l.status());
  if (to_text.empty()) to = (*l)->size();
  if (from > to || to > (*l)->size()) {
    return BadInput("entries [" + from_text + ", " + std::to_string(to) +
                    ") are not within the ledger's " +
                    std::to_string((*l)->size()) + " entries");
  }
  constexpr uint64_t kChunk = 4096;
  for (uint64_t at = from; at < to; at += kChunk) {
    auto entries = (*l)->ReadEntries(at, std::min(to, at + kChunk));
    if (!entries.ok()) return Fail(entries.status());
    for (const std::string& e : *entries) {
      if (!WriteOut(e) || !WriteOut("\n")) return FlushOut();
    }
  }
  return FlushOut();
}

int RunVerify(const std::string& dir, const std::string& vkey_file,
              const std::vector<std::string>& checkpoint_files) {
  hl::VerifyOptions options;
  if (!vkey_file.empty()) {
    auto text = hl::ReadFileToString(vkey_file);
    if (!text.ok()) return BadInput("--vkey: " + text.status().message());
    options.vkey = std::move(*text);
  }
  for (const std::string& f : checkpoint_files) {
    auto text = hl::ReadFileToString(f);
    if (!text.ok()) return BadInput("--checkpoint: " + text.status().message());
    options.checkpoints.push_back({f, std::move(*text)});
  }
  hl::StatusOr<hl::VerifyResult> r = hl::VerifyLedger(dir, options);
  if (!r.ok()) return Fail(r.status());
  if (!r->ok) {
    std::cout << "FAILED: " << r->summary << "\n";
    std::cout.flush();
    return 1;
  }
  std::cout << r->summary << "\n";
  std::cout.flush();
  return 0;
}

}  // namespace

void AddLedgerCommands(CLI::App& app, int* exit_code) {
  CLI::App* ledger =
      app.add_subcommand("ledger", "The verifiable audit ledger");
  ledger->require_subcommand(1);

  {
    auto* cmd = ledger->add_subcommand(
        "init",
        "Create an empty ledger with a fresh Ed25519 key; prints the "
        "verifier key (also in DIR/ledger.vkey)");
    auto dir = std::make_shared<std::string>();
    auto origin = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->add_option("--origin", *origin,
                    "The log's name (checkpoint origin and key name)")
        ->required();
    cmd->callback([=] { *exit_code = RunInit(*dir, *origin); });
  }
  {
    auto* cmd = ledger->add_subcommand(
        "append",
        "Append each line of standard input as one entry; prints "
        "the index of the last once all are durable");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->callback([=] { *exit_code = RunAppend(*dir); });
  }
  {
    auto* cmd = ledger->add_subcommand(
        "checkpoint",
        "Sign a checkpoint of the current size unless one exists; print it");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->callback([=] { *exit_code = RunCheckpoint(*dir); });
  }
  {
    auto* cmd = ledger->add_subcommand(
        "prove",
        "Print a C2SP tlog-proof of entry I against the latest "
        "checkpoint");
    auto dir = std::make_shared<std::string>();
    auto index = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->add_option("--index", *index, "Entry index")->required();
    cmd->callback([=] { *exit_code = RunProve(*dir, *index); });
  }
  {
    auto* cmd = ledger->add_subcommand(
        "consistency",
        "Print the RFC 9162 consistency proof from size M to "
        "N, one base64 hash a line");
    auto dir = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->add_option("--from", *from, "The smaller tree size M")->required();
    cmd->add_option(
        "--to", *to,
        "The larger tree size N (default: the latest checkpoint's)");
    cmd->callback([=] { *exit_code = RunConsistency(*dir, *from, *to); });
  }
  {
    auto* cmd =
        ledger->add_subcommand("entries", "Print entries I to J-1, one a line");
    auto dir = std::make_shared<std::string>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->add_option("--from", *from, "First index I")->required();
    cmd->add_option("--to", *to, "End index J, exclusive (default: the size)");
    cmd->callback([=] { *exit_code = RunEntries(*dir, *from, *to); });
  }
  {
    auto* cmd = ledger->add_subcommand(
        "verify",
        "Reread and recompute the whole ledger and check every "
        "checkpoint; exit 1 naming the first problem");
    auto dir = std::make_shared<std::string>();
    auto vkey = std::make_shared<std::string>();
    auto checkpoints = std::make_shared<std::vector<std::string>>();
    cmd->add_option("DIR", *dir, "Ledger directory")->required();
    cmd->add_option("--vkey", *vkey,
                    "Verifier key file to trust instead of DIR/ledger.vkey");
    cmd->add_option("--checkpoint", *checkpoints,
                    "A checkpoint kept earlier, to check against the log "
                    "(repeatable)");
    cmd->callback([=] { *exit_code = RunVerify(*dir, *vkey, *checkpoints); });
  }
}

}  // namespace haven::cli
