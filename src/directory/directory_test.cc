#include "directory/directory.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/canonical_json.h"
#include "gtest/gtest.h"

namespace haven::directory {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = ::testing::TempDir() + "haven_directory_XXXXXX";
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string db() const { return path_ + "/directory.db"; }

 private:
  std::string path_;
};

// A clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> now =
      std::make_shared<std::atomic<int64_t>>(
          1795791845);  // 2026-11-27T15:04:05Z
  Options options() const {
    auto n = now;
    return {.now = [n] {
      return std::chrono::system_clock::time_point(seconds(n->load()));
    }};
  }
};

std::unique_ptr<Directory> OpenOrDie(const std::string& path,
                                     const Options& options = {}) {
  auto d = Directory::Open(path, options);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(*d) : nullptr;
}

Agency Cpd() {
  return {.ori = "ILCPD0000",
          .name = "Chicago Police Department",
          .jurisdiction = Jurisdiction::kLocal,
          .department = "CITY",
          .component = "CPD",
          .sharing_agreement = true,
          .network = "10.20.0.0/16"};
}

Agency Ice() {
  return {.ori = "DCICE0000",
          .name = "ICE Enforcement and Removal Operations",
          .jurisdiction = Jurisdiction::kFederal,
          .department = "DHS",
          .component = "ICE"};
}

User Detective() {
  return {.id = "cpd.detective",
          .agency_ori = "ILCPD0000",
          .name = "A. Detective",
          .roles = {"officer", "analyst"}};
}

// A directory with CPD, ICE and the detective.
std::unique_ptr<Directory> Seeded(const std::string& path,
                                  const Options& options = {}) {
  auto d = OpenOrDie(path, options);
  EXPECT_TRUE(d->AddAgency(Cpd(), "admin").ok());
  EXPECT_TRUE(d->AddAgency(Ice(), "admin").ok());
  EXPECT_TRUE(d->AddUser(Detective(), "admin").ok());
  return d;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(Jurisdiction, NamesRoundTrip) {
  for (Jurisdiction j :
       {Jurisdiction::kLocal, Jurisdiction::kState, Jurisdiction::kFederal}) {
    EXPECT_EQ(ParseJurisdiction(JurisdictionName(j)), j);
  }
  EXPECT_EQ(ParseJurisdiction("county"), std::nullopt);
}

TEST(FormatUtc, WritesIso8601InUtc) {
  EXPECT_EQ(FormatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(1795791845), "2026-11-27T15:04:05Z");
}

TEST(Directory, AddsAnAgencyAndReadsItBack) {
  TempDir tmp;
  FakeClock clock;
  auto d = OpenOrDie(tmp.db(), clock.options());
  ASSERT_TRUE(d->AddAgency(Cpd(), "admin").ok());
  StatusOr<Agency> a = d->GetAgency("ILCPD0000");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->name, "Chicago Police Department");
  EXPECT_EQ(a->jurisdiction, Jurisdiction::kLocal);
  EXPECT_EQ(a->department, "CITY");
  EXPECT_EQ(a->component, "CPD");
  EXPECT_TRUE(a->sharing_agreement);
  EXPECT_EQ(a->network, "10.20.0.0/16");
  EXPECT_EQ(a->created_at, 1795791845);
  EXPECT_EQ(d->GetAgency("ILXXX0000").status().code(), StatusCode::kNotFound);
}

TEST(Directory, KeepsItsContentsAcrossReopening) {
  TempDir tmp;
  { Seeded(tmp.db()); }
  auto d = OpenOrDie(tmp.db());
  EXPECT_EQ(d->ListAgencies()->size(), 2u);
  StatusOr<User> u = d->GetUser("cpd.detective");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->roles, (std::vector<std::string>{"officer", "analyst"}));
}

