// Directory: who may ask Haven anything — agencies, their users, the groups
// (task forces) users belong to, and the bearer tokens they present.
//
// Stored in one SQLite database (WAL mode) that the server and the `haven
// agency|user|token` commands open at the same time: a change made by a
// command is seen by the server's next request (see version()).
//
//   StatusOr<std::unique_ptr<Directory>> d =
//       Directory::Open(dir + "/directory.db");
//   Status s = (*d)->AddAgency(
//       {.ori = "ILCPD0000", .name = "Chicago Police Department",
//        .jurisdiction = Jurisdiction::kLocal, .department = "CITY",
//        .component = "CPD"},
//       "admin");
//   StatusOr<IssuedToken> t = (*d)->IssueToken(
//       "cpd.detective", std::chrono::hours(24 * 90), "admin");
//   // t->secret is shown once; only SHA-256(secret) is stored.
//   StatusOr<Credential> who = (*d)->Authenticate(t->secret);
//
// Every change (agency, group or user added, token issued or revoked) is
// written in the same SQLite transaction as one pending audit entry (an
// outbox): whoever holds the ledger appends the pending entries and marks
// them recorded (PendingChanges / MarkRecorded), so no change can happen
// without its ledger entry eventually being written.
//
// Thread-safety: a Directory may be used from many threads at once (one
// connection behind a mutex). Several processes may open the same file.
#ifndef HAVEN_DIRECTORY_DIRECTORY_H_
#define HAVEN_DIRECTORY_DIRECTORY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace haven::directory {

enum class Jurisdiction { kLocal, kState, kFederal };
// "local", "state", "federal".
std::string_view JurisdictionName(Jurisdiction j);
std::optional<Jurisdiction> ParseJurisdiction(std::string_view name);

// The roles a user may hold: "officer", "analyst", "oversight", "admin".
std::span<const std::string_view> KnownRoles();

// Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" (UTC), the form audit entries and
// messages use: FormatUtc(0) == "1970-01-01T00:00:00Z".
std::string FormatUtc(int64_t unix_seconds);

struct Options {
  // The clock for created_at, token issue and expiry, and authentication;
  // empty means std::chrono::system_clock::now. Tests set it.
  std::function<std::chrono::system_clock::time_point()> now;
};

struct Agency {
  std::string ori;   // FBI Originating Agency Identifier: 9 characters [A-Z0-9]
  std::string name;  // "Chicago Police Department"
  Jurisdiction jurisdiction = Jurisdiction::kLocal;
  std::string department;  // parent body: "CITY", "DHS", "DOJ", ...
  std::string component;   // "CPD", "ICE", "FBI", ...
  // The city has a criminal-justice sharing agreement with this agency.
  bool sharing_agreement = false;
  // If not empty, the CIDR range the agency's users must query from.
  std::string network;
  int64_t created_at = 0;  // Unix seconds, set by AddAgency
};

// A group of users from several agencies, led by one: a task force.
struct Group {
  std::string id;  // "hsi-chicago-gang-tf": [a-z0-9.-]{1,64}
  std::string name;
  std::string lead_ori;  // must be a known agency
  int64_t created_at = 0;
};

struct User {
  std::string id;          // "cpd.detective": [a-z0-9._-]{1,64}
  std::string agency_ori;  // must be a known agency
  std::string name;        // display name
  // Among "officer", "analyst", "oversight", "admin".
  std::vector<std::string> roles;
  std::vector<std::string> groups;  // ids of known groups
  int64_t created_at = 0;
};

struct TokenInfo {
  std::string id;  // public id for audit and revocation: "tok_" + 16 hex
  std::string user_id;
  int64_t issued_at = 0;   // Unix seconds
  int64_t expires_at = 0;  // Unix seconds
  std::optional<int64_t> revoked_at;
};

struct IssuedToken {
  TokenInfo info;
  // "hvn_" + 64 hex characters (256 random bits). Shown once, never stored.
  std::string secret;
};

// Who a valid token belongs to.
struct Credential {
  std::string token_id;
  User user;
  Agency agency;
};

