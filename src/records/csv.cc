// The reader is a byte-at-a-time state machine over a window of input. In
// file mode the window is refilled in 64 KiB chunks, so a file of any size
// is read in bounded memory (one record at a time, bounded by Limits).
#include "records/csv.h"

#include <cerrno>
#include <string>
#include <utility>

namespace haven::records {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

CsvReader::CsvReader(std::string_view text, const Limits& limits)
    : limits_(limits), data_(text), eof_(true) {}

CsvReader::CsvReader(std::FILE* file, const Limits& limits)
    : limits_(limits), file_(file) {}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

StatusOr<std::unique_ptr<CsvReader>> CsvReader::OpenFile(std::string_view path,
                                                         const Limits& limits) {
  std::string p(path);
  std::FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) {
    int err = errno;
    if (err == ENOENT) return Status::NotFound(p + ": no such file");
    return Status::FromErrno(p, err);
  }
  return std::unique_ptr<CsvReader>(new CsvReader(f, limits));
}

bool CsvReader::Refill() {
  if (eof_) return false;
  chunk_.erase(0, pos_);
  pos_ = 0;
  size_t old = chunk_.size();
  chunk_.resize(old + kChunkBytes);
  size_t n = std::fread(chunk_.data() + old, 1, kChunkBytes, file_);
  chunk_.resize(old + n);
  if (n < kChunkBytes) {
    if (std::ferror(file_)) io_error_ = Status::FromErrno("reading CSV", errno);
    eof_ = true;
  }
  data_ = chunk_;
  return n > 0;
}

int CsvReader::Peek() {
  while (pos_ >= data_.size()) {
    if (!Refill() && pos_ >= data_.size()) return -1;
  }
  return static_cast<unsigned char>(data_[pos_]);
}

bool CsvReader::ConsumeLineEnd() {
  int c = Peek();
  if (c == '\n') {
    Advance();
  } else if (c == '\r') {
    Advance();
    if (Peek() == '\n') Advance();
  } else {
    return false;
  }
  ++next_line_;
  return true;
}

void CsvReader::SkipLine() {
  for (;;) {
    int c = Peek();
    if (c == -1 || ConsumeLineEnd()) return;
    Advance();
  }
}

Status CsvReader::Error(int64_t line, std::string_view what, bool stop) {
  if (stop) stopped_ = true;
  return Status::InvalidArgument("line " + std::to_string(line) + ": " +
                                 std::string(what));
}

StatusOr<bool> CsvReader::Next(std::vector<std::string>* fields) {
  fields->clear();
  if (stopped_) return false;
  if (!started_) {
    started_ = true;
    // A byte-order mark is EF BB BF; look at three bytes.
    while (data_.size() - pos_ < 3 && Refill()) {
    }
    if (data_.substr(pos_, 3) == "\xEF\xBB\xBF") pos_ += 3;
  }
  // Empty lines are not records.
  int c;
  while ((c = Peek()) == '\r' || c == '\n') ConsumeLineEnd();
  if (c == -1) {
    stopped_ = true;
    if (!io_error_.ok()) return io_error_;
    return false;
  }
  record_line_ = next_line_;

  std::string field;
  for (;;) {
    field.clear();
    const size_t number = fields->size() + 1;  // 1-based, for messages
    if (Peek() == '"') {
      const int64_t opened = next_line_;
      Advance();
      for (;;) {
        c = Peek();
        if (c == -1) {
          if (!io_error_.ok()) {
            stopped_ = true;
            return io_error_;
          }
          return Error(opened,
                       "unterminated quoted field (field " +
                           std::to_string(number) + ")",
                       /*stop=*/true);
        }
        Advance();
        if (c == '"') {
          if (Peek() != '"') break;  // the closing quote
          Advance();                 // "" is one quote
        } else if (c == '\r' || c == '\n') {
          // A line break inside quotes is data; keep CRLF whole.
          field.push_back(static_cast<char>(c));
          if (c == '\r' && Peek() == '\n') {
            Advance();
            field.push_back('\n');
          }
          ++next_line_;
          if (field.size() > limits_.max_field_bytes) break;
          continue;
        }
        field.push_back(static_cast<char>(c));
        if (field.size() > limits_.max_field_bytes) break;
      }
      c = Peek();
      if (field.size() <= limits_.max_field_bytes && c != ',' && c != '\r' &&
          c != '\n' && c != -1) {
        const int64_t line = next_line_;
        SkipLine();
        return Error(
            line,
            "text after the closing quote of field " + std::to_string(number),
            /*stop=*/false);
      }
    } else {
      for (;;) {
        c = Peek();
        if (c == -1 || c == ',' || c == '\r' || c == '\n') break;
        if (c == '"') {
          const int64_t line = next_line_;
          SkipLine();
          return Error(line,
                       "quote inside unquoted field " + std::to_string(number) +
                           " (quote the whole field and double the quote)",
                       /*stop=*/false);
        }
        field.push_back(static_cast<char>(c));
        Advance();
        if (field.size() > limits_.max_field_bytes) break;
      }
    }
    if (field.size() > limits_.max_field_bytes) {
      return Error(next_line_,
                   "field " + std::to_string(number) + " is longer than " +
                       std::to_string(limits_.max_field_bytes) + " bytes",
                   /*stop=*/true);
    }
    if (fields->size() == limits_.max_fields) {
      return Error(record_line_,
                   "more than " + std::to_string(limits_.max_fields) +
                       " fields in one record",
                   /*stop=*/true);
    }
    fields->push_back(field);
    if (Peek() == ',') {
      Advance();
      continue;
    }
    if (!io_error_.ok()) {
      stopped_ = true;
      return io_error_;
    }
    ConsumeLineEnd();  // or the end of input
    return true;
  }
}

}  // namespace haven::records
