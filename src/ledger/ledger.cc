#include "ledger/ledger.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ledger/frame.h"

namespace haven::ledger {
namespace {

constexpr char kKeyFile[] = "ledger.key";
constexpr char kVkeyFile[] = "ledger.vkey";
constexpr char kCheckpointFile[] = "checkpoints.log";
constexpr char kHashFile[] = "tree.hashes";
constexpr char kLockFile[] = "LOCK";
constexpr char kNextSegmentFile[] = "segment.next";
constexpr char kSegmentSuffix[] = ".seg";
constexpr uint64_t kIndexStride = 64;
constexpr size_t kNodeFlushBytes = 1 << 20;
// While a sync is in flight, appenders wake the writer once per this many
// queued entries, so that it frames them in step rather than once per entry.
constexpr size_t kWakeEntries = 64;
// Between checkpoints, new nodes are written out whenever this many bytes of
// them are held, so that a checkpoint's fdatasync of tree.hashes finds
// little left to write (see HashStore).
constexpr size_t kNodeTrickleBytes = 64 << 10;
// The next segment is filled ahead of need in pieces of this many bytes (or
// of the segment size, if less), each handed to writeback at once; the
// whole fill is synced once (format §2.5). A reserved one is reserved whole.
constexpr uint64_t kFillPiece = 1 << 20;

std::string SegmentName(uint64_t first_index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020llu%s",
                static_cast<unsigned long long>(first_index), kSegmentSuffix);
  return buf;
}

bool ParseSegmentName(const std::string& name, uint64_t* first_index) {
  if (name.size() != 20 + 4 || name.substr(20) != kSegmentSuffix) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *first_index = v;
  return true;
}

std::string At(const std::string& path, uint64_t offset) {
  return path + " offset " + std::to_string(offset);
}

uint32_t MaxWrite(const Options& o) {
  return static_cast<uint32_t>(
      std::max<uint64_t>(o.max_batch_bytes, FrameSize(kMaxEntrySize)));
}

}  // namespace

// The stored post-order nodes (tree.hashes). New nodes stay in memory until
// the checkpointer writes them, and the next checkpoint syncs them (format
// §3.2): writing them with every batch would make each batch's fdatasync also
// flush them (ext4 data=ordered), which halved group-commit throughput. They
// are written in pieces of kNodeTrickleBytes, each one's writeback started at
// once, so that no checkpoint pushes a second's worth of nodes to the disk in
// one burst while appends wait on their own syncs behind it. Readers find a
// node in memory or in the file; the writer only appends; Flush moves the
// memory prefix to the file and drops it only once it is written.
class Ledger::HashStore : public NodeSource {
 public:
  HashStore(FileDescriptor fd, std::string path, uint64_t nodes)
      : fd_(std::move(fd)),
        path_(std::move(path)),
        flushed_(nodes),
        total_(nodes) {
    // One read-only shared mapping far larger than the file will grow: it
    // shows the file's pages as they are written, and readers only touch
    // nodes below flushed_, which are inside the file. No syscall per node.
    void* m = ::mmap(nullptr, kMapBytes, PROT_READ, MAP_SHARED, fd_.get(), 0);
    if (m != MAP_FAILED) map_ = static_cast<const char*>(m);
  }
  ~HashStore() override {
    if (map_ != nullptr) ::munmap(const_cast<char*>(map_), kMapBytes);
  }

  Status GetNode(int level, uint64_t index, Hash* out) const override {
    uint64_t pos = NodePosition(level, index);
    if (pos >= total_.load(std::memory_order_acquire)) {
      return Status::Corruption(path_ + ": node " + std::to_string(pos) +
                                " is not stored");
    }
    if (pos >= flushed_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> l(mu_);
      uint64_t flushed = flushed_.load(std::memory_order_relaxed);
      if (pos >= flushed) {
        *out = pending_[pos - flushed];
        return Status::Ok();
      }
    }
    if (map_ != nullptr && pos < kMapBytes / kHashSize) {
      std::memcpy(out->data(), map_ + pos * kHashSize, kHashSize);
      return Status::Ok();
    }
    return ReadAt(fd_.get(), reinterpret_cast<char*>(out->data()), kHashSize,
                  pos * kHashSize, path_);
  }

  // One thread at a time: recovery, then the completer.
  void Append(std::span<const Hash> nodes) {
    if (nodes.empty()) return;
    std::lock_guard<std::mutex> l(mu_);
    pending_.insert(pending_.end(), nodes.begin(), nodes.end());
    total_.fetch_add(nodes.size(), std::memory_order_release);
  }

  // Writes the nodes held in memory to the file, and syncs it if asked.
  // Callers serialize Flush calls.
  Status Flush(bool sync) {
    std::vector<Hash> batch;
    uint64_t at;
    {
      std::lock_guard<std::mutex> l(mu_);
      batch = pending_;
      at = flushed_.load(std::memory_order_relaxed);
    }
    if (!batch.empty()) {
      std::string_view bytes(reinterpret_cast<const char*>(batch.data()),
                             batch.size() * kHashSize);
      HAVEN_LEDGER_RETURN_IF_ERROR(
          WriteAt(fd_.get(), bytes, at * kHashSize, path_));
      // Start writing the pages back now (asynchronously); only a hint.
      if (!sync) {
        (void)::sync_file_range(fd_.get(), static_cast<off64_t>(at * kHashSize),
                                static_cast<off64_t>(bytes.size()),
                                SYNC_FILE_RANGE_WRITE);
      }
    }
    if (sync) HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(fd_.get(), path_));
    std::lock_guard<std::mutex> l(mu_);
    pending_.erase(pending_.begin(), pending_.begin() + batch.size());
    flushed_.store(at + batch.size(), std::memory_order_release);
    return Status::Ok();
  }

  // Recovery only, before any other thread runs.
  Status TruncateTo(uint64_t nodes) {
    HAVEN_LEDGER_RETURN_IF_ERROR(Truncate(fd_.get(), nodes * kHashSize, path_));
    pending_.clear();
    flushed_.store(nodes, std::memory_order_release);
    total_.store(nodes, std::memory_order_release);
    return Status::Ok();
  }

  uint64_t nodes() const { return total_.load(std::memory_order_acquire); }
  // Nodes held in memory only.
  uint64_t unwritten() const {
    return total_.load(std::memory_order_acquire) -
           flushed_.load(std::memory_order_acquire);
  }

 private:
  static constexpr size_t kMapBytes = size_t{1} << 40;
  FileDescriptor fd_;
  const std::string path_;
  const char* map_ = nullptr;
  mutable std::mutex mu_;
  std::vector<Hash> pending_;      // nodes [flushed_, total_)
  std::atomic<uint64_t> flushed_;  // nodes in the file
  std::atomic<uint64_t> total_;
};

// Blocks Append and AppendAll until their call completes, which it does once.
struct Ledger::Waiter {
  std::atomic<uint32_t> done{0};
  Status error;
  uint64_t last_index = 0;

  void Done(const Status& s, uint64_t last) {
    error = s;
    last_index = last;
    done.store(1, std::memory_order_release);
    done.notify_all();
  }

  void Wait() {
    while (done.load(std::memory_order_acquire) == 0) {
      done.wait(0, std::memory_order_acquire);
    }
  }
};

Status Ledger::Create(std::string_view dir_view, std::string_view origin) {
  std::string dir(dir_view);
  if (!IsValidKeyName(origin)) {
    return Status::InvalidArgument(
        "origin must be non-empty UTF-8 without spaces, '+' or control "
        "characters: '" +
        std::string(origin) + "'");
  }
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return Status::FromErrno("mkdir " + dir, errno);
  }
  for (const char* f : {kKeyFile, kVkeyFile, kCheckpointFile, kHashFile}) {
    if (FileExists(JoinPath(dir, f))) {
      return Status::AlreadyExists(dir + " already holds a ledger (" + f + ")");
    }
  }
  StatusOr<Signer> signer = Signer::Generate(origin);
  if (!signer.ok()) return signer.status();
  HAVEN_LEDGER_RETURN_IF_ERROR(
      CreateFileDurably(dir, kKeyFile, signer->ToString() + "\n", 0600));
  // umask may have widened nothing, but be explicit: owner only.
  if (::chmod(JoinPath(dir, kKeyFile).c_str(), 0600) != 0) {
    return Status::FromErrno("chmod " + JoinPath(dir, kKeyFile), errno);
  }
  return CreateFileDurably(dir, kVkeyFile, signer->verifier().ToString() + "\n",
                           0644);
}

