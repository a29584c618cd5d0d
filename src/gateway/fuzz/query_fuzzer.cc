// Fuzzes what a client sends the gateway: the search body and the query
// strings of GET /v1/records. Neither may crash, and a parsed search body
// must pass the records store's filter check.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "gateway/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  haven::gateway::SearchQuery q;
  if (!haven::gateway::ParseSearchBody(in, &q)) {
    if (!haven::records::ValidateFilter(q.dataset, q.filter).ok())
      __builtin_trap();
    if (q.why.case_number.empty() || q.limit < 1) __builtin_trap();
  }
  haven::gateway::Justification j;
  (void)haven::gateway::ParseJustificationParams(in, &j);
  return 0;
}
