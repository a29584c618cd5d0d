#include "records/import.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace haven::records {
namespace {

// The Chicago samples, read in place (CMakeLists.txt sets the variable).
std::string Sample(const std::string& name) {
  const char* dir = std::getenv("HAVEN_CHICAGO_DATA");
  return std::string(dir != nullptr ? dir : "../shared/data/chicago") + "/" +
         name;
}

const char kCrimesHeader[] =
    "ID,Case Number,Date,Block,IUCR,Primary Type,Description,Location "
    "Description,Arrest,Domestic,Beat,District,Ward,Community Area,FBI "
    "Code,X Coordinate,Y Coordinate,Year,Updated On,Latitude,Longitude,"
    "Location\n";

std::string Crime(const std::string& id, const std::string& date,
                  const std::string& ward = "16") {
  return id + ",HX" + id + "," + date +
         ",055XX S ADA ST,0820,THEFT,$500 AND "
         "UNDER,OTHER,false,false,0713,007," +
         ward +
         ",67,06,,,2014,04/11/2014 12:40:05 AM,41.5,-87.5,\"(41.5, -87.5)\"\n";
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("haven_import_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = Store::Open((dir_ / "records.db").string(), {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return path;
  }
  int64_t Count(Dataset d) { return *store_->Count(d); }
  Record MustGet(Dataset d, const std::string& id) {
    auto r = store_->Get(d, id);
    EXPECT_TRUE(r.ok() && r->has_value()) << id;
    return r.ok() && r->has_value() ? **r : Record{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(ImportTest, TheCrimesSampleImportsWhole) {
  auto r = ImportIncidents(*store_, Sample("crimes_2014_sample.csv"), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 1500);
  EXPECT_EQ(r->imported, 1500);
  EXPECT_EQ(r->duplicates, 0);
  EXPECT_TRUE(r->skipped.empty());
  EXPECT_EQ(Count(Dataset::kIncidents), 1500);

  // The first row: no district, no coordinates.
  Record a = MustGet(Dataset::kIncidents, "9567561");
  EXPECT_EQ(std::get<std::string>(a.values[1]), "HX218162");
  EXPECT_EQ(std::get<std::string>(a.values[2]), "2014-03-15T00:00:00");
  EXPECT_EQ(std::get<std::string>(a.values[10]), "0713");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(a.values[11]));
  EXPECT_EQ(std::get<int64_t>(a.values[12]), 16);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(a.values[15]));
  // An afternoon arrest, with a quoted Location column and coordinates.
  Record b = MustGet(Dataset::kIncidents, "9531700");
  EXPECT_EQ(std::get<std::string>(b.values[2]), "2014-03-14T23:52:00");
  EXPECT_EQ(std::get<std::string>(b.values[5]), "PUBLIC PEACE VIOLATION");
  EXPECT_EQ(std::get<bool>(b.values[8]), true);
  EXPECT_EQ(std::get<bool>(b.values[9]), false);
  EXPECT_EQ(std::get<std::string>(b.values[11]), "015");
  EXPECT_DOUBLE_EQ(std::get<double>(b.values[15]), 41.876716288882314);
  EXPECT_DOUBLE_EQ(std::get<double>(b.values[16]), -87.74529049224202);

  auto found =
      store_->Search(Dataset::kIncidents, {{"case_number", "hx185293"}}, 10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "9531700");
}

TEST_F(ImportTest, ImportingAFileTwiceChangesNothing) {
  ASSERT_TRUE(
      ImportIncidents(*store_, Sample("crimes_2014_sample.csv"), {}).ok());
  auto again = ImportIncidents(*store_, Sample("crimes_2014_sample.csv"), {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->duplicates, 1500);
  EXPECT_EQ(Count(Dataset::kIncidents), 1500);
}

TEST_F(ImportTest, TheTowedSampleHasAConflictingDuplicateSoItNeedsSkipBadRows) {
  const std::string path = Sample("towed_vehicles_2017.csv");
  auto strict = ImportVehicles(*store_, path, {});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(strict.status().message(),
            path +
                " line 5112: column Inventory Number: '2827930' already "
                "imported with different values");
  EXPECT_EQ(Count(Dataset::kVehicles), 0);

  ImportOptions skip;
  skip.skip_bad_rows = true;
  auto r = ImportVehicles(*store_, path, skip);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 5847);
  EXPECT_EQ(r->imported, 5843);
  EXPECT_EQ(r->duplicates, 3);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->skipped[0],
            "line 5112: column Inventory Number: '2827930' already imported "
            "with different values");
  EXPECT_EQ(Count(Dataset::kVehicles), 5843);

  // The file starts with a byte-order mark; its first rows have no plate.
  Record first = MustGet(Dataset::kVehicles, "2822103");
  EXPECT_EQ(std::get<std::string>(first.values[1]), "2017-05-13");
  EXPECT_EQ(std::get<std::string>(first.values[2]), "TOYT");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(first.values[6]));
  Record bmw = MustGet(Dataset::kVehicles, "2822100");
  EXPECT_EQ(std::get<std::string>(bmw.values[6]), "Z727556");
  EXPECT_EQ(std::get<std::string>(bmw.values[9]), "(773) 568-8495");
  auto found = store_->Search(Dataset::kVehicles, {{"plate", "z727556"}}, 10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "2822100");
}