Ledger::Ledger(const Options& options, std::string dir)
    : options_(options), dir_(std::move(dir)) {}

StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const Options& options,
                                               std::string_view dir) {
  if (options.max_batch_entries == 0 || options.max_batch_bytes == 0 ||
      options.max_batch_bytes > (1u << 30) ||
      options.checkpoint_every_entries == 0) {
    return Status::InvalidArgument("bad ledger options");
  }
  std::unique_ptr<Ledger> l(new Ledger(options, std::string(dir)));
  HAVEN_LEDGER_RETURN_IF_ERROR(l->Recover());
  l->reserve_ahead_ =
      options.ahead == Options::Ahead::kReserve ||
      (options.ahead == Options::Ahead::kAuto && OnExt4WithoutJournal(l->dir_));
  l->latest_time_ = std::chrono::steady_clock::now();
  l->completer_ = std::thread([p = l.get()] { p->CompleteLoop(); });
  l->syncer_ = std::thread([p = l.get()] { p->SyncLoop(); });
  l->writer_ = std::thread([p = l.get()] { p->WriterLoop(); });
  l->checkpointer_ = std::thread([p = l.get()] { p->CheckpointLoop(); });
  l->preparer_ = std::thread([p = l.get()] { p->PrepareLoop(); });
  // Named for top -H, perf and the like (at most 15 characters).
  pthread_setname_np(l->completer_.native_handle(), "ledger-complete");
  pthread_setname_np(l->syncer_.native_handle(), "ledger-sync");
  pthread_setname_np(l->writer_.native_handle(), "ledger-write");
  pthread_setname_np(l->checkpointer_.native_handle(), "ledger-checkpt");
  pthread_setname_np(l->preparer_.native_handle(), "ledger-prepare");
  return l;
}

Status Ledger::Recover() {
  // One process at a time.
  StatusOr<FileDescriptor> lock =
      OpenFile(JoinPath(dir_, kLockFile), O_RDWR | O_CREAT, 0644);
  if (!lock.ok()) return lock.status();
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::FailedPrecondition(dir_ + " is open in another process");
    }
    return Status::FromErrno("flock " + JoinPath(dir_, kLockFile), errno);
  }
  lock_fd_ = std::move(*lock);

  StatusOr<std::string> key_text = ReadFileToString(JoinPath(dir_, kKeyFile));
  if (!key_text.ok()) return key_text.status();
  StatusOr<Signer> signer = Signer::Parse(*key_text);
  if (!signer.ok()) {
    return Status::Corruption(JoinPath(dir_, kKeyFile) + ": " +
                              signer.status().message());
  }
  signer_.emplace(std::move(*signer));
  StatusOr<std::string> vkey_text = ReadFileToString(JoinPath(dir_, kVkeyFile));
  if (!vkey_text.ok()) return vkey_text.status();
  if (*vkey_text != signer_->verifier().ToString() + "\n") {
    return Status::Corruption(JoinPath(dir_, kVkeyFile) +
                              " is not the verifier key of " +
                              JoinPath(dir_, kKeyFile));
  }

  HAVEN_LEDGER_RETURN_IF_ERROR(OpenCheckpointLog());
  if (latest_) checkpointed_size_.store(latest_->size);

  // The stored nodes are trusted up to the latest checkpoint's size if they
  // reproduce its root (they were synced before it was signed).
  std::string hash_path = JoinPath(dir_, kHashFile);
  StatusOr<FileDescriptor> hfd = OpenFile(hash_path, O_RDWR | O_CREAT, 0644);
  if (!hfd.ok()) return hfd.status();
  StatusOr<uint64_t> hsize = FileSize(hfd->get(), hash_path);
  if (!hsize.ok()) return hsize.status();
  hashes_ = std::make_unique<HashStore>(std::move(*hfd), hash_path,
                                        *hsize / kHashSize);
  uint64_t trusted = 0;
  if (latest_) {
    bool good = false;
    if (hashes_->nodes() >= NodeCount(latest_->size)) {
      StatusOr<CompactRange> r =
          CompactRange::FromNodes(latest_->size, *hashes_);
      good = r.ok() && r->Root() == latest_->root;
      if (good) tree_ = std::move(*r);
    }
    if (good) {
      trusted = latest_->size;
    } else {
      recovery_.events.push_back(hash_path +
                                 " does not reproduce the latest checkpoint; "
                                 "rebuilt from the entries");
    }
  }
  HAVEN_LEDGER_RETURN_IF_ERROR(hashes_->TruncateTo(NodeCount(trusted)));
  if (trusted == 0) tree_ = CompactRange();

  // A next segment filled before a crash or close holds no entries.
  std::string next_path = JoinPath(dir_, kNextSegmentFile);
  if (::unlink(next_path.c_str()) != 0 && errno != ENOENT) {
    return Status::FromErrno("unlink " + next_path, errno);
  }
  HAVEN_LEDGER_RETURN_IF_ERROR(
      ScanSegments(trusted, latest_ ? &*latest_ : nullptr));
  size_ = next_index_;
  root_ = tree_.Root();
  return Status::Ok();
}

Status Ledger::OpenCheckpointLog() {
  std::string path = JoinPath(dir_, kCheckpointFile);
  StatusOr<FileDescriptor> fd = OpenFile(path, O_RDWR | O_CREAT, 0644);
  if (!fd.ok()) return fd.status();
  StatusOr<uint64_t> size = FileSize(fd->get(), path);
  if (!size.ok()) return size.status();
  const uint32_t max_write = static_cast<uint32_t>(FrameSize(kMaxNoteSize));
  if (*size < kSegmentHeaderSize) {
    // New, or its creation was torn before any checkpoint was written.
    if (*size != 0) {
      recovery_.events.push_back("rewrote the torn header of " + path);
    }
    char header[kSegmentHeaderSize];
    EncodeSegmentHeader({kCheckpointLogMagic, 0, 0, max_write}, header);
    HAVEN_LEDGER_RETURN_IF_ERROR(Truncate(fd->get(), 0, path));
    HAVEN_LEDGER_RETURN_IF_ERROR(
        WriteAt(fd->get(), std::string_view(header, sizeof(header)), 0, path));
    HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(fd->get(), path));
    HAVEN_LEDGER_RETURN_IF_ERROR(SyncDir(dir_));
    checkpoint_fd_ = std::move(*fd);
    checkpoint_offset_ = kSegmentHeaderSize;
    return Status::Ok();
  }
  StatusOr<MappedFile> map = MappedFile::Open(path);
  if (!map.ok()) return map.status();
  std::string_view data = map->data();
  SegmentHeader h;
  Status st = DecodeSegmentHeader(data, kCheckpointLogMagic, &h);
  if (!st.ok()) return Status::Corruption(At(path, 0) + ": " + st.message());
  FrameReader r(data.substr(kSegmentHeaderSize), 0, 0);
  std::string_view note;
  FrameReader::Result res;
  while ((res = r.Next(&note)) == FrameReader::kFrame) {
    uint64_t at = kSegmentHeaderSize + r.offset() - FrameSize(note.size());
    StatusOr<Checkpoint> cp = OpenCheckpoint(note, signer_->verifier());
    if (!cp.ok()) {
      return Status::Corruption(At(path, at) + ": checkpoint " +
                                std::to_string(r.index() - 1) + ": " +
                                cp.status().message());
    }
    if (latest_ && cp->size <= latest_->size) {
      return Status::Corruption(At(path, at) + ": checkpoint " +
                                std::to_string(r.index() - 1) +
                                " does not grow the tree");
    }
    latest_ = std::move(*cp);
    latest_note_ = std::string(note);
  }
  uint64_t end = kSegmentHeaderSize + r.offset();
  if (res == FrameReader::kBad) {
    uint64_t tail = data.size() - end;
    if (tail > h.max_write) {
      return Status::Corruption(At(path, end) + ": checkpoint " +
                                std::to_string(r.index()) + ": " + r.problem());
    }
    HAVEN_LEDGER_RETURN_IF_ERROR(Truncate(fd->get(), end, path));
    HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(fd->get(), path));
    recovery_.events.push_back("cut torn tail of " + std::to_string(tail) +
                               " bytes at " + At(path, end) + " (" +
                               r.problem() + ")");
  }
  checkpoint_fd_ = std::move(*fd);
  checkpoint_offset_ = end;
  checkpoint_count_ = r.index();
  checkpoint_chain_ = r.chain();
  return Status::Ok();
}

