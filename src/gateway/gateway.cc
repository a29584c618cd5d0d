#include "gateway/gateway.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "base/canonical_json.h"
#include "base/worker_pool.h"
#include "cedar/extensions.h"
#include "cedar/json_value.h"
#include "directory/directory.h"
#include "gateway/audit.h"
#include "gateway/entities.h"
#include "gateway/json_text.h"
#include "gateway/metrics.h"
#include "gateway/policy_bundle.h"
#include "gateway/query.h"
#include "gateway/reason_flags.h"
#include "records/records.h"

namespace haven::gateway {
namespace {

using cedar::EntityUid;
using cedar::Value;
using Clock = std::chrono::steady_clock;

void AppendString(std::string_view s, std::string* out) {
  cedar::AppendJsonString(s, out);
}

void AppendStrings(const std::vector<std::string>& v, std::string* out) {
  *out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) *out += ',';
    AppendString(v[i], out);
  }
  *out += ']';
}

// The members' keys of a dataset's records, each as JSON text with its
// colon ("\"plate\":"), escaped once rather than per row.
const std::vector<std::string>& JsonKeys(const records::Schema& schema) {
  static const auto* keys = [] {
    auto* k = new std::array<std::vector<std::string>,
                             std::size(records::kAllDatasets)>;
    for (records::Dataset d : records::kAllDatasets) {
      std::vector<std::string>& v = (*k)[static_cast<size_t>(d)];
      for (const records::FieldSpec& f : records::SchemaOf(d).fields) {
        std::string key;
        AppendString(f.name, &key);
        key += ':';
        v.push_back(std::move(key));
      }
    }
    return k;
  }();
  return (*keys)[static_cast<size_t>(schema.dataset)];
}

// Field::"<name>" for each field of a dataset's records, in schema order:
// the resources of its read-field decisions.
const std::vector<EntityUid>& FieldUids(const records::Schema& schema) {
  static const auto* uids = [] {
    auto* u = new std::array<std::vector<EntityUid>,
                             std::size(records::kAllDatasets)>;
    for (records::Dataset d : records::kAllDatasets) {
      for (const records::FieldSpec& f : records::SchemaOf(d).fields) {
        (*u)[static_cast<size_t>(d)].push_back(
            EntityUid{"Field", std::string(f.name)});
      }
    }
    return u;
  }();
  return (*uids)[static_cast<size_t>(schema.dataset)];
}

// One record as a JSON object holding only the fields in `allowed`; `values`
// parallel to the schema's fields (records::FieldValue or FieldView). This
// runs for every row of every answer, so it writes into room made ahead
// rather than appending piece by piece; a string that needs escapes takes
// cedar::AppendJsonString's path.
template <typename Value>
void AppendRecord(const records::Schema& schema, std::span<const Value> values,
                  const std::vector<bool>& allowed, std::string* out) {
  const std::vector<std::string>& keys = JsonKeys(schema);
  size_t len = out->size();  // bytes written; out->size() >= len
  // Room for n more bytes. The string is cut back to `len` at the end, so
  // it grows by what one record needs, not geometrically (resize writes
  // zeros over all it adds; the capacity grows geometrically anyway).
  auto room = [&](size_t n) {
    if (len + n > out->size()) out->resize(len + n + 256);
    return out->data() + len;
  };
  auto put = [&](std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    len += s.size();
  };
  put("{");
  bool first = true;
  for (size_t i = 0; i < schema.fields.size() && i < values.size(); ++i) {
    if (!allowed[i]) continue;
    if (!first) put(",");
    first = false;
    put(keys[i]);
    const Value& v = values[i];
    if (const auto* d = std::get_if<double>(&v)) {
      // JSON has no infinities (SQLite keeps no NaN).
      if (!std::isfinite(*d)) {
        put("null");
        continue;
      }
      char* p = room(32);
      len += ShortestDoubleText(*d, p);
    } else if (const auto* n = std::get_if<int64_t>(&v)) {
      char* p = room(24);
      len += static_cast<size_t>(std::to_chars(p, p + 24, *n).ptr - p);
    } else if (const auto* b = std::get_if<bool>(&v)) {
      put(*b ? "true" : "false");
    } else if (std::holds_alternative<std::monostate>(v)) {
      put("null");
    } else {
      std::string_view str = std::visit(
          [](const auto& x) -> std::string_view {
            if constexpr (std::is_convertible_v<decltype(x),
                                                std::string_view>) {
              return x;
            } else {
              return {};
            }
          },
          v);
      if (IsPlainJsonText(str)) {
        char* p = room(str.size() + 2);
        p[0] = '"';
        std::memcpy(p + 1, str.data(), str.size());
        p[str.size() + 1] = '"';
        len += str.size() + 2;
      } else {
        out->resize(len);
        AppendString(str, out);
        len = out->size();
      }
    }
  }
  put("}");
  out->resize(len);
}