TEST(Directory, RejectsABadOriNamingTheField) {
  TempDir tmp;
  auto d = OpenOrDie(tmp.db());
  for (std::string ori : {"ILCPD000", "ILCPD00000", "ilcpd0000", "ILCPD-000"}) {
    Agency a = Cpd();
    a.ori = ori;
    Status s = d->AddAgency(a, "admin");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << ori;
    EXPECT_EQ(s.message(),
              "ori: must be 9 characters A-Z or 0-9, not \"" + ori + "\"");
  }
}

TEST(Directory, RejectsEmptyOrControlTextNamingTheField) {
  TempDir tmp;
  auto d = OpenOrDie(tmp.db());
  Agency a = Cpd();
  a.name = "";
  EXPECT_EQ(d->AddAgency(a, "admin").message(), "name: must not be empty");
  a = Cpd();
  a.department = "CI\nTY";
  EXPECT_EQ(d->AddAgency(a, "admin").message(),
            "department: must not hold control characters: \"CI\\x0aTY\"");
  a = Cpd();
  a.component = "\xff";
  EXPECT_EQ(d->AddAgency(a, "admin").message(),
            "component: must be valid UTF-8");
  EXPECT_EQ(d->AddAgency(Cpd(), "").message(), "actor: must not be empty");
}

TEST(Directory, AcceptsOnlyCidrNetworks) {
  TempDir tmp;
  auto d = OpenOrDie(tmp.db());
  int n = 0;
  for (std::string net : {"10.0.0.0/8", "192.168.1.7/32", "0.0.0.0/0",
                          "2001:db8::/32", "::1/128"}) {
    Agency a = Cpd();
    a.ori = "ILNET000" + std::to_string(n++);
    a.network = net;
    EXPECT_TRUE(d->AddAgency(a, "admin").ok()) << net;
  }
  struct Bad {
    std::string net, why;
  };
  for (const Bad& b : std::vector<Bad>{
           {"10.0.0.0", "must be a CIDR range"},
           {"10.0.0.0/33", "prefix length must be 0 to 32"},
           {"10.0.0.0/08", "prefix length must be 0 to 32"},
           {"10.0.0/8", "not an IPv4 address"},
           {"10.1.0.0/8", "address has bits set beyond the /8 prefix"},
           {"2001:db8::/129", "prefix length must be 0 to 128"},
           {"2001:db8::1/32", "address has bits set beyond the /32 prefix"},
           {"::ffff:10.0.0.0/104", "IPv4-in-IPv6"},
           {"fe80::%eth0/64", "not an IPv6 address"},
       }) {
    Agency a = Cpd();
    a.network = b.net;
    Status s = d->AddAgency(a, "admin");
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << b.net;
    EXPECT_EQ(s.message().rfind("network: " + b.why, 0), 0u)
        << b.net << ": " << s.message();
  }
}

TEST(Directory, RefusesToAddTheSameIdTwice) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  Status s = d->AddAgency(Cpd(), "admin");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "ori: agency \"ILCPD0000\" already exists");
  s = d->AddUser(Detective(), "admin");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.message(), "id: user \"cpd.detective\" already exists");
  ASSERT_TRUE(
      d->AddGroup({.id = "tf", .name = "TF", .lead_ori = "DCICE0000"}, "admin")
          .ok());
  EXPECT_EQ(
      d->AddGroup({.id = "tf", .name = "TF", .lead_ori = "DCICE0000"}, "admin")
          .code(),
      StatusCode::kAlreadyExists);
}

TEST(Directory, UserOfAnUnknownAgencyOrGroupIsNotFound) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  User u = Detective();
  u.id = "someone";
  u.agency_ori = "ILNOP0000";
  Status s = d->AddUser(u, "admin");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "agency_ori: no agency \"ILNOP0000\"");
  u.agency_ori = "ILCPD0000";
  u.groups = {"no-such-tf"};
  s = d->AddUser(u, "admin");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "groups: no group \"no-such-tf\"");
  EXPECT_EQ(d->GetUser("someone").status().code(), StatusCode::kNotFound);
}