Status Ledger::ScanSegments(uint64_t trusted_size, const Checkpoint* latest) {
  StatusOr<std::vector<std::string>> names = ListDir(dir_);
  if (!names.ok()) return names.status();
  // Sorted by name, so by first index (20 digits).
  std::vector<std::pair<uint64_t, std::string>> segs;
  for (const std::string& n : *names) {
    uint64_t first;
    if (ParseSegmentName(n, &first))
      segs.emplace_back(first, JoinPath(dir_, n));
  }
  // Step 1 (format §2.4): every header, and every file's size.
  std::vector<SegmentHeader> headers;
  std::vector<uint64_t> sizes;
  for (size_t k = 0; k < segs.size(); ++k) {
    const std::string& path = segs[k].second;
    StatusOr<FileDescriptor> fd = OpenFile(path, O_RDONLY);
    if (!fd.ok()) return fd.status();
    StatusOr<uint64_t> size = FileSize(fd->get(), path);
    if (!size.ok()) return size.status();
    char header[kSegmentHeaderSize];
    Status st = Status::Corruption("segment header is incomplete");
    SegmentHeader h;
    if (*size >= kSegmentHeaderSize) {
      HAVEN_LEDGER_RETURN_IF_ERROR(
          ReadAt(fd->get(), header, sizeof(header), 0, path));
      st = DecodeSegmentHeader(std::string_view(header, sizeof(header)),
                               kSegmentMagic, &h);
    }
    if (!st.ok()) {
      // A header is one 32-byte write, synced before any frame is written:
      // a last segment no longer than that is a torn creation.
      if (k + 1 == segs.size() && *size <= kSegmentHeaderSize && k > 0) {
        if (::unlink(path.c_str()) != 0) {
          return Status::FromErrno("unlink " + path, errno);
        }
        HAVEN_LEDGER_RETURN_IF_ERROR(SyncDir(dir_));
        recovery_.events.push_back("removed " + path +
                                   ", a segment whose creation was torn");
        segs.pop_back();
        break;
      }
      return Status::Corruption(At(path, 0) + ": " + st.message());
    }
    const uint64_t expected = k == 0 ? 0 : segs[k].first;
    if (h.first_index != segs[k].first || h.first_index != expected) {
      return Status::Corruption(At(path, 0) + ": segment starts at entry " +
                                std::to_string(h.first_index) + " but entry " +
                                std::to_string(expected) +
                                " comes next (a segment is missing or "
                                "out of place)");
    }
    if (k == 0 && h.prev_chain != 0) {
      return Status::Corruption(At(path, 0) +
                                ": the first segment does not start the chain");
    }
    headers.push_back(h);
    sizes.push_back(*size);
  }
  // Segments [0, scan_from) are sealed: the next segment begins at or before
  // the trusted size, so all their entries are covered by the tree that
  // reproduced the latest checkpoint. The last segment never is.
  size_t scan_from = 0;
  while (scan_from + 1 < segs.size() &&
         segs[scan_from + 1].first <= trusted_size) {
    ++scan_from;
  }
  for (size_t k = 0; k < scan_from; ++k) {
    const std::string& path = segs[k].second;
    const uint64_t entries = segs[k + 1].first - segs[k].first;
    if (entries > (sizes[k] - kSegmentHeaderSize) / kFrameHeaderSize) {
      return Status::Corruption(
          At(path, sizes[k]) + ": segment ends, too short for its " +
          std::to_string(entries) + " entries (the next segment starts at " +
          "entry " + std::to_string(segs[k + 1].first) + ")");
    }
    auto seg = std::make_unique<Segment>();
    seg->first_index = segs[k].first;
    seg->path = path;
    seg->prev_chain = headers[k].prev_chain;
    seg->sealed = true;
    seg->entries = entries;
    seg->next_path = segs[k + 1].second;
    seg->next_prev_chain = headers[k + 1].prev_chain;
    segments_.push_back(std::move(seg));
  }
  // Step 2: the rest, frame by frame. The chain into the first of them is
  // checked with the sealed segment before it, when that is read.
  uint64_t expected = scan_from < segs.size() ? segs[scan_from].first : 0;
  uint32_t chain = scan_from < segs.size() ? headers[scan_from].prev_chain : 0;
  uint64_t last_offset = 0;
  for (size_t k = scan_from; k < segs.size(); ++k) {
    const bool last = k + 1 == segs.size();
    const std::string& path = segs[k].second;
    StatusOr<FileDescriptor> fd = OpenFile(path, O_RDWR);
    if (!fd.ok()) return fd.status();
    StatusOr<MappedFile> map = MappedFile::Open(path);
    if (!map.ok()) return map.status();
    std::string_view data = map->data();
    SegmentHeader h;
    Status st = DecodeSegmentHeader(data, kSegmentMagic, &h);
    if (!st.ok()) return Status::Corruption(At(path, 0) + ": " + st.message());
    if (h.first_index != expected) {
      return Status::Corruption(At(path, 0) + ": segment starts at entry " +
                                std::to_string(h.first_index) + " but entry " +
                                std::to_string(expected) +
                                " comes next (a segment is missing or "
                                "out of place)");
    }
    if (h.prev_chain != chain) {
      return Status::Corruption(At(path, 0) +
                                ": segment does not continue the chain of the "
                                "previous segment");
    }
    auto seg = std::make_unique<Segment>();
    seg->first_index = h.first_index;
    seg->path = path;
    seg->fd = std::move(*fd);
    seg->prev_chain = h.prev_chain;
    Segment& s = *seg;
    segments_.push_back(std::move(seg));  // no other thread runs yet
    ++recovery_.segments_read;
    FrameReader r(data.substr(kSegmentHeaderSize), h.first_index, h.prev_chain);
    std::string_view payload;
    FrameReader::Result res;
    while (true) {
      uint64_t index = r.index();
      uint32_t before_chain = r.chain();
      uint64_t before = kSegmentHeaderSize + r.offset();
      res = r.Next(&payload);
      if (res != FrameReader::kFrame) break;
      ++recovery_.frames_read;
      if ((index - h.first_index) % kIndexStride == 0) {
        s.points.push_back({before_chain, before});
      }
      if (index >= trusted_size) {
        tree_.Append(HashLeaf(payload), &node_buf_);
        if (node_buf_.size() * kHashSize >= kNodeFlushBytes) {
          hashes_->Append(node_buf_);
          node_buf_.clear();
          HAVEN_LEDGER_RETURN_IF_ERROR(hashes_->Flush(/*sync=*/false));
        }
        if (latest != nullptr && tree_.size() == latest->size &&
            tree_.Root() != latest->root) {
          return Status::Corruption(
              At(path, before) + ": the first " + std::to_string(latest->size) +
              " entries do not have the root of the latest checkpoint");
        }
      }
    }
    uint64_t end = kSegmentHeaderSize + r.offset();
    // Bytes after the last good frame that are all fill end the segment
    // cleanly (format §2.4, §2.5).
    const uint64_t data_end = DataEnd(data);
    if (res == FrameReader::kBad && data_end > end) {
      uint64_t tail = data_end - end;
      // A torn write holds only unacknowledged entries: never one that a
      // checkpoint covers, and never more than two writes' worth (the one
      // being synced and the one after it, §2.4).
      bool signed_entry = latest != nullptr && r.index() < latest->size;
      if (!last || tail > 2 * uint64_t{h.max_write} || signed_entry) {
        return Status::Corruption(At(path, end) + ": entry " +
                                  std::to_string(r.index()) + ": " +
                                  r.problem());
      }
      HAVEN_LEDGER_RETURN_IF_ERROR(Truncate(s.fd.get(), end, path));
      HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(s.fd.get(), path));
      recovery_.events.push_back("cut torn tail of " + std::to_string(tail) +
                                 " bytes at " + At(path, end) + " (entry " +
                                 std::to_string(r.index()) + ": " +
                                 r.problem() + ")");
    }
    expected = r.index();
    chain = r.chain();
    last_offset = end;
  }
  hashes_->Append(node_buf_);
  node_buf_.clear();
  HAVEN_LEDGER_RETURN_IF_ERROR(hashes_->Flush(/*sync=*/false));
  if (latest != nullptr && expected < latest->size) {
    return Status::Corruption(
        dir_ + ": the log has " + std::to_string(expected) +
        " entries but a checkpoint of size " + std::to_string(latest->size) +
        " was signed; signed entries are missing");
  }
  next_index_ = expected;
  chain_ = chain;
  if (segments_.empty()) {
    if (expected != 0) return Status::Corruption(dir_ + ": no segments");
    return CreateSegment(0, 0);
  }
  segment_offset_ = last_offset;
  return Status::Ok();
}

