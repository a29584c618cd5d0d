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
  int64_t rows = 0;      // data rows read
  int64_t imported = 0;  // rows inserted
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

// Adds synthetic persons (always including MARIA LOPEZ, born 1990-04-12,
// with place of birth and nationality recorded), plate reads over a pool of
// plates that includes the imported vehicles' plates, and warrants (some
// naming generated persons). Deterministic for a seed. Fast enough for
// 10,000,000 plate reads in about a minute.
Status Generate(Store& store, const GenerateOptions& options);

}  // namespace haven::records

#endif  // HAVEN_RECORDS_IMPORT_H_
