#include "records/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace haven::records {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Every record of `text`, or the first error's message.
Rows ReadAll(CsvReader& r, std::vector<int64_t>* lines = nullptr) {
  Rows rows;
  std::vector<std::string> fields;
  for (;;) {
    StatusOr<bool> more = r.Next(&fields);
    if (!more.ok()) {
      rows.push_back({"ERROR", more.status().message()});
      if (!r.can_continue()) return rows;
      continue;
    }
    if (!*more) return rows;
    if (lines != nullptr) lines->push_back(r.line());
    rows.push_back(fields);
  }
}

Rows Read(std::string_view text, std::vector<int64_t>* lines = nullptr) {
  CsvReader r(text);
  return ReadAll(r, lines);
}

TEST(CsvReader, ReadsRecordsOfCommaSeparatedFields) {
  EXPECT_EQ(Read("a,b,c\n1,2,3\n"), (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
}

TEST(CsvReader, QuotedFieldsHoldCommasDoubledQuotesAndLineBreaks) {
  EXPECT_EQ(Read("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\n"),
            (Rows{{"a,b", "say \"hi\"", "two\nlines"}}));
  EXPECT_EQ(Read("\"\",x\n"), (Rows{{"", "x"}}));
  EXPECT_EQ(Read("\"crlf\r\ninside\"\r\n"), (Rows{{"crlf\r\ninside"}}));
}

TEST(CsvReader, AcceptsCrlfLfAndLoneCrLineEnds) {
  EXPECT_EQ(Read("a\r\nb\nc\rd"), (Rows{{"a"}, {"b"}, {"c"}, {"d"}}));
}

TEST(CsvReader, ReadsALastRecordWithoutALineEnd) {
  EXPECT_EQ(Read("a,b\n1,2"), (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(Read("\"q\""), (Rows{{"q"}}));
}

TEST(CsvReader, EmptyFieldsAreKeptAndATrailingCommaEndsWithOne) {
  EXPECT_EQ(Read(",,\na,\n"), (Rows{{"", "", ""}, {"a", ""}}));
}

TEST(CsvReader, SkipsAByteOrderMarkAtTheStartOnly) {
  EXPECT_EQ(Read("\xEF\xBB\xBFTow Date,Make\n"), (Rows{{"Tow Date", "Make"}}));
  EXPECT_EQ(Read("a\n\xEF\xBB\xBF"
                 "b\n"),
            (Rows{{"a"},
                  {"\xEF\xBB\xBF"
                   "b"}}));
}

TEST(CsvReader, SkipsEmptyLines) {
  EXPECT_EQ(Read("\n\na\r\n\r\nb\n\n"), (Rows{{"a"}, {"b"}}));
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_EQ(Read(""), Rows{});
  EXPECT_EQ(Read("\xEF\xBB\xBF"), Rows{});
}

TEST(CsvReader, ReportsTheLineOnWhichEachRecordStarts) {
  std::vector<int64_t> lines;
  Read("h\n\"multi\nline\nfield\"\n\nnext\r\nlast", &lines);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 6, 7}));
}

TEST(CsvReader, AnUnterminatedQuoteNamesTheLineItOpenedOnAndStops) {
  CsvReader r("a,b\n1,\"open\n2,3\n4,5\n");
  std::vector<std::string> f;
  ASSERT_TRUE(r.Next(&f).ok());
  StatusOr<bool> s = r.Next(&f);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "line 2: unterminated quoted field (field 2)");
  EXPECT_FALSE(r.can_continue());
  StatusOr<bool> after = r.Next(&f);
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
}

TEST(CsvReader, TextAfterAClosingQuoteIsAnErrorAndTheReaderGoesOn) {
  EXPECT_EQ(Read("a\n\"x\"y,z\nb\n"),
            (Rows{{"a"},
                  {"ERROR", "line 2: text after the closing quote of field 1"},
                  {"b"}}));
}

TEST(CsvReader, AQuoteInsideAnUnquotedFieldIsAnErrorAndTheReaderGoesOn) {
  Rows rows = Read("1,12\" pipe\n2,ok\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "ERROR");
  EXPECT_NE(rows[0][1].find("line 1: quote inside unquoted field 2"),
            std::string::npos);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2", "ok"}));
}

TEST(CsvReader, AFieldOverTheLimitStopsTheReader) {
  CsvReader::Limits limits;
  limits.max_field_bytes = 4;
  CsvReader r("abcd,\"abcd\"\nabcde\n", limits);
  Rows rows = ReadAll(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"abcd", "abcd"}));
  EXPECT_EQ(rows[1][1], "line 2: field 1 is longer than 4 bytes");
  EXPECT_FALSE(r.can_continue());
}

TEST(CsvReader, ARecordWithTooManyFieldsStopsTheReader) {
  CsvReader::Limits limits;
  limits.max_fields = 3;
  CsvReader r("a,b,c\na,b,c,d\n", limits);
  Rows rows = ReadAll(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "line 2: more than 3 fields in one record");
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("haven_csv_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(CsvFileTest, AFileReadInChunksGivesWhatTheSameTextGives) {
  // Records with quoted line breaks and CRLFs cross the 64 KiB chunks.
  std::string text = "\xEF\xBB\xBFid,text\r\n";
  for (int i = 0; i < 20000; ++i) {
    text += std::to_string(i) + ",\"row " + std::to_string(i) +
            (i % 3 == 0 ? "\r\nsecond line, \"\"quoted\"\"\"" : "\"") + "\r\n";
  }
  std::string path = WriteFile("big.csv", text);
  StatusOr<std::unique_ptr<CsvReader>> r = CsvReader::OpenFile(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<int64_t> file_lines, text_lines;
  Rows from_file = ReadAll(**r, &file_lines);
  Rows from_text = Read(text, &text_lines);
  EXPECT_EQ(from_file.size(), 20001u);
  EXPECT_EQ(from_file, from_text);
  EXPECT_EQ(file_lines, text_lines);
  EXPECT_EQ(from_file[0], (std::vector<std::string>{"id", "text"}));
}

TEST_F(CsvFileTest, AMissingFileIsNotFoundNamingThePath) {
  StatusOr<std::unique_ptr<CsvReader>> r =
      CsvReader::OpenFile((dir_ / "nope.csv").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nope.csv"), std::string::npos);
}

}  // namespace
}  // namespace haven::records
