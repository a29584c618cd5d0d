#include "records/records.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "records/store_internal.h"

namespace haven::records {
namespace {

using V = std::vector<FieldValue>;

Record Rec(V values) {
  Record r;
  r.id = std::get<std::string>(values[0]);
  r.values = std::move(values);
  return r;
}

Record Person(std::string id, std::string last, std::string first,
              std::string dob) {
  return Rec({id, last, first, dob, std::string("F"),
              std::string("1 N STATE ST, CHICAGO, IL 60602"), std::monostate{},
              std::string("WARSAW, POLAND"), std::string("POLISH"),
              std::monostate{}});
}

Record Incident(std::string id, std::string case_number, std::string date,
                std::string beat) {
  return Rec({id, case_number, date, std::string("055XX S ADA ST"),
              std::string("0820"), std::string("THEFT"),
              std::string("$500 AND UNDER"), std::string("STREET"), false, true,
              beat, std::string("007"), int64_t{16}, int64_t{67},
              std::string("06"), 41.79, -87.66});
}

Record Vehicle(std::string id, FieldValue plate, std::string tow_date) {
  return Rec({id, tow_date, std::string("TOYT"), std::string("4D"),
              std::monostate{}, std::string("SIL"), plate, std::string("IL"),
              std::string("10300 S. Doty"), std::string("(773) 568-8495")});
}

Record Read(std::string id, std::string plate, std::string at) {
  return Rec(
      {id, plate, std::string("IL"), at, std::string("CAM-0001"), 41.9, -87.7});
}

Record Warrant(std::string id, std::string last, std::string issued) {
  return Rec({id, last, std::string("JOHN"), std::string("1980-01-01"),
              std::string("judicial"),
              std::string("CIRCUIT COURT OF COOK COUNTY"),
              std::string("HON. A. RIVERA"), std::string("24CR0000001"),
              std::string("BURGLARY"), issued});
}

std::vector<std::string> Ids(const StatusOr<std::vector<Record>>& rows) {
  std::vector<std::string> ids;
  if (!rows.ok()) {
    ids.push_back("ERROR " + rows.status().ToString());
    return ids;
  }
  for (const Record& r : *rows) ids.push_back(r.id);
  return ids;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("haven_records_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "records.db").string();
    auto s = Store::Open(path_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Insert(Dataset d, std::vector<Record> rs) {
    Status s = store_->Insert(d, rs);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST(Schema, DatasetNamesParseBack) {
  for (Dataset d : kAllDatasets) {
    EXPECT_EQ(ParseDataset(DatasetName(d)), d);
    EXPECT_EQ(SchemaOf(d).dataset, d);
    EXPECT_EQ(SchemaOf(d).fields[0].name, "id");
    EXPECT_EQ(SchemaOf(d).id_field, "id");
  }
  EXPECT_EQ(ParseDataset("people"), std::nullopt);
}

TEST(Schema, OnlyPlaceOfBirthNationalityAndGangDesignationAreProtected) {
  std::vector<std::string> protected_fields;
  for (Dataset d : kAllDatasets) {
    for (const FieldSpec& f : SchemaOf(d).fields) {
      if (f.is_protected) {
        protected_fields.push_back(std::string(DatasetName(d)) + "." +
                                   std::string(f.name));
      }
    }
  }
  EXPECT_EQ(
      protected_fields,
      (std::vector<std::string>{"persons.place_of_birth", "persons.nationality",
                                "persons.gang_designation"}));
}

TEST_F(StoreTest, ANewStoreIsEmptyAndKeepsItsRecordsAcrossReopening) {
  for (Dataset d : kAllDatasets) {
    StatusOr<int64_t> n = store_->Count(d);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 0);
  }
  Insert(Dataset::kPersons, {Person("P1", "LOPEZ", "MARIA", "1990-04-12")});
  store_.reset();
  auto s = Store::Open(path_, {});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*(*s)->Count(Dataset::kPersons), 1);
}

TEST_F(StoreTest, GetReturnsEveryFieldWithItsType) {
  Record in = Incident("9567561", "HX218162", "2014-03-15T00:00:00", "0713");
  in.values[16] = std::monostate{};  // NULL longitude
  Insert(Dataset::kIncidents, {in});
  StatusOr<std::optional<Record>> got =
      store_->Get(Dataset::kIncidents, "9567561");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->id, "9567561");
  EXPECT_EQ((*got)->values, in.values);
  EXPECT_EQ(std::get<bool>((*got)->values[9]), true);
  EXPECT_EQ(std::get<int64_t>((*got)->values[12]), 16);
  StatusOr<std::optional<Record>> none = store_->Get(Dataset::kIncidents, "1");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(StoreTest, InsertIsAllOrNothingAndNamesATakenId) {
  Insert(Dataset::kWarrants, {Warrant("W1", "SMITH", "2024-01-01")});
  Status s =
      store_->Insert(Dataset::kWarrants,
                     std::vector<Record>{Warrant("W2", "SMITH", "2024-01-02"),
                                         Warrant("W1", "JONES", "2024-01-03")});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "warrants id 'W1' already exists");
  EXPECT_EQ(*store_->Count(Dataset::kWarrants), 1);
  EXPECT_FALSE(store_->Get(Dataset::kWarrants, "W2")->has_value());
}

TEST_F(StoreTest, InsertRefusesValuesOfTheWrongTypeOrNumber) {
  Record r = Incident("1", "HX1", "2014-03-15T00:00:00", "0713");
  r.values[12] = std::string("sixteen");
  Status s = store_->Insert(Dataset::kIncidents, std::vector<Record>{r});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "incidents record '1': field ward: expected an integer");
  r.values.pop_back();
  EXPECT_EQ(store_->Insert(Dataset::kIncidents, std::vector<Record>{r}).code(),
            StatusCode::kInvalidArgument);
  Record other = Read("R1", "ABC123", "2025-01-01T00:00:00Z");
  other.id = "R2";
  EXPECT_EQ(
      store_->Insert(Dataset::kPlateReads, std::vector<Record>{other}).code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(*store_->Count(Dataset::kIncidents), 0);
}

TEST_F(StoreTest, APlateReadNeedsAPlateAndATime) {
  Record r = Read("R1", "--", "2025-01-01T00:00:00Z");
  Status s = store_->Insert(Dataset::kPlateReads, std::vector<Record>{r});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "plate_reads record 'R1': field plate is required");
  r = Read("R1", "ABC123", "");
  r.values[3] = std::monostate{};
  s = store_->Insert(Dataset::kPlateReads, std::vector<Record>{r});
  EXPECT_EQ(s.message(), "plate_reads record 'R1': field read_at is required");
  // The same id on another plate is still taken.
  Insert(Dataset::kPlateReads, {Read("R1", "ABC123", "2025-01-01T00:00:00Z")});
  s = store_->Insert(
      Dataset::kPlateReads,
      std::vector<Record>{Read("R1", "XYZ9", "2025-01-01T00:00:00Z")});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
}

TEST_F(StoreTest, PersonsAreFoundByNameInAnyCaseNarrowedByFirstNameAndDob) {
  Insert(Dataset::kPersons, {Person("P1", "LOPEZ", "MARIA", "1990-04-12"),
                             Person("P2", "Lopez", "Maria", "1971-02-03"),
                             Person("P3", "LOPEZ", "JUAN", "1990-04-12"),
                             Person("P4", "DE LA CRUZ", "ANA", "2000-01-01"),
                             Person("P5", "SMITH", "MARIA", "1990-04-12")});
  auto search = [&](Filter f) {
    return Ids(store_->Search(Dataset::kPersons, f, 100));
  };
  EXPECT_EQ(search({{"last_name", "lopez"}}),
            (std::vector<std::string>{"P1", "P2", "P3"}));
  EXPECT_EQ(search({{"last_name", "Lopez"}, {"first_name", "MARIA"}}),
            (std::vector<std::string>{"P1", "P2"}));
  EXPECT_EQ(search({{"last_name", "LOPEZ"}, {"dob", "1990-04-12"}}),
            (std::vector<std::string>{"P1", "P3"}));
  EXPECT_EQ(search({{"last_name", "LOPEZ"},
                    {"first_name", "maria"},
                    {"dob", "1990-04-12"}}),
            (std::vector<std::string>{"P1"}));
  EXPECT_EQ(search({{"last_name", " de  la cruz "}}),
            (std::vector<std::string>{"P4"}));
  EXPECT_EQ(search({{"last_name", "NOBODY"}}), std::vector<std::string>{});
}

TEST_F(StoreTest,
       IncidentsAreFoundByCaseNumberOrByBeatAndAnInclusiveDateRange) {
  Insert(Dataset::kIncidents,
         {Incident("1", "HX100001", "2014-03-01T00:00:00", "0713"),
          Incident("2", "HX100002", "2014-03-15T23:59:00", "0713"),
          Incident("3", "HX100003", "2014-03-16T00:00:00", "0713"),
          Incident("4", "HX100004", "2014-03-10T12:00:00", "1411"),
          Incident("5", "HX100005", "2014-02-28T23:59:59", "0713")});
  EXPECT_EQ(Ids(store_->Search(Dataset::kIncidents,
                               {{"case_number", "hx100004"}}, 10)),
            (std::vector<std::string>{"4"}));
  // Newest first; a beat may be given without its leading zero.
  EXPECT_EQ(Ids(store_->Search(Dataset::kIncidents,
                               {{"beat", "713"},
                                {"date_from", "2014-03-01"},
                                {"date_to", "2014-03-15"}},
                               10)),
            (std::vector<std::string>{"2", "1"}));
  EXPECT_EQ(Ids(store_->Search(Dataset::kIncidents,
                               {{"beat", "0713"},
                                {"date_from", "2014-02-01"},
                                {"date_to", "2014-03-31"}},
                               10)),
            (std::vector<std::string>{"3", "2", "1", "5"}));
}

TEST_F(StoreTest, VehiclesAreFoundByPlateIgnoringCaseSpacesAndDashes) {
  Insert(Dataset::kVehicles,
         {Vehicle("100", std::string("1626955-"), "2017-05-13"),
          Vehicle("101", std::string("Z727556"), "2017-05-13"),
          Vehicle("102", std::monostate{}, "2017-05-14"),
          Vehicle("103", std::string("z72 7556"), "2017-06-01")});
  EXPECT_EQ(Ids(store_->Search(Dataset::kVehicles, {{"plate", "1626955"}}, 10)),
            (std::vector<std::string>{"100"}));
  EXPECT_EQ(
      Ids(store_->Search(Dataset::kVehicles, {{"plate", "z72-75 56"}}, 10)),
      (std::vector<std::string>{"103", "101"}));
  // The plate is returned as published.
  auto rows = store_->Search(Dataset::kVehicles, {{"plate", "1626955"}}, 10);
  EXPECT_EQ(std::get<std::string>((*rows)[0].values[6]), "1626955-");
}

TEST_F(StoreTest, PlateReadsComeNewestFirstThenByIdUpToTheLimit) {
  Insert(Dataset::kPlateReads, {Read("R1", "MLZ4120", "2025-01-01T08:00:00Z"),
                                Read("R2", "MLZ4120", "2025-03-01T08:00:00Z"),
                                Read("R4", "MLZ4120", "2025-02-01T08:00:00Z"),
                                Read("R3", "MLZ4120", "2025-02-01T08:00:00Z"),
                                Read("R5", "ABC1234", "2025-04-01T08:00:00Z")});
  EXPECT_EQ(
      Ids(store_->Search(Dataset::kPlateReads, {{"plate", "mlz-4120"}}, 10)),
      (std::vector<std::string>{"R2", "R3", "R4", "R1"}));
  EXPECT_EQ(
      Ids(store_->Search(Dataset::kPlateReads, {{"plate", "MLZ4120"}}, 2)),
      (std::vector<std::string>{"R2", "R3"}));
  EXPECT_EQ(
      Ids(store_->Search(Dataset::kPlateReads, {{"plate", "MLZ4120"}}, 0)),
      std::vector<std::string>{});
}

TEST_F(StoreTest, WarrantsAreFoundByLastNameNewestFirst) {
  Insert(Dataset::kWarrants, {Warrant("W1", "SMITH", "2020-01-01"),
                              Warrant("W2", "SMITH", "2024-01-01"),
                              Warrant("W3", "JONES", "2024-01-01")});
  EXPECT_EQ(
      Ids(store_->Search(Dataset::kWarrants, {{"last_name", "smith"}}, 10)),
      (std::vector<std::string>{"W2", "W1"}));
}

TEST_F(StoreTest, SearchEachSeesTheSameRowsInPlace) {
  Insert(Dataset::kPlateReads, {Read("R1", "MLZ4120", "2025-01-01T08:00:00Z"),
                                Read("R2", "MLZ4120", "2025-03-01T08:00:00Z"),
                                Read("R5", "ABC1234", "2025-04-01T08:00:00Z")});
  auto copied =
      store_->Search(Dataset::kPlateReads, {{"plate", "MLZ4120"}}, 10);
  ASSERT_TRUE(copied.ok());
  std::vector<std::vector<FieldValue>> seen;
  StatusOr<size_t> n =
      store_->SearchEach(Dataset::kPlateReads, {{"plate", "MLZ4120"}}, 10,
                         [&seen](std::span<const FieldView> row) {
                           std::vector<FieldValue> values;
                           for (const FieldView& v : row) {
                             if (auto* s = std::get_if<std::string_view>(&v)) {
                               values.emplace_back(std::string(*s));
                             } else if (auto* i = std::get_if<int64_t>(&v)) {
                               values.emplace_back(*i);
                             } else if (auto* d = std::get_if<double>(&v)) {
                               values.emplace_back(*d);
                             } else if (auto* b = std::get_if<bool>(&v)) {
                               values.emplace_back(*b);
                             } else {
                               values.emplace_back(std::monostate{});
                             }
                           }
                           seen.push_back(std::move(values));
                         });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, 2u);
  ASSERT_EQ(seen.size(), copied->size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], (*copied)[i].values);
  }
  EXPECT_FALSE(store_
                   ->SearchEach(Dataset::kPlateReads, {{"color", "RED"}}, 10,
                                [](std::span<const FieldView>) {})
                   .ok());
}