TEST(Directory, GroupNeedsAKnownLeadAgency) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  Status s = d->AddGroup(
      {.id = "hsi-chicago-gang-tf", .name = "TF", .lead_ori = "DCHSI0000"},
      "admin");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "lead_ori: no agency \"DCHSI0000\"");
  s = d->AddGroup({.id = "Bad_Id", .name = "TF", .lead_ori = "DCICE0000"},
                  "admin");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "id: must be 1 to 64 of a-z, 0-9, '.', '-', not \"Bad_Id\"");
}

TEST(Directory, RejectsUnknownAndRepeatedRoles) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  User u = Detective();
  u.id = "x";
  u.roles = {"officer", "sheriff"};
  EXPECT_EQ(d->AddUser(u, "admin").message(),
            "roles: \"sheriff\" is not a role (officer, analyst, oversight or "
            "admin)");
  u.roles = {"officer", "officer"};
  EXPECT_EQ(d->AddUser(u, "admin").message(),
            "roles: \"officer\" is listed twice");
  u.roles = {};
  u.id = "Upper";
  EXPECT_EQ(d->AddUser(u, "admin").code(), StatusCode::kInvalidArgument);
}

TEST(Directory, ListsUsersWithTheirRolesAndGroups) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  ASSERT_TRUE(
      d->AddGroup({.id = "hsi-tf", .name = "HSI TF", .lead_ori = "DCICE0000"},
                  "admin")
          .ok());
  ASSERT_TRUE(d->AddUser({.id = "ice.officer",
                          .agency_ori = "DCICE0000",
                          .name = "I. Officer",
                          .roles = {"officer"},
                          .groups = {"hsi-tf"}},
                         "admin")
                  .ok());
  StatusOr<std::vector<User>> all = d->ListUsers();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "cpd.detective");
  EXPECT_EQ((*all)[1].groups, std::vector<std::string>{"hsi-tf"});
  StatusOr<std::vector<User>> ice = d->ListUsers("DCICE0000");
  ASSERT_TRUE(ice.ok());
  ASSERT_EQ(ice->size(), 1u);
  EXPECT_EQ((*ice)[0].id, "ice.officer");
  EXPECT_EQ((*ice)[0].roles, std::vector<std::string>{"officer"});

  StatusOr<Snapshot> snap = d->ReadSnapshot();
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ(snap->agencies.size(), 2u);
  EXPECT_EQ(snap->groups.size(), 1u);
  EXPECT_EQ(snap->groups[0].lead_ori, "DCICE0000");
  EXPECT_EQ(snap->users.size(), 2u);
  EXPECT_EQ(snap->version, *d->version());
}

TEST(Directory, IssuedTokenAuthenticatesUntilRevokedThenFailsAtOnce) {
  TempDir tmp;
  FakeClock clock;
  auto d = Seeded(tmp.db(), clock.options());
  StatusOr<IssuedToken> t = d->IssueToken("cpd.detective", hours(24), "admin");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->secret.size(), 68u);
  EXPECT_EQ(t->secret.rfind("hvn_", 0), 0u);
  EXPECT_EQ(t->secret.find_first_not_of("0123456789abcdef", 4),
            std::string::npos);
  EXPECT_EQ(t->info.id.size(), 20u);
  EXPECT_EQ(t->info.id.rfind("tok_", 0), 0u);
  EXPECT_EQ(t->info.expires_at, t->info.issued_at + 24 * 3600);

  std::string id;
  StatusOr<Credential> who = d->Authenticate(t->secret, &id);
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(id, t->info.id);
  EXPECT_EQ(who->token_id, t->info.id);
  EXPECT_EQ(who->user.id, "cpd.detective");
  EXPECT_EQ(who->user.roles, (std::vector<std::string>{"officer", "analyst"}));
  EXPECT_EQ(who->agency.ori, "ILCPD0000");
  EXPECT_EQ(who->agency.network, "10.20.0.0/16");

  // A second connection (the server) sees the revocation on its next call.
  auto server = OpenOrDie(tmp.db(), clock.options());
  ASSERT_TRUE(server->Authenticate(t->secret).ok());
  clock.now->fetch_add(60);
  ASSERT_TRUE(d->RevokeToken(t->info.id, "admin").ok());
  who = server->Authenticate(t->secret, &id);
  EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(who.status().message(),
            "token " + t->info.id + " revoked at 2026-11-27T15:05:05Z");
  EXPECT_EQ(id, t->info.id);

  EXPECT_TRUE(d->RevokeToken(t->info.id, "admin").ok());  // twice is OK
  StatusOr<std::vector<TokenInfo>> list = d->ListTokens("cpd.detective");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].revoked_at, 1795791845 + 60);
}

