#include "ledger/verify.h"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <future>
#include <map>
#include <memory>
#include <span>

#include "ledger/base64.h"
#include "ledger/checkpoint.h"
#include "ledger/file.h"
#include "ledger/frame.h"
#include "ledger/merkle.h"
#include "ledger/note.h"

namespace haven::ledger {
namespace {

std::string At(const std::string& path, uint64_t offset) {
  return path + " offset " + std::to_string(offset);
}

std::string B64(const Hash& h) { return Base64Encode(AsBytes(h)); }

// Segments and tree.hashes are read with pread into buffers that are reused,
// not mapped: on the VMs Haven is measured on, the first touch of each page
// of a file mapping costs a fault even after MAP_POPULATE (the hypervisor's
// shadow page tables fill lazily): CRC32C over a mapped 64-MiB segment takes
// 42 ms there against 15 ms read with pread into a reused window
// (BM_Crc32cOfMappedSegment, BM_Crc32cOfSegmentReadWithPread).
//
// A chunk's window holds the largest frame, so that each chunk holds at
// least one, and no more: a window of about a core's L2 cache keeps the bytes
// there while they are checked and hashed (4-MiB windows were 20 % slower).
constexpr size_t kWindow =
    (kFrameHeaderSize + kMaxEntrySize + 4095) / 4096 * 4096;

// Entries read and checked but not yet folded into the tree, and the bytes
// they were read from.
struct Chunk {
  std::unique_ptr<char[]> bytes =
      std::make_unique_for_overwrite<char[]>(kWindow);
  std::vector<std::string_view> payloads;  // in `bytes`
  std::vector<uint64_t> ends;  // file offset after each entry's frame
  std::vector<Hash> leaves;
  size_t hashed = 0;  // leaves [0, hashed) are hashed by the reading thread
  const std::string* path = nullptr;  // of its segment
  size_t segment = 0;                 // its segment's position in the list
  std::atomic<bool> folded{false};    // set when the helper is done with it
};

// The leaf hashes of entries [from, to) of a chunk, two at a time, or up to
// where `*stop` is seen set (then an even number of them). Returns where it
// stopped. leaves already has one slot per payload.
size_t HashLeaves(Chunk* c, size_t from, size_t to,
                  const std::atomic<bool>* stop = nullptr) {
  size_t i = from;
  for (; i + 1 < to; i += 2) {
    if (stop != nullptr && stop->load(std::memory_order_acquire)) return i;
    HashLeafPair(c->payloads[i], c->payloads[i + 1], &c->leaves[i],
                 &c->leaves[i + 1]);
  }
  if (i < to) {
    c->leaves[i] = HashLeaf(c->payloads[i]);
    ++i;
  }
  return i;
}

struct Expected {
  std::string label;  // "stored checkpoint 3" or "checkpoint kept.txt"
  Hash root;
};

}  // namespace

StatusOr<VerifyResult> VerifyLedger(std::string_view dir_view,
                                    const VerifyOptions& options) {
  const std::string dir(dir_view);
  VerifyResult result;
  auto fail = [&](std::string why) {
    result.ok = false;
    result.summary = std::move(why);
    return result;
  };
  StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) return names.status();

  // The key: the auditor's, or the log's own.
  VerifierKey key;
  if (options.vkey) {
    StatusOr<VerifierKey> k = ParseVerifierKey(*options.vkey);
    if (!k.ok())
      return Status::InvalidArgument("--vkey: " + k.status().message());
    key = *k;
  } else {
    std::string path = JoinPath(dir, "ledger.vkey");
    StatusOr<std::string> text = ReadFileToString(path);
    if (!text.ok()) return fail(path + ": " + text.status().message());
    StatusOr<VerifierKey> k = ParseVerifierKey(*text);
    if (!k.ok()) return fail(path + ": " + k.status().message());
    key = *k;
  }

  // Every size a checkpoint names, with the root it must have.
  std::multimap<uint64_t, Expected> expected;

