// Fuzzes the C2SP tlog-proof parser and its round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/tlog_proof.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = haven::ledger::ParseTlogProof(text);
  if (p.ok()) {
    auto again = haven::ledger::ParseTlogProof(p->ToText());
    if (!again.ok() || again->index != p->index || again->hashes != p->hashes ||
        again->extra != p->extra || again->checkpoint != p->checkpoint) {
      std::abort();
    }
  }
  return 0;
}