TEST(Directory, ExpiredTokenIsUnauthenticatedNamingItsIdAndTime) {
  TempDir tmp;
  FakeClock clock;
  auto d = Seeded(tmp.db(), clock.options());
  StatusOr<IssuedToken> t = d->IssueToken("cpd.detective", seconds(10), "a");
  ASSERT_TRUE(t.ok());
  clock.now->fetch_add(9);
  EXPECT_TRUE(d->Authenticate(t->secret).ok());
  clock.now->fetch_add(1);
  std::string id;
  StatusOr<Credential> who = d->Authenticate(t->secret, &id);
  EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(who.status().message(),
            "token " + t->info.id + " expired at 2026-11-27T15:04:15Z");
  EXPECT_EQ(id, t->info.id);
}

TEST(Directory, UnknownOrMalformedSecretIsAnUnknownToken) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  ASSERT_TRUE(d->IssueToken("cpd.detective", hours(1), "admin").ok());
  std::string id = "stale";
  for (std::string secret : {"hvn_" + std::string(64, '0'), std::string("x"),
                             std::string(""), "hvn_" + std::string(64, 'A')}) {
    StatusOr<Credential> who = d->Authenticate(secret, &id);
    EXPECT_EQ(who.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(who.status().message(), "unknown token");
    EXPECT_EQ(id, "");
  }
}

TEST(Directory, TokenForAnUnknownUserOrWithNoTtlIsRefused) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  StatusOr<IssuedToken> t = d->IssueToken("nobody", hours(1), "admin");
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(t.status().message(), "user_id: no user \"nobody\"");
  t = d->IssueToken("cpd.detective", seconds(0), "admin");
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d->RevokeToken("tok_0000000000000000", "admin").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(d->RevokeToken("tok_x", "admin").code(),
            StatusCode::kInvalidArgument);
}

TEST(Directory, SecretIsStoredNowhereInTheDatabaseFiles) {
  TempDir tmp;
  std::vector<std::string> secrets;
  {
    auto d = Seeded(tmp.db());
    for (int i = 0; i < 3; ++i) {
      StatusOr<IssuedToken> t = d->IssueToken("cpd.detective", hours(1), "a");
      ASSERT_TRUE(t.ok());
      secrets.push_back(t->secret);
    }
    // Checked while the WAL still holds the pages, and after closing.
    std::string bytes = ReadBytes(tmp.db()) + ReadBytes(tmp.db() + "-wal");
    ASSERT_NE(bytes.find("cpd.detective"), std::string::npos);  // sanity
    for (const std::string& s : secrets) {
      EXPECT_EQ(bytes.find(s), std::string::npos);
      EXPECT_EQ(bytes.find(s.substr(4)), std::string::npos);  // the hex alone
    }
  }
  std::string bytes = ReadBytes(tmp.db()) + ReadBytes(tmp.db() + "-wal");
  for (const std::string& s : secrets) {
    EXPECT_EQ(bytes.find(s.substr(4)), std::string::npos);
  }
}

