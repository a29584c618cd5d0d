// The records store on SQLite.
//
// Layout: one WITHOUT ROWID table per dataset, keyed by the text id, with
// the schema's fields as columns in order and hidden normalised search keys
// (last_key, first_key, plate_key) after them. Every search is an equality
// on an indexed key, plus a date range for incidents by beat; each search
// index ends with the order the results come in, so a search reads only
// the rows it returns.
//
// Connections: one read-write connection for writes, behind write_mu; a
// pool of read-only connections, each with every statement prepared once,
// handed to one thread at a time. WAL lets readers run beside the writer.
#include "records/records.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include "records/store_internal.h"

namespace haven::records {
namespace {

using FT = FieldType;

// ---- Schemas -------------------------------------------------------------

constexpr FieldSpec kPersonFields[] = {
    {"id", FT::kString, false},
    {"last_name", FT::kString, false},
    {"first_name", FT::kString, false},
    {"dob", FT::kString, false},  // YYYY-MM-DD
    {"sex", FT::kString, false},  // "F", "M", "X"
    {"address", FT::kString, false},
    {"plate", FT::kString, false},  // of a vehicle registered to the person
    {"place_of_birth", FT::kString, true},
    {"nationality", FT::kString, true},
    {"gang_designation", FT::kString, true},
};
constexpr FieldSpec kIncidentFields[] = {
    {"id", FT::kString, false},  // the Chicago ID
    {"case_number", FT::kString, false},
    {"date", FT::kString, false},  // YYYY-MM-DDThh:mm:ss, Chicago local time
    {"block", FT::kString, false},
    {"iucr", FT::kString, false},
    {"primary_type", FT::kString, false},
    {"description", FT::kString, false},
    {"location_description", FT::kString, false},
    {"arrest", FT::kBoolean, false},
    {"domestic", FT::kBoolean, false},
    {"beat", FT::kString, false},      // "0713": leading zeros kept
    {"district", FT::kString, false},  // "007"
    {"ward", FT::kInteger, false},
    {"community_area", FT::kInteger, false},
    {"fbi_code", FT::kString, false},  // "08A"
    {"latitude", FT::kReal, false},
    {"longitude", FT::kReal, false},
};
constexpr FieldSpec kVehicleFields[] = {
    {"id", FT::kString, false},        // the inventory number
    {"tow_date", FT::kString, false},  // YYYY-MM-DD
    {"make", FT::kString, false},
    {"style", FT::kString, false},
    {"model", FT::kString, false},
    {"color", FT::kString, false},
    {"plate", FT::kString, false},  // as published; may be NULL
    {"state", FT::kString, false},
    {"towed_to_address", FT::kString, false},
    {"tow_facility_phone", FT::kString, false},
};
constexpr FieldSpec kPlateReadFields[] = {
    {"id", FT::kString, false},
    {"plate", FT::kString, false},
    {"state", FT::kString, false},
    {"read_at", FT::kString, false},  // YYYY-MM-DDThh:mm:ssZ (UTC)
    {"camera_id", FT::kString, false},
    {"latitude", FT::kReal, false},
    {"longitude", FT::kReal, false},
};
constexpr FieldSpec kWarrantFields[] = {
    {"id", FT::kString, false},         {"last_name", FT::kString, false},
    {"first_name", FT::kString, false}, {"dob", FT::kString, false},
    {"kind", FT::kString, false},  // "judicial"
    {"court", FT::kString, false},      {"judge", FT::kString, false},
    {"number", FT::kString, false},     {"offense", FT::kString, false},
    {"issued", FT::kString, false},  // YYYY-MM-DD
};

constexpr std::string_view kPersonFilters[] = {"last_name", "first_name",
                                               "dob"};
constexpr std::string_view kIncidentFilters[] = {"case_number", "beat",
                                                 "date_from", "date_to"};
constexpr std::string_view kPlateFilters[] = {"plate"};
constexpr std::string_view kLastNameFilters[] = {"last_name"};

const Schema kSchemas[] = {
    {Dataset::kPersons, "id", kPersonFields, kPersonFilters},
    {Dataset::kIncidents, "id", kIncidentFields, kIncidentFilters},
    {Dataset::kVehicles, "id", kVehicleFields, kPlateFilters},
    {Dataset::kPlateReads, "id", kPlateReadFields, kPlateFilters},
    {Dataset::kWarrants, "id", kWarrantFields, kLastNameFilters},
};

// ---- Tables --------------------------------------------------------------

struct KeySpec {
  const char* column;  // hidden column
  int field;           // index into the schema's fields
  bool plate;          // NormalizePlate, else NormalizeName
};
struct IndexSpec {
  const char* name;
  const char* columns;
};
struct TableSpec {
  std::array<KeySpec, 2> keys;
  int key_count;
  const char* order_by;
  std::array<IndexSpec, 2> indexes;
  int index_count;
  // Search variants: WHERE clauses with named parameters (":last_name").
  std::array<const char*, 4> where;
  int where_count;
  // Non-null: the table is clustered by this key (its rows stored in search
  // order, so a search reads neighbouring rows), the id is a UNIQUE column,
  // and the key's columns are required.
  const char* clustered_by;
  std::array<int, 2> required;  // fields that must not be NULL; -1: none
};

const TableSpec kTables[] = {
    // persons
    {{{{"last_key", 1, false}, {"first_key", 2, false}}},
     2,
     "id",
     {{{"persons_name", "last_key, first_key, id"}, {"persons_dob", "dob"}}},
     2,
     {"last_key = :last_name",
      "last_key = :last_name AND first_key = :first_name",
      "last_key = :last_name AND dob = :dob",
      "last_key = :last_name AND first_key = :first_name AND dob = :dob"},
     4,
     nullptr,
     {-1, -1}},
    // incidents
    {{},
     0,
     "date DESC, id",
     {{{"incidents_case", "case_number"},
       {"incidents_beat_date", "beat, date DESC, id"}}},
     2,
     {"case_number = :case_number",
      "beat = :beat AND date >= :date_from AND date < :date_to"},
     2,
     nullptr,
     {-1, -1}},
    // vehicles
    {{{{"plate_key", 6, true}}},
     1,
     "tow_date DESC, id",
     {{{"vehicles_plate", "plate_key, tow_date DESC, id"}}},
     1,
     {"plate_key = :plate"},
     1,
     nullptr,
     {-1, -1}},
    // plate_reads: tens of millions of rows, each search about fifty of
    // them; clustered by plate so that those fifty share a page or two.
    {{{{"plate_key", 1, true}}},
     1,
     "read_at DESC, id",
     {},
     0,
     {"plate_key = :plate"},
     1,
     "plate_key, read_at DESC, id",
     {1, 3}},
    // warrants
    {{{{"last_key", 1, false}}},
     1,
     "issued DESC, id",
     {{{"warrants_name", "last_key, issued DESC, id"}}},
     1,
     {"last_key = :last_name"},
     1,
     nullptr,
     {-1, -1}},
};

constexpr int kSchemaVersion = 2;
constexpr int kDatasets = 5;
constexpr size_t kMaxFilterValueBytes = 100;

int Index(Dataset d) { return static_cast<int>(d); }
const TableSpec& TableOf(Dataset d) { return kTables[Index(d)]; }

std::string ColumnList(Dataset d) {
  std::string s;
  for (const FieldSpec& f : SchemaOf(d).fields) {
    if (!s.empty()) s += ", ";
    s += f.name;
  }
  return s;
}

std::string SelectSql(Dataset d) {
  return "SELECT " + ColumnList(d) + " FROM " + std::string(DatasetName(d));
}

std::string SearchSql(Dataset d, int variant) {
  const TableSpec& t = TableOf(d);
  return SelectSql(d) + " WHERE " + t.where[variant] + " ORDER BY " +
         t.order_by + " LIMIT :limit";
}

std::string InsertSql(Dataset d) {
  const TableSpec& t = TableOf(d);
  std::string cols = ColumnList(d);
  size_t n = SchemaOf(d).fields.size();
  for (int k = 0; k < t.key_count; ++k) {
    cols += ", ";
    cols += t.keys[k].column;
  }
  std::string params;
  for (size_t i = 0; i < n + t.key_count; ++i) {
    if (i > 0) params += ", ";
    params += "?" + std::to_string(i + 1);
  }
  return "INSERT INTO " + std::string(DatasetName(d)) + " (" + cols +
         ") VALUES (" + params + ")";
}

std::string CreateTableSql(Dataset d) {
  const TableSpec& t = TableOf(d);
  std::string s =
      "CREATE TABLE IF NOT EXISTS " + std::string(DatasetName(d)) + " (";
  for (const FieldSpec& f : SchemaOf(d).fields) {
    s += f.name;
    switch (f.type) {
      case FT::kString:
        s += " TEXT";
        break;
      case FT::kInteger:
      case FT::kBoolean:
        s += " INTEGER";
        break;
      case FT::kReal:
        s += " REAL";
        break;
    }
    if (f.name == "id") {
      s += t.clustered_by != nullptr ? " NOT NULL UNIQUE"
                                     : " PRIMARY KEY NOT NULL";
    }
    s += ", ";
  }
  for (int k = 0; k < t.key_count; ++k) {
    s += t.keys[k].column;
    s += " TEXT, ";
  }
  if (t.clustered_by != nullptr) {
    s += std::string("PRIMARY KEY (") + t.clustered_by + "), ";
  }
  s.resize(s.size() - 2);
  s += ") WITHOUT ROWID";
  return s;
}

std::string CreateIndexSql(Dataset d, const IndexSpec& ix) {
  return std::string("CREATE INDEX IF NOT EXISTS ") + ix.name + " ON " +
         std::string(DatasetName(d)) + " (" + ix.columns + ")";
}

// ---- SQLite helpers --------------------------------------------------------

Status SqlError(sqlite3* db, std::string_view what) {
  int code = db != nullptr ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
  std::string msg = "records: " + std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_FULL:
      return Status::ResourceExhausted(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return SqlError(db, sql);
  return Status::Ok();
}

// Resets a statement (and drops its bindings) when a use of it ends.
class StmtUse {
 public:
  explicit StmtUse(sqlite3_stmt* s) : s_(s) {}
  ~StmtUse() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;

 private:
  sqlite3_stmt* s_;
};

void BindNamed(sqlite3_stmt* s, const char* name, std::string_view v) {
  int i = sqlite3_bind_parameter_index(s, name);
  if (i > 0) sqlite3_bind_text(s, i, v.data(), v.size(), SQLITE_TRANSIENT);
}

FieldView ColumnView(sqlite3_stmt* s, int col, FT type) {
  // This runs for every column of every row. One sqlite3_column_value and
  // then the sqlite3_value_* readers, rather than two sqlite3_column_*
  // calls, each of which enters and leaves the connection's API guard. The
  // value is "unprotected" (sqlite3_column_value's documentation), which
  // is safe here: the statement's connection is leased to this thread.
  sqlite3_value* v = sqlite3_column_value(s, col);
  if (type == FT::kString) {
    // Most columns are text: a non-null pointer means text, with no
    // separate type check. A null one means NULL, or that SQLite could not
    // allocate the NUL-terminated copy it sometimes makes (SearchEach
    // checks for that once per row).
    const unsigned char* p = sqlite3_value_text(v);
    if (p == nullptr) return std::monostate{};
    int n = sqlite3_value_bytes(v);
    return std::string_view(reinterpret_cast<const char*>(p), n);
  }
  if (sqlite3_value_type(v) == SQLITE_NULL) return std::monostate{};
  switch (type) {
    case FT::kString:
      break;  // above
    case FT::kInteger:
      return static_cast<int64_t>(sqlite3_value_int64(v));
    case FT::kReal:
      return sqlite3_value_double(v);
    case FT::kBoolean:
      return sqlite3_value_int64(v) != 0;
  }
  return std::monostate{};
}

// A value that owns its string.
FieldValue ToValue(const FieldView& v) {
  return std::visit(
      [](const auto& x) -> FieldValue {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return std::string(x);
        } else {
          return x;
        }
      },
      v);
}

// A row of views, copied into a Record.
Record ToRecord(std::span<const FieldView> row) {
  Record r;
  r.values.reserve(row.size());
  for (const FieldView& v : row) r.values.push_back(ToValue(v));
  if (auto* id = std::get_if<std::string>(&r.values[0])) r.id = *id;
  return r;
}

Record ReadRow(sqlite3_stmt* s, Dataset d) {
  const Schema& schema = SchemaOf(d);
  std::vector<FieldView> row;
  row.reserve(schema.fields.size());
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    row.push_back(ColumnView(s, static_cast<int>(i), schema.fields[i].type));
  }
  return ToRecord(row);
}

const char* TypeName(FT t) {
  switch (t) {
    case FT::kString:
      return "a string";
    case FT::kInteger:
      return "an integer";
    case FT::kReal:
      return "a number";
    case FT::kBoolean:
      return "a boolean";
  }
  return "?";
}

bool HasType(const FieldValue& v, FT t) {
  switch (t) {
    case FT::kString:
      return std::holds_alternative<std::string>(v);
    case FT::kInteger:
      return std::holds_alternative<int64_t>(v);
    case FT::kReal:
      return std::holds_alternative<double>(v);
    case FT::kBoolean:
      return std::holds_alternative<bool>(v);
  }
  return false;
}

Status CheckRecord(Dataset d, const Record& r) {
  const Schema& schema = SchemaOf(d);
  std::string where = std::string(DatasetName(d)) + " record '" + r.id + "'";
  if (r.id.empty()) {
    return Status::InvalidArgument(std::string(DatasetName(d)) +
                                   " record: empty id");
  }
  if (r.values.size() != schema.fields.size()) {
    return Status::InvalidArgument(
        where + ": " + std::to_string(r.values.size()) + " values for " +
        std::to_string(schema.fields.size()) + " fields");
  }
  const FieldValue& id = r.values[0];
  if (!std::holds_alternative<std::monostate>(id) &&
      !(std::holds_alternative<std::string>(id) &&
        std::get<std::string>(id) == r.id)) {
    return Status::InvalidArgument(where + ": field id differs from the id");
  }
  for (int f : TableOf(d).required) {
    if (f < 0) continue;
    const auto* s = std::get_if<std::string>(&r.values[f]);
    if (s == nullptr || s->empty() ||
        (TableOf(d).keys[0].field == f &&
         internal::NormalizePlate(*s).empty())) {
      return Status::InvalidArgument(where + ": field " +
                                     std::string(schema.fields[f].name) +
                                     " is required");
    }
  }
  for (size_t i = 1; i < r.values.size(); ++i) {
    const FieldValue& v = r.values[i];
    if (std::holds_alternative<std::monostate>(v)) continue;
    if (!HasType(v, schema.fields[i].type)) {
      return Status::InvalidArgument(
          where + ": field " + std::string(schema.fields[i].name) +
          ": expected " + TypeName(schema.fields[i].type));
    }
  }
  return Status::Ok();
}

// ---- Connections -----------------------------------------------------------

struct Conn {
  sqlite3* db = nullptr;
  // A read connection's open read transaction (Store::Impl::Lease).
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  std::chrono::steady_clock::time_point snapshot_start;
  uint64_t snapshot_generation = 0;
  std::array<std::array<sqlite3_stmt*, 4>, kDatasets> search{};
  std::array<sqlite3_stmt*, kDatasets> get{};
  std::array<sqlite3_stmt*, kDatasets> count{};
  std::array<sqlite3_stmt*, kDatasets> insert{};

  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    // sqlite3_finalize(nullptr) is a no-op.
    for (auto& v : search)
      for (sqlite3_stmt* s : v) sqlite3_finalize(s);
    for (sqlite3_stmt* s : get) sqlite3_finalize(s);
    for (sqlite3_stmt* s : count) sqlite3_finalize(s);
    for (sqlite3_stmt* s : insert) sqlite3_finalize(s);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    if (db != nullptr) sqlite3_close_v2(db);
  }

