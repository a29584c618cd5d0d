// The directory on SQLite.
//
// Schema (version 1; the `meta` table holds the version):
//   agencies(ori PK, name, jurisdiction, department, component,
//            sharing_agreement, network, created_at)
//   task_groups(id PK, name, lead_ori -> agencies, created_at)
//   users(id PK, agency_ori -> agencies, name, created_at)
//   user_roles(user_id -> users, role, position)
//   user_groups(user_id -> users, group_id -> task_groups, position)
//   tokens(id PK, hash UNIQUE (SHA-256 of the secret, 32 bytes), user_id ->
//          users, issued_at, expires_at, revoked_at)
//   outbox(seq PK AUTOINCREMENT, entry, created_at, recorded_at)
// Nothing is ever updated but tokens.revoked_at and outbox.recorded_at, and
// nothing is deleted: agencies, groups and users are immutable once added.
//
// Every change runs in a BEGIN IMMEDIATE transaction (taking the write lock
// up front, so a read never has to be upgraded and no SQLITE_BUSY_SNAPSHOT
// can occur) that also inserts its outbox row.
//
// RecordChanges uses a second connection of its own, opened on first use,
// so that readers (Authenticate on every request) never wait for a ledger
// fsync. Each chunk is read, appended and marked inside one BEGIN IMMEDIATE
// transaction: SQLite's write lock is held across the append, so a second
// recorder, in this process or another, waits (busy_timeout) and then finds
// the chunk already marked. The one gap: if the process dies after the
// ledger made a chunk durable but before the COMMIT, that chunk is appended
// again by the next recorder (at least once, never lost).
#include "directory/directory.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <sqlite3.h>

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "base/canonical_json.h"

namespace haven::directory {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kRecordChunk = 1000;
constexpr std::string_view kSecretPrefix = "hvn_";
constexpr std::string_view kTokenIdPrefix = "tok_";
constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr size_t kTokenIdBytes = 8;  // 16 hex characters
constexpr int64_t kMaxTtlSeconds = int64_t{10} * 366 * 24 * 3600;

constexpr std::string_view kRoles[] = {"officer", "analyst", "oversight",
                                       "admin"};

constexpr const char* kSchema[] = {
    "CREATE TABLE IF NOT EXISTS meta("
    " key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS agencies("
    " ori TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " jurisdiction TEXT NOT NULL"
    "  CHECK (jurisdiction IN ('local', 'state', 'federal')),"
    " department TEXT NOT NULL, component TEXT NOT NULL,"
    " sharing_agreement INTEGER NOT NULL, network TEXT NOT NULL,"
    " created_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS task_groups("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " lead_ori TEXT NOT NULL REFERENCES agencies(ori),"
    " created_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS users("
    " id TEXT PRIMARY KEY,"
    " agency_ori TEXT NOT NULL REFERENCES agencies(ori),"
    " name TEXT NOT NULL, created_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS users_by_agency ON users(agency_ori, id)",
    "CREATE TABLE IF NOT EXISTS user_roles("
    " user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL,"
    " position INTEGER NOT NULL, PRIMARY KEY (user_id, role))",
    "CREATE TABLE IF NOT EXISTS user_groups("
    " user_id TEXT NOT NULL REFERENCES users(id),"
    " group_id TEXT NOT NULL REFERENCES task_groups(id),"
    " position INTEGER NOT NULL, PRIMARY KEY (user_id, group_id))",
    "CREATE TABLE IF NOT EXISTS tokens("
    " id TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
    " user_id TEXT NOT NULL REFERENCES users(id),"
    " issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " revoked_at INTEGER)",
    "CREATE INDEX IF NOT EXISTS tokens_by_user ON tokens(user_id)",
    "CREATE TABLE IF NOT EXISTS outbox("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, recorded_at INTEGER)",
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq)"
    " WHERE recorded_at IS NULL",
};

// ---------------------------------------------------------------------------
// SQLite adapter.

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg =
      std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("directory database busy: " + msg);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return Status::AlreadyExists(msg);
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return Status::NotFound(msg);
      return Status::InvalidArgument(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::IOError(msg);
    default:
      return Status::Internal(msg);
  }
}

// One use of a cached prepared statement; resets it when done.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  // Binds are 1-based, as in SQL. A bind error is reported by Step.
  void Bind(int i, std::string_view v) {
    // A null pointer would bind SQL NULL, not "".
    Check(sqlite3_bind_text(stmt_, i, v.empty() ? "" : v.data(),
                            static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  void Bind(int i, int64_t v) { Check(sqlite3_bind_int64(stmt_, i, v)); }
  void BindBlob(int i, const void* p, size_t n) {
    Check(
        sqlite3_bind_blob(stmt_, i, p, static_cast<int>(n), SQLITE_TRANSIENT));
  }

  // True with a row, false when done.
  StatusOr<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return SqliteError(db_, bind_rc_, "bind");
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return SqliteError(db_, sqlite3_extended_errcode(db_), sqlite3_sql(stmt_));
  }
  // Runs a statement that returns no rows.
  Status Run() {
    StatusOr<bool> r = Step();
    return r.ok() ? Status::Ok() : r.status();
  }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           sqlite3_column_bytes(stmt_, col))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = SQLITE_OK;
};