  // Stored checkpoints: signed by the key, sizes growing.
  {
    std::string path = JoinPath(dir, "checkpoints.log");
    StatusOr<MappedFile> map = MappedFile::Open(path);
    if (!map.ok()) return fail(path + ": " + map.status().message());
    std::string_view data = map->data();
    SegmentHeader h;
    Status st = DecodeSegmentHeader(data, kCheckpointLogMagic, &h);
    if (!st.ok()) return fail(At(path, 0) + ": " + st.message());
    FrameReader r(data.substr(kSegmentHeaderSize), 0, 0);
    std::string_view note;
    uint64_t prev_size = 0;
    while (true) {
      uint64_t at = kSegmentHeaderSize + r.offset();
      uint64_t i = r.index();
      FrameReader::Result res = r.Next(&note);
      if (res == FrameReader::kEnd) break;
      if (res == FrameReader::kBad) {
        return fail(At(path, at) + ": checkpoint " + std::to_string(i) + ": " +
                    r.problem());
      }
      StatusOr<Checkpoint> cp = OpenCheckpoint(note, key);
      if (!cp.ok()) {
        return fail(At(path, at) + ": checkpoint " + std::to_string(i) + ": " +
                    cp.status().message());
      }
      if (i > 0 && cp->size <= prev_size) {
        return fail(At(path, at) + ": checkpoint " + std::to_string(i) +
                    " (size " + std::to_string(cp->size) +
                    ") does not grow the tree (previous size " +
                    std::to_string(prev_size) + ")");
      }
      prev_size = cp->size;
      expected.insert({cp->size,
                       {"stored checkpoint " + std::to_string(i) + " (" +
                            At(path, at) + ")",
                        cp->root}});
    }
    result.checkpoints = r.index();
  }
  for (const VerifyOptions::Given& g : options.checkpoints) {
    StatusOr<Checkpoint> cp = OpenCheckpoint(g.note, key);
    if (!cp.ok()) {
      return fail("checkpoint " + g.label + ": " + cp.status().message());
    }
    expected.insert({cp->size, {"checkpoint " + g.label, cp->root}});
  }
  // Two checkpoints of one size must name one root, whatever the log says.
  for (auto it = expected.begin(); it != expected.end();) {
    auto next = std::next(it);
    if (next != expected.end() && next->first == it->first &&
        next->second.root != it->second.root) {
      return fail(it->second.label + " and " + next->second.label +
                  " disagree: both have size " + std::to_string(it->first) +
                  " but different roots");
    }
    it = next;
  }

  // The entries.
  std::vector<std::pair<uint64_t, std::string>> segs;
  for (const std::string& n : *names) {
    if (n.size() == 24 && n.substr(20) == ".seg" &&
        n.find_first_not_of("0123456789") == 20) {
      segs.emplace_back(std::stoull(n.substr(0, 20)), n);
    }
  }
  std::string hash_path = JoinPath(dir, "tree.hashes");
  StatusOr<FileDescriptor> hash_fd = OpenFile(hash_path, O_RDONLY);
  if (!hash_fd.ok()) return fail(hash_path + ": " + hash_fd.status().message());
  StatusOr<uint64_t> hash_size = FileSize(hash_fd->get(), hash_path);
  if (!hash_size.ok()) {
    return fail(hash_path + ": " + hash_size.status().message());
  }
  const uint64_t stored_count = *hash_size / kHashSize;  // whole nodes stored
  std::vector<char> stored;  // the stored nodes a chunk completes
  uint64_t latest_size = expected.empty() ? 0 : expected.rbegin()->first;