// Checks a sealed segment in full, once (format §2.4): its frames, their
// number, the fill after them and the chain into the next segment, and
// records its seek points. A damaged segment stays damaged: the error is
// kept and returned to every later read. Errors of the system (a file that
// cannot be opened or mapped) are not kept, so a later read tries again.
Status Ledger::CheckSealed(Segment& seg) const {
  std::lock_guard<std::mutex> l(seg.check_mu);
  if (seg.checked) return seg.check_error;
  if (!seg.fd.valid()) {
    StatusOr<FileDescriptor> fd = OpenFile(seg.path, O_RDONLY);
    if (!fd.ok()) return fd.status();
    seg.fd = std::move(*fd);
  }
  StatusOr<MappedFile> map = MappedFile::Open(seg.path);
  if (!map.ok()) return map.status();
  const std::string_view data = map->data();
  const std::string& path = seg.path;
  const uint64_t next = seg.first_index + seg.entries;
  std::vector<SeekPoint> points;
  // (Bounded by the file too: the names the entries' number comes from
  // were only checked against the file's size at open.)
  points.reserve(
      std::min<uint64_t>(seg.entries, data.size() / kFrameHeaderSize) /
          kIndexStride +
      1);
  Status st;
  SegmentHeader h;
  if (data.size() < kSegmentHeaderSize) {
    st = Status::Corruption(At(path, 0) + ": segment header is incomplete");
  } else if (Status hs = DecodeSegmentHeader(data, kSegmentMagic, &h);
             !hs.ok()) {
    st = Status::Corruption(At(path, 0) + ": " + hs.message());
  } else if (h.first_index != seg.first_index ||
             h.prev_chain != seg.prev_chain) {
    st = Status::Corruption(At(path, 0) + ": segment header changed since " +
                            "the ledger was opened");
  }
  FrameReader r(data.size() < kSegmentHeaderSize
                    ? std::string_view()
                    : data.substr(kSegmentHeaderSize),
                seg.first_index, seg.prev_chain);
  std::string_view payload;
  while (st.ok() && r.index() < next) {
    const uint32_t before_chain = r.chain();
    const uint64_t before = kSegmentHeaderSize + r.offset();
    const uint64_t index = r.index();
    if (r.Next(&payload) != FrameReader::kFrame) {
      if (DataEnd(data) <= before) {
        st = Status::Corruption(
            At(path, before) + ": segment ends before entry " +
            std::to_string(index) + " but the next segment starts at entry " +
            std::to_string(next) + " (entries are missing)");
      } else {
        st = Status::Corruption(At(path, before) + ": entry " +
                                std::to_string(index) + ": " + r.problem());
      }
      break;
    }
    if ((index - seg.first_index) % kIndexStride == 0) {
      points.push_back({before_chain, before});
    }
  }
  if (st.ok()) {
    const uint64_t end = kSegmentHeaderSize + r.offset();
    if (DataEnd(data) > end) {
      st =
          Status::Corruption(At(path, end) + ": entry " + std::to_string(next) +
                             ": data after the segment's last entry, which "
                             "the next segment's name says is entry " +
                             std::to_string(next - 1));
    } else if (r.chain() != seg.next_prev_chain) {
      st = Status::Corruption(At(seg.next_path, 0) +
                              ": segment does not continue the chain of the "
                              "previous segment");
    }
  }
  if (st.ok()) {
    std::lock_guard<std::mutex> sl(segments_mu_);
    seg.points = std::move(points);
  }
  seg.checked = true;
  seg.check_error = st;
  sealed_checked_.fetch_add(1, std::memory_order_relaxed);
  return st;
}

// Creates the next segment: from segment.next if the preparer filled or
// reserved some of it (its header is durable before it gets its name, so its
// creation cannot tear), or else as a new, empty file.
Status Ledger::CreateSegment(uint64_t first_index, uint32_t prev_chain) {
  std::string path = JoinPath(dir_, SegmentName(first_index));
  FileDescriptor prepared;
  {
    std::unique_lock<std::mutex> l(prep_mu_);
    prep_cv_.wait(l, [&] { return !prep_busy_; });
    if (prep_filled_ > 0) prepared = std::move(prep_fd_);
    prep_fd_ = FileDescriptor();
    prep_filled_ = 0;
    prep_target_ = 0;
  }
  char header[kSegmentHeaderSize];
  EncodeSegmentHeader(
      {kSegmentMagic, first_index, prev_chain, MaxWrite(options_)}, header);
  const std::string_view header_bytes(header, sizeof(header));
  FileDescriptor fd;
  if (prepared.valid()) {
    std::string next_path = JoinPath(dir_, kNextSegmentFile);
    HAVEN_LEDGER_RETURN_IF_ERROR(
        WriteAt(prepared.get(), header_bytes, 0, next_path));
    HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(prepared.get(), next_path));
    if (::renameat2(AT_FDCWD, next_path.c_str(), AT_FDCWD, path.c_str(),
                    RENAME_NOREPLACE) != 0) {
      return Status::FromErrno("rename " + next_path + " to " + path, errno);
    }
    fd = std::move(prepared);
  } else {
    StatusOr<FileDescriptor> f =
        OpenFile(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (!f.ok()) return f.status();
    HAVEN_LEDGER_RETURN_IF_ERROR(WriteAt(f->get(), header_bytes, 0, path));
    HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(f->get(), path));
    fd = std::move(*f);
  }
  HAVEN_LEDGER_RETURN_IF_ERROR(SyncDir(dir_));
  auto seg = std::make_unique<Segment>();
  seg->first_index = first_index;
  seg->path = path;
  seg->fd = std::move(fd);
  seg->prev_chain = prev_chain;
  std::lock_guard<std::mutex> l(segments_mu_);
  segments_.push_back(std::move(seg));
  segment_offset_ = kSegmentHeaderSize;
  return Status::Ok();
}

// Asks the preparer to keep segment.next one piece ahead of the last
// segment's end of data, or to reserve all of it at once (format §2.5).
// Writer thread only.
void Ledger::WantFill() {
  const uint64_t seg = options_.segment_bytes;
  const uint64_t piece = std::min<uint64_t>(kFillPiece, seg);
  if (segment_offset_ < std::min<uint64_t>(kFillPiece, seg / 2)) return;
  const uint64_t target =
      reserve_ahead_
          ? seg
          : std::min<uint64_t>(
                seg, (segment_offset_ + 2 * piece - 1) / piece * piece);
  {
    std::lock_guard<std::mutex> l(prep_mu_);
    if (prep_failed_ || target <= prep_target_) return;
    prep_target_ = target;
  }
  prep_cv_.notify_all();
}