  Status Open(const std::string& path, int flags) {
    // Without this SQLite counts every allocation under one process-wide
    // mutex, which the read connections of all workers contend on. It
    // must precede SQLite's initialisation (the first open); a later call
    // fails with SQLITE_MISUSE and changes nothing.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) return SqlError(db, "opening " + path);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    return Status::Ok();
  }

  // The statement in `*slot`, prepared on first use.
  StatusOr<sqlite3_stmt*> Prepare(sqlite3_stmt** slot, const std::string& sql) {
    if (*slot == nullptr) {
      int rc = sqlite3_prepare_v3(db, sql.c_str(), -1,
                                  SQLITE_PREPARE_PERSISTENT, slot, nullptr);
      if (rc != SQLITE_OK) return SqlError(db, "preparing " + sql);
    }
    return *slot;
  }
  // The same, making the SQL text only when the statement is not prepared
  // yet: the statements below are asked for on every query.
  template <typename MakeSql>
  StatusOr<sqlite3_stmt*> PrepareOnce(sqlite3_stmt** slot, MakeSql make_sql) {
    if (*slot != nullptr) return *slot;
    return Prepare(slot, make_sql());
  }

  StatusOr<sqlite3_stmt*> Get(Dataset d) {
    return PrepareOnce(&get[Index(d)],
                       [d] { return SelectSql(d) + " WHERE id = :id"; });
  }
  StatusOr<sqlite3_stmt*> Count(Dataset d) {
    return PrepareOnce(&count[Index(d)], [d] {
      return "SELECT count(*) FROM " + std::string(DatasetName(d));
    });
  }
  StatusOr<sqlite3_stmt*> Search(Dataset d, int variant) {
    return PrepareOnce(&search[Index(d)][variant],
                       [d, variant] { return SearchSql(d, variant); });
  }
  StatusOr<sqlite3_stmt*> Insert(Dataset d) {
    return PrepareOnce(&insert[Index(d)], [d] { return InsertSql(d); });
  }

