// Fuzzes the verifier-key and signing-key text parsers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto key = haven::ledger::ParseVerifierKey(text);
  if (key.ok()) {
    auto again = haven::ledger::ParseVerifierKey(key->ToString());
    if (!again.ok() || again->ToString() != key->ToString()) std::abort();
  }
  auto signer = haven::ledger::Signer::Parse(text);
  if (signer.ok() && !haven::ledger::Signer::Parse(signer->ToString()).ok()) {
    std::abort();
  }
  return 0;
}
