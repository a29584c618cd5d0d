// Fuzzes the signed-note parser and verifier with a fixed known key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/note.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const haven::ledger::VerifierKey key =
      *haven::ledger::ParseVerifierKey(
          "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  auto note = haven::ledger::ParseNote(msg);
  auto text = haven::ledger::OpenNote(msg, {&key, 1});
  // Whatever opens must also parse, with the same text.
  if (text.ok() && (!note.ok() || note->text != *text)) std::abort();
  return 0;
}
