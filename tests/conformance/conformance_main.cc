// Runs the official Cedar conformance suite (cedar-policy/cedar-integration-
// tests, in ../shared/cedar-conformance) against Haven's engine.
//
//   conformance_main CORPUS_ROOT SUITE_ROOT
//
// CORPUS_ROOT holds the unpacked corpus-tests/ folder; SUITE_ROOT is the
// suite itself (tests/, sample-data/). Every test file names its policies,
// entities and requests, each request with the expected decision and the
// expected sets of reason and error policy ids.
//
// The generated corpus needs no schema: every one of its requests must match,
// or the run fails. The hand-written tests need schema-typed parsing of
// entities and context (a later issue): their count is reported separately
// and does not fail the run.
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cedar/authorizer.h"
#include "cedar/entities_json.h"
#include "cedar/json_value.h"
#include "cedar/parser.h"

namespace fs = std::filesystem;
using namespace haven::cedar;

namespace {

struct Tally {
  std::atomic<long> requests{0};
  std::atomic<long> matched{0};
  std::atomic<long> files{0};
  std::atomic<long> file_errors{0};
  std::atomic<long> each_checks{0};      // IsAuthorizedEach calls checked
  std::atomic<long> each_mismatches{0};  // ... that differed
  std::mutex mu;
  std::vector<std::string> failures;  // first few, for the log

  void Fail(std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    if (failures.size() < 25) failures.push_back(std::move(what));
  }
};

bool ReadText(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

std::set<std::string> StringSet(simdjson::dom::array a) {
  std::set<std::string> out;
  for (auto v : a) out.insert(std::string(std::string_view(v.get_string())));
  return out;
}

std::string Join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ",") + x;
  return "[" + out + "]";
}

// IsAuthorizedEach(request, resources) against IsAuthorized for each
// resource: the same decision, reasons and errors, messages included.
void CheckEach(const Authorizer& authz, Request request,
               const std::vector<EntityUid>& resources,
               const EntityStore& store, const std::string& where, Tally& t) {
  std::vector<Response> each;
  authz.IsAuthorizedEach(request, resources, store, &each);
  ++t.each_checks;
  for (size_t k = 0; k < resources.size(); ++k) {
    request.resource = resources[k];
    if (k >= each.size() || !(each[k] == authz.IsAuthorized(request, store))) {
      ++t.each_mismatches;
      t.Fail(where + "IsAuthorizedEach differs from IsAuthorized for " +
             resources[k].type + "::\"" + resources[k].id + "\"");
      return;
    }
  }
}

