// Importers and the generator. Both write through one internal::Writer
// transaction, so a failure leaves the store as it was.
#include "records/import.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "records/csv.h"
#include "records/store_internal.h"

namespace haven::records {
namespace {

// ---- Field parsing ---------------------------------------------------------

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// 'value' for a message, shortened if long.
std::string Quoted(std::string_view v) {
  constexpr size_t kMax = 40;
  if (v.size() > kMax) return "'" + std::string(v.substr(0, kMax)) + "...'";
  return "'" + std::string(v) + "'";
}

bool ParseUnsigned(std::string_view s, unsigned* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// MM/DD/YYYY (one-digit month and day allowed) to YYYY-MM-DD.
bool ParseUsDate(std::string_view s, std::string* iso) {
  size_t a = s.find('/');
  size_t b = a == std::string_view::npos ? a : s.find('/', a + 1);
  if (b == std::string_view::npos) return false;
  unsigned m, d, y;
  if (!ParseUnsigned(s.substr(0, a), &m) ||
      !ParseUnsigned(s.substr(a + 1, b - a - 1), &d) || s.size() - b - 1 != 4 ||
      !ParseUnsigned(s.substr(b + 1), &y)) {
    return false;
  }
  using namespace std::chrono;
  if (y < 1000 ||
      !year_month_day{year{static_cast<int>(y)} / month{m} / day{d}}.ok()) {
    return false;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", y, m, d);
  *iso = buf;
  return true;
}

// "MM/DD/YYYY hh:mm:ss AM" to "YYYY-MM-DDThh:mm:ss" (24-hour clock).
bool ParseUsDateTime(std::string_view s, std::string* iso) {
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos || !ParseUsDate(s.substr(0, sp), iso)) {
    return false;
  }
  std::string_view t = s.substr(sp + 1);
  if (t.size() != 11 || t[2] != ':' || t[5] != ':' || t[8] != ' ') return false;
  unsigned h, mi, se;
  if (!ParseUnsigned(t.substr(0, 2), &h) ||
      !ParseUnsigned(t.substr(3, 2), &mi) ||
      !ParseUnsigned(t.substr(6, 2), &se) || h < 1 || h > 12 || mi > 59 ||
      se > 59) {
    return false;
  }
  std::string_view ampm = t.substr(9);
  if (ampm == "AM") {
    if (h == 12) h = 0;
  } else if (ampm == "PM") {
    if (h != 12) h += 12;
  } else {
    return false;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "T%02u:%02u:%02u", h, mi, se);
  *iso += buf;
  return true;
}

// The fields of one CSV row, by column, for a row parser.
class Row {
 public:
  Row(const std::vector<std::string>& fields, const std::vector<int>& columns,
      std::span<const std::string_view> headers)
      : fields_(fields), columns_(columns), headers_(headers) {}

  std::string_view Raw(int c) const { return TrimView(fields_[columns_[c]]); }

  // Sets `*error` (first error wins) to "column X: what".
  FieldValue Fail(int c, std::string_view what) {
    if (error_.empty()) {
      error_ = "column " + std::string(headers_[c]) + ": " + std::string(what);
    }
    return std::monostate{};
  }
  const std::string& error() const { return error_; }

  FieldValue Text(int c) {
    std::string_view v = Raw(c);
    if (v.empty()) return std::monostate{};
    return std::string(v);
  }
  FieldValue RequiredText(int c) {
    std::string_view v = Raw(c);
    if (v.empty()) return Fail(c, "empty");
    return std::string(v);
  }
  FieldValue Digits(int c, bool required) {
    std::string_view v = Raw(c);
    if (v.empty()) return required ? Fail(c, "empty") : std::monostate{};
    for (char ch : v) {
      if (ch < '0' || ch > '9') {
        return Fail(c, "expected digits, got " + Quoted(v));
      }
    }
    return std::string(v);
  }
  FieldValue Integer(int c) {
    std::string_view v = Raw(c);
    if (v.empty()) return std::monostate{};
    int64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size()) {
      return Fail(c, "expected an integer, got " + Quoted(v));
    }
    return n;
  }
  FieldValue Real(int c, double limit) {
    std::string_view v = Raw(c);
    if (v.empty()) return std::monostate{};
    double x = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), x);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !(x >= -limit) ||
        !(x <= limit)) {
      return Fail(c, "expected a number from -" + std::to_string(int(limit)) +
                         " to " + std::to_string(int(limit)) + ", got " +
                         Quoted(v));
    }
    return x;
  }
  FieldValue Boolean(int c) {
    std::string_view v = Raw(c);
    if (v.empty()) return std::monostate{};
    std::string u = internal::NormalizeName(v);
    if (u == "TRUE") return true;
    if (u == "FALSE") return false;
    return Fail(c, "expected true or false, got " + Quoted(v));
  }
  FieldValue Date(int c) {
    std::string_view v = Raw(c);
    std::string iso;
    if (!ParseUsDate(v, &iso)) {
      return Fail(c, "expected MM/DD/YYYY, got " + Quoted(v));
    }
    return iso;
  }
  FieldValue DateTime(int c) {
    std::string_view v = Raw(c);
    std::string iso;
    if (!ParseUsDateTime(v, &iso)) {
      return Fail(c, "expected MM/DD/YYYY hh:mm:ss AM, got " + Quoted(v));
    }
    return iso;
  }

 private:
  const std::vector<std::string>& fields_;
  const std::vector<int>& columns_;
  std::span<const std::string_view> headers_;
  std::string error_;
};

