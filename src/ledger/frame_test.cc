#include "ledger/frame.h"

#include <gtest/gtest.h>

#include <cstring>

namespace haven::ledger {
namespace {

std::string Frames(uint64_t first, uint32_t chain, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    AppendFrame(&chain, first + i, "entry " + std::to_string(i), &out);
  }
  return out;
}

TEST(Frame, LayoutIsLengthCrcPayload) {
  std::string out;
  uint32_t chain = 0;
  AppendFrame(&chain, 0, "abc", &out);
  ASSERT_EQ(out.size(), 11u);
  EXPECT_EQ(GetFixed32(out.data()), 3u);
  EXPECT_EQ(GetFixed32(out.data() + 4), FrameCrc(0, 0, "abc"));
  EXPECT_EQ(chain, FrameCrc(0, 0, "abc"));
  EXPECT_EQ(out.substr(8), "abc");
}

TEST(Frame, DataEndIsPastTheLastByteThatIsNotFill) {
  EXPECT_EQ(DataEnd(""), 0u);
  EXPECT_EQ(DataEnd(std::string(100, kFillByte)), 0u);
  std::string frames = Frames(0, 0, 3);
  EXPECT_EQ(DataEnd(frames), frames.size());
  EXPECT_EQ(DataEnd(frames + std::string(4099, kFillByte)), frames.size());
  std::string stray =
      frames + std::string(37, kFillByte) + "x" + std::string(1000, kFillByte);
  EXPECT_EQ(DataEnd(stray), frames.size() + 38);
  // Through whole pages of fill and the bytes around their edges.
  EXPECT_EQ(DataEnd(std::string(8192, kFillByte)), 0u);
  const size_t size = 3 * 4096 + 5;
  for (size_t k = 0; k < size;
       k += (k % 4096 < 9 || k % 4096 > 4087) ? 1 : 997) {
    std::string b(size, kFillByte);
    b[k] = 'x';
    ASSERT_EQ(DataEnd(b), k + 1) << "non-fill byte at " << k;
  }
  // The fill is never a frame: its length field exceeds 1 MiB.
  std::string fill(16, kFillByte);
  FrameReader r(fill, 0, 0);
  std::string_view p;
  EXPECT_EQ(r.Next(&p), FrameReader::kBad);
  EXPECT_EQ(r.offset(), 0u);
}

TEST(Frame, ReaderReturnsEveryFrameThenEnd) {
  std::string body = Frames(10, 7, 5);
  FrameReader r(body, 10, 7);
  std::string_view p;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(r.Next(&p), FrameReader::kFrame);
    EXPECT_EQ(p, "entry " + std::to_string(i));
  }
  EXPECT_EQ(r.Next(&p), FrameReader::kEnd);
  EXPECT_EQ(r.index(), 15u);
}

TEST(Frame, ChainCatchesDroppedDuplicatedAndSwappedFrames) {
  std::string body = Frames(0, 0, 3);
  size_t f0 = 0, f1 = FrameSize(7), f2 = 2 * FrameSize(7);
  std::string a = body.substr(f0, f1), b = body.substr(f1, f1),
              c = body.substr(f2);
  for (const std::string& bad : {a + c, a + b + b + c, a + c + b, b + a + c}) {
    FrameReader r(bad, 0, 0);
    std::string_view p;
    FrameReader::Result res;
    while ((res = r.Next(&p)) == FrameReader::kFrame) {
    }
    EXPECT_EQ(res, FrameReader::kBad);
    EXPECT_FALSE(r.incomplete());
  }
  // The same frames at another index or after another chain value: bad.
  std::string_view p;
  EXPECT_EQ(FrameReader(body, 1, 0).Next(&p), FrameReader::kBad);
  EXPECT_EQ(FrameReader(body, 0, 1).Next(&p), FrameReader::kBad);
}

TEST(Frame, ReaderReportsAnIncompleteTail) {
  std::string body = Frames(0, 0, 2);
  for (size_t cut = FrameSize(7) + 1; cut < body.size(); ++cut) {
    FrameReader r(std::string_view(body).substr(0, cut), 0, 0);
    std::string_view p;
    ASSERT_EQ(r.Next(&p), FrameReader::kFrame);
    ASSERT_EQ(r.Next(&p), FrameReader::kBad);
    EXPECT_TRUE(r.incomplete());
    EXPECT_EQ(r.offset(), FrameSize(7));
  }
}

TEST(Frame, RejectsLengthsOverOneMebibyte) {
  std::string body(8, '\0');
  PutFixed32(body.data(), kMaxEntrySize + 1);
  FrameReader r(body, 0, 0);
  std::string_view p;
  EXPECT_EQ(r.Next(&p), FrameReader::kBad);
  EXPECT_FALSE(r.incomplete());
}

TEST(Frame, SegmentHeaderRoundTripsAndChecksItsCrc) {
  char buf[kSegmentHeaderSize];
  EncodeSegmentHeader({kSegmentMagic, 1234, 0xdeadbeef, 4096}, buf);
  SegmentHeader h;
  ASSERT_TRUE(DecodeSegmentHeader({buf, sizeof(buf)}, kSegmentMagic, &h).ok());
  EXPECT_EQ(h.first_index, 1234u);
  EXPECT_EQ(h.prev_chain, 0xdeadbeefu);
  EXPECT_EQ(h.max_write, 4096u);
  EXPECT_FALSE(
      DecodeSegmentHeader({buf, sizeof(buf)}, kCheckpointLogMagic, &h).ok());
  for (size_t i = 0; i < sizeof(buf); ++i) {
    char copy[kSegmentHeaderSize];
    std::memcpy(copy, buf, sizeof(buf));
    copy[i] ^= 0x20;
    EXPECT_FALSE(
        DecodeSegmentHeader({copy, sizeof(copy)}, kSegmentMagic, &h).ok())
        << i;
  }
}

}  // namespace
}  // namespace haven::ledger