// At most `max` bytes of `s`, marked when cut: what a client wrote goes into
// the audit entry, and an entry must stay far below the ledger's 1 MiB
// limit whatever the client sent (bad input is a 400, never a 5xx).
std::string Clip(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + "...[" + std::to_string(s.size() - max) +
         " more bytes]";
}

// Why the requester asked, as stated, for the audit entry.
void NoteJustification(const Justification& why, AuditRecord* a) {
  a->purpose = Clip(why.purpose, 64);
  a->case_number = Clip(why.case_number, 128);
  a->reason = Clip(why.reason, 2048);
  if (why.warrant) a->warrant_kind = Clip(why.warrant->kind, 64);
}

// The route a request's path names, for metrics.
std::string RouteOf(std::string_view path) {
  if (path == "/v1/search") return "search";
  if (path.starts_with("/v1/records/")) return "record";
  if (path == "/v1/ledger/entries") return "entries";
  return "other";
}

// A token bucket per credential.
class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}
  // Whether one more request from `key` is allowed now.
  bool Allow(const std::string& key) {
    if (rate_ <= 0) return true;
    std::lock_guard<std::mutex> lock(mu_);
    auto now = Clock::now();
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
      double elapsed = std::chrono::duration<double>(now - b.last).count();
      b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace

struct Gateway::Impl {
  GatewayOptions options;
  std::unique_ptr<directory::Directory> directory;
  std::unique_ptr<records::Store> records;
  std::unique_ptr<ledger::Ledger> ledger;
  std::unique_ptr<PolicyBundle> policies;
  std::unique_ptr<WorkerPool> pool;
  Metrics metrics;
  std::unique_ptr<RateLimiter> limiter;

  // The directory as Cedar entities, and credentials seen lately; rebuilt
  // when the directory's version changes.
  struct View {
    uint64_t version = 0;
    std::shared_ptr<const cedar::EntityStore> entities;
  };
  // Read by every request (shared), written when the directory changes or
  // a credential is first seen (exclusive).
  std::shared_mutex view_mu;
  View view;
  static constexpr std::chrono::nanoseconds kRecheck =
      std::chrono::microseconds(500);
  std::atomic<int64_t> last_check{0};  // ns on Clock of the last version()
  struct CachedCredential {
    std::shared_ptr<const directory::Credential> credential;
    Clock::time_point until;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>()(s);
    }
  };
  // By secret, looked up without copying it.
  std::unordered_map<std::string, CachedCredential, StringHash,
                     std::equal_to<>>
      credentials;  // view_mu

  std::atomic<bool> closing{false};
  std::mutex change_mu;
  std::condition_variable change_cv;
  std::thread change_thread;
  bool closed = false;

  // --- the pipeline -------------------------------------------------------

  // Everything one request carries through the pipeline.
  struct Call {
    server::HttpRequest request;
    server::Responder respond;
    Clock::time_point start;
    std::string path;
    std::string query;
    AuditRecord audit;
  };

  Status RefreshView(View* out) {
    // A change committed by another process is seen by every request that
    // starts more than kRecheck after the commit: the directory is asked
    // at most once per kRecheck (one SQLite read transaction, with its
    // fcntl locks, instead of one per request under load).
    int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      Clock::now().time_since_epoch())
                      .count();
    int64_t last = last_check.load(std::memory_order_acquire);
    if (now - last < kRecheck.count()) {
      std::shared_lock<std::shared_mutex> lock(view_mu);
      if (view.entities) {
        *out = view;
        return Status::Ok();
      }
    }
    last_check.store(now, std::memory_order_release);
    StatusOr<uint64_t> v = directory->version();
    if (!v.ok()) return v.status();
    {
      std::shared_lock<std::shared_mutex> lock(view_mu);
      if (view.entities && view.version == *v) {
        *out = view;
        return Status::Ok();
      }
    }
    StatusOr<directory::Snapshot> snap = directory->ReadSnapshot();
    if (!snap.ok()) return snap.status();
    StatusOr<cedar::EntityStore> store = BuildEntityStore(*snap);
    if (!store.ok()) return store.status();
    std::unique_lock<std::shared_mutex> lock(view_mu);
    view.version = *v;
    view.entities =
        std::make_shared<const cedar::EntityStore>(std::move(*store));
    credentials.clear();
    *out = view;
    return Status::Ok();
  }

  // The credential behind the Authorization header, or an ApiError (401).
  std::optional<ApiError> Authenticate(
      Call& c, std::shared_ptr<const directory::Credential>* who) {
    std::string_view h = c.request.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (h.empty()) {
      return ApiError{401, "unauthenticated",
                      "missing Authorization: Bearer token"};
    }
    if (h.size() <= kBearer.size() ||
        !std::equal(kBearer.begin(), kBearer.end(), h.begin(),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    })) {
      return ApiError{401, "unauthenticated",
                      "Authorization must be \"Bearer <token>\""};
    }
    std::string_view secret = h.substr(kBearer.size());
    auto now = Clock::now();
    {
      std::shared_lock<std::shared_mutex> lock(view_mu);
      auto it = credentials.find(secret);
      if (it != credentials.end() && it->second.until > now) {
        *who = it->second.credential;
        return std::nullopt;
      }
    }
    std::string token_id;
    StatusOr<directory::Credential> cred =
        directory->Authenticate(secret, &token_id);
    if (!cred.ok()) {
      c.audit.credential = token_id;
      if (cred.status().code() == StatusCode::kUnauthenticated) {
        return ApiError{401, "unauthenticated", cred.status().message()};
      }
      return ApiError{
          503, "unavailable",
          "the directory cannot be read: " + cred.status().message()};
    }
    *who = std::make_shared<const directory::Credential>(std::move(*cred));
    std::unique_lock<std::shared_mutex> lock(view_mu);
    // A second at most: expiry is checked again after that. A revocation
    // empties the cache as soon as RefreshView sees the directory change.
    if (credentials.size() > 100000) credentials.clear();
    credentials.insert_or_assign(
        std::string(secret),
        CachedCredential{*who, now + std::chrono::seconds(1)});
    return std::nullopt;
  }

  Value Context(const Call& c, const Justification& why) {
    std::vector<Value> flags;
    for (const std::string& f : c.audit.flags)
      flags.push_back(Value::String(f));
    std::vector<cedar::RecordField> fields;
    fields.emplace_back("case_number", Value::String(why.case_number));
    cedar::Result<Value> ip = cedar::ParseIp(c.request.client_address);
    fields.emplace_back("client_ip",
                        ip.ok() ? std::move(*ip) : *cedar::ParseIp("0.0.0.0"));
    fields.emplace_back("flags", Value::Set(std::move(flags)));
    fields.emplace_back("purpose", Value::String(why.purpose));
    fields.emplace_back("reason", Value::String(why.reason));
    fields.emplace_back("time", Value::Datetime(c.audit.time_ms));
    if (why.warrant) {
      std::vector<cedar::RecordField> w = {
          {"court", Value::String(why.warrant->court)},
          {"judge", Value::String(why.warrant->judge)},
          {"kind", Value::String(why.warrant->kind)},
          {"number", Value::String(why.warrant->number)}};
      fields.emplace_back("warrant", Value::Record(std::move(w)));
    }
    return Value::Record(std::move(fields));  // keys in sorted order
  }

  cedar::Response Decide(const cedar::EntityStore& entities,
                         const std::string& user, std::string_view action,
                         EntityUid resource, const Value& context) {
    cedar::Request req{EntityUid{"User", user},
                       EntityUid{"Action", std::string(action)},
                       std::move(resource), context};
    return policies->authorizer().IsAuthorized(req, entities);
  }

  // Appends the audit entry; answers once it is durable.
  void Finish(std::shared_ptr<Call> c, int status, std::string body_prefix,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    c->audit.status = status;
    std::string entry = EncodeAuditRecord(c->audit);
    ledger->AppendAsync(std::move(entry), [this, c, status,
                                           body = std::move(body_prefix),
                                           headers = std::move(headers)](
                                              Status s,
                                              uint64_t index) mutable {
      server::HttpResponse r;
      r.headers = std::move(headers);
      if (!s.ok()) {
        r.status = 503;
        r.body =
            R"({"error":{"code":"unavailable","message":"the audit ledger could not record this request, so it is not answered"}})";
      } else {
        r.status = status;
        r.body = std::move(body);
        r.body += "\"audit\":{\"index\":" + std::to_string(index) + "}}";
      }
      metrics.CountRequest(
          RouteOf(c->path), r.status,
          std::chrono::duration<double>(Clock::now() - c->start).count());
      c->respond(std::move(r));
    });
  }

  // An error answer: {"error":{...},"audit":{"index":N}}.
  void Fail(std::shared_ptr<Call> c, const ApiError& e,
            const std::vector<std::string>& policies_ = {},
            const std::vector<std::string>& reasons = {}) {
    c->audit.error = e.code;
    std::string body = "{\"error\":{\"code\":";
    AppendString(e.code, &body);
    body += ",\"message\":";
    AppendString(e.message, &body);
    if (e.status == 403) {
      body += ",\"policies\":";
      AppendStrings(policies_, &body);
      body += ",\"reasons\":";
      AppendStrings(reasons, &body);
    }
    body += "},";
    // What HTTP asks of these statuses (RFC 9110 15.5.2, 15.5.6; RFC 6585 4).
    std::vector<std::pair<std::string, std::string>> headers;
    if (e.status == 401) {
      headers.emplace_back("WWW-Authenticate", "Bearer realm=\"haven\"");
    } else if (e.status == 405) {
      headers.emplace_back("Allow", c->path == "/v1/search" ? "POST" : "GET");
    } else if (e.status == 429) {
      headers.emplace_back("Retry-After", "1");
    }
    Finish(std::move(c), e.status, std::move(body), std::move(headers));
  }

  // 403 for a denied decision, naming the deciding policies.
  void Deny(std::shared_ptr<Call> c, const cedar::Response& r) {
    std::vector<std::string> reasons;
    for (const std::string& id : r.reasons) {
      const std::string& text = policies->ReasonOf(id);
      if (!text.empty()) reasons.push_back(text);
    }
    std::string message =
        r.reasons.empty() ? "no policy permits this request"
                          : "refused by policy " + r.reasons.front() +
                                (reasons.empty() ? "" : ": " + reasons.front());
    Fail(std::move(c), ApiError{403, "forbidden", std::move(message)},
         r.reasons, reasons);
  }

  void NoteDecision(Call& c, const cedar::Response& r) {
    c.audit.decision = r.decision == cedar::Decision::kAllow ? "allow" : "deny";
    c.audit.policies = r.reasons;
    for (const cedar::PolicyError& e : r.errors) {
      c.audit.policies.push_back("error:" + e.policy_id);
    }
    for (const std::string& id : r.reasons) {
      if (r.decision == cedar::Decision::kDeny && policies->IsSealed(id)) {
        c.audit.flagged = true;
      }
    }
    if (!c.audit.flags.empty() || c.audit.purpose == "civil-immigration") {
      c.audit.flagged = true;
    }
    metrics.CountDecision(c.audit.agency.empty() ? "unknown" : c.audit.agency,
                          c.audit.decision);
  }

  // Which fields of `schema` this requester may read, each decided by Cedar.
  std::vector<bool> Redact(const cedar::EntityStore& entities, const Call& c,
                           const records::Schema& schema, const Value& ctx,
                           std::vector<std::string>* withheld) {
    std::vector<bool> allowed(schema.fields.size());
    // One question of every field: the policies that do not look at the
    // field are evaluated once for all of them.
    cedar::Request req{EntityUid{"User", c.audit.user},
                       EntityUid{"Action", "read-field"}, EntityUid{}, ctx};
    thread_local std::vector<cedar::Response> r;
    policies->authorizer().IsAuthorizedEach(req, FieldUids(schema), entities,
                                            &r);
    for (size_t i = 0; i < schema.fields.size(); ++i) {
      allowed[i] = r[i].decision == cedar::Decision::kAllow;
      if (!allowed[i]) withheld->emplace_back(schema.fields[i].name);
    }
    return allowed;
  }

  void Run(std::shared_ptr<Call> c) {
    server::HttpRequest& req = c->request;
    size_t q = req.target.find('?');
    c->path = req.target.substr(0, q);
    if (q != std::string::npos) c->query = req.target.substr(q + 1);
    c->audit.time_ms = NowMs();
    c->audit.client = req.client_address;
    c->audit.method = req.method;
    c->audit.path = c->path.size() > 256 ? c->path.substr(0, 256) : c->path;

    // Public endpoints: no credential, no audit entry.
    if (req.rejection.status == 0 && req.method == "GET") {
      if (c->path == "/healthz") return Health(*c);
      if (c->path == "/metrics") return MetricsPage(*c);
      if (c->path == "/v1/ledger/checkpoint") return CheckpointPage(*c);
      if (c->path.starts_with("/v1/ledger/proof/")) return ProofPage(*c);
    }

    // The directory first: a change (a revoked token) empties the credential
    // cache before this request's token is looked at.
    View v;
    Status s = RefreshView(&v);
    if (!s.ok()) {
      return Fail(c, ApiError{503, "unavailable",
                              "the directory cannot be read: " + s.message()});
    }
    std::shared_ptr<const directory::Credential> who;
    std::optional<ApiError> auth = Authenticate(*c, &who);
    if (!auth) {
      c->audit.user = who->user.id;
      c->audit.agency = who->agency.ori;
      c->audit.credential = who->token_id;
    }
    if (req.rejection.status != 0) {
      return Fail(c, ApiError{req.rejection.status, req.rejection.code,
                              req.rejection.message});
    }
    if (auth) return Fail(c, *auth);
    if (!limiter->Allow(who->token_id)) {
      return Fail(c, ApiError{429, "rate_limited",
                              "too many requests for this credential; slow "
                              "down"});
    }
    if (c->path == "/v1/search") {
      if (req.method != "POST") {
        return Fail(
            c, ApiError{405, "method_not_allowed", "use POST for /v1/search"});
      }
      return Search(c, *v.entities);
    }
    if (c->path.starts_with("/v1/records/")) {
      if (req.method != "GET") {
        return Fail(c, ApiError{405, "method_not_allowed",
                                "use GET for /v1/records/{dataset}/{id}"});
      }
      return GetRecord(c, *v.entities);
    }
    if (c->path == "/v1/ledger/entries") {
      if (req.method != "GET") {
        return Fail(c, ApiError{405, "method_not_allowed",
                                "use GET for /v1/ledger/entries"});
      }
      return Entries(c, *v.entities);
    }
    Fail(c, ApiError{404, "not_found", "no such endpoint: " + c->audit.path});
  }

  void Search(std::shared_ptr<Call> c, const cedar::EntityStore& entities) {
    if (!c->request.content_type.empty() &&
        c->request.content_type.find("application/json") == std::string::npos) {
      return Fail(c, ApiError{415, "unsupported_media_type",
                              "the body must be application/json"});
    }
    SearchQuery query;
    std::optional<ApiError> bad = ParseSearchBody(c->request.body, &query);
    AuditRecord& a = c->audit;
    NoteJustification(query.why, &a);
    a.flags = ReasonFlags(query.why.reason);
    if (bad) return Fail(c, *bad);
    a.dataset = std::string(records::DatasetName(query.dataset));
    a.filter = query.filter;

    Value ctx = Context(*c, query.why);
    cedar::Response r = Decide(entities, a.user, "search",
                               EntityUid{"Dataset", a.dataset}, ctx);
    NoteDecision(*c, r);
    if (r.decision != cedar::Decision::kAllow) return Deny(c, r);

    const records::Schema& schema = records::SchemaOf(query.dataset);
    std::vector<bool> allowed =
        Redact(entities, *c, schema, ctx, &a.withheld_fields);
    // Rows are written as they are read (no copies); the answer is sent
    // only if the whole search succeeds.
    std::string body;
    body.reserve(16 << 10);
    body += "{\"results\":[";
    // "dataset/id" of each row, end to end, for the results digest.
    std::string id_text;
    std::vector<size_t> id_ends;
    id_ends.reserve(static_cast<size_t>(query.limit));
    id_text.reserve(std::min<size_t>(static_cast<size_t>(query.limit), 64) *
                    (a.dataset.size() + 16));
    auto t0 = Clock::now();
    StatusOr<size_t> rows = records->SearchEach(
        query.dataset, query.filter, static_cast<size_t>(query.limit),
        [&](std::span<const records::FieldView> row) {
          if (!id_ends.empty()) body += ',';
          AppendRecord(schema, row, allowed, &body);
          const auto* id = std::get_if<std::string_view>(&row[0]);
          id_text += a.dataset;
          id_text += '/';
          if (id) id_text += *id;
          id_ends.push_back(id_text.size());
        });
    metrics.CountStoreQuery(
        a.dataset, std::chrono::duration<double>(Clock::now() - t0).count());
    if (!rows.ok()) {
      return Fail(
          c, ApiError{503, "unavailable",
                      "the records store failed: " + rows.status().message()});
    }
    body += "],\"withheld_fields\":";
    AppendStrings(a.withheld_fields, &body);
    body += ',';
    a.result_count = static_cast<int64_t>(*rows);
    std::vector<std::string_view> ids;
    ids.reserve(id_ends.size());
    for (size_t i = 0, begin = 0; i < id_ends.size(); begin = id_ends[i++]) {
      ids.push_back(
          std::string_view(id_text).substr(begin, id_ends[i] - begin));
    }
    a.results_digest = ResultsDigest(std::move(ids));
    Finish(std::move(c), 200, std::move(body));
  }

  void GetRecord(std::shared_ptr<Call> c, const cedar::EntityStore& entities) {
    AuditRecord& a = c->audit;
    std::string_view rest = std::string_view(c->path).substr(12);
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos || slash + 1 >= rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos) {
      return Fail(
          c, ApiError{404, "not_found", "expected /v1/records/{dataset}/{id}"});
    }
    std::string dataset_name(rest.substr(0, slash));
    std::string id(rest.substr(slash + 1));
    std::optional<records::Dataset> dataset =
        records::ParseDataset(dataset_name);
    if (!dataset) {
      return Fail(
          c, ApiError{404, "not_found", "no dataset \"" + dataset_name + "\""});
    }
    a.dataset = dataset_name;
    a.record_id = id.size() > 128 ? id.substr(0, 128) : id;
    Justification why;
    std::optional<ApiError> bad = ParseJustificationParams(c->query, &why);
    NoteJustification(why, &a);
    a.flags = ReasonFlags(why.reason);
    if (bad) return Fail(c, *bad);

    Value ctx = Context(*c, why);
    cedar::Response r = Decide(entities, a.user, "read-record",
                               EntityUid{"Dataset", a.dataset}, ctx);
    NoteDecision(*c, r);
    if (r.decision != cedar::Decision::kAllow) return Deny(c, r);
    StatusOr<std::optional<records::Record>> row = records->Get(*dataset, id);
    if (!row.ok()) {
      return Fail(
          c, ApiError{503, "unavailable",
                      "the records store failed: " + row.status().message()});
    }
    if (!row->has_value()) {
      return Fail(c, ApiError{404, "not_found",
                              "no record " + a.dataset + "/" + a.record_id});
    }
    const records::Schema& schema = records::SchemaOf(*dataset);
    std::vector<bool> allowed =
        Redact(entities, *c, schema, ctx, &a.withheld_fields);
    std::string body = "{\"record\":";
    AppendRecord(schema, std::span<const records::FieldValue>((*row)->values),
                 allowed, &body);
    body += ",\"withheld_fields\":";
    AppendStrings(a.withheld_fields, &body);
    body += ',';
    a.result_count = 1;
    a.results_digest = ResultsDigest({a.dataset + "/" + (*row)->id});
    Finish(std::move(c), 200, std::move(body));
  }

  void Entries(std::shared_ptr<Call> c, const cedar::EntityStore& entities) {
    std::vector<std::pair<std::string, std::string>> params;
    if (auto e = ParseQueryString(c->query, &params)) return Fail(c, *e);
    std::optional<uint64_t> from, to;
    for (const auto& [name, value] : params) {
      uint64_t n = 0;
      auto [end, ec] =
          std::from_chars(value.data(), value.data() + value.size(), n);
      if (name != "from" && name != "to") {
        return Fail(c, ApiError{400, "unknown_field",
                                "unknown query parameter \"" + name +
                                    "\"; expected from, to"});
      }
      if (ec != std::errc() || end != value.data() + value.size()) {
        return Fail(c, ApiError{400, "invalid_value",
                                "query parameter " + name +
                                    ": expected a non-negative integer"});
      }
      std::optional<uint64_t>& slot = name == "from" ? from : to;
      if (slot) {
        return Fail(c,
                    ApiError{400, "duplicate_key",
                             "query parameter \"" + name + "\" given twice"});
      }
      slot = n;
    }
    Justification none;
    Value ctx = Context(*c, none);
    cedar::Response r = Decide(entities, c->audit.user, "read-ledger",
                               EntityUid{"Ledger", "audit"}, ctx);
    NoteDecision(*c, r);
    if (r.decision != cedar::Decision::kAllow) return Deny(c, r);
    uint64_t size = ledger->size();
    uint64_t f = from.value_or(0);
    uint64_t t = std::min(to.value_or(size), size);
    if (f > t) {
      return Fail(c, ApiError{400, "invalid_value",
                              "from is beyond to or the ledger's size " +
                                  std::to_string(size)});
    }
    t = std::min(t, f + 1000);
    StatusOr<std::vector<std::string>> entries = ledger->ReadEntries(f, t);
    if (!entries.ok()) {
      return Fail(c,
                  ApiError{503, "unavailable",
                           "the ledger failed: " + entries.status().message()});
    }
    std::string body = "{\"entries\":";
    AppendStrings(*entries, &body);
    body +=
        ",\"from\":" + std::to_string(f) + ",\"to\":" + std::to_string(t) + ",";
    c->audit.result_count = static_cast<int64_t>(entries->size());
    Finish(std::move(c), 200, std::move(body));
  }

  // --- public endpoints ---------------------------------------------------

  void Plain(Call& c, int status, std::string content_type, std::string body) {
    server::HttpResponse r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    c.respond(std::move(r));
  }

  void PublicError(Call& c, int status, std::string code, std::string msg) {
    std::string body = "{\"error\":{\"code\":";
    AppendString(code, &body);
    body += ",\"message\":";
    AppendString(msg, &body);
    body += "}}";
    Plain(c, status, "application/json", std::move(body));
  }

  void Health(Call& c) {
    Plain(c, 200, "application/json",
          "{\"status\":\"ok\",\"ledger_size\":" +
              std::to_string(ledger->size()) + "}");
  }

  void MetricsPage(Call& c) {
    ledger::LedgerStats st = ledger->stats();
    Plain(c, 200, "text/plain; version=0.0.4",
          metrics.Render({{"haven_ledger_size", double(ledger->size())},
                          {"haven_ledger_batches", double(st.batches)},
                          {"haven_ledger_sync_seconds", st.sync_seconds}}));
  }

  void CheckpointPage(Call& c) {
    std::optional<std::string> cp = ledger->LatestCheckpoint();
    if (!cp) {
      StatusOr<std::string> signed_cp = ledger->SignCheckpoint();
      if (!signed_cp.ok()) {
        return PublicError(c, 404, "not_found", signed_cp.status().message());
      }
      cp = *signed_cp;
    }
    Plain(c, 200, "text/plain; charset=utf-8", *cp);
  }

  void ProofPage(Call& c) {
    std::string_view n = std::string_view(c.path).substr(17);
    uint64_t index = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), index);
    if (n.empty() || ec != std::errc() || end != n.data() + n.size()) {
      return PublicError(c, 400, "invalid_value",
                         "expected /v1/ledger/proof/{index}, a number");
    }
    if (index >= ledger->size()) {
      return PublicError(c, 404, "not_found",
                         "no entry " + std::to_string(index) +
                             "; the ledger holds " +
                             std::to_string(ledger->size()));
    }
    StatusOr<ledger::TlogProof> proof = ledger->Prove(index);
    if (!proof.ok()) {
      // The latest checkpoint does not cover the entry yet: sign one.
      StatusOr<std::string> cp = ledger->SignCheckpoint();
      if (cp.ok()) proof = ledger->Prove(index);
    }
    if (!proof.ok()) {
      return PublicError(c, 503, "unavailable", proof.status().message());
    }
    Plain(c, 200, "text/plain; charset=utf-8", proof->ToText());
  }

  // --- directory changes --------------------------------------------------

  Status RecordChanges() {
    StatusOr<size_t> n = directory->RecordChanges(
        [this](std::span<const std::string> entries) -> Status {
          StatusOr<uint64_t> last = ledger->AppendAll(entries);
          return last.ok() ? Status::Ok() : last.status();
        });
    return n.ok() ? Status::Ok() : n.status();
  }

  void ChangeLoop() {
    std::unique_lock<std::mutex> lock(change_mu);
    while (!closing.load()) {
      change_cv.wait_for(lock, options.change_poll);
      lock.unlock();
      Status s = RecordChanges();
      (void)s;  // retried on the next round; Close reports a lasting error
      records->ReleaseIdleSnapshots();
      lock.lock();
    }
  }
};

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Gateway::~Gateway() { Close(); }

