// Crash safety: an appending process is killed with SIGKILL at a random
// moment; after reopening, every acknowledged entry is there with its
// content, the log verifies, and it agrees with every checkpoint signed
// before the kill. HAVEN_CRASH_TRIALS sets the number of trials (default 4;
// the long run in BENCHMARKS.md used 100), HAVEN_CRASH_MAX_MS the latest
// moment of the kill (default 400 ms after the first acknowledgment).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "ledger/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"

extern char** environ;

namespace haven::ledger {
namespace {

namespace fs = std::filesystem;

struct KillRun {
  std::map<uint64_t, std::string> acked;
  std::vector<std::string> checkpoints;
};

// Starts the helper, kills it after `ms` milliseconds, returns what it said.
KillRun AppendThenKill(const std::string& helper, const std::string& dir,
                       int threads, unsigned seed, int ms) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addclose(&fa, fds[0]);
  std::string t = std::to_string(threads), s = std::to_string(seed);
  char* argv[] = {const_cast<char*>(helper.c_str()),
                  const_cast<char*>(dir.c_str()), t.data(), s.data(), nullptr};
  pid_t pid;
  EXPECT_EQ(posix_spawn(&pid, helper.c_str(), &fa, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  std::string out;
  std::atomic<bool> appending{false};
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) {
      out.append(buf, n);
      if (out.find("\nA ") != std::string::npos || out.rfind("A ", 0) == 0) {
        appending.store(true);
      }
    }
  });
  // The kill lands at a random moment once appends are being acknowledged
  // (a slow start, e.g. under a sanitizer, must not make the trial vacuous).
  for (int i = 0; i < 2000 && !appending.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  reader.join();
  ::close(fds[0]);
  EXPECT_TRUE(WIFSIGNALED(status)) << "helper exited by itself: " << status;
  KillRun run;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: cut by the kill, not an ack
    if (line.rfind("A ", 0) == 0) {
      size_t sp = line.find(' ', 2);
      run.acked[std::stoull(line.substr(2, sp - 2))] = line.substr(sp + 1);
    } else if (line.rfind("C ", 0) == 0) {
      run.checkpoints.push_back(*Base64Decode(line.substr(2)));
    }
  }
  return run;
}

TEST(CrashSafety, AcknowledgedEntriesSurviveSigkillAndAgreeWithCheckpoints) {
  const char* helper = std::getenv("HAVEN_LEDGER_CRASH_HELPER");
  ASSERT_NE(helper, nullptr) << "set HAVEN_LEDGER_CRASH_HELPER";
  const char* trials_env = std::getenv("HAVEN_CRASH_TRIALS");
  int trials = trials_env ? std::atoi(trials_env) : 4;
  std::mt19937 rng(std::random_device{}());
  std::string tmpl = ::testing::TempDir() + "ledger_crash_XXXXXX";
  std::string dir = ::mkdtemp(tmpl.data());
  ASSERT_TRUE(Ledger::Create(dir, "haven.test/crash").ok());
  std::map<uint64_t, std::string> all_acked;
  std::vector<std::string> all_checkpoints;
  int recoveries = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const char* max_env = std::getenv("HAVEN_CRASH_MAX_MS");
    int max_ms = max_env ? std::max(1, std::atoi(max_env)) : 400;
    int ms = static_cast<int>(rng() % max_ms);
    int threads = 2 + static_cast<int>(rng() % 7);
    KillRun run = AppendThenKill(helper, dir, threads, rng(), ms);
    for (auto& [i, e] : run.acked) {
      auto [it, fresh] = all_acked.emplace(i, e);
      ASSERT_TRUE(fresh || it->second == e)
          << "index " << i << " acknowledged twice with different entries";
    }
    all_checkpoints.insert(all_checkpoints.end(), run.checkpoints.begin(),
                           run.checkpoints.end());

    Options o;
    o.checkpoint_every = std::chrono::milliseconds(0);
    o.checkpoint_on_close = false;
    StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(o, dir);
    ASSERT_TRUE(l.ok()) << "trial " << trial << ": " << l.status().ToString();
    if (!(*l)->recovery().empty()) ++recoveries;
    uint64_t n = (*l)->size();
    if (!all_acked.empty()) {
      ASSERT_GT(n, all_acked.rbegin()->first) << "trial " << trial;
    }
    StatusOr<std::vector<std::string>> entries = (*l)->ReadEntries(0, n);
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    for (const auto& [i, e] : all_acked) {
      ASSERT_EQ((*entries)[i], e) << "trial " << trial << " index " << i;
    }
    for (const std::string& note : all_checkpoints) {
      StatusOr<Checkpoint> cp = OpenCheckpoint(note, (*l)->verifier());
      ASSERT_TRUE(cp.ok());
      ASSERT_LE(cp->size, n);
      ASSERT_EQ(*(*l)->RootAt(cp->size), cp->root) << "size " << cp->size;
    }
    l->reset();
    VerifyOptions vo;
    for (size_t i = 0; i < all_checkpoints.size(); ++i) {
      vo.checkpoints.push_back(
          {"seen " + std::to_string(i), all_checkpoints[i]});
    }
    StatusOr<VerifyResult> v = VerifyLedger(dir, vo);
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->ok) << "trial " << trial << ": " << v->summary;
  }
  EXPECT_GT(all_acked.size(), 0u) << "the helper never acknowledged";
  std::printf(
      "%d trials, %zu acknowledged entries, %zu checkpoints seen, "
      "%d recoveries repaired a torn write\n",
      trials, all_acked.size(), all_checkpoints.size(), recoveries);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace haven::ledger