  StatusOr<std::optional<Record>> GetRecord(Dataset d, std::string_view id) {
    StatusOr<sqlite3_stmt*> s = Get(d);
    if (!s.ok()) return s.status();
    StmtUse use(*s);
    sqlite3_bind_text(*s, 1, id.data(), id.size(), SQLITE_STATIC);
    int rc = sqlite3_step(*s);
    if (rc == SQLITE_DONE) return std::optional<Record>();
    if (rc != SQLITE_ROW) {
      return SqlError(db, "reading " + std::string(DatasetName(d)));
    }
    return std::optional<Record>(ReadRow(*s, d));
  }

  StatusOr<int64_t> CountRows(Dataset d) {
    StatusOr<sqlite3_stmt*> s = Count(d);
    if (!s.ok()) return s.status();
    StmtUse use(*s);
    if (sqlite3_step(*s) != SQLITE_ROW) {
      return SqlError(db, "counting " + std::string(DatasetName(d)));
    }
    return static_cast<int64_t>(sqlite3_column_int64(*s, 0));
  }

  // Binds and inserts a checked record.
  Status InsertRecord(Dataset d, const Record& r) {
    StatusOr<sqlite3_stmt*> st = Insert(d);
    if (!st.ok()) return st.status();
    sqlite3_stmt* s = *st;
    StmtUse use(s);
    const Schema& schema = SchemaOf(d);
    sqlite3_bind_text(s, 1, r.id.data(), r.id.size(), SQLITE_STATIC);
    for (size_t i = 1; i < r.values.size(); ++i) {
      int p = static_cast<int>(i) + 1;
      const FieldValue& v = r.values[i];
      if (auto* str = std::get_if<std::string>(&v)) {
        sqlite3_bind_text(s, p, str->data(), str->size(), SQLITE_STATIC);
      } else if (auto* n = std::get_if<int64_t>(&v)) {
        sqlite3_bind_int64(s, p, *n);
      } else if (auto* x = std::get_if<double>(&v)) {
        sqlite3_bind_double(s, p, *x);
      } else if (auto* b = std::get_if<bool>(&v)) {
        sqlite3_bind_int(s, p, *b ? 1 : 0);
      }  // monostate: NULL, as cleared
    }
    const TableSpec& t = TableOf(d);
    std::array<std::string, 2> keys;
    for (int k = 0; k < t.key_count; ++k) {
      const auto* src = std::get_if<std::string>(&r.values[t.keys[k].field]);
      if (src == nullptr) continue;
      keys[k] = t.keys[k].plate ? internal::NormalizePlate(*src)
                                : internal::NormalizeName(*src);
      if (keys[k].empty()) continue;
      sqlite3_bind_text(s, static_cast<int>(schema.fields.size()) + k + 1,
                        keys[k].data(), keys[k].size(), SQLITE_STATIC);
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
      return Status::AlreadyExists(std::string(DatasetName(d)) + " id '" +
                                   r.id + "' already exists");
    }
    return SqlError(db, "inserting into " + std::string(DatasetName(d)));
  }
};

