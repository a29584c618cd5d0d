// Fuzzes the JSON policy format reader (policy sets and single policies):
// any input must parse or fail cleanly; whatever parses must be written back
// as JSON that reads again and writes identically.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cedar/policy_json.h"

using namespace haven::cedar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  if (Result<Policy> p = ReadPolicyJson(json); p.ok()) {
    std::string w = WritePolicyJson(*p);
    Result<Policy> again = ReadPolicyJson(w);
    if (!again.ok() || WritePolicyJson(*again) != w) std::abort();
  }
  if (Result<PolicySet> s = ReadPolicySetJson(json); s.ok()) {
    std::string w = WritePolicySetJson(*s);
    Result<PolicySet> again = ReadPolicySetJson(w);
    if (!again.ok() || WritePolicySetJson(*again) != w) std::abort();
  }
  return 0;
}
