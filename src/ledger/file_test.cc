#include "ledger/file.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace haven::ledger {
namespace {

std::string TempDir() {
  std::string tmpl = ::testing::TempDir() + "ledger_file_XXXXXX";
  return ::mkdtemp(tmpl.data());
}

TEST(File, CreateDurablyWritesOnceWithTheMode) {
  std::string dir = TempDir();
  ASSERT_TRUE(CreateFileDurably(dir, "k", "secret", 0600).ok());
  struct stat st;
  ASSERT_EQ(::stat(JoinPath(dir, "k").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*ReadFileToString(JoinPath(dir, "k")), "secret");
  EXPECT_EQ(CreateFileDurably(dir, "k", "x", 0600).code(),
            StatusCode::kAlreadyExists);
  std::filesystem::remove_all(dir);
}

TEST(File, WriteAtAndReadAtMeet) {
  std::string dir = TempDir();
  std::string path = JoinPath(dir, "f");
  StatusOr<FileDescriptor> fd = OpenFile(path, O_RDWR | O_CREAT);
  ASSERT_TRUE(fd.ok());
  ASSERT_TRUE(WriteAt(fd->get(), "hello world", 0, path).ok());
  ASSERT_TRUE(WriteAt(fd->get(), "W", 6, path).ok());
  char buf[5];
  ASSERT_TRUE(ReadAt(fd->get(), buf, 5, 6, path).ok());
  EXPECT_EQ(std::string(buf, 5), "World");
  EXPECT_EQ(ReadAt(fd->get(), buf, 5, 8, path).code(), StatusCode::kCorruption);
  StatusOr<MappedFile> m = MappedFile::Open(path);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->data(), "hello World");
  std::filesystem::remove_all(dir);
}

TEST(File, ReserveAllocatesWithoutGrowingTheFile) {
  std::string dir = TempDir();
  std::string path = JoinPath(dir, "f");
  StatusOr<FileDescriptor> fd = OpenFile(path, O_RDWR | O_CREAT);
  ASSERT_TRUE(fd.ok());
  Status s = Reserve(fd->get(), 0, 1 << 20, path);
  if (!s.ok() && s.message().find("not supported") != std::string::npos) {
    GTEST_SKIP() << s.ToString();
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*FileSize(fd->get(), path), 0u);
  struct stat st;
  ASSERT_EQ(::fstat(fd->get(), &st), 0);
  EXPECT_GE(static_cast<uint64_t>(st.st_blocks) * 512, uint64_t{1} << 20);
  ASSERT_TRUE(WriteAt(fd->get(), "abc", 0, path).ok());
  EXPECT_EQ(*FileSize(fd->get(), path), 3u);
  EXPECT_EQ(*ReadFileToString(path), "abc");
  StatusOr<FileDescriptor> ro = OpenFile(path, O_RDONLY);
  ASSERT_TRUE(ro.ok());
  Status bad = Reserve(ro->get(), 0, 4096, path);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.ToString().find("fallocate " + path), std::string::npos)
      << bad.ToString();
  std::filesystem::remove_all(dir);
}

TEST(File, OnlyExt4WithoutAJournalIsReportedAsSuch) {
  EXPECT_FALSE(OnExt4WithoutJournal("/proc"));
  EXPECT_FALSE(OnExt4WithoutJournal("/nonexistent/dir"));
  if (std::filesystem::exists("/dev/shm")) {
    EXPECT_FALSE(OnExt4WithoutJournal("/dev/shm"));  // tmpfs
  }
}

TEST(File, MissingFilesAreNotFound) {
  EXPECT_EQ(ReadFileToString("/nonexistent/x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ListDir("/nonexistent").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace haven::ledger
