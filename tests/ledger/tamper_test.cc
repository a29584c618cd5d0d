// Tamper evidence: a ledger of thousands of entries is damaged in every way
// the issue lists — a flipped byte anywhere, a frame dropped, duplicated,
// reordered or inserted, a truncation anywhere, a different log of the same
// size swapped in — and verification, given a checkpoint the auditor kept,
// must catch each one and say what it found. A few cases also go through the
// `haven ledger verify` command to check its exit status and output.
// HAVEN_TAMPER_SAMPLES scales the number of random cases (default 1).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "ledger/file.h"
#include "ledger/frame.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"

namespace haven::ledger {
namespace {

namespace fs = std::filesystem;

constexpr int kEntries = 3000;
constexpr int kKeptAt = 2000;  // the auditor's checkpoint

std::string Slurp(const fs::path& p) { return *ReadFileToString(p.string()); }
void Spit(const fs::path& p, const std::string& data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << data;
}

std::vector<fs::path> Segments(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Offsets of the frames in a segment, and the end of its frames (where its
// fill tail, if any, begins).
std::vector<size_t> FrameOffsets(const std::string& seg) {
  std::vector<size_t> out;
  size_t at = kSegmentHeaderSize;
  const size_t end = DataEnd(seg);
  while (at + kFrameHeaderSize <= end) {
    out.push_back(at);
    at += FrameSize(GetFixed32(seg.data() + at));
  }
  out.push_back(at);
  return out;
}

class TamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::path(::testing::TempDir()) /
            ("ledger_tamper_" + std::to_string(::getpid()));
    fs::create_directories(root_);
    pristine_ = root_ / "pristine";
    ASSERT_TRUE(Ledger::Create(pristine_.string(), "haven.test/tamper").ok());
    // The forger's logs: same size, same origin; one with the same key.
    same_key_ = root_ / "same-key";
    other_key_ = root_ / "other-key";
    fs::create_directories(same_key_);
    fs::copy(pristine_ / "ledger.key", same_key_ / "ledger.key");
    fs::copy(pristine_ / "ledger.vkey", same_key_ / "ledger.vkey");
    ASSERT_TRUE(Ledger::Create(other_key_.string(), "haven.test/tamper").ok());
    Options o;
    o.segment_bytes = 16 << 10;
    o.ahead = Options::Ahead::kFill;  // so that segments end in fill
    o.checkpoint_every_entries = 700;
    o.checkpoint_every = std::chrono::milliseconds(0);
    forged_index_ = 1234;
    for (const fs::path& d : {pristine_, same_key_, other_key_}) {
      auto l = std::move(*Ledger::Open(o, d.string()));
      std::vector<std::string> batch;
      for (int i = 0; i < kEntries; ++i) {
        std::string e = "{\"i\":" + std::to_string(i) + ",\"who\":\"officer " +
                        std::to_string(i % 17) + "\"}";
        if (d != pristine_ && i == forged_index_)
          e = "{\"i\":0,\"who\":\"nobody\"}";
        batch.push_back(e);
        if (batch.size() == 50) {
          ASSERT_TRUE(l->AppendAll(batch).ok());
          batch.clear();
        }
        if (i + 1 == kKeptAt && d == pristine_) kept_ = *l->SignCheckpoint();
      }
    }
    vkey_ = Slurp(pristine_ / "ledger.vkey");
    ASSERT_GE(Segments(pristine_).size(), 5u);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  void SetUp() override {
    work_ = root_ / ("case-" + std::to_string(counter_++));
    fs::copy(pristine_, work_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(work_); }

  // Verifies `work_` with the auditor's checkpoint and key.
  VerifyResult Verify(bool trust_own_key = false) {
    VerifyOptions o;
    if (!trust_own_key) o.vkey = vkey_;
    o.checkpoints.push_back({"kept-2000", kept_});
    StatusOr<VerifyResult> r = VerifyLedger(work_.string(), o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : VerifyResult{};
  }

  void ExpectCaught(const std::string& what, bool trust_own_key = false) {
    VerifyResult r = Verify(trust_own_key);
    EXPECT_FALSE(r.ok) << what << " was not caught: " << r.summary;
    EXPECT_FALSE(r.summary.empty());
  }

  static int Samples() {
    const char* s = std::getenv("HAVEN_TAMPER_SAMPLES");
    return s ? std::max(1, std::atoi(s)) : 1;
  }

  static inline fs::path root_, pristine_, same_key_, other_key_;
  static inline std::string kept_, vkey_;
  static inline int forged_index_ = 0;
  static inline int counter_ = 0;
  fs::path work_;
  std::mt19937 rng_{20260727};
};

TEST_F(TamperTest, PristineLedgerVerifies) {
  VerifyResult r = Verify();
  EXPECT_TRUE(r.ok) << r.summary;
  EXPECT_EQ(r.entries, uint64_t{kEntries});
  EXPECT_TRUE(Verify(/*trust_own_key=*/true).ok);
}

TEST_F(TamperTest, AFlippedByteAnywhereIsCaught) {
  // Every file verification reads; sampled positions, plus every header byte.
  std::vector<fs::path> files = Segments(pristine_);
  files.push_back(pristine_ / "checkpoints.log");
  files.push_back(pristine_ / "tree.hashes");
  int cases = 0;
  for (const fs::path& f : files) {
    std::string original = Slurp(f);
    std::vector<size_t> positions;
    for (size_t i = 0; i < kSegmentHeaderSize && i < original.size(); ++i) {
      positions.push_back(i);
    }
    for (int k = 0; k < 40 * Samples(); ++k) {
      positions.push_back(rng_() % original.size());
    }
    for (size_t pos : positions) {
      std::string damaged = original;
      damaged[pos] ^= static_cast<char>(1 << (rng_() % 8));
      fs::path target = work_ / f.filename();
      Spit(target, damaged);
      ExpectCaught(f.filename().string() + " byte " + std::to_string(pos));
      Spit(target, original);
      ++cases;
    }
  }
  // The log's own key file, when the auditor relies on it.
  std::string vkey = Slurp(pristine_ / "ledger.vkey");
  for (size_t pos = 0; pos + 1 < vkey.size(); ++pos) {
    std::string damaged = vkey;
    damaged[pos] ^= 0x01;
    Spit(work_ / "ledger.vkey", damaged);
    ExpectCaught("ledger.vkey byte " + std::to_string(pos), true);
    ++cases;
  }
  EXPECT_GT(cases, 300);
}

TEST_F(TamperTest, ADroppedDuplicatedReorderedOrInsertedFrameIsCaught) {
  std::vector<fs::path> segs = Segments(pristine_);
  for (int k = 0; k < 30 * Samples(); ++k) {
    const fs::path& f = segs[rng_() % segs.size()];
    std::string s = Slurp(f);
    std::vector<size_t> off = FrameOffsets(s);
    size_t frames = off.size() - 1;
    size_t i = rng_() % (frames - 1);
    std::string a = s.substr(off[i], off[i + 1] - off[i]);
    std::string b = s.substr(off[i + 1], off[i + 2] - off[i + 1]);
    std::string head = s.substr(0, off[i]), tail = s.substr(off[i + 2]);
    std::string forged;
    uint32_t chain = 12345;
    AppendFrame(&chain, 0, "{\"i\":-1}", &forged);
    const std::pair<std::string, std::string> cases[] = {
        {"drop", head + b + tail},
        {"duplicate", head + a + a + b + tail},
        {"reorder", head + b + a + tail},
        {"insert", head + a + forged + b + tail},
    };
    for (const auto& [what, damaged] : cases) {
      Spit(work_ / f.filename(), damaged);
      ExpectCaught(what + " frame " + std::to_string(i) + " of " +
                   f.filename().string());
    }
    Spit(work_ / f.filename(), s);
  }
  // Whole segments: dropped, duplicated under another name, reordered.
  fs::remove(work_ / segs[2].filename());
  ExpectCaught("segment dropped");
  fs::copy(pristine_ / segs[2].filename(), work_ / segs[2].filename());
  std::string s1 = Slurp(segs[1]), s2 = Slurp(segs[2]);
  Spit(work_ / segs[1].filename(), s2);
  Spit(work_ / segs[2].filename(), s1);
  ExpectCaught("segments swapped");
}

TEST_F(TamperTest, TruncationAnywhereIsCaught) {
  std::vector<fs::path> segs = Segments(pristine_);
  for (int k = 0; k < 40 * Samples(); ++k) {
    size_t which = rng_() % segs.size();
    const fs::path& f = segs[which];
    std::string s = Slurp(f);
    // Anywhere in the frames: cutting a fill tail (format §2.5) removes no
    // entry (see TruncatingTheFillTailRemovesNothing).
    size_t cut = rng_() % DataEnd(s);
    if (k % 2 == 0) {  // at a frame boundary: no torn frame to see
      std::vector<size_t> off = FrameOffsets(s);
      cut = off[rng_() % (off.size() - 1)];
    }
    Spit(work_ / f.filename(), s.substr(0, cut));
    // Later segments go too, as if the log simply ended here.
    for (size_t j = which + 1; j < segs.size(); ++j)
      fs::remove(work_ / segs[j].filename());
    ExpectCaught("truncation of " + f.filename().string() + " at " +
                 std::to_string(cut));
    fs::remove_all(work_);
    fs::copy(pristine_, work_, fs::copy_options::recursive);
  }
  // Truncated below the kept checkpoint and the stored checkpoints removed:
  // the auditor's checkpoint alone catches it.
  for (size_t j = 3; j < segs.size(); ++j)
    fs::remove(work_ / segs[j].filename());
  std::string cps = Slurp(pristine_ / "checkpoints.log");
  Spit(work_ / "checkpoints.log", cps.substr(0, kSegmentHeaderSize));
  VerifyResult r = Verify();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.summary.find("kept-2000"), std::string::npos) << r.summary;
  EXPECT_NE(r.summary.find("missing"), std::string::npos) << r.summary;
}

TEST_F(TamperTest, SegmentsEndInFillThatHidesNothing) {
  // The ledger was written with segments filled ahead (format §2.5).
  int filled = 0;
  for (const fs::path& f : Segments(pristine_)) {
    std::string s = Slurp(f);
    if (DataEnd(s) == s.size()) continue;
    ++filled;
    // Cutting the fill leaves the same log...
    Spit(work_ / f.filename(),
         s.substr(0, DataEnd(s) + rng_() % (s.size() - DataEnd(s))));
    VerifyResult r = Verify();
    EXPECT_TRUE(r.ok) << r.summary;
    EXPECT_EQ(r.entries, uint64_t{kEntries});
    // ...and frames moved behind it, or any byte in it, are caught.
    std::vector<size_t> off = FrameOffsets(s);
    size_t i = off.size() - 2;  // the last frame
    std::string hidden = s;
    std::string frame = s.substr(off[i], off[i + 1] - off[i]);
    hidden.replace(off[i], frame.size(), std::string(frame.size(), kFillByte));
    hidden += std::string(100, kFillByte) + frame;
    Spit(work_ / f.filename(), hidden);
    ExpectCaught("a frame moved behind the fill of " + f.filename().string());
    std::string stray = s;
    stray[s.size() - 1] = 'x';
    Spit(work_ / f.filename(), stray);
    ExpectCaught("a byte at the end of the fill of " + f.filename().string());
    Spit(work_ / f.filename(), s);
  }
  EXPECT_GE(filled, 1);
}

TEST_F(TamperTest, ADifferentLogOfTheSameSizeIsCaught) {
  for (const fs::path& forger : {same_key_, other_key_}) {
    for (const auto& e : fs::directory_iterator(work_)) fs::remove(e.path());
    for (const auto& e : fs::directory_iterator(forger)) {
      if (e.path().filename() != "LOCK")
        fs::copy(e.path(), work_ / e.path().filename());
    }
    // With the auditor's key, and with the swapped-in log's own key.
    ExpectCaught("log swapped in by " + forger.filename().string());
    VerifyResult r = Verify(/*trust_own_key=*/true);
    EXPECT_FALSE(r.ok);
    if (forger == same_key_) {
      // Same key, valid signatures: only the kept checkpoint's root differs,
      // and verify names the range holding the forged entry.
      EXPECT_NE(r.summary.find("kept-2000"), std::string::npos) << r.summary;
      EXPECT_NE(r.summary.find(" to 1999 differ"), std::string::npos)
          << r.summary;
    } else {
      EXPECT_NE(r.summary.find("checkpoint kept-2000"), std::string::npos)
          << r.summary;
    }
  }
}

int RunCli(const std::vector<std::string>& args, std::string* out) {
  const char* cli = std::getenv("HAVEN_LEDGER_CLI");
  if (cli == nullptr) return -1;
  std::string cmd = std::string(cli) + " ledger";
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  out->clear();
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(TamperTest, VerifyCommandExitsOneNamingEntryFileAndOffset) {
  if (std::getenv("HAVEN_LEDGER_CLI") == nullptr) GTEST_SKIP() << "no CLI";
  Spit(work_ / "kept.checkpoint", kept_);
  Spit(work_ / "auditor.vkey", vkey_);
  std::string out;
  ASSERT_EQ(RunCli({"verify", work_.string(), "--vkey",
                    (work_ / "auditor.vkey").string(), "--checkpoint",
                    (work_ / "kept.checkpoint").string()},
                   &out),
            0)
      << out;
  EXPECT_EQ(out.substr(0, 20), "ok: 3000 entries in ");
  // Flip one payload byte of entry 10.
  fs::path seg = Segments(work_)[0];
  std::string s = Slurp(seg);
  std::vector<size_t> off = FrameOffsets(s);
  s[off[10] + kFrameHeaderSize + 3] ^= 0x04;
  Spit(seg, s);
  ASSERT_EQ(RunCli({"verify", work_.string(), "--vkey",
                    (work_ / "auditor.vkey").string(), "--checkpoint",
                    (work_ / "kept.checkpoint").string()},
                   &out),
            1)
      << out;
  EXPECT_NE(out.find("entry 10 at " + seg.string() + " offset " +
                     std::to_string(off[10])),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace haven::ledger