  CompactRange tree;
  std::vector<Hash> nodes;
  uint64_t node_pos = 0;
  uint64_t index = 0;
  uint32_t chain = 0;
  auto next_expected = expected.begin();
  uint64_t matched_size = 0;  // the largest size whose root matched
  std::string matched_where =
      segs.empty() ? dir
                   : At(JoinPath(dir, segs[0].second), kSegmentHeaderSize);
  // The file and offset after the entry last read (a string only on demand:
  // building one per entry costs as much as hashing a node).
  std::string where_file;
  uint64_t where_offset = 0;
  auto where = [&] {
    return where_file.empty() ? std::string() : At(where_file, where_offset);
  };
  // Checks every checkpoint of size tree.size() against the root.
  auto check_roots = [&]() -> std::optional<std::string> {
    if (next_expected == expected.end() ||
        next_expected->first != tree.size()) {
      return std::nullopt;
    }
    Hash root = tree.Root();
    for (;
         next_expected != expected.end() && next_expected->first == tree.size();
         ++next_expected) {
      if (next_expected->second.root != root) {
        return next_expected->second.label + " (size " +
               std::to_string(tree.size()) + ", root " +
               B64(next_expected->second.root) +
               ") does not match the log (root " + B64(root) + "): entries " +
               std::to_string(matched_size) + " to " +
               std::to_string(tree.size() - 1) +
               " differ from what was "
               "signed, starting at or after entry " +
               std::to_string(matched_size) + " (" + matched_where + ")";
      }
    }
    matched_size = tree.size();
    matched_where = where();
    return std::nullopt;
  };
  // A checkpoint of size 0 cannot be signed, but be safe.
  if (auto f = check_roots()) return fail(*f);

