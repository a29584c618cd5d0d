// Segment headers and checksummed, chained frames (docs/ledger-format.md §2).
//
//   std::string out;
//   uint32_t chain = 0;
//   AppendFrame(&chain, /*index=*/0, "entry", &out);
//
//   FrameReader r(body, /*first_index=*/0, /*prev_chain=*/0);
//   std::string_view payload;
//   while (r.Next(&payload) == FrameReader::kFrame) use(payload);
//   if (!r.at_end()) report(r.offset(), r.problem());
//
// Pure code over byte buffers; thread-compatible.
#ifndef HAVEN_LEDGER_FRAME_H_
#define HAVEN_LEDGER_FRAME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace haven::ledger {

inline constexpr size_t kSegmentHeaderSize = 32;
inline constexpr size_t kFrameHeaderSize = 8;
inline constexpr uint32_t kMaxEntrySize = 1 << 20;
inline constexpr std::string_view kSegmentMagic = "havenlg1";
inline constexpr std::string_view kCheckpointLogMagic = "havencp1";

struct SegmentHeader {
  std::string_view magic;  // kSegmentMagic or kCheckpointLogMagic
  uint64_t first_index = 0;
  uint32_t prev_chain = 0;
  uint32_t max_write = 0;
};

// Writes the 32-byte header to out.
void EncodeSegmentHeader(const SegmentHeader& h, char out[kSegmentHeaderSize]);

// Decodes and checks a header (magic, reserved bytes, CRC). `bytes` must
// hold at least kSegmentHeaderSize bytes. The magic in *h points at
// `expected_magic`.
Status DecodeSegmentHeader(std::string_view bytes,
                           std::string_view expected_magic, SegmentHeader* h);

// CRC32C(prev_chain ‖ index ‖ length ‖ payload), all little-endian.
uint32_t FrameCrc(uint32_t prev_chain, uint64_t index,
                  std::string_view payload);

// Appends the frame of entry `index` to *out and advances *chain.
void AppendFrame(uint32_t* chain, uint64_t index, std::string_view payload,
                 std::string* out);

// A segment may end in a fill tail of this byte (format §2.5). A frame's
// length field never starts with four of them (lengths are at most 1 MiB).
inline constexpr char kFillByte = '\xff';

// The offset just past the last byte of `bytes` that is not kFillByte (0 if
// every byte is): a segment's data end (format §2.4).
size_t DataEnd(std::string_view bytes);

inline size_t FrameSize(size_t payload_size) {
  return kFrameHeaderSize + payload_size;
}

// FrameReader walks the frames of a segment body (the bytes after the
// header), checking length bound, CRC and chain.
class FrameReader {
 public:
  enum Result { kFrame, kEnd, kBad };

  FrameReader(std::string_view body, uint64_t first_index, uint32_t prev_chain)
      : body_(body), index_(first_index), chain_(prev_chain) {}

  // kFrame: *payload is the next entry. kEnd: the body ended exactly after a
  // frame. kBad: the frame at offset() is incomplete or does not check;
  // problem() says how. After kBad or kEnd, Next keeps returning the same.
  Result Next(std::string_view* payload);

  // Offset in the body of the next (or bad) frame.
  uint64_t offset() const { return offset_; }
  // Index of the next (or bad) frame.
  uint64_t index() const { return index_; }
  // Chain value before the next frame.
  uint32_t chain() const { return chain_; }
  bool at_end() const { return offset_ == body_.size(); }
  // True if the bad frame runs past the end of the body.
  bool incomplete() const { return incomplete_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string_view body_;
  uint64_t offset_ = 0;
  uint64_t index_;
  uint32_t chain_;
  bool bad_ = false;
  bool incomplete_ = false;
  std::string problem_;
};

// Little-endian helpers.
inline void PutFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline void PutFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
inline uint32_t GetFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}
inline uint64_t GetFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_FRAME_H_
