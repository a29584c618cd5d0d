#include "ledger/verify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <filesystem>
#include <fstream>
#include <vector>

#include "ledger/frame.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"

namespace haven::ledger {
namespace {

namespace fs = std::filesystem;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::string* d : {&dir_, &other_}) {
      std::string tmpl = ::testing::TempDir() + "ledger_verify_XXXXXX";
      *d = ::mkdtemp(tmpl.data());
      ASSERT_TRUE(Ledger::Create(*d, "haven.test/ledger").ok());
    }
  }
  void TearDown() override {
    fs::remove_all(dir_);
    fs::remove_all(other_);
  }
  // Appends n entries with `prefix` and returns the checkpoint signed after
  // the first `at` of them.
  std::string Fill(const std::string& dir, const std::string& prefix, int n,
                   int at) {
    Options o;
    o.checkpoint_every = std::chrono::milliseconds(0);
    auto l = std::move(*Ledger::Open(o, dir));
    std::string kept;
    for (int i = 0; i < n; ++i) {
      EXPECT_TRUE(l->Append(prefix + std::to_string(i)).ok());
      if (i + 1 == at) kept = *l->SignCheckpoint();
    }
    return kept;
  }
  std::string dir_, other_;
};

TEST_F(VerifyTest, AcceptsAnIntactLedgerWithAKeptCheckpoint) {
  std::string kept = Fill(dir_, "e", 300, 120);
  VerifyOptions o;
  o.checkpoints.push_back({"kept", kept});
  o.vkey = *ReadFileToString(dir_ + "/ledger.vkey");
  StatusOr<VerifyResult> r = VerifyLedger(dir_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->summary;
  EXPECT_EQ(r->entries, 300u);
  EXPECT_EQ(r->checkpoints, 2u);  // the kept one and the one at close
  EXPECT_EQ(r->summary.substr(0, 16), "ok: 300 entries ");
}

TEST_F(VerifyTest, RejectsACheckpointOfAnotherLogSignedByTheSameName) {
  Fill(dir_, "e", 50, 50);
  std::string foreign = Fill(other_, "e", 50, 50);
  VerifyOptions o;
  o.checkpoints.push_back({"foreign", foreign});
  StatusOr<VerifyResult> r = VerifyLedger(dir_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->summary.find("checkpoint foreign"), std::string::npos)
      << r->summary;
}

TEST_F(VerifyTest, WithVkeyTheLogsOwnKeyFileIsNotTrusted) {
  Fill(dir_, "e", 10, 10);
  VerifyOptions o;
  o.vkey = *ReadFileToString(other_ + "/ledger.vkey");
  StatusOr<VerifyResult> r = VerifyLedger(dir_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->summary.find("checkpoints.log"), std::string::npos)
      << r->summary;
}

TEST_F(VerifyTest, NamesTheRangeWhenAnotherLogOfTheSameSizeIsSwappedIn) {
  std::string kept = Fill(dir_, "e", 100, 60);
  Fill(other_, "forged", 100, 100);
  // The forger holds the same key: copy it so signatures verify.
  fs::copy_file(dir_ + "/ledger.key", other_ + "/ledger.key",
                fs::copy_options::overwrite_existing);
  fs::copy_file(dir_ + "/ledger.vkey", other_ + "/ledger.vkey",
                fs::copy_options::overwrite_existing);
  VerifyOptions o;
  o.checkpoints.push_back({"kept", kept});
  StatusOr<VerifyResult> r = VerifyLedger(other_, o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
}

// Verification hashes leaves on a second thread, a chunk of entries ahead;
// the failure it reports must still be the first in entry order.
TEST_F(VerifyTest, ReportsTheFirstFailureInEntryOrderAcrossChunks) {
  constexpr int kN = 100000;
  {
    Options o;
    o.checkpoint_every = std::chrono::milliseconds(0);
    auto l = std::move(*Ledger::Open(o, dir_));
    std::vector<std::string> all;
    for (int i = 0; i < kN; ++i) all.push_back("e" + std::to_string(i));
    ASSERT_TRUE(l->AppendAll(all).ok());
  }  // signs a checkpoint on close
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok) << r->summary;
  EXPECT_EQ(r->entries, uint64_t{kN});

  auto flip = [](const std::string& path, uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c;
    f.get(c);
    f.seekp(offset);
    f.put(static_cast<char>(c ^ 1));
  };
  // Entry 65536, several chunks in, breaks its frame. The leaf of entry
  // 65535 is stored at position 2j - popcount(j) of tree.hashes.
  std::string segment = dir_ + "/00000000000000000000.seg";
  uint64_t offset = 32;
  for (int i = 0; i < 65536; ++i)
    offset += 8 + ("e" + std::to_string(i)).size();
  flip(segment, offset + 8);
  r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->summary.find("entry 65536 at " + segment + " offset " +
                            std::to_string(offset) + ": frame checksum"),
            0u)
      << r->summary;

  const uint64_t j = 65535;
  const uint64_t node = 2 * j - std::popcount(j);
  flip(dir_ + "/tree.hashes", node * 32);
  r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_NE(r->summary.find("stored node " + std::to_string(node) +
                            " (completed by entry 65535)"),
            std::string::npos)
      << r->summary;
}

