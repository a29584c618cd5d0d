// Ledger: a durable, append-only, verifiable log of opaque entries.
//
// Entries are stored in checksummed, chained segment files; the RFC 9162
// Merkle tree over them is kept incrementally; checkpoints are signed with
// the ledger's Ed25519 key as C2SP signed notes. The formats are in
// docs/ledger-format.md.
//
//   Status s = Ledger::Create("/var/lib/haven/ledger", "haven.example/audit");
//   StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open({}, dir);
//   StatusOr<uint64_t> index = (*l)->Append("{\"user\":\"a\"}");  // durable
//   (*l)->AppendAsync(entry, [](Status s, uint64_t index) { ... });
//   (*l)->AppendBatchAsync(entries, [](Status s, uint64_t first) { ... });
//   StatusOr<std::string> note = (*l)->SignCheckpoint();
//   StatusOr<TlogProof> proof = (*l)->Prove(*index);
//
// Appends complete only when their entry is on disk (one fdatasync per batch
// of concurrent appends; see Options). One process at a time may open a
// ledger (an flock on DIR/LOCK).
//
// Inside, three threads pipeline group commit: a writer frames, hashes and
// writes the next batch while a syncer fdatasyncs the previous one, and a
// completer publishes synced batches and wakes their appenders; a fourth signs
// periodic checkpoints and writes new tree nodes to tree.hashes, and a fifth
// readies the next segment ahead of need, so that batch syncs commit no
// file-system journal (Options::ahead).
//
// Thread-safety: every method may be called from any thread concurrently.
// The callbacks of AppendAsync and AppendBatchAsync run on the ledger's
// completer thread and must not block or call back into the ledger's blocking
// methods. Destroying the Ledger completes every queued append first.
#ifndef HAVEN_LEDGER_LEDGER_H_
#define HAVEN_LEDGER_LEDGER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/file.h"
#include "ledger/hash.h"
#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/status.h"
#include "ledger/tlog_proof.h"

namespace haven::ledger {

struct Options {
  // A batch holds at most this many entries...
  size_t max_batch_entries = 4096;
  // ...and at most this many bytes of frames (a larger entry goes alone).
  size_t max_batch_bytes = 4 << 20;
  // How long the writer waits for a batch to fill before writing it. Zero:
  // write whatever is queued as soon as the previous batch is durable.
  std::chrono::microseconds batch_linger{0};
  // The least time from one batch's write to the next, unless the next
  // batch is full (max_batch_entries or max_batch_bytes), so at most
  // 1/min_sync_interval fdatasyncs a second of batches that are not full: a
  // light load then shares fewer, larger syncs. Cloud disks throttle a machine
  // that issues more I/O operations than its budget (on the benchmark machine:
  // ~10 ms stalls every 100 ms once syncs pass ~1,500/s), and a stalled sync
  // holds every append behind it. Costs at most this much latency per append,
  // and caps one waiting writer at 1/min_sync_interval appends a second (N
  // concurrent writers at N times that). Zero: the next batch is written as
  // soon as the previous one is durable.
  std::chrono::microseconds min_sync_interval{1000};
  // A segment is closed once it holds this many bytes.
  uint64_t segment_bytes = 64 << 20;
  // Sign a checkpoint once this many entries were appended since the last...
  uint64_t checkpoint_every_entries = 65536;
  // ...or once this much time passed and the tree grew. Zero turns periodic
  // signing off (SignCheckpoint still works, and Close still signs).
  std::chrono::milliseconds checkpoint_every{1000};
  // Sign a checkpoint on close if the tree grew since the last one.
  bool checkpoint_on_close = true;
  // How the next segment is readied ahead of need (format §2.5). kFill
  // writes fill through it, so that batches overwrite allocated, written
  // blocks and their fdatasyncs commit no file-system journal; the disk then
  // writes every byte of a segment twice. kReserve only allocates its blocks
  // (fallocate, FALLOC_FL_KEEP_SIZE), and batches extend the file into them:
  // on a file system without a journal that costs a sync nothing more (it
  // writes the file's inode, which the new modification time makes it write
  // anyway), and nothing is written twice. kAuto: kReserve on ext4 without a
  // journal, kFill on every other file system.
  enum class Ahead { kAuto, kFill, kReserve };
  Ahead ahead = Ahead::kAuto;
  // If set, the callbacks of each durable batch run inside
  // `callback_scope(run)`, where run() runs them all: a server can gather
  // what they hand to other threads and pass it on once per batch.
  std::function<void(const std::function<void()>& run)> callback_scope;
};

// What Open found and repaired. Nothing is dropped without a line here.
struct RecoveryReport {
  // Human-readable lines, one per repair ("cut torn tail of N bytes at
  // <file> offset <o>").
  std::vector<std::string> events;
  // How much Open read (format §2.4): the segments it read frame by frame,
  // and their frames. Sealed segments are not counted: they are checked by
  // their first read.
  uint64_t segments_read = 0;
  uint64_t frames_read = 0;
  bool empty() const { return events.empty(); }
};

// Counters of the writer, for metrics and benchmarks. Times are seconds of
// wall-clock time spent in each phase of group commit.
struct LedgerStats {
  uint64_t batches = 0;
  uint64_t entries = 0;
  double encode_seconds = 0;    // framing, checksums, tree hashes
  double write_seconds = 0;     // pwrite
  double sync_seconds = 0;      // fdatasync
  double complete_seconds = 0;  // running callbacks, waking waiters
  // Sealed segments (format §2.4) checked in full by a first read.
  uint64_t sealed_segments_checked = 0;
  // How the next segment is readied (Options::ahead, resolved), and how many
  // bytes of segments were filled or reserved ahead so far.
  bool reserves_ahead = false;
  uint64_t ahead_bytes = 0;
};

class Ledger {
 public:
  // Completion of an asynchronous append: OK and the entry's index once it
  // is durable, or the error that kept it from being written.
  using Callback = std::function<void(Status status, uint64_t index)>;

