// Fuzzes the segment header decoder and the frame reader on arbitrary bytes:
// every frame returned must lie inside the input and re-encode to itself, and
// the data end (format §2.4) must be the end of the last byte that is not fill.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace hl = haven::ledger;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hl::SegmentHeader h;
  uint64_t first = 0;
  uint32_t chain = 0;
  if (hl::DecodeSegmentHeader(bytes, hl::kSegmentMagic, &h).ok()) {
    first = h.first_index;
    chain = h.prev_chain;
  }
  std::string_view body = bytes.size() >= hl::kSegmentHeaderSize
                              ? bytes.substr(hl::kSegmentHeaderSize)
                              : bytes;
  hl::FrameReader r(body, first, chain);
  std::string_view payload;
  std::string rebuilt;
  uint32_t c = chain;
  uint64_t i = first;
  while (r.Next(&payload) == hl::FrameReader::kFrame) {
    hl::AppendFrame(&c, i++, payload, &rebuilt);
  }
  if (rebuilt != body.substr(0, r.offset()) || c != r.chain()) std::abort();
  // Everything past the data end is fill, and the byte before it is not.
  size_t end = hl::DataEnd(bytes);
  if (end > bytes.size()) std::abort();
  if (end > 0 && bytes[end - 1] == hl::kFillByte) std::abort();
  for (size_t k = end; k < bytes.size(); ++k) {
    if (bytes[k] != hl::kFillByte) std::abort();
  }
  return 0;
}
