// `haven demo`: Haven's main job on its embedded default — a demo city's
// gateway, built in a data directory and served, with a short tour.
//
// The city: the Chicago Police Department, its criminal-justice partners
// (Cook County Sheriff, Illinois State Police, Evanston PD, FBI), the DHS
// components the Welcoming City Ordinance cuts off (ICE ERO, CBP, HSI, I&A),
// an HSI-led task force with a CPD officer on it, and the Inspector General.
// Records: the Chicago open-data samples in ../shared/data/chicago (crimes,
// towed vehicles) when present, and synthetic persons, plate reads and
// warrants. Policies: the embedded welcoming-city pack.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/files.h"
#include "cli/serve.h"
#include "directory/directory.h"
#include "ledger/ledger.h"
#include "records/import.h"
#include "records/records.h"

namespace haven::embedded {
extern const std::string_view kWelcomingCityPolicies;
}  // namespace haven::embedded

#ifndef HAVEN_SHARED_DIR
#define HAVEN_SHARED_DIR "../shared"
#endif

namespace haven::cli {
namespace {

namespace fs = std::filesystem;
using directory::Jurisdiction;

struct DemoAgency {
  const char* ori;
  const char* name;
  Jurisdiction jurisdiction;
  const char* department;
  const char* component;
  bool sharing;
  const char* network;
};

constexpr DemoAgency kAgencies[] = {
    {"ILCPD0000", "Chicago Police Department", Jurisdiction::kLocal, "CITY",
     "CPD", false, ""},
    {"ILOIG0000", "City of Chicago Office of Inspector General",
     Jurisdiction::kLocal, "CITY", "OIG", false, ""},
    {"IL0160000", "Cook County Sheriff's Office", Jurisdiction::kLocal,
     "COUNTY", "CCSO", true, ""},
    {"ILISP0000", "Illinois State Police", Jurisdiction::kState, "IL-ISP",
     "ISP", true, ""},
    {"IL0161200", "Evanston Police Department", Jurisdiction::kLocal,
     "EVANSTON", "EPD", true, ""},
    {"DCFBIWA00", "Federal Bureau of Investigation", Jurisdiction::kFederal,
     "DOJ", "FBI", true, ""},
    {"DCICE0000", "Immigration and Customs Enforcement, ERO",
     Jurisdiction::kFederal, "DHS", "ICE", false, ""},
    {"DCCBP0000", "Customs and Border Protection", Jurisdiction::kFederal,
     "DHS", "CBP", false, ""},
    {"DCHSI0000", "Homeland Security Investigations", Jurisdiction::kFederal,
     "DHS", "HSI", false, ""},
    {"DCIA00000", "DHS Office of Intelligence and Analysis",
     Jurisdiction::kFederal, "DHS", "I&A", false, ""},
};

struct DemoUser {
  const char* id;
  const char* ori;
  const char* name;
  const char* role;
  const char* group;  // "" for none
};

constexpr DemoUser kUsers[] = {
    {"cpd.detective", "ILCPD0000", "CPD Detective", "officer", ""},
    {"cook.deputy", "IL0160000", "Cook County Deputy", "officer", ""},
    {"isp.trooper", "ILISP0000", "ISP Trooper", "officer", ""},
    {"evanston.officer", "IL0161200", "Evanston Officer", "officer", ""},
    {"fbi.agent", "DCFBIWA00", "FBI Special Agent", "officer", ""},
    {"ice.officer", "DCICE0000", "ICE ERO Officer", "officer", ""},
    {"cbp.officer", "DCCBP0000", "CBP Officer", "officer", ""},
    {"hsi.agent", "DCHSI0000", "HSI Special Agent", "officer", ""},
    {"ia.analyst", "DCIA00000", "I&A Analyst", "analyst", ""},
    {"taskforce.officer", "ILCPD0000", "CPD Officer on the HSI task force",
     "officer", "hsi-chicago-gang-tf"},
    {"oig.auditor", "ILOIG0000", "OIG Auditor", "oversight", ""},
};

constexpr char kOrigin[] = "haven.demo/chicago";

Status WriteText(const fs::path& path, std::string_view text, mode_t mode) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.good()) return Status::IOError("cannot write " + tmp.string());
  }
  ::chmod(tmp.c_str(), mode);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec)
    return Status::IOError("cannot rename " + tmp.string() + ": " +
                           ec.message());
  return Status::Ok();
}