  // Creates a new, empty ledger in `dir` (created if missing; must hold no
  // ledger) with a fresh Ed25519 key named `origin`.
  static Status Create(std::string_view dir, std::string_view origin);

  // Opens and recovers the ledger in `dir` (docs/ledger-format.md §2.4).
  // Reads every segment's header, but the frames only of the segments past
  // the latest checkpoint (when tree.hashes reproduces it): its cost does not
  // grow with the entries that checkpoint covers.
  static StatusOr<std::unique_ptr<Ledger>> Open(const Options& options,
                                                std::string_view dir);

  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends one entry (at most 1 MiB); returns its index once durable.
  StatusOr<uint64_t> Append(std::string_view entry);
  // Appends entries in order; returns the index of the last once all are
  // durable. They may share batches with other writers' entries.
  StatusOr<uint64_t> AppendAll(std::span<const std::string> entries);
  // Queues one entry; `done` runs on the completer thread once it is durable.
  void AppendAsync(std::string entry, Callback done);

  // AppendBatchAsync queues entries to be appended in order, at consecutive
  // indices, and calls `done` once, on the completer thread: with OK and the
  // index of the first entry (entry i is at first + i) once all of them are
  // durable, or with the first error that kept any of them from being
  // written. An error acknowledges none of them, but, as with any failed
  // append, some may still be found in the log after it is reopened.
  // Entries over 1 MiB, or none at all, fail the whole call and append
  // nothing. The entries are copied before it returns.
  //
  //   std::vector<std::string_view> entries = {a, b, c};
  //   ledger->AppendBatchAsync(entries, [](Status s, uint64_t first) {
  //     if (s.ok()) { /* entries[i] is at index first + i */ }
  //   });
  //
  // Per entry it costs a fraction of AppendAsync: one lock, one allocation
  // for the entries' bytes and one callback per call. The entries may share
  // batches (and fdatasyncs) with other callers' entries, and a large call
  // may be split over several batches.
  void AppendBatchAsync(std::span<const std::string_view> entries,
                        Callback done);
  void AppendBatchAsync(std::span<const std::string> entries, Callback done);

  // The number of durable entries and the tree root over them.
  uint64_t size() const;
  Hash root() const;

  // Signs a checkpoint of the current size unless the latest checkpoint
  // already has that size; returns the latest checkpoint (a signed note).
  // Fails on an empty ledger.
  StatusOr<std::string> SignCheckpoint();
  // The latest signed checkpoint, if any.
  std::optional<std::string> LatestCheckpoint() const;
  // Every checkpoint signed so far, oldest first.
  StatusOr<std::vector<std::string>> Checkpoints() const;

  // Proofs from stored subtree hashes (no entries are read).
  StatusOr<std::vector<Hash>> InclusionProof(uint64_t index,
                                             uint64_t tree_size) const;
  StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1,
                                               uint64_t size2) const;
  // The root of the tree of the first `tree_size` entries.
  StatusOr<Hash> RootAt(uint64_t tree_size) const;
  // A C2SP tlog-proof of entry `index` against the latest checkpoint.
  StatusOr<TlogProof> Prove(uint64_t index) const;