// One connection and its prepared statements. Not thread-safe.
class Connection {
 public:
  Connection() = default;
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Open(const std::string& path) {
    // Without this SQLite counts every allocation under one process-wide
    // mutex, which the read connections of all workers contend on. It
    // must precede SQLite's initialisation (the first open); a later call
    // fails with SQLITE_MISUSE and changes nothing.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    int rc = sqlite3_open_v2(
        path.c_str(), &db_,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
        nullptr);
    if (rc != SQLITE_OK) {
      Status s = SqliteError(db_, rc, "cannot open " + path);
      sqlite3_close_v2(db_);
      db_ = nullptr;
      return s;
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // The first statement is where a file that is not a database shows.
    StatusOr<std::string> mode = Scalar("PRAGMA journal_mode=WAL");
    if (!mode.ok()) {
      return SqliteError(db_, sqlite3_extended_errcode(db_), path);
    }
    if (*mode != "wal") {
      return Status::IOError(path + ": cannot use WAL mode (journal_mode is " +
                             *mode + ")");
    }
    // FULL: a change and its outbox row survive a power cut once committed.
    HAVEN_RETURN_IF_ERROR(Exec("PRAGMA synchronous=FULL"));
    HAVEN_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON"));
    return Status::Ok();
  }

  sqlite3* db() const { return db_; }

  // `sql` must be a string literal: the cache is keyed by its address.
  StatusOr<sqlite3_stmt*> Prepare(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) {
      return SqliteError(db_, sqlite3_extended_errcode(db_), sql);
    }
    cache_.emplace(sql, stmt);
    return stmt;
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (err) sqlite3_free(err);
    if (rc != SQLITE_OK) {
      return SqliteError(db_, sqlite3_extended_errcode(db_), sql);
    }
    return Status::Ok();
  }

  // The first column of the first row of `sql`, as text.
  StatusOr<std::string> Scalar(const char* sql) {
    StatusOr<sqlite3_stmt*> stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    Query q(db_, *stmt);
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Internal(std::string(sql) + ": no row");
    return q.Text(0);
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// Prepares `sql` on `conn` into a Query named `q`, or returns the error.
#define HAVEN_QUERY(q, conn, sql)                         \
  StatusOr<sqlite3_stmt*> q##_stmt = (conn).Prepare(sql); \
  if (!q##_stmt.ok()) return q##_stmt.status();           \
  Query q((conn).db(), *q##_stmt)

// A transaction rolled back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction() {
    if (open_) (void)conn_.Exec("ROLLBACK");
  }
  Status Begin(bool immediate) {
    HAVEN_RETURN_IF_ERROR(conn_.Exec(immediate ? "BEGIN IMMEDIATE" : "BEGIN"));
    open_ = true;
    return Status::Ok();
  }
  Status Commit() {
    Status s = conn_.Exec("COMMIT");
    // A failed COMMIT may leave the transaction open; the destructor's
    // ROLLBACK ends it.
    if (s.ok()) open_ = false;
    return s;
  }

 private:
  Connection& conn_;
  bool open_ = false;
};

// ---------------------------------------------------------------------------
// Validation. Messages name the field, say the rule, and quote the value.

std::string Quote(std::string_view v) {
  std::string out = "\"";
  for (char c : v) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;  // continuation bytes
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates, beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Free text (names, departments, actors): 1 to `max` bytes of UTF-8, no
// control characters.
Status CheckText(std::string_view field, std::string_view v, size_t max) {
  if (v.empty())
    return Status::InvalidArgument(std::string(field) + ": must not be empty");
  if (v.size() > max) {
    return Status::InvalidArgument(std::string(field) + ": at most " +
                                   std::to_string(max) + " bytes, not " +
                                   std::to_string(v.size()));
  }
  for (char c : v) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return Status::InvalidArgument(
          std::string(field) +
          ": must not hold control characters: " + Quote(v));
    }
  }
  if (!ValidUtf8(v)) {
    return Status::InvalidArgument(std::string(field) +
                                   ": must be valid UTF-8");
  }
  return Status::Ok();
}

Status CheckOri(std::string_view field, std::string_view ori) {
  bool ok = ori.size() == 9;
  for (char c : ori)
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  if (!ok) {
    return Status::InvalidArgument(std::string(field) +
                                   ": must be 9 characters A-Z or 0-9, not " +
                                   Quote(ori));
  }
  return Status::Ok();
}

// [a-z0-9] plus `extra`, 1 to 64 characters.
Status CheckId(std::string_view field, std::string_view id,
               std::string_view extra) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                extra.find(c) != std::string_view::npos);
  }
  if (!ok) {
    std::string set = "a-z, 0-9";
    for (char c : extra) set += std::string(", '") + c + "'";
    return Status::InvalidArgument(std::string(field) +
                                   ": must be 1 to 64 of " + set + ", not " +
                                   Quote(id));
  }
  return Status::Ok();
}

Status CheckUserId(std::string_view field, std::string_view id) {
  return CheckId(field, id, "._-");
}
Status CheckGroupId(std::string_view field, std::string_view id) {
  return CheckId(field, id, ".-");
}