// ---- Filter helpers --------------------------------------------------------

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c >= 'a' && c <= 'z');
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return std::string(s.substr(b, e - b));
}

std::string JoinFilters(const Schema& s) {
  std::string out;
  for (std::string_view f : s.filters) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

// The day after an ISO date, as an ISO date.
std::string NextDay(std::string_view iso) {
  using namespace std::chrono;
  int y = std::stoi(std::string(iso.substr(0, 4)));
  unsigned m = std::stoul(std::string(iso.substr(5, 2)));
  unsigned dd = std::stoul(std::string(iso.substr(8, 2)));
  year_month_day next{sys_days{year{y} / month{m} / day{dd}} + days{1}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(next.year()),
                unsigned(next.month()), unsigned(next.day()));
  return buf;
}

const std::string* Find(const Filter& f, std::string_view name) {
  auto it = f.find(name);
  return it == f.end() ? nullptr : &it->second;
}

}  // namespace

// ---- Public functions ------------------------------------------------------

std::string_view DatasetName(Dataset d) {
  switch (d) {
    case Dataset::kPersons:
      return "persons";
    case Dataset::kIncidents:
      return "incidents";
    case Dataset::kVehicles:
      return "vehicles";
    case Dataset::kPlateReads:
      return "plate_reads";
    case Dataset::kWarrants:
      return "warrants";
  }
  return "";
}

