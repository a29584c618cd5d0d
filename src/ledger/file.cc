#include "ledger/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace haven::ledger {

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string p(dir);
  if (!p.empty() && p.back() != '/') p.push_back('/');
  p += name;
  return p;
}

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

StatusOr<FileDescriptor> OpenFile(const std::string& path, int flags,
                                  mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::FromErrno("open " + path, err);
  }
  return FileDescriptor(fd);
}

StatusOr<std::string> ReadFileToString(const std::string& path) {
  StatusOr<FileDescriptor> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd->get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("read " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Status WriteAt(int fd, std::string_view data, uint64_t offset,
               const std::string& path) {
  while (!data.empty()) {
    ssize_t n =
        ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("pwrite " + path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status ReadAt(int fd, char* buf, size_t n, uint64_t offset,
              const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("pread " + path, errno);
    }
    if (r == 0) {
      return Status::Corruption(path + ": unexpected end of file at offset " +
                                std::to_string(offset));
    }
    buf += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::Ok();
}

Status SyncData(int fd, const std::string& path) {
  if (::fdatasync(fd) != 0)
    return Status::FromErrno("fdatasync " + path, errno);
  return Status::Ok();
}

Status SyncDir(const std::string& dir) {
  StatusOr<FileDescriptor> fd = OpenFile(dir, O_RDONLY | O_DIRECTORY);
  if (!fd.ok()) return fd.status();
  if (::fsync(fd->get()) != 0) return Status::FromErrno("fsync " + dir, errno);
  return Status::Ok();
}

Status Truncate(int fd, uint64_t size, const std::string& path) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    return Status::FromErrno("ftruncate " + path, errno);
  }
  return Status::Ok();
}

StatusOr<uint64_t> FileSize(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno("fstat " + path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status Reserve(int fd, uint64_t offset, uint64_t n, const std::string& path) {
  if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(n)) != 0) {
    return Status::FromErrno("fallocate " + path, errno);
  }
  return Status::Ok();
}

bool OnExt4WithoutJournal(const std::string& dir) {
  struct statfs fs;
  if (::statfs(dir.c_str(), &fs) != 0 || fs.f_type != EXT4_SUPER_MAGIC) {
    return false;
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return false;
  // /sys/dev/block/<major>:<minor> links to the device's sysfs directory,
  // whose last component is the name /sys/fs/ext4 uses ("vda", "dm-0").
  const std::string link = "/sys/dev/block/" +
                           std::to_string(major(st.st_dev)) + ":" +
                           std::to_string(minor(st.st_dev));
  char target[4096];
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  if (n <= 0) return false;
  std::string_view t(target, static_cast<size_t>(n));
  std::string_view device = t.substr(t.rfind('/') + 1);  // npos + 1 == 0
  StatusOr<std::string> task =
      ReadFileToString("/sys/fs/ext4/" + std::string(device) + "/journal_task");
  return task.ok() && (*task == "<none>\n" || *task == "<none>");
}

Status CreateFileDurably(const std::string& dir, const std::string& name,
                         std::string_view data, mode_t mode) {
  std::string path = JoinPath(dir, name);
  StatusOr<FileDescriptor> fd =
      OpenFile(path, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (!fd.ok()) {
    if (FileExists(path)) return Status::AlreadyExists(path + " exists");
    return fd.status();
  }
  HAVEN_LEDGER_RETURN_IF_ERROR(WriteAt(fd->get(), data, 0, path));
  if (::fsync(fd->get()) != 0) return Status::FromErrno("fsync " + path, errno);
  return SyncDir(dir);
}

StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::NotFound(dir + ": no such directory");
    return Status::FromErrno("opendir " + dir, errno);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  StatusOr<FileDescriptor> fd = OpenFile(path, O_RDONLY);
  if (!fd.ok()) return fd.status();
  StatusOr<uint64_t> size = FileSize(fd->get(), path);
  if (!size.ok()) return size.status();
  MappedFile m;
  m.size_ = static_cast<size_t>(*size);
  if (m.size_ > 0) {
    void* addr = ::mmap(nullptr, m.size_, PROT_READ, MAP_PRIVATE, fd->get(), 0);
    if (addr == MAP_FAILED) return Status::FromErrno("mmap " + path, errno);
    ::madvise(addr, m.size_, MADV_SEQUENTIAL);
    m.addr_ = addr;
  }
  return m;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : addr_(o.addr_), size_(o.size_) {
  o.addr_ = nullptr;
  o.size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (addr_ != nullptr) ::munmap(addr_, size_);
    addr_ = o.addr_;
    size_ = o.size_;
    o.addr_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (addr_ != nullptr) ::munmap(addr_, size_);
}

}  // namespace haven::ledger
