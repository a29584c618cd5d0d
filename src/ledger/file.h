// Small POSIX file helpers for the ledger: whole-file reads, durable writes,
// positioned writes, read-only mappings and directory listing.
//
// Every function returns a Status naming the path and the failed call.
// Thread-safe as far as the underlying system calls are.
#ifndef HAVEN_LEDGER_FILE_H_
#define HAVEN_LEDGER_FILE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace haven::ledger {

// An owned file descriptor; closes on destruction.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  FileDescriptor& operator=(FileDescriptor&& o) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor();

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::string JoinPath(std::string_view dir, std::string_view name);
bool FileExists(const std::string& path);

// Opens `path` with open(2) flags and mode.
StatusOr<FileDescriptor> OpenFile(const std::string& path, int flags,
                                  mode_t mode = 0644);

StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes all of `data` at `offset` (pwrite, retrying short writes).
Status WriteAt(int fd, std::string_view data, uint64_t offset,
               const std::string& path);
// Reads exactly n bytes at offset.
Status ReadAt(int fd, char* buf, size_t n, uint64_t offset,
              const std::string& path);
Status SyncData(int fd, const std::string& path);
Status SyncDir(const std::string& dir);
Status Truncate(int fd, uint64_t size, const std::string& path);
StatusOr<uint64_t> FileSize(int fd, const std::string& path);
// Allocates [offset, offset + n) of the file without writing it or changing
// its size (fallocate with FALLOC_FL_KEEP_SIZE).
Status Reserve(int fd, uint64_t offset, uint64_t n, const std::string& path);

// True if `dir` is on an ext4 file system without a journal, as Linux reports
// in /sys/fs/ext4/<device>/journal_task ("<none>"); false if it is not, or if
// that cannot be told. There, writing into blocks allocated but never
// written, or past the end of the file, commits no journal.
bool OnExt4WithoutJournal(const std::string& dir);

// Creates `path` with `data` and `mode`, durably (write, fsync, fsync dir).
// Fails if it exists.
Status CreateFileDurably(const std::string& dir, const std::string& name,
                         std::string_view data, mode_t mode);

// Names of the directory's entries, sorted.
StatusOr<std::vector<std::string>> ListDir(const std::string& dir);

// A read-only private mapping of a whole file (empty files map to nothing).
class MappedFile {
 public:
  static StatusOr<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  ~MappedFile();

  std::string_view data() const {
    return std::string_view(static_cast<const char*>(addr_), size_);
  }

 private:
  MappedFile() = default;
  void* addr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_FILE_H_
