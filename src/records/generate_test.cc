#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "records/import.h"

namespace haven::records {
namespace {

class GenerateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("haven_generate_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> Open(const std::string& name) {
    auto s = Store::Open((dir_ / name).string(), {});
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  static GenerateOptions Small(uint64_t seed) {
    GenerateOptions o;
    o.seed = seed;
    o.persons = 500;
    o.plate_reads = 5000;
    o.warrants = 100;
    return o;
  }
  std::filesystem::path dir_;
};

std::string Str(const Record& r, size_t i) {
  const auto* s = std::get_if<std::string>(&r.values[i]);
  return s != nullptr ? *s : "NULL";
}

TEST_F(GenerateTest, MariaLopezIsTheFirstPersonAndHerPlateHasReads) {
  auto store = Open("a.db");
  Status s = Generate(*store, Small(7));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*store->Count(Dataset::kPersons), 500);
  EXPECT_EQ(*store->Count(Dataset::kPlateReads), 5000);
  EXPECT_EQ(*store->Count(Dataset::kWarrants), 100);

  auto found = store->Search(
      Dataset::kPersons,
      {{"last_name", "Lopez"}, {"first_name", "Maria"}, {"dob", "1990-04-12"}},
      10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  const Record& maria = (*found)[0];
  EXPECT_EQ(maria.id, kMariaLopezId);
  EXPECT_EQ(Str(maria, 4), "F");
  EXPECT_EQ(Str(maria, 6), kMariaLopezPlate);
  EXPECT_NE(Str(maria, 7), "NULL");  // place_of_birth
  EXPECT_NE(Str(maria, 8), "NULL");  // nationality
  EXPECT_EQ(Str(maria, 9), "NULL");  // gang_designation

  auto reads = store->Search(Dataset::kPlateReads,
                             {{"plate", std::string(kMariaLopezPlate)}}, 100);
  ASSERT_TRUE(reads.ok());
  EXPECT_GE(reads->size(), 12u);
  for (const Record& r : *reads) {
    EXPECT_EQ(Str(r, 1), kMariaLopezPlate);
    EXPECT_EQ(Str(r, 3).size(), 20u);  // 2025-01-01T00:00:00Z
    EXPECT_EQ(Str(r, 3).substr(0, 4), "2025");
  }
  auto warrants =
      store->Search(Dataset::kWarrants, {{"last_name", "LOPEZ"}}, 1000);
  ASSERT_TRUE(warrants.ok());
  for (const Record& w : *warrants) {
    EXPECT_FALSE(Str(w, 2) == "MARIA" && Str(w, 3) == "1990-04-12");
  }
}

TEST_F(GenerateTest, TheSameSeedGivesTheSameRecordsAndAnotherSeedOthers) {
  auto a = Open("a.db"), b = Open("b.db"), c = Open("c.db");
  ASSERT_TRUE(Generate(*a, Small(42)).ok());
  ASSERT_TRUE(Generate(*b, Small(42)).ok());
  ASSERT_TRUE(Generate(*c, Small(43)).ok());
  int differ = 0;
  for (const char* id : {"P0000002", "P0000250", "P0000500", "W0000001",
                         "W0000100", "R0000000013", "R0000005000"}) {
    Dataset d = id[0] == 'P'   ? Dataset::kPersons
                : id[0] == 'W' ? Dataset::kWarrants
                               : Dataset::kPlateReads;
    auto ra = a->Get(d, id), rb = b->Get(d, id), rc = c->Get(d, id);
    ASSERT_TRUE(ra.ok() && ra->has_value()) << id;
    ASSERT_TRUE(rb.ok() && rb->has_value()) << id;
    ASSERT_TRUE(rc.ok() && rc->has_value()) << id;
    EXPECT_EQ((*ra)->values, (*rb)->values) << id;
    if ((*ra)->values != (*rc)->values) ++differ;
  }
  EXPECT_EQ(differ, 7);
}

TEST_F(GenerateTest, SomePersonsCarryProtectedFieldsAndSomeWarrantsNameThem) {
  auto store = Open("a.db");
  GenerateOptions o = Small(1);
  o.persons = 2000;
  ASSERT_TRUE(Generate(*store, o).ok());
  int born = 0, gang = 0, plates = 0;
  for (int i = 1; i <= 2000; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "P%07d", i);
    auto p = store->Get(Dataset::kPersons, id);
    ASSERT_TRUE(p.ok() && p->has_value());
    if (Str(**p, 6) != "NULL") ++plates;
    if (Str(**p, 7) != "NULL") ++born;
    if (Str(**p, 9) != "NULL") ++gang;
  }
  EXPECT_GT(plates, 400);
  EXPECT_LT(plates, 1000);
  EXPECT_GT(born, 40);
  EXPECT_LT(born, 150);
  EXPECT_GT(gang, 10);
  EXPECT_LT(gang, 80);
  int naming = 0;
  for (int i = 1; i <= 100; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "W%07d", i);
    auto w = store->Get(Dataset::kWarrants, id);
    ASSERT_TRUE(w.ok() && w->has_value());
    EXPECT_EQ(Str(**w, 4), "judicial");
    auto persons = store->Search(Dataset::kPersons,
                                 {{"last_name", Str(**w, 1)},
                                  {"first_name", Str(**w, 2)},
                                  {"dob", Str(**w, 3)}},
                                 10);
    ASSERT_TRUE(persons.ok());
    if (!persons->empty()) ++naming;
  }
  EXPECT_GT(naming, 30);
  EXPECT_LT(naming, 80);
}