// ---- Formats ---------------------------------------------------------------

// "Crimes - 2001 to present", in the order of the incidents schema.
constexpr std::string_view kIncidentHeaders[] = {
    "ID",       "Case Number",    "Date",        "Block",
    "IUCR",     "Primary Type",   "Description", "Location Description",
    "Arrest",   "Domestic",       "Beat",        "District",
    "Ward",     "Community Area", "FBI Code",    "Latitude",
    "Longitude"};

void ParseIncident(Row& row, Record* r) {
  r->values.clear();
  r->values.push_back(row.Digits(0, /*required=*/true));
  r->id = std::holds_alternative<std::string>(r->values[0])
              ? std::get<std::string>(r->values[0])
              : std::string();
  FieldValue cn = row.RequiredText(1);
  if (auto* s = std::get_if<std::string>(&cn)) *s = internal::NormalizeName(*s);
  r->values.push_back(std::move(cn));
  r->values.push_back(row.DateTime(2));
  for (int c = 3; c <= 7; ++c) r->values.push_back(row.Text(c));
  r->values.push_back(row.Boolean(8));
  r->values.push_back(row.Boolean(9));
  r->values.push_back(row.Digits(10, false));
  r->values.push_back(row.Digits(11, false));
  r->values.push_back(row.Integer(12));
  r->values.push_back(row.Integer(13));
  r->values.push_back(row.Text(14));
  r->values.push_back(row.Real(15, 90));
  r->values.push_back(row.Real(16, 180));
}

// "Towed Vehicles"; the schema's order differs (the id comes first).
constexpr std::string_view kVehicleHeaders[] = {"Inventory Number",
                                                "Tow Date",
                                                "Make",
                                                "Style",
                                                "Model",
                                                "Color",
                                                "Plate",
                                                "State",
                                                "Towed to Address",
                                                "Tow Facility Phone"};

void ParseVehicle(Row& row, Record* r) {
  r->values.clear();
  FieldValue id = row.RequiredText(0);
  r->id = std::holds_alternative<std::string>(id) ? std::get<std::string>(id)
                                                  : std::string();
  r->values.push_back(std::move(id));
  r->values.push_back(row.Date(1));
  for (int c = 2; c <= 9; ++c) r->values.push_back(row.Text(c));
}