// The Chicago samples beside the repository, if any.
std::string FindSamples(const std::string& given) {
  std::vector<std::string> tries;
  if (!given.empty()) tries.push_back(given);
  tries.push_back("../shared/data/chicago");
  tries.push_back(std::string(HAVEN_SHARED_DIR) + "/data/chicago");
  for (const std::string& t : tries) {
    if (fs::exists(fs::path(t) / "crimes_2014_sample.csv")) return t;
  }
  return "";
}

// Builds a demo city in `dir`. Leaves `dir` alone if it holds one already.
Status InitCity(const std::string& dir, const std::string& samples_dir,
                int64_t scale) {
  fs::path root(dir);
  fs::path tokens_file = root / "demo" / "tokens.json";
  if (fs::exists(tokens_file)) {
    std::cout << "haven demo: reusing the city in " << dir << "\n";
    return Status::Ok();
  }
  std::error_code ec;
  if (fs::exists(root / "ledger") || fs::exists(root / "directory.db")) {
    return Status::FailedPrecondition(
        dir +
        " holds a Haven data directory that is not a demo city "
        "(no demo/tokens.json); choose another --data");
  }
  fs::create_directories(root / "demo", ec);
  fs::create_directories(root / "policies", ec);
  if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
  auto t0 = std::chrono::steady_clock::now();

  HAVEN_RETURN_IF_ERROR(WriteText(root / "policies" / "welcoming-city.cedar",
                                  embedded::kWelcomingCityPolicies, 0644));
  HAVEN_RETURN_IF_ERROR(
      ledger::Ledger::Create((root / "ledger").string(), kOrigin));

  StatusOr<std::unique_ptr<directory::Directory>> d =
      directory::Directory::Open((root / "directory.db").string());
  if (!d.ok()) return d.status();
  const std::string actor = "haven-demo";
  for (const DemoAgency& a : kAgencies) {
    directory::Agency agency;
    agency.ori = a.ori;
    agency.name = a.name;
    agency.jurisdiction = a.jurisdiction;
    agency.department = a.department;
    agency.component = a.component;
    agency.sharing_agreement = a.sharing;
    agency.network = a.network;
    HAVEN_RETURN_IF_ERROR((*d)->AddAgency(agency, actor));
  }
  HAVEN_RETURN_IF_ERROR(
      (*d)->AddGroup({.id = "hsi-chicago-gang-tf",
                      .name = "HSI-led Chicago gang task force",
                      .lead_ori = "DCHSI0000"},
                     actor));
  std::string tokens = "{\n";
  for (size_t i = 0; i < std::size(kUsers); ++i) {
    const DemoUser& u = kUsers[i];
    directory::User user;
    user.id = u.id;
    user.agency_ori = u.ori;
    user.name = u.name;
    user.roles = {u.role};
    if (*u.group) user.groups = {u.group};
    HAVEN_RETURN_IF_ERROR((*d)->AddUser(user, actor));
    StatusOr<directory::IssuedToken> t =
        (*d)->IssueToken(u.id, std::chrono::hours(24 * 365), actor);
    if (!t.ok()) return t.status();
    tokens += "  \"" + std::string(u.id) + "\": \"" + t->secret + "\"" +
              (i + 1 < std::size(kUsers) ? ",\n" : "\n");
  }
  tokens += "}\n";
  HAVEN_RETURN_IF_ERROR(WriteText(tokens_file, tokens, 0600));

  records::Options ro;
  StatusOr<std::unique_ptr<records::Store>> store =
      records::Store::Open((root / "records.db").string(), ro);
  if (!store.ok()) return store.status();
  if (!samples_dir.empty()) {
    records::ImportOptions io;
    io.skip_bad_rows = true;
    StatusOr<records::ImportReport> inc = records::ImportIncidents(
        **store, samples_dir + "/crimes_2014_sample.csv", io);
    if (!inc.ok()) return inc.status();
    StatusOr<records::ImportReport> veh = records::ImportVehicles(
        **store, samples_dir + "/towed_vehicles_2017.csv", io);
    if (!veh.ok()) return veh.status();
    std::cout << "haven demo: imported " << inc->imported
              << " Chicago incidents and " << veh->imported
              << " towed vehicles from " << samples_dir << "\n";
  } else {
    std::cout << "haven demo: Chicago samples not found (looked for "
                 "../shared/data/chicago); synthetic records only\n";
  }
  records::GenerateOptions go;
  go.plate_reads = scale;
  go.persons = std::max<int64_t>(1000, scale / 10);
  go.warrants = std::max<int64_t>(100, scale / 100);
  HAVEN_RETURN_IF_ERROR(records::Generate(**store, go));
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::cout << "haven demo: built a demo city in " << dir << " (" << go.persons
            << " persons, " << go.plate_reads << " plate reads, " << go.warrants
            << " warrants) in " << static_cast<int>(secs * 10) / 10.0 << " s\n";
  return Status::Ok();
}