// An IPv4 or IPv6 CIDR range with no host bits set, as Cedar's ip() reads
// it (no IPv4-in-IPv6 forms, no zones).
Status CheckNetwork(std::string_view net) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("network: " + std::string(why) + ": " +
                                   Quote(net));
  };
  size_t slash = net.find('/');
  if (slash == std::string_view::npos) {
    return bad("must be a CIDR range such as 10.0.0.0/8 or 2001:db8::/32");
  }
  std::string addr(net.substr(0, slash));
  std::string_view len_text = net.substr(slash + 1);
  bool v6 = addr.find(':') != std::string::npos;
  int max = v6 ? 128 : 32;
  int len = 0;
  bool len_ok = !len_text.empty() && len_text.size() <= 3 &&
                !(len_text.size() > 1 && len_text[0] == '0');
  for (char c : len_text) {
    len_ok = len_ok && c >= '0' && c <= '9';
    if (len_ok) len = len * 10 + (c - '0');
  }
  if (!len_ok || len > max) {
    return bad("prefix length must be 0 to " + std::to_string(max));
  }
  unsigned char bytes[16] = {};
  if (v6 && addr.find('.') != std::string::npos) {
    return bad("IPv4-in-IPv6 addresses are not accepted");
  }
  if (inet_pton(v6 ? AF_INET6 : AF_INET, addr.c_str(), bytes) != 1) {
    return bad(v6 ? "not an IPv6 address" : "not an IPv4 address");
  }
  for (int bit = len; bit < max; ++bit) {
    if (bytes[bit / 8] & (0x80 >> (bit % 8))) {
      return bad("address has bits set beyond the /" + std::to_string(len) +
                 " prefix");
    }
  }
  return Status::Ok();
}

Status CheckAgency(const Agency& a) {
  HAVEN_RETURN_IF_ERROR(CheckOri("ori", a.ori));
  HAVEN_RETURN_IF_ERROR(CheckText("name", a.name, 200));
  HAVEN_RETURN_IF_ERROR(CheckText("department", a.department, 64));
  HAVEN_RETURN_IF_ERROR(CheckText("component", a.component, 64));
  if (JurisdictionName(a.jurisdiction).empty()) {
    return Status::InvalidArgument(
        "jurisdiction: must be local, state or "
        "federal");
  }
  if (!a.network.empty()) HAVEN_RETURN_IF_ERROR(CheckNetwork(a.network));
  return Status::Ok();
}

Status CheckActor(std::string_view actor) {
  return CheckText("actor", actor, 256);
}

// ---------------------------------------------------------------------------
// Tokens.

