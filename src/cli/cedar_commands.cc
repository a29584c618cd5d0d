// `haven cedar ...`: decide requests, check and format policies.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "cedar/authorizer.h"
#include "cedar/entities.h"
#include "cedar/entities_json.h"
#include "cedar/json_value.h"
#include "cedar/parser.h"
#include "cedar/policy_json.h"
#include "cedar/printer.h"
#include "cli/commands.h"
#include "cli/files.h"

namespace haven::cli {
namespace {

using cedar::Result;

// Whether `text` looks like JSON (its first non-space byte is `{`).
bool LooksLikeJson(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && text[i] == '{';
}

Result<cedar::PolicySet> LoadPolicies(const std::string& path,
                                      const std::string& format) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.error();
  bool json = format == "json" || (format.empty() && LooksLikeJson(*text));
  Result<cedar::PolicySet> set =
      json ? cedar::ReadPolicySetJson(*text) : cedar::ParsePolicySet(*text);
  if (!set.ok()) return cedar::Error(path + ": " + set.error().message());
  return set;
}

void AppendResponseJson(const cedar::Response& r, std::string* out) {
  *out += r.decision == cedar::Decision::kAllow ? "{\"decision\":\"allow\""
                                                : "{\"decision\":\"deny\"";
  *out += ",\"reasons\":[";
  for (size_t i = 0; i < r.reasons.size(); ++i) {
    if (i) *out += ',';
    cedar::AppendJsonString(r.reasons[i], out);
  }
  *out += "],\"errors\":[";
  for (size_t i = 0; i < r.errors.size(); ++i) {
    if (i) *out += ',';
    cedar::AppendJsonString(r.errors[i].policy_id, out);
  }
  *out += "]}\n";
}

struct AuthorizeArgs {
  std::string policies;
  std::string policies_format;
  std::string entities;
  std::string requests;
  bool explain = false;
};

int RunAuthorize(const AuthorizeArgs& a) {
  Result<cedar::PolicySet> set = LoadPolicies(a.policies, a.policies_format);
  if (!set.ok()) return Fail(set.error().message());
  Result<cedar::Authorizer> authz = cedar::Authorizer::Create(*set);
  if (!authz.ok()) return Fail(a.policies + ": " + authz.error().message());

  cedar::EntityStore store;
  if (!a.entities.empty()) {
    Result<std::string> text = ReadFile(a.entities);
    if (!text.ok()) return Fail(text.error().message());
    Result<std::vector<cedar::Entity>> list = cedar::ReadEntitiesJson(*text);
    if (!list.ok()) return Fail(a.entities + ": " + list.error().message());
    Result<cedar::EntityStore> built =
        cedar::EntityStore::Build(std::move(*list));
    if (!built.ok()) return Fail(a.entities + ": " + built.error().message());
    store = std::move(*built);
  }

  std::ifstream in;
  std::istream* requests = &std::cin;
  if (a.requests != "-") {
    in.open(a.requests, std::ios::binary);
    if (!in) return Fail(a.requests + ": cannot open: " + ErrnoText());
    requests = &in;
  }
  std::string line, out;
  cedar::Response response;
  for (int line_no = 1; std::getline(*requests, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Result<cedar::Request> request = cedar::ReadRequestJson(line);
    if (!request.ok()) {
      std::cout << out << std::flush;
      return Fail(a.requests + ": line " + std::to_string(line_no) + ": " +
                  request.error().message());
    }
    authz->IsAuthorized(*request, store, &response);
    AppendResponseJson(response, &out);
    if (a.explain) {
      for (const cedar::PolicyError& e : response.errors)
        std::cerr << "line " << line_no << ": policy " << e.policy_id << ": "
                  << e.message << "\n";
    }
    if (out.size() > (1 << 16)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out << std::flush;
  return 0;
}

int RunCheck(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return Fail(text.error().message());
  if (LooksLikeJson(*text)) {
    Result<cedar::PolicySet> set = cedar::ReadPolicySetJson(*text);
    if (!set.ok()) {
      std::cerr << path << ": " << set.error().message() << "\n";
      return 1;
    }
    std::cout << path << ": ok, " << set->policies.size() << " policies, "
              << set->templates.size() << " templates, " << set->links.size()
              << " links\n";
    return 0;
  }
  std::vector<cedar::Error> errors = cedar::CheckPolicySet(*text);
  if (!errors.empty()) {
    for (const cedar::Error& e : errors)
      std::cerr << path << ": " << e.message() << "\n";
    std::cerr << path << ": " << errors.size()
              << (errors.size() == 1 ? " error\n" : " errors\n");
    return 1;
  }
  Result<cedar::PolicySet> set = cedar::ParsePolicySet(*text);
  if (!set.ok()) {  // CheckPolicySet and ParsePolicySet must agree
    std::cerr << path << ": " << set.error().message() << "\n";
    return 1;
  }
  std::cout << path << ": ok, " << set->policies.size() << " policies, "
            << set->templates.size() << " templates\n";
  return 0;
}

int RunFormat(const std::string& path, const std::string& to) {
  Result<cedar::PolicySet> set = LoadPolicies(path, "");
  if (!set.ok()) return Fail(set.error().message());
  if (to == "json") {
    std::cout << cedar::IndentJson(cedar::WritePolicySetJson(*set)) << "\n";
  } else {
    std::cout << cedar::FormatPolicySet(*set);
  }
  return 0;
}

}  // namespace

void AddCedarCommands(CLI::App& app, int* exit_code) {
  CLI::App* cedar =
      app.add_subcommand("cedar", "Decide, check and format Cedar policies");
  cedar->require_subcommand(1);

  auto args = std::make_shared<AuthorizeArgs>();
  CLI::App* authorize = cedar->add_subcommand(
      "authorize",
      "Decide each request (one JSON object a line) and print one JSON "
      "line per decision: {\"decision\",\"reasons\",\"errors\"}");
  authorize->add_option("--policies", args->policies, "Policy set file")
      ->required();
  authorize
      ->add_option("--policies-format", args->policies_format,
                   "cedar or json (default: by content)")
      ->check(CLI::IsMember({"cedar", "json"}));
  authorize->add_option("--entities", args->entities,
                        "Entities file (Cedar JSON)");
  authorize
      ->add_option("--requests", args->requests,
                   "Requests file, one JSON object a line ('-': stdin)")
      ->required();
  authorize->add_flag("--explain", args->explain,
                      "Print each policy error's message on stderr");
  authorize->callback([args, exit_code] { *exit_code = RunAuthorize(*args); });

  auto check_file = std::make_shared<std::string>();
  CLI::App* check = cedar->add_subcommand(
      "check", "Parse a policy file (text or JSON) and report every error");
  check->add_option("FILE", *check_file, "Policy file")->required();
  check->callback(
      [check_file, exit_code] { *exit_code = RunCheck(*check_file); });

  auto format_file = std::make_shared<std::string>();
  auto format_to = std::make_shared<std::string>("cedar");
  CLI::App* format = cedar->add_subcommand(
      "format", "Pretty-print a policy file, or convert text <-> JSON");
  format->add_option("FILE", *format_file, "Policy file (text or JSON)")
      ->required();
  format->add_option("--to", *format_to, "Output format: cedar or json")
      ->check(CLI::IsMember({"cedar", "json"}));
  format->callback([format_file, format_to, exit_code] {
    *exit_code = RunFormat(*format_file, *format_to);
  });
}

}  // namespace haven::cli