TEST(Directory, VersionChangesWhenAnotherConnectionCommits) {
  TempDir tmp;
  auto server = OpenOrDie(tmp.db());
  auto cli = OpenOrDie(tmp.db());
  StatusOr<uint64_t> v0 = server->version();
  ASSERT_TRUE(v0.ok());
  EXPECT_EQ(*server->version(), *v0);  // nothing happened
  ASSERT_TRUE(cli->AddAgency(Cpd(), "admin").ok());
  StatusOr<uint64_t> v1 = server->version();
  ASSERT_TRUE(v1.ok());
  EXPECT_NE(*v1, *v0);
  EXPECT_EQ(*server->version(), *v1);
  // And for the connection's own commits, which data_version does not count.
  ASSERT_TRUE(server->AddAgency(Ice(), "admin").ok());
  EXPECT_NE(*server->version(), *v1);
}

TEST(Directory, OutboxEntriesAreCanonicalJsonWithTheExpectedFields) {
  TempDir tmp;
  FakeClock clock;
  auto d = Seeded(tmp.db(), clock.options());
  ASSERT_TRUE(
      d->AddGroup({.id = "hsi-tf", .name = "HSI TF", .lead_ori = "DCICE0000"},
                  "admin")
          .ok());
  StatusOr<IssuedToken> t = d->IssueToken("cpd.detective", hours(1), "root");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(d->RevokeToken(t->info.id, "root").ok());

  StatusOr<std::vector<Change>> pending = d->PendingChanges();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 6u);
  for (size_t i = 0; i < pending->size(); ++i) {
    const std::string& e = (*pending)[i].entry;
    EXPECT_EQ(CanonicalJson(boost::json::parse(e)), e);
    if (i > 0) {
      EXPECT_GT((*pending)[i].seq, (*pending)[i - 1].seq);
    }
    EXPECT_EQ(e.find(t->secret.substr(4)), std::string::npos);
  }
  const std::string common =
      R"("kind":"directory","time":"2026-11-27T15:04:05Z")";
  EXPECT_EQ((*pending)[0].entry,
            R"({"actor":"admin","agency":{"component":"CPD","department":)"
            R"("CITY","jurisdiction":"local","name":"Chicago Police )"
            R"(Department","network":"10.20.0.0/16","ori":"ILCPD0000",)"
            R"("sharing_agreement":true},"change":"agency.add",)" +
                common + "}");
  EXPECT_EQ((*pending)[2].entry,
            R"({"actor":"admin","change":"user.add",)" + common +
                R"(,"user":{"agency":"ILCPD0000","groups":[],"id":)"
                R"("cpd.detective","name":"A. Detective","roles":)"
                R"(["officer","analyst"]}})");
  EXPECT_EQ((*pending)[3].entry,
            R"({"actor":"admin","change":"group.add","group":{"id":"hsi-tf",)"
            R"("lead":"DCICE0000","name":"HSI TF"},)" +
                common.substr(0, common.size()) + "}");
  EXPECT_EQ((*pending)[4].entry,
            R"({"actor":"root","change":"token.issue",)" + common +
                R"(,"token":{"expires":"2026-11-27T16:04:05Z","id":")" +
                t->info.id + R"(","user":"cpd.detective"}})");
  EXPECT_EQ((*pending)[5].entry, R"({"actor":"root","change":"token.revoke",)" +
                                     common + R"(,"token":{"id":")" +
                                     t->info.id +
                                     R"(","user":"cpd.detective"}})");

  ASSERT_TRUE(d->MarkRecorded((*pending)[1].seq).ok());
  pending = d->PendingChanges(2);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_NE((*pending)[0].entry.find("user.add"), std::string::npos);
}

TEST(Directory, FailedChangeWritesNoOutboxEntry) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  EXPECT_FALSE(d->AddAgency(Cpd(), "admin").ok());
  User u = Detective();
  u.id = "ghost";
  u.groups = {"nope"};
  EXPECT_FALSE(d->AddUser(u, "admin").ok());
  EXPECT_EQ(d->PendingChanges()->size(), 3u);
  EXPECT_EQ(d->GetUser("ghost").status().code(), StatusCode::kNotFound);
}

