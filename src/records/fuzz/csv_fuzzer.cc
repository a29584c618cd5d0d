// Fuzzes the CSV reader on arbitrary bytes: it must end (every call makes
// progress or stops), never read outside the input, and agree with itself
// when the same bytes are read again after quoting every field it returned.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "records/csv.h"

namespace {

namespace hr = haven::records;

// Writes records as CSV with every field quoted (RFC 4180, section 2).
std::string Write(const std::vector<std::vector<std::string>>& records) {
  std::string out;
  for (const auto& r : records) {
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      for (char c : r[i]) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hr::CsvReader::Limits limits;
  limits.max_field_bytes = 512;
  limits.max_fields = 64;
  hr::CsvReader reader(bytes, limits);
  std::vector<std::vector<std::string>> good;
  std::vector<std::string> fields;
  int64_t last_line = 0;
  for (size_t calls = 0;; ++calls) {
    if (calls > size + 1) std::abort();  // no progress
    haven::StatusOr<bool> more = reader.Next(&fields);
    if (reader.line() < last_line) std::abort();  // lines only go forward
    last_line = reader.line();
    if (!more.ok()) {
      if (!reader.can_continue()) break;
      continue;
    }
    if (!*more) break;
    if (fields.empty()) std::abort();  // a record has at least one field
    good.push_back(fields);
  }
  // Round trip: what was read, written out quoted, reads back the same.
  std::string text = Write(good);
  hr::CsvReader again(text);
  for (const auto& expected : good) {
    haven::StatusOr<bool> more = again.Next(&fields);
    if (!more.ok() || !*more || fields != expected) std::abort();
  }
  haven::StatusOr<bool> end = again.Next(&fields);
  if (!end.ok() || *end) std::abort();
  return 0;
}
