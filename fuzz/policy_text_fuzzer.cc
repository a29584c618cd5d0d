// Fuzzes the Cedar policy text parser and the printer: any input must parse
// or fail cleanly; whatever parses must print to text that parses again and
// prints identically (the printer is a fixed point after one round).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cedar/parser.h"
#include "cedar/printer.h"

using namespace haven::cedar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)CheckPolicySet(text);
  Result<PolicySet> set = ParsePolicySet(text);
  if (!set.ok()) return 0;
  std::string printed = FormatPolicySet(*set);
  Result<PolicySet> again = ParsePolicySet(printed);
  if (!again.ok()) std::abort();  // the printer wrote something unparseable
  if (FormatPolicySet(*again) != printed) std::abort();
  return 0;
}