TEST_F(StoreTest, SearchRefusesAnInvalidFilter) {
  auto rows = store_->Search(Dataset::kVehicles, {{"color", "RED"}}, 10);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(rows.status().message(),
            "filter.color: not a filter of vehicles; expected one of plate");
}

TEST_F(StoreTest, ManyThreadsSearchAtOnceWhileAWriterInserts) {
  std::vector<Record> reads;
  for (int i = 0; i < 200; ++i) {
    reads.push_back(
        Read("R" + std::to_string(1000 + i), i % 2 ? "AAA1111" : "BBB2222",
             "2025-01-01T00:00:" + std::to_string(10 + i % 50) + "Z"));
  }
  Insert(Dataset::kPlateReads, reads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        auto rows = store_->Search(
            Dataset::kPlateReads,
            {{"plate", (i + t) % 2 ? "AAA1111" : "BBB2222"}}, 500);
        if (!rows.ok() || rows->size() != 100) ++failures;
        auto one = store_->Get(Dataset::kPlateReads, "R1007");
        if (!one.ok() || !one->has_value()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      Status s = store_->Insert(
          Dataset::kPlateReads,
          std::vector<Record>{Read("X" + std::to_string(i), "CCC3333",
                                   "2025-01-02T00:00:00Z")});
      if (!s.ok()) ++failures;
    }
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*store_->Count(Dataset::kPlateReads), 250);
}