// The preparer: fills segment.next with kFillByte up to prep_target_, one
// piece at a time, and syncs it once whole, so that the batches written into
// it later overwrite allocated, written blocks and their fdatasyncs need no
// journal commit. (A segment taken before it is whole is synced by
// CreateSegment.) With reserve_ahead_ it only allocates the whole segment,
// past the end of the empty file: nothing to write back or sync, since a
// reservation lost in a crash costs only speed. It never touches a file the
// writer has taken. A failure stops it: segments are then created empty, as
// before.
void Ledger::PrepareLoop() {
  const std::string path = JoinPath(dir_, kNextSegmentFile);
  // A segment is reserved in one piece: reserved piece by piece, its blocks
  // need not be contiguous, and each batch's conversion of reserved blocks
  // to written ones then grows and shrinks the file's extent tree, which
  // frees a block (and, with the `discard` mount option, waits for its
  // discard) every few batches (BENCHMARKS.md).
  const uint64_t piece =
      reserve_ahead_ ? options_.segment_bytes
                     : std::min<uint64_t>(kFillPiece, options_.segment_bytes);
  const std::string fill(reserve_ahead_ ? 0 : piece, kFillByte);
  std::unique_lock<std::mutex> l(prep_mu_);
  while (true) {
    prep_cv_.wait(l, [&] {
      return prep_stopping_ || (!prep_failed_ && prep_target_ > prep_filled_);
    });
    if (prep_stopping_) return;
    const uint64_t at = prep_filled_;
    const uint64_t n = std::min<uint64_t>(piece, prep_target_ - at);
    FileDescriptor created;
    const bool create = !prep_fd_.valid();
    int fd = prep_fd_.get();
    prep_busy_ = true;
    l.unlock();
    Status s;
    if (create) {
      StatusOr<FileDescriptor> f =
          OpenFile(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
      if (f.ok()) {
        created = std::move(*f);
        fd = created.get();
      } else {
        s = f.status();
      }
    }
    if (s.ok() && reserve_ahead_) {
      s = Reserve(fd, at, n, path);
    } else if (s.ok()) {
      s = WriteAt(fd, std::string_view(fill).substr(0, n), at, path);
    }
    if (s.ok() && !reserve_ahead_) {
      if (at + n >= options_.segment_bytes) {
        // The whole fill, with its one journal commit.
        s = SyncData(fd, path);
      } else {
        // Written back now, committed once with the last piece: fewer
        // journal commits beside the appends' own syncs (BENCHMARKS.md).
        (void)::sync_file_range(fd, static_cast<off64_t>(at),
                                static_cast<off64_t>(n), SYNC_FILE_RANGE_WRITE);
      }
    }
    l.lock();
    prep_busy_ = false;
    if (create) prep_fd_ = std::move(created);
    if (s.ok()) {
      prep_filled_ = at + n;
      prep_total_ += n;
    } else {
      prep_failed_ = true;
      prep_fd_ = FileDescriptor();
      prep_filled_ = 0;
      (void)::unlink(path.c_str());
    }
    prep_cv_.notify_all();
  }
}

Ledger::~Ledger() {
  if (writer_.joinable()) {
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    writer_.join();
  }
  if (preparer_.joinable()) {
    {
      std::lock_guard<std::mutex> l(prep_mu_);
      prep_stopping_ = true;
    }
    prep_cv_.notify_all();
    preparer_.join();
    prep_fd_ = FileDescriptor();
    (void)::unlink(JoinPath(dir_, kNextSegmentFile).c_str());
  }
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> l(queue_mu_);
      sync_stopping_ = true;  // the syncer syncs any posted batch first
    }
    sync_cv_.notify_all();
    syncer_.join();
  }
  if (completer_.joinable()) {
    {
      std::lock_guard<std::mutex> l(complete_mu_);
      complete_stopping_ = true;  // the completer drains its queue first
    }
    complete_cv_.notify_all();
    completer_.join();
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> l(signal_mu_);
      checkpoint_stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    checkpointer_.join();
  }
  if (options_.checkpoint_on_close && Broken().ok() && signer_ && hashes_) {
    uint64_t n = size();
    std::lock_guard<std::mutex> l(checkpoint_mu_);
    if (n > 0 && (!latest_ || latest_->size < n)) {
      // Best effort: an unsigned tail is still durable and is signed by the
      // next checkpoint after reopening.
      (void)SignCheckpointLocked();
    }
  }
  if (hashes_) {
    std::lock_guard<std::mutex> l(checkpoint_mu_);
    (void)hashes_->Flush(/*sync=*/false);  // saves recomputing on open
  }
}

// Completes one append call: `first_index` is the index of its first entry.
void Ledger::Finish(Group& g, const Status& s, uint64_t first_index) {
  if (g.waiter != nullptr) {
    g.waiter->Done(s, s.ok() ? first_index + g.count - 1 : 0);
  } else if (g.callback) {
    g.callback(s, s.ok() ? first_index : 0);
  }
}

// Completes the runs of one batch, whose first entry is `first_index`, and
// every call whose last entry is among them. Completer thread only: a call's
// runs may sit in several batches, and batches are completed in order.
void Ledger::CompleteParts(std::vector<Part>& parts, const Status& s,
                           uint64_t first_index) {
  uint64_t index = first_index;
  for (Part& p : parts) {
    Group& g = *p.group;
    if (g.completed == 0) g.first_index = index;
    if (!s.ok() && g.error.ok()) g.error = s;
    g.completed += p.count;
    index += p.count;
    if (p.owner != nullptr) Finish(g, g.error, g.first_index);
  }
}

void Ledger::Enqueue(std::unique_ptr<Group> group) {
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    if (!stopping_) {
      const size_t before = queued_entries_;
      queued_entries_ += group->count;
      queue_.push_back(std::move(group));
      // The writer needs waking for the first entry when the disk is free
      // and it is not already waiting out min_sync_interval with a batch in
      // hand (it takes the queue when that ends: waking it for every entry
      // would cost a thread switch each); otherwise only every
      // kWakeEntries-th entry wakes it, to frame what has come (the syncer
      // wakes it when a sync is done).
      if ((sync_idle_ && before == 0 && !writer_lingers_) ||
          before / kWakeEntries != queued_entries_ / kWakeEntries) {
        queue_cv_.notify_one();
      }
      return;
    }
  }
  Finish(*group, Status::FailedPrecondition("ledger is closing"), 0);
}

void Ledger::AppendAsync(std::string entry, Callback done) {
  auto g = std::make_unique<Group>();
  g->callback = std::move(done);
  if (entry.size() > kMaxEntrySize) {
    Finish(*g, Status::InvalidArgument("entry exceeds 1 MiB"), 0);
    return;
  }
  g->leaf = HashLeaf(entry);  // hashed here, in parallel across callers
  g->bytes = std::move(entry);
  Enqueue(std::move(g));
}

namespace {

template <typename Entries>
Status CheckBatch(const Entries& entries) {
  if (entries.empty()) return Status::InvalidArgument("no entries to append");
  for (std::string_view e : entries) {
    if (e.size() > kMaxEntrySize) {
      return Status::InvalidArgument("entry exceeds 1 MiB");
    }
  }
  return Status::Ok();
}

}  // namespace

// Queues checked entries as one group: their bytes in one buffer, their leaf
// hashes computed here, on the caller's thread.
template <typename Entries>
void Ledger::QueueBatch(const Entries& entries, Callback done, Waiter* waiter) {
  auto g = std::make_unique<Group>();
  g->callback = std::move(done);
  g->waiter = waiter;
  g->count = entries.size();
  size_t total = 0;
  for (std::string_view e : entries) total += e.size();
  g->bytes.reserve(total);
  g->ends.reserve(g->count);
  g->leaves.resize(g->count);
  for (std::string_view e : entries) {
    g->bytes.append(e);
    g->ends.push_back(g->bytes.size());
  }
  // Two at a time: about 1.4 times the hashes per second on SHA-NI here.
  const size_t n = entries.size();
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    HashLeafPair(entries[i], entries[i + 1], &g->leaves[i], &g->leaves[i + 1]);
  }
  if (i < n) g->leaves[i] = HashLeaf(entries[i]);
  Enqueue(std::move(g));
}