namespace {

// Each durable batch's answers reach the network threads in one hand-off
// per thread rather than one per answer.
ledger::Options LedgerOptions(ledger::Options o) {
  o.callback_scope = [](const std::function<void()>& run) {
    server::ResponseBatch batch;
    run();
  };
  return o;
}

}  // namespace

StatusOr<std::unique_ptr<Gateway>> Gateway::Open(
    const GatewayOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::string& dir = options.data_dir;
  StatusOr<std::unique_ptr<directory::Directory>> d =
      directory::Directory::Open(dir + "/directory.db");
  if (!d.ok()) return d.status();
  impl->directory = std::move(*d);
  records::Options ro;
  ro.read_connections = std::max(2, options.workers);
  // Records imported by another process are searchable within 20 ms; a
  // worker's queries share one snapshot (and its file locks) meanwhile.
  // Idle connections let theirs go at every change poll.
  ro.snapshot_reuse = std::chrono::milliseconds(20);
  StatusOr<std::unique_ptr<records::Store>> r =
      records::Store::Open(dir + "/records.db", ro);
  if (!r.ok()) return r.status();
  impl->records = std::move(*r);
  StatusOr<PolicyBundle> p = PolicyBundle::Load(dir + "/policies");
  if (!p.ok()) return p.status();
  impl->policies = std::make_unique<PolicyBundle>(std::move(*p));
  StatusOr<std::unique_ptr<ledger::Ledger>> l =
      ledger::Ledger::Open(LedgerOptions(options.ledger), dir + "/ledger");
  if (!l.ok()) return l.status();
  impl->ledger = std::move(*l);
  impl->limiter = std::make_unique<RateLimiter>(options.rate_per_second,
                                                options.rate_burst);

  // The view must build before the first request: a directory whose users
  // the policies cannot see is an error now, not at the first query.
  Impl::View v;
  HAVEN_RETURN_IF_ERROR(impl->RefreshView(&v));

  // Every policy load is a ledger entry with the bundle's hash.
  boost::json::object load;
  load["v"] = 1;
  load["kind"] = "policy-load";
  load["time"] = FormatTimeMs(NowMs());
  load["sha256"] = impl->policies->sha256();
  boost::json::array ids, sealed;
  for (const std::string& id : impl->policies->ids()) {
    ids.emplace_back(id);
    if (impl->policies->IsSealed(id)) sealed.emplace_back(id);
  }
  load["policies"] = std::move(ids);
  load["sealed"] = std::move(sealed);
  StatusOr<uint64_t> logged = impl->ledger->Append(CanonicalJson(load));
  if (!logged.ok()) return logged.status();
  HAVEN_RETURN_IF_ERROR(impl->RecordChanges());

  impl->pool = std::make_unique<WorkerPool>(std::max(1, options.workers),
                                            "haven-worker");
  Impl* raw = impl.get();
  impl->change_thread = std::thread([raw] { raw->ChangeLoop(); });
  pthread_setname_np(impl->change_thread.native_handle(), "haven-changes");
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

void Gateway::Handle(server::HttpRequest request, server::Responder respond) {
  auto call = std::make_shared<Impl::Call>();
  call->start = Clock::now();
  call->request = std::move(request);
  call->respond = std::move(respond);
  Impl* impl = impl_.get();
  if (impl->closing.load() ||
      !impl->pool->Post([impl, call] { impl->Run(call); })) {
    server::HttpResponse r;
    r.status = 503;
    r.body =
        R"({"error":{"code":"unavailable","message":"the gateway is shutting down"}})";
    call->respond(std::move(r));
  }
}

void Gateway::Close() {
  if (!impl_ || impl_->closed) return;
  impl_->closed = true;
  impl_->closing.store(true);
  impl_->change_cv.notify_all();
  if (impl_->change_thread.joinable()) impl_->change_thread.join();
  if (impl_->pool) impl_->pool->Join();
  Status s = impl_->RecordChanges();
  (void)s;  // left pending in the directory; recorded at the next start
  impl_->ledger.reset();  // completes queued appends, signs a checkpoint
}

ledger::Ledger& Gateway::ledger() { return *impl_->ledger; }

std::string Gateway::Summary() const {
  const PolicyBundle& p = *impl_->policies;
  size_t sealed = 0;
  for (const std::string& id : p.ids()) sealed += p.IsSealed(id) ? 1 : 0;
  return std::to_string(p.ids().size()) + " policies (" +
         std::to_string(sealed) + " sealed), bundle sha256 " + p.sha256() +
         "; ledger " + impl_->ledger->origin() + " at size " +
         std::to_string(impl_->ledger->size());
}

}  // namespace haven::gateway