// A second Store on the same file stands in for another process (an
// import while the server runs).
TEST_F(StoreTest, AReusedSnapshotSeesThisStoresWritesAtOnceAndOthersLater) {
  Options o;
  o.read_connections = 1;
  o.snapshot_reuse = std::chrono::hours(1);
  auto reader = Store::Open(path_, o);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto plate = [&](Store& s) {
    return Ids(s.Search(Dataset::kPlateReads, {{"plate", "AAA1111"}}, 10));
  };
  EXPECT_TRUE(plate(**reader).empty());  // the snapshot is taken here
  Insert(Dataset::kPlateReads, {Read("R1", "AAA1111", "2025-01-01T00:00:00Z")});
  // Written by another Store: this one's snapshot is an hour young.
  EXPECT_TRUE(plate(**reader).empty());
  EXPECT_EQ(plate(*store_), std::vector<std::string>{"R1"});
  // Its own write ends the snapshot, and shows the other write too.
  ASSERT_TRUE((*reader)
                  ->Insert(Dataset::kPlateReads,
                           std::vector<Record>{
                               Read("R2", "AAA1111", "2025-01-02T00:00:00Z")})
                  .ok());
  EXPECT_EQ(plate(**reader), (std::vector<std::string>{"R2", "R1"}));
}

