// Fuzzes the readers of request lines, contexts and single values: any
// input must parse or fail cleanly; a value that parses must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cedar/json_value.h"

using namespace haven::cedar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)ReadRequestJson(json);
  (void)ReadContextJson(json);
  Result<Value> v = ReadValueJson(json);
  if (v.ok()) {
    Result<Value> again = ReadValueJson(WriteValueJson(*v));
    if (!again.ok() || !(*again == *v)) std::abort();
  }
  return 0;
}