  // Two threads share the work, in a pipeline of chunks that runs across
  // segment boundaries: while a helper hashes the rest of one chunk's leaves
  // and folds them all into the tree (checking every stored node and
  // checkpoint root), this thread reads the next chunk's frames, checks them
  // (length, CRC, chain) and hashes its leaves from the first, two at a time,
  // until the helper is done. So the split follows the machine: how fast it
  // reads memory and hashes, and how much of the second core it gets. The
  // fold runs in entry order, one chunk at a time, and this thread awaits it
  // before reporting anything it found itself, so the first failure reported
  // is the first there is.
  //
  // Helper thread only, one chunk at a time in order: the tree, index,
  // node_pos and where_* are its own while `folding` is pending.
  auto hash_and_fold = [&](Chunk* cur) -> std::optional<std::string> {
    where_file = *cur->path;
    HashLeaves(cur, cur->hashed, cur->leaves.size());
    const std::span<const Hash> leaves(cur->leaves);
    // The stored nodes of this chunk's leaves, from node_pos on.
    const uint64_t stored_from = node_pos;
    const uint64_t stored_to =
        std::min(NodeCount(index + leaves.size()), stored_count);
    stored.resize(
        stored_to > stored_from ? (stored_to - stored_from) * kHashSize : 0);
    Status st = ReadAt(hash_fd->get(), stored.data(), stored.size(),
                       stored_from * kHashSize, hash_path);
    if (!st.ok()) return st.message();
    for (size_t i = 0; i < leaves.size();) {
      // The leaves up to the next size with a root to check, at once (their
      // inner nodes are hashed two at a time), then the nodes each one
      // completed, in post-order: the leaf and one parent per trailing one
      // bit of its index (format §3.2).
      size_t n = leaves.size() - i;
      if (next_expected != expected.end() && next_expected->first > index &&
          next_expected->first - index < n) {
        n = static_cast<size_t>(next_expected->first - index);
      }
      nodes.clear();
      tree.AppendMany(leaves.subspan(i, n), &nodes);
      size_t at = 0;  // in nodes
      for (size_t end = i + n; i < end; ++i, ++index) {
        where_offset = cur->ends[i];
        const int completed = 1 + std::countr_zero(index + 1);
        for (int q = 0; q < completed; ++q, ++at, ++node_pos) {
          if (node_pos < stored_to) {
            if (std::memcmp(
                    stored.data() + (node_pos - stored_from) * kHashSize,
                    nodes[at].data(), kHashSize) != 0) {
              return At(hash_path, node_pos * kHashSize) + ": stored node " +
                     std::to_string(node_pos) + " (completed by entry " +
                     std::to_string(index) +
                     ") differs from the hash of the entries; proofs "
                     "would be wrong";
            }
          } else if (index + 1 <= latest_size) {
            return hash_path + " ends at node " + std::to_string(stored_count) +
                   " but checkpointed entries need " +
                   std::to_string(NodeCount(latest_size));
          }
        }
      }
      if (auto f = check_roots()) return f;
    }
    return std::nullopt;
  };
  Chunk chunks[2];
  Chunk* idle = &chunks[0];  // read by this thread
  Chunk* busy = &chunks[1];  // with the helper while `folding` is pending
  std::future<std::optional<std::string>> folding;
  // Awaits the helper; its failure, if any, comes first in entry order.
  auto drain = [&]() -> std::optional<std::string> {
    if (!folding.valid()) return std::nullopt;
    return folding.get();
  };
  auto fail_after_fold = [&](std::string why) {
    if (std::optional<std::string> f = drain()) return fail(*f);
    return fail(std::move(why));
  };
  // The paths of the segments the helper may still name (its chunk's): the
  // current one and the one before it.
  std::string paths[2];
  uint64_t next_index = 0;  // of the next frame this thread reads
  uint64_t last_end = 0;    // of the last segment's last frame
  for (size_t k = 0; k < segs.size(); ++k) {
    // Segment k takes the place of segment k - 2, which the helper must be
    // done with.
    if (folding.valid() && busy->segment + 2 <= k) {
      if (std::optional<std::string> f = drain()) return fail(*f);
    }
    std::string& path = paths[k % 2];
    path = JoinPath(dir, segs[k].second);
    StatusOr<FileDescriptor> fd = OpenFile(path, O_RDONLY);
    if (!fd.ok()) return fail_after_fold(path + ": " + fd.status().message());
    StatusOr<uint64_t> size = FileSize(fd->get(), path);
    if (!size.ok()) {
      return fail_after_fold(path + ": " + size.status().message());
    }
    char head[kSegmentHeaderSize];
    uint64_t pos = std::min<uint64_t>(*size, kSegmentHeaderSize);
    Status st = ReadAt(fd->get(), head, pos, 0, path);
    if (!st.ok()) return fail_after_fold(st.message());
    SegmentHeader h;
    st = DecodeSegmentHeader(std::string_view(head, pos), kSegmentMagic, &h);
    if (!st.ok()) return fail_after_fold(At(path, 0) + ": " + st.message());
    if (h.first_index != next_index || segs[k].first != next_index) {
      return fail_after_fold(
          At(path, 0) + ": segment starts at entry " +
          std::to_string(h.first_index) + " but entry " +
          std::to_string(next_index) +
          " comes next (a segment is missing, extra or renamed)");
    }
    if (h.prev_chain != chain) {
      return fail_after_fold(At(path, 0) +
                             ": segment does not continue the chain of the "
                             "segment before it (entry " +
                             std::to_string(next_index) + ")");
    }
    // The segment is read a window of up to kWindow bytes at a time into
    // the idle chunk's buffer. A frame cut by the window's end is carried
    // over to the next window; the helper only reads the buffer it holds,
    // so copying from it is safe.
    std::string_view carry;
    // From a frame that does not check to the end of its window.
    std::string_view rest;
    uint64_t end = pos;  // of the last frame that checked
    bool bad = false;
    bool incomplete = false;
    std::string problem;
    while (!bad) {
      idle->payloads.clear();
      idle->ends.clear();
      idle->path = &path;
      idle->segment = k;
      char* buf = idle->bytes.get();
      if (!carry.empty()) std::memmove(buf, carry.data(), carry.size());
      const size_t fresh = static_cast<size_t>(
          std::min<uint64_t>(kWindow - carry.size(), *size - pos));
      st = ReadAt(fd->get(), buf + carry.size(), fresh, pos, path);
      if (!st.ok()) return fail_after_fold(st.message());
      const uint64_t window_at = pos - carry.size();  // file offset of buf[0]
      pos += fresh;
      const std::string_view window(buf, carry.size() + fresh);
      carry = {};
      FrameReader r(window, next_index, chain);
      while (true) {
        std::string_view payload;
        FrameReader::Result res = r.Next(&payload);
        if (res == FrameReader::kEnd) break;
        if (res == FrameReader::kBad) {
          if (r.incomplete() && pos < *size) {
            carry = window.substr(r.offset());
          } else {
            bad = true;
            incomplete = r.incomplete();
            problem = r.problem();
            rest = window.substr(r.offset());
          }
          break;
        }
        idle->payloads.push_back(payload);
        idle->ends.push_back(window_at + r.offset());
      }
      next_index = r.index();
      chain = r.chain();
      end = window_at + r.offset();
      const size_t n = idle->payloads.size();
      if (n == 0) {
        if (carry.empty()) break;  // the helper may go on with the last chunk
        continue;                  // (a window holds a whole frame: unreached)
      }
      idle->leaves.resize(n);
      // Pairs only: the helper hashes the rest, an odd last one included.
      idle->hashed = folding.valid()
                         ? HashLeaves(idle, 0, n & ~size_t{1}, &busy->folded)
                         : HashLeaves(idle, 0, n / 2 & ~size_t{1});  // half
      idle->folded.store(false, std::memory_order_relaxed);
      if (std::optional<std::string> f = drain()) return fail(*f);
      std::swap(idle, busy);
      folding = std::async(std::launch::async, [&hash_and_fold, c = busy] {
        std::optional<std::string> f = hash_and_fold(c);
        c->folded.store(true, std::memory_order_release);
        return f;
      });
    }
    // Bytes after the last frame that are all fill end the segment cleanly
    // (format §2.5); anything else there is a torn write or damage. `rest`
    // is in a buffer the helper may hold, so the file's remainder is read
    // into the idle one, which it does not.
    if (bad && DataEnd(rest) == 0) {
      bad = false;
      while (pos < *size && !bad) {
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(kWindow, *size - pos));
        st = ReadAt(fd->get(), idle->bytes.get(), n, pos, path);
        if (!st.ok()) return fail_after_fold(st.message());
        bad = DataEnd(std::string_view(idle->bytes.get(), n)) != 0;
        pos += n;
      }
    }
    if (bad) {
      std::string what = incomplete && k + 1 == segs.size()
                             ? " (a torn tail: the log was not reopened "
                               "since a crash, or it was truncated)"
                             : "";
      return fail_after_fold("entry " + std::to_string(next_index) + " at " +
                             At(path, end) + ": " + problem + what);
    }
    last_end = end;
  }
  if (std::optional<std::string> f = drain()) return fail(*f);
  if (!segs.empty()) {
    where_file = paths[(segs.size() - 1) % 2];
    where_offset = last_end;
  }
  result.entries = index;
  if (next_expected != expected.end()) {
    return fail(next_expected->second.label + " has size " +
                std::to_string(next_expected->first) +
                " but the log has only " + std::to_string(index) +
                " entries: entries " + std::to_string(index) + " to " +
                std::to_string(next_expected->first - 1) +
                " are missing (the log ends at " +
                (where_file.empty() ? dir : where()) + ")");
  }
  std::string summary =
      "ok: " + std::to_string(index) + " entries in " +
      std::to_string(segs.size()) + " segment(s), root " + B64(tree.Root()) +
      "; " + std::to_string(result.checkpoints) + " stored checkpoint(s)";
  if (!expected.empty()) {
    summary += ", latest of size " + std::to_string(latest_size);
  }
  summary += ", and " + std::to_string(options.checkpoints.size()) +
             " given checkpoint(s) agree with the log";
  if (index > latest_size) {
    summary += "; " + std::to_string(index - latest_size) +
               " entries are not yet covered by a checkpoint";
  }
  result.ok = true;
  result.summary = std::move(summary);
  return result;
}

}  // namespace haven::ledger
