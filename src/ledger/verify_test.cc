#include "ledger/verify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ledger/ledger.h"

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

TEST_F(VerifyTest, MissingDirectoryIsAnErrorNotAFailedCheck) {
  EXPECT_FALSE(VerifyLedger(dir_ + "/missing", {}).ok());
}

}  // namespace
}  // namespace haven::ledger
