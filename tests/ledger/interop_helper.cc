// ledger_interop_helper: Haven's verifiers on proofs made by other code.
// Reads commands from standard input, one a line, and answers each with a
// line "ok" or "fail: <reason>":
//   inclusion <index> <size> <leaf-hash> <root> <h1,h2,...|->
//   consistency <size1> <size2> <root1> <root2> <h1,h2,...|->
//   tlogproof <vkey> <entry> <proof-text>
// Hashes, entries and texts are standard base64. Used by interop.js.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/tlog_proof.h"

namespace hl = haven::ledger;

namespace {

std::string B64(const std::string& s) {
  auto d = hl::Base64Decode(s);
  return d ? *d : std::string("<bad base64>");
}

std::vector<std::string> List(const std::string& s) {
  std::vector<std::string> out;
  if (s == "-") return out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(B64(item));
  return out;
}

hl::Status Run(const std::string& line) {
  std::istringstream in(line);
  std::string cmd;
  in >> cmd;
  if (cmd == "inclusion") {
    uint64_t index, size;
    std::string leaf, root, proof;
    in >> index >> size >> leaf >> root >> proof;
    return hl::VerifyInclusion(index, size, B64(leaf), List(proof), B64(root));
  }
  if (cmd == "consistency") {
    uint64_t size1, size2;
    std::string root1, root2, proof;
    in >> size1 >> size2 >> root1 >> root2 >> proof;
    return hl::VerifyConsistency(size1, size2, List(proof), B64(root1),
                                 B64(root2));
  }
  if (cmd == "tlogproof") {
    std::string vkey, entry, text;
    in >> vkey >> entry >> text;
    auto key = hl::ParseVerifierKey(B64(vkey));
    if (!key.ok()) return key.status();
    auto proof = hl::ParseTlogProof(B64(text));
    if (!proof.ok()) return proof.status();
    return hl::VerifyTlogProof(*proof, B64(entry), *key).status();
  }
  return hl::Status::InvalidArgument("unknown command " + cmd);
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    hl::Status s = Run(line);
    std::cout << (s.ok() ? std::string("ok") : "fail: " + s.message()) << "\n";
  }
  return 0;
}
