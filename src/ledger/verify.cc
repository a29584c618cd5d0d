#include "ledger/verify.h"

#include <bit>
#include <cstring>
#include <future>
#include <map>
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

// Entries read and checked but not yet folded into the tree.
constexpr size_t kChunkEntries = 1 << 15;
struct Chunk {
  std::vector<std::string_view> payloads;
  std::vector<uint64_t> ends;  // file offset after each entry's frame
  std::vector<Hash> leaves;
  size_t hashed = 0;  // leaves [0, hashed) are hashed by the reading thread
  const std::string* path = nullptr;  // of its segment
  size_t segment = 0;                 // its segment's position in the list
};

// The leaf hashes of entries [from, to) of a chunk, two at a time; leaves
// already has one slot per payload.
void HashLeaves(Chunk* c, size_t from, size_t to) {
  size_t i = from;
  for (; i + 1 < to; i += 2) {
    HashLeafPair(c->payloads[i], c->payloads[i + 1], &c->leaves[i],
                 &c->leaves[i + 1]);
  }
  if (i < to) c->leaves[i] = HashLeaf(c->payloads[i]);
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
  std::optional<MappedFile> hash_map;
  {
    StatusOr<MappedFile> m = MappedFile::Open(hash_path, /*read_all=*/true);
    if (!m.ok()) return fail(hash_path + ": " + m.status().message());
    hash_map.emplace(std::move(*m));
  }
  std::string_view stored_nodes = hash_map->data();
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
  // segment boundaries: while a helper hashes the second half of one chunk's
  // leaves and folds them all into the tree (checking every stored node and
  // checkpoint root), this thread reads the next chunk's frames, checks them
  // (length, CRC, chain) and hashes the first half of its leaves (so the two
  // threads have about as much to do: BENCHMARKS.md). The fold runs in entry
  // order, one chunk at a time, and this thread awaits it before reporting
  // anything it found itself, so the first failure reported is the first
  // there is.
  //
  // Helper thread only, one chunk at a time in order: the tree, index,
  // node_pos and where_* are its own while `folding` is pending.
  auto hash_and_fold = [&](Chunk* cur) -> std::optional<std::string> {
    where_file = *cur->path;
    HashLeaves(cur, cur->hashed, cur->leaves.size());
    const std::span<const Hash> leaves(cur->leaves);
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
          uint64_t off = node_pos * kHashSize;
          if (off + kHashSize <= stored_nodes.size()) {
            if (std::memcmp(stored_nodes.data() + off, nodes[at].data(),
                            kHashSize) != 0) {
              return At(hash_path, off) + ": stored node " +
                     std::to_string(node_pos) + " (completed by entry " +
                     std::to_string(index) +
                     ") differs from the hash of the entries; proofs "
                     "would be wrong";
            }
          } else if (index + 1 <= latest_size) {
            return hash_path + " ends at node " +
                   std::to_string(stored_nodes.size() / kHashSize) +
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
  // The mapped segments the helper may still read (its chunk's payloads):
  // the current one and the one before it.
  std::optional<MappedFile> maps[2];
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
    StatusOr<MappedFile> map = MappedFile::Open(path, /*read_all=*/true);
    if (!map.ok()) return fail_after_fold(path + ": " + map.status().message());
    maps[k % 2].emplace(std::move(*map));
    std::string_view data = maps[k % 2]->data();
    SegmentHeader h;
    Status st = DecodeSegmentHeader(data, kSegmentMagic, &h);
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
    FrameReader r(data.substr(kSegmentHeaderSize), h.first_index, h.prev_chain);
    bool bad = false;
    uint64_t bad_at = 0;
    while (true) {
      idle->payloads.clear();
      idle->ends.clear();
      idle->path = &path;
      idle->segment = k;
      while (!bad && idle->payloads.size() < kChunkEntries) {
        uint64_t at = kSegmentHeaderSize + r.offset();
        std::string_view payload;
        FrameReader::Result res = r.Next(&payload);
        if (res == FrameReader::kEnd) break;
        if (res == FrameReader::kBad) {
          bad = true;
          bad_at = at;
          break;
        }
        idle->payloads.push_back(payload);
        idle->ends.push_back(at + FrameSize(payload.size()));
      }
      const size_t n = idle->payloads.size();
      if (n == 0) break;  // the helper may go on with this segment's last
      idle->leaves.resize(n);
      idle->hashed = n / 2 & ~size_t{1};
      HashLeaves(idle, 0, idle->hashed);
      if (std::optional<std::string> f = drain()) return fail(*f);
      std::swap(idle, busy);
      folding = std::async(std::launch::async, hash_and_fold, busy);
    }
    // Bytes after the last frame that are all fill end the segment cleanly
    // (format §2.5); anything else there is a torn write or damage.
    if (bad && DataEnd(data) <= bad_at) bad = false;
    if (bad) {
      std::string what = r.incomplete() && k + 1 == segs.size()
                             ? " (a torn tail: the log was not reopened "
                               "since a crash, or it was truncated)"
                             : "";
      return fail_after_fold("entry " + std::to_string(r.index()) + " at " +
                             At(path, bad_at) + ": " + r.problem() + what);
    }
    chain = r.chain();
    next_index = r.index();
    last_end = kSegmentHeaderSize + r.offset();
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