// Inner nodes are checked too, each against the entry that completed it:
// node (level 4, index 2) covers entries 32..47 and is completed by entry 47.
TEST_F(VerifyTest, NamesTheEntryThatCompletedAStoredInnerNodeThatDiffers) {
  Fill(dir_, "e", 100, 60);
  const uint64_t node = NodePosition(4, 2);
  {
    std::fstream f(dir_ + "/tree.hashes",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(node * 32 + 31));
    f.put('\x5a');
  }
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->summary, dir_ + "/tree.hashes offset " +
                            std::to_string(node * 32) + ": stored node " +
                            std::to_string(node) +
                            " (completed by entry 47) differs from the hash "
                            "of the entries; proofs would be wrong");
}

// The pipeline runs across segments: the fold of one segment's last entries
// may still be running while the next segment is read. Damage found while
// reading must not be reported ahead of an earlier failure of that fold.
TEST_F(VerifyTest, ReportsAFailureInOneSegmentBeforeDamageInTheNext) {
  {
    Options o;
    o.checkpoint_every = std::chrono::milliseconds(0);
    o.segment_bytes = 4096;  // ~100 entries a segment
    auto l = std::move(*Ledger::Open(o, dir_));
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(
          l->Append("entry " + std::to_string(i) + " of the test").ok());
    }
  }
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() == ".seg") segs.push_back(e.path());
  }
  std::sort(segs.begin(), segs.end());
  ASSERT_GE(segs.size(), 4u);
  // The last entry of the second segment, and the node it stores for its
  // leaf (position 2j - popcount(j)).
  const uint64_t last =
      std::stoull(fs::path(segs[2]).filename().string().substr(0, 20)) - 1;
  const uint64_t node = 2 * last - std::popcount(last);
  {
    std::fstream f(dir_ + "/tree.hashes",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(node * 32));
    f.put('\x5a');
  }
  // And a frame of the third segment damaged, and the fourth removed.
  {
    std::fstream f(segs[2], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x5a');
  }
  fs::remove(segs[3]);
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_NE(
      r->summary.find("stored node " + std::to_string(node) +
                      " (completed by entry " + std::to_string(last) + ")"),
      std::string::npos)
      << r->summary;
}

TEST_F(VerifyTest, SaysHowManyNodesACheckpointNeedsWhenTreeHashesIsShort) {
  Fill(dir_, "e", 100, 60);  // the checkpoint at close covers all 100
  fs::resize_file(dir_ + "/tree.hashes", NodeCount(70) * 32);
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->summary, dir_ + "/tree.hashes ends at node " +
                            std::to_string(NodeCount(70)) +
                            " but checkpointed entries need " +
                            std::to_string(NodeCount(100)));
}