std::optional<Dataset> ParseDataset(std::string_view name) {
  for (Dataset d : kAllDatasets) {
    if (DatasetName(d) == name) return d;
  }
  return std::nullopt;
}

const Schema& SchemaOf(Dataset d) { return kSchemas[Index(d)]; }

namespace internal {

std::string NormalizeName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool space = false;
  for (char c : name) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

std::string NormalizePlate(std::string_view plate) {
  std::string out;
  out.reserve(plate.size());
  for (char c : plate) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

bool IsIsoDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!IsDigits(s.substr(0, 4)) || !IsDigits(s.substr(5, 2)) ||
      !IsDigits(s.substr(8, 2))) {
    return false;
  }
  using namespace std::chrono;
  int y = std::stoi(std::string(s.substr(0, 4)));
  unsigned m = std::stoul(std::string(s.substr(5, 2)));
  unsigned d = std::stoul(std::string(s.substr(8, 2)));
  return y >= 1 && year_month_day{year{y} / month{m} / day{d}}.ok();
}

}  // namespace internal

Status ValidateFilter(Dataset d, const Filter& filter) {
  const Schema& schema = SchemaOf(d);
  const std::string ds(DatasetName(d));
  for (const auto& [name, raw] : filter) {
    bool known = std::find(schema.filters.begin(), schema.filters.end(),
                           name) != schema.filters.end();
    if (!known) {
      return Status::InvalidArgument("filter." + name + ": not a filter of " +
                                     ds + "; expected one of " +
                                     JoinFilters(schema));
    }
  }
  for (const auto& [name, raw] : filter) {
    const std::string where = "filter." + name + ": ";
    if (raw.size() > kMaxFilterValueBytes) {
      return Status::InvalidArgument(where + "longer than " +
                                     std::to_string(kMaxFilterValueBytes) +
                                     " bytes");
    }
    for (unsigned char c : raw) {
      if (c < 0x20 || c == 0x7f) {
        return Status::InvalidArgument(where + "holds a control character");
      }
    }
    const std::string v = Trim(raw);
    if (v.empty()) return Status::InvalidArgument(where + "empty");
    if (name == "dob" || name == "date_from" || name == "date_to") {
      if (!internal::IsIsoDate(v)) {
        return Status::InvalidArgument(where + "expected YYYY-MM-DD");
      }
    } else if (name == "plate") {
      for (char c : v) {
        if (!IsAlnum(c) && c != ' ' && c != '-') {
          return Status::InvalidArgument(
              where +
              "expected letters and digits (spaces and dashes are "
              "ignored)");
        }
      }
      if (internal::NormalizePlate(v).empty()) {
        return Status::InvalidArgument(where + "no letters or digits");
      }
    } else if (name == "beat") {
      if (!IsDigits(v) || v.size() > 4) {
        return Status::InvalidArgument(where + "expected 1 to 4 digits");
      }
    } else if (name == "case_number") {
      if (!std::all_of(v.begin(), v.end(), IsAlnum)) {
        return Status::InvalidArgument(where + "expected letters and digits");
      }
    }
  }
  auto has = [&](std::string_view n) { return Find(filter, n) != nullptr; };
  switch (d) {
    case Dataset::kPersons:
    case Dataset::kWarrants:
      if (!has("last_name")) {
        return Status::InvalidArgument("filter: " + ds + " needs last_name");
      }
      break;
    case Dataset::kVehicles:
    case Dataset::kPlateReads:
      if (!has("plate")) {
        return Status::InvalidArgument("filter: " + ds + " needs plate");
      }
      break;
    case Dataset::kIncidents: {
      bool by_beat = has("beat") || has("date_from") || has("date_to");
      if (has("case_number") && by_beat) {
        return Status::InvalidArgument(
            "filter: incidents takes case_number alone, or beat with "
            "date_from and date_to");
      }
      if (!has("case_number") && !by_beat) {
        return Status::InvalidArgument(
            "filter: incidents needs case_number, or beat with date_from and "
            "date_to");
      }
      if (by_beat) {
        if (!has("beat")) {
          return Status::InvalidArgument(
              "filter: date_from and date_to go with beat");
        }
        if (!has("date_from") || !has("date_to")) {
          return Status::InvalidArgument(
              "filter: beat needs date_from and date_to");
        }
        if (Trim(*Find(filter, "date_to")) < Trim(*Find(filter, "date_from"))) {
          return Status::InvalidArgument("filter.date_to: before date_from");
        }
      }
      break;
    }
  }
  return Status::Ok();
}

