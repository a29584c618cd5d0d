// Fuzzes the C2SP checkpoint body parser and its round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cp = haven::ledger::ParseCheckpoint(text);
  if (cp.ok()) {
    auto again = haven::ledger::ParseCheckpoint(cp->ToText());
    if (!again.ok() || !(*again == *cp)) std::abort();
  }
  return 0;
}