template <typename Entries>
void Ledger::CheckAndQueueBatch(const Entries& entries, Callback done) {
  Status s = CheckBatch(entries);
  if (!s.ok()) {
    Group g;
    g.callback = std::move(done);
    Finish(g, s, 0);
    return;
  }
  QueueBatch(entries, std::move(done), nullptr);
}

void Ledger::AppendBatchAsync(std::span<const std::string_view> entries,
                              Callback done) {
  CheckAndQueueBatch(entries, std::move(done));
}

void Ledger::AppendBatchAsync(std::span<const std::string> entries,
                              Callback done) {
  CheckAndQueueBatch(entries, std::move(done));
}

StatusOr<uint64_t> Ledger::Append(std::string_view entry) {
  if (entry.size() > kMaxEntrySize) {
    return Status::InvalidArgument("entry exceeds 1 MiB");
  }
  Waiter w;
  auto g = std::make_unique<Group>();
  g->leaf = HashLeaf(entry);
  g->bytes = std::string(entry);
  g->waiter = &w;
  Enqueue(std::move(g));
  w.Wait();
  if (!w.error.ok()) return w.error;
  return w.last_index;
}

StatusOr<uint64_t> Ledger::AppendAll(std::span<const std::string> entries) {
  HAVEN_LEDGER_RETURN_IF_ERROR(CheckBatch(entries));
  Waiter w;
  QueueBatch(entries, nullptr, &w);
  w.Wait();
  if (!w.error.ok()) return w.error;
  return w.last_index;
}

namespace {
using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}
}  // namespace

// The writer half of group commit. While the syncer syncs the previous
// batch, the writer keeps taking queued entries into the next batch, framing
// and hashing them, and writes and posts it to the syncer (ready_, PostJob): a
// full batch as soon as the slot is free, so that its pages go to the disk
// during the previous sync and the syncer syncs it the moment that sync
// returns; a batch that is not full only once the syncer is idle (and no
// sooner than min_sync_interval after the previous post), so that it holds
// every entry queued until the disk was free. The slot holds one batch, so at
// most two writes are not yet durable and a crash tears no more (format §2.4).
//
// It takes the whole queue at once (one swap under the lock) into `inbox`,
// and frames from there, outside the lock, as much as fits in the batch and
// in the current segment; a call's entries may so span batches.
void Ledger::WriterLoop() {
  SyncJob job;             // framed and hashed, not yet posted
  size_t job_bytes = 0;    // frame bytes in job
  size_t job_entries = 0;  // entries in job
  bool job_full = false;   // the next entry would exceed max_batch_bytes
  bool roll = false;       // the next entry needs a new segment
  bool failed = false;     // broken: stop creating segments, fail everything
  Clock::time_point job_start;
  Clock::time_point next_write = Clock::now();
  // Taken from the queue, not yet framed: inbox[at_group] from entry
  // at_entry on, then the groups after it.
  std::vector<std::unique_ptr<Group>> inbox;
  std::vector<Hash> leaves;  // of the entries framed in this pass
  size_t at_group = 0;
  size_t at_entry = 0;
  while (true) {
    const bool pending = job_entries > 0 || roll;
    const bool full = roll || job_full ||
                      job_entries >= options_.max_batch_entries ||
                      job_bytes >= options_.max_batch_bytes;
    if (!full && at_group < inbox.size()) {
      // Frame and hash what fits (no lock held).
      Clock::time_point t0 = Clock::now();
      if (job_entries == 0) {
        job_start = t0;
        job.first = next_index_;
      }
      const uint32_t seg_no = static_cast<uint32_t>(segments_.size() - 1);
      const uint64_t seg_first = segments_.back()->first_index;
      uint64_t at = segment_offset_ + job_bytes;
      while (at_group < inbox.size() &&
             job_entries < options_.max_batch_entries) {
        Group& g = *inbox[at_group];
        const size_t begin = at_entry;
        while (at_entry < g.count && job_entries < options_.max_batch_entries) {
          std::string_view e = g.entry(at_entry);
          const size_t b = FrameSize(e.size());
          if (job_bytes > 0 && job_bytes + b > options_.max_batch_bytes) {
            job_full = true;
            break;
          }
          if (!failed && at > kSegmentHeaderSize &&
              at + b > options_.segment_bytes) {
            roll = true;
            break;
          }
          if ((next_index_ - seg_first) % kIndexStride == 0) {
            job.points.push_back({seg_no, chain_, at});
          }
          AppendFrame(&chain_, next_index_, e, &job.frames);
          leaves.push_back(g.leaf_hash(at_entry));
          ++next_index_;
          ++at_entry;
          ++job_entries;
          job_bytes += b;
          at += b;
        }
        if (at_entry > begin) {
          Part p{&g, at_entry - begin, nullptr};
          if (at_entry == g.count) p.owner = std::move(inbox[at_group]);
          job.parts.push_back(std::move(p));
        }
        if (at_entry < g.count) break;  // the batch or the segment is full
        ++at_group;
        at_entry = 0;
      }
      // The tree once per pass: its new inner nodes two at a time.
      tree_.AppendMany(leaves, &job.nodes);
      leaves.clear();
      job.end = next_index_;
      job.encode_seconds += Seconds(t0, Clock::now());
      continue;
    }
    bool post = false;
    bool create_segment = false;
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      while (true) {
        if (!full && !queue_.empty()) break;  // take more
        if (job_entries > 0 && !ready_) {
          if (full) {
            // A full batch goes at once: waiting would not make it fuller.
            post = true;
            break;
          }
          if (sync_idle_) {
            Clock::time_point due =
                std::max(next_write, job_start + options_.batch_linger);
            if (stopping_ || Clock::now() >= due) {
              post = true;
              break;
            }
            writer_lingers_ = true;
            queue_cv_.wait_until(l, due);
            writer_lingers_ = false;
            continue;
          }
        } else if (job_entries == 0 && roll && sync_idle_) {
          // The full segment's last batch is durable, so a torn write can
          // only ever be in the last segment.
          create_segment = true;
          break;
        } else if (!pending && stopping_) {
          return;  // the queue is empty and everything is posted
        }
        writer_waits_for_slot_ = full && job_entries > 0 && ready_.has_value();
        queue_cv_.wait(l);
        writer_waits_for_slot_ = false;
      }
      if (!post && !create_segment) {
        inbox.clear();  // all taken; keeps its capacity for the queue
        inbox.swap(queue_);
        queued_entries_ = 0;
        at_group = 0;
        at_entry = 0;
      }
    }
    if (create_segment) {
      roll = false;
      Status s = Broken();
      if (s.ok()) s = CreateSegment(next_index_, chain_);
      if (!s.ok()) {
        SetBroken(s);
        failed = true;
      }
    } else if (post) {
      next_write = Clock::now() + options_.min_sync_interval;
      std::string frames = PostJob(std::move(job));
      WantFill();
      job = SyncJob();
      job.frames = std::move(frames);  // reuse a written batch's buffer
      job_bytes = 0;
      job_entries = 0;
      job_full = false;
    }
  }
}