// Runs one test file; counts into `t`.
void RunFile(const fs::path& file, const fs::path& corpus_root,
             const fs::path& suite_root, Tally& t) {
  auto resolve = [&](std::string_view rel) {
    return (rel.rfind("corpus-tests/", 0) == 0 ? corpus_root : suite_root) /
           std::string(rel);
  };
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text;
  ++t.files;
  if (!ReadText(file, &text) || parser.parse(text).get(doc)) {
    ++t.file_errors;
    t.Fail(file.string() + ": cannot read test file");
    return;
  }
  std::string policies_text, entities_text;
  std::string_view policies_rel = doc["policies"].get_string().value();
  std::string_view entities_rel = doc["entities"].get_string().value();
  simdjson::dom::array requests = doc["requests"].get_array().value();
  long n = static_cast<long>(requests.size());
  t.requests += n;
  if (!ReadText(resolve(policies_rel), &policies_text) ||
      !ReadText(resolve(entities_rel), &entities_text)) {
    ++t.file_errors;
    t.Fail(file.string() + ": cannot read its policies or entities");
    return;
  }
  Result<PolicySet> set = ParsePolicySet(policies_text);
  if (!set.ok()) {
    t.Fail(file.string() + ": policies: " + set.error().message());
    return;
  }
  Result<Authorizer> authz = Authorizer::Create(*set);
  if (!authz.ok()) {
    t.Fail(file.string() + ": " + authz.error().message());
    return;
  }
  Result<std::vector<Entity>> list = ReadEntitiesJson(entities_text);
  if (!list.ok()) {
    t.Fail(file.string() + ": entities: " + list.error().message());
    return;
  }
  Result<EntityStore> store = EntityStore::Build(std::move(*list));
  if (!store.ok()) {
    t.Fail(file.string() + ": entities: " + store.error().message());
    return;
  }
  // Every resource the file's requests name: each request is also asked of
  // all of them at once (IsAuthorizedEach), and each answer must be exactly
  // IsAuthorized's for that resource.
  std::vector<EntityUid> resources;
  for (simdjson::dom::element r : requests) {
    std::string line = "{\"principal\":" + simdjson::minify(r["principal"]) +
                       ",\"action\":" + simdjson::minify(r["action"]) +
                       ",\"resource\":" + simdjson::minify(r["resource"]) +
                       ",\"context\":" + simdjson::minify(r["context"]) + "}";
    Result<Request> request = ReadRequestJson(line);
    if (request.ok()) resources.push_back(request->resource);
  }
  int index = 0;
  for (simdjson::dom::element r : requests) {
    std::string where =
        file.filename().string() + " request " + std::to_string(index++) + ": ";
    // The request line form that ReadRequestJson reads is a subset of the
    // test's request object: rebuild it from the four parts.
    std::string line = "{\"principal\":" + simdjson::minify(r["principal"]) +
                       ",\"action\":" + simdjson::minify(r["action"]) +
                       ",\"resource\":" + simdjson::minify(r["resource"]) +
                       ",\"context\":" + simdjson::minify(r["context"]) + "}";
    Result<Request> request = ReadRequestJson(line);
    if (!request.ok()) {
      t.Fail(where + request.error().message());
      continue;
    }
    Response got = authz->IsAuthorized(*request, *store);
    CheckEach(*authz, *request, resources, *store, where, t);
    std::string_view want_decision = r["decision"].get_string().value();
    std::set<std::string> want_reasons = StringSet(r["reason"].get_array());
    std::set<std::string> want_errors = StringSet(r["errors"].get_array());
    std::set<std::string> got_reasons(got.reasons.begin(), got.reasons.end());
    std::set<std::string> got_errors;
    for (const auto& e : got.errors) got_errors.insert(e.policy_id);
    std::string_view got_decision =
        got.decision == Decision::kAllow ? "allow" : "deny";
    if (got_decision == want_decision && got_reasons == want_reasons &&
        got_errors == want_errors) {
      ++t.matched;
    } else {
      std::string errs;
      for (const auto& e : got.errors)
        errs += " [" + e.policy_id + ": " + e.message + "]";
      t.Fail(where + "want " + std::string(want_decision) + " " +
             Join(want_reasons) + " errors " + Join(want_errors) + ", got " +
             std::string(got_decision) + " " + Join(got_reasons) + " errors " +
             Join(got_errors) + errs);
    }
  }
}

void RunAll(const std::vector<fs::path>& files, const fs::path& corpus_root,
            const fs::path& suite_root, Tally& t) {
  std::atomic<size_t> next{0};
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      for (size_t k; (k = next++) < files.size();)
        RunFile(files[k], corpus_root, suite_root, t);
    });
  }
  for (auto& th : threads) th.join();
}

std::vector<fs::path> TestFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && e.path().extension() == ".json" &&
        name.find(".entities.") == std::string::npos)
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void Report(const char* what, const Tally& t) {
  std::cout << what << ": " << t.matched << " of " << t.requests
            << " requests matched, in " << t.files << " test files; "
            << t.each_checks - t.each_mismatches << " of " << t.each_checks
            << " asked of all their file's resources at once agreed\n";
  for (const auto& f : t.failures) std::cout << "  " << f << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: conformance_main CORPUS_ROOT SUITE_ROOT\n";
    return 2;
  }
  fs::path corpus_root = argv[1], suite_root = argv[2];
  if (!fs::is_directory(corpus_root / "corpus-tests") ||
      !fs::is_directory(suite_root / "tests")) {
    std::cerr << "conformance: missing " << corpus_root / "corpus-tests"
              << " or " << suite_root / "tests"
              << "\n";
    return 2;
  }
  Tally corpus, hand;
  RunAll(TestFiles(corpus_root / "corpus-tests"), corpus_root, suite_root,
         corpus);
  RunAll(TestFiles(suite_root / "tests"), corpus_root, suite_root, hand);
  Report("corpus", corpus);
  Report("hand-written (need schema-typed parsing; not yet required)", hand);
  bool ok = corpus.requests > 0 && corpus.matched == corpus.requests &&
            corpus.file_errors == 0 && corpus.each_checks > 0 &&
            corpus.each_mismatches == 0 && hand.each_mismatches == 0;
  std::cout << corpus.matched << " passed, " << corpus.requests - corpus.matched
            << " failed\n";
  return ok ? 0 : 1;
}
