// Internal to src/records: bulk writing through a Store's write connection,
// for the importers and the generator, and the search-key normalisations
// that the store, ValidateFilter and the importers share.
//
// A Writer holds the store's write lock from construction to destruction;
// one Writer at a time per Store (others wait). Begin opens a transaction;
// anything not committed is rolled back when the Writer is destroyed.
#ifndef HAVEN_RECORDS_STORE_INTERNAL_H_
#define HAVEN_RECORDS_STORE_INTERNAL_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "records/records.h"

namespace haven::records::internal {

// Names: surrounding spaces trimmed, runs of spaces made one, ASCII letters
// upper-cased ("  de la  Cruz" -> "DE LA CRUZ").
std::string NormalizeName(std::string_view name);
// Plates: spaces and dashes removed, ASCII letters upper-cased
// ("mlz-4120" -> "MLZ4120").
std::string NormalizePlate(std::string_view plate);
// Whether `s` is a real calendar date written YYYY-MM-DD.
bool IsIsoDate(std::string_view s);

class Writer {
 public:
  explicit Writer(Store& store);
  ~Writer();  // rolls back an open transaction
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  [[nodiscard]] Status Begin();
  [[nodiscard]] Status Commit();
  void Rollback();

  // Inserts one record (checked against the schema, as Store::Insert does);
  // AlreadyExists naming the id if it is taken.
  [[nodiscard]] Status Insert(Dataset d, const Record& record);
  // The record with this id, seeing this transaction's own writes.
  [[nodiscard]] StatusOr<std::optional<Record>> Get(Dataset d,
                                                    std::string_view id);
  [[nodiscard]] StatusOr<int64_t> Count(Dataset d);
  // The distinct non-empty normalised plates of the vehicles dataset, with
  // a state for each (the first seen), in plate order.
  [[nodiscard]] StatusOr<std::vector<std::pair<std::string, std::string>>>
  VehiclePlates();

  // Folds the write-ahead log into the database and truncates it.
  [[nodiscard]] Status Checkpoint();

 private:
  Store::Impl* impl_;
  std::unique_lock<std::mutex> lock_;
  bool in_txn_ = false;
};

}  // namespace haven::records::internal

#endif  // HAVEN_RECORDS_STORE_INTERNAL_H_