// ---- Store -----------------------------------------------------------------

struct Store::Impl {
  std::string path;

  std::mutex write_mu;
  Conn writer;  // guarded by write_mu

  std::mutex pool_mu;
  std::condition_variable pool_cv;
  std::vector<std::unique_ptr<Conn>> readers;
  std::vector<Conn*> idle;  // guarded by pool_mu

  std::chrono::nanoseconds snapshot_reuse{0};
  // Bumped by every commit through this Store, so that a reader's snapshot
  // never hides this process's own writes.
  std::atomic<uint64_t> write_generation{0};

  // A read connection for one thread until destroyed, inside a read
  // transaction no older than snapshot_reuse.
  class Lease {
   public:
    explicit Lease(Impl* impl) : impl_(impl) {
      {
        std::unique_lock<std::mutex> l(impl_->pool_mu);
        impl_->pool_cv.wait(l, [&] { return !impl_->idle.empty(); });
        conn_ = impl_->idle.back();
        impl_->idle.pop_back();
      }
      impl_->FreshSnapshot(conn_);
    }
    ~Lease() {
      {
        std::lock_guard<std::mutex> l(impl_->pool_mu);
        impl_->idle.push_back(conn_);
      }
      impl_->pool_cv.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Conn* operator->() { return conn_; }

   private:
    Impl* impl_;
    Conn* conn_;
  };

  // Keeps `c`'s read transaction if it is recent and nothing was written
  // through this Store since it began; otherwise ends it and begins another
  // (deferred: SQLite takes the snapshot at the first read). On any failure
  // the connection is left in autocommit mode, where every query takes a
  // fresh snapshot: slower, never stale.
  // Ends `c`'s read transaction, if it has one.
  static void EndSnapshot(Conn* c) {
    if (sqlite3_get_autocommit(c->db)) return;
    sqlite3_step(c->commit);
    sqlite3_reset(c->commit);
    if (!sqlite3_get_autocommit(c->db)) (void)Exec(c->db, "ROLLBACK");
  }

  void FreshSnapshot(Conn* c) {
    if (c->begin == nullptr) return;  // snapshot_reuse is 0
    auto now = std::chrono::steady_clock::now();
    uint64_t generation = write_generation.load(std::memory_order_acquire);
    if (!sqlite3_get_autocommit(c->db)) {
      if (now - c->snapshot_start < snapshot_reuse &&
          c->snapshot_generation == generation) {
        return;
      }
      EndSnapshot(c);
      if (!sqlite3_get_autocommit(c->db)) return;
    }
    int rc = sqlite3_step(c->begin);
    sqlite3_reset(c->begin);
    if (rc != SQLITE_DONE) return;
    c->snapshot_start = now;
    c->snapshot_generation = generation;
  }