TEST(Directory, FailingAppendLeavesEntriesPending) {
  TempDir tmp;
  auto d = Seeded(tmp.db());
  size_t calls = 0;
  StatusOr<size_t> n = d->RecordChanges([&](std::span<const std::string> e) {
    ++calls;
    return Status::IOError("disk on fire");
  });
  EXPECT_EQ(n.status().code(), StatusCode::kIOError);
  EXPECT_EQ(calls, 1u);
  EXPECT_EQ(d->PendingChanges()->size(), 3u);
  n = d->RecordChanges([&](std::span<const std::string>) -> Status {
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(n.status().code(), StatusCode::kInternal);
  EXPECT_EQ(d->PendingChanges()->size(), 3u);

  std::vector<std::string> got;
  n = d->RecordChanges([&](std::span<const std::string> e) {
    got.insert(got.end(), e.begin(), e.end());
    return Status::Ok();
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 3u);
  EXPECT_EQ(got.size(), 3u);
  EXPECT_TRUE(d->PendingChanges()->empty());
  n = d->RecordChanges([&](std::span<const std::string>) {
    ADD_FAILURE() << "nothing is pending";
    return Status::Ok();
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(Directory, RecordChangesRecordsEachEntryOnceWhenTwoConnectionsRace) {
  TempDir tmp;
  auto writer = Seeded(tmp.db());
  auto a = OpenOrDie(tmp.db());
  auto b = OpenOrDie(tmp.db());
  constexpr int kUsers = 400;
  std::mutex mu;
  std::vector<std::string> ledger;
  auto append = [&](std::span<const std::string> entries) {
    std::lock_guard lock(mu);
    ledger.insert(ledger.end(), entries.begin(), entries.end());
    return Status::Ok();
  };
  std::atomic<bool> done{false};
  auto recorder = [&](Directory* d) {
    while (!done.load()) {
      StatusOr<size_t> n = d->RecordChanges(append);
      EXPECT_TRUE(n.ok()) << n.status().ToString();
    }
  };
  std::thread ta(recorder, a.get());
  std::thread tb(recorder, b.get());
  for (int i = 0; i < kUsers; ++i) {
    User u = Detective();
    u.id = "user" + std::to_string(i);
    ASSERT_TRUE(writer->AddUser(u, "admin").ok());
  }
  done = true;
  ta.join();
  tb.join();
  StatusOr<size_t> rest = a->RecordChanges(append);
  ASSERT_TRUE(rest.ok());

  EXPECT_EQ(ledger.size(), 3u + kUsers);
  std::map<std::string, int> seen;
  for (const std::string& e : ledger) ++seen[e];
  for (const auto& [entry, count] : seen) EXPECT_EQ(count, 1) << entry;
  // In the order of the changes.
  for (int i = 0; i < kUsers; ++i) {
    EXPECT_NE(ledger[3 + i].find("\"id\":\"user" + std::to_string(i) + "\""),
              std::string::npos);
  }
  EXPECT_TRUE(writer->PendingChanges()->empty());
}

TEST(Directory, RefusesAnUnknownSchemaVersion) {
  TempDir tmp;
  { OpenOrDie(tmp.db()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(tmp.db().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE meta SET value = '99' "
                         "WHERE key = 'schema_version'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto d = Directory::Open(tmp.db());
  EXPECT_EQ(d.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(d.status().message().find("schema version 99"), std::string::npos);
}

TEST(Directory, OpeningAFileThatIsNotADatabaseFails) {
  TempDir tmp;
  { std::ofstream(tmp.db()) << std::string(4096, 'x'); }
  auto d = Directory::Open(tmp.db());
  EXPECT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find(tmp.db()), std::string::npos)
      << d.status().ToString();
}

}  // namespace
}  // namespace haven::directory