std::string ReadToken(const std::string& tokens_json, const std::string& user) {
  std::string key = "\"" + user + "\": \"";
  size_t at = tokens_json.find(key);
  if (at == std::string::npos) return "";
  size_t start = at + key.size();
  return tokens_json.substr(start, tokens_json.find('"', start) - start);
}

void PrintTour(const std::string& url, const std::string& dir, bool plain) {
  cedar::Result<std::string> tokens = ReadFile(dir + "/demo/tokens.json");
  std::string t = tokens.ok() ? *tokens : "";
  std::string curl =
      plain ? "curl -s" : "curl -s --cacert " + dir + "/tls/cert.pem";
  auto search = [&](const char* user, const std::string& body) {
    return curl + " " + url + "/v1/search -H 'Authorization: Bearer " +
           ReadToken(t, user) + "' -H 'Content-Type: application/json' -d '" +
           body + "'";
  };
  std::cout
      << "\nHaven is serving the demo city at " << url
      << "\nEvery request below is decided by the welcoming-city policies "
         "and recorded in the ledger before it is answered.\n\n"
      << "1. A CPD detective searches persons — allowed, every field:\n  "
      << search(
             "cpd.detective",
             R"({"dataset":"persons","filter":{"last_name":"LOPEZ","first_name":"MARIA"},"purpose":"criminal-investigation","case_number":"JB-241133","reason":"armed robbery follow-up"})")
      << "\n\n2. ICE asks the same — 403, the sealed DHS cut-off:\n  "
      << search(
             "ice.officer",
             R"({"dataset":"persons","filter":{"last_name":"LOPEZ"},"purpose":"criminal-investigation","case_number":"ERO-2026-42","reason":"fugitive operation"})")
      << "\n\n3. A sheriff's deputy runs a plate \"to assist ICE ERO\" — a "
         "proxy lookup, refused and flagged:\n  "
      << search(
             "cook.deputy",
             R"({"dataset":"plate_reads","filter":{"plate":"MLZ4120"},"purpose":"criminal-investigation","case_number":"CCSO-1187","reason":"assist ICE+ERO"})")
      << "\n\n4. The FBI's criminal search — answered, with place of birth, "
         "nationality and gang designation withheld and named:\n  "
      << search(
             "fbi.agent",
             R"({"dataset":"persons","filter":{"last_name":"LOPEZ","first_name":"MARIA"},"purpose":"criminal-investigation","case_number":"FBI-318A","reason":"bank robbery"})")
      << "\n\n5. Anyone can check the ledger: fetch the signed checkpoint, "
         "then verify the log against it and the public key:\n  "
      << curl << " " << url << "/v1/ledger/checkpoint > checkpoint.txt\n  "
      << "build/release/haven ledger verify " << dir << "/ledger --vkey " << dir
      << "/ledger/*.vkey --checkpoint checkpoint.txt\n"
      << "  (the Inspector General reads raw entries: GET "
         "/v1/ledger/entries?from=0 with the oig.auditor token)\n\n"
      << "Tokens for every demo user: " << dir
      << "/demo/tokens.json. Stop with Ctrl-C.\n"
      << std::endl;
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  struct Args {
    ServeConfig config;
    std::string samples;
    int64_t scale = 100000;
    bool init_only = false;
  };
  auto args = std::make_shared<Args>();
  args->config.data_dir = "haven-demo";
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Build a demo city (Chicago samples, synthetic records, the "
      "welcoming-city policies) and serve its gateway with a short tour");
  cmd->add_option("--data", args->config.data_dir,
                  "data directory; reused if it holds a demo city")
      ->capture_default_str();
  cmd->add_option("--samples", args->samples,
                  "directory of the Chicago CSV samples");
  cmd->add_option("--scale", args->scale, "synthetic plate reads to generate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--init-only", args->init_only,
                "build the city and exit without serving");
  AddServeOptions(cmd, &args->config);
  cmd->callback([args, exit_code] {
    Status s = InitCity(args->config.data_dir, FindSamples(args->samples),
                        args->scale);
    if (!s.ok()) {
      *exit_code = Fail("demo: " + s.ToString());
      return;
    }
    if (args->init_only) return;
    std::string dir = args->config.data_dir;
    bool plain = args->config.server.plain_http;
    *exit_code = RunGateway(args->config, [&](const std::string& url) {
      PrintTour(url, dir, plain);
    });
  });
}

}  // namespace haven::cli