TEST_F(GenerateTest, PlateReadsCoverTheImportedVehiclesPlates) {
  auto store = Open("a.db");
  Record v;
  v.id = "2822100";
  v.values = {std::string("2822100"),
              std::string("2017-05-13"),
              std::string("BMW"),
              std::string("4T"),
              std::monostate{},
              std::string("SIL"),
              std::string("Z72-7556"),
              std::string("IL"),
              std::string("10300 S. Doty"),
              std::string("(773) 568-8495")};
  ASSERT_TRUE(store->Insert(Dataset::kVehicles, std::vector<Record>{v}).ok());
  GenerateOptions o = Small(3);
  o.persons = 10;
  o.plate_reads = 20000;  // a pool of 1,000 plates: about 20 reads each
  ASSERT_TRUE(Generate(*store, o).ok());
  auto reads =
      store->Search(Dataset::kPlateReads, {{"plate", "Z727556"}}, 1000);
  ASSERT_TRUE(reads.ok());
  EXPECT_GT(reads->size(), 3u);
}

TEST_F(GenerateTest, ALargerRunIsSearchableNewestFirst) {
  auto store = Open("a.db");
  GenerateOptions o = Small(5);
  o.plate_reads = 150000;
  ASSERT_TRUE(Generate(*store, o).ok());
  EXPECT_EQ(*store->Count(Dataset::kPlateReads), 150000);
  auto reads = store->Search(Dataset::kPlateReads,
                             {{"plate", std::string(kMariaLopezPlate)}}, 100);
  ASSERT_TRUE(reads.ok());
  EXPECT_GE(reads->size(), 12u);
  for (size_t i = 1; i < reads->size(); ++i) {
    EXPECT_GE(Str((*reads)[i - 1], 3), Str((*reads)[i], 3));
  }
  auto last = store->Get(Dataset::kPlateReads, "R0000150000");
  ASSERT_TRUE(last.ok() && last->has_value());
}

TEST_F(GenerateTest, ASecondRunIsRefusedAndBadCountsAreInvalid) {
  auto store = Open("a.db");
  ASSERT_TRUE(Generate(*store, Small(1)).ok());
  Status again = Generate(*store, Small(1));
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.message(),
            "generate: persons already holds 500 records; generate into a new "
            "store");
  auto fresh = Open("b.db");
  GenerateOptions o = Small(1);
  o.persons = 0;
  EXPECT_EQ(Generate(*fresh, o).code(), StatusCode::kInvalidArgument);
  o = Small(1);
  o.plate_reads = -1;
  EXPECT_EQ(Generate(*fresh, o).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*fresh->Count(Dataset::kPersons), 0);
}

}  // namespace
}  // namespace haven::records
