#include "ledger/frame.h"

#include <array>
#include <cstring>

#include "ledger/crc32c.h"

namespace haven::ledger {

void EncodeSegmentHeader(const SegmentHeader& h, char out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, h.magic.data(), 8);
  PutFixed64(out + 8, h.first_index);
  PutFixed32(out + 16, h.prev_chain);
  PutFixed32(out + 20, h.max_write);
  PutFixed32(out + 28, crc32c::Value(out, 28));
}

Status DecodeSegmentHeader(std::string_view bytes,
                           std::string_view expected_magic, SegmentHeader* h) {
  if (bytes.size() < kSegmentHeaderSize) {
    return Status::Corruption("segment header is incomplete");
  }
  const char* p = bytes.data();
  if (std::string_view(p, 8) != expected_magic) {
    return Status::Corruption("segment header has the wrong magic");
  }
  if (GetFixed32(p + 28) != crc32c::Value(p, 28)) {
    return Status::Corruption("segment header checksum mismatch");
  }
  if (GetFixed32(p + 24) != 0) {
    return Status::Corruption("segment header reserved field is not zero");
  }
  h->magic = expected_magic;
  h->first_index = GetFixed64(p + 8);
  h->prev_chain = GetFixed32(p + 16);
  h->max_write = GetFixed32(p + 20);
  return Status::Ok();
}

size_t DataEnd(std::string_view bytes) {
  size_t n = bytes.size();
  const char* p = bytes.data();
  // A page at a time through the fill, which may be megabytes long (memcmp
  // uses the widest vectors the CPU has), then eight bytes at a time.
  static const std::array<char, 4096> kFillPage = [] {
    std::array<char, 4096> a;
    a.fill(kFillByte);
    return a;
  }();
  while (n >= kFillPage.size() &&
         std::memcmp(p + n - kFillPage.size(), kFillPage.data(),
                     kFillPage.size()) == 0) {
    n -= kFillPage.size();
  }
  constexpr uint64_t kFill8 = ~uint64_t{0};
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    if (w != kFill8) break;
    n -= 8;
  }
  while (n > 0 && p[n - 1] == kFillByte) --n;
  return n;
}

uint32_t FrameCrc(uint32_t prev_chain, uint64_t index,
                  std::string_view payload) {
  char head[16];
  PutFixed32(head, prev_chain);
  PutFixed64(head + 4, index);
  PutFixed32(head + 12, static_cast<uint32_t>(payload.size()));
  uint32_t crc = crc32c::Value(head, sizeof(head));
  return crc32c::Extend(crc, payload.data(), payload.size());
}

void AppendFrame(uint32_t* chain, uint64_t index, std::string_view payload,
                 std::string* out) {
  uint32_t crc = FrameCrc(*chain, index, payload);
  size_t at = out->size();
  out->resize(at + kFrameHeaderSize);
  PutFixed32(out->data() + at, static_cast<uint32_t>(payload.size()));
  PutFixed32(out->data() + at + 4, crc);
  out->append(payload);
  *chain = crc;
}

FrameReader::Result FrameReader::Next(std::string_view* payload) {
  if (bad_) return kBad;
  if (offset_ == body_.size()) return kEnd;
  size_t left = body_.size() - offset_;
  const char* p = body_.data() + offset_;
  auto fail = [&](std::string why, bool incomplete) {
    bad_ = true;
    incomplete_ = incomplete;
    problem_ = std::move(why);
    return kBad;
  };
  if (left < kFrameHeaderSize) {
    return fail("frame header is incomplete", true);
  }
  uint32_t length = GetFixed32(p);
  if (length > kMaxEntrySize) {
    return fail(
        "frame length " + std::to_string(length) + " exceeds the 1 MiB limit",
        false);
  }
  if (left - kFrameHeaderSize < length) {
    return fail("frame payload is incomplete", true);
  }
  std::string_view data(p + kFrameHeaderSize, length);
  uint32_t crc = GetFixed32(p + 4);
  if (crc != FrameCrc(chain_, index_, data)) {
    return fail(
        "frame checksum mismatch (corrupted, or a frame dropped, "
        "duplicated, moved or inserted before it)",
        false);
  }
  *payload = data;
  chain_ = crc;
  offset_ += kFrameHeaderSize + length;
  ++index_;
  return kFrame;
}

}  // namespace haven::ledger
