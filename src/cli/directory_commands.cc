// `haven agency|group|user|token ...`: the directory of who may ask Haven
// anything (src/directory/directory.h), kept in DIR/directory.db.
//
// Each change is written with its pending audit entry; the command then
// records pending entries in DIR/ledger itself unless a running server holds
// the ledger (the server records them). Exit status: 0 success, 2 bad input
// (a malformed value, an unknown or duplicate id), 1 any other failure.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "base/canonical_json.h"
#include "cli/commands.h"
#include "directory/directory.h"
#include "ledger/ledger.h"

namespace haven::cli {
namespace {

namespace hd = haven::directory;
namespace fs = std::filesystem;

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
      return 2;
    default:
      return 1;
  }
}

// Prints "haven <command>: <message>" with the directory's field name
// replaced by the command's flag ("agency_ori: ..." becomes "--agency: ...").
int Fail(const std::string& command, const Status& s,
         const std::map<std::string, std::string>& flags = {}) {
  std::string msg = s.message();
  size_t colon = msg.find(": ");
  if (colon != std::string::npos) {
    auto it = flags.find(msg.substr(0, colon));
    if (it != flags.end()) msg = it->second + msg.substr(colon);
  }
  std::cerr << "haven " << command << ": " << msg << "\n";
  return ExitCodeFor(s);
}

int BadInput(const std::string& command, const std::string& msg) {
  std::cerr << "haven " << command << ": " << msg << "\n";
  return 2;
}