// Writes a framed batch and hands it to the syncer; ready_ is empty. Returns
// an empty buffer for the next batch's frames. Writer thread only.
//
// The write goes out at once, while the syncer may still be syncing the
// batch before it (format §2.4: at most two writes are ever not yet
// durable), so that the disk takes this batch's pages during that sync
// rather than after it: write and sync overlap as they cannot in a loop of
// pwrite and fdatasync.
std::string Ledger::PostJob(SyncJob job) {
  job.segment = segments_.back().get();  // only this thread adds segments
  job.offset = segment_offset_;
  job.root = tree_.Root();
  segment_offset_ += job.frames.size();
  Clock::time_point t0 = Clock::now();
  // Nothing is written after a failure.
  job.status = Broken();
  if (job.status.ok()) {
    const int fd = job.segment->fd.get();
    job.status = WriteAt(fd, job.frames, job.offset, job.segment->path);
    if (job.status.ok()) {
      // Only a hint; the syncer's fdatasync is what counts.
      (void)::sync_file_range(fd, static_cast<off64_t>(job.offset),
                              static_cast<off64_t>(job.frames.size()),
                              SYNC_FILE_RANGE_WRITE);
    } else {
      // At once, so that no later batch is written behind a failed one.
      SetBroken(job.status);
    }
  }
  job.write_seconds = Seconds(t0, Clock::now());
  std::string spare;
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    ready_ = std::move(job);
    sync_idle_ = false;
    if (!spare_frames_.empty()) {
      spare = std::move(spare_frames_.back());
      spare_frames_.pop_back();
    }
  }
  sync_cv_.notify_one();
  return spare;
}

// The syncer: makes each posted batch, already written by the writer, durable
// with one fdatasync, then hands it to the completer. It takes the next batch
// as soon as a sync returns, in the same thread, so that syncs go back to
// back; it syncs nothing after a failure, not even a batch written before it.
//
// Waking another thread lets it take this one's CPU for a while (60-110 us a
// batch, measured: BENCHMARKS.md), and the disk idles until this thread's
// next fdatasync: so between two syncs it wakes one thread only. A durable
// batch waits for the completer until the next one is taken (or no batch is
// ready), and the completer, once woken, wakes the writer if it waits for
// the slot.
void Ledger::SyncLoop() {
  std::string used;  // the last written batch's buffer, for a later one
  std::optional<SyncJob> synced;  // durable, not yet handed to the completer
  auto hand_over = [&] {
    if (!synced) return;
    HandToCompleter(std::move(*synced));
    synced.reset();
  };
  while (true) {
    SyncJob job;
    bool slot_freed = false;
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      if (used.capacity() > 0) {
        used.clear();
        spare_frames_.push_back(std::move(used));
        used = std::string();
      }
      if (!ready_ && synced) {
        l.unlock();
        hand_over();
        l.lock();
      }
      if (!ready_) {
        sync_idle_ = true;
        queue_cv_.notify_one();
        sync_cv_.wait(l, [&] { return ready_.has_value() || sync_stopping_; });
        if (!ready_) return;  // the writer has stopped and all is written
      }
      job = std::move(*ready_);
      ready_.reset();
      sync_idle_ = false;
      slot_freed = writer_waits_for_slot_;
    }
    // The writer may now write the next batch while this one is synced. The
    // completer wakes it, so that this thread wakes one thread, not two,
    // before its fdatasync.
    if (slot_freed) {
      if (synced) {
        synced->wake_writer = true;
      } else {
        queue_cv_.notify_one();
      }
    }
    hand_over();
    // A batch written before an earlier sync failed is not synced either.
    Status s = job.status;
    if (s.ok()) s = Broken();
    if (s.ok()) {
      Clock::time_point t3 = Clock::now();
      s = SyncData(job.segment->fd.get(), job.segment->path);
      job.sync_seconds = Seconds(t3, Clock::now());
    }
    // What reached the disk is unknown: stop accepting appends. Reopening
    // recovers whatever is there.
    if (!s.ok()) SetBroken(s);
    job.status = s;
    used = std::move(job.frames);
    synced = std::move(job);
  }
}

// Publishing and waking a thousand waiters takes milliseconds: the completer
// does it while the syncer syncs the next batch. Syncer only.
void Ledger::HandToCompleter(SyncJob job) {
  {
    std::lock_guard<std::mutex> l(complete_mu_);
    complete_queue_.push_back(std::move(job));
  }
  complete_cv_.notify_one();
}

// Makes a synced batch visible: its nodes, index points, size and root.
// Completer thread only, in batch order.
void Ledger::Publish(const SyncJob& job) {
  hashes_->Append(job.nodes);
  if (!job.points.empty()) {
    std::lock_guard<std::mutex> l(segments_mu_);
    for (const IndexPoint& p : job.points) {
      segments_[p.segment]->points.push_back({p.chain, p.offset});
    }
  }
  std::lock_guard<std::mutex> l(state_mu_);
  size_ = job.end;
  root_ = job.root;
}

void Ledger::CompleteLoop() {
  while (true) {
    SyncJob job;
    {
      std::unique_lock<std::mutex> l(complete_mu_);
      complete_cv_.wait(
          l, [&] { return !complete_queue_.empty() || complete_stopping_; });
      if (complete_queue_.empty()) return;
      job = std::move(complete_queue_.front());
      complete_queue_.pop_front();
    }
    if (job.wake_writer) queue_cv_.notify_one();
    Clock::time_point t0 = Clock::now();
    const bool ok = job.status.ok();
    // Published before any of its appends completes, so that a caller sees
    // its entry in size(), proofs and ReadEntries.
    if (ok) Publish(job);
    if (options_.callback_scope) {
      options_.callback_scope(
          [&] { CompleteParts(job.parts, job.status, job.first); });
    } else {
      CompleteParts(job.parts, job.status, job.first);
    }
    job.parts.clear();  // frees the completed calls
    {
      std::lock_guard<std::mutex> l(stats_mu_);
      stats_.batches++;
      stats_.entries += job.end - job.first;
      stats_.encode_seconds += job.encode_seconds;
      stats_.write_seconds += job.write_seconds;
      stats_.sync_seconds += job.sync_seconds;
      stats_.complete_seconds += Seconds(t0, Clock::now());
    }
    if (ok && job.end - checkpointed_size_.load(std::memory_order_relaxed) >=
                  options_.checkpoint_every_entries) {
      {
        std::lock_guard<std::mutex> l(signal_mu_);
        checkpoint_wanted_ = true;
      }
      checkpoint_cv_.notify_one();
    } else if (ok && hashes_->unwritten() * kHashSize >= kNodeTrickleBytes) {
      {
        std::lock_guard<std::mutex> l(signal_mu_);
        nodes_wanted_ = true;
      }
      checkpoint_cv_.notify_one();
    }
  }
}

Status Ledger::Broken() const {
  std::lock_guard<std::mutex> l(sync_mu_);
  return broken_;
}

void Ledger::SetBroken(const Status& s) {
  std::lock_guard<std::mutex> l(sync_mu_);
  if (broken_.ok()) broken_ = s;
}

void Ledger::CheckpointLoop() {
  while (true) {
    {
      std::unique_lock<std::mutex> l(signal_mu_);
      auto wake = [&] {
        return checkpoint_stopping_ || checkpoint_wanted_ || nodes_wanted_;
      };
      if (options_.checkpoint_every.count() > 0) {
        checkpoint_cv_.wait_for(l, options_.checkpoint_every, wake);
      } else {
        checkpoint_cv_.wait(l, wake);
      }
      if (checkpoint_stopping_) return;
      checkpoint_wanted_ = false;
      nodes_wanted_ = false;
    }
    std::lock_guard<std::mutex> l(checkpoint_mu_);
    if (hashes_->unwritten() * kHashSize >= kNodeTrickleBytes) {
      // A failed write shows again, as an error, at the next checkpoint.
      (void)hashes_->Flush(/*sync=*/false);
    }
    uint64_t n = size();
    uint64_t signed_size = latest_ ? latest_->size : 0;
    if (n <= signed_size) continue;
    bool due = n - signed_size >= options_.checkpoint_every_entries ||
               (options_.checkpoint_every.count() > 0 &&
                std::chrono::steady_clock::now() - latest_time_ >=
                    options_.checkpoint_every);
    if (due) {
      StatusOr<std::string> note = SignCheckpointLocked();
      if (!note.ok()) checkpoint_error_ = note.status();
    }
  }
}

