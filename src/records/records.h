// Records: the police records Haven answers from — persons, incidents,
// vehicles (towed), plate_reads (license-plate-reader reads) and warrants —
// in one SQLite database, indexed for the searches the API offers.
//
//   StatusOr<std::unique_ptr<Store>> s = Store::Open(dir + "/records.db", {});
//   Filter f{{"plate", "ABC1234"}};
//   Status ok = ValidateFilter(Dataset::kPlateReads, f);   // 400 if not
//   StatusOr<std::vector<Record>> rows = (*s)->Search(Dataset::kPlateReads, f,
//   100); StatusOr<std::optional<Record>> one = (*s)->Get(Dataset::kPersons,
//   "P0000001");
//
// A Record is a flat list of (field, value); field names come from the
// dataset's Schema, which also says which fields are protected (place of
// birth, nationality, gang designation: the gateway authorizes each field
// before it leaves).
//
// Fields, in output order (* protected; types per FieldType: S string,
// I integer, R real, B boolean; any field may be NULL but the id and a
// plate read's plate and read_at):
//   persons:     id S ("P0000001"), last_name S, first_name S,
//                dob S (YYYY-MM-DD), sex S, address S, plate S (of a
//                vehicle registered to the person), place_of_birth* S,
//                nationality* S, gang_designation* S
//   incidents:   id S (the Chicago ID), case_number S, date S (local time,
//                YYYY-MM-DDThh:mm:ss), block S, iucr S, primary_type S,
//                description S, location_description S, arrest B,
//                domestic B, beat S ("0713"), district S ("007"), ward I,
//                community_area I, fbi_code S, latitude R, longitude R
//   vehicles:    id S (the inventory number), tow_date S (YYYY-MM-DD),
//                make S, style S, model S, color S, plate S (as published),
//                state S, towed_to_address S, tow_facility_phone S
//   plate_reads: id S ("R0000000001"), plate S, state S,
//                read_at S (UTC, YYYY-MM-DDThh:mm:ssZ), camera_id S,
//                latitude R, longitude R
//   warrants:    id S ("W0000001"), last_name S, first_name S, dob S,
//                kind S ("judicial"), court S, judge S, number S,
//                offense S, issued S (YYYY-MM-DD)
//
// Thread-safety: Search and Get may be called from many threads at once
// (a pool of read connections with prepared statements); writes (imports,
// generation) go through one write connection and are serialized.
#ifndef HAVEN_RECORDS_RECORDS_H_
#define HAVEN_RECORDS_RECORDS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace haven::records {

enum class Dataset { kPersons, kIncidents, kVehicles, kPlateReads, kWarrants };
inline constexpr Dataset kAllDatasets[] = {
    Dataset::kPersons, Dataset::kIncidents, Dataset::kVehicles,
    Dataset::kPlateReads, Dataset::kWarrants};
// "persons", "incidents", "vehicles", "plate_reads", "warrants".
std::string_view DatasetName(Dataset d);
std::optional<Dataset> ParseDataset(std::string_view name);

enum class FieldType { kString, kInteger, kReal, kBoolean };

struct FieldSpec {
  std::string_view name;  // "last_name"
  FieldType type;
  // A field a Welcoming City must never hand out to outside agencies
  // (place_of_birth, nationality, gang_designation): FieldClass::"protected".
  // Every other field is FieldClass::"ordinary".
  bool is_protected;
};

struct Schema {
  Dataset dataset;
  std::string_view id_field;          // "id"
  std::span<const FieldSpec> fields;  // in output order; includes the id
  // Filter names the dataset accepts (see ValidateFilter).
  std::span<const std::string_view> filters;
};
const Schema& SchemaOf(Dataset d);

using FieldValue =
    std::variant<std::monostate, int64_t, double, bool, std::string>;

// A value read in place (see Store::SearchEach).
using FieldView =
    std::variant<std::monostate, int64_t, double, bool, std::string_view>;

struct Record {
  std::string id;
  // Parallel to SchemaOf(dataset).fields: values[i] is fields[i]'s value
  // (std::monostate for NULL).
  std::vector<FieldValue> values;
};

// Search filters by name. Per dataset:
//   persons:     last_name (required), first_name, dob (YYYY-MM-DD)
//   incidents:   case_number, or beat with date_from and date_to
//                (YYYY-MM-DD, inclusive)
//   vehicles:    plate
//   plate_reads: plate
//   warrants:    last_name
// Names are matched case-insensitively (stored upper case); plates
// exactly after upper-casing and removing spaces and dashes.
using Filter = std::map<std::string, std::string, std::less<>>;

// OK, or InvalidArgument naming the filter and what is wrong with it
// ("filter.dob: expected YYYY-MM-DD", "filter.color: not a filter of
// vehicles; expected one of plate", "filter: persons needs last_name").
Status ValidateFilter(Dataset d, const Filter& filter);

struct Options {
  int read_connections = 4;
  // How long a read connection keeps one snapshot of the database across
  // queries (one read transaction held open, rather than one taken and
  // released, with its file locks, per query). Writes through this Store
  // are seen by the next query at once; writes by another process (an
  // import while a server runs) within this time. A connection left idle
  // keeps its snapshot, and so holds back WAL checkpoints, until its next
  // query or ReleaseIdleSnapshots(): whoever sets this calls that now and
  // then. 0 (the default): a fresh snapshot for every query.
  std::chrono::milliseconds snapshot_reuse{0};
};

namespace internal {
class Writer;  // store_internal.h: bulk writes for importers and generator
}  // namespace internal

class Store {
 public:
  // Opens (creating if missing, with its schema) the database at `path`.
  static StatusOr<std::unique_ptr<Store>> Open(std::string_view path,
                                               const Options& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Records matching a valid filter, at most `limit`, in a stable order
  // (newest first for dated datasets, then by id).
  StatusOr<std::vector<Record>> Search(Dataset d, const Filter& filter,
                                       size_t limit);
  // Search without copying: `visit` sees each matching row in place, its
  // values parallel to SchemaOf(d).fields. Strings in the views are valid
  // only during the call, which must not call back into the Store. Returns
  // the number of rows visited.
  //
  //   store->SearchEach(d, f, 100, [&](std::span<const FieldView> row) {
  //     WriteJson(row, &body);
  //   });
  StatusOr<size_t> SearchEach(
      Dataset d, const Filter& filter, size_t limit,
      const std::function<void(std::span<const FieldView>)>& visit);
  // The record with this id, or nullopt.
  StatusOr<std::optional<Record>> Get(Dataset d, std::string_view id);
  // Number of records in a dataset.
  StatusOr<int64_t> Count(Dataset d);

  // Inserts records in one transaction: all or nothing. AlreadyExists if an
  // id is taken (naming it).
  Status Insert(Dataset d, std::span<const Record> records);

  // Ends the read transactions of idle read connections whose snapshot is
  // older than Options::snapshot_reuse, so that they do not hold back WAL
  // checkpoints (of this process or another). Cheap; call it every few
  // hundred milliseconds when snapshot_reuse is set.
  void ReleaseIdleSnapshots();

 private:
  friend class internal::Writer;
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace haven::records

#endif  // HAVEN_RECORDS_RECORDS_H_