TEST_F(VerifyTest, AcceptsAFillTailAndRejectsAnyOtherByteInIt) {
  Fill(dir_, "e", 20, 10);
  std::string seg = dir_ + "/00000000000000000000.seg";
  const uint64_t end = fs::file_size(seg);
  {
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << std::string(8 << 20, kFillByte);
  }
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok) << r->summary;
  EXPECT_EQ(r->entries, 20u);
  // One byte of the fill, however far from the frames, is not fill.
  for (uint64_t at : {end, end + 4097, end + (8 << 20) - 1}) {
    {
      std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(at);
      f.put('\x7f');
    }
    r = VerifyLedger(dir_, {});
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->ok) << at;
    EXPECT_NE(r->summary.find("entry 20 at " + seg + " offset " +
                              std::to_string(end)),
              std::string::npos)
        << r->summary;
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(at);
    f.put(kFillByte);
  }
}

// Segments are read through a window of about 1 MiB, so frames of every
// size, up to the largest, cross its edges somewhere: damage in any frame is
// still named by its own entry and offset, and a frame cut anywhere is a torn
// tail.
TEST_F(VerifyTest, NamesDamageInFramesOfEverySizeWhereverTheReadsAreCut) {
  const std::vector<size_t> sizes = {100,    300000, kMaxEntrySize, 7,
                                     500000, 1,      kMaxEntrySize, 65536,
                                     999999, 4097,   kMaxEntrySize, 250};
  std::vector<uint64_t> at;  // each frame's offset in the segment
  {
    Options o;
    o.checkpoint_every = std::chrono::milliseconds(0);
    auto l = std::move(*Ledger::Open(o, dir_));
    uint64_t offset = 32;  // after the segment header
    for (size_t i = 0; i < sizes.size(); ++i) {
      at.push_back(offset);
      offset += FrameSize(sizes[i]);
      ASSERT_TRUE(
          l->Append(std::string(sizes[i], static_cast<char>('a' + i))).ok());
    }
  }
  const std::string seg = dir_ + "/00000000000000000000.seg";
  StatusOr<VerifyResult> r = VerifyLedger(dir_, {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->ok) << r->summary;
  EXPECT_EQ(r->entries, sizes.size());

  auto put = [&](uint64_t offset, char c) {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    char old;
    f.get(old);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(c);
    return old;
  };
  // Verification fails, and its first failure is entry i's frame.
  auto expect_failure_at = [&](size_t i, const std::string& problem) {
    StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->ok);
    EXPECT_EQ(
        v->summary.find("entry " + std::to_string(i) + " at " + seg +
                        " offset " + std::to_string(at[i]) + ": " + problem),
        0u)
        << v->summary;
  };
  for (size_t i = 0; i < sizes.size(); ++i) {
    const uint64_t payload = at[i] + kFrameHeaderSize;
    for (uint64_t off :
         {payload, payload + sizes[i] / 2, payload + sizes[i] - 1}) {
      SCOPED_TRACE("byte at " + std::to_string(off));
      char old = put(off, '!');
      expect_failure_at(i, "frame checksum mismatch");
      put(off, old);
    }
  }
  // Cut inside each frame, from the last back: a torn tail at that frame.
  for (size_t i = sizes.size(); i-- > 0;) {
    SCOPED_TRACE("cut in entry " + std::to_string(i));
    fs::resize_file(seg, at[i] + kFrameHeaderSize + sizes[i] / 2);
    expect_failure_at(i, "frame payload is incomplete (a torn tail");
  }
}

TEST_F(VerifyTest, MissingDirectoryIsAnErrorNotAFailedCheck) {
  EXPECT_FALSE(VerifyLedger(dir_ + "/missing", {}).ok());
}

}  // namespace
}  // namespace haven::ledger
