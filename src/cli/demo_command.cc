// `haven demo`: Haven's main job on its embedded default.
//
// Until the gateway exists (issue 4), the demo is a worked example: the
// welcoming-city policy pack and a demo city's agencies and users, embedded
// in the binary, and a tour of requests decided by Haven's Cedar engine —
// who asked, what for, the decision, and the policies that decided it.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cedar/authorizer.h"
#include "cedar/entities_json.h"
#include "cedar/json_value.h"
#include "cedar/parser.h"
#include "cli/commands.h"
#include "cli/files.h"

namespace haven::embedded {
extern const std::string_view kWelcomingCityPolicies;
extern const std::string_view kWelcomingCityDemoEntities;
}  // namespace haven::embedded

namespace haven::cli {
namespace {

using cedar::Value;

// Words in a stated reason that name immigration enforcement. The gateway
// computes the flag `immigration-terms` from them so that the policies need
// not enumerate spellings (they also match a few patterns with `like`).
bool NamesImmigrationEnforcement(std::string_view reason) {
  static constexpr std::string_view kWords[] = {
      "ice", "ero", "cbp", "uscis", "hsi", "dhs", "removal", "i-200", "i-247"};
  static constexpr std::string_view kStems[] = {"immigra", "deport", "detain",
                                                "alien"};
  std::string lower(reason);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  size_t i = 0;
  while (i < lower.size()) {
    while (i < lower.size() && !std::isalnum((unsigned char)lower[i])) ++i;
    size_t j = i;
    while (j < lower.size() &&
           (std::isalnum((unsigned char)lower[j]) || lower[j] == '-'))
      ++j;
    std::string_view word(lower.data() + i, j - i);
    for (auto w : kWords)
      if (word == w) return true;
    for (auto s : kStems)
      if (word.substr(0, s.size()) == s) return true;
    i = j;
  }
  return false;
}

struct Scenario {
  const char* title;
  const char* user;
  const char* action;
  const char* resource_type;
  const char* resource;
  const char* purpose;
  const char* case_number;
  const char* reason;
  const char* client_ip;
  const char* warrant_kind;  // nullptr: no warrant in the request
};

constexpr Scenario kTour[] = {
    {"A CPD detective searches persons for a criminal investigation",
     "cpd.detective", "search", "Dataset", "persons", "criminal-investigation",
     "JB-241133", "armed robbery follow-up", "10.20.0.7", nullptr},
    {"An ICE ERO officer searches persons, calling it a criminal investigation",
     "ice.officer", "search", "Dataset", "persons", "criminal-investigation",
     "ERO-2026-0042", "fugitive operation", "192.0.2.10", nullptr},
    {"A CBP officer looks up a plate", "cbp.officer", "search", "Dataset",
     "plate_reads", "officer-safety", "CBP-77", "port of entry", "192.0.2.11",
     nullptr},
    {"An HSI agent searches warrants", "hsi.agent", "search", "Dataset",
     "warrants", "warrant-service", "HSI-5", "warrant check", "192.0.2.12",
     nullptr},
    {"A DHS I&A analyst searches incidents", "ia.analyst", "search", "Dataset",
     "incidents", "criminal-investigation", "IA-9", "threat assessment",
     "192.0.2.13", nullptr},
    {"A CPD officer serving on an HSI-led task force searches persons",
     "taskforce.officer", "search", "Dataset", "persons",
     "criminal-investigation", "TF-31", "gang investigation", "10.20.0.9",
     nullptr},
    {"A sheriff's deputy runs a plate 'to assist ICE ERO' (a proxy lookup)",
     "cook.deputy", "search", "Dataset", "plate_reads",
     "criminal-investigation", "CCSO-1187", "assist ICE+ERO", "10.30.0.4",
     nullptr},
    {"A state trooper asks with the purpose civil-immigration", "isp.trooper",
     "search", "Dataset", "persons", "civil-immigration", "ISP-44",
     "status check", "10.40.0.2", nullptr},
    {"A deputy brings an ICE administrative warrant (I-200)", "cook.deputy",
     "read-record", "Dataset", "warrants", "warrant-service", "CCSO-1190",
     "serve warrant", "10.30.0.4", "ice-i-200"},
    {"The FBI searches persons for a criminal investigation", "fbi.agent",
     "search", "Dataset", "persons", "criminal-investigation", "FBI-318A",
     "bank robbery", "10.50.0.3", nullptr},
    {"... and may read a person's name in the results", "fbi.agent",
     "read-field", "Field", "last_name", "criminal-investigation", "FBI-318A",
     "bank robbery", "10.50.0.3", nullptr},
    {"... but never nationality: the field is withheld", "fbi.agent",
     "read-field", "Field", "nationality", "criminal-investigation", "FBI-318A",
     "bank robbery", "10.50.0.3", nullptr},
    {"The FBI without a case number", "fbi.agent", "search", "Dataset",
     "persons", "criminal-investigation", "", "bank robbery", "10.50.0.3",
     nullptr},
    {"Evanston PD from outside its registered network", "evanston.officer",
     "search", "Dataset", "vehicles", "criminal-investigation", "EPD-12",
     "stolen vehicle", "203.0.113.5", nullptr},
};

cedar::Request MakeRequest(const Scenario& s) {
  cedar::Request r;
  r.principal = {"User", s.user};
  r.action = {"Action", s.action};
  r.resource = {s.resource_type, s.resource};
  std::vector<cedar::RecordField> ctx = {
      {"purpose", Value::String(s.purpose)},
      {"case_number", Value::String(s.case_number)},
      {"reason", Value::String(s.reason)},
      {"flags", Value::Set({})},
  };
  if (NamesImmigrationEnforcement(s.reason))
    ctx[3].second = Value::Set({Value::String("immigration-terms")});
  cedar::Result<Value> ip = cedar::ReadValueJson(
      std::string("{\"__extn\":{\"fn\":\"ip\",\"arg\":\"") + s.client_ip +
      "\"}}");
  if (ip.ok()) ctx.push_back({"client_ip", *ip});
  if (s.warrant_kind != nullptr) {
    ctx.push_back(
        {"warrant", Value::Record({{"kind", Value::String(s.warrant_kind)},
                                   {"court", Value::String("")},
                                   {"judge", Value::String("")},
                                   {"number", Value::String("")}})});
  }
  r.context = Value::Record(std::move(ctx));
  return r;
}

// The policy's @id annotation if it has one, else its Cedar id.
std::string DisplayId(const cedar::PolicySet& set, const std::string& id) {
  for (const cedar::Policy& p : set.policies)
    if (p.id == id) {
      const std::string* a = p.Annotation("id");
      return a ? *a : id;
    }
  return id;
}

const cedar::Policy* FindPolicy(const cedar::PolicySet& set,
                                const std::string& id) {
  for (const cedar::Policy& p : set.policies)
    if (p.id == id) return &p;
  return nullptr;
}

int RunDemo() {
  cedar::Result<cedar::PolicySet> set =
      cedar::ParsePolicySet(embedded::kWelcomingCityPolicies);
  if (!set.ok()) return Fail("welcoming-city pack: " + set.error().message());
  cedar::Result<cedar::Authorizer> authz = cedar::Authorizer::Create(*set);
  if (!authz.ok()) return Fail(authz.error().message());
  cedar::Result<std::vector<cedar::Entity>> list =
      cedar::ReadEntitiesJson(embedded::kWelcomingCityDemoEntities);
  if (!list.ok()) return Fail("demo entities: " + list.error().message());
  cedar::Result<cedar::EntityStore> store =
      cedar::EntityStore::Build(std::move(*list));
  if (!store.ok()) return Fail(store.error().message());

  std::cout
      << "Haven demo: the welcoming-city policy pack (Chicago Welcoming City\n"
         "Ordinance 2-173, Illinois TRUST Act), "
      << set->policies.size()
      << " Cedar policies, deciding requests\nfrom a demo city's "
      << store->size()
      << " entities (agencies, users, task forces, datasets, fields).\n"
         "Forbid overrides permit; anything not permitted is denied.\n\n";
  int n = 0;
  for (const Scenario& s : kTour) {
    cedar::Request request = MakeRequest(s);
    cedar::Response r = authz->IsAuthorized(request, *store);
    bool allow = r.decision == cedar::Decision::kAllow;
    std::cout << ++n << ". " << s.title << "\n   " << s.user << " " << s.action
              << " " << s.resource_type << "::\"" << s.resource
              << "\"  purpose=" << s.purpose << " case=\"" << s.case_number
              << "\" reason=\"" << s.reason << "\"\n   -> "
              << (allow ? "ALLOW" : "DENY");
    if (r.reasons.empty()) std::cout << " (no policy permits it)";
    std::cout << "\n";
    for (const std::string& id : r.reasons) {
      std::cout << "      " << DisplayId(*set, id);
      const cedar::Policy* p = FindPolicy(*set, id);
      if (p && p->Annotation("sealed")) std::cout << " [sealed]";
      if (!allow && p && p->Annotation("reason"))
        std::cout << ": " << *p->Annotation("reason");
      std::cout << "\n";
    }
    for (const cedar::PolicyError& e : r.errors)
      std::cout << "      error in " << DisplayId(*set, e.policy_id) << ": "
                << e.message << "\n";
    std::cout << "\n";
  }
  std::cout << "Decide your own: haven cedar authorize --policies "
               "policies/welcoming-city/policies.cedar \\\n"
               "  --entities policies/welcoming-city/demo-entities.json "
               "--requests FILE\n";
  return 0;
}

}  // namespace

void AddDemoCommand(CLI::App& app, int* exit_code) {
  CLI::App* demo = app.add_subcommand(
      "demo", "A worked example: the welcoming-city rules decided by Haven");
  demo->callback([exit_code] { *exit_code = RunDemo(); });
}

}  // namespace haven::cli