// Everything the server needs to build Cedar entities, read at one moment.
struct Snapshot {
  uint64_t version = 0;  // version() when read
  std::vector<Agency> agencies;
  std::vector<Group> groups;
  std::vector<User> users;
};

// One pending audit entry of a directory change.
struct Change {
  int64_t seq = 0;  // increasing
  // Canonical JSON (base/canonical_json.h), e.g. {"actor":"admin",
  // "change":"token.revoke","kind":"directory","time":"2026-11-27T15:04:05Z",
  // "token":{"id":"tok_...","user":"cpd.detective"}}. Never holds a secret
  // or a token hash.
  std::string entry;
};

class Directory {
 public:
  // Opens (creating if missing, with its schema) the database at `path`.
  static StatusOr<std::unique_ptr<Directory>> Open(std::string_view path);
  static StatusOr<std::unique_ptr<Directory>> Open(std::string_view path,
                                                   const Options& options);
  ~Directory();
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // Adds; InvalidArgument names the bad field ("ori: must be 9 characters
  // A-Z or 0-9"); AlreadyExists if the id is taken; NotFound for an
  // unknown agency or group referred to. `actor` is who made the change
  // (logged).
  Status AddAgency(const Agency& agency, std::string_view actor);
  Status AddGroup(const Group& group, std::string_view actor);
  Status AddUser(const User& user, std::string_view actor);

  StatusOr<Agency> GetAgency(std::string_view ori);
  StatusOr<User> GetUser(std::string_view id);
  StatusOr<std::vector<Agency>> ListAgencies();
  StatusOr<std::vector<Group>> ListGroups();
  // All users, or those of one agency.
  StatusOr<std::vector<User>> ListUsers(std::string_view agency_ori = {});

  // A fresh token for a known user, valid for `ttl` from now.
  StatusOr<IssuedToken> IssueToken(std::string_view user_id,
                                   std::chrono::seconds ttl,
                                   std::string_view actor);
  // Revokes at once; NotFound if unknown; revoking twice is OK.
  Status RevokeToken(std::string_view token_id, std::string_view actor);
  // All tokens, or one user's (never the secrets).
  StatusOr<std::vector<TokenInfo>> ListTokens(std::string_view user_id = {});

  // The credential `secret` belongs to. Unauthenticated, with a message
  // saying why ("unknown token", "token tok_... expired at ...",
  // "token tok_... revoked at ..."), and `*token_id` set when the token is
  // known.
  StatusOr<Credential> Authenticate(std::string_view secret,
                                    std::string* token_id = nullptr);

  StatusOr<Snapshot> ReadSnapshot();
  // Changes whenever any connection (any process) commits a change to the
  // directory; cheap enough to call on every request. It may also change
  // when nothing a snapshot holds did (e.g. entries marked recorded).
  StatusOr<uint64_t> version();

  // Pending audit entries of changes, oldest first, at most `limit`.
  StatusOr<std::vector<Change>> PendingChanges(size_t limit = 1000);
  // Marks every pending change with seq <= `seq` as recorded in the ledger.
  Status MarkRecorded(int64_t seq);
  // Hands every pending entry, in order and in chunks, to `append` (which
  // returns once they are durable, e.g. through Ledger::AppendAll) and marks
  // each chunk recorded after it succeeds. Returns how many were recorded.
  // Concurrent callers (two processes) must not record an entry twice: each
  // chunk is read, appended and marked under SQLite's write lock (BEGIN
  // IMMEDIATE, on a connection of its own so readers never wait), so a
  // second caller waits and then finds it recorded. A failing `append`
  // leaves the chunk pending. Only a crash between the append and the
  // commit can record a chunk twice (the next call appends it again).
  // `append` must not make changes through a Directory on the same file:
  // the write lock is held while it runs.
  StatusOr<size_t> RecordChanges(
      const std::function<Status(std::span<const std::string>)>& append);

 private:
  struct Impl;
  explicit Directory(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace haven::directory

#endif  // HAVEN_DIRECTORY_DIRECTORY_H_