  Status CreateSchema() {
    sqlite3* db = writer.db;
    HAVEN_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE"));
    Status s = [&]() -> Status {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr) !=
          SQLITE_OK) {
        return SqlError(db, "reading the schema version");
      }
      int version = 0;
      if (sqlite3_step(st) == SQLITE_ROW) version = sqlite3_column_int(st, 0);
      sqlite3_finalize(st);
      if (version == kSchemaVersion) return Status::Ok();
      if (version != 0) {
        return Status::FailedPrecondition(
            path + ": records schema version " + std::to_string(version) +
            "; this haven reads version " + std::to_string(kSchemaVersion));
      }
      for (Dataset d : kAllDatasets) {
        HAVEN_RETURN_IF_ERROR(Exec(db, CreateTableSql(d)));
        const TableSpec& t = TableOf(d);
        for (int i = 0; i < t.index_count; ++i) {
          HAVEN_RETURN_IF_ERROR(Exec(db, CreateIndexSql(d, t.indexes[i])));
        }
      }
      return Exec(db,
                  "PRAGMA user_version = " + std::to_string(kSchemaVersion));
    }();
    if (!s.ok()) {
      (void)Exec(db, "ROLLBACK");
      return s;
    }
    return Exec(db, "COMMIT");
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

StatusOr<std::unique_ptr<Store>> Store::Open(std::string_view path,
                                             const Options& options) {
  if (options.read_connections < 1 || options.read_connections > 256) {
    return Status::InvalidArgument(
        "records: read_connections must be from 1 to 256");
  }
  if (options.snapshot_reuse.count() < 0) {
    return Status::InvalidArgument(
        "records: snapshot_reuse must not be negative");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = std::string(path);
  impl->snapshot_reuse = options.snapshot_reuse;
  HAVEN_RETURN_IF_ERROR(impl->writer.Open(
      impl->path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  sqlite3* db = impl->writer.db;
  {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, nullptr) !=
        SQLITE_OK) {
      return SqlError(db, "opening " + impl->path);
    }
    int rc = sqlite3_step(st);
    std::string mode =
        rc == SQLITE_ROW
            ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0))
            : "";
    sqlite3_finalize(st);
    if (mode != "wal") {
      if (rc != SQLITE_ROW) return SqlError(db, "opening " + impl->path);
      return Status::FailedPrecondition(impl->path +
                                        ": cannot use write-ahead logging");
    }
  }
  HAVEN_RETURN_IF_ERROR(Exec(db, "PRAGMA synchronous = NORMAL"));
  // 64 MiB of page cache for imports and the generator's index builds.
  HAVEN_RETURN_IF_ERROR(Exec(db, "PRAGMA cache_size = -65536"));
  HAVEN_RETURN_IF_ERROR(impl->CreateSchema());
  for (int i = 0; i < options.read_connections; ++i) {
    auto c = std::make_unique<Conn>();
    HAVEN_RETURN_IF_ERROR(c->Open(impl->path, SQLITE_OPEN_READONLY));
    // Readers share the operating system's page cache through mmap.
    HAVEN_RETURN_IF_ERROR(Exec(c->db, "PRAGMA mmap_size = 2147418112"));
    if (impl->snapshot_reuse.count() > 0) {
      HAVEN_RETURN_IF_ERROR(c->Prepare(&c->begin, "BEGIN DEFERRED").status());
      HAVEN_RETURN_IF_ERROR(c->Prepare(&c->commit, "COMMIT").status());
    }
    for (Dataset d : kAllDatasets) {
      HAVEN_RETURN_IF_ERROR(c->Get(d).status());
      HAVEN_RETURN_IF_ERROR(c->Count(d).status());
      for (int v = 0; v < TableOf(d).where_count; ++v) {
        HAVEN_RETURN_IF_ERROR(c->Search(d, v).status());
      }
    }
    impl->idle.push_back(c.get());
    impl->readers.push_back(std::move(c));
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

StatusOr<std::vector<Record>> Store::Search(Dataset d, const Filter& filter,
                                            size_t limit) {
  std::vector<Record> out;
  StatusOr<size_t> n = SearchEach(
      d, filter, limit,
      [&out](std::span<const FieldView> row) { out.push_back(ToRecord(row)); });
  if (!n.ok()) return n.status();
  return out;
}

StatusOr<size_t> Store::SearchEach(
    Dataset d, const Filter& filter, size_t limit,
    const std::function<void(std::span<const FieldView>)>& visit) {
  HAVEN_RETURN_IF_ERROR(ValidateFilter(d, filter));
  if (limit == 0) return size_t{0};
  auto value = [&](std::string_view n) { return Trim(*Find(filter, n)); };
  int variant = 0;
  // Parameter name (with its ':') and normalised value; at most three.
  std::array<std::pair<const char*, std::string>, 3> bound;
  size_t bound_count = 0;
  auto bind = [&](const char* name, std::string v) {
    bound[bound_count++] = {name, std::move(v)};
  };
  switch (d) {
    case Dataset::kPersons:
      bind(":last_name", internal::NormalizeName(value("last_name")));
      if (Find(filter, "first_name")) {
        variant |= 1;
        bind(":first_name", internal::NormalizeName(value("first_name")));
      }
      if (Find(filter, "dob")) {
        variant |= 2;
        bind(":dob", value("dob"));
      }
      break;
    case Dataset::kIncidents:
      if (Find(filter, "case_number")) {
        bind(":case_number", internal::NormalizeName(value("case_number")));
      } else {
        variant = 1;
        std::string beat = value("beat");
        bind(":beat",
             std::string(4 - std::min<size_t>(4, beat.size()), '0') + beat);
        bind(":date_from", value("date_from"));
        bind(":date_to", NextDay(value("date_to")));  // exclusive
      }
      break;
    case Dataset::kVehicles:
    case Dataset::kPlateReads:
      bind(":plate", internal::NormalizePlate(value("plate")));
      break;
    case Dataset::kWarrants:
      bind(":last_name", internal::NormalizeName(value("last_name")));
      break;
  }
  Impl::Lease conn(impl_.get());
  StatusOr<sqlite3_stmt*> st = conn->Search(d, variant);
  if (!st.ok()) return st.status();
  StmtUse use(*st);
  for (size_t i = 0; i < bound_count; ++i) {
    BindNamed(*st, bound[i].first, bound[i].second);
  }
  sqlite3_bind_int64(
      *st, sqlite3_bind_parameter_index(*st, ":limit"),
      static_cast<int64_t>(std::min<size_t>(
          limit, static_cast<size_t>(std::numeric_limits<int64_t>::max()))));
  const Schema& schema = SchemaOf(d);
  std::vector<FieldView> row(schema.fields.size());
  size_t rows = 0;
  for (;;) {
    int rc = sqlite3_step(*st);
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) {
      return SqlError(conn->db, "reading " + std::string(DatasetName(d)));
    }
    for (size_t i = 0; i < row.size(); ++i) {
      row[i] = ColumnView(*st, static_cast<int>(i), schema.fields[i].type);
    }
    if (sqlite3_errcode(conn->db) == SQLITE_NOMEM) {
      return SqlError(conn->db, "reading " + std::string(DatasetName(d)));
    }
    visit(row);
    ++rows;
  }
}

StatusOr<std::optional<Record>> Store::Get(Dataset d, std::string_view id) {
  Impl::Lease conn(impl_.get());
  return conn->GetRecord(d, id);
}

StatusOr<int64_t> Store::Count(Dataset d) {
  Impl::Lease conn(impl_.get());
  return conn->CountRows(d);
}

void Store::ReleaseIdleSnapshots() {
  if (impl_->snapshot_reuse.count() == 0) return;
  auto now = std::chrono::steady_clock::now();
  // Idle connections are used by no thread while pool_mu is held.
  std::lock_guard<std::mutex> l(impl_->pool_mu);
  for (Conn* c : impl_->idle) {
    if (now - c->snapshot_start >= impl_->snapshot_reuse) Impl::EndSnapshot(c);
  }
}

Status Store::Insert(Dataset d, std::span<const Record> records) {
  internal::Writer w(*this);  // rolls back unless committed
  HAVEN_RETURN_IF_ERROR(w.Begin());
  for (const Record& r : records) HAVEN_RETURN_IF_ERROR(w.Insert(d, r));
  return w.Commit();
}

// ---- Writer ----------------------------------------------------------------

namespace internal {

Writer::Writer(Store& store)
    : impl_(store.impl_.get()), lock_(impl_->write_mu) {}

Writer::~Writer() { Rollback(); }

Status Writer::Begin() {
  if (in_txn_) return Status::Internal("records: transaction already open");
  HAVEN_RETURN_IF_ERROR(Exec(impl_->writer.db, "BEGIN IMMEDIATE"));
  in_txn_ = true;
  return Status::Ok();
}

Status Writer::Commit() {
  if (!in_txn_) return Status::Internal("records: no transaction to commit");
  Status s = Exec(impl_->writer.db, "COMMIT");
  if (!s.ok()) {
    Rollback();
    return s;
  }
  in_txn_ = false;
  impl_->write_generation.fetch_add(1, std::memory_order_release);
  return Status::Ok();
}

void Writer::Rollback() {
  if (!in_txn_) return;
  in_txn_ = false;
  // A failed statement may have rolled back already; then this is a no-op.
  if (!sqlite3_get_autocommit(impl_->writer.db)) {
    (void)Exec(impl_->writer.db, "ROLLBACK");
  }
}

Status Writer::Insert(Dataset d, const Record& record) {
  HAVEN_RETURN_IF_ERROR(CheckRecord(d, record));
  return impl_->writer.InsertRecord(d, record);
}

StatusOr<std::optional<Record>> Writer::Get(Dataset d, std::string_view id) {
  return impl_->writer.GetRecord(d, id);
}

StatusOr<int64_t> Writer::Count(Dataset d) {
  return impl_->writer.CountRows(d);
}

StatusOr<std::vector<std::pair<std::string, std::string>>>
Writer::VehiclePlates() {
  sqlite3* db = impl_->writer.db;
  sqlite3_stmt* s = nullptr;
  const char* sql =
      "SELECT plate_key, min(state) FROM vehicles WHERE plate_key IS NOT NULL "
      "GROUP BY plate_key ORDER BY plate_key";
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
    return SqlError(db, "reading vehicle plates");
  }
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    auto text = [&](int col) {
      const unsigned char* p = sqlite3_column_text(s, col);
      return p == nullptr ? std::string()
                          : std::string(reinterpret_cast<const char*>(p));
    };
    out.emplace_back(text(0), text(1));
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return SqlError(db, "reading vehicle plates");
  return out;
}

Status Writer::Checkpoint() {
  return Exec(impl_->writer.db, "PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace internal
}  // namespace haven::records