TEST_F(StoreTest, AnOldSnapshotIsRenewedAtTheNextQuery) {
  Options o;
  o.read_connections = 2;
  o.snapshot_reuse = std::chrono::milliseconds(30);
  auto reader = Store::Open(path_, o);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE(
      Ids((*reader)->Search(Dataset::kPlateReads, {{"plate", "AAA1111"}}, 10))
          .empty());
  Insert(Dataset::kPlateReads, {Read("R1", "AAA1111", "2025-01-01T00:00:00Z")});
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  for (int i = 0; i < 2; ++i) {  // whichever connection answers
    EXPECT_EQ(Ids((*reader)->Search(Dataset::kPlateReads,
                                    {{"plate", "AAA1111"}}, 10)),
              std::vector<std::string>{"R1"});
  }
}

TEST_F(StoreTest, ReleasedIdleSnapshotsLetACheckpointTruncateTheLog) {
  Options o;
  o.snapshot_reuse = std::chrono::milliseconds(1);
  auto reader = Store::Open(path_, o);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Insert(Dataset::kPlateReads, {Read("R1", "AAA1111", "2025-01-01T00:00:00Z")});
  EXPECT_EQ(
      Ids((*reader)->Search(Dataset::kPlateReads, {{"plate", "AAA1111"}}, 10)),
      std::vector<std::string>{"R1"});
  Insert(Dataset::kPlateReads, {Read("R2", "AAA1111", "2025-01-02T00:00:00Z")});
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  (*reader)->ReleaseIdleSnapshots();
  // With the reader's snapshot still held, TRUNCATE would wait out the
  // busy timeout and fail.
  auto start = std::chrono::steady_clock::now();
  {
    internal::Writer w(*store_);
    Status s = w.Checkpoint();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(std::filesystem::file_size(path_ + "-wal"), 0u);
}

TEST(StoreOpen, RefusesANegativeSnapshotReuse) {
  Options o;
  o.snapshot_reuse = std::chrono::milliseconds(-1);
  EXPECT_EQ(Store::Open("/tmp/x.db", o).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(StoreOpen, RefusesNoReadConnectionsAndAMissingDirectory) {
  Options o;
  o.read_connections = 0;
  EXPECT_EQ(Store::Open("/tmp/x.db", o).status().code(),
            StatusCode::kInvalidArgument);
  auto s = Store::Open("/nonexistent-haven-dir/records.db", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent-haven-dir/records.db"),
            std::string::npos);
}

struct FilterCase {
  Dataset dataset;
  Filter filter;
  const char* error;  // empty: valid
};

TEST(ValidateFilter, NamesTheFilterAndWhatIsWrong) {
  const FilterCase cases[] = {
      {Dataset::kPersons, {{"last_name", "Lopez"}}, ""},
      {Dataset::kPersons,
       {{"last_name", "LOPEZ"}, {"first_name", "MARIA"}, {"dob", "1990-04-12"}},
       ""},
      {Dataset::kPersons,
       {{"first_name", "MARIA"}},
       "filter: persons needs last_name"},
      {Dataset::kPersons, {}, "filter: persons needs last_name"},
      {Dataset::kPersons,
       {{"last_name", "LOPEZ"}, {"dob", "12/04/1990"}},
       "filter.dob: expected YYYY-MM-DD"},
      {Dataset::kPersons,
       {{"last_name", "LOPEZ"}, {"dob", "1990-02-30"}},
       "filter.dob: expected YYYY-MM-DD"},
      {Dataset::kPersons, {{"last_name", "  "}}, "filter.last_name: empty"},
      {Dataset::kPersons,
       {{"last_name", std::string(101, 'A')}},
       "filter.last_name: longer than 100 bytes"},
      {Dataset::kPersons,
       {{"last_name", "A\nB"}},
       "filter.last_name: holds a control character"},
      {Dataset::kPersons,
       {{"last_name", "LOPEZ"}, {"nationality", "MEXICAN"}},
       "filter.nationality: not a filter of persons; expected one of "
       "last_name, first_name, dob"},
      {Dataset::kVehicles,
       {{"color", "RED"}},
       "filter.color: not a filter of vehicles; expected one of plate"},
      {Dataset::kVehicles, {}, "filter: vehicles needs plate"},
      {Dataset::kPlateReads, {{"plate", "mlz-4120"}}, ""},
      {Dataset::kPlateReads,
       {{"plate", "MLZ;4120"}},
       "filter.plate: expected letters and digits (spaces and dashes are "
       "ignored)"},
      {Dataset::kPlateReads,
       {{"plate", "- -"}},
       "filter.plate: no letters or digits"},
      {Dataset::kIncidents, {{"case_number", "HX218162"}}, ""},
      {Dataset::kIncidents,
       {{"beat", "0713"},
        {"date_from", "2014-03-01"},
        {"date_to", "2014-03-31"}},
       ""},
      {Dataset::kIncidents,
       {},
       "filter: incidents needs case_number, or beat with date_from and "
       "date_to"},
      {Dataset::kIncidents,
       {{"beat", "0713"}},
       "filter: beat needs date_from and date_to"},
      {Dataset::kIncidents,
       {{"date_from", "2014-03-01"}, {"date_to", "2014-03-31"}},
       "filter: date_from and date_to go with beat"},
      {Dataset::kIncidents,
       {{"case_number", "HX1"}, {"beat", "0713"}},
       "filter: incidents takes case_number alone, or beat with date_from "
       "and date_to"},
      {Dataset::kIncidents,
       {{"beat", "07a3"},
        {"date_from", "2014-03-01"},
        {"date_to", "2014-03-31"}},
       "filter.beat: expected 1 to 4 digits"},
      {Dataset::kIncidents,
       {{"beat", "0713"},
        {"date_from", "2014-03-31"},
        {"date_to", "2014-03-01"}},
       "filter.date_to: before date_from"},
      {Dataset::kIncidents,
       {{"case_number", "HX-1"}},
       "filter.case_number: expected letters and digits"},
      {Dataset::kWarrants, {{"last_name", "SMITH"}}, ""},
      {Dataset::kWarrants,
       {{"plate", "ABC"}},
       "filter.plate: not a filter of warrants; expected one of last_name"},
  };
  for (const FilterCase& c : cases) {
    Status s = ValidateFilter(c.dataset, c.filter);
    if (std::string(c.error).empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.error;
      EXPECT_EQ(s.message(), c.error);
    }
  }
}

}  // namespace
}  // namespace haven::records