StatusOr<std::string> Ledger::SignCheckpoint() {
  std::lock_guard<std::mutex> l(checkpoint_mu_);
  return SignCheckpointLocked();
}

StatusOr<std::string> Ledger::SignCheckpointLocked() {
  uint64_t n;
  Hash root;
  {
    std::lock_guard<std::mutex> l(state_mu_);
    n = size_;
    root = root_;
  }
  if (n == 0) return Status::FailedPrecondition("the ledger is empty");
  if (latest_ && latest_->size == n) return *latest_note_;
  // The nodes a checkpoint covers must survive a crash (format §3.2).
  HAVEN_LEDGER_RETURN_IF_ERROR(hashes_->Flush(/*sync=*/true));
  Checkpoint cp{origin(), n, root, {}};
  StatusOr<std::string> note = signer_->Sign(cp.ToText());
  if (!note.ok()) return note.status();
  std::string frame;
  uint32_t chain = checkpoint_chain_;
  AppendFrame(&chain, checkpoint_count_, *note, &frame);
  std::string path = JoinPath(dir_, kCheckpointFile);
  HAVEN_LEDGER_RETURN_IF_ERROR(
      WriteAt(checkpoint_fd_.get(), frame, checkpoint_offset_, path));
  HAVEN_LEDGER_RETURN_IF_ERROR(SyncData(checkpoint_fd_.get(), path));
  checkpoint_chain_ = chain;
  checkpoint_offset_ += frame.size();
  ++checkpoint_count_;
  latest_ = std::move(cp);
  latest_note_ = *note;
  latest_time_ = std::chrono::steady_clock::now();
  checkpointed_size_.store(n, std::memory_order_relaxed);
  return std::move(*note);
}

std::optional<std::string> Ledger::LatestCheckpoint() const {
  std::lock_guard<std::mutex> l(checkpoint_mu_);
  return latest_note_;
}

StatusOr<std::vector<std::string>> Ledger::Checkpoints() const {
  std::string path = JoinPath(dir_, kCheckpointFile);
  uint64_t end;
  {
    std::lock_guard<std::mutex> l(checkpoint_mu_);
    end = checkpoint_offset_;
  }
  StatusOr<MappedFile> map = MappedFile::Open(path);
  if (!map.ok()) return map.status();
  std::string_view data = map->data().substr(0, end);
  FrameReader r(data.substr(kSegmentHeaderSize), 0, 0);
  std::vector<std::string> notes;
  std::string_view note;
  while (r.Next(&note) == FrameReader::kFrame) notes.emplace_back(note);
  if (!r.at_end()) {
    return Status::Corruption(At(path, kSegmentHeaderSize + r.offset()) + ": " +
                              r.problem());
  }
  return notes;
}

LedgerStats Ledger::stats() const {
  std::lock_guard<std::mutex> l(stats_mu_);
  LedgerStats s = stats_;
  s.sealed_segments_checked = sealed_checked_.load(std::memory_order_relaxed);
  s.reserves_ahead = reserve_ahead_;
  {
    std::lock_guard<std::mutex> p(prep_mu_);
    s.ahead_bytes = prep_total_;
  }
  return s;
}

uint64_t Ledger::size() const {
  std::lock_guard<std::mutex> l(state_mu_);
  return size_;
}

Hash Ledger::root() const {
  std::lock_guard<std::mutex> l(state_mu_);
  return root_;
}

StatusOr<std::vector<Hash>> Ledger::InclusionProof(uint64_t index,
                                                   uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) +
                                   " exceeds the ledger's " +
                                   std::to_string(size()) + " entries");
  }
  return haven::ledger::InclusionProof(index, tree_size, *hashes_);
}

StatusOr<std::vector<Hash>> Ledger::ConsistencyProof(uint64_t size1,
                                                     uint64_t size2) const {
  if (size2 > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(size2) +
                                   " exceeds the ledger's " +
                                   std::to_string(size()) + " entries");
  }
  return haven::ledger::ConsistencyProof(size1, size2, *hashes_);
}

StatusOr<Hash> Ledger::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return Status::InvalidArgument("tree size " + std::to_string(tree_size) +
                                   " exceeds the ledger's " +
                                   std::to_string(size()) + " entries");
  }
  if (tree_size == 0) return EmptyRoot();
  return RangeHash(0, tree_size, *hashes_);
}

StatusOr<TlogProof> Ledger::Prove(uint64_t index) const {
  std::optional<std::string> note = LatestCheckpoint();
  if (!note) {
    return Status::FailedPrecondition("no checkpoint has been signed yet");
  }
  StatusOr<Checkpoint> cp = ParseCheckpoint(ParseNote(*note)->text);
  if (!cp.ok()) return cp.status();
  if (index >= cp->size) {
    return Status::InvalidArgument(
        "entry " + std::to_string(index) +
        " is not covered by the latest checkpoint (size " +
        std::to_string(cp->size) + ")");
  }
  StatusOr<std::vector<Hash>> hashes = InclusionProof(index, cp->size);
  if (!hashes.ok()) return hashes.status();
  TlogProof p;
  p.index = index;
  p.hashes = std::move(*hashes);
  p.checkpoint = std::move(*note);
  return p;
}

StatusOr<std::vector<std::string>> Ledger::ReadEntries(uint64_t from,
                                                       uint64_t to) const {
  uint64_t n = size();
  if (from > to || to > n) {
    return Status::InvalidArgument(
        "entries [" + std::to_string(from) + ", " + std::to_string(to) +
        ") are not within [0, " + std::to_string(n) + ")");
  }
  std::vector<std::string> out;
  if (from == to) return out;
  out.reserve(to - from);
  // The segments that hold [from, to); they stay where they are.
  std::vector<Segment*> segs;
  {
    std::lock_guard<std::mutex> l(segments_mu_);
    auto it =
        std::upper_bound(segments_.begin(), segments_.end(), from,
                         [](uint64_t i, const std::unique_ptr<Segment>& s) {
                           return i < s->first_index;
                         });
    for (--it; it != segments_.end() && (*it)->first_index < to; ++it) {
      segs.push_back(it->get());
    }
  }
  for (Segment* s : segs) {
    if (s->sealed) HAVEN_LEDGER_RETURN_IF_ERROR(CheckSealed(*s));
  }
  const uint64_t m = (from - segs[0]->first_index) / kIndexStride;
  SeekPoint p;
  {
    std::lock_guard<std::mutex> l(segments_mu_);
    // Published with its batch, before size() covered `from`.
    if (m >= segs[0]->points.size()) {
      return Status::Internal(segs[0]->path + ": no seek point for entry " +
                              std::to_string(from));
    }
    p = segs[0]->points[m];
  }
  uint64_t index = segs[0]->first_index + m * kIndexStride;
  size_t seg = 0;
  uint64_t offset = p.offset;
  uint32_t chain = p.chain;
  std::string payload;
  while (index < to) {
    if (seg + 1 < segs.size() && index == segs[seg + 1]->first_index) {
      ++seg;
      offset = kSegmentHeaderSize;
    }
    const int fd = segs[seg]->fd.get();
    const std::string& path = segs[seg]->path;
    char head[kFrameHeaderSize];
    HAVEN_LEDGER_RETURN_IF_ERROR(ReadAt(fd, head, sizeof(head), offset, path));
    uint32_t length = GetFixed32(head);
    if (length > kMaxEntrySize) {
      return Status::Corruption(At(path, offset) + ": bad frame length");
    }
    payload.resize(length);
    HAVEN_LEDGER_RETURN_IF_ERROR(
        ReadAt(fd, payload.data(), length, offset + kFrameHeaderSize, path));
    uint32_t crc = GetFixed32(head + 4);
    if (crc != FrameCrc(chain, index, payload)) {
      return Status::Corruption(At(path, offset) + ": entry " +
                                std::to_string(index) + ": checksum mismatch");
    }
    chain = crc;
    offset += FrameSize(length);
    if (index >= from) out.push_back(payload);
    ++index;
  }
  return out;
}

}  // namespace haven::ledger
