// Importers of the City of Chicago's open-data CSV exports, and a generator
// of synthetic records for demos and benchmarks.
//
//   ImportOptions opts;  // all or nothing
//   StatusOr<ImportReport> r = ImportIncidents(store, "crimes.csv", opts);
//   // On a bad row: InvalidArgument "crimes.csv line 17: column Date: ..."
//   // and nothing was imported.
//
// Formats: "Crimes - 2001 to present" (ID, Case Number, Date, Block, IUCR,
// Primary Type, ...; dates as MM/DD/YYYY hh:mm:ss AM) and "Towed Vehicles"
// (Tow Date, Make, Style, Model, Color, Plate, State, Towed to Address, Tow
// Facility Phone, Inventory Number). Columns are found by header name; a
// UTF-8 byte-order mark is allowed. CSV as RFC 4180 (quoted fields may hold
// commas, quotes and newlines).
//
// Ids: an incident's is its ID, a towed vehicle's its Inventory Number. A
// row that repeats a record already read (from this file or an earlier
// import) with the same values is counted in `duplicates` and not inserted,
// so importing a file twice changes nothing; a repeated id with different
// values is a bad row. The 2017 towed-vehicles sample holds both kinds: it
// imports only with skip_bad_rows (5,843 vehicles; 3 duplicates; line 5,112
// skipped, inventory number 2827930 listed at two tow facilities).
// A towed vehicle with an empty Plate is a valid row (plate NULL).
//
// Errors: a bad row is InvalidArgument "PATH line N: column X: what" (N is
// the line on which the row starts); a missing column, an empty file or an
// unterminated quoted field fails the import even with skip_bad_rows.
//
// Thread-compatible: one import at a time per Store.
#ifndef HAVEN_RECORDS_IMPORT_H_
#define HAVEN_RECORDS_IMPORT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "records/records.h"

namespace haven::records {

struct ImportOptions {
  // Skip rows that do not parse (each reported) instead of failing.
  bool skip_bad_rows = false;
};

struct ImportReport {
  int64_t rows = 0;        // data rows read
  int64_t imported = 0;    // rows inserted
  int64_t duplicates = 0;  // rows equal to a record already stored
  // "line 17: column Date: expected MM/DD/YYYY hh:mm:ss AM, got '13/45/2014'"
  std::vector<std::string> skipped;
};

StatusOr<ImportReport> ImportIncidents(Store& store, std::string_view path,
                                       const ImportOptions& options);
StatusOr<ImportReport> ImportVehicles(Store& store, std::string_view path,
                                      const ImportOptions& options);

struct GenerateOptions {
  uint64_t seed = 1;
  int64_t persons = 10000;
  int64_t plate_reads = 100000;
  int64_t warrants = 1000;
};

// The person every demo uses: MARIA LOPEZ, born 1990-04-12, with place of
// birth and nationality recorded, whose car (plate MLZ4120, Illinois) has
// the first 12 plate reads generated (and its share of the rest). She has
// no warrant.
inline constexpr std::string_view kMariaLopezId = "P0000001";
inline constexpr std::string_view kMariaLopezPlate = "MLZ4120";

// Adds synthetic persons (ids P0000001...; the first is MARIA LOPEZ; about
// a third have a plate, 4% a place of birth and nationality, 1.5% a gang
// designation), plate reads (ids R0000000001... in plate order, read in the
// first half of 2025 by 400 cameras in Chicago) over a pool of plates that
// includes the imported vehicles' plates and the persons' plates, and judicial
// warrants (ids W0000001...; about half naming generated persons).
// Deterministic for a seed and the vehicles already imported. Writes in one
// transaction: 10,000,000 plate reads take about a minute.
//
// InvalidArgument if persons < 1 or a count is negative; FailedPrecondition
// if persons, plate_reads or warrants already hold records (imports of
// incidents and vehicles are fine).
Status Generate(Store& store, const GenerateOptions& options);

}  // namespace haven::records

#endif  // HAVEN_RECORDS_IMPORT_H_