std::string Hex(const unsigned char* p, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

Digest HashSecret(std::string_view secret) {
  Digest d;
  crypto_hash_sha256(d.data(),
                     reinterpret_cast<const unsigned char*>(secret.data()),
                     secret.size());
  return d;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsSecret(std::string_view s) {
  return s.size() == kSecretPrefix.size() + 2 * kSecretBytes &&
         s.substr(0, kSecretPrefix.size()) == kSecretPrefix &&
         IsLowerHex(s.substr(kSecretPrefix.size()));
}

bool IsTokenId(std::string_view s) {
  return s.size() == kTokenIdPrefix.size() + 2 * kTokenIdBytes &&
         s.substr(0, kTokenIdPrefix.size()) == kTokenIdPrefix &&
         IsLowerHex(s.substr(kTokenIdPrefix.size()));
}

// ---------------------------------------------------------------------------
// Audit entries.

boost::json::object ChangeEntry(std::string_view change, std::string_view actor,
                                int64_t now) {
  boost::json::object o;
  o["kind"] = "directory";
  o["change"] = change;
  o["actor"] = actor;
  o["time"] = FormatUtc(now);
  return o;
}

boost::json::array JsonStrings(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

}  // namespace

std::string_view JurisdictionName(Jurisdiction j) {
  switch (j) {
    case Jurisdiction::kLocal:
      return "local";
    case Jurisdiction::kState:
      return "state";
    case Jurisdiction::kFederal:
      return "federal";
  }
  return {};
}

std::optional<Jurisdiction> ParseJurisdiction(std::string_view name) {
  if (name == "local") return Jurisdiction::kLocal;
  if (name == "state") return Jurisdiction::kState;
  if (name == "federal") return Jurisdiction::kFederal;
  return std::nullopt;
}

std::span<const std::string_view> KnownRoles() { return kRoles; }

std::string FormatUtc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return n ? std::string(buf, n) : std::to_string(unix_seconds);
}

struct Directory::Impl {
  std::string path;
  Options options;

  // Guards conn and the version state.
  std::mutex mu;
  Connection conn;
  uint64_t version = 1;
  int64_t data_version = 0;  // PRAGMA data_version when last looked at

  // Guards recorder, RecordChanges' own connection (see the top of file).
  std::mutex record_mu;
  std::unique_ptr<Connection> recorder;

  int64_t Now() const {
    auto t = options.now ? options.now() : std::chrono::system_clock::now();
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch())
        .count();
  }

  // Bumps `version` if another connection committed since the last look.
  StatusOr<uint64_t> VersionLocked() {
    HAVEN_QUERY(q, conn, "PRAGMA data_version");
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    int64_t dv = q.Int(0);
    if (dv != data_version) {
      data_version = dv;
      ++version;
    }
    return version;
  }

  // Commits `txn`, a change, and counts it: data_version does not move for
  // this connection's own commits.
  Status CommitChange(Transaction& txn) {
    HAVEN_RETURN_IF_ERROR(txn.Commit());
    ++version;
    return Status::Ok();
  }

  Status AddOutbox(const boost::json::object& entry, int64_t now) {
    HAVEN_QUERY(q, conn,
                "INSERT INTO outbox(entry, created_at) VALUES (?1, ?2)");
    q.Bind(1, CanonicalJson(entry));
    q.Bind(2, now);
    return q.Run();
  }

  // NotFound unless a row matches.
  Status Exists(const char* sql, std::string_view key, std::string message) {
    StatusOr<sqlite3_stmt*> stmt = conn.Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    Query q(conn.db(), *stmt);
    q.Bind(1, key);
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    return *row ? Status::Ok() : Status::NotFound(std::move(message));
  }
  Status AgencyExists(std::string_view field, std::string_view ori) {
    return Exists("SELECT 1 FROM agencies WHERE ori = ?1", ori,
                  std::string(field) + ": no agency " + Quote(ori));
  }

  static Agency ReadAgency(const Query& q, int c) {
    Agency a;
    a.ori = q.Text(c);
    a.name = q.Text(c + 1);
    a.jurisdiction =
        ParseJurisdiction(q.Text(c + 2)).value_or(Jurisdiction::kLocal);
    a.department = q.Text(c + 3);
    a.component = q.Text(c + 4);
    a.sharing_agreement = q.Int(c + 5) != 0;
    a.network = q.Text(c + 6);
    a.created_at = q.Int(c + 7);
    return a;
  }
  // id, agency_ori, name, created_at; no memberships.
  static User UserRow(const Query& q) {
    User u;
    u.id = q.Text(0);
    u.agency_ori = q.Text(1);
    u.name = q.Text(2);
    u.created_at = q.Int(3);
    return u;
  }

#define HAVEN_AGENCY_COLUMNS                                   \
  "a.ori, a.name, a.jurisdiction, a.department, a.component, " \
  "a.sharing_agreement, a.network, a.created_at"

  // Fills u.roles and u.groups.
  Status ReadMemberships(User& u) {
    {
      HAVEN_QUERY(q, conn,
                  "SELECT role FROM user_roles WHERE user_id = ?1 "
                  "ORDER BY position");
      q.Bind(1, u.id);
      for (;;) {
        StatusOr<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        u.roles.push_back(q.Text(0));
      }
    }
    HAVEN_QUERY(q, conn,
                "SELECT group_id FROM user_groups WHERE user_id = ?1 "
                "ORDER BY position");
    q.Bind(1, u.id);
    for (;;) {
      StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      u.groups.push_back(q.Text(0));
    }
    return Status::Ok();
  }

  StatusOr<std::vector<Agency>> ListAgenciesLocked() {
    HAVEN_QUERY(q, conn,
                "SELECT " HAVEN_AGENCY_COLUMNS " FROM agencies a ORDER BY ori");
    std::vector<Agency> out;
    for (;;) {
      StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      out.push_back(ReadAgency(q, 0));
    }
  }

  StatusOr<std::vector<Group>> ListGroupsLocked() {
    HAVEN_QUERY(q, conn,
                "SELECT id, name, lead_ori, created_at FROM task_groups "
                "ORDER BY id");
    std::vector<Group> out;
    for (;;) {
      StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      Group g;
      g.id = q.Text(0);
      g.name = q.Text(1);
      g.lead_ori = q.Text(2);
      g.created_at = q.Int(3);
      out.push_back(std::move(g));
    }
  }

  StatusOr<std::vector<User>> ListUsersLocked(std::string_view agency_ori) {
    std::vector<User> out;
    std::map<std::string, size_t, std::less<>> by_id;
    {
      StatusOr<sqlite3_stmt*> stmt =
          agency_ori.empty()
              ? conn.Prepare(
                    "SELECT id, agency_ori, name, created_at "
                    "FROM users ORDER BY id")
              : conn.Prepare(
                    "SELECT id, agency_ori, name, created_at "
                    "FROM users WHERE agency_ori = ?1 ORDER BY id");
      if (!stmt.ok()) return stmt.status();
      Query q(conn.db(), *stmt);
      if (!agency_ori.empty()) q.Bind(1, agency_ori);
      for (;;) {
        StatusOr<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        by_id.emplace(q.Text(0), out.size());
        out.push_back(UserRow(q));
      }
    }
    // Memberships in two scans rather than two queries per user.
    {
      HAVEN_QUERY(q, conn,
                  "SELECT user_id, role FROM user_roles "
                  "ORDER BY user_id, position");
      for (;;) {
        StatusOr<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        auto it = by_id.find(q.Text(0));
        if (it != by_id.end()) out[it->second].roles.push_back(q.Text(1));
      }
    }
    HAVEN_QUERY(q, conn,
                "SELECT user_id, group_id FROM user_groups "
                "ORDER BY user_id, position");
    for (;;) {
      StatusOr<bool> row = q.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      auto it = by_id.find(q.Text(0));
      if (it != by_id.end()) out[it->second].groups.push_back(q.Text(1));
    }
    return out;
  }

  // Opens the recorder connection on first use.
  Status OpenRecorderLocked() {
    if (recorder) return Status::Ok();
    auto c = std::make_unique<Connection>();
    HAVEN_RETURN_IF_ERROR(c->Open(path));
    recorder = std::move(c);
    return Status::Ok();
  }
};

