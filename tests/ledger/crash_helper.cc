// ledger_crash_helper DIR THREADS SEED: appends to the ledger in DIR from
// THREADS threads until killed, printing one line per acknowledged append,
//   A <index> <entry>
// only once the append is acknowledged (Append or AppendAll returned, or
// AppendBatchAsync's callback ran: the entry is durable), and one line per
// newly seen checkpoint,
//   C <base64 of the signed note>
// Lines are written with one write(2) each, so a SIGKILL leaves no partial
// acknowledgment behind a complete one. Used by crash_test.cc.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ledger/base64.h"
#include "ledger/ledger.h"

namespace hl = haven::ledger;

namespace {

std::mutex out_mu;

void Emit(const std::string& line) {
  std::lock_guard<std::mutex> l(out_mu);
  const char* p = line.data();
  size_t n = line.size();
  while (n > 0) {
    ssize_t w = ::write(1, p, n);
    if (w <= 0) std::_Exit(3);
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: ledger_crash_helper DIR THREADS SEED\n");
    return 2;
  }
  std::string dir = argv[1];
  int threads = std::atoi(argv[2]);
  unsigned seed = static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10));
  hl::Options options;
  // Many segment rolls; every other seed with segments of several fill
  // pieces (1 MiB each), whose fill is synced once whole.
  options.segment_bytes = seed % 2 == 0 ? 64 << 10 : (5 << 19) + 4096;
  // The next segment filled ahead for two seeds in four, reserved for the
  // other two (format §2.5), whatever the file system.
  options.ahead = seed / 2 % 2 == 0 ? hl::Options::Ahead::kFill
                                    : hl::Options::Ahead::kReserve;
  // Every third seed with small batches, which fill up, so that the writer
  // writes one while the one before it is being synced (format §2.4).
  if (seed % 3 == 0) options.max_batch_entries = 8;
  options.checkpoint_every_entries = 300;
  options.checkpoint_every = std::chrono::milliseconds(7);
  auto ledger = hl::Ledger::Open(options, dir);
  if (!ledger.ok()) {
    std::fprintf(stderr, "open: %s\n", ledger.status().ToString().c_str());
    return 1;
  }
  hl::Ledger& l = **ledger;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937 rng(seed * 131 + t);
      for (uint64_t seq = 0;; ++seq) {
        // Thread 1 appends large entries now and then: a SIGKILL in the
        // middle of a large pwrite leaves a real torn tail to recover.
        size_t pad =
            (t == 1 && seq % 4 == 0) ? 100000 + rng() % 800000 : rng() % 200;
        std::string e = "w" + std::to_string(t) + "-" + std::to_string(seq) +
                        "-" + std::string(pad, 'a' + (seq % 26));
        if (t == 0 && seq % 5 == 0) {
          // A batch through AppendAll: all durable when it returns.
          std::vector<std::string> batch;
          for (int i = 0; i < 20; ++i)
            batch.push_back(e + "/" + std::to_string(i));
          auto last = l.AppendAll(batch);
          if (!last.ok()) std::_Exit(4);
          for (int i = 0; i < 20; ++i) {
            Emit("A " + std::to_string(*last - 19 + i) + " " + batch[i] + "\n");
          }
          continue;
        }
        if (t == 0 && seq % 5 == 1) {
          // A batch through AppendBatchAsync, acknowledged by its callback.
          std::vector<std::string> batch;
          for (int i = 0; i < 30; ++i)
            batch.push_back(e + "/b" + std::to_string(i));
          std::promise<void> acked;
          l.AppendBatchAsync(batch, [&](hl::Status s, uint64_t first) {
            if (!s.ok()) std::_Exit(4);
            for (size_t i = 0; i < batch.size(); ++i) {
              Emit("A " + std::to_string(first + i) + " " + batch[i] + "\n");
            }
            acked.set_value();
          });
          acked.get_future().wait();
          continue;
        }
        auto idx = l.Append(e);
        if (!idx.ok()) std::_Exit(4);
        Emit("A " + std::to_string(*idx) + " " + e + "\n");
      }
    });
  }
  std::string seen;
  while (true) {
    std::optional<std::string> cp = l.LatestCheckpoint();
    if (cp && *cp != seen) {
      seen = *cp;
      Emit("C " + hl::Base64Encode(seen) + "\n");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