std::string DefaultActor() {
  for (const char* name : {"SUDO_USER", "USER"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "cli";
}

// DIR/directory.db, creating DIR and the database if missing.
StatusOr<std::unique_ptr<hd::Directory>> OpenDirectory(
    const std::string& data) {
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec) {
    return Status::IOError("--data: cannot create " + data + ": " +
                           ec.message());
  }
  return hd::Directory::Open((fs::path(data) / "directory.db").string());
}

// Records pending directory changes in DIR/ledger, or says why not.
// Returns the exit status: the change itself is already committed.
int RecordInLedger(const std::string& command, const std::string& data,
                   hd::Directory& d) {
  std::string dir = (fs::path(data) / "ledger").string();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    std::cerr << "haven " << command << ": no ledger at " << dir
              << "; the change's audit entry stays pending in the directory "
                 "until it is recorded there\n";
    return 0;
  }
  StatusOr<std::unique_ptr<ledger::Ledger>> l =
      ledger::Ledger::Open(ledger::Options{}, dir);
  if (!l.ok()) {
    if (l.status().code() == StatusCode::kFailedPrecondition) {
      std::cerr << "haven " << command
                << ": the change is in the directory; the running server "
                   "that holds "
                << dir << " will record it in the ledger\n";
      return 0;
    }
    std::cerr << "haven " << command
              << ": the change is in the directory, but its audit entry "
                 "could not be recorded in the ledger: "
              << l.status().message() << "\n";
    return 1;
  }
  StatusOr<size_t> n =
      d.RecordChanges([&](std::span<const std::string> entries) -> Status {
        StatusOr<uint64_t> last = (*l)->AppendAll(entries);
        return last.ok() ? Status::Ok() : last.status();
      });
  if (!n.ok()) {
    std::cerr << "haven " << command
              << ": the change is in the directory, but its audit entry "
                 "could not be recorded in the ledger: "
              << n.status().message() << "\n";
    return 1;
  }
  std::cerr << "haven " << command << ": recorded " << *n
            << (*n == 1 ? " directory change" : " directory changes")
            << " in the ledger (" << (*l)->size() << " entries)\n";
  return 0;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

boost::json::array JsonStrings(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

boost::json::object AgencyJson(const hd::Agency& a) {
  return {{"ori", a.ori},
          {"name", a.name},
          {"jurisdiction", hd::JurisdictionName(a.jurisdiction)},
          {"department", a.department},
          {"component", a.component},
          {"sharing_agreement", a.sharing_agreement},
          {"network", a.network},
          {"created", hd::FormatUtc(a.created_at)}};
}

boost::json::object UserJson(const hd::User& u) {
  return {{"id", u.id},
          {"agency", u.agency_ori},
          {"name", u.name},
          {"roles", JsonStrings(u.roles)},
          {"groups", JsonStrings(u.groups)},
          {"created", hd::FormatUtc(u.created_at)}};
}

std::string TokenState(const hd::TokenInfo& t, int64_t now) {
  if (t.revoked_at) return "revoked " + hd::FormatUtc(*t.revoked_at);
  if (now >= t.expires_at) return "expired " + hd::FormatUtc(t.expires_at);
  return "active";
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

boost::json::object TokenJson(const hd::TokenInfo& t, int64_t now) {
  boost::json::object o{{"id", t.id},
                        {"user", t.user_id},
                        {"issued", hd::FormatUtc(t.issued_at)},
                        {"expires", hd::FormatUtc(t.expires_at)},
                        {"revoked", nullptr},
                        {"active", !t.revoked_at && now < t.expires_at}};
  if (t.revoked_at) o["revoked"] = hd::FormatUtc(*t.revoked_at);
  return o;
}

// Options every command shares.
struct Common {
  std::string data;
  std::string actor;
};

void AddData(CLI::App* cmd, Common& c) {
  cmd->add_option("--data", c.data,
                  "The Haven data directory (holds directory.db and ledger)")
      ->required();
}

void AddActor(CLI::App* cmd, Common& c) {
  cmd->add_option("--actor", c.actor,
                  "Who makes the change, for the audit entry (default: "
                  "$SUDO_USER, else $USER, else \"cli\")");
}

// Runs `change` on the open directory, then records it in the ledger.
int RunChange(
    const std::string& command, const Common& c,
    const std::map<std::string, std::string>& flags,
    const std::function<Status(hd::Directory&, const std::string&)>& change) {
  StatusOr<std::unique_ptr<hd::Directory>> d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(command, d.status());
  std::string actor = c.actor.empty() ? DefaultActor() : c.actor;
  Status s = change(**d, actor);
  if (!s.ok()) return Fail(command, s, flags);
  return RecordInLedger(command, c.data, **d);
}

// ---------------------------------------------------------------------------

struct AgencyAddArgs {
  Common common;
  std::string ori, name, jurisdiction, department, component, network;
  bool sharing = false;
};

int RunAgencyAdd(const AgencyAddArgs& a) {
  const std::string cmd = "agency add";
  std::optional<hd::Jurisdiction> j = hd::ParseJurisdiction(a.jurisdiction);
  if (!j) {
    return BadInput(cmd,
                    "--jurisdiction: must be local, state or federal, "
                    "not \"" +
                        a.jurisdiction + "\"");
  }
  hd::Agency agency;
  agency.ori = a.ori;
  agency.name = a.name;
  agency.jurisdiction = *j;
  agency.department = a.department;
  agency.component = a.component;
  agency.sharing_agreement = a.sharing;
  agency.network = a.network;
  return RunChange(cmd, a.common,
                   {{"ori", "--ori"},
                    {"name", "--name"},
                    {"department", "--department"},
                    {"component", "--component"},
                    {"network", "--network"},
                    {"actor", "--actor"}},
                   [&](hd::Directory& d, const std::string& actor) {
                     return d.AddAgency(agency, actor);
                   });
}

int RunAgencyList(const Common& c, bool json) {
  const std::string cmd = "agency list";
  auto d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(cmd, d.status());
  StatusOr<std::vector<hd::Agency>> agencies = (*d)->ListAgencies();
  if (!agencies.ok()) return Fail(cmd, agencies.status());
  if (json) {
    boost::json::array out;
    for (const hd::Agency& a : *agencies) out.push_back(AgencyJson(a));
    std::cout << CanonicalJson(out) << "\n";
  } else {
    for (const hd::Agency& a : *agencies) {
      std::cout << a.ori << "\t" << hd::JurisdictionName(a.jurisdiction) << "\t"
                << a.department << "/" << a.component << "\t"
                << (a.sharing_agreement ? "sharing" : "-") << "\t"
                << (a.network.empty() ? "-" : a.network) << "\t" << a.name
                << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int RunAgencyShow(const Common& c, const std::string& ori, bool json) {
  const std::string cmd = "agency show";
  auto d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(cmd, d.status());
  StatusOr<hd::Agency> a = (*d)->GetAgency(ori);
  if (!a.ok()) return Fail(cmd, a.status());
  StatusOr<std::vector<hd::User>> users = (*d)->ListUsers(ori);
  if (!users.ok()) return Fail(cmd, users.status());
  if (json) {
    boost::json::object o = AgencyJson(*a);
    boost::json::array us;
    for (const hd::User& u : *users) us.push_back(UserJson(u));
    o["users"] = std::move(us);
    std::cout << CanonicalJson(o) << "\n";
  } else {
    std::cout << "ori           " << a->ori << "\n"
              << "name          " << a->name << "\n"
              << "jurisdiction  " << hd::JurisdictionName(a->jurisdiction)
              << "\n"
              << "department    " << a->department << "\n"
              << "component     " << a->component << "\n"
              << "sharing       " << (a->sharing_agreement ? "yes" : "no")
              << "\n"
              << "network       " << (a->network.empty() ? "any" : a->network)
              << "\n"
              << "created       " << hd::FormatUtc(a->created_at) << "\n"
              << "users         " << users->size() << "\n";
    for (const hd::User& u : *users) {
      std::cout << "  " << u.id << "\t" << Join(u.roles) << "\t"
                << Join(u.groups) << "\t" << u.name << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int RunGroupAdd(const Common& c, const hd::Group& g) {
  return RunChange("group add", c,
                   {{"id", "--id"},
                    {"name", "--name"},
                    {"lead_ori", "--lead"},
                    {"actor", "--actor"}},
                   [&](hd::Directory& d, const std::string& actor) {
                     return d.AddGroup(g, actor);
                   });
}

int RunGroupList(const Common& c, bool json) {
  const std::string cmd = "group list";
  auto d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(cmd, d.status());
  StatusOr<std::vector<hd::Group>> groups = (*d)->ListGroups();
  if (!groups.ok()) return Fail(cmd, groups.status());
  if (json) {
    boost::json::array out;
    for (const hd::Group& g : *groups) {
      out.push_back(
          boost::json::object{{"id", g.id},
                              {"name", g.name},
                              {"lead", g.lead_ori},
                              {"created", hd::FormatUtc(g.created_at)}});
    }
    std::cout << CanonicalJson(out) << "\n";
  } else {
    for (const hd::Group& g : *groups) {
      std::cout << g.id << "\t" << g.lead_ori << "\t" << g.name << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int RunUserAdd(const Common& c, const hd::User& u) {
  return RunChange("user add", c,
                   {{"id", "--id"},
                    {"agency_ori", "--agency"},
                    {"name", "--name"},
                    {"roles", "--role"},
                    {"groups", "--group"},
                    {"actor", "--actor"}},
                   [&](hd::Directory& d, const std::string& actor) {
                     return d.AddUser(u, actor);
                   });
}

int RunUserList(const Common& c, const std::string& agency, bool json) {
  const std::string cmd = "user list";
  auto d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(cmd, d.status());
  if (!agency.empty()) {
    StatusOr<hd::Agency> a = (*d)->GetAgency(agency);
    if (!a.ok()) return Fail(cmd, a.status());
  }
  StatusOr<std::vector<hd::User>> users = (*d)->ListUsers(agency);
  if (!users.ok()) return Fail(cmd, users.status());
  if (json) {
    boost::json::array out;
    for (const hd::User& u : *users) out.push_back(UserJson(u));
    std::cout << CanonicalJson(out) << "\n";
  } else {
    for (const hd::User& u : *users) {
      std::cout << u.id << "\t" << u.agency_ori << "\t" << Join(u.roles) << "\t"
                << Join(u.groups) << "\t" << u.name << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

int RunTokenIssue(const Common& c, const std::string& user, int64_t ttl_days) {
  const std::string cmd = "token issue";
  if (ttl_days < 1 || ttl_days > 3660) {
    return BadInput(
        cmd, "--ttl-days: must be 1 to 3660, not " + std::to_string(ttl_days));
  }
  std::optional<hd::IssuedToken> issued;
  int code =
      RunChange(cmd, c, {{"user_id", "--user"}, {"actor", "--actor"}},
                [&](hd::Directory& d, const std::string& actor) -> Status {
                  StatusOr<hd::IssuedToken> t = d.IssueToken(
                      user, std::chrono::hours(24) * ttl_days, actor);
                  if (!t.ok()) return t.status();
                  issued = std::move(*t);
                  return Status::Ok();
                });
  if (!issued) return code;
  // The secret alone on stdout, so that `$(haven token issue ...)` is it.
  std::cout << issued->secret << "\n";
  std::cout.flush();
  std::cerr << "token " << issued->info.id << " for " << issued->info.user_id
            << " expires " << hd::FormatUtc(issued->info.expires_at) << "\n";
  if (!std::cout) return 1;
  return code;
}

int RunTokenRevoke(const Common& c, const std::string& id) {
  return RunChange("token revoke", c,
                   {{"token id", "TOKEN_ID"}, {"actor", "--actor"}},
                   [&](hd::Directory& d, const std::string& actor) {
                     return d.RevokeToken(id, actor);
                   });
}

int RunTokenList(const Common& c, const std::string& user, bool json) {
  const std::string cmd = "token list";
  auto d = OpenDirectory(c.data);
  if (!d.ok()) return Fail(cmd, d.status());
  if (!user.empty()) {
    StatusOr<hd::User> u = (*d)->GetUser(user);
    if (!u.ok()) return Fail(cmd, u.status());
  }
  StatusOr<std::vector<hd::TokenInfo>> tokens = (*d)->ListTokens(user);
  if (!tokens.ok()) return Fail(cmd, tokens.status());
  int64_t now = Now();
  if (json) {
    boost::json::array out;
    for (const hd::TokenInfo& t : *tokens) out.push_back(TokenJson(t, now));
    std::cout << CanonicalJson(out) << "\n";
  } else {
    for (const hd::TokenInfo& t : *tokens) {
      std::cout << t.id << "\t" << t.user_id << "\t"
                << "expires " << hd::FormatUtc(t.expires_at) << "\t"
                << TokenState(t, now) << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : 1;
}

}  // namespace

void AddDirectoryCommands(CLI::App& app, int* exit_code) {
  // --- agency ---
  CLI::App* agency =
      app.add_subcommand("agency", "Agencies that may query Haven");
  agency->require_subcommand(1);
  {
    auto* cmd = agency->add_subcommand("add", "Register an agency");
    auto a = std::make_shared<AgencyAddArgs>();
    AddData(cmd, a->common);
    AddActor(cmd, a->common);
    cmd->add_option("--ori", a->ori,
                    "FBI Originating Agency Identifier: 9 of A-Z, 0-9")
        ->required();
    cmd->add_option("--name", a->name, "Full name")->required();
    cmd->add_option("--jurisdiction", a->jurisdiction,
                    "local, state or federal")
        ->required();
    cmd->add_option("--department", a->department,
                    "Parent body: CITY, DHS, DOJ, ...")
        ->required();
    cmd->add_option("--component", a->component, "CPD, ICE, FBI, ...")
        ->required();
    cmd->add_flag("--sharing", a->sharing,
                  "The city has a criminal-justice sharing agreement with it");
    cmd->add_option("--network", a->network,
                    "CIDR range its users must query from");
    cmd->callback([=] { *exit_code = RunAgencyAdd(*a); });
  }
  {
    auto* cmd = agency->add_subcommand("list", "List agencies, one a line");
    auto c = std::make_shared<Common>();
    auto json = std::make_shared<bool>(false);
    AddData(cmd, *c);
    cmd->add_flag("--json", *json, "Print one JSON array");
    cmd->callback([=] { *exit_code = RunAgencyList(*c, *json); });
  }
  {
    auto* cmd = agency->add_subcommand("show", "Show an agency and its users");
    auto c = std::make_shared<Common>();
    auto ori = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    AddData(cmd, *c);
    cmd->add_option("ORI", *ori, "The agency's ORI")->required();
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([=] { *exit_code = RunAgencyShow(*c, *ori, *json); });
  }

  // --- group ---
  CLI::App* group =
      app.add_subcommand("group",
                         "Groups of users led by one agency (task "
                         "forces)");
  group->require_subcommand(1);
  {
    auto* cmd = group->add_subcommand("add", "Register a group");
    auto c = std::make_shared<Common>();
    auto g = std::make_shared<hd::Group>();
    AddData(cmd, *c);
    AddActor(cmd, *c);
    cmd->add_option("--id", g->id, "Id: 1 to 64 of a-z, 0-9, '.', '-'")
        ->required();
    cmd->add_option("--name", g->name, "Full name")->required();
    cmd->add_option("--lead", g->lead_ori, "ORI of the leading agency")
        ->required();
    cmd->callback([=] { *exit_code = RunGroupAdd(*c, *g); });
  }
  {
    auto* cmd = group->add_subcommand("list", "List groups, one a line");
    auto c = std::make_shared<Common>();
    auto json = std::make_shared<bool>(false);
    AddData(cmd, *c);
    cmd->add_flag("--json", *json, "Print one JSON array");
    cmd->callback([=] { *exit_code = RunGroupList(*c, *json); });
  }

  // --- user ---
  CLI::App* user = app.add_subcommand("user", "Users of member agencies");
  user->require_subcommand(1);
  {
    auto* cmd = user->add_subcommand("add", "Register a user");
    auto c = std::make_shared<Common>();
    auto u = std::make_shared<hd::User>();
    AddData(cmd, *c);
    AddActor(cmd, *c);
    cmd->add_option("--id", u->id, "Id: 1 to 64 of a-z, 0-9, '.', '_', '-'")
        ->required();
    cmd->add_option("--agency", u->agency_ori, "ORI of the user's agency")
        ->required();
    cmd->add_option("--name", u->name, "Display name")->required();
    cmd->add_option("--role", u->roles,
                    "officer, analyst, oversight or admin (repeatable)");
    cmd->add_option("--group", u->groups, "Id of a group (repeatable)");
    cmd->callback([=] { *exit_code = RunUserAdd(*c, *u); });
  }
  {
    auto* cmd = user->add_subcommand("list", "List users, one a line");
    auto c = std::make_shared<Common>();
    auto agency_ori = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    AddData(cmd, *c);
    cmd->add_option("--agency", *agency_ori, "Only this agency's users");
    cmd->add_flag("--json", *json, "Print one JSON array");
    cmd->callback([=] { *exit_code = RunUserList(*c, *agency_ori, *json); });
  }

  // --- token ---
  CLI::App* token = app.add_subcommand("token", "Bearer tokens of users");
  token->require_subcommand(1);
  {
    auto* cmd = token->add_subcommand(
        "issue",
        "Issue a token; prints the secret (shown once) on stdout and its id "
        "on stderr");
    auto c = std::make_shared<Common>();
    auto user_id = std::make_shared<std::string>();
    auto ttl_days = std::make_shared<int64_t>(90);
    AddData(cmd, *c);
    AddActor(cmd, *c);
    cmd->add_option("--user", *user_id, "The user's id")->required();
    cmd->add_option("--ttl-days", *ttl_days, "Days until it expires")
        ->capture_default_str();
    cmd->callback([=] { *exit_code = RunTokenIssue(*c, *user_id, *ttl_days); });
  }
  {
    auto* cmd = token->add_subcommand("revoke", "Revoke a token at once");
    auto c = std::make_shared<Common>();
    auto id = std::make_shared<std::string>();
    AddData(cmd, *c);
    AddActor(cmd, *c);
    cmd->add_option("TOKEN_ID", *id, "The token's id (tok_...)")->required();
    cmd->callback([=] { *exit_code = RunTokenRevoke(*c, *id); });
  }
  {
    auto* cmd = token->add_subcommand(
        "list", "List tokens (never their secrets), one a line");
    auto c = std::make_shared<Common>();
    auto user_id = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    AddData(cmd, *c);
    cmd->add_option("--user", *user_id, "Only this user's tokens");
    cmd->add_flag("--json", *json, "Print one JSON array");
    cmd->callback([=] { *exit_code = RunTokenList(*c, *user_id, *json); });
  }
}

}  // namespace haven::cli