Directory::Directory(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Directory::~Directory() = default;

StatusOr<std::unique_ptr<Directory>> Directory::Open(std::string_view path) {
  return Open(path, Options{});
}

StatusOr<std::unique_ptr<Directory>> Directory::Open(std::string_view path,
                                                     const Options& options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to start");
  auto impl = std::make_unique<Impl>();
  impl->path = std::string(path);
  impl->options = options;
  Connection& c = impl->conn;
  HAVEN_RETURN_IF_ERROR(c.Open(impl->path));
  {
    Transaction txn(c);
    HAVEN_RETURN_IF_ERROR(txn.Begin(/*immediate=*/true));
    for (const char* sql : kSchema) HAVEN_RETURN_IF_ERROR(c.Exec(sql));
    HAVEN_QUERY(ins, c,
                "INSERT OR IGNORE INTO meta(key, value) "
                "VALUES ('schema_version', ?1)");
    ins.Bind(1, std::to_string(kSchemaVersion));
    HAVEN_RETURN_IF_ERROR(ins.Run());
    StatusOr<std::string> v =
        c.Scalar("SELECT value FROM meta WHERE key = 'schema_version'");
    if (!v.ok()) return v.status();
    if (*v != std::to_string(kSchemaVersion)) {
      return Status::FailedPrecondition(
          impl->path + " has directory schema version " + *v +
          "; this program knows version " + std::to_string(kSchemaVersion));
    }
    HAVEN_RETURN_IF_ERROR(txn.Commit());
  }
  StatusOr<uint64_t> v = impl->VersionLocked();
  if (!v.ok()) return v.status();
  return std::unique_ptr<Directory>(new Directory(std::move(impl)));
}

Status Directory::AddAgency(const Agency& agency, std::string_view actor) {
  HAVEN_RETURN_IF_ERROR(CheckAgency(agency));
  HAVEN_RETURN_IF_ERROR(CheckActor(actor));
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  Connection& c = impl_->conn;
  Transaction txn(c);
  HAVEN_RETURN_IF_ERROR(txn.Begin(true));
  if (impl_->AgencyExists("ori", agency.ori).ok()) {
    return Status::AlreadyExists("ori: agency " + Quote(agency.ori) +
                                 " already exists");
  }
  {
    HAVEN_QUERY(q, c,
                "INSERT INTO agencies(ori, name, jurisdiction, department, "
                "component, sharing_agreement, network, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    q.Bind(1, agency.ori);
    q.Bind(2, agency.name);
    q.Bind(3, JurisdictionName(agency.jurisdiction));
    q.Bind(4, agency.department);
    q.Bind(5, agency.component);
    q.Bind(6, int64_t{agency.sharing_agreement});
    q.Bind(7, agency.network);
    q.Bind(8, now);
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  boost::json::object entry = ChangeEntry("agency.add", actor, now);
  entry["agency"] = boost::json::object{
      {"ori", agency.ori},
      {"name", agency.name},
      {"jurisdiction", JurisdictionName(agency.jurisdiction)},
      {"department", agency.department},
      {"component", agency.component},
      {"sharing_agreement", agency.sharing_agreement},
      {"network", agency.network}};
  HAVEN_RETURN_IF_ERROR(impl_->AddOutbox(entry, now));
  return impl_->CommitChange(txn);
}

Status Directory::AddGroup(const Group& group, std::string_view actor) {
  HAVEN_RETURN_IF_ERROR(CheckGroupId("id", group.id));
  HAVEN_RETURN_IF_ERROR(CheckText("name", group.name, 200));
  HAVEN_RETURN_IF_ERROR(CheckOri("lead_ori", group.lead_ori));
  HAVEN_RETURN_IF_ERROR(CheckActor(actor));
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  Connection& c = impl_->conn;
  Transaction txn(c);
  HAVEN_RETURN_IF_ERROR(txn.Begin(true));
  Status exists =
      impl_->Exists("SELECT 1 FROM task_groups WHERE id = ?1", group.id, "");
  if (exists.ok()) {
    return Status::AlreadyExists("id: group " + Quote(group.id) +
                                 " already exists");
  }
  if (exists.code() != StatusCode::kNotFound) return exists;
  HAVEN_RETURN_IF_ERROR(impl_->AgencyExists("lead_ori", group.lead_ori));
  {
    HAVEN_QUERY(q, c,
                "INSERT INTO task_groups(id, name, lead_ori, created_at) "
                "VALUES (?1, ?2, ?3, ?4)");
    q.Bind(1, group.id);
    q.Bind(2, group.name);
    q.Bind(3, group.lead_ori);
    q.Bind(4, now);
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  boost::json::object entry = ChangeEntry("group.add", actor, now);
  entry["group"] = boost::json::object{
      {"id", group.id}, {"name", group.name}, {"lead", group.lead_ori}};
  HAVEN_RETURN_IF_ERROR(impl_->AddOutbox(entry, now));
  return impl_->CommitChange(txn);
}

Status Directory::AddUser(const User& user, std::string_view actor) {
  HAVEN_RETURN_IF_ERROR(CheckUserId("id", user.id));
  HAVEN_RETURN_IF_ERROR(CheckOri("agency_ori", user.agency_ori));
  HAVEN_RETURN_IF_ERROR(CheckText("name", user.name, 200));
  for (size_t i = 0; i < user.roles.size(); ++i) {
    const std::string& r = user.roles[i];
    bool known = false;
    for (std::string_view k : kRoles) known = known || r == k;
    if (!known) {
      return Status::InvalidArgument(
          "roles: " + Quote(r) +
          " is not a role (officer, analyst, oversight or admin)");
    }
    for (size_t j = 0; j < i; ++j) {
      if (user.roles[j] == r) {
        return Status::InvalidArgument("roles: " + Quote(r) +
                                       " is listed twice");
      }
    }
  }
  for (size_t i = 0; i < user.groups.size(); ++i) {
    HAVEN_RETURN_IF_ERROR(CheckGroupId("groups", user.groups[i]));
    for (size_t j = 0; j < i; ++j) {
      if (user.groups[j] == user.groups[i]) {
        return Status::InvalidArgument("groups: " + Quote(user.groups[i]) +
                                       " is listed twice");
      }
    }
  }
  HAVEN_RETURN_IF_ERROR(CheckActor(actor));

  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  Connection& c = impl_->conn;
  Transaction txn(c);
  HAVEN_RETURN_IF_ERROR(txn.Begin(true));
  Status exists =
      impl_->Exists("SELECT 1 FROM users WHERE id = ?1", user.id, "");
  if (exists.ok()) {
    return Status::AlreadyExists("id: user " + Quote(user.id) +
                                 " already exists");
  }
  if (exists.code() != StatusCode::kNotFound) return exists;
  HAVEN_RETURN_IF_ERROR(impl_->AgencyExists("agency_ori", user.agency_ori));
  for (const std::string& g : user.groups) {
    HAVEN_RETURN_IF_ERROR(
        impl_->Exists("SELECT 1 FROM task_groups WHERE id = ?1", g,
                      "groups: no group " + Quote(g)));
  }
  {
    HAVEN_QUERY(q, c,
                "INSERT INTO users(id, agency_ori, name, created_at) "
                "VALUES (?1, ?2, ?3, ?4)");
    q.Bind(1, user.id);
    q.Bind(2, user.agency_ori);
    q.Bind(3, user.name);
    q.Bind(4, now);
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  for (size_t i = 0; i < user.roles.size(); ++i) {
    HAVEN_QUERY(q, c,
                "INSERT INTO user_roles(user_id, role, position) "
                "VALUES (?1, ?2, ?3)");
    q.Bind(1, user.id);
    q.Bind(2, user.roles[i]);
    q.Bind(3, static_cast<int64_t>(i));
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  for (size_t i = 0; i < user.groups.size(); ++i) {
    HAVEN_QUERY(q, c,
                "INSERT INTO user_groups(user_id, group_id, position) "
                "VALUES (?1, ?2, ?3)");
    q.Bind(1, user.id);
    q.Bind(2, user.groups[i]);
    q.Bind(3, static_cast<int64_t>(i));
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  boost::json::object entry = ChangeEntry("user.add", actor, now);
  entry["user"] = boost::json::object{{"id", user.id},
                                      {"agency", user.agency_ori},
                                      {"name", user.name},
                                      {"roles", JsonStrings(user.roles)},
                                      {"groups", JsonStrings(user.groups)}};
  HAVEN_RETURN_IF_ERROR(impl_->AddOutbox(entry, now));
  return impl_->CommitChange(txn);
}

StatusOr<Agency> Directory::GetAgency(std::string_view ori) {
  std::lock_guard lock(impl_->mu);
  HAVEN_QUERY(q, impl_->conn,
              "SELECT " HAVEN_AGENCY_COLUMNS " FROM agencies a WHERE ori = ?1");
  q.Bind(1, ori);
  StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no agency " + Quote(ori));
  return Impl::ReadAgency(q, 0);
}

StatusOr<User> Directory::GetUser(std::string_view id) {
  std::lock_guard lock(impl_->mu);
  User u;
  {
    HAVEN_QUERY(q, impl_->conn,
                "SELECT id, agency_ori, name, created_at FROM users "
                "WHERE id = ?1");
    q.Bind(1, id);
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no user " + Quote(id));
    u = Impl::UserRow(q);
  }
  HAVEN_RETURN_IF_ERROR(impl_->ReadMemberships(u));
  return u;
}

StatusOr<std::vector<Agency>> Directory::ListAgencies() {
  std::lock_guard lock(impl_->mu);
  return impl_->ListAgenciesLocked();
}

StatusOr<std::vector<Group>> Directory::ListGroups() {
  std::lock_guard lock(impl_->mu);
  return impl_->ListGroupsLocked();
}

StatusOr<std::vector<User>> Directory::ListUsers(std::string_view agency_ori) {
  std::lock_guard lock(impl_->mu);
  Transaction txn(impl_->conn);  // one consistent read
  HAVEN_RETURN_IF_ERROR(txn.Begin(false));
  StatusOr<std::vector<User>> users = impl_->ListUsersLocked(agency_ori);
  if (!users.ok()) return users.status();
  HAVEN_RETURN_IF_ERROR(txn.Commit());
  return users;
}

StatusOr<IssuedToken> Directory::IssueToken(std::string_view user_id,
                                            std::chrono::seconds ttl,
                                            std::string_view actor) {
  HAVEN_RETURN_IF_ERROR(CheckUserId("user_id", user_id));
  if (ttl.count() <= 0 || ttl.count() > kMaxTtlSeconds) {
    return Status::InvalidArgument(
        "ttl: must be more than 0 and at most "
        "3660 days, not " +
        std::to_string(ttl.count()) + " seconds");
  }
  HAVEN_RETURN_IF_ERROR(CheckActor(actor));

  unsigned char raw[kSecretBytes];
  randombytes_buf(raw, sizeof raw);
  IssuedToken t;
  t.secret = std::string(kSecretPrefix) + Hex(raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  Digest hash = HashSecret(t.secret);
  unsigned char id_raw[kTokenIdBytes];
  randombytes_buf(id_raw, sizeof id_raw);  // independent of the secret
  t.info.id = std::string(kTokenIdPrefix) + Hex(id_raw, sizeof id_raw);
  t.info.user_id = std::string(user_id);

  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  t.info.issued_at = now;
  t.info.expires_at = now + ttl.count();
  Connection& c = impl_->conn;
  Transaction txn(c);
  HAVEN_RETURN_IF_ERROR(txn.Begin(true));
  HAVEN_RETURN_IF_ERROR(impl_->Exists("SELECT 1 FROM users WHERE id = ?1",
                                      user_id,
                                      "user_id: no user " + Quote(user_id)));
  {
    HAVEN_QUERY(q, c,
                "INSERT INTO tokens(id, hash, user_id, issued_at, expires_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5)");
    q.Bind(1, t.info.id);
    q.BindBlob(2, hash.data(), hash.size());
    q.Bind(3, user_id);
    q.Bind(4, t.info.issued_at);
    q.Bind(5, t.info.expires_at);
    // A clash of 64-bit random ids is AlreadyExists; the caller may retry.
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  boost::json::object entry = ChangeEntry("token.issue", actor, now);
  entry["token"] =
      boost::json::object{{"id", t.info.id},
                          {"user", t.info.user_id},
                          {"expires", FormatUtc(t.info.expires_at)}};
  HAVEN_RETURN_IF_ERROR(impl_->AddOutbox(entry, now));
  HAVEN_RETURN_IF_ERROR(impl_->CommitChange(txn));
  return t;
}

Status Directory::RevokeToken(std::string_view token_id,
                              std::string_view actor) {
  if (!IsTokenId(token_id)) {
    return Status::InvalidArgument(
        "token id: must be \"tok_\" and 16 hex characters, not " +
        Quote(token_id));
  }
  HAVEN_RETURN_IF_ERROR(CheckActor(actor));
  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  Connection& c = impl_->conn;
  Transaction txn(c);
  HAVEN_RETURN_IF_ERROR(txn.Begin(true));
  std::string user_id;
  {
    HAVEN_QUERY(q, c, "SELECT user_id, revoked_at FROM tokens WHERE id = ?1");
    q.Bind(1, token_id);
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::NotFound("no token " + Quote(token_id));
    // Revoking twice changes nothing and writes no entry.
    if (!q.IsNull(1)) return Status::Ok();
    user_id = q.Text(0);
  }
  {
    HAVEN_QUERY(q, c, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1");
    q.Bind(1, token_id);
    q.Bind(2, now);
    HAVEN_RETURN_IF_ERROR(q.Run());
  }
  boost::json::object entry = ChangeEntry("token.revoke", actor, now);
  entry["token"] = boost::json::object{{"id", token_id}, {"user", user_id}};
  HAVEN_RETURN_IF_ERROR(impl_->AddOutbox(entry, now));
  return impl_->CommitChange(txn);
}

StatusOr<std::vector<TokenInfo>> Directory::ListTokens(
    std::string_view user_id) {
  std::lock_guard lock(impl_->mu);
  Connection& c = impl_->conn;
  StatusOr<sqlite3_stmt*> stmt =
      user_id.empty()
          ? c.Prepare(
                "SELECT id, user_id, issued_at, expires_at, revoked_at "
                "FROM tokens ORDER BY issued_at, id")
          : c.Prepare(
                "SELECT id, user_id, issued_at, expires_at, revoked_at "
                "FROM tokens WHERE user_id = ?1 ORDER BY issued_at, id");
  if (!stmt.ok()) return stmt.status();
  Query q(c.db(), *stmt);
  if (!user_id.empty()) q.Bind(1, user_id);
  std::vector<TokenInfo> out;
  for (;;) {
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    TokenInfo t;
    t.id = q.Text(0);
    t.user_id = q.Text(1);
    t.issued_at = q.Int(2);
    t.expires_at = q.Int(3);
    if (!q.IsNull(4)) t.revoked_at = q.Int(4);
    out.push_back(std::move(t));
  }
}

StatusOr<Credential> Directory::Authenticate(std::string_view secret,
                                             std::string* token_id) {
  if (token_id) token_id->clear();
  // A malformed secret cannot match; say "unknown" as for any other miss.
  if (!IsSecret(secret)) return Status::Unauthenticated("unknown token");
  Digest hash = HashSecret(secret);

  std::lock_guard lock(impl_->mu);
  int64_t now = impl_->Now();
  Connection& c = impl_->conn;
  Credential cred;
  {
    // Users and agencies are never changed once added, so the separate
    // membership reads below see the same user.
    HAVEN_QUERY(q, c,
                "SELECT t.id, t.expires_at, t.revoked_at, u.id, u.name, "
                "u.created_at, " HAVEN_AGENCY_COLUMNS
                " FROM tokens t JOIN users u ON u.id = t.user_id"
                " JOIN agencies a ON a.ori = u.agency_ori WHERE t.hash = ?1");
    q.BindBlob(1, hash.data(), hash.size());
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Unauthenticated("unknown token");
    cred.token_id = q.Text(0);
    if (token_id) *token_id = cred.token_id;
    if (!q.IsNull(2)) {
      return Status::Unauthenticated("token " + cred.token_id + " revoked at " +
                                     FormatUtc(q.Int(2)));
    }
    if (now >= q.Int(1)) {
      return Status::Unauthenticated("token " + cred.token_id + " expired at " +
                                     FormatUtc(q.Int(1)));
    }
    cred.user.id = q.Text(3);
    cred.user.name = q.Text(4);
    cred.user.created_at = q.Int(5);
    cred.agency = Impl::ReadAgency(q, 6);
    cred.user.agency_ori = cred.agency.ori;
  }
  HAVEN_RETURN_IF_ERROR(impl_->ReadMemberships(cred.user));
  return cred;
}

StatusOr<Snapshot> Directory::ReadSnapshot() {
  std::lock_guard lock(impl_->mu);
  Snapshot snap;
  // The version first: a commit that lands before the read transaction
  // starts is then both in the snapshot and seen as new by the next
  // version() call, which costs one spare reload and never misses a change.
  StatusOr<uint64_t> v = impl_->VersionLocked();
  if (!v.ok()) return v.status();
  snap.version = *v;
  Transaction txn(impl_->conn);
  HAVEN_RETURN_IF_ERROR(txn.Begin(false));
  StatusOr<std::vector<Agency>> agencies = impl_->ListAgenciesLocked();
  if (!agencies.ok()) return agencies.status();
  StatusOr<std::vector<Group>> groups = impl_->ListGroupsLocked();
  if (!groups.ok()) return groups.status();
  StatusOr<std::vector<User>> users = impl_->ListUsersLocked({});
  if (!users.ok()) return users.status();
  HAVEN_RETURN_IF_ERROR(txn.Commit());
  snap.agencies = std::move(*agencies);
  snap.groups = std::move(*groups);
  snap.users = std::move(*users);
  return snap;
}

StatusOr<uint64_t> Directory::version() {
  std::lock_guard lock(impl_->mu);
  return impl_->VersionLocked();
}

StatusOr<std::vector<Change>> Directory::PendingChanges(size_t limit) {
  std::lock_guard lock(impl_->mu);
  HAVEN_QUERY(q, impl_->conn,
              "SELECT seq, entry FROM outbox WHERE recorded_at IS NULL "
              "ORDER BY seq LIMIT ?1");
  q.Bind(1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<Change> out;
  for (;;) {
    StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({.seq = q.Int(0), .entry = q.Text(1)});
  }
}

Status Directory::MarkRecorded(int64_t seq) {
  std::lock_guard lock(impl_->mu);
  HAVEN_QUERY(q, impl_->conn,
              "UPDATE outbox SET recorded_at = ?2 "
              "WHERE seq <= ?1 AND recorded_at IS NULL");
  q.Bind(1, seq);
  q.Bind(2, impl_->Now());
  return q.Run();
}

StatusOr<size_t> Directory::RecordChanges(
    const std::function<Status(std::span<const std::string>)>& append) {
  std::lock_guard lock(impl_->record_mu);
  HAVEN_RETURN_IF_ERROR(impl_->OpenRecorderLocked());
  Connection& c = *impl_->recorder;
  size_t total = 0;
  for (;;) {
    // The write lock, held from reading the chunk to marking it, is what
    // keeps two recorders from appending the same entries.
    Transaction txn(c);
    HAVEN_RETURN_IF_ERROR(txn.Begin(/*immediate=*/true));
    std::vector<std::string> entries;
    int64_t last = 0;
    {
      HAVEN_QUERY(q, c,
                  "SELECT seq, entry FROM outbox WHERE recorded_at IS NULL "
                  "ORDER BY seq LIMIT ?1");
      q.Bind(1, static_cast<int64_t>(kRecordChunk));
      for (;;) {
        StatusOr<bool> row = q.Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        last = q.Int(0);
        entries.push_back(q.Text(1));
      }
    }
    if (entries.empty()) return total;  // the transaction rolls back
    Status s;
    try {
      s = append(entries);
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("append threw: ") + e.what());
    } catch (...) {
      s = Status::Internal("append threw");
    }
    if (!s.ok()) return s;  // rolled back: the chunk stays pending
    {
      HAVEN_QUERY(q, c,
                  "UPDATE outbox SET recorded_at = ?2 "
                  "WHERE seq <= ?1 AND recorded_at IS NULL");
      q.Bind(1, last);
      q.Bind(2, impl_->Now());
      HAVEN_RETURN_IF_ERROR(q.Run());
    }
    Status commit = txn.Commit();
    if (!commit.ok()) {
      // The ledger holds the chunk but it is still pending: the next
      // recorder appends it again (at least once, never lost).
      return Status::IOError(
          "directory changes were appended to the ledger but could not be "
          "marked recorded (" +
          commit.ToString() + "); they will be appended again");
    }
    total += entries.size();
  }
}

}  // namespace haven::directory