  // Entries [from, to), checked against their frame checksums. The first
  // read of a sealed segment (one that Open did not read, format §2.4)
  // checks all of it first: a read that touches a damaged segment fails
  // with a Corruption error naming the file and offset.
  StatusOr<std::vector<std::string>> ReadEntries(uint64_t from,
                                                 uint64_t to) const;

  const VerifierKey& verifier() const { return signer_->verifier(); }
  const std::string& origin() const { return signer_->verifier().name; }
  const RecoveryReport& recovery() const { return recovery_; }
  LedgerStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Waiter;
  // The entries of one append call, queued together so that they take
  // consecutive indices. Immutable once queued, but for the completion
  // state, which only the completer touches.
  struct Group {
    std::string bytes;         // the entries, back to back
    std::vector<size_t> ends;  // where each entry ends; empty: one entry
    std::vector<Hash> leaves;  // their leaf hashes; empty: one entry, `leaf`
    Hash leaf{};
    size_t count = 1;
    Callback callback;         // either this...
    Waiter* waiter = nullptr;  // ...or this completes the call
    // Completion state (completer thread only).
    size_t completed = 0;
    uint64_t first_index = 0;
    Status error;

    std::string_view entry(size_t i) const {
      if (ends.empty()) return bytes;
      size_t begin = i == 0 ? 0 : ends[i - 1];
      return std::string_view(bytes).substr(begin, ends[i] - begin);
    }
    const Hash& leaf_hash(size_t i) const {
      return leaves.empty() ? leaf : leaves[i];
    }
  };
  // A run of consecutive entries of one group inside a batch. The run that
  // holds a group's last entry owns the group.
  struct Part {
    Group* group;
    size_t count;
    std::unique_ptr<Group> owner;
  };
  // Where an entry's frame starts, and the chain value before it.
  struct SeekPoint {
    uint32_t chain;
    uint64_t offset;
  };
  // One segment file. first_index, path, prev_chain and the sealed fields
  // never change once it is in segments_.
  struct Segment {
    uint64_t first_index = 0;
    std::string path;
    // Open from creation; a sealed segment's is opened by its check (and
    // only used after it).
    FileDescriptor fd;
    uint32_t prev_chain = 0;
    // Sealed (format §2.4): Open read its header only; CheckSealed reads
    // and checks the rest before any entry of it is read.
    bool sealed = false;
    uint64_t entries = 0;          // sealed: its number of entries
    std::string next_path;         // sealed: the next segment...
    uint32_t next_prev_chain = 0;  // ...and its header's prev_chain
    // points[m] is where entry first_index + m·kIndexStride starts; guarded
    // by segments_mu_. Empty in a sealed segment until it is checked.
    std::vector<SeekPoint> points;
    // CheckSealed's outcome, once it is final; guarded by check_mu.
    std::mutex check_mu;
    bool checked = false;
    Status check_error;
  };
  // A seek point of a batch, to be published into segments_[segment].
  struct IndexPoint {
    uint32_t segment;
    uint32_t chain;
    uint64_t offset;
  };
  class HashStore;
  // A framed batch on its way to durability: the writer frames it, the syncer
  // writes and syncs it, the completer publishes it and completes its parts.
  struct SyncJob {
    Segment* segment = nullptr;
    uint64_t offset = 0;  // where its frames go in `segment`
    std::string frames;
    std::vector<Hash> nodes;
    std::vector<IndexPoint> points;
    std::vector<Part> parts;
    uint64_t first = 0;
    uint64_t end = 0;
    Hash root{};
    Status status;             // of its write and sync
    bool wake_writer = false;  // by the completer: a slot is free
    double encode_seconds = 0;
    double write_seconds = 0;
    double sync_seconds = 0;
  };

  Ledger(const Options& options, std::string dir);
  Status Recover();
  Status OpenCheckpointLog();
  Status ScanSegments(uint64_t trusted_size, const Checkpoint* latest);
  Status CheckSealed(Segment& segment) const;
  Status CreateSegment(uint64_t first_index, uint32_t prev_chain);
  void WantFill();
  void PrepareLoop();
  template <typename Entries>
  void QueueBatch(const Entries& entries, Callback done, Waiter* waiter);
  // AppendBatchAsync: a bad call completes `done` with its error at once.
  template <typename Entries>
  void CheckAndQueueBatch(const Entries& entries, Callback done);
  void Enqueue(std::unique_ptr<Group> group);
  void WriterLoop();
  std::string PostJob(SyncJob job);
  void SyncLoop();
  void HandToCompleter(SyncJob job);
  void Publish(const SyncJob& job);
  void CompleteLoop();
  Status Broken() const;
  void SetBroken(const Status& s);
  void CheckpointLoop();
  StatusOr<std::string> SignCheckpointLocked();
  static void Finish(Group& g, const Status& s, uint64_t first_index);
  static void CompleteParts(std::vector<Part>& parts, const Status& s,
                            uint64_t first_index);