using RowParser = void (*)(Row&, Record*);

bool SameHeader(std::string_view a, std::string_view b) {
  return internal::NormalizeName(TrimView(a)) ==
         internal::NormalizeName(TrimView(b));
}

StatusOr<ImportReport> Import(Store& store, std::string_view path,
                              const ImportOptions& options, Dataset d,
                              std::span<const std::string_view> headers,
                              RowParser parse) {
  const std::string p(path);
  StatusOr<std::unique_ptr<CsvReader>> opened = CsvReader::OpenFile(path);
  if (!opened.ok()) return opened.status();
  CsvReader& reader = **opened;

  auto csv_error = [&](const Status& s) -> Status {
    if (s.code() != StatusCode::kInvalidArgument) return s;
    return Status::InvalidArgument(p + " " + s.message());
  };

  std::vector<std::string> fields;
  StatusOr<bool> more = reader.Next(&fields);
  if (!more.ok()) return csv_error(more.status());
  if (!*more)
    return Status::InvalidArgument(p + ": empty file, expected a header line");
  const size_t width = fields.size();
  std::vector<int> columns;
  for (std::string_view h : headers) {
    int found = -1;
    for (size_t i = 0; i < fields.size() && found < 0; ++i) {
      if (SameHeader(fields[i], h)) found = static_cast<int>(i);
    }
    if (found < 0) {
      return Status::InvalidArgument(p + " line " +
                                     std::to_string(reader.line()) +
                                     ": missing column " + std::string(h));
    }
    columns.push_back(found);
  }

  ImportReport report;
  internal::Writer writer(store);  // rolls back unless committed
  HAVEN_RETURN_IF_ERROR(writer.Begin());
  Record record;
  for (;;) {
    more = reader.Next(&fields);
    std::string bad;  // "line N: ..." for a bad row
    if (!more.ok()) {
      if (more.status().code() != StatusCode::kInvalidArgument ||
          !options.skip_bad_rows || !reader.can_continue()) {
        return csv_error(more.status());
      }
      ++report.rows;
      bad = more.status().message();
    } else if (!*more) {
      break;
    } else {
      ++report.rows;
      const std::string at = "line " + std::to_string(reader.line()) + ": ";
      if (fields.size() != width) {
        bad = at + "expected " + std::to_string(width) + " fields, got " +
              std::to_string(fields.size());
      } else {
        Row row(fields, columns, headers);
        parse(row, &record);
        if (!row.error().empty()) bad = at + row.error();
      }
      if (bad.empty()) {
        Status s = writer.Insert(d, record);
        if (s.code() == StatusCode::kAlreadyExists) {
          StatusOr<std::optional<Record>> old = writer.Get(d, record.id);
          if (!old.ok()) return old.status();
          if (*old && (*old)->values == record.values) {
            ++report.duplicates;
            continue;
          }
          bad = at + "column " + std::string(headers[0]) + ": " +
                Quoted(record.id) + " already imported with different values";
        } else if (!s.ok()) {
          return s;
        } else {
          ++report.imported;
          continue;
        }
      }
    }
    if (!options.skip_bad_rows) return Status::InvalidArgument(p + " " + bad);
    report.skipped.push_back(std::move(bad));
  }
  HAVEN_RETURN_IF_ERROR(writer.Commit());
  return report;
}

}  // namespace

StatusOr<ImportReport> ImportIncidents(Store& store, std::string_view path,
                                       const ImportOptions& options) {
  return Import(store, path, options, Dataset::kIncidents, kIncidentHeaders,
                ParseIncident);
}

StatusOr<ImportReport> ImportVehicles(Store& store, std::string_view path,
                                      const ImportOptions& options) {
  return Import(store, path, options, Dataset::kVehicles, kVehicleHeaders,
                ParseVehicle);
}

}  // namespace haven::records