TEST_F(ImportTest, ABadRowNamesItsLineAndColumnAndNothingIsImported) {
  std::string path =
      WriteFile("bad.csv", std::string(kCrimesHeader) +
                               Crime("1", "03/15/2014 12:00:00 AM") +
                               Crime("2", "13/45/2014 12:00:00 AM") +
                               Crime("3", "03/15/2014 01:00:00 PM"));
  auto r = ImportIncidents(*store_, path, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            path +
                " line 3: column Date: expected MM/DD/YYYY hh:mm:ss AM, got "
                "'13/45/2014 12:00:00 AM'");
  EXPECT_EQ(Count(Dataset::kIncidents), 0);
}

TEST_F(ImportTest, LinesCountTheBreaksInsideQuotedFields) {
  std::string text =
      std::string(kCrimesHeader) + Crime("1", "03/15/2014 12:00:00 AM");
  text.replace(text.find("055XX S ADA ST"), 14, "\"055XX S\nADA ST\"");
  text += Crime("2", "03/15/2014 12:00:00 AM", "x");
  auto r = ImportIncidents(*store_, WriteFile("q.csv", text), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(
                " line 4: column Ward: expected an integer, got 'x'"),
            std::string::npos)
      << r.status().message();
}

TEST_F(ImportTest, SkipBadRowsImportsTheRestAndListsEachBadRow) {
  std::string text =
      std::string(kCrimesHeader) + Crime("1", "03/15/2014 12:00:00 AM") +
      Crime("2", "03/15/2014 12:00:00 XM") + "9,too,few\n" +
      Crime("4", "03/15/2014 12:00:00 PM", "") +
      Crime("5", "03/15/2014 01:02:03 PM").replace(0, 1, "5\"x") +
      Crime("6", "02/29/2013 12:00:00 AM") +
      Crime("7", "03/16/2014 12:00:00 AM");
  ImportOptions skip;
  skip.skip_bad_rows = true;
  auto r = ImportIncidents(*store_, WriteFile("mixed.csv", text), skip);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 7);
  EXPECT_EQ(r->imported, 3);
  ASSERT_EQ(r->skipped.size(), 4u);
  EXPECT_EQ(r->skipped[0],
            "line 3: column Date: expected MM/DD/YYYY hh:mm:ss AM, got "
            "'03/15/2014 12:00:00 XM'");
  EXPECT_EQ(r->skipped[1], "line 4: expected 22 fields, got 3");
  EXPECT_NE(r->skipped[2].find("line 6: quote inside unquoted field 1"),
            std::string::npos);
  EXPECT_EQ(r->skipped[3],
            "line 7: column Date: expected MM/DD/YYYY hh:mm:ss AM, got "
            "'02/29/2013 12:00:00 AM'");
  EXPECT_EQ(Count(Dataset::kIncidents), 3);
  // An empty Ward is NULL, not an error.
  Record four = MustGet(Dataset::kIncidents, "4");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(four.values[12]));
  EXPECT_EQ(std::get<std::string>(four.values[2]), "2014-03-15T12:00:00");
}

TEST_F(ImportTest, AMissingColumnFailsEvenWhenSkippingBadRows) {
  std::string path =
      WriteFile("cols.csv", "Tow Date,Make,Style,Model,Color,State\n");
  ImportOptions skip;
  skip.skip_bad_rows = true;
  auto r = ImportVehicles(*store_, path, skip);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            path + " line 1: missing column Inventory Number");
}

TEST_F(ImportTest, AnUnterminatedQuoteFailsEvenWhenSkippingBadRows) {
  std::string path = WriteFile(
      "open.csv",
      "Tow Date,Make,Style,Model,Color,Plate,State,Towed to Address,Tow "
      "Facility Phone,Inventory Number\r\n"
      "05/13/2017,TOYT,4T,,TAN,,IL,10300 S. Doty,(773) 568-8495,1\r\n"
      "05/13/2017,TOYT,4T,,TAN,,IL,\"10300 S. Doty,(773) 568-8495,2\r\n");
  ImportOptions skip;
  skip.skip_bad_rows = true;
  auto r = ImportVehicles(*store_, path, skip);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            path + " line 3: unterminated quoted field (field 8)");
  EXPECT_EQ(Count(Dataset::kVehicles), 0);
}

TEST_F(ImportTest, AMissingOrEmptyFileIsAnError) {
  auto missing = ImportVehicles(*store_, (dir_ / "none.csv").string(), {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::string path = WriteFile("empty.csv", "\xEF\xBB\xBF");
  auto empty = ImportVehicles(*store_, path, {});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(),
            path + ": empty file, expected a header line");
}

}  // namespace
}  // namespace haven::records
