// CsvReader: a reader of comma-separated values as RFC 4180 defines them,
// for the City of Chicago's open-data exports and any other CSV of
// untrusted origin.
//
//   StatusOr<std::unique_ptr<CsvReader>> r = CsvReader::OpenFile("a.csv");
//   std::vector<std::string> fields;
//   for (;;) {
//     StatusOr<bool> more = (*r)->Next(&fields);
//     if (!more.ok()) ...  // "line 17: unterminated quoted field"
//     if (!*more) break;   // end of input
//     use((*r)->line(), fields);
//   }
//
// What it accepts:
// - Fields separated by commas; records ended by CRLF, LF or a lone CR; the
//   last record may lack a line end.
// - A field that starts with '"' is quoted: it may hold commas, line breaks
//   (kept as they are) and doubled quotes ("" reads as ").
// - A UTF-8 byte-order mark at the very start is skipped.
// - An empty line is not a record; it is skipped.
// What it refuses, each an InvalidArgument naming the line:
// - a quoted field that never ends ("line 17: unterminated quoted field");
//   the reader stops there;
// - text between a closing quote and the next comma or line end, and a
//   quote inside an unquoted field; the reader skips the rest of that line
//   and may go on (can_continue());
// - a field longer than CsvLimits::max_field_bytes or a record with more than
//   CsvLimits::max_fields fields; the reader stops there.
//
// Owns its buffer and, for OpenFile, the file. Thread-compatible: one
// thread at a time.
#ifndef HAVEN_RECORDS_CSV_H_
#define HAVEN_RECORDS_CSV_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace haven::records {

// Bounds on what one record may hold, against hostile input.
struct CsvLimits {
  size_t max_field_bytes = 1 << 20;
  size_t max_fields = 4096;
};

class CsvReader {
 public:
  using Limits = CsvLimits;

  // Reads `text`, which must outlive the reader.
  explicit CsvReader(std::string_view text, const Limits& limits = {});
  // Reads the file at `path` in chunks (it need not fit in memory); NotFound
  // or IOError naming the path.
  [[nodiscard]] static StatusOr<std::unique_ptr<CsvReader>> OpenFile(
      std::string_view path, const Limits& limits = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields` (replacing its contents): true, or
  // false at the end of input, or InvalidArgument "line N: ..." for bad CSV
  // (and IOError if the file cannot be read).
  [[nodiscard]] StatusOr<bool> Next(std::vector<std::string>* fields);

  // The 1-based line on which the last record read (or the last error's
  // record) started.
  int64_t line() const { return record_line_; }
  // Whether Next may be called again after an error: true when the reader
  // skipped past a bad line, false when the input cannot be read further.
  bool can_continue() const { return !stopped_; }

 private:
  CsvReader(std::FILE* file, const Limits& limits);

  // The next byte without consuming it, or -1 at the end of input (or on a
  // read error, recorded in io_error_).
  int Peek();
  void Advance() { ++pos_; }
  bool Refill();
  // Consumes a line end (CRLF, LF or CR) if one is next; counts the line.
  bool ConsumeLineEnd();
  // Skips the rest of the current physical line, for recovery.
  void SkipLine();
  Status Error(int64_t line, std::string_view what, bool stop);

  Limits limits_;
  std::FILE* file_ = nullptr;  // owned; null when reading a string
  std::string chunk_;          // file mode: the bytes read so far
  std::string_view data_;      // the bytes available: text, or chunk_
  size_t pos_ = 0;             // next byte in data_
  bool eof_ = false;           // no more bytes after data_
  Status io_error_;
  bool started_ = false;  // whether the BOM check has run
  bool stopped_ = false;
  int64_t next_line_ = 1;  // the line of the byte at pos_
  int64_t record_line_ = 0;
};

}  // namespace haven::records

#endif  // HAVEN_RECORDS_CSV_H_