  const Options options_;
  const std::string dir_;
  FileDescriptor lock_fd_;
  std::optional<Signer> signer_;
  RecoveryReport recovery_;
  std::unique_ptr<HashStore> hashes_;

  // Segments, in order; guarded by segments_mu_ (the writer appends,
  // readers look up). A Segment is never removed or moved once added.
  mutable std::mutex segments_mu_;
  std::vector<std::unique_ptr<Segment>> segments_;
  mutable std::atomic<uint64_t> sealed_checked_{0};

  // The append queue, and the writer -> syncer handoff.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // the writer waits on it
  std::vector<std::unique_ptr<Group>> queue_;
  size_t queued_entries_ = 0;  // in queue_
  bool stopping_ = false;
  // Every posted batch is durable (or failed): ready_ is empty and the syncer
  // holds no batch. Set by the syncer only; cleared whenever ready_ is filled.
  bool sync_idle_ = true;
  // A framed batch for the syncer to write as soon as the previous one is
  // durable; at most one. Posted by the writer.
  std::optional<SyncJob> ready_;
  bool writer_waits_for_slot_ = false;  // a full batch waits for ready_
  // The writer holds a batch until min_sync_interval or batch_linger ends.
  bool writer_lingers_ = false;
  std::condition_variable sync_cv_;  // the syncer waits on it
  bool sync_stopping_ = false;
  std::vector<std::string> spare_frames_;  // written batches' buffers

  // Writer-thread state.
  uint32_t chain_ = 0;
  uint64_t next_index_ = 0;
  uint64_t segment_offset_ = 0;  // end of the posted frames in the last segment
  CompactRange tree_;
  mutable std::mutex stats_mu_;
  LedgerStats stats_;
  std::vector<Hash> node_buf_;

  mutable std::mutex sync_mu_;
  Status broken_;  // once not OK, every append fails with it

  // Synced (or failed) batches, in order, to be published and completed
  // (syncer -> completer); their frames buffers are gone.
  std::mutex complete_mu_;
  std::condition_variable complete_cv_;
  std::deque<SyncJob> complete_queue_;
  bool complete_stopping_ = false;

  // Published state: durable size and root.
  mutable std::mutex state_mu_;
  uint64_t size_ = 0;
  Hash root_{};

  // Wakes the checkpointer; signal_mu_ is never held for long, so the
  // writer never waits on a checkpoint being signed.
  std::mutex signal_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool nodes_wanted_ = false;  // enough new nodes to write to tree.hashes
  bool checkpoint_stopping_ = false;

  // segment.next, filled (or reserved) ahead of need by the preparer
  // (format §2.5); guarded by prep_mu_. The writer takes it when it creates
  // a segment.
  bool reserve_ahead_ = false;  // Options::ahead resolved; set by Open
  mutable std::mutex prep_mu_;
  std::condition_variable prep_cv_;
  FileDescriptor prep_fd_;    // open once the preparer created it
  uint64_t prep_filled_ = 0;  // bytes of it filled (synced once whole)
  uint64_t prep_total_ = 0;   // bytes filled or reserved, all segments
  uint64_t prep_target_ = 0;  // fill it this far (set by the writer)
  bool prep_busy_ = false;    // a piece is being written, unlocked
  bool prep_failed_ = false;  // stop preparing
  bool prep_stopping_ = false;

  // Checkpoints; guarded by checkpoint_mu_.
  mutable std::mutex checkpoint_mu_;
  Status checkpoint_error_;  // the last failure of a periodic checkpoint
  std::atomic<uint64_t> checkpointed_size_{0};
  FileDescriptor checkpoint_fd_;
  uint64_t checkpoint_offset_ = 0;
  uint64_t checkpoint_count_ = 0;
  uint32_t checkpoint_chain_ = 0;
  std::optional<std::string> latest_note_;
  std::optional<Checkpoint> latest_;
  std::chrono::steady_clock::time_point latest_time_;

  std::thread writer_;
  std::thread syncer_;
  std::thread completer_;
  std::thread checkpointer_;
  std::thread preparer_;
};

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_LEDGER_H_
